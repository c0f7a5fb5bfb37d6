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


# ------------------------------------------------------------------ detect_seals: what a user sees
def company_seal_mask(dpi: int = DPI, diameter_mm: float = 42.0, **kw) -> np.ndarray:
    """The applicant's round seal: star in the middle, the company name around the top."""
    return round_seal(COMPANY, mm(diameter_mm, dpi), **kw)


def only(found: list, truth: tuple, min_iou: float = 0.7):
    """The one seal found, checked against the drawn box."""
    assert len(found) == 1, found
    s = found[0]
    assert iou(s.bbox, truth) > min_iou, (truth, s)
    assert 0.0 < s.confidence <= 1.0
    return s


def seal_page(dpi: int = DPI, landscape: bool = False, colour=RED, **kw) -> tuple[np.ndarray, tuple]:
    """A page of body text with the company seal stamped over its lower right, and the seal's box."""
    rgb = page(dpi, landscape=landscape)
    H, W = rgb.shape[:2]
    truth = stamp(rgb, company_seal_mask(dpi, **kw), W - mm(60, dpi), H - mm(75, dpi), colour=colour)
    return rgb, truth


@pytest.mark.parametrize("dpi,landscape", [(100, False), (150, False), (200, False), (300, False), (150, True)])
def test_round_company_seal_over_body_text(dpi, landscape):
    rgb, truth = seal_page(dpi, landscape)
    s = only(seals.detect_seals(rgb), truth)
    assert (s.colour, s.shape, s.edge) == ("red", "round", None)
    assert s.confidence >= 0.5


def test_rotated_round_seal_is_found():
    rgb = page()
    truth = stamp(rgb, company_seal_mask(rotation=33.0), mm(120), mm(200))
    s = only(seals.detect_seals(rgb), truth)
    assert s.shape == "round"


def test_double_ring_seal():
    rgb = page()
    truth = stamp(rgb, round_seal("三门峡市湖滨区市场监督管理局", mm(42), double=True), mm(140), mm(210))
    s = only(seals.detect_seals(rgb), truth)
    assert (s.colour, s.shape) == ("red", "round")


def test_oval_invoice_seal_40_by_30_mm():
    rgb = page()
    truth = stamp(rgb, oval_seal(COMPANY, mm(40), mm(30)), mm(150), mm(230))
    s = only(seals.detect_seals(rgb), truth)
    assert (s.colour, s.shape) == ("red", "oval")


def test_blue_seal():
    rgb, truth = seal_page(colour=BLUE)
    s = only(seals.detect_seals(rgb), truth)
    assert (s.colour, s.shape) == ("blue", "round")


def test_rectangular_finance_stamp():
    rgb = page()
    truth = stamp(rgb, rect_seal(["华兴机械", "财务专用章"], mm(26), mm(22)), mm(150), mm(240))
    s = only(seals.detect_seals(rgb), truth)
    assert (s.colour, s.shape, s.edge) == ("red", "rect", None)


def test_faint_blotchy_seal():
    rgb = page()
    truth = stamp(rgb, company_seal_mask(), mm(140), mm(210), opacity=0.5, dropout=0.25,
                  rng=np.random.default_rng(5))
    s = only(seals.detect_seals(rgb), truth, 0.6)
    assert s.colour == "red" and s.shape == "round"


def test_partly_printed_seal():
    """A quarter of the rim (lower left) did not print: still one round seal."""
    m = company_seal_mask()
    h, w = m.shape
    yy, xx = np.mgrid[0:h, 0:w]
    ang = np.degrees(np.arctan2(yy - h / 2, xx - w / 2))  # 90° = down
    m = m * ~((ang > 100) & (ang < 180))
    rgb = page()
    stamp(rgb, m, mm(140), mm(210))
    truth = (mm(140 - 21) / rgb.shape[1], mm(210 - 21) / rgb.shape[0],
             mm(140 + 21) / rgb.shape[1], mm(210 + 21) / rgb.shape[0])
    s = only(seals.detect_seals(rgb), truth, 0.6)
    assert s.shape == "round"


def test_seal_over_a_black_signature():
    rgb = page(text=False)
    img = Image.fromarray(rgb)
    d = ImageDraw.Draw(img)
    rng = random.Random(3)
    x, y = mm(110), mm(205)
    pts = [(x + i * mm(3), y + rng.randint(-mm(6), mm(6))) for i in range(20)]
    d.line(pts, fill=(15, 15, 15), width=mm(0.8), joint="curve")
    d.line([(x, y + mm(4)), (x + mm(55), y - mm(3))], fill=(15, 15, 15), width=mm(0.9))
    rgb = np.asarray(img).copy()
    truth = stamp(rgb, company_seal_mask(), mm(140), mm(205))
    s = only(seals.detect_seals(rgb), truth)
    assert s.shape == "round"


def test_two_seals_on_one_page_in_reading_order():
    rgb = page()
    a = stamp(rgb, company_seal_mask(), mm(60), mm(230))
    b = stamp(rgb, round_seal("三门峡市财政局", mm(42)), mm(150), mm(120))
    found = seals.detect_seals(rgb)
    assert len(found) == 2, found
    assert iou(found[0].bbox, b) > 0.7 and iou(found[1].bbox, a) > 0.7, found  # top to bottom


def test_seal_on_a_scanned_page():
    rgb, truth = seal_page(200)
    s = only(seals.detect_seals(scan(rgb, seed=4)), truth, 0.6)  # the scan shifts and turns the page a little
    assert s.colour == "red" and s.shape == "round"


def test_seal_on_a_scan_in_place():
    rgb, truth = seal_page(150)
    s = only(seals.detect_seals(scan_in_place(rgb, seed=2)), truth)
    assert s.colour == "red" and s.shape == "round"


def test_seal_on_a_phone_photo():
    rgb, truth = seal_page(150)
    found = seals.detect_seals(photo(rgb))
    assert len(found) == 1, found
    s = found[0]
    assert s.colour == "red" and s.edge is None
    cx, cy = (s.bbox[0] + s.bbox[2]) / 2, (s.bbox[1] + s.bbox[3]) / 2
    tx, ty = (truth[0] + truth[2]) / 2, (truth[1] + truth[3]) / 2
    assert abs(cx - tx) < 0.12 and abs(cy - ty) < 0.12, (truth, s)  # perspective moves it a little


@pytest.mark.parametrize("channels", [3, 1])
def test_grayscale_copy_of_a_sealed_page(channels):
    rgb, truth = seal_page(150)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    img = gray if channels == 1 else cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB)
    s = only(seals.detect_seals(img), truth, 0.6)
    assert s.colour == "gray" and s.shape == "round" and s.edge is None


@pytest.mark.parametrize("edge", ["right", "left"])
def test_perforation_seal_cap_at_the_page_edge(edge):
    """骑缝章: stamped across the edge of a volume, this page shows a cap of the seal ~14 mm deep."""
    rgb = page()
    H, W = rgb.shape[:2]
    cx = W + mm(7) if edge == "right" else -mm(7)
    truth = stamp(rgb, company_seal_mask(), cx, mm(150))
    found = seals.detect_seals(rgb)
    assert len(found) == 1, found
    s = found[0]
    assert s.edge == edge and s.colour == "red", s
    assert iou(s.bbox, truth) > 0.5, (truth, s)
    assert (s.bbox[0] > 0.85) if edge == "right" else (s.bbox[2] < 0.15)


def test_whole_seal_near_the_edge_is_not_a_fragment():
    rgb = page()
    truth = stamp(rgb, company_seal_mask(), rgb.shape[1] - mm(26), mm(150))
    s = only(seals.detect_seals(rgb), truth)
    assert s.edge is None


# ---- negatives: red things on a page that are not seals
def _draw(rgb: np.ndarray, fn) -> np.ndarray:
    img = Image.fromarray(rgb)
    fn(ImageDraw.Draw(img))
    return np.asarray(img).copy()


def _red_heading(d):
    d.text((mm(105), mm(30)), "三门峡市工业和信息化局文件", font=pil_font(mm(12), bold=True), fill=RED, anchor="mm")
    d.line([(mm(20), mm(45)), (mm(190), mm(45))], fill=RED, width=mm(0.8))
    d.line([(mm(20), mm(47)), (mm(190), mm(47))], fill=RED, width=mm(0.25))


def _red_rule(d):
    d.line([(mm(20), mm(60)), (mm(190), mm(60))], fill=RED, width=mm(1.2))


def _red_paragraph(d):
    f = pil_font(mm(4))
    for i in range(8):
        d.text((mm(25), mm(60 + 7 * i)), (TEXT * 2)[i * 5:i * 5 + 40], font=f, fill=RED)


def _red_logo(d):  # a 10 mm ring + disc with white letters
    cx, cy, r = mm(30), mm(20), mm(5)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=RED, width=mm(0.6))
    d.ellipse([cx - r * 0.7, cy - r * 0.7, cx + r * 0.7, cy + r * 0.7], fill=RED)
    d.text((cx, cy), "HX", font=pil_font(mm(3.5), bold=True), fill=(255, 255, 255), anchor="mm")


def _red_box(d):
    d.rectangle([mm(120), mm(200), mm(160), mm(225)], outline=RED, width=mm(0.6))


def _red_button(d):
    d.rounded_rectangle([mm(80), mm(150), mm(130), mm(165)], radius=mm(2), fill=RED)
    d.text((mm(105), mm(157.5)), "提交申请", font=pil_font(mm(6), bold=True), fill=(255, 255, 255), anchor="mm")


def _red_scribble(d):
    rng = random.Random(7)
    x, y = mm(120), mm(220)
    pts = []
    for _ in range(40):
        x += rng.randint(-mm(4), mm(5))
        y += rng.randint(-mm(4), mm(4))
        pts.append((x, y))
    d.line(pts, fill=RED, width=mm(0.7), joint="curve")


def _red_ring(d):  # a bare 40 mm circle: no text, no star
    d.ellipse([mm(100), mm(180), mm(140), mm(220)], outline=RED, width=mm(1.2))


def _red_disc(d):
    d.ellipse([mm(100), mm(180), mm(140), mm(220)], fill=RED)


def _red_pie_chart(d):
    d.pieslice([mm(100), mm(180), mm(140), mm(220)], 0, 120, fill=RED)
    d.pieslice([mm(100), mm(180), mm(140), mm(220)], 120, 250, fill=(240, 120, 120))


def _red_bar_chart(d):
    for i in range(5):
        d.rectangle([mm(30 + 25 * i), mm(230 - 15 * i), mm(45 + 25 * i), mm(250)], fill=RED)


def _red_tick(d):
    d.line([(mm(100), mm(200)), (mm(113), mm(220)), (mm(140), mm(180))], fill=RED, width=mm(1.5))


def _red_underlines(d):
    for i in range(15):
        d.line([(mm(25), mm(60 + 7 * i)), (mm(185), mm(60 + 7 * i))], fill=RED, width=mm(0.4))


def _red_text_down_the_right_edge(d):
    for i, ch in enumerate("内部资料注意保存"):
        d.text((mm(205), mm(100 + 6 * i)), ch, font=pil_font(mm(5)), fill=RED, anchor="mm")


def _red_tab_at_the_edge(d):  # a solid index tab with white text, cut by the edge
    d.rectangle([mm(200), mm(100), mm(210), mm(130)], fill=RED)
    d.text((mm(205), mm(115)), "附", font=pil_font(mm(6)), fill=(255, 255, 255), anchor="mm")


@pytest.mark.parametrize("draw", [_red_heading, _red_rule, _red_paragraph, _red_logo, _red_box, _red_button,
                                  _red_scribble, _red_ring, _red_disc, _red_pie_chart, _red_bar_chart, _red_tick,
                                  _red_underlines, _red_text_down_the_right_edge, _red_tab_at_the_edge],
                         ids=lambda f: f.__name__.lstrip("_"))
def test_red_marks_that_are_not_seals(draw):
    assert seals.detect_seals(_draw(page(), draw)) == []


def test_red_marks_together_on_a_scan_are_not_seals():
    rgb = page()
    for f in (_red_heading, _red_logo, _red_box, _red_button, _red_scribble):
        rgb = _draw(rgb, f)
    assert seals.detect_seals(scan_in_place(rgb, seed=5)) == []


@pytest.mark.parametrize("tint", [(250, 215, 220), (240, 150, 150)], ids=["pink", "red"])
def test_tinted_page_is_no_seal(tint):
    rgb = page()
    rgb = (rgb.astype(np.float32) * (np.asarray(tint, np.float32) / 255.0)).astype(np.uint8)
    assert seals.detect_seals(rgb) == []


def test_empty_page():
    assert seals.detect_seals(page(text=False)) == []
    assert seals.detect_seals(np.zeros((400, 300, 3), np.uint8)) == []


@pytest.mark.parametrize("shape", [(10, 10, 3), (1, 1, 3), (10, 10), (39, 600, 3), (0, 0, 3)])
def test_tiny_images(shape):
    img = np.full(shape, 255, np.uint8)
    img.reshape(-1)[::3] = 0  # some dark / coloured pixels, not a blank
    assert seals.detect_seals(img) == []


def test_tiny_red_image():
    img = np.zeros((12, 12, 3), np.uint8)
    img[...] = RED
    assert seals.detect_seals(img) == []


def test_grayscale_page_of_body_text_only():
    gray = cv2.cvtColor(page(), cv2.COLOR_RGB2GRAY)
    assert seals.detect_seals(gray) == []
    assert seals.detect_seals(cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB)) == []
    assert seals.detect_seals(scan_in_place(cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB))) == []


def test_page_is_not_modified_and_result_is_deterministic():
    rgb, truth = seal_page(150)
    stamp(rgb, oval_seal(COMPANY, mm(40), mm(30)), mm(60), mm(80))
    before = rgb.copy()
    a = seals.detect_seals(rgb)
    b = seals.detect_seals(rgb)
    assert np.array_equal(rgb, before)
    assert len(a) == 2 and a == b
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    g0 = gray.copy()
    assert seals.detect_seals(gray) == seals.detect_seals(gray)
    assert np.array_equal(gray, g0)


def test_fixture_seal_image_is_found():
    """The fixture generator's own seal (uneven ink, rotation) on a page."""
    rgb = page(200)
    ink = seal_image(COMPANY, size_px=mm(42, 200), rng=random.Random(4))
    img = Image.fromarray(rgb)
    from shenbao.fixtures.render import ink_bbox, multiply_onto

    x, y = mm(130, 200), mm(190, 200)
    multiply_onto(img, ink, x, y)
    bx0, by0, bx1, by1 = ink_bbox(ink)
    W, H = img.size
    truth = ((x + bx0) / W, (y + by0) / H, (x + bx1) / W, (y + by1) / H)
    s = only(seals.detect_seals(np.asarray(img).copy()), truth)
    assert s.colour == "red" and s.shape == "round"


@pytest.mark.parametrize("kind", ["faint", "partial"])
def test_fixture_faint_and_partial_impressions(kind):
    """The fixture generator's faint (opacity 0.38–0.58) and partly printed impressions, a few seeds."""
    from shenbao.fixtures.render import company_seal, impress, impression, ink_bbox, multiply_onto

    for seed in range(3):
        rng = random.Random(seed)
        ink = impress(company_seal(COMPANY, rng), impression(rng, **{kind: True}), DPI / 25.4)
        img = Image.fromarray(page(seed=seed))
        x, y = mm(140) - ink.width // 2, mm(210) - ink.height // 2
        multiply_onto(img, ink, x, y)
        b = ink_bbox(ink)
        W, H = img.size
        truth = ((x + b[0]) / W, (y + b[1]) / H, (x + b[2]) / W, (y + b[3]) / H)
        s = only(seals.detect_seals(np.asarray(img).copy()), truth, 0.6)
        assert s.shape == "round" and s.colour == "red", (seed, s)


@pytest.mark.parametrize("dpi", [72, 600])
def test_very_low_and_very_high_resolution(dpi):
    rgb, truth = seal_page(dpi)
    s = only(seals.detect_seals(rgb), truth)
    assert s.shape == "round"


@pytest.mark.parametrize("d_mm", [20, 58])
def test_small_and_large_round_seals(d_mm):
    rgb = page()
    truth = stamp(rgb, round_seal("三门峡市华兴", mm(d_mm)), mm(120), mm(200))
    only(seals.detect_seals(rgb), truth)


def test_seal_over_a_red_heading():
    """An authority's seal stamped over its own red 红头 title: the seal, not the heading."""
    rgb = _draw(page(), _red_heading)
    truth = stamp(rgb, round_seal("三门峡市工业和信息化局", mm(42)), mm(150), mm(35))
    only(seals.detect_seals(rgb), truth)


def test_name_seal_overlapping_the_company_seal_is_a_seal_of_its_own():
    rgb = page()
    a = stamp(rgb, company_seal_mask(), mm(140), mm(210))
    b = stamp(rgb, rect_seal(["张", "伟"], mm(16), mm(16)), mm(165), mm(225))
    found = seals.detect_seals(rgb)
    assert sorted(s.shape for s in found) == ["rect", "round"], found
    assert max(iou(s.bbox, a) for s in found if s.shape == "round") > 0.7
    assert max(iou(s.bbox, b) for s in found if s.shape == "rect") > 0.6


@pytest.mark.parametrize("edge", ["top", "bottom"])
def test_perforation_seal_cap_at_top_and_bottom_edges(edge):
    rgb = page()
    cy = -mm(7) if edge == "top" else rgb.shape[0] + mm(7)
    truth = stamp(rgb, company_seal_mask(), mm(100), cy)
    found = seals.detect_seals(rgb)
    assert len(found) == 1 and found[0].edge == edge and iou(found[0].bbox, truth) > 0.5, (truth, found)


@pytest.mark.parametrize("variant", ["blue", "gray"])
def test_perforation_seal_cap_in_blue_and_on_a_grayscale_copy(variant):
    rgb = page()
    truth = stamp(rgb, company_seal_mask(), rgb.shape[1] + mm(7), mm(150), colour=BLUE if variant == "blue" else RED)
    if variant == "gray":
        rgb = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    found = seals.detect_seals(rgb)
    assert len(found) == 1, found
    s = found[0]
    assert s.edge == "right" and s.colour == variant and iou(s.bbox, truth) > 0.5, (truth, s)
    if variant == "gray":
        assert s.confidence <= 0.6


def small_red_table(rgb: np.ndarray, x1_mm: float, rows: int = 5) -> None:
    """A small table printed in red (rules and cell text; 8 mm rows, columns every 20 mm from
    x = 150 mm to ``x1_mm``; past the page edge it is cut), in place."""
    img = Image.fromarray(rgb)
    d = ImageDraw.Draw(img)
    y0, x0 = 100, 150
    for i in range(rows + 1):
        d.line([(mm(x0), mm(y0 + 8 * i)), (mm(x1_mm), mm(y0 + 8 * i))], fill=RED, width=2)
    for x in list(range(x0, int(x1_mm), 20)) + [x1_mm]:
        d.line([(mm(x), mm(y0)), (mm(x), mm(y0 + 8 * rows))], fill=RED, width=2)
    for i in range(rows):
        d.text((mm(x0 + 2), mm(y0 + 8 * i + 2)), "设备款 1,250.00 设备款 1,250.00", font=pil_font(mm(3)), fill=RED)
    rgb[:] = np.asarray(img)


def test_wider_red_table_with_red_text_is_no_seal():
    """The same red table from x = 100 mm: 100 mm wide, larger than any stamp."""
    img = Image.fromarray(page())
    d = ImageDraw.Draw(img)
    for i in range(6):
        d.line([(mm(100), mm(100 + 8 * i)), (mm(200), mm(100 + 8 * i))], fill=RED, width=2)
    for x in range(100, 201, 20):
        d.line([(mm(x), mm(100)), (mm(x), mm(140))], fill=RED, width=2)
    for i in range(5):
        d.text((mm(102), mm(102 + 8 * i)), "设备款 1,250.00 设备款 1,250.00", font=pil_font(mm(3)), fill=RED)
    assert seals.detect_seals(np.asarray(img).copy()) == []


@pytest.mark.parametrize("x1_mm", [200, 230], ids=["inside", "cut-by-edge"])
def test_small_red_table_is_no_seal(x1_mm):
    rgb = page()
    small_red_table(rgb, x1_mm)
    assert seals.detect_seals(rgb) == []


def test_emblem_with_a_broad_red_ring_and_gold_centre_is_no_seal():
    """The 国徽 at the top of a 营业执照 (here a red disc with a gold centre, as the fixtures print
    it): a broad solid ring, no arc text. The licence's own seal below it is found."""
    dpi = 150
    img = Image.fromarray(page(dpi, text=False))
    d = ImageDraw.Draw(img)
    cx, cy = mm(105, dpi), mm(32, dpi)
    d.ellipse([cx - mm(11, dpi), cy - mm(11, dpi), cx + mm(11, dpi), cy + mm(11, dpi)], fill=RED)
    d.ellipse([cx - mm(5, dpi), cy - mm(5, dpi), cx + mm(5, dpi), cy + mm(5, dpi)], fill=(255, 217, 51))
    rgb = np.asarray(img).copy()
    assert seals.detect_seals(rgb) == []
    truth = stamp(rgb, round_seal("三门峡市市场监督管理局", mm(42, dpi)), mm(150, dpi), mm(230, dpi))
    found = seals.detect_seals(rgb)
    assert len(found) == 1 and iou(found[0].bbox, truth) > 0.7


@pytest.mark.parametrize("visible_mm,is_slice", [(33, False), (28, False), (12, True), (18, True)])
def test_a_seal_mostly_on_the_page_is_a_seal_a_thin_cap_is_a_perforation_slice(visible_mm, is_slice):
    """Stamped over the left edge of a landscape page: with most of the 42 mm seal on the page it
    is the page's seal; a cap of 12–18 mm is what a fanned volume leaves (骑缝章)."""
    dpi = 150
    rgb = page(dpi, landscape=True)
    d = mm(42, dpi)
    stamp(rgb, round_seal("三门峡市华兴机械制造有限公司", d), mm(visible_mm, dpi) - d // 2, mm(50, dpi))
    found = seals.detect_seals(rgb)
    assert len(found) == 1, found
    assert (found[0].edge == "left") is is_slice, found


def test_page_analysis_tells_which_stamp_label_a_seal_sits_at():
    """A seal over the 单位（盖章） line is labelled with it; one in the page's top corner is not."""
    from shenbao.model import Line, Page
    from shenbao.vision import analyse_page

    dpi = 150
    rgb = page(dpi, text=False)
    H, W = rgb.shape[:2]
    at_label = stamp(rgb, round_seal(COMPANY, mm(42, dpi)), mm(150, dpi), mm(240, dpi))
    far = stamp(rgb, round_seal("三门峡市市场监督管理局", mm(40, dpi)), mm(40, dpi), mm(40, dpi))
    lines = [Line("申报单位（盖章）：", (mm(110, dpi) / W, mm(236, dpi) / H, mm(150, dpi) / W, mm(242, dpi) / H)),
             Line("日期：2025年8月8日", (mm(110, dpi) / W, mm(270, dpi) / H, mm(150, dpi) / W, mm(276, dpi) / H))]
    p = Page(number=1, width=W, height=H, lines=lines)
    analyse_page(rgb, p, read_seal_text=False)
    by_box = {max((iou(s.bbox, t), i) for i, t in enumerate((at_label, far)))[1]: s for s in p.seals}
    assert by_box[0].label == "申报单位（盖章）："
    assert by_box[1].label is None


def test_sizes_are_measured_on_the_page_s_own_size_when_known():
    """A PDF page says its size (an e-invoice is 241 x 140 mm): millimetres are measured on it, for
    the page image and any scaled copy of it, either way round; an image of another shape (a seal
    picture put on an A4 canvas) and a page of unknown size are measured as A4."""
    from shenbao.vision import measured_as, px_per_mm

    assert px_per_mm((827, 1424)) == pytest.approx(max(827 / 210, 1424 / 297))  # unknown: as A4
    with measured_as((241.0, 140.0)):
        assert px_per_mm((827, 1424)) == pytest.approx(1424 / 241)
        assert px_per_mm((207, 356)) == pytest.approx(356 / 241)  # a scaled copy
        assert px_per_mm((1424, 827)) == pytest.approx(827 / 140)  # turned a quarter
        assert px_per_mm((2339, 1654)) == pytest.approx(max(1654 / 210, 2339 / 297))  # an A4 canvas
    assert px_per_mm((827, 1424)) == pytest.approx(max(827 / 210, 1424 / 297))  # and after it
