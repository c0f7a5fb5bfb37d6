"""QR codes on a page image (报告验证码 / 防伪 codes on audit reports, licences, invoices).

zxing-cpp reads the whole page (extraction bench §5: 13/13 including 100 dpi, a seal stamped over
the code and 3 px modules, 12–15 ms per page).

1. One pass over the page's **red channel**: a red seal stamped over black modules turns light
   there, black modules stay black. ``return_errors`` also reports symbols zxing located but could
   not decode.
2. A finder-pattern search over the same channel (a paper-relative threshold and one contour
   tree, ~3-6 ms on an A4 page at 150-200 dpi): a QR's three corner marks are a solid dark square inside a light
   square hole inside a dark ring (1:1:3:1:1). Looking at the *hole* and the *core* only, not at
   the ring's outline, keeps a mark found when seal ink, blur or data modules touch the ring.
   Marks of one size in an L (three) or a pair at a plausible distance make a candidate symbol
   even where zxing located nothing (noisy grayscale scans, 2 px modules after blur).
3. Only for such candidates — a located, plausibly square symbol zxing could not read, or finder
   marks outside any decoded symbol: a crop around it is retried with other variants (a
   global-histogram threshold, which ignores a seal's ring and star edges; luminance; contrast
   stretch and sharpening; 2x up- or down-scaling; then upscaled so a module is ~6 px and
   binarised with a local adaptive threshold one finder mark wide).
4. A very large page on which nothing at all was located is read once more at half size.

A page without any code therefore costs the single zxing pass plus the finder search (a text page
rarely has two same-size finder-like marks at QR distances; when it does, a few crop reads). The
page pass skips zxing's own rotated and downscaled re-scans, which pays for most of the finder
search: ``bench/qr_variants.py`` measures recall per image variant and ms/page with and without
a code. Below the scan's resolution (1 px modules under scanner blur) nothing reads or locates a
symbol; those stay misses.

Measured, not kept: a median or bilateral filter before binarising (rounds off 2 px modules and
loses more symbols than noise does) and OpenCV's ``QRCodeDetector`` / ``QRCodeDetectorAruco``
as locators (10-40x the cost of the finder search on a text page).

A symbol that is located — by zxing, or by three finder marks in an L — but cannot be read after
all retries is not a :class:`~shenbao.model.Code` (it has no payload): :func:`locate_unread`
returns its box, so a check can say "a code is there but could not be read" instead of "no code".
:func:`read_page_codes` returns both from one pass.
"""
from __future__ import annotations

import cv2
import numpy as np
import zxingcpp

from ..model import BBox, Code

_QR = zxingcpp.BarcodeFormat.QRCode
# Above this many pixels on the long side, a page where nothing at all was seen is read again at
# half size (very large modules and heavy scanner noise decode better smaller).
_LARGE_SIDE = 2600
_MAX_RETRY_SYMBOLS = 4  # candidate symbols retried per page (bounds the worst case)
_MAX_PAIR_REGIONS = 2  # of those, at most this many from a mere pair of finder marks
_TARGET_MODULE_PX = 6.0  # crops are upscaled so that a module is about this wide
_MAX_UPSCALE = 4.0
_MAX_CROP_SIDE = 1400  # an upscaled crop is kept below this (time bound)
_INK_LEVEL = 0.5  # finder search: ink is darker than this share of the paper brightness (blur spreads
# a core's black into the 1-module light gap around it: midway between black and paper keeps it light)
_MAX_FINDERS = 60  # finder marks grouped per page (more: a pattern-filled page, keep the largest)
_MAX_EDGE_DENSITY = 0.08  # above this many ink edges per pixel, no finder search (noise, halftone)


def _read(gray: np.ndarray, *, errors: bool = False, downscale: bool = True, rotate: bool = True,
          binarizer=zxingcpp.Binarizer.LocalAverage) -> list:
    return zxingcpp.read_barcodes(np.ascontiguousarray(gray), formats=_QR, try_rotate=rotate,
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


# ----------------------------------------------------------------------------- finder marks
def _ink_mask(gray: np.ndarray) -> np.ndarray:
    """Ink (255) where a pixel is darker than ``_INK_LEVEL`` of the paper brightness.

    The paper level is the brightest of the pixels sampled every 16 px within ±2 samples: cheap,
    and it follows the uneven lighting of a phone photo or a scanner's shading. An evenly lit page
    (most scans and rendered pages) gets one global threshold, which is cheaper still.
    """
    h, w = gray.shape
    f = 16
    samp = np.ascontiguousarray(gray[f // 2::f, f // 2::f])
    if samp.size < 4:
        return cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    bg = cv2.dilate(samp, np.ones((5, 5), np.uint8))
    lo, hi = np.percentile(bg, (5, 95))
    if hi > 0 and lo >= 0.9 * hi:
        return cv2.threshold(gray, _INK_LEVEL * float(np.median(bg)) - 0.5, 255, cv2.THRESH_BINARY_INV)[1]
    thr = cv2.resize(cv2.convertScaleAbs(bg, alpha=_INK_LEVEL), (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.compare(gray, thr, cv2.CMP_LT)


def _finders(mask: np.ndarray) -> np.ndarray:
    """Finder-mark candidates in an ink mask: rows ``(cx, cy, module_px)``.

    A candidate is a solid, square ink blob (the 3x3 core) alone inside a square hole (5x5) that
    is itself enclosed by ink (an even contour depth >= 2); core and hole centred, their sizes
    about 3:5. The ring's outline is not looked at: seal ink, blur or data modules touching it
    would change it. Glyphs like 回 are rejected by the core's solidity.
    """
    cs, hier = cv2.findContours(mask, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hier is None:
        return np.zeros((0, 3))
    hr = hier[0]
    par = hr[:, 3]
    depth = np.zeros(len(par), np.int32)  # even: an ink blob's outline, odd: a hole's
    up = par.copy()
    while (up >= 0).any():
        depth += up >= 0
        up = np.where(up >= 0, par[np.maximum(up, 0)], -1)
    out = []
    for c in np.nonzero((depth >= 2) & (depth % 2 == 0))[0]:  # ink blobs inside a hole inside ink
        hole = par[c]
        if hr[c, 0] >= 0 or hr[c, 1] >= 0:
            continue  # not alone in its hole
        x, y, w, h = cv2.boundingRect(cs[c])
        if w < 2 or h < 2 or max(w, h) > 1.5 * min(w, h) + 1:
            continue
        hx, hy, hw, hh = cv2.boundingRect(cs[hole])
        if hw < w + 2 or hh < h + 2 or max(hw, hh) > 1.5 * min(hw, hh) + 1:
            continue
        r = (w + h) / (hw + hh)
        if not 0.38 <= r <= 0.85:
            continue
        if abs(x + w / 2 - hx - hw / 2) > 0.15 * hw + 1 or abs(y + h / 2 - hy - hh / 2) > 0.15 * hh + 1:
            continue
        area = cv2.contourArea(cs[c])
        (_, _), (rw, rh), _ = cv2.minAreaRect(cs[c])
        if area < 0.6 * rw * rh:
            continue  # not a solid square
        child = hr[c, 2]
        if child >= 0 and cv2.contourArea(cs[child]) > 0.15 * area:
            continue  # a hollow square (回): not a solid core
        out.append((hx + hw / 2, hy + hh / 2, (hw + hh) / 10.0))
    if not out:
        return np.zeros((0, 3))
    f = np.array(out, float)
    if len(f) > _MAX_FINDERS:
        f = f[np.argsort(-f[:, 2])[:_MAX_FINDERS]]
    return f


def _finder_regions(f: np.ndarray) -> list[tuple[np.ndarray, float, bool]]:
    """Group finder marks into candidate symbols: ``[(corners 4x2, module_px, is_L)]``.

    Three marks of one size forming a right angle with equal legs give the symbol's four corners
    (``is_L``); a pair of same-size marks at a QR distance gives a region that covers every square
    the pair could belong to (side or diagonal).
    """
    n = len(f)
    if n < 2:
        return []
    xy, m = f[:, :2], f[:, 2]
    d = np.linalg.norm(xy[:, None] - xy[None], axis=2)
    mm = (m[:, None] + m[None]) / 2
    ratio = np.maximum(m[:, None], m[None]) / np.minimum(m[:, None], m[None])
    # version 1 has the centres 14 modules apart (diagonal 20), version 40 has 170 (diagonal 240)
    ok = (ratio <= 1.45) & (d >= 10 * mm) & (d <= 260 * mm)
    np.fill_diagonal(ok, False)
    regions, used = [], set()
    for a in range(n):
        nb = np.nonzero(ok[a])[0]
        if len(nb) < 2:
            continue
        v = xy[nb] - xy[a]
        ln = np.linalg.norm(v, axis=1)
        # every pair (b, c) of a's neighbours at once: equal legs, a right angle at a
        cos = (v @ v.T) / np.outer(ln, ln)
        legs = np.maximum.outer(ln, ln) / np.minimum.outer(ln, ln)
        mod = (m[nb][:, None] + m[nb][None] + m[a]) / 3
        span = np.add.outer(ln, ln) / 2 / mod
        good = ok[np.ix_(nb, nb)] & (legs <= 1.25) & (np.abs(cos) <= 0.26) & (span >= 10) & (span <= 190)
        for i, j in zip(*np.nonzero(np.triu(good, 1))):
            b, c, md = nb[i], nb[j], float(mod[i, j])
            u, w = v[i] / ln[i], v[j] / ln[j]
            o = 3.5 * md  # the corner mark's centre is 3.5 modules inside the symbol's corner
            corners = np.array([xy[a] - o * (u + w), xy[b] + o * (u - w),
                                xy[b] + v[j] + o * (u + w), xy[c] + o * (w - u)])
            regions.append((corners, md, True))
            used.update((a, b, c))
            if len(regions) >= 2 * _MAX_RETRY_SYMBOLS:
                return regions
    pairs = []
    for a in range(n):
        for b in range(a + 1, n):
            if ok[a, b] and a not in used and b not in used and ratio[a, b] <= 1.3:
                mod = float(mm[a, b])
                r = d[a, b] + 4.5 * mod
                c = (xy[a] + xy[b]) / 2
                corners = np.array([c + (-r, -r), c + (r, -r), c + (r, r), c + (-r, r)])
                pairs.append((d[a, b], (corners, mod, False)))
    pairs.sort(key=lambda t: t[0])  # the closest pairs first: the smallest regions, the likeliest
    return regions + [p for _, p in pairs]


# ----------------------------------------------------------------------------- crop retries
def _crop_variants(crop: np.ndarray, module: float | None = None):
    """Yield ``(gray, scale, binarizer)`` variants of a crop around a symbol zxing could not read.

    ``scale`` maps the variant's pixels back to the crop's. ``module`` is the estimated module
    width in crop pixels, when finder marks gave one.
    """
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
    # Noisy scans and small modules: upscale to ~6 px modules, threshold locally at the scale of a
    # finder mark (zxing's own binarisers break up 2 px modules under blur and noise). A median
    # filter first was measured to lose symbols (it rounds off 2 px modules), so there is none.
    if module is None:
        module = max(h, w) / 45.0  # a crop is ~1.5-2 symbol widths; a version 2-6 symbol
    s = min(_MAX_UPSCALE, max(1.0, _TARGET_MODULE_PX / max(module, 0.5)))
    s = min(s, _MAX_CROP_SIDE / max(h, w))
    s = max(s, 1.0)
    chans = [r] if np.array_equal(r, lum) else [r, lum]
    for ch in chans:
        up = cv2.resize(ch, (round(w * s), round(h * s)), interpolation=cv2.INTER_CUBIC) if s > 1.01 else ch
        block = max(11, int(round(module * s * 7)) | 1)  # a finder mark's width
        for c in (2, 8):
            bw = cv2.adaptiveThreshold(up, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, c)
            yield bw, 1.0 / s, gh
        if s > 1.01:
            yield up, 1.0 / s, la
        # a grey seal over the code on a grayscale scan: three tones (black modules, grey ink,
        # paper); threshold between the darkest two (Otsu within the pixels darker than Otsu's)
        t1 = cv2.threshold(up, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0]
        dark = up[up < t1]
        if dark.size > 64:
            t2 = cv2.threshold(dark.reshape(1, -1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0]
            if t1 - t2 > 25:
                yield cv2.threshold(up, t2, 255, cv2.THRESH_BINARY)[1], 1.0 / s, gh
        # blur wider than a module: an unsharp mask one module wide restores some contrast
        # (denoising first - median, bilateral - was measured to lose more than it gains)
        u = up.astype(np.float32)
        sharp = np.clip(3.0 * u - 2.0 * cv2.GaussianBlur(u, (0, 0), module * s), 0, 255).astype(np.uint8)
        bw = cv2.adaptiveThreshold(sharp, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 8)
        yield bw, 1.0 / s, gh


def _retry(rgb: np.ndarray, q: np.ndarray, module: float | None = None, pads=(0.3, 1.2)) -> list:
    """Return ``[(barcode, scale, (ox, oy))]`` decoded in a crop around the located quad ``q``.

    A tight crop first (less seal ink in it to upset a global threshold), then a wide one (the
    located quad may be only one corner of the symbol, it must fit with its quiet zone).
    ``module`` is the module width in pixels when finder marks gave it; else the finder marks
    inside the crop are looked for.
    """
    h, w = rgb.shape[:2]
    x0, y0 = q.min(axis=0)
    x1, y1 = q.max(axis=0)
    size = max(x1 - x0, y1 - y0)
    for k in pads:
        pad = k * size + 8
        cx0, cy0 = int(max(0, x0 - pad)), int(max(0, y0 - pad))
        cx1, cy1 = int(min(w, x1 + pad)), int(min(h, y1 + pad))
        if cx1 - cx0 < 21 or cy1 - cy0 < 21:
            continue
        crop = np.ascontiguousarray(rgb[cy0:cy1, cx0:cx1])
        mod = module
        if mod is None:  # the finder marks inside the crop tell the module size
            f = _finders(_ink_mask(np.ascontiguousarray(crop[..., 0])))
            mod = float(np.median(f[:, 2])) if len(f) else None
        for img, scale, bz in _crop_variants(crop, mod):
            res = [b for b in _read(img, binarizer=bz) if b.valid]
            if res:
                return [(b, scale, (cx0, cy0)) for b in res]
    return []


def _bbox(b, w: int, h: int, scale: float, off=(0, 0)) -> tuple:
    return _frac(_quad(b) * scale + np.array(off, float), w, h)


def _frac(q: np.ndarray, w: int, h: int) -> tuple:
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


def _inside(p, quads, margin: float = 0.0) -> bool:
    return any(g[:, 0].min() - margin <= p[0] <= g[:, 0].max() + margin
               and g[:, 1].min() - margin <= p[1] <= g[:, 1].max() + margin for g in quads)


def _as_rgb(rgb) -> np.ndarray | None:
    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint8:
        rgb = np.clip(rgb, 0, 255).astype(np.uint8)
    if rgb.ndim == 3 and rgb.shape[2] < 3:
        rgb = rgb[..., 0]
    if rgb.ndim == 2:  # a grayscale page: the crops below still want three channels
        rgb = np.repeat(rgb[..., None], 3, axis=2)
    if rgb.ndim != 3:
        return None
    if rgb.shape[2] > 3:
        rgb = rgb[..., :3]
    h, w = rgb.shape[:2]
    if h < 21 or w < 21:
        return None
    return rgb


def _analyse(rgb: np.ndarray) -> tuple[list, list]:
    """Return ``(hits, unread)``: ``[(barcode, scale, offset)]`` and quads located but not read."""
    h, w = rgb.shape[:2]
    red = np.ascontiguousarray(rgb[..., 0])
    # The page pass without zxing's rotated and downscaled re-scans (half its cost on a page
    # without a code, no symbol lost on the bench): the finder search below catches what it
    # misses, and the crop retries rotate and scale.
    found = _read(red, errors=True, downscale=False, rotate=False)
    hits = [(b, 1.0, (0, 0)) for b in found if b.valid]
    good = [_quad(b) for b in found if b.valid]
    # candidates: (quad, module or None, reportable when unread, from finder pair)
    cands: list[tuple[np.ndarray, float | None, bool, bool]] = []
    for b in found:
        if b.valid:
            continue
        q = _quad(b)
        if not _plausible(q) or _inside(q.mean(axis=0), good + [c[0] for c in cands]):
            continue  # not a symbol, or the same symbol already read or queued
        cands.append((q, None, True, False))
    cands.sort(key=lambda c: (-float(np.ptp(c[0][:, 0]) * np.ptp(c[0][:, 1])), float(c[0][0, 1]), float(c[0][0, 0])))
    mask = _ink_mask(red)
    rows = mask[::8]
    busy = np.count_nonzero(rows[:, 1:] != rows[:, :-1]) / max(rows.size, 1)
    # ink edges per pixel: text pages ~0.005-0.025; far above, the page is noise or a halftone
    # photo, where tracing every contour would cost ~100x more than finding nothing
    fnd = _finders(mask) if busy <= _MAX_EDGE_DENSITY else np.zeros((0, 3))
    if len(fnd) >= 2:
        # marks inside a decoded symbol (its own three) or a queued one are accounted for
        keep = [i for i, (x, y, m) in enumerate(fnd)
                if not _inside((x, y), good, 4 * m) and not _inside((x, y), [c[0] for c in cands], 4 * m)]
        npairs = 0
        for corners, mod, is_l in _finder_regions(fnd[keep]):
            if _inside(corners.mean(axis=0), [c[0] for c in cands] + good):
                continue
            if not is_l:
                if npairs >= _MAX_PAIR_REGIONS:
                    continue
                npairs += 1
            cands.append((corners, mod, is_l, not is_l))
    unread = []
    done: list[np.ndarray] = []
    for q, mod, report, pair in cands[:_MAX_RETRY_SYMBOLS]:
        if _inside(q.mean(axis=0), done):
            continue  # read already as part of an earlier candidate's crop
        got = _retry(rgb, q, mod, pads=(0.15,)) if pair else _retry(rgb, q, mod)
        if got:
            hits.extend(got)
            done.extend(_quad(b) * s + np.array(o, float) for b, s, o in got)
        elif report:
            unread.append(q)
    if not found and not hits and max(h, w) > _LARGE_SIDE:
        small = cv2.resize(red, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        hits = [(b, 2.0, (0, 0)) for b in _read(small) if b.valid]
    decoded = [_quad(b) * s + np.array(o, float) for b, s, o in hits]
    unread = [q for q in unread if not _inside(q.mean(axis=0), decoded)]
    return hits, unread


def _codes(hits, w: int, h: int) -> list[Code]:
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


def _unread_boxes(unread, w: int, h: int) -> list[BBox]:
    boxes = sorted({_frac(q, w, h) for q in unread}, key=lambda b: (round(b[1] / 0.02), b[0], b[1]))
    return boxes


def read_page_codes(rgb: np.ndarray) -> tuple[list[Code], list[BBox]]:
    """Return ``(decode_codes(rgb), locate_unread(rgb))`` from a single pass over the page."""
    rgb = _as_rgb(rgb)
    if rgb is None:
        return [], []
    h, w = rgb.shape[:2]
    hits, unread = _analyse(rgb)
    return _codes(hits, w, h), _unread_boxes(unread, w, h)


def decode_codes(rgb: np.ndarray) -> list[Code]:
    """Return the QR codes decoded on the page image ``rgb`` (H x W x 3 uint8, any dpi).

    Boxes are page fractions (origin top left); results are sorted top to bottom, left to right,
    and de-duplicated by payload and position.
    """
    return read_page_codes(rgb)[0]


def locate_unread(rgb: np.ndarray) -> list[BBox]:
    """Return boxes (page fractions ``(x0, y0, x1, y1)``) of QR symbols located but not read.

    A symbol counts as located when zxing found its finder marks (a checksum or format error), or
    when three finder marks of one size form the symbol's L; it is reported only if every retry
    failed (too small modules for the scan's blur, a seal or a fold over too much of it, a torn
    corner). A check can then say "uncertain: a code is there but could not be read" rather than
    "no code". Sorted like :func:`decode_codes`; ``[]`` when every located symbol was read.
    Runs the full decode: use :func:`read_page_codes` to get both lists from one pass.
    """
    return read_page_codes(rgb)[1]
