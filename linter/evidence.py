"""Evidence crops: a PNG of the region each finding points at (``shenbao check --evidence DIR``).

The crop is taken from the finding's page: its ``bbox`` with a margin (a seal, a signature field, a
QR region, the page edge of a 骑缝章), or the whole page, small, when the finding names a page but no
region. Crops are written to DIR only (never into the package), named so a person can tell them
apart — ``<file-stem>_p<page>_<rule>_<short-fingerprint>.png`` (:func:`crop_name`) — and the same
finding gets the same name on every run, so a second run overwrites the same files; the report
points to them as ``evidence_image``.

The pieces (:func:`page_image`, :func:`crop_region`) are also what the HTML report uses to embed a
page thumbnail and the crop in memory (:mod:`shenbao.reporters.html`).
"""
from __future__ import annotations

import contextlib
import re
import unicodedata
from pathlib import Path, PurePosixPath
from typing import Iterator, Optional, Union

import numpy as np
from PIL import Image, ImageDraw, ImageOps

CROP_DPI = 110  # enough to see a seal's text or a signature; a crop stays ~50-200 KB
PAGE_DPI = 50  # a whole-page view when the finding has no region
MARGIN = 0.03  # page fraction added around the finding's box
MAX_PIXELS = 80_000_000
BOX_COLOUR = (255, 140, 0)
STEM_CHARS = 40  # characters of the file's stem kept in a crop's name


class EvidenceError(Exception):
    """The evidence folder cannot be used (inside the package, or not writable)."""


def check_folder(out_dir: Path, package: Path) -> Path:
    """Return ``out_dir`` resolved and created; refuse a folder inside the package (read-only rule)."""
    out = out_dir.expanduser().resolve()
    root = package.resolve()
    root = root if root.is_dir() else root.parent
    if out == root or root in out.parents:
        raise EvidenceError(f"证据目录不能位于申报材料文件夹内（本工具不向申报材料写入任何内容）：{out} / "
                            f"the evidence folder must be outside the package (nothing is written into it)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EvidenceError(f"无法创建证据目录 / cannot create the evidence folder {out}: {exc.strerror}") from exc
    return out


def crop_name(finding: dict, page: int) -> str:
    """``<file-stem>_p<page>_<rule>_<short-fingerprint>.png``: a name a person can read, the same on
    every run (it depends on the finding only), unique among a run's findings (the fingerprint's
    first 8 hex digits tell apart two findings of one rule on one page).

    The stem keeps letters and digits of any script (``营业执照 (1).pdf`` -> ``营业执照_1``); characters
    file systems or shells trip on become ``_``; it is cut to 40 characters.
    """
    stem = PurePosixPath(str(finding.get("path") or "").replace("\\", "/")).stem
    stem = unicodedata.normalize("NFC", stem)
    stem = re.sub(r"[^\w.-]+", "_", stem, flags=re.UNICODE).strip("._-")[:STEM_CHARS].strip("._-") or "file"
    rule = re.sub(r"[^a-z0-9-]+", "-", str(finding.get("rule") or "finding").lower()).strip("-") or "finding"
    fp = re.sub(r"[^0-9a-f]", "", str(finding.get("fingerprint") or "").lower())[:8] or "0" * 8
    return f"{stem}_p{int(page)}_{rule}_{fp}.png"


def finding_page(finding: dict, kind: Optional[str]) -> Optional[int]:
    """The page a finding's image comes from: its page, or 1 for a single image; None for none."""
    if kind not in ("pdf", "image") or not finding.get("path"):
        return None
    page = finding.get("page") or (1 if kind == "image" else None)
    return int(page) if page else None


def write_crops(findings: list[dict], sources: dict, kinds: dict[str, str], out_dir: Path) -> int:
    """Write one crop per finding that names a file and a page; set ``evidence_image`` on each.

    ``sources`` maps a report path to the file on disk (or a zip member), ``kinds`` to the document
    kind (pdf|image). A crop that cannot be made leaves ``evidence_image`` None. Returns the number
    written.
    """
    written = 0
    names: dict[str, str] = {}  # name -> fingerprint: two findings never share a file unless identical
    for f in findings:
        f["evidence_image"] = None
        path = f.get("path")
        page = finding_page(f, kinds.get(path or ""))
        if page is None or path not in sources:
            continue
        try:
            img = _crop(sources[path], kinds[path], page, f.get("bbox"))
        except Exception:  # noqa: BLE001 - a crop is a convenience; the finding stands without it
            continue
        if img is None:
            continue
        name = crop_name(f, page)
        if names.get(name, f.get("fingerprint")) != f.get("fingerprint"):  # 8 hex digits collided
            name = name[:-4] + "_" + str(f.get("fingerprint"))[8:16] + ".png"
        names[name] = f.get("fingerprint")
        target = out_dir / name
        try:
            img.save(target, optimize=True)
        except OSError:
            continue
        f["evidence_image"] = str(target)
        written += 1
    return written


def _crop(path, kind: str, page: int, bbox) -> Optional[Image.Image]:
    img = page_image(path, kind, page, CROP_DPI if bbox else PAGE_DPI)
    if img is None or not bbox:
        return img
    return crop_region(img, bbox)


def page_image(source, kind: str, page: int, dpi: int) -> Optional[Image.Image]:
    """Page ``page`` (1-based) of a PDF or image file (a path, or a zip member of the package) as
    RGB at about ``dpi``; None when there is no such page or the kind is not drawn (OFD, sheets).
    Read-only; raises on a file that cannot be read (callers treat that as "no image")."""
    if kind not in ("pdf", "image"):
        return None  # an OFD or a sheet is not rendered: the finding names page and text instead
    with _on_disk(source) as path:
        return _render_pdf(path, page, dpi) if kind == "pdf" else _open_image(path, page, dpi)


def crop_region(img: Image.Image, bbox, outline: bool = True) -> Image.Image:
    """The part of ``img`` inside ``bbox`` (fractions of the page, origin top left) plus a margin,
    with the box itself outlined so the eye goes to it."""
    w, h = img.size
    x0, y0, x1, y1 = (max(0.0, bbox[0] - MARGIN), max(0.0, bbox[1] - MARGIN),
                      min(1.0, bbox[2] + MARGIN), min(1.0, bbox[3] + MARGIN))
    box = (int(x0 * w), int(y0 * h), max(int(x0 * w) + 1, int(np.ceil(x1 * w))), max(int(y0 * h) + 1, int(np.ceil(y1 * h))))
    crop = img.crop(box).convert("RGB")
    if outline:
        d = ImageDraw.Draw(crop)
        bx0, by0 = int(bbox[0] * w) - box[0], int(bbox[1] * h) - box[1]
        bx1, by1 = int(bbox[2] * w) - box[0], int(bbox[3] * h) - box[1]
        d.rectangle([bx0, by0, max(bx0 + 1, bx1), max(by0 + 1, by1)], outline=BOX_COLOUR, width=2)
    return crop


@contextlib.contextmanager
def _on_disk(source) -> Iterator[Union[str, Path]]:
    """A path to read ``source`` from: the file itself, or a zip member copied to a private
    temporary folder (removed on exit) — the package is never written."""
    from .extract.archive import Member, materialised

    if isinstance(source, Member):
        with materialised(source) as tmp:
            yield tmp
    else:
        yield source


def _render_pdf(path: Path, page: int, dpi: int) -> Optional[Image.Image]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        if not 1 <= page <= len(pdf):
            return None
        pg = pdf[page - 1]
        try:
            w, h = pg.get_size()
            scale = min(dpi / 72.0, (MAX_PIXELS / max(w * h, 1.0)) ** 0.5)
            bm = pg.render(scale=scale, rev_byteorder=True)
            try:
                return Image.fromarray(np.array(bm.to_numpy()[..., :3]))
            finally:
                bm.close()
        finally:
            pg.close()
    finally:
        pdf.close()


def _open_image(path: Path, page: int, dpi: int) -> Optional[Image.Image]:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with Image.open(path) as im:
        if page > getattr(im, "n_frames", 1):
            return None
        im.seek(page - 1)
        frame = ImageOps.exif_transpose(im) if page == 1 else im.copy()
        frame = frame.convert("RGB")
    # photos have no dpi worth trusting: keep the long side near an A4 page at ``dpi``
    long_side = int(11.7 * dpi)
    if max(frame.size) > long_side:
        frame.thumbnail((long_side, long_side))
    return frame
