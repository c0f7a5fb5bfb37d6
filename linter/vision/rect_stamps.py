"""Rectangular stamps (方章: 注册会计师章, 人名章, 财务专用章) found from the paper inside their border.

方章检测：从方框内侧的“空白孔洞”找方章，再检查框内有字、框外是白纸、框线不向外延伸（表格线会延伸），
用于找出两枚上下相接的注册会计师章、内外框相连的方章——按连通域判断时它们会被当成一块或漏掉。

The component test in :mod:`shenbao.vision.seals` sees one blob of ink: two 注册会计师 seals stamped
one right under the other are one tall rectangle, and a double border whose lines touch breaks the
pattern it looks for. Here each stamp is found from its own inside:

1. the holes of the ink mask (paper enclosed by ink) whose convex hull nearly fills its rotated
   bounding rectangle are candidate insides (the ring of paper between a double border is broken
   where the lines touch; its hull is still the square); where the page is finer than the working
   copy, the ink around each cluster is looked at again at the page's own resolution, where a
   double border keeps its gap;
2. the rectangle grown by a border's width is a stamp when its sides are continuous, there is text
   but no solid fill inside (:func:`shenbao.vision.seals._rect`), there is paper just outside most
   of it (a box between lines inside a stamp, or a table cell's text, fails), and its border lines
   stop at its corners: the rules of a table run on past a cell's corners in two or more
   directions. (A border running on in one direction is allowed: it is the next stamp of a stack,
   or the end cell of a one-row table, the one case this cannot tell apart.)

Not found here: a square stamped over a round seal (the ring cuts its inside in two), and squares
on a page without colour. Returns boxes in working-copy pixels; the caller decides overlaps.
"""
from __future__ import annotations

import math
from typing import Callable, Optional

import cv2
import numpy as np

from . import share_inside

MIN_SIDE_MM = 7.0
MIN_LONG_MM = 13.0
MAX_LONG_MM = 65.0
MAX_ASPECT = 4.0
MAX_SIDE_SQUARE_MM = 28.0  # 人名章 15-25 mm, 注册会计师章 ~18 mm


def find_rect_stamps(mask: np.ndarray, ppm: float, judge: Callable[[np.ndarray, float], Optional[float]],
                     hires: Optional[Callable] = None) -> list[tuple[tuple, float, float]]:
    """Return ``[(box, confidence, angle_deg)]`` for rectangular stamps in the uint8 ink ``mask``.

    ``judge(frame, ppm)`` tests the ink of one candidate turned upright (bool array) and returns a
    confidence or None (the seal module's rectangle test). ``hires(box)``, when given, returns
    ``(mask, scale, (x0, y0))``: the same colour's ink around a pixel box of ``mask`` at the
    page's own resolution (``scale`` times finer, origin ``(x0, y0)`` in ``mask`` pixels), or None;
    a double border or text close to the border keeps its holes there. ``box`` is the
    axis-aligned pixel box ``(x0, y0, x1, y1)`` of the rotated rectangle.
    """
    if cv2.countNonZero(mask) < 4 * MIN_LONG_MM * ppm:
        return []
    rects = _hole_rects(mask, ppm)
    if hires is not None:
        for box in _stamp_regions(mask, ppm):
            got = hires(box)
            if got is None:
                continue
            m, f, (x0, y0) = got
            for (cx, cy), (w, h), ang in _hole_rects(m, ppm * f):
                rects.append(((cx / f + x0, cy / f + y0), (w / f, h / f), ang))
    found: list[tuple[tuple, float, float]] = []
    for centre, size, ang in rects:
        r = _check_rect(mask, centre, size, ang, ppm, judge)
        if r is not None:
            found.append(r)
    # the same stamp from its inner and outer border, or found twice: keep the larger
    area = lambda b: (b[2] - b[0]) * (b[3] - b[1])  # noqa: E731
    found.sort(key=lambda r: -area(r[0]))
    kept: list[tuple[tuple, float, float]] = []
    for r in found:
        if not any(share_inside(r[0], k[0]) > 0.6 for k in kept):
            kept.append(r)
    return kept


def _stamp_regions(mask: np.ndarray, ppm: float, limit: int = 12) -> list[tuple[int, int, int, int]]:
    """Pixel boxes of ink clusters big enough to hold a rectangular stamp (largest first)."""
    H, W = mask.shape
    f = 4  # on a quarter-size copy: a cluster's box is all that is needed
    small = cv2.resize(mask, (max(1, W // f), max(1, H // f)), interpolation=cv2.INTER_AREA)
    small = cv2.dilate((small > 0).astype(np.uint8), np.ones((3, 3), np.uint8))
    _, _, stats, _ = cv2.connectedComponentsWithStats(small, connectivity=8)
    out = []
    for x, y, w, h, _a in (stats[1:] * f).tolist():
        if max(w, h) >= MIN_LONG_MM * ppm and min(w, h) >= MIN_SIDE_MM * ppm and max(w, h) <= 3 * MAX_LONG_MM * ppm:
            p = int(round(2 * ppm))
            out.append((max(0, x - p), max(0, y - p), min(W, x + w + p), min(H, y + h + p)))
    out.sort(key=lambda b: -(b[2] - b[0]) * (b[3] - b[1]))
    return out[:limit]


def _rectangular(c: np.ndarray, ppm: float, lo_mm: float, grow_mm: float):
    """The rotated rectangle of contour ``c`` grown by ``grow_mm`` on each side, if ``c`` fills
    most of its rotated bounding box and the grown size is a stamp's; else None."""
    (cx, cy), (w, h), ang = cv2.minAreaRect(c)
    if w < lo_mm * ppm or h < lo_mm * ppm:
        return None
    if cv2.contourArea(cv2.convexHull(c)) < 0.85 * w * h:
        return None  # (the hull: the paper between a double border is a ring broken where they touch)
    w, h = w + 2 * grow_mm * ppm, h + 2 * grow_mm * ppm
    long_, short = max(w, h) / ppm, min(w, h) / ppm
    if not (MIN_LONG_MM <= long_ <= MAX_LONG_MM and short >= MIN_SIDE_MM and long_ / short <= MAX_ASPECT):
        return None
    return (cx, cy), (w, h), ang


def _hole_rects(mask: np.ndarray, ppm: float) -> list:
    """Rectangles around the rectangular holes of the ink (the paper inside a stamp's border):
    each stamp of a stack, or a stamp touching a round seal, keeps its own hole."""
    k = max(1, int(round(0.3 * ppm))) | 1
    m = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    cnts, hier = cv2.findContours(m, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    if hier is None:
        return out
    for c, h in zip(cnts, hier[0]):
        if h[3] < 0:  # an outer boundary, not a hole
            continue
        # the border is one line (~1 mm), or the hole is inside the inner line of a double border
        for grow in (1.0, 2.5, 4.0):
            r = _rectangular(c, ppm, MIN_SIDE_MM - 3.0, grow)
            if r is not None:
                out.append(r)
    return out


def _odd(n: float) -> int:
    n = max(3, int(round(n)))
    return n if n % 2 else n + 1


def squares_on_seal(mask: np.ndarray, ppm: float, circle, judge) -> list[tuple[tuple, float, float]]:
    """Square stamps stamped over a round seal (a 人名章 on the 公章, a 注册会计师 seal over the
    firm's): the part of the square outside the seal's disc is a piece of its border, long along
    the square's outer side. That piece gives the square's turn (its rotated rectangle), its side
    (the piece's length) and its outer edge (the piece's far side from the seal); the square so
    placed is kept when its ink passes ``judge`` (its own border and text; the ink around it
    belongs to the seal, so paper outside is not asked for)."""
    H, W = mask.shape
    cx, cy, r = circle  # the round seal's fitted outline, px
    x0, y0, x1, y1 = cx - r, cy - r, cx + r, cy + r
    pad = int(round(MAX_SIDE_SQUARE_MM * ppm))
    bx0, by0 = max(0, int(x0) - pad), max(0, int(y0) - pad)
    bx1, by1 = min(W, int(x1) + pad), min(H, int(y1) + pad)
    sub = mask[by0:by1, bx0:bx1].copy()
    if sub.size == 0:
        return []
    cv2.circle(sub, (int(round(cx - bx0)), int(round(cy - by0))), int(round(r + 1.2 * ppm)), 0, -1)
    # a sliver of the ring's blurred outer edge would join the pieces round the seal: open it away
    sub = cv2.morphologyEx(sub, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(
        cv2.morphologyEx(sub, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)), connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if max(w, h) < 6 * ppm or area < 8 * ppm * ppm:
            continue
        ys, xs = np.nonzero(labels[y:y + h, x:x + w] == i)
        xs, ys = xs + x + bx0, ys + y + by0
        if np.hypot(xs - cx, ys - cy).min() > r + 2.5 * ppm:
            continue  # not against the seal
        (pcx, pcy), (pw, ph), ang = cv2.minAreaRect(np.column_stack([xs, ys]).astype(np.float32))
        side = max(pw, ph)
        if not (10 * ppm <= side <= MAX_SIDE_SQUARE_MM * ppm):
            continue
        # the piece's long axis is the square's outer side; the square lies towards the seal
        t = math.radians(ang if pw >= ph else ang + 90)
        along = np.array([math.cos(t), math.sin(t)])
        normal = np.array([-along[1], along[0]])
        if np.dot(normal, [cx - pcx, cy - pcy]) < 0:
            normal = -normal
        if not _straight_outer_side(xs, ys, (pcx, pcy), along, normal, ppm):
            continue  # a piece of the ring itself (curved), not a square's side
        depth = min(pw, ph)
        outer = np.array([pcx, pcy]) - normal * depth / 2
        centre = outer + normal * side / 2
        theta = math.degrees(t)
        c, s_ = math.cos(t), math.sin(t)
        uc, vc = centre[0] * c + centre[1] * s_, -centre[0] * s_ + centre[1] * c
        r_ = _check(mask, (uc - side / 2, vc - side / 2, uc + side / 2, vc + side / 2), theta, ppm, judge,
                    outside=False)
        if r_ is not None:
            out.append(r_)
    return out


def _straight_outer_side(xs, ys, centre, along, normal, ppm: float) -> bool:
    """Whether the piece's side facing away from the seal is a straight line (a square's border):
    the outermost ink across the piece stays within 0.6 mm of a line. A piece of a 40 mm ring
    over 20 mm bends away by 2.5 mm."""
    d = np.column_stack([xs - centre[0], ys - centre[1]]).astype(float)
    u, v = d @ along, d @ (-normal)  # v grows away from the seal
    ub = np.round(u).astype(int)
    order = np.argsort(ub)
    ub, v = ub[order], v[order]
    keys, first = np.unique(ub, return_index=True)
    far = np.maximum.reduceat(v, first)
    if len(keys) < 8:
        return False
    lo, hi = np.percentile(keys, (10, 90))
    sel = (keys >= lo) & (keys <= hi)  # the piece's ends may turn with the square's corners
    a, b = np.polyfit(keys[sel], far[sel], 1)
    res = far[sel] - (a * keys[sel] + b)
    return float(np.abs(res).max()) <= 0.6 * ppm + 1


def _check_rect(mask, centre, size, ang, ppm, judge):
    """Frame the rotated rectangle and test it (:func:`_check`)."""
    theta = math.radians(ang)
    c, s = math.cos(theta), math.sin(theta)
    cx, cy = centre
    uc, vc = cx * c + cy * s, -cx * s + cy * c
    w, h = size
    return _check(mask, (uc - w / 2, vc - h / 2, uc + w / 2, vc + h / 2), ang, ppm, judge)


def _check(mask, frame_box, theta, ppm, judge, outside: bool = True):
    """Turn the candidate upright, test its ink with ``judge`` and its corners for running lines."""
    u0, v0, u1, v1 = frame_box
    c, s = math.cos(math.radians(theta)), math.sin(math.radians(theta))
    uc, vc = (u0 + u1) / 2, (v0 + v1) / 2
    cx, cy = uc * c - vc * s, uc * s + vc * c  # back to page pixels
    wpx, hpx = u1 - u0, v1 - v0
    ext = 5.0 * ppm  # look this far past the corners
    big_w, big_h = int(round(wpx + 2 * ext)), int(round(hpx + 2 * ext))
    M = cv2.getRotationMatrix2D((cx, cy), theta, 1.0)
    M[0, 2] += big_w / 2 - cx
    M[1, 2] += big_h / 2 - cy
    up = cv2.warpAffine(mask, M, (big_w, big_h), flags=cv2.INTER_NEAREST) > 0
    e = int(round(ext))
    pad = int(round(0.6 * ppm))  # the border line's own thickness around the fitted edge
    frame = up[max(0, e - pad):e + int(round(hpx)) + pad, max(0, e - pad):e + int(round(wpx)) + pad]
    conf = judge(frame, ppm)
    if conf is None:
        return None
    wi, hi = int(round(wpx)), int(round(hpx))
    if outside and (_runs_on(up, e, wi, hi, ppm) >= 2 or not _clear_outside(up, e, wi, hi, ppm)):
        return None
    H, W = mask.shape
    corners = np.array([[u0, v0], [u1, v0], [u1, v1], [u0, v1]])
    px = corners[:, 0] * c - corners[:, 1] * s
    py = corners[:, 0] * s + corners[:, 1] * c
    grow = 0.6 * ppm
    box = (max(0.0, px.min() - grow), max(0.0, py.min() - grow), min(float(W), px.max() + grow),
           min(float(H), py.max() + grow))
    return box, conf, theta


def _runs_on(up: np.ndarray, e: int, w: int, h: int, ppm: float) -> int:
    """How many directions (left, right, up, down) the rectangle's border lines continue past its
    corners: inked along most of the 1.5–5 mm beyond a corner, on the line of a side."""
    a, b = int(round(1.5 * ppm)), e
    t = max(1, int(round(0.5 * ppm)))

    def inked(band: np.ndarray, axis: int) -> bool:
        return band.size > 0 and float(band.any(axis=axis).mean()) > 0.7

    dirs = 0
    # left / right: the top and bottom sides continuing sideways
    rows = [(e - t, e + t), (e + h - t, e + h + t)]
    cols = [(e - t, e + t), (e + w - t, e + w + t)]
    if any(inked(up[r0:r1, e - b:e - a], 0) for r0, r1 in rows):
        dirs += 1
    if any(inked(up[r0:r1, e + w + a:e + w + b], 0) for r0, r1 in rows):
        dirs += 1
    if any(inked(up[e - b:e - a, c0:c1], 1) for c0, c1 in cols):
        dirs += 1
    if any(inked(up[e + h + a:e + h + b, c0:c1], 1) for c0, c1 in cols):
        dirs += 1
    return dirs


def _clear_outside(up: np.ndarray, e: int, w: int, h: int, ppm: float) -> bool:
    """A stamp's border is its outer edge: just outside it (1–3 mm) there is paper along most of
    the perimeter and along at least two whole sides. (A box drawn between lines inside a stamp,
    or a table cell, has ink right outside.)"""
    a, b = int(round(1.0 * ppm)), int(round(3.0 * ppm))
    clear = [
        1 - float(up[e - b:e - a, e:e + w].any(axis=0).mean()),          # above
        1 - float(up[e + h + a:e + h + b, e:e + w].any(axis=0).mean()),  # below
        1 - float(up[e:e + h, e - b:e - a].any(axis=1).mean()),          # left
        1 - float(up[e:e + h, e + w + a:e + w + b].any(axis=1).mean()),  # right
    ]
    return float(np.mean(clear)) >= 0.6 and sorted(clear)[-2] >= 0.8
