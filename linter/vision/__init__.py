"""Visual evidence on a page image: seals (and 骑缝章 fragments), signature fields, QR codes.

Runs inside extraction (so results are cached with the Document and checks stay pure):
:func:`analyse_page` is called with the rendered page (RGB, the whole page, any resolution) after
the page's lines (text layer or OCR) are known, and fills ``page.seals``, ``page.signatures`` and
``page.codes``. Every box is a fraction of the page, origin top left, in the same frame as
``page.lines``.

Sizes are judged against the page, not against pixels. A PDF page says how large it is (an
e-invoice is 241 x 140 mm, not A4): :func:`analyse_page` is given that size and ``px_per_mm`` uses
it. An image does not say: ``px_per_mm`` then assumes it is printed to fit an A4 sheet (210 x 297
mm, either way round), which holds for scans, phone photos of a page that fills the frame, and wide
screenshots (a 16:9 screen fills an A4 landscape sheet's width, not its height).
"""
from __future__ import annotations

import contextlib
import contextvars

import re
from typing import Optional

import numpy as np

from ..model import SOURCE_OCR, Page

A4_SHORT_MM = 210.0
A4_LONG_MM = 297.0


# the size in mm (width, height) of the page being analysed, when it is known (a PDF page)
_PAGE_MM: contextvars.ContextVar[Optional[tuple[float, float]]] = contextvars.ContextVar("page_mm", default=None)


def px_per_mm(rgb) -> float:
    """Return the image's pixels per millimetre: from the page's own size while a page of known size
    is analysed and ``rgb`` has its shape (or a scaled copy's), else as if the image were fitted
    to an A4 sheet (either orientation). ``rgb`` is the image, or its shape."""
    h, w = (rgb.shape if hasattr(rgb, "shape") else rgb)[:2]
    size = _PAGE_MM.get()
    if size and h > 0 and w > 0:
        mw, mh = size
        for a, b in ((mw, mh), (mh, mw)):  # as rendered, or turned a quarter
            if a > 0 and b > 0 and abs((w / h) / (a / b) - 1.0) <= 0.03:
                return w / a
    return max(min(h, w) / A4_SHORT_MM, max(h, w) / A4_LONG_MM)


def share_inside(a, b) -> float:
    """Share of box ``a`` (x0, y0, x1, y1) that lies inside box ``b``."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    area = (a[2] - a[0]) * (a[3] - a[1])
    return ix * iy / area if area > 0 else 0.0


def analyse_page(rgb: np.ndarray, page: Page, *, read_seal_text: bool = True,
                 page_mm: Optional[tuple[float, float]] = None) -> None:
    """Fill ``page.seals``, ``page.codes`` and ``page.signatures`` from the page image ``rgb``.

    ``rgb`` is an ``H x W x 3`` uint8 array of the whole page; ``page_mm`` its size (width, height)
    in mm when known (a PDF page), so seals and strips are measured in real millimetres. Never
    raises: a failing detector leaves its list empty and says so in ``page.note``.
    """
    with measured_as(page_mm):
        _analyse_page(rgb, page, read_seal_text)


@contextlib.contextmanager
def measured_as(page_mm: Optional[tuple[float, float]]):
    """Within the block, :func:`px_per_mm` measures images of the page's shape by ``page_mm``
    (width, height in mm; ``None``: unknown, A4 assumed)."""
    token = _PAGE_MM.set(page_mm)
    try:
        yield
    finally:
        _PAGE_MM.reset(token)


def _analyse_page(rgb: np.ndarray, page: Page, read_seal_text: bool) -> None:
    from . import qr, seal_text, signatures

    notes = []
    try:  # codes first: a code's box vetoes a seal candidate on it (a blue QR code is no blue seal)
        page.codes, page.unread_codes = qr.read_page_codes(rgb)
    except Exception as e:
        notes.append(f"二维码识别失败 / QR decoding failed: {type(e).__name__}: {e}")
    try:
        # a picture of a stamp alone carries at most the stamp's own few characters; a receipt whose
        # blue rules span the frame around one red seal is a document (its text says so)
        if sum(len(l.text) for l in page.lines) <= STANDALONE_MAX_CHARS:
            canvas, back = standalone_stamp(rgb)
        else:
            canvas, back = rgb, None
        page.seals = find_seals(canvas, page.lines if back is None else (),
                                [c.bbox for c in page.codes] + list(page.unread_codes) if back is None else ())
        if back is None:
            label_seals(page, rgb.shape)
        if read_seal_text:
            for s in page.seals:
                if s.edge is None:
                    s.text, s.text_confidence = seal_text.read_seal(canvas, s)
                    s.issuer = seal_text.classify_issuer(s.text)
        if back is not None:
            for s in page.seals:
                s.bbox = back(s.bbox)
    except Exception as e:  # a detector bug must not lose the page
        notes.append(f"印章检测失败 / seal detection failed: {type(e).__name__}: {e}")
    try:
        page.signatures = signatures.find_signature_fields(rgb, page.lines, page.seals, rotation=page.rotation,
                                                           ocr=page.source == SOURCE_OCR)
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


def find_seals(rgb: np.ndarray, lines=(), codes=()) -> list:
    """The page's seals without their text: whole stamps (less long office boxes), 骑缝章 caps and
    strips at the image's edges, or, in a phone photo, at the sheet's edges.

    ``lines`` (the page's text lines) let a 2:1 stamp next to a 注册会计师 / 签章 label through as a
    CPA's seal; ``codes`` (boxes of the page's QR codes, read or only located) veto the candidates
    that are the code itself."""
    from . import edge_strips, seals

    found = [x for x in seals.detect_seals(rgb) if not _office_box(x, rgb, lines) and not _solid_emblem(x, rgb)]
    found = [x for x in found if not any(_is_code(x.bbox, c) for c in codes)]
    whole = [x.bbox for x in found if x.edge is None]
    found += [x for x in edge_strips.find_strips(rgb, [s for s in found if s.edge])
              if not any(_overlaps(x.bbox, b) for b in whole)]
    if not any(s.edge for s in found):
        found += [x for x in _sheet_edge_seals(rgb) if not any(_overlaps(x.bbox, b) for b in whole)]
    return found


EMBLEM_CORE_FILL = 0.45  # red share of a round mark's inner 60 %: seals 0.03-0.33 on the real dev set, logos 0.59+


def _solid_emblem(seal, rgb) -> bool:
    """A round red mark filled solid in its middle: a bank's logo, a 国徽, a badge. A seal's middle is a
    star and thin characters on paper, however heavily it was inked."""
    if seal.edge is not None or seal.shape not in ("round", "oval") or seal.colour != "red" or rgb.ndim != 3:
        return False
    import cv2

    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = (int(seal.bbox[0] * w), int(seal.bbox[1] * h), int(seal.bbox[2] * w), int(seal.bbox[3] * h))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return False
    hsv = cv2.cvtColor(np.ascontiguousarray(rgb[y0:y1, x0:x1, :3]), cv2.COLOR_RGB2HSV)
    hue, sat, val = hsv[..., 0].astype(int), hsv[..., 1].astype(int), hsv[..., 2].astype(int)
    red = ((hue < 12) | (hue > 165)) & (sat > 70) & (val > 60)
    yy, xx = np.mgrid[0:red.shape[0], 0:red.shape[1]]
    cy, cx = red.shape[0] / 2, red.shape[1] / 2
    core = ((yy - cy) / cy) ** 2 + ((xx - cx) / cx) ** 2 <= 0.36
    return bool(core.any() and red[core].mean() > EMBLEM_CORE_FILL)


def _is_code(seal_box, code_box) -> bool:
    """Whether a seal candidate is the QR code at ``code_box``: (nearly) the same box, or lying
    within it. A seal stamped over a code is larger than the code and keeps its own box."""
    x0, y0, x1, y1 = code_box
    m = 0.15 * max(x1 - x0, y1 - y0)  # the quiet zone and a finder's blur around the located box
    grown = (x0 - m, y0 - m, x1 + m, y1 + m)
    if share_inside(seal_box, grown) < 0.85:
        return False
    sa = (seal_box[2] - seal_box[0]) * (seal_box[3] - seal_box[1])
    ca = (x1 - x0) * (y1 - y0)
    return sa <= 2.0 * ca


STANDALONE_SPAN = 0.5  # coloured ink across half the frame both ways: the picture is of the stamp alone
STANDALONE_MM = 42.0  # the size such a stamp is taken to have
STANDALONE_MAX_PPM = 8.0  # px per mm of the canvas at most (~200 dpi)
STANDALONE_DARK = 0.2  # black ink at most this share of the coloured: a cut-out stamp has next to none
STANDALONE_SEAL_INK = 0.8  # share of the coloured ink that is seal red or blue
STANDALONE_MAX_CHARS = 60  # OCR text of a stamp alone: its name, a number; a document has more


def standalone_stamp(rgb: np.ndarray):
    """``(canvas, back)`` for a picture of a stamp alone (a seal cut out and saved, pasted into a
    document with a transparent background): its coloured ink spans most of the frame, so sizes
    judged against an A4 sheet would make each of its characters a seal. The picture is put on a
    white A4-proportioned canvas where its ink is :data:`STANDALONE_MM` across, and ``back`` maps a
    box on the canvas to the picture's frame. Any other image: ``(rgb, None)``."""
    h, w = rgb.shape[:2]
    if rgb.ndim != 3 or min(h, w) < 40 or max(h, w) > 3 * min(h, w):
        return rgb, None
    step = max(1, min(h, w) // 200)
    px = rgb[::step, ::step].astype(np.int16)
    chroma = px.max(axis=2) - px.min(axis=2)
    colour = chroma >= 60
    ys, xs = np.nonzero(colour)
    if ys.size < 50:
        return rgb, None
    y0, y1 = np.percentile(ys, (1, 99)) * step
    x0, x1 = np.percentile(xs, (1, 99)) * step
    if (x1 - x0) < STANDALONE_SPAN * w or (y1 - y0) < STANDALONE_SPAN * h:
        return rgb, None
    # one stamp: the coloured ink is one cluster (two seals far apart on a bare page are a page)
    import cv2

    k = max(3, int(0.06 * min(colour.shape)) | 1)
    near = cv2.dilate(colour.view(np.uint8), np.ones((k, k), np.uint8))
    n, lab, st, _ = cv2.connectedComponentsWithStats(near, connectivity=8)
    if n > 2:  # the ink outside the largest cluster's box (a star inside a ring is within it)
        big = 1 + int(np.argmax(st[1:, cv2.CC_STAT_AREA]))
        bx, by, bw, bh = st[big, :4]
        outside = colour.copy()
        outside[by:by + bh, bx:bx + bw] = False
        if int(outside.sum()) > 0.1 * ys.size:
            return rgb, None
    # a coloured ground all round (a desk under a photographed sheet, a tinted background)
    b = max(1, int(0.05 * min(colour.shape)))
    band = np.concatenate([colour[:b].ravel(), colour[-b:].ravel(), colour[:, :b].ravel(), colour[:, -b:].ravel()])
    if band.mean() > 0.75:
        return rgb, None
    # a stamp is thin ink (ring, text: under half its box) and little else; a certificate's coloured
    # border frames black text, a tinted page or a red banner is solid colour
    box_px = max(1.0, (x1 - x0) * (y1 - y0) / (step * step))
    dark = int(((px.max(axis=2) < 110) & (chroma < 40)).sum())
    if ys.size > 0.45 * box_px or dark > STANDALONE_DARK * ys.size:
        return rgb, None
    # and a stamp's ink is seal red or blue: a 营业执照's gold frame around two seals is a document
    r, g, b = px[..., 0][colour], px[..., 1][colour], px[..., 2][colour]
    seal_ink = ((r > g + 40) & (r > b + 20) & (g < 0.75 * r)) | ((b > r + 40) & (b > g + 10))
    if seal_ink.mean() < STANDALONE_SEAL_INK:
        return rgb, None
    ppm = max(x1 - x0, y1 - y0) / STANDALONE_MM
    pic = np.ascontiguousarray(rgb[..., :3])
    if ppm > STANDALONE_MAX_PPM:  # a big picture: the canvas would be huge; seals need no more
        f = STANDALONE_MAX_PPM / ppm
        w, h = max(1, int(round(w * f))), max(1, int(round(h * f)))
        pic = cv2.resize(pic, (w, h), interpolation=cv2.INTER_AREA)
        ppm = STANDALONE_MAX_PPM
    W, H = int(round(A4_SHORT_MM * ppm)), int(round(A4_LONG_MM * ppm))
    if W < w + 2 or H < h + 2:
        return rgb, None
    canvas = np.full((H, W, 3), 255, np.uint8)
    ox, oy = (W - w) // 2, (H - h) // 2
    canvas[oy:oy + h, ox:ox + w] = pic

    def back(b):
        return tuple(round(min(max(float(v), 0.0), 1.0), 4) for v in
                     ((b[0] * W - ox) / w, (b[1] * H - oy) / h, (b[2] * W - ox) / w, (b[3] * H - oy) / h))

    return canvas, back


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
CPA_MAX_ASPECT = 2.1  # a 注册会计师 seal may be 30 x 18 mm: let it through next to its label
CPA_LABEL = re.compile(r"注\s*册\s*会\s*计\s*师|签\s*[字名章]|盖\s*章|印\s*章")


def _office_box(seal, rgb, lines=()) -> bool:
    """A long rectangular stamp (已受理, 收文, a date box): an office's mark, not a seal a check wants.
    A stamp up to :data:`CPA_MAX_ASPECT` long beside a 注册会计师 / 签章 / 盖章 label is that seal."""
    if seal.shape != "rect" or seal.edge is not None:
        return False
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = seal.bbox
    bw, bh = (x1 - x0) * w, (y1 - y0) * h
    if not (bh > 0 and bw > 0):
        return False
    aspect = max(bw / bh, bh / bw)
    if aspect <= RECT_MAX_ASPECT:
        return False
    return aspect > CPA_MAX_ASPECT or not _near_label(seal.bbox, lines, rgb.shape, CPA_LABEL)


def _near_label(box, lines, shape, pattern) -> bool:
    """Whether a line matching ``pattern`` overlaps ``box`` or lies within :data:`NEAR_MM` of it."""
    h, w = shape[:2]
    ppm = px_per_mm(shape)
    mx, my = NEAR_MM * ppm / w, NEAR_MM * ppm / h
    for l in lines:
        if not pattern.search(l.text):
            continue
        x0, y0, x1, y1 = l.bbox
        dx = max(0.0, x0 - box[2], box[0] - x1) / mx
        dy = max(0.0, y0 - box[3], box[1] - y1) / my
        if dx <= 1.0 and dy <= 1.0:
            return True
    return False
