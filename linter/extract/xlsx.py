"""Read an xlsx workbook with openpyxl (read-only, cached formula values)."""
from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any, Optional
from urllib.parse import unquote

from ..model import SOURCE_TEXT_LAYER, Document, Line, Page, Sheet

MAX_ROWS = 100_000  # per sheet
MAX_COLS = 1024  # per sheet (A..AMJ); 申报 tables use tens
MAX_CELLS = 5_000_000  # per sheet, padded to its width (~40 MB of values)
PAGE_ROWS = 500  # rows of a sheet copied into its synthetic Page (for the classifier)


def encrypted(fmt: str = "xlsx") -> Document:
    """Return the ``unreadable`` Document for a password-protected Office file (OLE2 EncryptedPackage)."""
    return Document(path="", kind="unreadable", format=fmt,
                    error="文件已加密（设置了打开密码），无法读取，请取消密码后重新保存",
                    error_en="file is encrypted (password-protected Office file)")


_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
_TARGET = re.compile(rb'Target\s*=\s*"([^"]*)"')
MAX_PARTS = 10_000  # zip members of one workbook (real ones have tens)
PROLOG_BYTES = 4096  # a DOCTYPE must come before the root element: the first 4 KB tell


def _unreadable(zh: str, en: str) -> Document:
    return Document(path="", kind="unreadable", format="xlsx", error=zh, error_en=en)


def precheck(path: Path) -> tuple[Optional[Document], list[str]]:
    """Look at the package before openpyxl does: return ``(unreadable Document or None, external
    link targets)``. Refuses zip bombs (sizes from the central directory, see
    :func:`shenbao.extract.archive.bomb_check`) and XML parts that declare a DOCTYPE or entities
    (billion laughs, external entities: never legitimate in OOXML)."""
    from .archive import bomb_check

    try:
        with zipfile.ZipFile(path) as z:
            if len(z.infolist()) > MAX_PARTS:
                return _unreadable(f"Excel 文件内部部件过多（{len(z.infolist())} 个），疑似异常文件，未读取",
                                   f"xlsx holds {len(z.infolist())} parts (over {MAX_PARTS}; malformed), not read"), []
            bomb = bomb_check(z)
            if bomb:
                return _unreadable(f"Excel 文件{bomb[0]}", f"xlsx: {bomb[1]}"), []
            links = []
            for info in z.infolist():
                low = info.filename.lower()
                if not low.endswith((".xml", ".rels", ".vml")):
                    continue
                with z.open(info) as f:
                    head = f.read(PROLOG_BYTES)
                if _DOCTYPE.search(head):
                    return _unreadable("Excel 文件的 XML 中含有 DOCTYPE/实体定义（XML 实体扩展，疑似恶意构造的文件），未读取",
                                       f"xlsx part {info.filename} declares a DOCTYPE / XML entity (entity expansion; "
                                       f"possibly malicious), not read"), []
                if low.startswith("xl/externallinks/_rels/"):
                    with z.open(info) as f:
                        rels = f.read(1 << 16)
                    links += [unquote(t.decode("utf-8", "replace")) for t in _TARGET.findall(rels)]
            if not links and any(n.lower().startswith("xl/externallinks/externallink") for n in z.namelist()):
                links = ["?"]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as e:
        return _unreadable(f"Excel 文件已损坏，无法打开（{type(e).__name__}: {e}）",
                           f"xlsx is damaged and cannot be opened: {type(e).__name__}: {e}"), []
    except Exception as e:  # zlib.error and friends from a damaged member
        return _unreadable(f"Excel 文件已损坏，无法打开（{type(e).__name__}: {e}）",
                           f"xlsx is damaged and cannot be opened: {type(e).__name__}: {e}"), []
    return None, sorted(set(links))


def _xml_attack(e: Exception) -> bool:
    """Return True for defusedxml's refusals (entities, DTDs, external references)."""
    return type(e).__module__.startswith("defusedxml")


def extract(path: Path, settings) -> Document:
    """Return the Document for an xlsx: one Sheet per worksheet, plus one synthetic Page per sheet.

    Formula cells hold the value cached by the program that last saved the file (``None`` if it
    never computed them). A broken package, a zip bomb or XML with entity declarations gives
    ``kind="unreadable"``. External links are never followed (``keep_links=False``); their
    presence is noted in ``error``/``error_en`` while ``kind`` stays ``"xlsx"``.
    """
    import openpyxl

    bad, links = precheck(path)
    if bad is not None:
        return bad
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions/styles
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False, keep_vba=False)
    except Exception as e:
        if _xml_attack(e):
            return _unreadable("Excel 文件的 XML 中含有实体定义或外部引用（疑似恶意构造的文件），未读取",
                               f"xlsx XML declares entities or external references (possibly malicious): {type(e).__name__}")
        return _unreadable(f"Excel 文件已损坏，无法打开（{type(e).__name__}: {e}）",
                           f"xlsx is damaged and cannot be opened: {type(e).__name__}: {e}")
    doc = Document(path="", kind="xlsx", format="xlsx")
    capped = []
    try:
        for ws in wb.worksheets:
            rows, cut = read_rows(ws)
            if cut:
                capped.append(ws.title)
            doc.sheets.append(Sheet(name=ws.title, rows=rows))
    except Exception as e:  # read-only sheets are parsed lazily: damage shows here
        if _xml_attack(e):
            return _unreadable("Excel 文件的 XML 中含有实体定义或外部引用（疑似恶意构造的文件），未读取",
                               f"xlsx XML declares entities or external references (possibly malicious): {type(e).__name__}")
        return _unreadable(f"Excel 文件已损坏，工作表无法读取（{type(e).__name__}: {e}）",
                           f"xlsx is damaged, a sheet cannot be read: {type(e).__name__}: {e}")
    finally:
        wb.close()
    for i, sh in enumerate(doc.sheets, 1):
        doc.pages.append(sheet_page(sh, i))
    notes_zh, notes_en = [], []
    if capped:
        notes_zh.append(f"工作表过大（超过 {MAX_ROWS} 行、{MAX_COLS} 列或 {MAX_CELLS} 个单元格），只读取了一部分：{'、'.join(capped)}")
        notes_en.append(f"sheets over {MAX_ROWS} rows, {MAX_COLS} columns or {MAX_CELLS} cells were cut: {', '.join(capped)}")
    if links:
        shown = "、".join(links[:3]) + ("等" if len(links) > 3 else "")
        notes_zh.append(f"工作簿含有外部链接（引用其他文件的数据：{shown}），链接不会被打开，读取的是上次保存时的值；"
                        f"请将链接数据粘贴为数值后重新保存")
        notes_en.append(f"the workbook has external links (data from other files: {', '.join(links[:3])}); links are "
                        f"never followed, the values saved last are read; paste them as values and save again")
    if notes_zh:
        doc.error, doc.error_en = "；".join(notes_zh), "; ".join(notes_en)
    return doc


def read_rows(ws) -> tuple[list[list[Any]], bool]:
    """Return ``(rows, cut)``: cell values row-major, trailing empty rows/columns removed, and
    whether the sheet was cut (over ``MAX_ROWS`` rows, ``MAX_COLS`` columns or ``MAX_CELLS``
    cells once padded: a crafted sheet with a cell at XFD1048576 must not take gigabytes).
    Rows are padded to one common width."""
    ws.reset_dimensions()  # do not trust the stored <dimension> (often wrong or A1:XFD1048576)
    rows: list[list[Any]] = []
    cut = False
    cells = 0
    for r in ws.iter_rows(values_only=True):  # rows as long as their last cell (gaps are None)
        if len(rows) >= MAX_ROWS or cells > MAX_CELLS:
            cut = True
            break
        cells += len(r)
        row = [cell_value(v) for v in r[:MAX_COLS]]
        if len(r) > MAX_COLS:
            cut = True
        while row and row[-1] is None:
            row.pop()
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    width = max((len(r) for r in rows), default=0)
    if width and len(rows) * width > MAX_CELLS:
        rows, cut = rows[: max(1, MAX_CELLS // width)], True
    return [r + [None] * (width - len(r)) for r in rows], cut


def cell_value(v: Any) -> Any:
    """Return a JSON-friendly cell value: dates as ISO strings, numbers and text unchanged."""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d") if v.time() == dt.time(0) else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.time):
        return v.strftime("%H:%M:%S")
    if isinstance(v, dt.timedelta):
        return str(v)
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return None
    return v


def _fmt(v: Any) -> str:
    """Return a cell as text for the synthetic page (integral floats without ``.0``)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


def sheet_page(sh: Sheet, number: int) -> Page:
    """Return a synthetic Page for a sheet: the first ``PAGE_ROWS`` non-empty rows as tab-separated
    lines. Boxes are nominal (one horizontal band per row), ``source`` is ``text-layer``."""
    texts = []
    for r in sh.rows[:PAGE_ROWS]:
        t = "\t".join(_fmt(v) for v in r).rstrip("\t")
        if t.strip():
            texts.append(t)
    n = max(len(texts), 1)
    lines = [Line(t, (0.0, round(k / n, 5), 1.0, round((k + 1) / n, 5)), 1.0) for k, t in enumerate(texts)]
    return Page(number=number, width=0.0, height=0.0, text="\n".join(texts), lines=lines,
                source=SOURCE_TEXT_LAYER, note=f"工作表 / sheet: {sh.name}")
