"""Seal (印章) detection on synthetic pages: whole seals, 骑缝章 fragments, grayscale fallback, negatives.

The drawing helpers here (``page``, ``round_seal``, ``oval_seal``, ``rect_seal``, ``stamp``…) draw
their own seal variants with PIL so the tests do not only reflect the fixture generator; one test
also uses ``shenbao.fixtures.render.seal_image``. ``test_seal_text`` imports them.
"""
from __future__ import annotations

import math
import random
import time

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from shenbao.fixtures.render import pil_font, seal_image
from shenbao.vision import seals

RED = (205, 28, 38)
BLUE = (30, 70, 190)
DPI = 150
TEXT = ("根据《三门峡市支持制造业高质量发展若干政策》的规定，我单位申请设备购置补助资金，"
        "现将有关情况报告如下：项目总投资一千二百万元，已完成设备采购及安装调试。")


# ------------------------------------------------------------------ drawing helpers
def mm(v: float, dpi: int = DPI) -> int:
    """Millimetres to pixels at ``dpi``."""
    return int(round(v * dpi / 25.4))


def page(dpi: int = DPI, landscape: bool = False, text: bool = True, seed: int = 0) -> np.ndarray:
    """A white A4 page (RGB uint8) with a black title and paragraphs of body text."""
    w, h = mm(210, dpi), mm(297, dpi)
    if landscape:
        w, h = h, w
    img = Image.new("RGB", (w, h), (255, 255, 255))
    if text:
        d = ImageDraw.Draw(img)
        rng = random.Random(seed)
        d.text((w // 2, mm(25, dpi)), "关于申请2025年度工业企业技术改造补助资金的报告", font=pil_font(mm(6, dpi)),
               fill=(0, 0, 0), anchor="mm")
        f = pil_font(mm(3.7, dpi))
        y = mm(40, dpi)
        while y < h - mm(25, dpi):
            k = rng.randrange(len(TEXT) - 30)
            n = int((w - mm(50, dpi)) / (mm(3.7, dpi) * 1.02))
            d.text((mm(25, dpi), y), (TEXT * 3)[k:k + n], font=f, fill=(10, 10, 10))
            y += mm(7, dpi)
    return np.asarray(img).copy()


def _arc_text(img: Image.Image, cx: float, cy: float, rx: float, ry: float, name: str, fsize: int,
              span: float, start: float, ink) -> None:
    font = pil_font(fsize, bold=True)
    n = len(name)
    for i, ch in enumerate(name):
        a = math.radians(start + span * (i + 0.5) / n)
        px, py = cx + rx * math.cos(a), cy + ry * math.sin(a)
        # outward normal of the ellipse at this point
        nang = math.degrees(math.atan2(math.sin(a) / max(ry, 1), math.cos(a) / max(rx, 1)))
        tile = Image.new("L", (fsize * 2, fsize * 2), 0)
        ImageDraw.Draw(tile).text((fsize, fsize), ch, font=font, fill=255, anchor="mm")
        tile = tile.rotate(-(nang + 90), resample=Image.BICUBIC)
        img.paste(ink, (int(px - fsize), int(py - fsize)), tile)


def _star(d: ImageDraw.ImageDraw, cx: float, cy: float, R: float, ink) -> None:
    pts = []
    for i in range(10):
        ang = -math.pi / 2 + i * math.pi / 5
        rad = R if i % 2 == 0 else R * 0.38
        pts.append((cx + rad * math.cos(ang), cy + rad * math.sin(ang)))
    d.polygon(pts, fill=ink)


def round_seal(name: str, d_px: int, inner: str = "", double: bool = False, star: bool = True,
               rotation: float = 0.0, span: float | None = None, oval: float = 1.0) -> np.ndarray:
    """An ink-coverage mask (float 0..1, square/rect) of a round (or oval: ``oval`` = w/h) seal."""
    w, h = d_px, int(round(d_px / oval))
    img = Image.new("L", (w, h), 0)
    dr = ImageDraw.Draw(img)
    lw = max(3, int(d_px * 0.032))
    dr.ellipse([1, 1, w - 2, h - 2], outline=255, width=lw)
    if double:
        g = lw + max(2, int(d_px * 0.02))
        dr.ellipse([g, g, w - 1 - g, h - 1 - g], outline=255, width=max(1, lw // 3))
    cx, cy = w / 2, h / 2
    n = len(name)
    fsize = int(min(w, h) * (0.14 if n <= 10 else 0.12 if n <= 14 else 0.105))
    off = lw + (max(2, int(d_px * 0.02)) + lw // 3 if double else 0) + fsize * 0.72
    span = span if span is not None else min(250.0, 17.0 * n + 40)
    _arc_text(img, cx, cy, w / 2 - off, h / 2 - off, name, fsize, span, 270 - span / 2, 255)
    if star:
        _star(dr, cx, cy - (0.02 * h if inner else 0), min(w, h) * 0.14, 255)
    if inner:
        f2 = pil_font(max(6, int(min(w, h) * 0.085)), bold=True)
        dr.text((cx, cy + h * 0.26), inner, font=f2, fill=255, anchor="mm")
    if rotation:
        img = img.rotate(rotation, resample=Image.BICUBIC, expand=True)
    return np.asarray(img, dtype=np.float32) / 255.0


def oval_seal(name: str, w_px: int, h_px: int, code: str = "914112007XA1234567",
              inner: str = "发票专用章") -> np.ndarray:
    """A 发票专用章-style oval: arc name on top, tax number across the middle, inner text below."""
    img = Image.new("L", (w_px, h_px), 0)
    dr = ImageDraw.Draw(img)
    lw = max(3, int(h_px * 0.035))
    dr.ellipse([1, 1, w_px - 2, h_px - 2], outline=255, width=lw)
    n = len(name)
    fs = int(h_px * (0.14 if n <= 10 else 0.125 if n <= 14 else 0.11))
    span = min(210.0, 130 + 6 * n)
    _arc_text(img, w_px / 2, h_px / 2, w_px / 2 - lw - fs * 0.75, h_px / 2 - lw - fs * 0.75, name, fs, span,
              270 - span / 2, 255)
    f = pil_font(int(h_px * 0.1))
    tw = dr.textlength(code, font=f)
    f = pil_font(max(6, int(h_px * 0.1 * min(1.0, 0.62 * w_px / tw))))
    dr.text((w_px / 2, h_px * 0.56), code, font=f, fill=255, anchor="mm")
    dr.text((w_px / 2, h_px * 0.8), inner, font=pil_font(int(h_px * 0.12), bold=True), fill=255, anchor="mm")
    return np.asarray(img, dtype=np.float32) / 255.0


def rect_seal(lines: list[str], w_px: int, h_px: int, border: bool = True) -> np.ndarray:
    """A rectangular stamp: a border and lines of text inside (or only the border when ``lines`` is empty)."""
    img = Image.new("L", (w_px, h_px), 0)
    dr = ImageDraw.Draw(img)
    lw = max(2, int(min(w_px, h_px) * 0.05))
    if border:
        dr.rectangle([0, 0, w_px - 1, h_px - 1], outline=255, width=lw)
    if lines:
        fs = int(min((h_px - 4 * lw) / len(lines) * 0.8, (w_px - 4 * lw) / max(len(s) for s in lines)))
        for i, s in enumerate(lines):
            dr.text((w_px / 2, h_px * (i + 0.5) / len(lines)), s, font=pil_font(fs, bold=True), fill=255, anchor="mm")
    return np.asarray(img, dtype=np.float32) / 255.0


def stamp(rgb: np.ndarray, mask: np.ndarray, cx: int, cy: int, colour=RED, opacity: float = 0.92,
          rng: np.random.Generator | None = None, dropout: float = 0.0) -> tuple:
    """Print ``mask`` in ``colour`` centred at (cx, cy) by multiply blending (black text stays black).

    ``dropout`` removes ink unevenly (blotchy mask). Clips at the page edges. Returns the drawn
    seal's box as page fractions.
    """
    a = mask * opacity
    if dropout:
        rng = rng or np.random.default_rng(0)
        noise = cv2.GaussianBlur(rng.random(mask.shape, dtype=np.float32), (0, 0), 3)
        noise = (noise - noise.min()) / (np.ptp(noise) + 1e-6)
        a = a * np.clip((noise - dropout) * 4, 0, 1)
    h, w = a.shape
    H, W = rgb.shape[:2]
    x0, y0 = cx - w // 2, cy - h // 2
    sx0, sy0 = max(0, -x0), max(0, -y0)
    dx0, dy0 = max(0, x0), max(0, y0)
    dx1, dy1 = min(W, x0 + w), min(H, y0 + h)
    if dx1 <= dx0 or dy1 <= dy0:
        return (0, 0, 0, 0)
    sub = a[sy0:sy0 + dy1 - dy0, sx0:sx0 + dx1 - dx0, None]
    ink = np.asarray(colour, np.float32) / 255.0
    region = rgb[dy0:dy1, dx0:dx1].astype(np.float32)
    rgb[dy0:dy1, dx0:dx1] = np.clip(region * (1 - sub + sub * ink), 0, 255).astype(np.uint8)
    ys, xs = np.nonzero(mask > 0.3)
    bx0, bx1 = max(0, x0 + xs.min()), min(W, x0 + xs.max() + 1)
    by0, by1 = max(0, y0 + ys.min()), min(H, y0 + ys.max() + 1)
    return (bx0 / W, by0 / H, bx1 / W, by1 / H)


def iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    ua = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / ua if ua > 0 else 0.0


def scan(rgb: np.ndarray, seed: int = 1, strength: float = 1.0, jpeg: int = 70) -> np.ndarray:
    """Scanner look (fixture degradation: rotation, tint, blur, noise) plus a JPEG round trip."""
    from shenbao.fixtures.scan import degrade_scan

    img = degrade_scan(Image.fromarray(rgb), random.Random(seed), strength=strength)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, jpeg])
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def scan_in_place(rgb: np.ndarray, seed: int = 1, jpeg: int = 70) -> np.ndarray:
    """Scanner look without moving the content (paper tint, blur, noise, JPEG): a 2 mm sliver at the
    page edge stays on the page (the fixture scan shifts content by up to 12 px)."""
    rng = np.random.default_rng(seed)
    a = rgb.astype(np.float32) * np.array([0.97, 0.95, 0.9], np.float32)
    a = cv2.GaussianBlur(a, (0, 0), 0.8)
    a += rng.standard_normal(a.shape[:2], dtype=np.float32)[..., None] * 4.0
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(np.clip(a, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_JPEG_QUALITY, jpeg])
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def photo(rgb: np.ndarray, seed: int = 2) -> np.ndarray:
    """Phone-photo look from the fixtures (perspective, desk, vignette, colour cast)."""
    from shenbao.fixtures.scan import degrade_photo

    return np.asarray(degrade_photo(Image.fromarray(rgb), random.Random(seed))).copy()


COMPANY = "三门峡市华兴机械制造有限公司"
