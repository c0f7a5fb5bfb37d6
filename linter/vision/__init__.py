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

import numpy as np

from ..model import Page

A4_SHORT_MM = 210.0
A4_LONG_MM = 297.0


def px_per_mm(rgb: np.ndarray) -> float:
    """Return the image's pixels per millimetre when it is fitted to an A4 sheet (either orientation)."""
    h, w = rgb.shape[:2]
    return max(min(h, w) / A4_SHORT_MM, max(h, w) / A4_LONG_MM)


def analyse_page(rgb: np.ndarray, page: Page, *, read_seal_text: bool = True) -> None:
    """Fill ``page.seals``, ``page.codes`` and ``page.signatures`` from the page image ``rgb``.

    ``rgb`` is an ``H x W x 3`` uint8 array of the whole page. Never raises: a failing detector
    leaves its list empty and says so in ``page.note``.
    """
    from . import edge_strips, qr, seal_text, seals, signatures

    notes = []
    try:
        page.seals = [x for x in seals.detect_seals(rgb) if not _office_box(x, rgb)]
        whole = [x.bbox for x in page.seals if x.edge is None]
        page.seals += [x for x in edge_strips.find_strips(rgb, [s for s in page.seals if s.edge])
                       if not any(_overlaps(x.bbox, b) for b in whole)]
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
