"""Read an OFD file (GB/T 33190, the format of 数电票 and many e-government documents) as text pages.

An OFD is a zip of XML: ``OFD.xml`` names the document root, ``Document.xml`` lists the pages and
their templates, and each page's ``Content.xml`` holds text objects placed in millimetres. An
invoice prints its labels (名称：, 购买方信息 …) on the template page and its values on the page
itself, so both are read. Text objects become positioned lines, one per row, like a PDF text layer,
so classification and the fact readers treat an OFD like a typed PDF. Pages are not rendered: seals
on an OFD are electronic seals in ``Signs/``, listed in ``Page.note``, not looked for in pixels.

The archive is checked against the same limits as any zip from a stranger (members, sizes,
inflation ratio), and XML is parsed with defusedxml (no entities, no external references).
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from typing import Iterable, Optional

from ..model import SOURCE_TEXT_LAYER, Document, Line, Page

MM_TO_PT = 72 / 25.4
MAX_XML = 32 << 20  # one XML part: a page of an invoice is ~20 KB
_NUM = re.compile(r"-?\d+(?:\.\d+)?")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el, name: str):
    return [c for c in el if _local(c.tag) == name]


def _find(el, *path: str):
    for name in path:
        if el is None:
            return None
        found = _children(el, name)
        el = found[0] if found else None
    return el


def _box(text: Optional[str]) -> Optional[tuple[float, float, float, float]]:
    nums = [float(x) for x in _NUM.findall(text or "")]
    return tuple(nums[:4]) if len(nums) >= 4 else None  # type: ignore[return-value]


def _deltas(spec: Optional[str], n: int, size: float) -> list[float]:
    """``DeltaX="g 4 1.5875 3.175 g 2 1.5875"``: the advance after each character but the last
    (``g N d`` repeats d N times); missing advances default to the font size."""
    out: list[float] = []
    tokens = (spec or "").split()
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            try:
                out.extend([float(tokens[i + 2])] * int(tokens[i + 1]))
            except ValueError:
                pass
            i += 3
        else:
            try:
                out.append(float(tokens[i]))
            except ValueError:
                pass
            i += 1
    return (out + [size] * n)[: max(0, n - 1)]


class _Reader:
    def __init__(self, z: zipfile.ZipFile):
        self.z = z
        self.names = {n.lstrip("/"): n for n in z.namelist()}

    def xml(self, name: str):
        from defusedxml import ElementTree

        key = name.lstrip("/")
        real = self.names.get(key) or next((v for k, v in self.names.items() if k.lower() == key.lower()), None)
        if real is None:
            return None
        info = self.z.getinfo(real)
        if info.file_size > MAX_XML:
            raise ValueError(f"{name}: part too large")
        return ElementTree.fromstring(self.z.read(real))


def _spans(content, origin: str) -> Iterable[tuple[float, float, float, float, str]]:
    """(x0, y0, x1, y1, text) in mm for every TextCode under ``content`` (layers, page blocks)."""
    for el in content.iter():
        if _local(el.tag) != "TextObject":
            continue
        b = _box(el.get("Boundary"))
        if b is None:
            continue
        try:
            size = float(el.get("Size") or 3.5)
        except ValueError:
            size = 3.5
        for code in _children(el, "TextCode"):
            text = (code.text or "").strip("\r\n")
            if not text.strip():
                continue
            try:
                x = b[0] + float(code.get("X") or 0)
                y = b[1] + float(code.get("Y") or size)
            except ValueError:
                continue
            width = sum(_deltas(code.get("DeltaX"), len(text), size)) + size * (0.5 if text[-1].isascii() else 1.0)
            yield (x, y - size * 0.85, x + width, y + size * 0.2, text)


def _rows(spans: list[tuple[float, float, float, float, str]], page_w: float, page_h: float) -> list[Line]:
    """Spans on one row joined left to right (a gap wider than a character keeps a space)."""
    spans.sort(key=lambda s: ((s[1] + s[3]) / 2, s[0]))
    rows: list[list[tuple]] = []
    for s in spans:
        cy = (s[1] + s[3]) / 2
        if rows:
            last = rows[-1]
            ly0, ly1 = min(t[1] for t in last), max(t[3] for t in last)
            if ly0 <= cy <= ly1:
                last.append(s)
                continue
        rows.append([s])
    lines = []
    for row in rows:
        row.sort(key=lambda s: s[0])
        # a row is cut where the gap is wide (two cells), joined with a space where it is narrow
        cells: list[list[tuple]] = [[row[0]]]
        for s in row[1:]:
            prev = cells[-1][-1]
            h = max(prev[3] - prev[1], 1e-6)
            if s[0] - prev[2] > 3 * h:
                cells.append([s])
            else:
                cells[-1].append(s)
        for cell in cells:
            text = ""
            for i, s in enumerate(cell):
                if i and s[0] - cell[i - 1][2] > 0.3 * (s[3] - s[1]):
                    text += " "
                text += s[4]
            x0, y0 = min(s[0] for s in cell), min(s[1] for s in cell)
            x1, y1 = max(s[2] for s in cell), max(s[3] for s in cell)
            lines.append(Line(text, (max(0.0, x0 / page_w), max(0.0, y0 / page_h), min(1.0, x1 / page_w),
                                     min(1.0, y1 / page_h)), 1.0))
    lines.sort(key=lambda l: (round(l.bbox[1] * 200), l.bbox[0]))
    return lines


def _signs(r: _Reader, doc_dir: str, doc_root) -> int:
    """How many electronic seals / signatures the document's ``Signs`` list holds."""
    loc = _find(doc_root, "Signatures")
    path = posixpath.join(doc_dir, loc.text.strip()) if loc is not None and loc.text else posixpath.join(doc_dir, "Signs/Signatures.xml")
    try:
        signs = r.xml(path)
    except Exception:  # noqa: BLE001 - a damaged list is no seal, never a crash
        return 0
    return 0 if signs is None else sum(1 for el in signs.iter() if _local(el.tag) == "Signature")


def extract(path: Path, settings) -> Document:
    from . import archive

    doc = Document(path="", kind="ofd", format="ofd")
    try:
        with zipfile.ZipFile(path) as z:
            problem = archive.bomb_check(z)
            if problem:
                return Document(path="", kind="unreadable", format="ofd", error=problem[0], error_en=problem[1])
            r = _Reader(z)
            root = r.xml("OFD.xml")
            body = _find(root, "DocBody") if root is not None else None
            doc_loc = _find(body, "DocRoot")
            if doc_loc is None or not (doc_loc.text or "").strip():
                return _broken("OFD.xml 中没有文档入口（DocRoot）", "OFD.xml names no document root")
            doc_path = doc_loc.text.strip().lstrip("/")
            doc_dir = posixpath.dirname(doc_path)
            droot = r.xml(doc_path)
            if droot is None:
                return _broken(f"缺少 {doc_path}", f"{doc_path} is missing")
            common = _find(droot, "CommonData")
            default_box = _box(getattr(_find(common, "PageArea", "PhysicalBox"), "text", None)) or (0, 0, 210, 297)
            templates = {t.get("ID"): posixpath.join(doc_dir, t.get("BaseLoc") or "")
                         for t in (_children(common, "TemplatePage") if common is not None else [])}
            pages_el = _find(droot, "Pages")
            page_refs = _children(pages_el, "Page") if pages_el is not None else []
            signs = _signs(r, doc_dir, droot)
            for number, ref in enumerate(page_refs[: settings.max_pages], start=1):
                content = r.xml(posixpath.join(doc_dir, ref.get("BaseLoc") or ""))
                if content is None:
                    doc.pages.append(Page(number=number, width=default_box[2] * MM_TO_PT, height=default_box[3] * MM_TO_PT,
                                          note="页面内容缺失 / page content missing"))
                    continue
                box = _box(getattr(_find(content, "Area", "PhysicalBox"), "text", None)) or default_box
                spans = list(_spans(content, "page"))
                for t in _children(content, "Template"):
                    tpl = templates.get(t.get("TemplateID"))
                    tpl_root = r.xml(tpl) if tpl else None
                    if tpl_root is not None:
                        spans.extend(_spans(tpl_root, "template"))
                lines = _rows(spans, box[2] or 210, box[3] or 297)
                page = Page(number=number, width=box[2] * MM_TO_PT, height=box[3] * MM_TO_PT,
                            text="\n".join(l.text for l in lines), lines=lines, source=SOURCE_TEXT_LAYER,
                            confidence=1.0)
                if signs:
                    page.note = f"OFD 电子签章 {signs} 个 / {signs} electronic seal(s)"
                doc.pages.append(page)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        return _broken(f"OFD 文件已损坏，无法打开（{type(exc).__name__}）", f"the OFD file is damaged ({type(exc).__name__})")
    except Exception as exc:  # noqa: BLE001 - defusedxml's refusals, malformed XML: a finding, never a crash
        return _broken(f"OFD 文件内容无法解析（{type(exc).__name__}）", f"the OFD file cannot be parsed ({type(exc).__name__})")
    if not doc.pages:
        return _broken("OFD 文件没有任何页面", "the OFD file has no pages")
    return doc


def _broken(zh: str, en: str) -> Document:
    return Document(path="", kind="unreadable", format="ofd", error=zh, error_en=en)
