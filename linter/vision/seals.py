"""Find seals (印章) on a page image: red or blue ink, round / oval / rectangular, and 骑缝章 fragments.

印章检测：在整页图像上找出红色或蓝色的圆章、椭圆章（发票专用章）、方章（人名章、注册会计师章），
以及被页边切开的骑缝章残片；灰度扫描件（整页无颜色）上用霍夫圆加圆环检查兜底，颜色记为 ``gray``，
置信度较低。

How it works (all on a copy scaled to :data:`WORK_SHORT` px on the short side, sizes in millimetres
via :func:`shenbao.vision.px_per_mm`):

1. Ink masks: red (hue within about 24° of red) and blue, each with a minimum saturation *and* a
   minimum chroma (max − min channel), so paper tint, JPEG colour fringes around black text and dark
   grey do not count. A page whose background itself is coloured (a pink or red separator page)
   only counts ink much more saturated than its background.
2. Close each mask with a ~2 mm disc, so ring, arc text and star merge into one component.
3. Each component of seal size is tested as

   * **round / oval**: convex-hull circularity, an ellipse fitted to the hull (aspect ≤ 1.75), ink
     on most of a thin band along that ellipse (the ring; a partly printed ring still passes), and
     some but not solid ink inside (text, star) — a bare circle or a filled disc is no seal; an
     oval smaller than a 发票专用章 (the 全国统一发票监制章, 20 x 13 to 30 x 20 mm) needs a clear rim
     (ring ≥ 0.8) and an open inside;
   * **rect**: a component that fills its rotated bounding box, ink along all four sides (a
     continuous border) and, after removing straight lines, text inside — a plain box outline or a
     red table cell is no seal, nor is a coloured QR code (finder marks at two or more corners);
   * **edge fragment** (骑缝章): a component touching a page edge whose outer boundary is an arc of a
     seal-sized circle cut by that edge (a circle fitted to the boundary away from the edge, radius
     9–32 mm, visible chord along the edge ≥ 8 mm). A red border line along the page is straight,
     so its fitted radius is far too large.

   A component larger than any seal (a red table or form frame with a seal on it) is looked at
   again without its straight rules (runs of 25 mm or more); a seal's rim bends away from them.
   Rectangular stamps are also found from the paper inside their border (:mod:`.rect_stamps`), so
   two 注册会计师 seals stamped edge to edge are two seals.

4. When the page has no colour at all (a grayscale scan), round seals are looked for with
   ``HoughCircles`` and kept only when the candidate circle is a distinct dark ring (darker than
   the bands just inside and outside) with ink inside.

Deliberately not reported: red headings (红头) and rules (wrong shape), red paragraphs, red boxes
without ink inside, red logos under 15 mm, scribbles, coloured pages, UI buttons in screenshots.
Runs in about 10–25 ms for an A4 page on one core (see the module tests).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import cv2
import numpy as np

from ..model import Seal
from . import px_per_mm, share_inside
from .rect_stamps import find_rect_stamps, squares_on_seal

WORK_SHORT = 800  # px on the short side of the working copy

# ink masks (OpenCV HSV: H 0..179, S and V 0..255)
RED_HUE = (12, 167)  # red: H <= 12 or H >= 167
BLUE_HUE = (90, 140)
SEAL_RED_HUE = (4, 165)  # the seals' own red: H <= 4 or H >= 165 (a brown-red print is 5-12)
BROWN_HUE = (5, 12)
S_MIN = 55
CHROMA_MIN = 34  # (max - min channel), so dark grey / JPEG fringes around black text are not ink
V_MIN = 45
S_WEAK, CHROMA_WEAK = 35, 22  # faint ink (a light impression on a low-resolution scan) next to strong ink
S_FAINT, CHROMA_FAINT = 18, 12  # very light ink, only to confirm the rest of a ring found in strong ink
TINTED_PAGE = 0.30  # share of the page in one colour above which the page itself is coloured

# sizes in millimetres
MIN_SEAL_MM = 15.0  # round / oval: smaller red round things are logos
MAX_SEAL_MM = 75.0
MIN_OVAL_MM = (28.0, 20.0)  # oval seals (发票专用章 40 x 30 mm): smaller elongated blobs are scribbles
MIN_SMALL_OVAL_MM = (18.0, 11.0)  # ... unless a clear thin rim: the 发票监制章 (20 x 13 to 30 x 20 mm)
MIN_RECT_MM = 13.0  # long side of a rectangular stamp (人名章 15–25 mm)
MAX_RECT_MM = 65.0
FRAG_R_MM = (9.0, 32.0)  # radius of the circle a fragment is cut from
FRAG_MIN_CHORD_MM = 8.0
EDGE_MARGIN = 0.015  # a component within 1.5 % of the page size from an edge touches it
GRAY_DIAM_MM = (30.0, 52.0)


@dataclass
class _Cand:
    """A seal found on the working copy (pixel box on the working copy)."""

    box: tuple[float, float, float, float]
    confidence: float
    colour: str
    shape: str
    edge: Optional[str] = None
    bordered: bool = False  # a rectangle found from its own border lines (rect_stamps)
    circle: Optional[tuple[float, float, float]] = None  # round seal: fitted (cx, cy, r), px


def detect_seals(rgb: np.ndarray) -> list[Seal]:
    """Return the seals on a page image, top to bottom then left to right.

    ``rgb`` is an ``H x W x 3`` uint8 page (a grayscale ``H x W`` array is accepted too). Boxes are
    page fractions ``(x0, y0, x1, y1)``, origin top left; a 骑缝章 fragment has ``edge`` set to the
    page edge that cuts it and its box is the visible part. Deterministic; never reads text.
    """
    img = _as_rgb(rgb)
    H, W = img.shape[:2]
    if min(H, W) < 40:
        return []
    small = _work_copy(img)
    ppm = px_per_mm(small)
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    inked = _inked(small, hsv)
    cands: list[_Cand] = []
    n_ink = cv2.countNonZero(inked[0])
    if n_ink:
        for colour in ("red", "blue"):
            mask, tinted = _ink_mask(hsv, inked, colour, ppm)
            if mask is not None:
                # on a page tinted in this colour, its edges (scanner margins) are no 骑缝章 evidence
                faint = (lambda c=colour: _faint_mask(hsv, inked[2], c)) if not tinted else None
                hires = _hires(img, small, colour) if not tinted else None
                cands.extend(_colour_seals(mask, ppm, colour, fragments=not tinted, faint=faint, hires=hires))
                if colour == "red" and not tinted and _brown_print(hsv, mask):
                    cands = _add_seal_red(cands, hsv, inked, ppm, img, small)
    if not cands and n_ink < 0.0003 * inked[0].size:  # no colour on the page: a grayscale scan or copy
        gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        cands.extend(_gray_seals(gray, ppm))
        cands.extend(_gray_fragments(gray, ppm))
    h, w = small.shape[:2]
    out = [Seal(bbox=(_c(c.box[0] / w), _c(c.box[1] / h), _c(c.box[2] / w), _c(c.box[3] / h)),
                confidence=round(float(c.confidence), 3), colour=c.colour, shape=c.shape, edge=c.edge)
           for c in cands]
    return _reading_order(out)


# ------------------------------------------------------------------ masks
def _as_rgb(rgb: np.ndarray) -> np.ndarray:
    a = np.asarray(rgb)
    if a.dtype != np.uint8:
        a = np.clip(a, 0, 255).astype(np.uint8)
    if a.ndim == 2:
        return cv2.cvtColor(a, cv2.COLOR_GRAY2RGB)
    if a.shape[2] == 4:
        return np.ascontiguousarray(a[..., :3])
    return np.ascontiguousarray(a)


def _work_copy(img: np.ndarray) -> np.ndarray:
    """Scale to about :data:`WORK_SHORT` px on the short side (cheap: halving, then linear)."""
    while min(img.shape[:2]) >= 2 * WORK_SHORT:  # exact halving: linear = 2 x 2 mean, and fast
        img = cv2.resize(img, (img.shape[1] // 2, img.shape[0] // 2), interpolation=cv2.INTER_LINEAR)
    short = min(img.shape[:2])
    if short > WORK_SHORT * 1.1:
        s = WORK_SHORT / short
        img = cv2.resize(img, (max(1, round(img.shape[1] * s)), max(1, round(img.shape[0] * s))),
                         interpolation=cv2.INTER_LINEAR)
    return img


def _hires(img: np.ndarray, small: np.ndarray, colour: str):
    """A function giving ``colour``'s ink mask around a box of the working copy at the page's own
    resolution (for :mod:`.rect_stamps`), or None when the page is no finer than the copy."""
    f = img.shape[1] / small.shape[1]
    if f < 1.3:
        return None
    ppm = px_per_mm(img)

    def crop(box):
        x0, y0, x1, y1 = box
        part = np.ascontiguousarray(img[int(y0 * f):int(y1 * f), int(x0 * f):int(x1 * f)])
        if min(part.shape[:2]) < 8:
            return None
        hsv = cv2.cvtColor(part, cv2.COLOR_RGB2HSV)
        m, tinted = _ink_mask(hsv, _inked(part, hsv), colour, ppm)
        return None if m is None or tinted else (m, f, (x0, y0))
    return crop


def _inked(rgb: np.ndarray, hsv: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return uint8 masks of coloured ink of any hue: (strong: saturated, with enough chroma, not
    too dark; weak: the same with lower limits, used only next to strong ink; the chroma image)."""
    r, g, b = cv2.split(rgb)
    chroma = cv2.subtract(cv2.max(cv2.max(r, g), b), cv2.min(cv2.min(r, g), b))
    strong = cv2.bitwise_and(cv2.inRange(hsv, (0, S_MIN, V_MIN), (180, 255, 255)),
                             cv2.inRange(chroma, CHROMA_MIN, 255))
    weak = cv2.bitwise_and(cv2.inRange(hsv, (0, S_WEAK, V_MIN), (180, 255, 255)),
                           cv2.inRange(chroma, CHROMA_WEAK, 255))
    return strong, weak, chroma


def _hue_band(hsv: np.ndarray, colour: str) -> np.ndarray:
    hch = hsv[..., 0]
    if colour == "red":
        return cv2.bitwise_or(cv2.inRange(hch, 0, RED_HUE[0]), cv2.inRange(hch, RED_HUE[1], 180))
    if colour == "seal_red":
        return cv2.bitwise_or(cv2.inRange(hch, 0, SEAL_RED_HUE[0]), cv2.inRange(hch, SEAL_RED_HUE[1], 180))
    return cv2.inRange(hch, BLUE_HUE[0], BLUE_HUE[1])


def _brown_print(hsv: np.ndarray, mask: np.ndarray) -> bool:
    """Whether the red ink of a page is mostly a brown-red print (a VAT invoice's table, title and
    side text, hue 10-24°) with some pure red beside it: seals stamped over that print merge with it
    in the red mask, so the page is looked at again in the seals' own red (:data:`SEAL_RED_HUE`)."""
    h = hsv[..., 0][mask > 0]
    if h.size < 200:
        return False
    brown = int(np.count_nonzero((h >= BROWN_HUE[0]) & (h <= BROWN_HUE[1])))
    pure = int(np.count_nonzero((h <= SEAL_RED_HUE[0]) | (h >= SEAL_RED_HUE[1])))
    return brown >= 0.4 * h.size and pure >= 100


def _add_seal_red(cands: list, hsv: np.ndarray, inked: tuple, ppm: float, img, small) -> list:
    """The seals found in the seals' own red on a page with brown-red print, added to ``cands``
    where no candidate covers them already (one seal, one report)."""
    mask, tinted = _ink_mask(hsv, inked, "seal_red", ppm)
    if mask is None or tinted:
        return cands
    faint = lambda: _faint_mask(hsv, inked[2], "seal_red")  # noqa: E731
    extra = _colour_seals(mask, ppm, "red", fragments=True, faint=faint, hires=_hires(img, small, "seal_red"))
    for c in extra:
        hit = [k for k in cands if _overlap(c.box, k.box) > 0.3]
        if c.edge is not None:
            # a 骑缝章 piece merged with the print along the edge (a VAT invoice's side text) may
            # have passed as a whole seal in the broad red: the piece is what it is
            hit_whole = [k for k in hit if k.edge is None and k.colour == "red"]
            if hit_whole and len(hit_whole) == len(hit):
                cands = [k for k in cands if all(k is not x for x in hit_whole)]
                hit = []
        if not hit:
            cands.append(c)
    return cands


def _faint_mask(hsv: np.ndarray, chroma: np.ndarray, colour: str) -> np.ndarray:
    """Very light ink of ``colour`` (a tilted stamp's light side): only used to confirm a ring."""
    m = cv2.bitwise_and(cv2.inRange(hsv, (0, S_FAINT, V_MIN), (180, 255, 255)), cv2.inRange(chroma, CHROMA_FAINT, 255))
    return cv2.bitwise_and(m, _hue_band(hsv, colour))


def _ink_mask(hsv: np.ndarray, inked: tuple, colour: str,
              ppm: float) -> tuple[Optional[np.ndarray], bool]:
    """Return (the uint8 0/255 mask of ``colour`` ink or None when there is none, whether the page
    itself is tinted in that colour). Weak ink counts within about 2 mm of strong ink
    (hysteresis), so a faint impression keeps its ring and text without letting paper tint in."""
    band = _hue_band(hsv, colour)
    m = cv2.bitwise_and(band, inked[0])
    n = cv2.countNonZero(m)
    if n < 20:
        return None, False
    tinted = n > TINTED_PAGE * m.size
    if not tinted:
        k = _k(2.0 * ppm)
        near = cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
        m = cv2.bitwise_or(m, cv2.bitwise_and(cv2.bitwise_and(inked[1], band), near))
    if tinted:
        # the page itself is coloured: only ink far more saturated or darker than the ground counts
        sel = m > 0
        s, v = hsv[..., 1], hsv[..., 2]
        med_s, med_v = float(np.median(s[sel])), float(np.median(v[sel]))
        strong = cv2.bitwise_or(cv2.inRange(s, min(255, med_s + 70), 255), cv2.inRange(v, 0, max(0, med_v - 90)))
        m = cv2.bitwise_and(m, strong)
        if cv2.countNonZero(m) > TINTED_PAGE * m.size or cv2.countNonZero(m) < 20:
            return None, True
    return m, tinted


def _k(n_px: float) -> int:
    n = max(3, int(round(n_px)))
    return n if n % 2 else n + 1


# ------------------------------------------------------------------ colour seals
def _colour_seals(mask: np.ndarray, ppm: float, colour: str, fragments: bool = True, faint=None,
                  unrule: bool = True, hires=None) -> list[_Cand]:
    """Seals in one colour's ink mask: whole seals from closed components, 骑缝章 fragments from
    components at the page edges (unless ``fragments`` is False), then a circle search for round
    seals the components miss."""
    H, W = mask.shape
    bx, by, bw, bh = cv2.boundingRect(mask)  # work only where there is ink
    k = _k(2.0 * ppm)
    pad = k + 2
    ox, oy = max(0, bx - pad), max(0, by - pad)
    sub = mask[oy:min(H, by + bh + pad), ox:min(W, bx + bw + pad)]
    closed = cv2.morphologyEx(sub, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    cnts, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    mx, my = max(2, EDGE_MARGIN * W), max(2, EDGE_MARGIN * H)
    out: list[_Cand] = []
    leftovers = 0  # components of 5 mm or more that are not seals
    arcs: list[tuple[float, float, float]] = []  # circles through big rejected components (partial rims)
    ruled: list[tuple[int, int, int, int]] = []
    for c in cnts:
        x, y, w, h = cv2.boundingRect(c)
        x, y = x + ox, y + oy
        big, small_ = max(w, h) / ppm, min(w, h) / ppm
        if big < 2.0:
            continue
        if big >= 5.0:
            leftovers += 1
        edges = [e for e, hit in (("left", x <= mx), ("right", x + w >= W - mx),
                                  ("top", y <= my), ("bottom", y + h >= H - my)) if hit] if fragments else []
        whole_size = MIN_RECT_MM <= big <= MAX_SEAL_MM and small_ >= 7.0
        if unrule and big > MAX_SEAL_MM and small_ >= MIN_SEAL_MM:
            ruled.append((x, y, w, h))  # a seal on a red table or form: look again without its rules
        if not whole_size and (not edges or big < FRAG_MIN_CHORD_MM or big > MAX_SEAL_MM * 1.2):
            continue
        p = 2
        x0, y0, x1, y1 = max(0, x - p), max(0, y - p), min(W, x + w + p), min(H, y + h + p)
        comp = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.drawContours(comp, [c], -1, 1, thickness=-1, offset=(ox - x0, oy - y0))
        raw = cv2.bitwise_and(mask[y0:y1, x0:x1], mask[y0:y1, x0:x1], mask=cv2.dilate(comp, np.ones((3, 3), np.uint8)))
        cand = None
        if whole_size:
            cl = c + np.array([ox - x0, oy - y0], dtype=c.dtype)
            hull = np.zeros_like(comp)  # all ink within the hull: a broken ring still holds its star
            cv2.drawContours(hull, [cv2.convexHull(cl)], -1, 1, thickness=-1)
            hraw = cv2.bitwise_and(mask[y0:y1, x0:x1], mask[y0:y1, x0:x1], mask=cv2.dilate(hull, np.ones((3, 3), np.uint8)))
            cand = _whole(cl, comp, hraw, ppm, colour)
        if edges:
            frag = _fragment(comp, raw, ppm, colour, edges, (x0, y0), (W, H), cand)
            if frag is not None:
                cand = frag
        if cand is not None:
            cx0, cy0, cx1, cy1 = cand.box
            cand.box = (cx0 + x0, cy0 + y0, cx1 + x0, cy1 + y0)
            if cand.circle is not None:
                cand.circle = (cand.circle[0] + x0, cand.circle[1] + y0, cand.circle[2])
            out.append(cand)
            leftovers -= 1 if big >= 5.0 else 0
        elif big >= 15.0 and not edges:
            hull = cv2.convexHull(c).reshape(-1, 2).astype(float)
            fit = _fit_circle(hull[:, 0] + ox, hull[:, 1] + oy) if len(hull) >= 6 else None
            if fit is not None and 12 * ppm <= fit[2] <= 27 * ppm:
                arcs.append((fit[0], fit[1], fit[2]))
    if (leftovers > 0 or any(c.shape == "oval" for c in out)) and cv2.countNonZero(mask) >= 8 * ppm * ppm:
        out = _rescue_circles(mask, ppm, colour, out, faint, arcs)
    for x, y, w, h in ruled:
        out += _colour_seals(_unruled(mask, (x, y, w, h), ppm), ppm, colour, fragments=False, unrule=False)
    out = _add_rect_stamps(mask, ppm, colour, out, hires)
    if fragments:
        out += _edge_strips(mask, ppm, colour, out)
    # one seal, one report: a piece inside another candidate (the code arc of a half seal at the
    # edge, the inner text of a seal) is dropped in favour of the larger one; a stamp with its own
    # border over a round seal (a 人名章 on the 公章) is a seal of its own
    kept: list[_Cand] = []
    for c in sorted(out, key=lambda c: -(c.box[2] - c.box[0]) * (c.box[3] - c.box[1])):
        if not any(_overlap(c.box, k.box) > 0.5 and not (c.bordered and k.shape != "rect" and _sticks_out(c.box, k.box, ppm))
                   for k in kept):
            kept.append(c)
    return kept


def _sticks_out(inner, outer, ppm: float) -> bool:
    """Whether ``inner`` reaches 3 mm or more beyond ``outer`` on some side: a square stamped over
    a round seal's side does; a box drawn round the seal's own ink does not."""
    m = 3.0 * ppm
    return (outer[0] - inner[0] >= m or inner[2] - outer[2] >= m or outer[1] - inner[1] >= m
            or inner[3] - outer[3] >= m)


def _unruled(mask: np.ndarray, box, ppm: float) -> np.ndarray:
    """The ink of one large component (a red table, a form's frame) without its straight rules:
    horizontal and vertical runs of 25 mm or more. A seal's rim bends away from any 25 mm chord,
    so it stays; where a rule crossed it, closing the mask bridges the cut."""
    x, y, w, h = box
    out = np.zeros_like(mask)
    sub = mask[y:y + h, x:x + w]
    n = max(3, int(round(25 * ppm)))
    rules = cv2.morphologyEx(sub, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (n, 1)))
    rules |= cv2.morphologyEx(sub, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, n)))
    out[y:y + h, x:x + w] = cv2.subtract(sub, cv2.dilate(rules, np.ones((3, 3), np.uint8)))
    return out


def _add_rect_stamps(mask: np.ndarray, ppm: float, colour: str, out: list[_Cand], hires=None) -> list[_Cand]:
    """Add the rectangular stamps found from their border lines (:mod:`.rect_stamps`): those the
    components missed (merged with a round seal or a table), and the stamps of a stack that the
    components saw as one rectangle."""
    rects = [_Cand(box, conf, colour, "rect", bordered=True) for box, conf, _ in find_rect_stamps(mask, ppm, _rect, hires)]
    for c in out:
        if c.shape not in ("round", "oval") or c.edge is not None or c.circle is None:
            continue
        ex, ey, er = c.circle
        if c.shape == "oval":  # a round seal and a square stamped over its side fit an oval
            er = min(c.box[2] - c.box[0], c.box[3] - c.box[1]) / 2
        # the outline fitted to the component leans towards what is stamped over it: the ring
        # itself is where the ink runs round at one radius
        ring, _, rx, ry, rr = _ring_peak(mask > 0, ex, ey, er, ppm, 2.0 * ppm, max(1.0, 0.5 * ppm), 0.8, 1.05)
        if c.shape == "oval" and ring < 0.85:
            continue  # a true oval (发票专用章)
        found = [_Cand(box, conf, colour, "rect", bordered=True)
                 for box, conf, _ in squares_on_seal(mask, ppm, (rx, ry, rr + 0.6 * ppm), _rect)]
        if found:  # the seal's box is its ring's, not the ring's and the stamp's together
            R = rr + 0.6 * ppm
            c.shape, c.box = "round", (rx - R, ry - R, rx + R, ry + R)
        rects += found
    if not rects:
        return out
    keep = []
    for c in out:
        inside = [r for r in rects if _overlap(r.box, c.box) > 0.8]
        if c.shape == "rect" and c.edge is None and len(inside) >= 2:
            continue  # two stamps stacked edge to edge, seen as one component
        keep.append(c)
    for r in sorted(rects, key=lambda r: -(r.box[2] - r.box[0]) * (r.box[3] - r.box[1])):
        if not any(k.shape == "rect" and _overlap(r.box, k.box) > 0.5 for k in keep):
            keep.append(r)
    return keep


def _ring_peak(ink: np.ndarray, cx: float, cy: float, r: float, ppm: float, search: float, step: float,
               lo: float = 0.9, hi: float = 1.1) -> tuple[float, float, float, float, float]:
    """Look for a ring near the circle (cx, cy, r): for centres within ``search`` px, the share of
    angles inked at each radius (±1 px) from ``lo``·r to ``hi``·r; the best peak wins. Returns
    (ring share, share 2–4 mm outside that radius, cx, cy, radius)."""
    H, W = ink.shape
    t = np.linspace(0, 2 * math.pi, 180, endpoint=False)
    ct, st = np.cos(t), np.sin(t)
    rho = np.arange(int(r * lo), int(r * hi + 4 * ppm) + 1)
    lim = max(1, int(np.searchsorted(rho, r * hi)))
    offs = np.arange(-search, search + 1e-6, step)
    best = None
    for dx in offs:
        for dy in offs:
            px = np.clip(np.round(cx + dx + rho[:, None] * ct[None, :]), 0, W - 1).astype(int)
            py = np.clip(np.round(cy + dy + rho[:, None] * st[None, :]), 0, H - 1).astype(int)
            d = ink[py, px]
            cov = (d | np.roll(d, 1, axis=0) | np.roll(d, -1, axis=0)).mean(axis=1)
            i = int(np.argmax(cov[:lim]))
            if best is None or cov[i] > best[0]:
                best = (float(cov[i]), i, cov, cx + dx, cy + dy)
    ring, i, cov, bx, by = best
    o0, o1 = i + int(round(2 * ppm)), i + int(round(4 * ppm))
    outside = float(cov[o0:o1 + 1].mean()) if o1 < len(cov) else 1.0
    return ring, outside, bx, by, float(rho[i])


def _disc_fill(ink: np.ndarray, cx: float, cy: float, r: float) -> float:
    """Share of inked pixels in the disc (cx, cy, r)."""
    H, W = ink.shape
    x0, y0 = max(0, int(cx - r)), max(0, int(cy - r))
    x1, y1 = min(W, int(cx + r) + 1), min(H, int(cy + r) + 1)
    if x1 <= x0 or y1 <= y0:
        return 0.0
    yy, xx = np.mgrid[y0:y1, x0:x1]
    disc = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
    return float(ink[y0:y1, x0:x1][disc].mean()) if disc.any() else 0.0


def _rescue_circles(mask: np.ndarray, ppm: float, colour: str, found: list[_Cand], faint=None,
                    arcs: Optional[list] = None) -> list[_Cand]:
    """Round seals the component tests miss: a ring printed so faintly it broke into arcs, two seals
    stamped over each other (one merged component), a seal over red print. Circles of seal size
    proposed by ``HOUGH_GRADIENT_ALT`` on the half-size ink mask are kept when a thin band along
    them is inked at most angles and there is some ink inside. A ring only partly inked (a tilted
    stamp left one side very light) counts when the very light ink (``faint()``) completes it; the
    circles fitted to big rejected components (``arcs``: the visible half of such a rim) are tried
    too. Two or more such circles inside one component found as an "oval" replace it (overlapping
    round seals)."""
    H, W = mask.shape
    half = cv2.GaussianBlur(cv2.resize(mask, (W // 2, H // 2), interpolation=cv2.INTER_AREA), (0, 0), 1.0)
    hp = ppm / 2
    circles = cv2.HoughCircles(half, cv2.HOUGH_GRADIENT_ALT, dp=1.5, minDist=int(12 * hp), param1=150,
                               param2=0.4, minRadius=int(14 * hp), maxRadius=int(math.ceil(27 * hp)))
    props = [(2 * float(cx) + 0.5, 2 * float(cy) + 0.5, 2 * float(r))
             for cx, cy, r in (circles.reshape(-1, 3)[:12] if circles is not None else [])]
    props += list(arcs or [])
    if not props:
        return found
    good: list[_Cand] = []
    ink = mask > 0
    weak = None
    for cx, cy, r in props:
        ring, outside, cx, cy, rr = _ring_peak(ink, cx, cy, r, ppm, 3.0, 1.5)
        conf = 0.4 + 0.3 * min(1.0, (ring - 0.65) / 0.3)
        if 0.4 <= ring < 0.65 and faint is not None:  # the rest of the ring in very light ink?
            weak = faint() > 0 if weak is None else weak
            ring_f, outside_f, fx, fy, fr = _ring_peak(weak, cx, cy, rr, ppm, 2.0, 1.0, 0.95, 1.05)
            if ring_f >= 0.75 and ring_f - outside_f >= 0.35:
                ring, outside, conf = ring_f, outside_f, 0.4
        if ring < 0.65 or ring - outside < 0.3:
            continue
        fill = _disc_fill(ink, cx, cy, rr * 0.75)
        if not (0.02 <= fill <= 0.65):
            continue
        rr += 0.6 * ppm  # the peak is mid-ring; the box takes the ring's outer edge
        box = (max(0.0, cx - rr), max(0.0, cy - rr), min(float(W), cx + rr), min(float(H), cy + rr))
        if any(_overlap(box, g.box) > 0.5 for g in good):
            continue
        good.append(_Cand(box, conf, colour, "round", circle=(cx, cy, rr)))
    out = list(found)
    for f in found:
        inside = [g for g in good if _overlap(g.box, f.box) > 0.8]
        if f.shape == "oval" and len(inside) >= 2:
            out.remove(f)
            out.extend(inside)
    for g in good:
        if not any(_overlap(g.box, o.box) > 0.3 for o in out):
            out.append(g)
    return out


def _whole(c: np.ndarray, comp: np.ndarray, raw: np.ndarray, ppm: float, colour: str) -> Optional[_Cand]:
    """Test one closed component (contour ``c`` in crop coordinates) as a whole seal.

    A component whose rotated bounding box has ink in (at least three of) its corners can only be
    a rectangular stamp; anything else is tested as a round or oval seal.
    """
    if len(c) < 8:
        return None
    x, y, w, h = cv2.boundingRect(c)
    box = (float(x), float(y), float(x + w), float(y + h))
    (rcx, rcy), (rw, rh), rang = cv2.minAreaRect(c)
    frame = _rect_frame(raw, (rcx, rcy), (rw, rh), rang)
    if _inked_corners(frame) >= 3:
        conf = _rect(frame, ppm)
        return _Cand(box, conf, colour, "rect") if conf is not None else None
    hull = cv2.convexHull(c)
    ha, hp = cv2.contourArea(hull), cv2.arcLength(hull, True)
    if ha <= 0 or hp <= 0 or len(hull) < 5:
        return None
    circ = 4 * math.pi * ha / (hp * hp)
    if circ < 0.80:
        return None
    (ex, ey), (ea, eb), eang = cv2.fitEllipse(hull)
    major, minor = max(ea, eb) / ppm, min(ea, eb) / ppm
    aspect = major / max(minor, 1e-6)
    # a 全国统一发票监制章 (20 x 13 to 30 x 20 mm) is a small but clearly oval seal
    small_oval = (MIN_SMALL_OVAL_MM[0] <= major and MIN_SMALL_OVAL_MM[1] <= minor and aspect >= 1.25
                  and (minor < MIN_OVAL_MM[1] or major < MIN_OVAL_MM[0]))
    if not ((MIN_SEAL_MM <= minor or small_oval) and major <= MAX_SEAL_MM) or aspect > 1.75:
        return None
    shape = "round" if aspect <= 1.18 else "oval"
    if shape == "oval" and (minor < MIN_OVAL_MM[1] or major < MIN_OVAL_MM[0]) and not small_oval:
        return None
    ring, fill = _ring_stats(raw, (ex, ey), (ea / 2, eb / 2), eang, ppm)
    if ring < 0.6 or not (0.02 <= fill <= 0.65):
        return None
    if small_oval and (ring < 0.8 or fill > 0.5):
        return None  # small elongated red things (a logo, a scribble) need a clear rim and an open inside
    if _thick_rim(raw, (ex, ey), (ea / 2, eb / 2), eang, ppm):
        return None  # a broad solid band (an emblem, a badge), not a thin rim with text inside
    if shape == "oval" and (ring < 0.62 or (ring < 0.8 and fill > 0.4)):
        return None  # elongated blobs (scribbles: a wandering outline, dense inside) need more evidence
    typical = 1.0 if (shape == "oval" or 30 <= major <= 50) else 0.6
    conf = 0.45 + 0.3 * min(1.0, (ring - 0.6) / 0.3) + 0.15 * min(1.0, (circ - 0.8) / 0.15) + 0.08 * typical
    return _Cand(box, min(0.99, conf), colour, shape, circle=(ex, ey, (ea + eb) / 4))


def _ring_stats(raw: np.ndarray, centre, axes, ang_deg: float, ppm: float) -> tuple[float, float]:
    """Return (ring, fill) for an ellipse fitted to a candidate's outline.

    ``ring``: the share of angles inked on the best single scaled copy of the ellipse (±1 px),
    searched just inside the outline: a printed rim is one thin line at a steady distance, while
    the outline of a scribble or a blob wanders. ``fill``: the ink share inside 0.75 of it.
    """
    ex, ey = centre
    a, b = axes
    n_t = 180
    t = np.linspace(0, 2 * math.pi, n_t, endpoint=False)
    step = 0.7 / max(min(a, b), 1.0)  # about 0.7 px
    lo = 1 - max(0.1, 3.0 * ppm / max(min(a, b), 1))
    rho = np.arange(lo, 1.05, step)
    ca, sa = math.cos(math.radians(ang_deg)), math.sin(math.radians(ang_deg))
    ux = (a * np.cos(t))[None, :] * rho[:, None]
    uy = (b * np.sin(t))[None, :] * rho[:, None]
    px = np.clip(np.round(ex + ux * ca - uy * sa), 0, raw.shape[1] - 1).astype(int)
    py = np.clip(np.round(ey + ux * sa + uy * ca), 0, raw.shape[0] - 1).astype(int)
    d = raw[py, px] > 0
    k = 2  # ±1.4 px radially
    acc = d.copy()
    for s_ in range(1, k + 1):
        acc[s_:] |= d[:-s_]
        acc[:-s_] |= d[s_:]
    ring = float(acc.mean(axis=1).max())
    inner = np.zeros(raw.shape, np.uint8)
    cv2.ellipse(inner, ((ex, ey), (2 * a * 0.75, 2 * b * 0.75), ang_deg), 1, -1)
    n = int(inner.sum())
    fill = float(((raw > 0) & (inner > 0)).sum()) / n if n else 0.0
    return ring, fill


def _thick_rim(raw: np.ndarray, centre, axes, ang_deg: float, ppm: float) -> bool:
    """Whether the band 2–4 mm inside the outline is solid ink at (nearly) every angle. A seal's
    rim is 1–1.5 mm thick with its arc text inside, so that band holds characters and the gaps
    between them; a 国徽-like emblem or a badge has a broad solid ring there."""
    ex, ey = centre
    a, b = axes
    if min(a, b) < 5 * ppm:
        return False
    t = np.linspace(0, 2 * math.pi, 180, endpoint=False)
    ca, sa = math.cos(math.radians(ang_deg)), math.sin(math.radians(ang_deg))
    covs = []
    for d_mm in (2.0, 3.0, 4.0):
        k = 1 - d_mm * ppm / min(a, b)
        ux, uy = a * k * np.cos(t), b * k * np.sin(t)
        px = np.clip(np.round(ex + ux * ca - uy * sa), 0, raw.shape[1] - 1).astype(int)
        py = np.clip(np.round(ey + ux * sa + uy * ca), 0, raw.shape[0] - 1).astype(int)
        covs.append(float((raw[py, px] > 0).mean()))
    return min(covs) >= 0.9


def _rect_frame(raw: np.ndarray, centre, size, ang: float) -> np.ndarray:
    """The ink inside a rotated rectangle, turned square (bool, rows x cols = height x width)."""
    rw, rh = size
    M = cv2.getRotationMatrix2D(centre, ang, 1.0)
    M[0, 2] += rw / 2 - centre[0]
    M[1, 2] += rh / 2 - centre[1]
    wi, hi = max(4, int(round(rw))), max(4, int(round(rh)))
    return cv2.warpAffine(raw, M, (wi, hi), flags=cv2.INTER_NEAREST) > 0


def _inked_corners(frame: np.ndarray) -> int:
    """How many of the 4 corner squares (a tenth of the short side) hold ink; 0 for an ellipse."""
    hi, wi = frame.shape
    q = max(2, int(round(0.1 * min(hi, wi))))
    return int(frame[:q, :q].any()) + int(frame[:q, -q:].any()) + int(frame[-q:, :q].any()) + int(frame[-q:, -q:].any())


def _rect(r: np.ndarray, ppm: float) -> Optional[float]:
    """Return a confidence if the turned-square ink ``r`` is a rectangular stamp: a border along the
    sides (one side may be broken: partly printed), text inside once straight frame and divider
    lines are removed, and no solid fill (a red button with white text is no seal)."""
    hi, wi = r.shape
    long_, short = max(wi, hi) / ppm, min(wi, hi) / ppm
    if not (MIN_RECT_MM <= long_ <= MAX_RECT_MM and short >= 7.0 and long_ / max(short, 1e-6) <= 4.0):
        return None
    band = max(3, int(round(1.3 * ppm)))
    if wi <= 3 * band or hi <= 3 * band:
        return None
    top, bottom = r[:band, band:-band].any(axis=0).mean(), r[-band:, band:-band].any(axis=0).mean()
    left, right = r[band:-band, :band].any(axis=1).mean(), r[band:-band, -band:].any(axis=1).mean()
    # a continuous border: two adjacent sides (nearly) whole (a partly printed or tilted stamp
    # loses at most one corner region), the other two at least partly there; the ends of lines of
    # text leave gaps along the sides of a block of red text
    corner = max((min(v, h), v + h) for v in (top, bottom) for h in (left, right))
    rest = top + bottom + left + right - corner[1]
    if corner[0] < 0.8 or rest < 0.4 or top + bottom + left + right < 2.5:
        return None
    sides = [top, bottom, left, right]
    inset = band + max(1, int(round(0.5 * ppm)))
    inner = r[inset:-inset, inset:-inset].astype(np.uint8)
    if inner.size == 0 or min(inner.shape) < 4:
        return None
    solid = float(inner.mean())
    if solid > 0.95 or (solid > 0.78 and not (long_ / short <= 1.3 and long_ <= 30)):
        return None  # a filled box; only a small square (a 阴文 name seal) may be mostly ink
    ih, iw = inner.shape
    hl = cv2.morphologyEx(inner, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(iw * 0.6)), 1)))
    vl = cv2.morphologyEx(inner, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(3, int(ih * 0.6)))))
    if _table_rules(inner, ppm) and _frame_width(r) <= max(2.0, 0.6 * ppm):
        return None  # a hairline frame ruled into cells: a small table, not a stamp
    lines = hl | vl
    text = inner & (1 - cv2.dilate(lines, np.ones((3, 3), np.uint8)))
    tf = float(text.mean())
    if not (0.03 <= tf <= 0.75) and solid <= 0.78:
        return None
    if _finder_marks(r) >= 2:
        return None  # a QR code's module grid with its finder marks, not a stamp's text
    return min(0.95, 0.45 + 0.35 * min(1.0, max(0.0, float(np.mean(sides)) - 0.6) / 0.35) + 0.1 * min(1.0, tf / 0.1))


def _runs_111(r: np.ndarray) -> np.ndarray:
    """``[(row, centre, width)]`` of the ink-paper-ink-paper-ink runs in ratio 1:1:3:1:1 along the
    rows of the bool array ``r`` (a QR code's finder mark seen across its middle)."""
    hi, wi = r.shape
    if hi == 0 or wi < 7:
        return np.zeros((0, 3))
    padded = np.zeros((hi, wi + 2), np.int8)
    padded[:, 1:-1] = r
    d = np.diff(padded, axis=1)
    sr, sc = np.nonzero(d == 1)  # run starts (row, col), in row order
    er, ec = np.nonzero(d == -1)
    if sr.size < 3:
        return np.zeros((0, 3))
    same = (sr[:-2] == sr[2:])
    i = np.flatnonzero(same)
    runs = np.stack([ec[i] - sc[i], sc[i + 1] - ec[i], ec[i + 1] - sc[i + 1], sc[i + 2] - ec[i + 1],
                     ec[i + 2] - sc[i + 2]], axis=1).astype(float)
    # the module from the middle three runs; the outer ring may be thinned by the crop or the blur
    m = runs[:, 1:4].sum(axis=1) / 5.0
    tol = np.maximum(0.5 * m, 1.0)
    ok = ((np.abs(runs[:, 1] - m) <= tol) & (np.abs(runs[:, 3] - m) <= tol) & (np.abs(runs[:, 2] - 3 * m) <= 1.5 * tol)
          & (runs[:, 0] >= 0.3 * m) & (runs[:, 0] <= 1.7 * m + 1) & (runs[:, 4] >= 0.3 * m) & (runs[:, 4] <= 1.7 * m + 1)
          & (m >= 1.0))
    i = i[ok]
    return np.column_stack([sr[i], (sc[i + 1] + ec[i + 1]) / 2.0, 7.0 * m[ok]])


def _finder_marks(r: np.ndarray) -> int:
    """How many QR finder marks the ink ``r`` holds at its corners: places crossed by 1:1:3:1:1 runs
    along a row and down a column that are, seen in 2-D, a solid square of 3 modules in a ring of
    paper in a ring of ink (7 modules across), no more than a third of the box across and near one
    of its corners. (A stamp's double border and its characters do not make that.)"""
    rows = _runs_111(r)  # (y, cx, w)
    if len(rows) < 2:
        return 0
    cols = _runs_111(r.T)  # (x, cy, w)
    if len(cols) < 2:
        return 0
    hi, wi = r.shape
    corners: set = set()
    marks: list[tuple[float, float]] = []
    for y, cx, w in rows.tolist():
        if w > max(hi, wi) / 2.5 or any(abs(mx - cx) <= w / 2 and abs(my - y) <= w / 2 for mx, my in marks):
            continue
        hit = ((np.abs(cols[:, 0] - cx) <= 0.15 * w) & (np.abs(cols[:, 1] - y) <= 0.15 * w)
               & (cols[:, 2] >= 0.7 * w) & (cols[:, 2] <= 1.4 * w))
        if not hit.any() or not _finder_rings(r, cx, y, w / 7.0):
            continue
        marks.append((cx, y))
        side_x = "l" if cx <= 0.5 * w + 0.1 * wi else "r" if cx >= wi - 0.5 * w - 0.1 * wi else None
        side_y = "t" if y <= 0.5 * w + 0.1 * hi else "b" if y >= hi - 0.5 * w - 0.1 * hi else None
        if side_x and side_y:
            corners.add(side_x + side_y)
    return len(corners)


def _finder_rings(r: np.ndarray, cx: float, cy: float, m: float) -> bool:
    """Whether the ink around (cx, cy) is a finder mark of module ``m``: solid 3 x 3 centre, a ring of
    paper, a ring of ink (by the Chebyshev distance from the centre)."""
    hi, wi = r.shape
    k = int(math.ceil(3.5 * m))
    y0, y1, x0, x1 = int(cy) - k, int(cy) + k + 1, int(cx) - k, int(cx) + k + 1
    if y0 < 0 or x0 < 0 or y1 > hi or x1 > wi:
        y0, x0, y1, x1 = max(0, y0), max(0, x0), min(hi, y1), min(wi, x1)
    sub = r[y0:y1, x0:x1]
    yy, xx = np.mgrid[y0:y1, x0:x1]
    d = np.maximum(np.abs(yy - cy), np.abs(xx - cx)) / m
    centre, gap, ring = d <= 1.2, (d >= 1.8) & (d <= 2.2), (d >= 2.75) & (d <= 3.25)
    if centre.sum() < 4 or gap.sum() < 4 or ring.sum() < 4:
        return False
    return bool(sub[centre].mean() >= 0.8 and sub[gap].mean() <= 0.25 and sub[ring].mean() >= 0.7)


def _frame_width(r: np.ndarray) -> float:
    """Median thickness in px of the box's frame line (each side, across its middle 60 %): a
    stamp's border is bold (~1 mm and more), a table's frame a hairline."""
    hi, wi = r.shape
    widths = []
    for side in (r, r[::-1], r.T, r.T[::-1]):  # top, bottom, left, right: rows from the edge inward
        n = side.shape[1]
        cols = side[: max(3, side.shape[0] // 4), int(n * 0.2):int(n * 0.8)]
        for c in cols.T[:: max(1, cols.shape[1] // 15)]:
            ink = np.flatnonzero(c)
            if ink.size:
                start = ink[0]
                run = np.flatnonzero(~c[start:])
                widths.append(int(run[0]) if run.size else int(c.size - start))
    return float(np.median(widths)) if widths else 0.0


def _table_rules(inner: np.ndarray, ppm: float) -> bool:
    """Whether the inside of a box is ruled into cells: straight rules from side to side (a
    stroke of a character, or a row of them, has gaps), away from the border (a double border's
    inner line runs within ~3 mm of it), forming a grid: a rule across and one down.
    (A stamp may have rules across between its lines of text, as some 注册会计师 seals do.)"""
    ih, iw = inner.shape
    hl = cv2.morphologyEx(inner, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(iw * 0.92)), 1)))
    vl = cv2.morphologyEx(inner, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(3, int(ih * 0.92)))))
    m = int(round(3.0 * ppm))

    thin = max(2, int(round(0.55 * ppm)))  # a rule is a hairline; a seal's strokes are bold (~1 mm)

    def count(lines: np.ndarray, axis: int) -> int:
        prof = lines.any(axis=axis)
        prof = prof[m:len(prof) - m] if len(prof) > 2 * m else prof[:0]
        edges = np.diff(np.concatenate([[0], prof.astype(np.int8), [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        return int(np.count_nonzero((ends - starts) <= thin))

    across, down = count(hl, 1), count(vl, 0)
    return across >= 1 and down >= 1


# ------------------------------------------------------------------ 骑缝章 fragments
def _fit_circle(u: np.ndarray, v: np.ndarray) -> Optional[tuple[float, float, float, float]]:
    """Least-squares (Kåsa) circle through points; returns (uc, vc, r, rms residual) or None."""
    if len(u) < 6:
        return None
    A = np.column_stack([u, v, np.ones_like(u)])
    b = u * u + v * v
    try:
        sol, *_ = np.linalg.lstsq(A, b, rcond=None)
    except np.linalg.LinAlgError:
        return None
    uc, vc = sol[0] / 2, sol[1] / 2
    r2 = sol[2] + uc * uc + vc * vc
    if r2 <= 0:
        return None
    r = math.sqrt(r2)
    res = np.hypot(u - uc, v - vc) - r
    return float(uc), float(vc), r, float(np.sqrt(np.mean(res * res)))


def _fit_circle_robust(u: np.ndarray, v: np.ndarray) -> Optional[tuple[float, float, float, float]]:
    """:func:`_fit_circle`, then once more without the points far off it (where the rim is broken
    and the outline falls back on text inside), if at least 70 % of the points remain."""
    fit = _fit_circle(u, v)
    if fit is None:
        return None
    uc, vc, r, rms = fit
    res = np.abs(np.hypot(u - uc, v - vc) - r)
    keep = res <= max(2.0, 2.5 * float(np.median(res)))
    if keep.all() or keep.mean() < 0.7:
        return fit
    refit = _fit_circle(u[keep], v[keep])
    return refit if refit is not None and refit[3] < rms else fit


def _fragment(comp: np.ndarray, raw: np.ndarray, ppm: float, colour: str, edges: list[str], origin, page_wh,
              whole: Optional[_Cand]) -> Optional[_Cand]:
    """Test a component touching page edge(s) as a 骑缝章 fragment; return the better of it and ``whole``.

    Each touched edge is tried: the component is turned so that the edge is at u = 0 (u growing into
    the page, v along the edge); the outer boundary u_max(v) must be an arc of a seal-sized circle
    that runs past the edge.
    """
    x0, y0 = origin
    W, H = page_wh
    best: Optional[_Cand] = None
    # solid: ink everywhere more than 2.5 mm inside the outline (a badge or a tab cut by the edge;
    # a seal has text with gaps there, and a thin slice or a bare rim has no such inside at all)
    deep = cv2.distanceTransform(np.pad(comp, 1), cv2.DIST_L2, 3)[1:-1, 1:-1] >= 2.5 * ppm
    solid = int(deep.sum()) >= 4 * ppm * ppm and float((raw[deep] > 0).mean()) > 0.9
    for e in edges:
        if e == "left":
            m, off = comp, x0
        elif e == "right":
            m, off = comp[:, ::-1], W - (x0 + comp.shape[1])
        elif e == "top":
            m, off = comp.T, y0
        else:
            m, off = comp.T[:, ::-1], H - (y0 + comp.shape[0])
        rows = np.nonzero(m.any(axis=1))[0]
        if len(rows) < 6:
            continue
        chord_mm = (rows[-1] - rows[0] + 1) / ppm
        if chord_mm < FRAG_MIN_CHORD_MM or chord_mm > 2 * FRAG_R_MM[1] * 1.05:
            continue
        sub = m[rows]
        umax = (sub.shape[1] - 1 - np.argmax(sub[:, ::-1], axis=1)).astype(float) + off
        umin = np.argmax(sub, axis=1).astype(float) + off
        if umin.min() > max(2.0, EDGE_MARGIN * min(W, H)):
            continue  # does not reach the edge
        rev = _reverse_cap(umin, umax, rows.astype(float), ppm)
        if rev is not None:
            ys, xs = np.nonzero(comp)
            box = (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))
            if best is None or rev > best.confidence:
                best = _Cand(box, rev, colour, "round", edge=e)
            continue
        depth = float(umax.max())
        if solid:
            continue  # a solid disc or bar cut by the edge (a UI badge, a tab), not a seal's slice
        fit = _fit_circle_robust(umax, rows.astype(float))
        if fit is None:
            continue
        uc, vc, r, rms = fit
        r_mm = r / ppm
        if not (FRAG_R_MM[0] <= r_mm <= FRAG_R_MM[1]):
            continue
        if rms > max(1.2, 0.045 * r):
            continue
        beyond = (r - uc) / ppm  # how far the circle runs past the edge, mm
        if beyond < 1.5:
            continue  # a whole seal that just touches the edge
        if depth / ppm < 1.2 or depth > uc + r + 0.1 * r + 2:
            continue
        # the extent along the edge must fit the circle: the chord at the edge, 2·sqrt(r² − uc²),
        # for a cap up to a half circle; the whole diameter when more than half is visible
        pred = (2 * r if uc > 0 else 2 * math.sqrt(max(0.0, r * r - uc * uc))) / ppm
        if pred <= 0 or not (0.75 <= chord_mm / pred <= 1.25):
            continue
        # arc-like: deepest in the middle, shallow at both ends
        k = max(1, len(umax) // 6)
        ends = max(float(umax[:k].mean()), float(umax[-k:].mean()))
        if depth - ends < max(1.0, 0.25 * depth) and depth / ppm < r_mm * 0.9:
            continue
        if whole is not None and beyond < 4.0:
            continue  # nearly whole: keep the whole-seal reading
        quality = 1.0 - min(1.0, rms / max(1.2, 0.045 * r))
        conf = 0.5 + 0.25 * quality + 0.15 * min(1.0, chord_mm / 25.0)
        ys, xs = np.nonzero(comp)
        box = (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))
        # most of the seal on the page (60 % of its diameter or more): a seal stamped over the
        # edge, not a 骑缝章 slice (a fanned volume shows each page a strip of at most ~20 mm)
        cut = None if depth >= max(1.2 * r, 22.0 * ppm) else e
        cand = _Cand(box, min(0.95, conf), colour, "round", edge=cut)
        if best is None or cand.confidence > best.confidence:
            best = cand
    return best if best is not None else whole


STRIP_BAND_MM = 12.0  # 骑缝章 strips are looked for this far in from each edge
STRIP_LEN_MM = (8.0, 50.0)


def _edge_strips(mask: np.ndarray, ppm: float, colour: str, found: list[_Cand]) -> list[_Cand]:
    """骑缝章 slices cut on both sides: the page edge on one side and, on the other, the edge of the
    next page of the fanned volume (a straight cut parallel to the page edge). Such a slice from the
    middle of a seal is no circle cap: it is a strip along the edge, 2–12 mm wide and as long as the
    seal's chord there, closed at both ends by the rim (short smooth arcs across the strip) with
    pieces of text between.

    Within a band along each edge the ink is closed along the edge (25 mm: a slice through the
    middle of a seal without star may hold nothing between its rims) so the pieces join; a
    component that touches the edge, does not reach the band's inner side, is 8–50 mm long, not
    solid, and whose two ends are thin smooth arcs whose lengths across the strip fit one circle of
    seal size, is a fragment.
    """
    H, W = mask.shape
    bw = int(round(STRIP_BAND_MM * ppm))
    margin = max(2.0, EDGE_MARGIN * min(W, H))
    out: list[_Cand] = []
    for e in ("left", "right", "top", "bottom"):
        if e == "left":
            band = mask[:, :bw]
        elif e == "right":
            band = mask[:, W - bw:][:, ::-1]
        elif e == "top":
            band = mask[:bw, :].T
        else:
            band = mask[H - bw:, :].T[:, ::-1]
        # band: rows v along the edge, columns u growing away from the edge
        if not band.any():
            continue
        kv = _k(25.0 * ppm)
        closed = cv2.morphologyEx(band, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (_k(1.5 * ppm), kv)))
        cnts, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for c in cnts:
            x, y, w, h = cv2.boundingRect(c)  # x: depth from the edge, y: along the edge
            if x > margin or x + w >= bw - 1 or not (STRIP_LEN_MM[0] * ppm <= h <= STRIP_LEN_MM[1] * ppm):
                continue
            if w < 1.2 * ppm:
                continue
            comp = np.zeros((h, w), np.uint8)
            cv2.drawContours(comp, [c], -1, 1, thickness=-1, offset=(-x, -y))
            raw = (band[y:y + h, x:x + w] > 0) & (comp > 0)
            conf = _strip_score(raw, ppm)
            if conf is None:
                continue
            if e == "left":
                box = (x, y, x + w, y + h)
            elif e == "right":
                box = (W - x - w, y, W - x, y + h)
            elif e == "top":
                box = (y, x, y + h, x + w)
            else:
                box = (y, H - x - w, y + h, H - x)
            box = tuple(float(v) for v in box)
            if any(_overlap(box, f.box) > 0.3 for f in found + out):
                continue
            out.append(_Cand(box, conf, colour, "round", edge=e))
    return out


def _strip_score(raw: np.ndarray, ppm: float) -> Optional[float]:
    """Confidence that ``raw`` (rows along the edge, columns away from it) is a slice of a seal."""
    h, w = raw.shape
    count = raw.sum(axis=0)
    cols = np.nonzero(count >= max(2, 0.04 * h))[0]  # not a few stray pixels at the cut
    if len(cols) < 3 or raw.mean() > 0.85:
        return None  # too thin to judge, or solid (a coloured tab)
    u = cols.astype(float)
    sub = raw[:, cols]
    v_top = np.argmax(sub, axis=0).astype(float)
    v_bot = (h - 1 - np.argmax(sub[::-1], axis=0)).astype(float)
    # both ends: thin (a rim, not a bar or a line's end) and smooth across the strip
    tol = max(1.2, 0.35 * ppm)
    for vv, sign in ((v_top, 1), (v_bot, -1)):
        if len(u) >= 3 and not _smooth_end(u, vv, sign, tol):
            return None
        run = []
        for j, c in enumerate(cols):
            col = raw[:, c] if sign > 0 else raw[::-1, c]
            start = int(v_top[j]) if sign > 0 else int(h - 1 - v_bot[j])
            k = start
            while k < h and col[k]:
                k += 1
            run.append(k - start)
        if float(np.median(run)) > 3.0 * ppm:
            return None  # a bar, or the end of a line along the edge
    # the lengths across the strip fit one circle of seal size: L(u)²/4 + u² = 2·uc·u + (r² − uc²)
    L = v_bot - v_top + 1
    if L.max() < STRIP_LEN_MM[0] * ppm:
        return None
    ok = L >= 0.3 * L.max()
    u, L = u[ok], L[ok]
    if len(u) >= 3 and np.ptp(u) >= 2:
        slope, icpt = np.polyfit(u, L * L / 4 + u * u, 1)
        uc = slope / 2
        r2 = icpt + uc * uc
        r = math.sqrt(r2) if r2 > 0 else 0.0
    else:
        r = float(L.max()) / 2
    r = max(r, float(L.max()) / 2)
    if not (FRAG_R_MM[0] * ppm <= r <= FRAG_R_MM[1] * ppm):
        return None
    # between the rims: some ink (text, star), but no straight line along the edge (a box's side)
    mid = raw[int(h * 0.08):int(h * 0.92) + 1]
    inside = float(mid.any(axis=1).mean()) if mid.size else 0.0
    if inside < 0.05 or max(_longest_run(raw[:, c]) for c in cols) > 0.6 * h:
        return None
    return min(0.85, 0.5 + 0.15 * min(1.0, L.max() / (25 * ppm)) + 0.2 * min(1.0, inside / 0.3))


def _smooth_end(u: np.ndarray, v: np.ndarray, sign: int, tol: float) -> bool:
    """True when the first ink met from one end of a strip, v(u), is a smooth curve (a rim) once up
    to a third of the columns are let go where the rim did not print (there the first ink lies
    further in: ``sign`` 1 for the top end, -1 for the bottom end)."""
    keep = np.ones(len(u), bool)
    deg = 2 if len(u) >= 6 else 1
    for _ in range(4):
        coef = np.polyfit(u[keep], v[keep], deg)
        res = (v - np.polyval(coef, u)) * sign  # > 0: further in than the curve
        if float(np.sqrt(np.mean(res[keep] ** 2))) <= tol:
            return True
        worst = np.argsort(-np.where(keep, res, -np.inf))[:max(1, len(u) // 10)]
        keep[worst] = False
        if keep.sum() < max(3, int(0.67 * len(u))):
            return False
    return False


def _longest_run(col: np.ndarray) -> int:
    runs = _runs1(col)
    return max((e - s for s, e in runs), default=0)


def _runs1(flags: np.ndarray) -> list[tuple[int, int]]:
    d = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return list(zip(np.nonzero(d == 1)[0], np.nonzero(d == -1)[0]))


def _reverse_cap(umin: np.ndarray, umax: np.ndarray, v: np.ndarray, ppm: float) -> Optional[float]:
    """A slice from the far side of a seal (the last page of a fanned volume): the rim's apex touches
    the page edge and the slice is cut straight further in. The side facing the edge, u_min(v),
    is then an arc of a seal-sized circle whose centre lies beyond the visible slice."""
    if len(v) < 8:
        return None
    fit = _fit_circle(umin, v)
    if fit is None:
        return None
    uc, vc, r, rms = fit
    if not (FRAG_R_MM[0] * ppm <= r <= FRAG_R_MM[1] * ppm) or rms > max(1.2, 0.045 * r):
        return None
    width = float(umax.max())
    if uc - r > 1.5 * ppm or uc < width or width > r:  # touches the edge, centre beyond the cut
        return None
    # the edge side must really bulge: deepest at both ends, the apex in between
    k = max(2, len(umin) // 20)
    if min(float(umin[:k].max()), float(umin[-k:].max())) - float(umin.min()) < max(1.0, 0.3 * width, 0.5 * ppm):
        return None
    return min(0.9, 0.5 + 0.25 * (1 - min(1.0, rms / max(1.2, 0.045 * r))) + 0.15 * min(1.0, len(v) / (25 * ppm)))


# ------------------------------------------------------------------ grayscale fallback
def _gray_fragments(gray: np.ndarray, ppm: float) -> list[_Cand]:
    """骑缝章 pieces on a page without colour: the same arc and strip tests as in colour, on the
    dark ink within 25 mm of each edge. Body text keeps to the margins, so ink that touches the
    paper's edge there is a stamp, a punched hole or a scanner's shadow; the shape tests (a cap
    cut from a seal-sized circle, a strip closed by short arcs) keep only the first."""
    H, W = gray.shape
    paper = float(np.percentile(gray[::4, ::4], 90))
    dark = ((gray < paper - 45) * 255).astype(np.uint8)
    b = int(round(25 * ppm))
    if b * 3 >= min(H, W):
        return []
    dark[b:H - b, b:W - b] = 0
    if cv2.countNonZero(dark) < 20 or cv2.countNonZero(dark) > 0.5 * (2 * b * (H + W)):
        return []  # nothing, or a dark border all round (a copy of a copy): no evidence either way
    out = [c for c in _colour_seals(dark, ppm, "gray", fragments=True, unrule=False) if c.edge]
    for c in out:
        c.confidence = min(c.confidence, 0.6)  # no colour: a stamp by shape alone
    return out


def _gray_seals(gray: np.ndarray, ppm: float) -> list[_Cand]:
    """Round seals on a page without colour: Hough circles kept only when they are a distinct ring.

    Circles are proposed by ``HOUGH_GRADIENT_ALT`` on a third-size copy (fast even on dense text);
    each is then checked on the working copy, its centre refined a few px: along the best radius
    near the proposal, dark ink must cover most angles (the ring), clearly more than 2–4 mm
    outside it, and the inside must hold some ink (text, star) without being a filled disc.
    """
    H, W = gray.shape
    f = 3
    small = cv2.resize(gray, (W // f, H // f), interpolation=cv2.INTER_AREA)
    sp = ppm / f
    rmin, rmax = int(GRAY_DIAM_MM[0] / 2 * sp), int(math.ceil(GRAY_DIAM_MM[1] / 2 * sp))
    circles = cv2.HoughCircles(small, cv2.HOUGH_GRADIENT_ALT, dp=1.5, minDist=rmin, param1=300, param2=0.25,
                               minRadius=rmin, maxRadius=rmax)
    out: list[_Cand] = []
    if circles is None:
        return out
    paper = float(np.percentile(gray[::4, ::4], 90))
    dark = gray < paper - 45
    for cx, cy, r in circles.reshape(-1, 3)[:15]:
        cx, cy, r = f * float(cx) + 1, f * float(cy) + 1, f * float(r)
        ring, outside, cx, cy, rr = _ring_peak(dark, cx, cy, r, ppm, 4.0, 2.0, 0.85, 1.15)
        if ring < 0.75 or ring - outside < 0.35:
            continue
        fill = _disc_fill(dark, cx, cy, rr * 0.75)
        if not (0.03 <= fill <= 0.6):
            continue
        conf = min(0.6, 0.3 + 0.3 * min(1.0, (ring - outside - 0.35) / 0.4) + 0.1 * (ring >= 0.9))
        rr += 0.6 * ppm  # the peak is mid-ring; the box takes the ring's outer edge
        box = (max(0.0, cx - rr), max(0.0, cy - rr), min(float(W), cx + rr + 1), min(float(H), cy + rr + 1))
        if any(_overlap(box, o.box) > 0.3 for o in out):
            continue
        out.append(_Cand(box, conf, "gray", "round"))
    return out


# ------------------------------------------------------------------ helpers
def _overlap(a, b) -> float:
    """The shared area as a share of the smaller box."""
    return max(share_inside(a, b), share_inside(b, a))


def _c(v: float) -> float:
    return round(min(1.0, max(0.0, float(v))), 4)


def _reading_order(seals: list[Seal]) -> list[Seal]:
    """Top to bottom; seals whose vertical centres are close (same row) left to right."""
    seals = sorted(seals, key=lambda s: ((s.bbox[1] + s.bbox[3]) / 2, s.bbox[0]))
    rows: list[list[Seal]] = []
    for s in seals:
        cy = (s.bbox[1] + s.bbox[3]) / 2
        if rows:
            last = rows[-1]
            ref = sum((t.bbox[1] + t.bbox[3]) / 2 for t in last) / len(last)
            tol = 0.5 * min(min(t.bbox[3] - t.bbox[1] for t in last), s.bbox[3] - s.bbox[1])
            if abs(cy - ref) <= tol:
                last.append(s)
                continue
        rows.append([s])
    return [s for row in rows for s in sorted(row, key=lambda s: (s.bbox[0], s.bbox[1]))]
