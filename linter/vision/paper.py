"""The sheet of paper in a phone photo: its four corners, and the page flattened from them.

手机拍照件：找出照片中纸张的四个角，把纸面透视校正为矩形，使骑缝章（位于纸张边缘而非照片边缘）
也能被找到。

A phone photo of a page shows the desk around the sheet, so a 骑缝章 slice touches the paper's edge,
not the image's. The sheet is the largest bright, low-saturation region whose outline is a convex
quadrilateral covering 25–97 % of the photo; a scan or a screenshot (the page fills the image) has
no such sheet and is left alone. Nothing here guesses: when the outline is not a clean
quadrilateral, there is no sheet.
"""
from __future__ import annotations

from typing import Optional

import cv2
import numpy as np

WORK_LONG = 640  # px on the long side for finding the outline
MIN_AREA, MAX_AREA = 0.25, 0.97  # share of the photo the sheet covers
MIN_MARGIN = 0.015  # the sheet must stand off the image edge on at least one side by this much
A4 = 297.0 / 210.0


def find_sheet(rgb: np.ndarray) -> Optional[np.ndarray]:
    """Return the sheet's corners (4 x 2 float, image pixels; top-left, top-right, bottom-right,
    bottom-left) in a photo of a page on a darker background, or None."""
    a = np.asarray(rgb)
    if a.ndim != 3 or a.shape[2] < 3 or min(a.shape[:2]) < 100:
        return None
    h, w = a.shape[:2]
    f = WORK_LONG / max(h, w)
    small = cv2.resize(np.ascontiguousarray(a[..., :3]), (max(1, round(w * f)), max(1, round(h * f))),
                       interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    v = cv2.GaussianBlur(hsv[..., 2], (5, 5), 0)
    t, bright = cv2.threshold(v, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if t < 60:
        return None  # no dark background to stand out from
    paperish = cv2.bitwise_and(bright, cv2.inRange(hsv[..., 1], 0, 90))
    k = max(3, int(round(0.02 * max(small.shape[:2])))) | 1
    paperish = cv2.morphologyEx(paperish, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    cnts, _ = cv2.findContours(paperish, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not cnts:
        return None
    c = max(cnts, key=cv2.contourArea)
    area = cv2.contourArea(c) / float(small.shape[0] * small.shape[1])
    if not (MIN_AREA <= area <= MAX_AREA):
        return None
    hull = cv2.convexHull(c)
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True).reshape(-1, 2).astype(np.float64)
    if len(quad) != 4 or not cv2.isContourConvex(quad.astype(np.float32)):
        return None
    if cv2.contourArea(quad.astype(np.float32)) < 0.9 * cv2.contourArea(hull):
        return None  # the outline is not a quadrilateral (a folded or torn sheet, a hand over it)
    sh, sw = small.shape[:2]
    margins = [quad[:, 0].min() / sw, quad[:, 1].min() / sh, 1 - quad[:, 0].max() / sw, 1 - quad[:, 1].max() / sh]
    if max(margins) < MIN_MARGIN:
        return None  # the page fills the image: a scan or a screenshot
    return _order(quad / f)


def _order(q: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    s, d = q.sum(axis=1), q[:, 0] - q[:, 1]
    return np.array([q[np.argmin(s)], q[np.argmax(d)], q[np.argmax(s)], q[np.argmin(d)]], dtype=np.float64)


def shrink(corners: np.ndarray, share: float) -> np.ndarray:
    """The corners moved ``share`` of the way towards the sheet's centre (keeps desk out of the
    flattened page when the outline is a pixel or two off)."""
    c = corners.mean(axis=0)
    return corners + (c - corners) * share * 2


def flatten(rgb: np.ndarray, corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (the sheet warped to an upright rectangle of A4 proportions, the 3 x 3 homography
    from that rectangle back to the photo)."""
    tl, tr, br, bl = corners
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    if height >= width:
        W, H = int(round(height / A4)), int(round(height))
    else:
        W, H = int(round(width)), int(round(width / A4))
    dst = np.array([[0, 0], [W - 1, 0], [W - 1, H - 1], [0, H - 1]], dtype=np.float32)
    M = cv2.getPerspectiveTransform(corners.astype(np.float32), dst)
    flat = cv2.warpPerspective(np.ascontiguousarray(np.asarray(rgb)[..., :3]), M, (W, H), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
    return flat, np.linalg.inv(M)


def box_to_photo(box, flat_shape, back: np.ndarray, photo_shape) -> tuple[float, float, float, float]:
    """Map a page-fraction box on the flattened sheet to a page-fraction box on the photo."""
    fh, fw = flat_shape[:2]
    ph, pw = photo_shape[:2]
    x0, y0, x1, y1 = box
    pts = np.array([[[x0 * fw, y0 * fh]], [[x1 * fw, y0 * fh]], [[x1 * fw, y1 * fh]], [[x0 * fw, y1 * fh]]],
                   dtype=np.float64)
    p = cv2.perspectiveTransform(pts, back).reshape(-1, 2)
    c = lambda v, n: round(min(1.0, max(0.0, float(v) / n)), 4)  # noqa: E731
    return (c(p[:, 0].min(), pw), c(p[:, 1].min(), ph), c(p[:, 0].max(), pw), c(p[:, 1].max(), ph))
