"""Read the text of a seal (印章文字) and tell who issued it.

印章文字识别：把圆章/椭圆章沿圆周“展开”（极坐标展开），使顺时针排列的弧形单位名称变成一行横排文字，
只保留印章本身颜色的墨迹（黑色正文、签字被去掉），再用 RapidOCR 的识别模型（不做检测、不做方向分类）
读出；章内横排文字（如“发票专用章”“财务专用章”“合同专用章”）另行识别，以空格接在名称后面。
方章（人名章、注册会计师章）按行读，2×2 人名章也试按列（右列起、自上而下）读，取得分高者。
:func:`classify_issuer` 按关键字（容忍 OCR 错字）判断盖章单位类别：税务机关、会计师事务所、
市场监管部门、其他机关、企业。

How the arc text is found: the seal's own ink (colour mask made dark-on-white, strength normalised
so a faint seal reads like a strong one) is unwrapped around the seal's centre; the radial ink
profile gives the ring(s) and, inside them, the band of the arc text; the longest angle without
ink in that band is the gap at the bottom of the seal, so the text starts just after it (about
7 o'clock) and runs clockwise to just before it (about 5 o'clock), whatever the seal's rotation.
The gap also gives the seal's rotation, which is undone before the inner horizontal line is read.

Cost: one recognition of a ~500 px strip plus one short line, typically 40–80 ms per seal.
"""
from __future__ import annotations

import math
import re
from typing import Optional

import cv2
import numpy as np

from ..model import Seal

WORK_R = 110  # px: the seal is scaled so its outer radius is about this
STRIP_H = 48  # px: the recogniser's input height
ARC_SQUEEZE = 0.65  # horizontal squeeze of the unwrapped arc (seal glyphs are widely spaced)
MIN_SCORE = 0.45  # a recognition under this score is treated as unreadable


def read_seal(rgb: np.ndarray, seal: Seal) -> tuple[str, float]:
    """Return ``(text, confidence)`` read from ``seal`` on the page image ``rgb``.

    Round and oval seals: the arc text (the issuer's name), then, after a space, any inner
    horizontal line(s) (e.g. ``"三门峡市华兴机械制造有限公司 发票专用章"``). Rectangular seals: their
    lines joined by spaces. ``("", 0.0)`` for a 骑缝章 fragment, when no OCR engine with
    ``recognize_line`` is available, or when nothing readable is found.
    """
    if seal.edge is not None:
        return "", 0.0
    eng = _engine()
    if eng is None:
        return "", 0.0
    crop, ink, box = _seal_ink(rgb, seal)
    if ink is None:
        return "", 0.0
    if seal.shape == "rect":
        parts = _read_rect(eng, ink)
    else:
        parts = _read_round(eng, ink, box)
    floor = MIN_SCORE if seal.colour != "gray" else 0.75  # grey: black print cannot be told apart
    arc = parts[0] if seal.shape != "rect" and parts else None
    parts = [(t, s) for t, s in parts if t and s >= floor]
    if not parts:
        return "", 0.0
    text = " ".join(t for t, _ in parts)
    n = sum(len(t) for t, _ in parts)
    conf = sum(len(t) * s for t, s in parts) / n
    if arc is not None:
        conf = min(conf, arc_confidence(*arc, floor=floor))
    return text, round(float(conf), 4)


ARC_MIN_CHARS = 4  # a seal's name along its rim: fewer characters read is a fragment of it
NO_NAME = 0.3  # the arc (the issuer's name) unread: the inner line (发票专用章 …) names no one


def arc_confidence(text: str, score: float, floor: float = MIN_SCORE) -> float:
    """How far a round or oval seal's reading can be trusted to name its issuer: the recogniser's
    score of the arc text (the name), not lifted by a well-read inner line, and lowered when the
    reading is not a name: under :data:`ARC_MIN_CHARS` characters, or no word of an issuer's kind
    (公司, 局, 事务所 …) in it. An unread arc gives at most :data:`NO_NAME`."""
    if not text or score < floor:
        return NO_NAME
    conf = score
    if len(text) < ARC_MIN_CHARS:
        conf *= 0.5
    elif classify_issuer(text) == "unknown":
        conf *= 0.75
    return conf


def _engine():
    try:
        from ..extract.ocr import get_engine

        eng = get_engine("rapidocr")
    except Exception:
        return None
    return eng if hasattr(eng, "recognize_line") else None


# ------------------------------------------------------------------ ink image
def _seal_ink(rgb: np.ndarray, seal: Seal) -> tuple:
    """Crop the seal (with a margin), scale it to :data:`WORK_R` and return (crop, ink 0..1 float,
    the detector's box in the crop as (cx, cy, half width, half height))."""
    a = np.asarray(rgb)
    if a.ndim == 2:
        a = cv2.cvtColor(a, cv2.COLOR_GRAY2RGB)
    elif a.shape[2] == 4:
        a = a[..., :3]
    H, W = a.shape[:2]
    x0, y0, x1, y1 = seal.bbox
    bw, bh = (x1 - x0) * W, (y1 - y0) * H
    if bw < 8 or bh < 8:
        return None, None, None
    pad = 0.08 * max(bw, bh) + 2
    cx0, cy0 = max(0, int(x0 * W - pad)), max(0, int(y0 * H - pad))
    cx1, cy1 = min(W, int(math.ceil(x1 * W + pad))), min(H, int(math.ceil(y1 * H + pad)))
    crop = a[cy0:cy1, cx0:cx1]
    s = (2 * WORK_R) / max(bw, bh)
    crop = cv2.resize(crop, (max(4, round(crop.shape[1] * s)), max(4, round(crop.shape[0] * s))),
                      interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)
    # where the detector put the seal, in the crop's pixels: (cx, cy, half width, half height)
    box = ((0.5 * (x0 + x1) * W - cx0) * s, (0.5 * (y0 + y1) * H - cy0) * s, 0.5 * bw * s, 0.5 * bh * s)
    return crop, _ink(crop, seal.colour), box


def _ink(crop: np.ndarray, colour: str) -> Optional[np.ndarray]:
    """Ink strength 0..1 of the seal's own colour (black text and signatures are dropped)."""
    c = crop.astype(np.int16)
    if colour == "gray":
        # no colour to go by: seal ink on a grayscale copy is mid-grey, black print is near black
        g = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32)
        paper = float(np.percentile(g, 92))
        mid = (g > 55) & (g < paper - 40)
        if mid.sum() < 30:
            return None
        level = float(np.median(g[mid]))
        ink = np.clip((paper - g - 15) / max(10.0, 0.75 * (paper - level) - 15), 0, 1)
        black = cv2.dilate((g < 55).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        ink[black] = 0
        return ink
    hsv = cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)
    h = hsv[..., 0]
    band = ((h <= 14) | (h >= 165)) if colour != "blue" else ((h >= 88) & (h <= 142))
    chroma = (c.max(axis=2) - c.min(axis=2)).astype(np.float32)
    chroma[~band] = 0
    if (chroma >= 30).sum() < 30:
        return None
    # Detail comes from the luminance (JPEG keeps colour at half resolution only), the colour tells
    # seal ink from black print (dark but colourless): ink = min(colour strength, darkness).
    y = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32)
    paper = float(np.percentile(y, 92))
    dark = np.clip(paper - y, 0, None)
    sel = chroma >= max(30.0, 0.5 * float(np.percentile(chroma[chroma >= 30], 90)))
    ref_c = float(np.percentile(chroma[sel], 90))
    ref_d = float(np.percentile(dark[sel], 90))
    ink = np.minimum(chroma / max(20.0, 0.75 * ref_c), dark / max(12.0, 0.75 * ref_d))
    return np.clip(ink, 0, 1)


def _to_gray(ink: np.ndarray) -> np.ndarray:
    """Dark-on-white uint8 image of an ink map."""
    return (255 - np.clip(ink, 0, 1) * 255).astype(np.uint8)


def _geometry(ink: np.ndarray, box: Optional[tuple] = None) -> tuple[float, float, float, float, float]:
    """Return (cx, cy, a, b, angle_deg) of the seal's outer ellipse: a is the major semi-axis, lying
    along ``angle_deg`` (image degrees, clockwise from +x), b the minor one.

    ``box`` (cx, cy, half width, half height) is where the detector found the seal. On a grey copy
    the ink map also holds the black print around the seal (table rules, figures): an ellipse
    fitted through that overshoots the seal, and the detector's box is then the better answer.
    """
    geo = _fit_ellipse(ink)
    if box is None or _fits_box(geo, box):
        return geo
    bx, by, rx, ry = box
    return (bx, by, rx, ry, 0.0) if rx >= ry else (bx, by, ry, rx, 90.0)


def _fits_box(geo, box) -> bool:
    """Whether a fitted ellipse is the detected seal: centred in its box and no larger than it."""
    cx, cy, a, b, _ = geo
    bx, by, rx, ry = box
    r = max(rx, ry)
    return math.hypot(cx - bx, cy - by) <= 0.2 * r and a <= 1.15 * r and b >= 0.6 * min(rx, ry)


def _fit_ellipse(ink: np.ndarray) -> tuple[float, float, float, float, float]:
    h, w = ink.shape
    m = (ink > 0.35).astype(np.uint8)
    k = max(3, int(WORK_R * 0.09)) | 1
    closed = cv2.morphologyEx(m, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    cnts, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if cnts:
        c = max(cnts, key=cv2.contourArea)
        hull = cv2.convexHull(c)
        if len(hull) >= 5 and cv2.contourArea(hull) > 0.2 * WORK_R * WORK_R:
            (ex, ey), (ea, eb), ang = cv2.fitEllipse(hull)
            if ea < eb:
                ea, eb, ang = eb, ea, ang + 90.0
            return ex, ey, ea / 2, eb / 2, ang % 360.0
    return w / 2, h / 2, max(w, h) / 2, min(w, h) / 2, 0.0 if w >= h else 90.0


def _maps(geo, t: np.ndarray, depth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pixel maps for ellipse parameter angles ``t`` (columns; radians in the ellipse frame, growing
    clockwise on the image) and inward depths ``depth`` (rows; fractions of the minor semi-axis,
    measured from the outer edge along the normal, so text keeps its height on an oval)."""
    cx, cy, a, b, ang = geo
    ct, st = np.cos(t), np.sin(t)
    nx, ny = b * ct, a * st  # outward normal of (a cos t, b sin t)
    nn = np.hypot(nx, ny) + 1e-9
    nx, ny = nx / nn, ny / nn
    d = (depth * b)[:, None]
    ux = a * ct[None, :] - d * nx[None, :]
    uy = b * st[None, :] - d * ny[None, :]
    ca, sa = math.cos(math.radians(ang)), math.sin(math.radians(ang))
    return (cx + ux * ca - uy * sa).astype(np.float32), (cy + ux * sa + uy * ca).astype(np.float32)


def _unwrap(img: np.ndarray, geo, t: np.ndarray, depth: np.ndarray) -> np.ndarray:
    mx, my = _maps(geo, t, depth)
    return cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def _equal_arc(geo, t0: float, t1: float, depth: float, n: int) -> np.ndarray:
    """``n`` parameter angles from t0 to t1 equally spaced in arc length along the curve at ``depth``."""
    ts = np.linspace(t0, t1, 1024)
    mx, my = _maps(geo, ts, np.array([depth], dtype=np.float64))
    seg = np.hypot(np.diff(mx[0]), np.diff(my[0]))
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    return np.interp(np.linspace(0, cum[-1], n), cum, ts)


def _arc_len(geo, t0: float, t1: float, depth: float) -> float:
    ts = np.linspace(t0, t1, 256)
    mx, my = _maps(geo, ts, np.array([depth], dtype=np.float64))
    return float(np.hypot(np.diff(mx[0]), np.diff(my[0])).sum())


# ------------------------------------------------------------------ round / oval
def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Return [start, end) runs of True in a 1-D bool array."""
    d = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return list(zip(np.nonzero(d == 1)[0], np.nonzero(d == -1)[0]))


def _text_band(prof: np.ndarray, depth: np.ndarray) -> tuple[float, float]:
    """From the ink profile (share of angles with ink at each depth, outside → in) return the
    (top, bottom) depths of the arc text band just inside the ring (or the inner ring)."""
    n = len(depth)
    i = 0
    while i < n and prof[i] < 0.45:  # outside the seal
        i += 1
    if i >= n:
        return 0.1, 0.4
    while i < n and prof[i] >= 0.3:  # the outer ring
        i += 1
    # an inner ring (double-ring seal): a nearly complete circle within 0.12 further in
    look = [j for j in range(i, n) if depth[j] <= depth[min(i, n - 1)] + 0.12]
    if look:
        j = max(look, key=lambda q: prof[q])
        if prof[j] >= 0.65:
            i = j
            while i < n and prof[i] >= 0.3:
                i += 1
    top = float(depth[min(i, n - 1)])
    while i < n and prof[i] < 0.12 and depth[i] < top + 0.12:  # blank between ring and text
        i += 1
    start = i
    seg = prof[start:start + max(3, int(0.15 / max(1e-6, depth[1] - depth[0])))]
    thr = max(0.06, 0.4 * float(np.median(seg))) if len(seg) else 0.06
    # the band ends at the steepest drop of the profile 0.16–0.45 in (blur, an inner line or the
    # code line keep some ink below it), else where the profile falls under a third of the text's
    bot = None
    win = [j for j in range(start + 2, n - 2) if 0.16 <= depth[j] - top <= 0.45]
    if win:
        drops = [(float(prof[j - 2:j].mean() - prof[j + 1:j + 3].mean()), j) for j in win]
        drop, jd = max(drops)
        if drop >= 0.15:
            bot = float(depth[jd])
    if bot is None:
        for j in range(start + 1, n - 1):
            if depth[j] - top >= 0.15 and prof[j] < thr and prof[j + 1] < thr:
                bot = float(depth[j])
                break
    if bot is None:
        bot = top + 0.34
    bot = min(max(bot, top + 0.16), top + 0.42)
    return top - 0.01, bot + 0.01


def _read_round(eng, ink: np.ndarray, box: Optional[tuple] = None) -> list[tuple[str, float]]:
    geo = _geometry(ink, box)
    cx, cy, a, b, ang = geo
    oval = a / max(1.0, b) >= 1.15
    n_t = 720
    t_all = np.arange(n_t) * (2 * math.pi / n_t)
    depth = np.linspace(-0.06, 0.62 if oval else 0.8, 70)
    on = _unwrap(ink, geo, t_all, depth) > 0.35
    top, bot = _text_band(on.mean(axis=1), depth)
    # the gap: the longest run of angles where the text band is not inked both in its outer and in
    # its inner part (arc glyphs fill the band's height; a code arc along the rim at the bottom or an
    # inner line reaching down to the rim only fill one part)
    k = 8  # close gaps between characters (about 4°)

    def inked(f0: float, f1: float) -> np.ndarray:
        rows = (depth >= top + f0 * (bot - top)) & (depth <= top + f1 * (bot - top))
        c = on[rows].any(axis=0) if rows.any() else on.any(axis=0)
        return np.convolve(np.concatenate([c[-k:], c, c[:k]]).astype(float), np.ones(2 * k + 1), "same")[k:-k] > 0

    if oval:  # an inner line near the rim at the bottom reaches the inner part: use the outer quarter
        col = inked(0.1, 0.3)
    else:
        col = inked(0.1, 0.42) & inked(0.58, 0.9)
    gaps = _oval_gap(col, inked(0.1, 0.42)) if oval else _gaps(col)
    if len(gaps) > 1:  # a blank where the rim did not print either is a missing chunk, not the gap
        ring = on[depth < top].any(axis=0)
        n_t = len(col)
        cover = [float(np.take(ring, np.arange(int(gs / (2 * math.pi) * n_t), int((gs + gl) / (2 * math.pi) * n_t)),
                               mode="wrap").mean()) for gs, gl in gaps]
        if max(cover) >= 0.5:
            gaps = [g for g, c in zip(gaps, cover) if c >= 0.5]
    best, g0, glen = ("", 0.0), gaps[0][0], gaps[0][1]
    for gs, gl in gaps:
        got = _read_arc(eng, ink, geo, top, bot, gs, gl)
        if _weight(got) > _weight(best):
            best, g0, glen = got, gs, gl
    parts = [best]
    # inner horizontal line(s): turn the seal upright (gap at the bottom), keep the ink inside the
    # arc text band only, and read the lines found by row projection
    g_img = ang + math.degrees(g0 + glen / 2)
    M = cv2.getRotationMatrix2D((cx, cy), g_img - 90.0, 1.0)
    up = cv2.warpAffine(ink, M, (ink.shape[1], ink.shape[0]), flags=cv2.INTER_LINEAR, borderValue=0)
    keep = _inner_mask(up.shape, geo, 90.0 - math.degrees(g0 + glen / 2), g0 + glen / 2, glen / 2,
                       (bot + 0.02) * b, (top + (0.05 if oval else 0.14)) * b)
    up = up * keep
    y_from = cy - 0.15 * b if oval else cy + 0.28 * b
    parts += _read_lines(eng, up, int(cx - a), int(y_from), int(cx + a) + 1, int(cy + b) + 1, min_h=0.07 * b,
                         max_h=0.32 * b)
    return parts


def _gaps(col: np.ndarray) -> list[tuple[float, float]]:
    """Candidate gaps (start, length) in radians: the longest run of angles without arc text, and the
    second longest when it is long too (a partly printed seal also has a blank where the rim and
    text did not print). Without any gap, the bottom is assumed."""
    n = len(col)
    if col.all() or not col.any():
        return [(math.pi / 2 - 0.5, 1.0)]
    first = int(np.argmax(col))  # start the sequence on ink so no gap is split at the wrap-around
    runs = sorted(_runs(np.roll(~col, -first)), key=lambda r: (r[0] - r[1], r[0]))
    out = []
    for s, e in runs[:2]:
        if out and (e - s) < max(n * 20 / 360, 0.4 * (runs[0][1] - runs[0][0])):
            break
        out.append((((s + first) % n) * 2 * math.pi / n, (e - s) * 2 * math.pi / n))
    return out


def _oval_gap(col: np.ndarray, band: np.ndarray) -> list[tuple[float, float]]:
    """The gap of an oval seal: its name runs along one long side, symmetric about the minor axis,
    so the gap is centred on the other end of the minor axis (the side with less ink in the text
    band) and reaches to the first sustained ink on either hand. The wider hand wins: the ends of
    an inner line close to the rim can make one hand stop early, the name's ends stop both."""
    n = len(col)
    w = n * 50 // 360
    ink = [float(np.take(band, np.arange(c - w, c + w), mode="wrap").mean()) for c in (n // 4, 3 * n // 4)]
    c = n // 4 if ink[0] <= ink[1] else 3 * n // 4
    run = max(4, n * 10 // 360)
    best = 0
    for step in (1, -1):
        d = 0
        while d < n // 2:
            idx = np.arange(c + step * d, c + step * (d + run), step)
            if float(np.take(col, idx, mode="wrap").mean()) >= 0.7:
                break
            d += 1
        best = max(best, d)
    if best < n * 20 // 360:
        return _gaps(col)
    return [((c - best) % n * 2 * math.pi / n, 2 * best * 2 * math.pi / n)]


def _weight(res: tuple[str, float]) -> float:
    """Confidently read characters: the score of a reading times its length."""
    return len(res[0]) * res[1] if res[1] >= MIN_SCORE else 0.0


def _read_arc(eng, ink: np.ndarray, geo, top: float, bot: float, g0: float, glen: float) -> tuple[str, float]:
    """Unwrap the arc text band clockwise from the end of the gap (g0, glen) back round to its start
    and read it; if that reads poorly, also try it turned round (tops toward the centre)."""
    b = geo[3]
    margin = math.radians(6.0)
    t0, t1 = g0 + glen - margin, g0 + 2 * math.pi + margin
    mid = (top + bot) / 2
    band_px = (bot - top) * b
    out_w = int(_arc_len(geo, t0, t1, mid) / max(1.0, band_px) * STRIP_H * ARC_SQUEEZE)
    out_w = min(1400, max(60, out_w))
    ts = _equal_arc(geo, t0, t1, mid, out_w)
    strip = _unwrap(ink, geo, ts, np.linspace(top, bot, STRIP_H))
    best = _rec(eng, _to_gray(strip))
    if best[1] < 0.75:
        alt = _rec(eng, _to_gray(strip[::-1, ::-1]))
        if alt[1] > best[1] + 0.1:
            best = alt
    return best


def _inner_mask(shape, geo, phi_deg: float, t_gap: float, half_gap: float, d_text: float, d_gap: float) -> np.ndarray:
    """1 where ink may belong to an inner horizontal line: deeper than the arc text band (``d_text``
    px from the rim), or, within the gap at the bottom (where there is no arc text), deeper than
    ``d_gap``. ``phi_deg`` is the ellipse's angle in the (turned upright) image."""
    cx, cy, a, b, _ = geo
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]].astype(np.float32)
    x, y = xx - cx, yy - cy
    cp, sp = math.cos(math.radians(phi_deg)), math.sin(math.radians(phi_deg))
    u, v = x * cp + y * sp, -x * sp + y * cp
    f = u * u / (a * a) + v * v / (b * b) - 1
    grad = 2 * np.hypot(u / (a * a), v / (b * b)) + 1e-6
    d = -f / grad  # about the distance to the rim, positive inside
    tau = np.arctan2(v / b, u / a)
    in_gap = np.abs((tau - t_gap + math.pi) % (2 * math.pi) - math.pi) < half_gap
    return ((d >= d_text) | (in_gap & (d >= d_gap))).astype(np.float32)


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _plausible(t: str) -> bool:
    """An inner line worth keeping: 2+ CJK chars, or a code of 6+ letters/digits."""
    return len(_CJK.findall(t)) >= 2 or len(re.findall(r"[0-9A-Z]", t)) >= 6


def _read_lines(eng, ink: np.ndarray, x0: int, y0: int, x1: int, y1: int, min_h: float,
                max_h: float = 1e9) -> list[tuple[str, float]]:
    """Read horizontal text lines of ``ink`` inside a box (lines found by row projection)."""
    h, w = ink.shape
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 - x0 < 8 or y1 - y0 < 6:
        return []
    reg = ink[y0:y1, x0:x1]
    on = reg > 0.35
    rows = on.sum(axis=1) >= max(2, int(0.04 * on.shape[1]))  # not a stray frame side
    out = []
    for s, e in _runs(rows):
        if e - s < min_h or e - s > max_h:
            continue
        cols = np.nonzero(on[s:e].any(axis=0))[0]
        if len(cols) < 4:
            continue
        c0, c1 = cols[0], cols[-1] + 1
        if (c1 - c0) < 1.5 * (e - s):  # a single glyph or a star tip, not a line
            continue
        m = max(2, (e - s) // 6)
        line = reg[max(0, s - m):e + m, max(0, c0 - m):c1 + m]
        txt, sc = _rec(eng, _to_gray(line))
        if sc >= 0.6 and _plausible(txt):
            out.append((txt, sc))
    return out


# ------------------------------------------------------------------ rectangular
def _read_rect(eng, ink: np.ndarray) -> list[tuple[str, float]]:
    """Read a rectangular stamp: turned square to the page (the smallest turn), border and long
    frame lines removed, then its lines top to bottom; a 2 x 2 personal seal (张伟之印) is read by
    columns, right column first."""
    on = (ink > 0.35).astype(np.uint8)
    k = max(3, int(WORK_R * 0.06)) | 1
    closed = cv2.morphologyEx(on, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    cnts, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not cnts:
        return []
    (rcx, rcy), (rw, rh), rang = cv2.minAreaRect(max(cnts, key=cv2.contourArea))
    if rang > 45:
        rang, rw, rh = rang - 90, rh, rw
    elif rang < -45:
        rang, rw, rh = rang + 90, rh, rw
    M = cv2.getRotationMatrix2D((rcx, rcy), rang, 1.0)
    M[0, 2] += rw / 2 - rcx
    M[1, 2] += rh / 2 - rcy
    w, h = max(8, int(round(rw))), max(8, int(round(rh)))
    box = cv2.warpAffine(ink, M, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    bw = max(2, int(0.07 * min(w, h)))  # the border
    inner = box[bw:h - bw, bw:w - bw]
    if min(inner.shape) < 8:
        return []
    ih, iw = inner.shape
    u = (inner > 0.35).astype(np.uint8)
    # drop long straight lines (inner frames, dividers) and what is left of the border
    lines = cv2.morphologyEx(u, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(iw * 0.6)), 1)))
    lines |= cv2.morphologyEx(u, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(3, int(ih * 0.6)))))
    inner = inner * (1 - cv2.dilate(lines, np.ones((5, 5), np.uint8)))
    horiz = _read_lines(eng, inner, 0, 0, iw, ih, min_h=0.08 * ih, max_h=0.7 * ih)
    if 0.75 <= iw / ih <= 1.33:
        grid = _read_grid(eng, inner)
        if grid[1] >= 0.6 and _weight(grid) > sum(_weight(p) for p in horiz):
            return [grid]
    return horiz


def _read_grid(eng, inner: np.ndarray) -> tuple[str, float]:
    """Read a square seal as a 2 x 2 grid of glyphs, right column first, top to bottom (张伟之印)."""
    ih, iw = inner.shape
    tiles = []
    for x0, x1 in ((iw // 2, iw), (0, iw // 2)):
        for y0, y1 in ((0, ih // 2), (ih // 2, ih)):
            cell = inner[y0:y1, x0:x1]
            ys, xs = np.nonzero(cell > 0.35)
            if len(xs) < 10:
                return "", 0.0
            g = cell[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
            g = cv2.resize(g, (max(4, round(g.shape[1] * 40 / max(1, g.shape[0]))), 40), interpolation=cv2.INTER_AREA)
            tiles.append(np.pad(g, ((4, 4), (5, 5))))
    return _rec(eng, _to_gray(np.concatenate(tiles, axis=1)))


_JUNK = "|[](){}（）【】「」、,.，。:;：；'\"`~_-—!！?？*^"


def _rec(eng, gray: np.ndarray) -> tuple[str, float]:
    """Recognise one dark-on-white line (padded with white); strips spaces from the result."""
    if gray.size == 0:
        return "", 0.0
    g = np.pad(gray, ((6, 6), (8, 8)), constant_values=255)
    try:
        txt, score = eng.recognize_line(g)
    except Exception:
        return "", 0.0
    txt = re.sub(r"\s+", "", txt or "").strip(_JUNK)
    return txt, float(score or 0.0) if txt else 0.0


# ------------------------------------------------------------------ issuer
# (keyword, allowed edits, anchor chars: at least one must be in the text, so the edits cannot
# remove the keyword's distinctive character, e.g. 商务局 is not 税务局); first hit wins
_RULES: list[tuple[str, list[tuple[str, int, str]]]] = [
    # a tax agents' firm is a private firm: neither the tax authority nor an audit firm
    ("company", [("税务师事务所", 1, "税")]),
    ("audit_firm", [("会计师事务所", 2, "会计"), ("审计事务所", 1, "审"), ("会计师", 0, "")]),
    ("company", [("有限责任公司", 1, ""), ("股份有限公司", 1, ""), ("有限公司", 1, ""), ("集团", 0, "")]),
    ("tax", [("国家税务总局", 2, "税"), ("税务分局", 1, "税"), ("税务局", 1, "税"), ("税务所", 1, "税"),
             ("税务", 0, "")]),
    ("market_regulator", [("市场监督管理局", 2, "监"), ("工商行政管理局", 2, "工"), ("市场监管局", 1, "监"),
                          ("市场监督", 1, "监")]),
    ("government", [("人民政府", 1, "政"), ("委员会", 1, "委"), ("管委会", 0, ""), ("办公室", 0, ""),
                    ("人民法院", 1, "法"), ("政府", 0, ""), ("厅", 0, ""), ("局", 0, "")]),
    ("company", [("公司", 0, ""), ("有限", 0, ""), ("厂", 0, ""), ("合作社", 1, "社"), ("银行", 0, ""),
                 ("信用社", 0, ""), ("事务所", 1, "所"), ("商行", 0, ""), ("店", 0, ""),
                 ("发票专用章", 1, "票")]),
]


def classify_issuer(text: str) -> str:
    """Return who issued a seal from its text: ``tax`` | ``audit_firm`` | ``market_regulator`` |
    ``government`` | ``company`` | ``unknown``.

    Keywords are matched with a few OCR errors allowed (``税各局`` still means 税务局, ``有限公可``
    still 有限公司). Order matters: 税务师事务所 is a private firm (``company``, not the tax
    authority), accounting firms before companies, the tax and market authorities before other
    public bodies (人民政府, 委员会, 厅, 局), banks and co-operatives count as ``company``.
    """
    t = re.sub(r"[\s·•\.\-_,，。:：()（）]", "", text or "")
    if not t:
        return "unknown"
    for label, keys in _RULES:
        for kw, k, anchor in keys:
            if (not anchor or any(ch in t for ch in anchor)) and _fuzzy_in(kw, t, k):
                return label
    return "unknown"


def _fuzzy_in(kw: str, text: str, k: int) -> bool:
    """True when ``kw`` occurs in ``text`` with at most ``k`` edits (approximate substring match).

    Allowed edits never exceed a third of the keyword, so short keywords must match exactly.
    """
    if k == 0 or len(kw) < 3:
        return kw in text
    k = min(k, len(kw) // 3)
    if k == 0:
        return kw in text
    m = len(kw)
    prev = [0] * (len(text) + 1)  # Sellers: free start anywhere in text
    for i in range(1, m + 1):
        cur = [i] + [0] * len(text)
        for j in range(1, len(text) + 1):
            cost = 0 if kw[i - 1] == text[j - 1] else 1
            cur[j] = min(prev[j - 1] + cost, prev[j] + 1, cur[j - 1] + 1)
        prev = cur
    return min(prev) <= k
