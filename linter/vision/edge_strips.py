"""骑缝章 strips: the slice of a perforation seal each page of a bound volume shows at its edge.

A volume is stamped across its fanned edge, so page k carries a thin vertical strip of one seal
(2-20 mm wide) touching the right (or left) edge: from the first pages a cap with an arc for its
inner edge, from the middle pages a straight-cut strip holding pieces of the ring, the text and the
star. :mod:`shenbao.vision.seals` finds the arc-shaped pieces; this finds the strips: seal-coloured
ink touching the edge, confined to a narrow band, with a seal-sized vertical extent.
"""
from __future__ import annotations

import cv2
import numpy as np

from ..model import Seal
from . import px_per_mm

BAND_MM = 22.0  # how far in from the edge a strip may reach
TOUCH_MM = 1.2  # ink this close to the edge touches it
MERGE_MM = 12.0  # gap closed along the edge between the pieces of one strip (rim, text, star)
HEIGHT_MM = (8.0, 70.0)  # visible height of a strip
MIN_INK_MM2 = 6.0
TINTED = 0.25  # a page this much in colour is a coloured separator: no strips on it
WORK_SHORT = 700


def find_strips(rgb: np.ndarray, known: list[Seal]) -> list[Seal]:
    """Return seal strips at the left and right page edges not already among ``known`` fragments."""
    rgb = np.asarray(rgb)
    if rgb.ndim == 2:  # a grayscale array, as detect_seals accepts
        rgb = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_GRAY2RGB)
    elif rgb.ndim == 3 and rgb.shape[2] == 4:
        rgb = np.ascontiguousarray(rgb[..., :3])
    h, w = rgb.shape[:2]
    if min(h, w) < 50:
        return []
    scale = min(1.0, WORK_SHORT / min(h, w))
    img = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    ppm = px_per_mm(img)
    red, blue = _seal_ink(img)
    if (red | blue).mean() > TINTED:
        return []
    masks = [(red, "red"), (blue, "blue")]
    if not (red.any() or blue.any()) and _colourless(img):
        masks = [(_dark_ink(img, ppm), "gray")]
    out = []
    for edge in ("right", "left"):
        if any(s.edge == edge for s in known):
            continue
        for mask, colour in masks:
            out.extend(_strips(mask, ppm, edge, colour))
    return out


def _colourless(img: np.ndarray) -> bool:
    """A grayscale scan or copy: (almost) no pixel has any chroma."""
    if img.ndim == 2 or img.shape[2] == 1:
        return True
    px = img[::3, ::3].astype(np.int16)
    return float(((px.max(axis=2) - px.min(axis=2)) >= 25).mean()) < 0.0003


def _dark_ink(img: np.ndarray, ppm: float) -> np.ndarray:
    """On a page without colour, a stamp is only darker than the paper: dark ink within the edge
    bands, as a 0/1 mask (the shape tests of :func:`_strips` do the rest; body text keeps to the
    margins, so it does not reach the edge)."""
    gray = img if img.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_RGB2GRAY)
    paper = float(np.percentile(gray[::4, ::4], 90))
    dark = (gray < paper - 45).astype(np.uint8)
    band = max(2, int(BAND_MM * ppm))
    dark[:, band:dark.shape[1] - band] = 0
    return dark


def _seal_ink(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Red and blue stamp ink (saturated, not dark gray), as two 0/1 masks."""
    hsv = cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_RGB2HSV)
    hue, sat, val = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    px = img.astype(np.int16)
    chroma = px.max(axis=2) - px.min(axis=2)
    inked = (sat >= 50) & (val >= 60) & (chroma >= 35)
    red = ((hue <= 12) | (hue >= 165)) & inked
    blue = (hue >= 95) & (hue <= 135) & inked
    return red.astype(np.uint8), blue.astype(np.uint8)


def _strips(mask: np.ndarray, ppm: float, edge: str, colour: str = "red") -> list[Seal]:
    h, w = mask.shape
    band = max(2, int(BAND_MM * ppm))
    touch = max(1, int(TOUCH_MM * ppm))
    sub = mask[:, w - band:] if edge == "right" else mask[:, :band]
    if sub.sum() < MIN_INK_MM2 * ppm * ppm:
        return []
    k = max(1, int(MERGE_MM * ppm))
    merged = cv2.morphologyEx(sub, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (max(1, int(1.5 * ppm)), k)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(merged, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        at_edge = (x + bw >= band - touch) if edge == "right" else (x <= touch)
        if not at_edge:
            continue
        height_mm = bh / ppm
        if not HEIGHT_MM[0] <= height_mm <= HEIGHT_MM[1]:
            continue
        region = sub[y:y + bh, x:x + bw]
        ink_mm2 = float(region.sum()) / (ppm * ppm)
        fill = float(region.mean())
        if ink_mm2 < MIN_INK_MM2 or fill > 0.85:  # a solid bar or a page-border line, not a stamp
            continue
        if _ruled(region, ppm, edge):
            continue  # a box or a table cut by the edge: straight rules, not a seal's curved rim
        # the ink must reach the edge itself along a good part of the strip's height
        edge_cols = sub[y:y + bh, -touch:] if edge == "right" else sub[y:y + bh, :touch]
        rows_at_edge = float(edge_cols.max(axis=1).mean()) if edge_cols.size else 0.0
        if rows_at_edge < 0.08:
            continue
        x0 = (w - band + x) / w if edge == "right" else x / w
        x1 = (w - band + x + bw) / w if edge == "right" else (x + bw) / w
        conf = round(min(0.95, 0.55 + 0.4 * min(1.0, rows_at_edge * 2) * min(1.0, ink_mm2 / 40.0)), 3)
        if colour == "gray":
            conf = min(conf, 0.6)  # no colour: a stamp by shape alone
        out.append(Seal(bbox=(round(x0, 4), round(y / h, 4), round(x1, 4), round((y + bh) / h, 4)),
                        confidence=conf, colour=colour, shape="round", edge=edge))
    return out


def _ruled(region: np.ndarray, ppm: float, edge: str) -> bool:
    """Whether ink touching the edge is ruled (a box outline, a table running off the page): a
    straight line across the band's depth at three or more heights, or a straight line along the
    edge over most of the height away from the edge itself. A seal's slice has curved rims: only
    a slice a few mm wide has (at most four) nearly straight rim pieces across it."""
    h, w = region.shape
    if h < 4 or w < 4:
        return False
    touch = max(1, int(TOUCH_MM * ppm))
    inner = region[:, : w - touch] if edge == "right" else region[:, touch:]
    if inner.shape[1] >= 3 and float(inner.any(axis=1).mean()) > 0:
        # a column inked over 85 % of the height, away from the edge: a box's side or a table rule
        if float(inner.mean(axis=0).max()) >= 0.85:
            return True
    if w / ppm >= 8.0:
        # rules across at three or more evenly spaced heights (a double rim gives two close pairs)
        across = np.concatenate([[False], region.mean(axis=1) >= 0.9, [False]])
        starts = np.flatnonzero(across[1:] & ~across[:-1])
        ends = np.flatnonzero(~across[1:] & across[:-1])
        centres = (starts + ends) / 2.0
        if len(centres) >= 3:
            gaps = np.diff(centres)
            if gaps.min() >= 2 * ppm and gaps.max() <= 1.6 * gaps.min():
                return True
    return False
