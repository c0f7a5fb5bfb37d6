"""Visual evidence on a page image: seals (and 骑缝章 fragments), signature fields, QR codes.

Runs inside extraction (so results are cached with the Document and checks stay pure):
:func:`analyse_page` is called with the rendered page (RGB, the whole page, any resolution) after
the page's lines (text layer or OCR) are known, and fills ``page.seals``, ``page.signatures`` and
``page.codes``. Every box is a fraction of the page, origin top left, in the same frame as
``page.lines``.

Sizes are judged against the page, not against pixels: ``px_per_mm`` assumes the image is printed
to fit an A4 sheet (210 x 297 mm, either way round), which holds for scans, rendered PDF pages, phone
photos of a page that fills the frame, and wide screenshots (a 16:9 screen fills an A4 landscape
sheet's width, not its height).
"""
from __future__ import annotations

import re

import numpy as np

from ..model import Page

A4_SHORT_MM = 210.0
A4_LONG_MM = 297.0


def px_per_mm(rgb) -> float:
    """Return the image's pixels per millimetre when it is fitted to an A4 sheet (either orientation).
    ``rgb`` is the image, or its shape."""
    h, w = (rgb.shape if hasattr(rgb, "shape") else rgb)[:2]
    return max(min(h, w) / A4_SHORT_MM, max(h, w) / A4_LONG_MM)


def share_inside(a, b) -> float:
    """Share of box ``a`` (x0, y0, x1, y1) that lies inside box ``b``."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    area = (a[2] - a[0]) * (a[3] - a[1])
    return ix * iy / area if area > 0 else 0.0


def analyse_page(rgb: np.ndarray, page: Page, *, read_seal_text: bool = True) -> None:
    """Fill ``page.seals``, ``page.codes`` and ``page.signatures`` from the page image ``rgb``.

    ``rgb`` is an ``H x W x 3`` uint8 array of the whole page. Never raises: a failing detector
    leaves its list empty and says so in ``page.note``.
    """
    from . import qr, seal_text, signatures

    notes = []
    try:
        page.seals = find_seals(rgb)
        label_seals(page, rgb.shape)
        if read_seal_text:
            for s in page.seals:
                if s.edge is None:
                    s.text, s.text_confidence = seal_text.read_seal(rgb, s)
                    s.issuer = seal_text.classify_issuer(s.text)
    except Exception as e:  # a detector bug must not lose the page
        notes.append(f"印章检测失败 / seal detection failed: {type(e).__name__}: {e}")
    try:
        page.codes, page.unread_codes = qr.read_page_codes(rgb)
    except Exception as e:
        notes.append(f"二维码识别失败 / QR decoding failed: {type(e).__name__}: {e}")
    try:
        page.signatures = signatures.find_signature_fields(rgb, page.lines, page.seals, rotation=page.rotation)
    except Exception as e:
        notes.append(f"签字检测失败 / signature detection failed: {type(e).__name__}: {e}")
    page.visual = not notes
    if notes:
        page.note = "；".join(([page.note] if page.note else []) + notes)


STAMP_LABEL = re.compile(r"盖\s*章|公\s*章|签\s*章|印\s*章")
NEAR_MM = 30.0  # a seal this close to a 盖章 label is the one the label asks for


def label_seals(page: Page, shape) -> None:
    """Set each whole seal's ``label``: the 盖章 / 公章 / 签章 line it overlaps or sits next to (its
    box within 30 mm of the label's), so a report can say the seal is where the form asks for it."""
    labels = [l for l in page.lines if STAMP_LABEL.search(l.text)]
    if not labels:
        return
    h, w = shape[:2]
    ppm = px_per_mm(shape)
    mx, my = NEAR_MM * ppm / w, NEAR_MM * ppm / h  # 30 mm as page fractions
    for s in page.seals:
        if s.edge is not None:
            continue
        near = []
        for l in labels:
            x0, y0, x1, y1 = l.bbox
            dx = max(0.0, x0 - s.bbox[2], s.bbox[0] - x1) / mx
            dy = max(0.0, y0 - s.bbox[3], s.bbox[1] - y1) / my
            if dx <= 1.0 and dy <= 1.0:
                near.append((dx * dx + dy * dy, l.text.strip()))
        if near:
            s.label = min(near)[1][:60]


def find_seals(rgb: np.ndarray) -> list:
    """The page's seals without their text: whole stamps (less long office boxes), 骑缝章 caps and
    strips at the image's edges, or, in a phone photo, at the sheet's edges."""
    from . import edge_strips, seals

    found = [x for x in seals.detect_seals(rgb) if not _office_box(x, rgb)]
    whole = [x.bbox for x in found if x.edge is None]
    found += [x for x in edge_strips.find_strips(rgb, [s for s in found if s.edge])
              if not any(_overlaps(x.bbox, b) for b in whole)]
    if not any(s.edge for s in found):
        found += [x for x in _sheet_edge_seals(rgb) if not any(_overlaps(x.bbox, b) for b in whole)]
    return found


def _sheet_edge_seals(rgb: np.ndarray) -> list:
    """骑缝章 pieces at the edge of the sheet in a phone photo (where the paper's edge is not the
    image's): the sheet is flattened, its edges searched, the boxes mapped back to the photo."""
    from . import edge_strips, paper, seals

    corners = paper.find_sheet(rgb)
    if corners is None:
        return []
    flat, back = paper.flatten(rgb, paper.shrink(corners, 0.004))
    found = [s for s in seals.detect_seals(flat) if s.edge]
    found += edge_strips.find_strips(flat, found)
    for s in found:
        s.bbox = paper.box_to_photo(s.bbox, flat.shape, back, rgb.shape)
    return found


def _overlaps(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


RECT_MAX_ASPECT = 1.55  # square name/CPA seals are ~1:1; a 已受理 / date box is ~2:1


def _office_box(seal, rgb) -> bool:
    """A long rectangular stamp (已受理, 收文, a date box): an office's mark, not a seal a check wants."""
    if seal.shape != "rect" or seal.edge is not None:
        return False
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = seal.bbox
    bw, bh = (x1 - x0) * w, (y1 - y0) * h
    return bh > 0 and bw > 0 and max(bw / bh, bh / bw) > RECT_MAX_ASPECT
