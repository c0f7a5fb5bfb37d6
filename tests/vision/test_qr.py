"""QR codes as a reviewer sees them: the payload and where it sits, on clean pages and scans."""
from __future__ import annotations

import io
import random

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from shenbao.fixtures.render import pil_font, qr_image, seal_image, signature_image
from shenbao.vision.qr import decode_codes, locate_unread, read_page_codes

VERIFY = "http://220.248.100.173:8080/hnzckjs/verify?code=HN2025ABCD1234"
INVOICE = "01,32,,24412752280690320059,550500.00,20240929,,"


def page(dpi: int = 200, text: bool = True) -> Image.Image:
    """An A4 page of body text at ``dpi``."""
    W, H = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    im = Image.new("RGB", (W, H), (255, 255, 255))
    if text:
        d = ImageDraw.Draw(im)
        fs = max(8, round(3.7 * dpi / 25.4))
        for i in range(28):
            d.text((round(0.1 * W), round(0.06 * H) + i * round(fs * 1.8)),
                   "审计报告正文：统一社会信用代码 91330782MA2ABCDE1X，金额 1,286.50 元。", font=pil_font(fs), fill=(0, 0, 0))
    return im


def put_qr(im: Image.Image, data: str, module_px: int, fx: float, fy: float) -> tuple:
    """Paste a QR with ``module_px`` px modules at (fx, fy) of the page; return its box in fractions."""
    q = qr_image(data, box=module_px)
    x, y = round(fx * im.width), round(fy * im.height)
    im.paste(q, (x, y))
    b = 2 * module_px  # qr_image's quiet zone is 2 modules
    return ((x + b) / im.width, (y + b) / im.height, (x + q.width - b) / im.width, (y + q.height - b) / im.height)


def put_seal(im: Image.Image, cx: float, cy: float, d_mm: float, dpi: int, multiply: bool = False):
    s = seal_image("河南某某会计师事务所有限公司", 360, "", random.Random(3))
    sz = round(d_mm / 25.4 * dpi)
    s = s.resize((sz, sz), Image.LANCZOS)
    x, y = round(cx * im.width - sz / 2), round(cy * im.height - sz / 2)
    if not multiply:
        im.paste(s, (x, y), s)  # opaque ink, as the fixture PDFs place it
        return im
    # stamp ink is translucent: multiply, so black modules under it stay black
    a = np.asarray(im).astype(np.float32)
    sa = np.asarray(s).astype(np.float32) / 255.0
    alpha = sa[..., 3:4]
    tint = 1 - alpha * (1 - sa[..., :3])
    y0, x0 = max(0, y), max(0, x)
    y1, x1 = min(im.height, y + sz), min(im.width, x + sz)
    a[y0:y1, x0:x1] *= tint[y0 - y:y1 - y, x0 - x:x1 - x]
    return Image.fromarray(a.astype(np.uint8))


def scan(im: Image.Image, seed: int, angle: float = 1.2, quality: int = 55, blur: float = 0.9) -> Image.Image:
    """Flatbed-scan look: a slight rotation, paper tint, blur, noise and JPEG."""
    nr = np.random.default_rng(seed)
    a = np.asarray(im).astype(np.float32)
    h, w = a.shape[:2]
    M = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    a = cv2.warpAffine(a, M, (w, h), flags=cv2.INTER_LINEAR, borderValue=(245, 245, 242))
    a = cv2.GaussianBlur(a * np.array([0.97, 0.95, 0.9], np.float32), (0, 0), blur)
    a += (nr.standard_normal((h, w), dtype=np.float32) * 4.0)[..., None]
    buf = io.BytesIO()
    Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def decode(im: Image.Image):
    return decode_codes(np.asarray(im))


def assert_box_near(got, want, tol=0.01):
    assert all(abs(g - w) <= tol for g, w in zip(got, want)), (got, want)


# ----------------------------------------------------------------------------- clean pages
def test_clean_page_at_200_dpi():
    im = page(200)
    want = put_qr(im, VERIFY, 6, 0.7, 0.8)
    (c,) = decode(im)
    assert c.text == VERIFY
    assert c.format == "QRCode"
    assert_box_near(c.bbox, want)


def test_low_resolution_100_dpi():
    im = page(100)
    want = put_qr(im, VERIFY, 3, 0.7, 0.8)
    (c,) = decode(im)
    assert c.text == VERIFY
    assert_box_near(c.bbox, want, 0.015)


@pytest.mark.parametrize("dpi,module", [(200, 3), (300, 3), (150, 3), (200, 2)])
def test_small_modules(dpi, module):
    im = page(dpi)
    want = put_qr(im, VERIFY, module, 0.72, 0.85)
    (c,) = decode(im)
    assert c.text == VERIFY
    assert_box_near(c.bbox, want)


def test_large_page_300_dpi_with_big_modules():
    im = page(300)
    put_qr(im, INVOICE, 12, 0.05, 0.05)
    assert [c.text for c in decode(im)] == [INVOICE]


def test_two_codes_give_two_results_top_to_bottom_then_left_to_right():
    im = page(200)
    b1 = put_qr(im, INVOICE, 5, 0.05, 0.04)
    b2 = put_qr(im, VERIFY, 5, 0.70, 0.82)
    b3 = put_qr(im, "https://example.gov.cn/q?id=7", 5, 0.10, 0.82)
    cs = decode(im)
    assert [c.text for c in cs] == [INVOICE, "https://example.gov.cn/q?id=7", VERIFY]
    for c, b in zip(cs, (b1, b3, b2)):
        assert_box_near(c.bbox, b)
    assert decode(im) == cs  # deterministic


# ----------------------------------------------------------------------------- seals and scans
@pytest.mark.parametrize("cx,cy", [(0.70, 0.80), (0.74, 0.84), (0.78, 0.88)])
def test_seal_stamped_over_the_code(cx, cy):
    # stamp ink is translucent (the fixture PDFs multiply it): black modules stay dark under it
    im = page(200)
    want = put_qr(im, VERIFY, 5, 0.7, 0.8)
    im = put_seal(im, cx, cy, 40, 200, multiply=True)
    (c,) = decode(im)
    assert c.text == VERIFY
    assert_box_near(c.bbox, want)


def test_opaque_seal_ink_over_a_corner_of_the_code():
    # seal ink pasted opaque (hides the modules under its strokes) across the top-left corner
    im = page(200)
    put_qr(im, VERIFY, 4, 0.7, 0.8)
    put_seal(im, 0.69, 0.785, 38, 200)
    assert [c.text for c in decode(im)] == [VERIFY]
    assert [c.text for c in decode(scan(im, 5, angle=1.5))] == [VERIFY]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scan_with_seal_over_the_code(seed):
    im = page(200)
    put_qr(im, VERIFY, 4, 0.7, 0.8)
    im = put_seal(im, 0.72 + 0.01 * seed, 0.82, 38, 200, multiply=True)
    assert [c.text for c in decode(scan(im, seed, angle=(-1) ** seed * 1.5))] == [VERIFY]


@pytest.mark.parametrize("dpi,module,angle", [(200, 4, 1.5), (150, 3, -1.0), (100, 3, 0.7), (300, 4, -2.0)])
def test_rotated_scan(dpi, module, angle):
    im = page(dpi)
    put_qr(im, VERIFY, module, 0.7, 0.8)
    sc = scan(im, dpi, angle=angle, quality=50)
    (c,) = decode(sc)
    assert c.text == VERIFY
    assert 0.65 < c.bbox[0] < 0.75 and 0.75 < c.bbox[1] < 0.85


def test_page_turned_sideways():
    im = page(200)
    put_qr(im, VERIFY, 5, 0.7, 0.8)
    turned = im.rotate(90, expand=True)
    (c,) = decode(turned)
    assert c.text == VERIFY
    # the box is in the turned image's frame
    assert c.bbox[0] > 0.75 and c.bbox[1] < 0.35


# ----------------------------------------------------------------------------- no code
def test_pages_without_a_code_give_nothing():
    text_page = page(200)
    assert decode(text_page) == []
    sealed = put_seal(page(200), 0.5, 0.5, 42, 200, multiply=True)
    sig = signature_image("王建国", random.Random(1))
    sealed.paste(sig, (900, 1200), sig)
    assert decode(sealed) == []
    assert decode(scan(sealed, 4)) == []
    assert decode(page(200, text=False)) == []
    assert decode_codes(np.zeros((10, 10, 3), np.uint8)) == []


def test_grayscale_input():
    im = page(150)
    put_qr(im, VERIFY, 4, 0.7, 0.8)
    gray = np.asarray(im.convert("L"))
    assert [c.text for c in decode_codes(gray)] == [VERIFY]


# ----------------------------------------------------------------------------- noisy grayscale scans
def gray_scan(im: Image.Image, seed: int, blur: float = 1.0, noise: float = 10.0, quality: int = 60,
              angle: float = 0.8) -> np.ndarray:
    """An office scanner's grayscale mode: grey paper and ink, a slight turn, optics blur about half
    a 2 px module wide, sensor noise and JPEG. Returns an ``H x W`` uint8 array."""
    nr = np.random.default_rng(seed)
    a = np.asarray(im.convert("L")).astype(np.float32)
    h, w = a.shape
    M = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    a = cv2.warpAffine(a, M, (w, h), flags=cv2.INTER_LINEAR, borderValue=235)
    a = cv2.GaussianBlur(a * 0.9 + 15, (0, 0), blur)
    a += nr.standard_normal((h, w), dtype=np.float32) * noise
    buf = io.BytesIO()
    Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_small_code_on_a_noisy_grayscale_150_dpi_scan(seed):
    # 2 px modules (0.34 mm) blurred and noisy: zxing alone does not even locate the symbol
    im = page(150)
    want = put_qr(im, VERIFY, 2, 0.7, 0.8)
    g = gray_scan(im, seed, blur=1.0, noise=10.0, angle=(-1) ** seed * 0.8)
    if seed % 2:  # the same scan handed over as RGB
        g = np.repeat(g[..., None], 3, axis=2)
    (c,) = decode_codes(g)
    assert c.text == VERIFY
    assert_box_near(c.bbox, want, 0.015)
    assert locate_unread(g) == []  # read, so not "located but unread"


@pytest.mark.parametrize("seed", [0, 1])
def test_grey_seal_over_the_code_on_a_grayscale_scan(seed):
    # a red seal turns mid-grey in a grayscale scan: no colour channel drops it any more
    im = page(150)
    put_qr(im, VERIFY, 3, 0.7, 0.8)
    im = put_seal(im, 0.72, 0.82, 40, 150, multiply=True)
    g = gray_scan(im, seed, blur=1.0, noise=8.0, angle=(-1) ** seed * 0.8)
    assert [c.text for c in decode_codes(g)] == [VERIFY]


def test_noisy_grayscale_page_without_a_code_gives_nothing():
    # (its cost is measured by bench/qr_variants.py, not here)
    sealed = put_seal(page(150), 0.5, 0.5, 42, 150, multiply=True)
    sig = signature_image("王建国", random.Random(1))
    sealed.paste(sig, (700, 900), sig)
    g = gray_scan(sealed, 7)
    assert read_page_codes(g) == ([], [])


# ----------------------------------------------------------------------------- located but unread
@pytest.mark.parametrize("scanned", [False, True])
def test_damaged_code_is_reported_as_located_but_unread(scanned):
    # a white-out over the middle 45 % of the symbol: finder marks intact, too much data lost
    im = page(200)
    want = put_qr(im, VERIFY, 4, 0.7, 0.8)
    x0, y0, x1, y1 = want[0] * im.width, want[1] * im.height, want[2] * im.width, want[3] * im.height
    r = 0.225 * (x1 - x0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ImageDraw.Draw(im).rectangle((cx - r, cy - r, cx + r, cy + r), fill=(255, 255, 255))
    a = gray_scan(im, 3, blur=0.8, noise=6.0, angle=0.0) if scanned else np.asarray(im)
    assert decode_codes(a) == []
    (box,) = locate_unread(a)
    assert_box_near(box, want, 0.015)
    assert read_page_codes(a) == ([], [box])


def test_unreadable_mark_does_not_hide_a_readable_code():
    # two codes: one readable, one damaged; each reported on its own list
    im = page(200)
    good = put_qr(im, INVOICE, 4, 0.08, 0.08)
    bad = put_qr(im, VERIFY, 4, 0.7, 0.8)
    x0, y0, x1, y1 = bad[0] * im.width, bad[1] * im.height, bad[2] * im.width, bad[3] * im.height
    r = 0.25 * (x1 - x0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ImageDraw.Draw(im).rectangle((cx - r, cy - r, cx + r, cy + r), fill=(255, 255, 255))
    codes, unread = read_page_codes(np.asarray(im))
    assert [c.text for c in codes] == [INVOICE]
    assert_box_near(codes[0].bbox, good)
    assert len(unread) == 1
    assert_box_near(unread[0], bad, 0.015)


def test_text_pages_are_not_reported_as_unread_codes():
    # body text, tables of digits, a seal and a signature: finder-like glyphs (回, 国) must not add up
    im = page(200)
    d = ImageDraw.Draw(im)
    fs = round(3.7 * 200 / 25.4)
    for i in range(6):
        d.text((round(0.1 * im.width), round(0.75 * im.height) + i * round(fs * 1.8)),
               "回国图团圆固因困回 ■□■□ 123-456-789 回回回", font=pil_font(fs), fill=(0, 0, 0))
    for a in (np.asarray(im), gray_scan(im, 2)):
        assert locate_unread(a) == []
        assert decode_codes(a) == []
