"""QR codes on a page image (报告验证码 / 防伪 codes on audit reports, licences, invoices).

zxing-cpp reads the whole page (extraction bench §5: 13/13 including 100 dpi, a seal stamped over
the code and 3 px modules, 12–15 ms per page).

1. One pass over the page's **red channel**: a red seal stamped over black modules turns light
   there, black modules stay black. ``return_errors`` also reports symbols zxing located but could
   not decode.
2. Only for such a located, plausibly square symbol: a crop around it is retried with other
   variants (a global-histogram threshold, which ignores a seal's ring and star edges; luminance;
   contrast stretch and sharpening; 2x up- or down-scaling).
3. A very large page on which nothing at all was located is read once more at half size.

A page without any code therefore costs a single pass.
"""
from __future__ import annotations

import cv2
import numpy as np
import zxingcpp

from ..model import Code

_QR = zxingcpp.BarcodeFormat.QRCode
# Above this many pixels on the long side, a page where nothing at all was seen is read again at
# half size (very large modules and heavy scanner noise decode better smaller).
_LARGE_SIDE = 2600
_MAX_RETRY_SYMBOLS = 4  # located-but-unread symbols retried per page (bounds the worst case)


def _read(gray: np.ndarray, *, errors: bool = False, downscale: bool = True,
          binarizer=zxingcpp.Binarizer.LocalAverage) -> list:
    return zxingcpp.read_barcodes(np.ascontiguousarray(gray), formats=_QR, try_rotate=True,
                                  try_downscale=downscale, try_invert=False, return_errors=errors,
                                  binarizer=binarizer)


def _quad(b) -> np.ndarray:
    p = b.position
    return np.array([(p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y),
                     (p.bottom_right.x, p.bottom_right.y), (p.bottom_left.x, p.bottom_left.y)], float)


def _plausible(q: np.ndarray) -> bool:
    """A located symbol that could be a real QR: a roughly square quad at least 21 px wide."""
    sides = np.linalg.norm(q - np.roll(q, -1, axis=0), axis=1)
    if sides.min() < 21 or sides.max() > 1.6 * sides.min():
        return False
    x, y = q[:, 0], q[:, 1]
    area = 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))
    return area >= 0.6 * sides.mean() ** 2


def _crop_variants(crop: np.ndarray):
    """Yield ``(gray, scale, binarizer)`` variants of a crop around a symbol zxing could not read."""
    r = np.ascontiguousarray(crop[..., 0])
    lum = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    gh = zxingcpp.Binarizer.GlobalHistogram
    la = zxingcpp.Binarizer.LocalAverage
    yield r, 1.0, gh  # a seal over the code: one global threshold ignores the ring/star edges
    yield lum, 1.0, la
    yield lum, 1.0, gh
    h, w = r.shape
    lo, hi = np.percentile(r, (2, 98))
    if hi - lo > 10:
        st = np.clip((r.astype(np.float32) - lo) * (255.0 / (hi - lo)), 0, 255)
        blur = cv2.GaussianBlur(st, (0, 0), 1.2)
        sharp = np.clip(st * 1.8 - blur * 0.8, 0, 255).astype(np.uint8)
        yield sharp, 1.0, la
        yield sharp, 1.0, gh
    if max(h, w) < 700:  # small modules read better upscaled
        up = cv2.resize(r, (w * 2, h * 2), interpolation=cv2.INTER_CUBIC)
        yield up, 0.5, la
        yield up, 0.5, gh
    if min(h, w) > 120:
        yield cv2.resize(r, (w // 2, h // 2), interpolation=cv2.INTER_AREA), 2.0, la


def _retry(rgb: np.ndarray, q: np.ndarray) -> list:
    """Return ``[(barcode, scale, (ox, oy))]`` decoded in a crop around the located quad ``q``.

    A tight crop first (less seal ink in it to upset a global threshold), then a wide one (the
    located quad may be only part of the symbol).
    """
    h, w = rgb.shape[:2]
    x0, y0 = q.min(axis=0)
    x1, y1 = q.max(axis=0)
    size = max(x1 - x0, y1 - y0)
    for k in (0.3, 0.75):
        pad = k * size + 8
        cx0, cy0 = int(max(0, x0 - pad)), int(max(0, y0 - pad))
        cx1, cy1 = int(min(w, x1 + pad)), int(min(h, y1 + pad))
        crop = np.ascontiguousarray(rgb[cy0:cy1, cx0:cx1])
        for img, scale, bz in _crop_variants(crop):
            res = [b for b in _read(img, binarizer=bz) if b.valid]
            if res:
                return [(b, scale, (cx0, cy0)) for b in res]
    return []


def _bbox(b, w: int, h: int, scale: float, off=(0, 0)) -> tuple:
    q = _quad(b) * scale + np.array(off, float)
    f = lambda v, n: round(min(max(float(v) / n, 0.0), 1.0), 5)  # noqa: E731
    return (f(q[:, 0].min(), w), f(q[:, 1].min(), h), f(q[:, 0].max(), w), f(q[:, 1].max(), h))


def _format_name(b) -> str:
    name = getattr(b.format, "name", None) or str(b.format)
    return name.replace(" ", "")


def _text(b) -> str:
    if b.text:
        return b.text
    try:
        return bytes(b.bytes).decode("utf-8", "replace")
    except Exception:
        return ""


def decode_codes(rgb: np.ndarray) -> list[Code]:
    """Return the QR codes decoded on the page image ``rgb`` (H x W x 3 uint8, any dpi).

    Boxes are page fractions (origin top left); results are sorted top to bottom, left to right,
    and de-duplicated by payload and position.
    """
    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint8:
        rgb = np.clip(rgb, 0, 255).astype(np.uint8)
    if rgb.ndim == 3 and rgb.shape[2] < 3:
        rgb = rgb[..., 0]
    if rgb.ndim == 2:  # a grayscale page: the crops below still want three channels
        rgb = np.repeat(rgb[..., None], 3, axis=2)
    if rgb.ndim != 3:
        return []
    h, w = rgb.shape[:2]
    if h < 21 or w < 21:
        return []
    found = _read(rgb[..., 0], errors=True)
    hits = [(b, 1.0, (0, 0)) for b in found if b.valid]
    good_quads = [_quad(b) for b in found if b.valid]
    failed = []
    for b in found:
        if b.valid:
            continue
        q = _quad(b)
        if not _plausible(q):
            continue
        c = q.mean(axis=0)
        if any(g[:, 0].min() <= c[0] <= g[:, 0].max() and g[:, 1].min() <= c[1] <= g[:, 1].max()
               for g in good_quads + failed):
            continue  # the same symbol, already read or queued
        failed.append(q)
    failed.sort(key=lambda q: (-float(np.ptp(q[:, 0]) * np.ptp(q[:, 1])), float(q[0, 1]), float(q[0, 0])))
    for q in failed[:_MAX_RETRY_SYMBOLS]:
        hits.extend(_retry(rgb, q))
    if not found and max(h, w) > _LARGE_SIDE:
        small = cv2.resize(np.ascontiguousarray(rgb[..., 0]), (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        hits = [(b, 2.0, (0, 0)) for b in _read(small) if b.valid]
    out: list[Code] = []
    for b, scale, off in hits:
        text = _text(b)
        if not text:
            continue
        box = _bbox(b, w, h, scale, off)
        if any(c.text == text and abs(c.bbox[0] - box[0]) < 0.02 and abs(c.bbox[1] - box[1]) < 0.02
               for c in out):
            continue
        out.append(Code(text=text, bbox=box, format=_format_name(b), confidence=1.0))
    # reading order: rows (tops within ~2 % of the page height), then left to right
    out.sort(key=lambda c: (round(c.bbox[1] / 0.02), c.bbox[0], c.bbox[1], c.text))
    return out
