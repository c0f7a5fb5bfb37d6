"""Evidence crops: a PNG of the region each finding points at (``shenbao check --evidence DIR``).

The crop is taken from the finding's page: its ``bbox`` with a margin (a seal, a signature field, a
QR region, the page edge of a 骑缝章), or the whole page, small, when the finding names a page but no
region. Crops are written to DIR only (never into the package), named by the finding's fingerprint,
so a second run overwrites the same files; the report points to them as ``evidence_image``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
from PIL import Image, ImageDraw, ImageOps

CROP_DPI = 110  # enough to see a seal's text or a signature; a crop stays ~50-200 KB
PAGE_DPI = 50  # a whole-page view when the finding has no region
MARGIN = 0.03  # page fraction added around the finding's box
MAX_PIXELS = 80_000_000


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


def write_crops(findings: list[dict], sources: dict[str, Path], kinds: dict[str, str], out_dir: Path) -> int:
    """Write one crop per finding that names a file and a page; set ``evidence_image`` on each.

    ``sources`` maps a report path to the file on disk, ``kinds`` to the document kind (pdf|image).
    A crop that cannot be made leaves ``evidence_image`` None. Returns the number written.
    """
    written = 0
    for f in findings:
        f["evidence_image"] = None
        path, kind = f.get("path"), kinds.get(f.get("path") or "")
        if not path or kind not in ("pdf", "image") or path not in sources:
            continue
        page = f.get("page") or (1 if kind == "image" else None)
        if page is None:
            continue
        try:
            img = _crop(sources[path], kind, page, f.get("bbox"))
        except Exception:  # noqa: BLE001 - a crop is a convenience; the finding stands without it
            continue
        if img is None:
            continue
        target = out_dir / f"{f['fingerprint']}.png"
        img.save(target, optimize=True)
        f["evidence_image"] = str(target)
        written += 1
    return written


def _crop(path: Path, kind: str, page: int, bbox) -> Optional[Image.Image]:
    dpi = CROP_DPI if bbox else PAGE_DPI
    if kind not in ("pdf", "image"):
        return None  # an OFD or a sheet is not rendered: the finding names page and text instead
    img = _render_pdf(path, page, dpi) if kind == "pdf" else _open_image(path, page, dpi)
    if img is None:
        return None
    if not bbox:
        return img
    w, h = img.size
    x0, y0, x1, y1 = (max(0.0, bbox[0] - MARGIN), max(0.0, bbox[1] - MARGIN),
                      min(1.0, bbox[2] + MARGIN), min(1.0, bbox[3] + MARGIN))
    box = (int(x0 * w), int(y0 * h), max(int(x0 * w) + 1, int(np.ceil(x1 * w))), max(int(y0 * h) + 1, int(np.ceil(y1 * h))))
    crop = img.crop(box).convert("RGB")
    # outline the finding's own box inside the margin, so the eye goes to it
    d = ImageDraw.Draw(crop)
    bx0, by0 = int(bbox[0] * w) - box[0], int(bbox[1] * h) - box[1]
    bx1, by1 = int(bbox[2] * w) - box[0], int(bbox[3] * h) - box[1]
    d.rectangle([bx0, by0, max(bx0 + 1, bx1), max(by0 + 1, by1)], outline=(255, 140, 0), width=2)
    return crop


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
