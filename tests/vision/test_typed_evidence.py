"""Seals, signatures and codes where real documents put them: typed PDF pages (a text layer, the seal and
signatures embedded as images or drawn as vector paths), small invoice 监制章, QR codes next to seals,
seal pictures with a transparent background.

The PDFs are made here with reportlab (as the fixtures do) and read with the linter's own PDF and image
extraction (OCR off: a text layer needs none), so the render gating of typed pages is exercised too.
"""
from __future__ import annotations

import io
import math
import random

import numpy as np
import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas as rl_canvas

from shenbao.extract import ExtractSettings
from shenbao.extract import image as image_extract
from shenbao.extract import pdf as pdf_extract
from shenbao.fixtures.render import F, ensure_fonts, signature_image
from shenbao.model import Line, Page
from shenbao.vision import analyse_page, find_seals, seals

from .test_seals import BLUE, RED, iou, mm, oval_seal, page, rect_seal, round_seal, stamp

MM = 72 / 25.4
PT_W, PT_H = A4
FIRM = "河南正则会计师事务所有限公司"
SETTINGS = ExtractSettings(ocr=False)


# ------------------------------------------------------------------ drawing helpers
def rgba(mask: np.ndarray, colour=RED, opacity: float = 0.92, black_ground: bool = False) -> Image.Image:
    """A seal image with a transparent background: ``colour`` ink, alpha = the mask. With
    ``black_ground`` the transparent pixels are black (what many cut-out seal PNGs hold)."""
    h, w = mask.shape
    a = np.zeros((h, w, 4), np.uint8)
    a[..., :3] = colour
    a[..., 3] = np.clip(mask * opacity * 255, 0, 255).astype(np.uint8)
    if black_ground:
        a[mask < 0.05, :3] = 0
    return Image.fromarray(a, "RGBA")


def put_image(c, img: Image.Image, x_mm: float, y_mm: float, w_mm: float, h_mm: float) -> None:
    """Place ``img`` with its top-left corner at (x_mm, y_mm) from the page's top left."""
    buf = io.BytesIO()
    img.save(buf, "PNG")
    buf.seek(0)
    c.drawImage(ImageReader(buf), x_mm * MM, PT_H - (y_mm + h_mm) * MM, width=w_mm * MM, height=h_mm * MM,
                mask="auto")


def text(c, x_mm: float, y_mm: float, s: str, size: float = 12) -> None:
    c.setFont(F, size)
    c.setFillColorRGB(0, 0, 0)
    c.drawString(x_mm * MM, PT_H - y_mm * MM, s)


def body(c, top_mm: float = 30, n: int = 8) -> None:
    for i in range(n):
        text(c, 25, top_mm + 8 * i, "我们审计了河南旭日化工股份有限公司财务报表，包括资产负债表、利润表、现金流量表。", 11)


def vector_round_seal(c, cx_mm: float, cy_mm: float, d_mm: float, name: str, colour=(0.85, 0.1, 0.12)) -> None:
    """A round seal drawn as vector paths and text: rim, star, the name along the upper arc."""
    cx, cy, r = cx_mm * MM, PT_H - cy_mm * MM, d_mm / 2 * MM
    c.saveState()
    c.setStrokeColorRGB(*colour)
    c.setFillColorRGB(*colour)
    c.setLineWidth(1.2 * MM)
    c.circle(cx, cy, r - 0.6 * MM, stroke=1, fill=0)
    p = c.beginPath()
    for i in range(10):
        a = math.pi / 2 + i * math.pi / 5
        rad = 0.18 * d_mm * MM if i % 2 == 0 else 0.07 * d_mm * MM
        (p.moveTo if i == 0 else p.lineTo)(cx + rad * math.cos(a), cy + rad * math.sin(a))
    p.close()
    c.drawPath(p, stroke=0, fill=1)
    fs = 0.13 * d_mm * MM
    c.setFont(F, fs)
    n, span = len(name), 240.0
    for i, ch in enumerate(name):
        a = math.radians(90 + span / 2 - span * (i + 0.5) / n)
        rr = r - 1.6 * MM - fs * 0.8
        c.saveState()
        c.translate(cx + rr * math.cos(a), cy + rr * math.sin(a))
        c.rotate(math.degrees(a) - 90)
        c.drawCentredString(0, -fs * 0.35, ch)
        c.restoreState()
    c.restoreState()


def vector_oval_seal(c, cx_mm: float, cy_mm: float, w_mm: float, h_mm: float, name: str, inner: str,
                     colour=(0.85, 0.1, 0.12)) -> None:
    """An oval seal (发票监制章 / 发票专用章) drawn as vector paths: rim, arc name, inner line."""
    cx, cy = cx_mm * MM, PT_H - cy_mm * MM
    a, b = w_mm / 2 * MM, h_mm / 2 * MM
    c.saveState()
    c.setStrokeColorRGB(*colour)
    c.setFillColorRGB(*colour)
    lw = max(0.5, 0.035 * h_mm) * MM
    c.setLineWidth(lw)
    c.ellipse(cx - a + lw / 2, cy - b + lw / 2, cx + a - lw / 2, cy + b - lw / 2, stroke=1, fill=0)
    fs = 0.15 * h_mm * MM
    c.setFont(F, fs)
    n, span = len(name), 200.0
    for i, ch in enumerate(name):
        t = math.radians(90 + span / 2 - span * (i + 0.5) / n)
        px, py = cx + (a - lw - fs * 0.7) * math.cos(t), cy + (b - lw - fs * 0.7) * math.sin(t)
        nang = math.degrees(math.atan2(math.sin(t) / max(b, 1), math.cos(t) / max(a, 1)))
        c.saveState()
        c.translate(px, py)
        c.rotate(nang - 90)
        c.drawCentredString(0, -fs * 0.35, ch)
        c.restoreState()
    c.setFont(F, 0.13 * h_mm * MM)
    c.drawCentredString(cx, cy - 0.25 * h_mm * MM, inner)
    c.restoreState()


def audit_page(c, *, signed: bool = True, cpa_mm=(32.0, 18.0), firm_seal: str = "image") -> None:
    """The signature page of a typed audit report: the firm's seal over its name, two 中国注册会计师
    fields each with the CPA's rectangular seal (an image) and, when ``signed``, a signature on it."""
    body(c)
    text(c, 25, 120, FIRM)
    text(c, 25, 128, "（盖章）")
    text(c, 118, 118, "中国注册会计师：")
    text(c, 118, 124, "（项目合伙人）", 10)
    text(c, 118, 150, "中国注册会计师：")
    text(c, 25, 175, "中国·郑州")
    text(c, 150, 175, "二〇二五年四月三日")
    if firm_seal == "image":
        put_image(c, rgba(round_seal(FIRM, 500)), 30, 100, 42, 42)
    else:
        vector_round_seal(c, 51, 121, 42, FIRM)
    w, h = cpa_mm
    for y, name, seed in ((108, "金洋玲", 3), (140, "孙建国", 5)):
        art = rect_seal(["中国注册会计师", name, "410648228682"], int(w * 12), int(h * 12))
        put_image(c, rgba(art), 157, y, w, h)
        if signed:
            put_image(c, signature_image(name, random.Random(seed)), 158, y + 3, 30, 12)


def make_pdf(path, *draws) -> None:
    ensure_fonts()
    c = rl_canvas.Canvas(str(path), pagesize=A4)
    for d in draws:
        d(c)
        c.showPage()
    c.save()


def read_pdf(path) -> list[Page]:
    doc = pdf_extract.extract(path, SETTINGS)
    assert doc.kind == "pdf", doc.error
    return doc.pages


def whole(p: Page, shape: str | None = None) -> list:
    return [s for s in p.seals if s.edge is None and (shape is None or s.shape == shape)]


# ------------------------------------------------------------------ 1. typed audit report
@pytest.mark.parametrize("firm_seal", ["image", "vector"])
def test_typed_audit_report_firm_seal_cpa_seals_and_signatures_are_found(tmp_path, firm_seal):
    """The classic typed audit report: all three seals (the firm's round seal, two 2:1 注册会计师
    seals beside their labels) and both CPA signature fields, signed in black over the seals."""
    path = tmp_path / "audit.pdf"
    make_pdf(path, lambda c: audit_page(c, firm_seal=firm_seal))
    p = read_pdf(path)[0]
    assert p.source == "text-layer" and p.visual
    assert len(whole(p, "round")) == 1, p.seals
    rects = whole(p, "rect")
    assert len(rects) == 2, p.seals
    assert all(s.colour == "red" for s in p.seals)
    cpa = [f for f in p.signatures if "注册会计师" in f.label]
    assert len(cpa) == 2, p.signatures
    assert all(f.signed and f.colour == "black" for f in cpa), cpa


def test_typed_audit_report_cpa_seal_alone_is_no_signature(tmp_path):
    """The CPAs' seals stamped but nobody signed: the seals are found and the fields are unsigned
    (the seal's red ink is not handwriting)."""
    path = tmp_path / "audit.pdf"
    make_pdf(path, lambda c: audit_page(c, signed=False))
    p = read_pdf(path)[0]
    assert len(whole(p, "rect")) == 2, p.seals
    cpa = [f for f in p.signatures if "注册会计师" in f.label]
    assert len(cpa) == 2 and not any(f.signed for f in cpa), cpa


def test_a_long_office_box_without_a_label_is_still_not_a_seal():
    """The 2:1 exemption is for a stamp beside a 注册会计师 / 签章 label: a 2:1 box elsewhere (已受理, a
    date box) stays an office's mark."""
    rgb = page(text=False)
    stamp(rgb, rect_seal(["已受理", "2025.08.01"], mm(32), mm(18)), mm(150), mm(150))
    assert not whole_of(find_seals(rgb))
    far = [Line("中国注册会计师：", (0.1, 0.1, 0.3, 0.12), 1.0)]
    assert not whole_of(find_seals(rgb, far))
    near = [Line("中国注册会计师：", (mm(100) / rgb.shape[1], 0.49, mm(130) / rgb.shape[1], 0.51), 1.0)]
    assert len(whole_of(find_seals(rgb, near))) == 1


def whole_of(found: list) -> list:
    return [s for s in found if s.edge is None]


def test_typed_page_with_a_role_label_and_a_black_vector_signature_is_looked_at(tmp_path):
    """A typed page with no colour, no image and no 签字 word, but a 负责人 field signed in black
    vector strokes: the page is rendered and the field found signed."""
    def draw(c):
        body(c)
        text(c, 25, 150, "单位负责人：")
        c.setStrokeColorRGB(0.05, 0.05, 0.1)
        c.setLineWidth(0.5 * MM)
        p = c.beginPath()
        x0, y0 = 55 * MM, PT_H - 150 * MM
        p.moveTo(x0, y0)
        for i in range(1, 40):
            p.lineTo(x0 + i * 0.9 * MM, y0 + 4 * MM * math.sin(i * 0.7) + (i % 5) * 0.3 * MM)
        c.drawPath(p, stroke=1, fill=0)
    path = tmp_path / "form.pdf"
    make_pdf(path, draw)
    p = read_pdf(path)[0]
    assert p.visual
    assert [f.signed for f in p.signatures] == [True], p.signatures


# ------------------------------------------------------------------ 2. seals on typed PDFs
def test_seal_images_embedded_in_a_typed_page_are_found(tmp_path):
    """A round seal and an oval 发票专用章 pasted as PNG images (transparent background) into a
    typed page; and the same with the transparent pixels black."""
    def draw(c, black):
        body(c)
        text(c, 110, 200, "单位（盖章）：")
        put_image(c, rgba(round_seal("三门峡市华兴机械制造有限公司", 500), black_ground=black), 120, 180, 42, 42)
        put_image(c, rgba(oval_seal("三门峡市华兴机械制造有限公司", 480, 360), black_ground=black), 30, 230, 40, 30)
    path = tmp_path / "typed.pdf"
    make_pdf(path, lambda c: draw(c, False), lambda c: draw(c, True))
    for p in read_pdf(path):
        assert p.source == "text-layer"
        assert sorted(s.shape for s in whole(p)) == ["oval", "round"], p.seals


def test_vector_drawn_seal_on_a_typed_page_is_found(tmp_path):
    path = tmp_path / "vector.pdf"
    make_pdf(path, lambda c: (body(c), text(c, 110, 200, "申报单位（盖章）："), vector_round_seal(c, 150, 200, 40, "三门峡市华兴机械制造有限公司")))
    p = read_pdf(path)[0]
    found = whole(p, "round")
    assert len(found) == 1, p.seals
    assert found[0].label == "申报单位（盖章）："


# ------------------------------------------------------------------ 3. invoice 监制章 and 发票专用章
def supervision_seal(w_px: int, h_px: int) -> np.ndarray:
    return oval_seal("全国统一发票监制章", w_px, h_px, code="国家税务总局", inner="河南省税务局")


@pytest.mark.parametrize("w,h", [(20, 13), (24, 16), (30, 20)])
def test_small_invoice_supervision_seal_on_a_page_image(w, h):
    rgb = page(text=False)
    truth = stamp(rgb, supervision_seal(mm(w), mm(h)), rgb.shape[1] // 2, mm(18))
    found = whole_of(seals.detect_seals(rgb))
    assert len(found) == 1 and found[0].shape == "oval" and iou(found[0].bbox, truth) > 0.6, found


@pytest.mark.parametrize("w,h", [(20, 13), (26, 17)])
def test_small_supervision_seal_and_invoice_seal_on_a_typed_invoice(tmp_path, w, h):
    """A 数电票-like typed PDF: the red 监制章 at the top centre and the 发票专用章 (40 x 30 mm)."""
    def draw(c):
        c.setFont(F, 16)
        c.drawCentredString(PT_W / 2, PT_H - 30 * MM, "电子发票（增值税专用发票）")
        body(c, 50, 6)
        vector_oval_seal(c, 105, 16, w, h, "全国统一发票监制章", "河南省税务局")
        vector_oval_seal(c, 160, 120, 40, 30, "三门峡市华兴机械制造有限公司", "发票专用章")
    path = tmp_path / "invoice.pdf"
    make_pdf(path, draw)
    p = read_pdf(path)[0]
    ovals = sorted(whole(p, "oval"), key=lambda s: s.bbox[1])
    assert len(ovals) == 2, p.seals
    top = ovals[0]
    assert top.bbox[1] < 0.1 and abs((top.bbox[0] + top.bbox[2]) / 2 - 0.5) < 0.05


@pytest.mark.parametrize("w,h", [(19, 12), (20, 13)])
def test_small_supervision_seal_on_an_invoice_sized_pdf_page(tmp_path, monkeypatch, w, h):
    """An e-invoice PDF page is 241 x 140 mm, not A4: its small 监制章 at the top centre is found."""
    import sys

    here = sys.modules[__name__]
    W, H = 241 * MM, 140 * MM
    monkeypatch.setattr(here, "PT_H", H)  # the drawing helpers measure from the top of this page

    path = tmp_path / "e-invoice.pdf"
    ensure_fonts()
    c = rl_canvas.Canvas(str(path), pagesize=(W, H))
    c.setFont(F, 16)
    c.drawCentredString(W / 2, H - 14 * MM, "电子发票（普通发票）")
    for i in range(5):
        text(c, 20, 40 + 9 * i, "货物或应税劳务、服务名称  规格型号  单位  数量  单价  金额  税率  税额", 10)
    vector_oval_seal(c, 120.5, 12, w, h, "全国统一发票监制章", "河南省税务局")
    c.showPage()
    c.save()
    p = read_pdf(path)[0]
    ovals = whole(p, "oval")
    assert len(ovals) == 1, p.seals
    assert ovals[0].bbox[1] < 0.2 and abs((ovals[0].bbox[0] + ovals[0].bbox[2]) / 2 - 0.5) < 0.05


def test_small_red_blobs_and_rings_are_still_no_seal():
    """The small-oval allowance needs a clear oval rim: a small red logo disc, a small round ring and
    a red scribble of that size stay out."""
    from PIL import ImageDraw

    img = Image.fromarray(page(text=False))
    d = ImageDraw.Draw(img)
    d.ellipse([mm(30), mm(30), mm(52), mm(45)], fill=RED)  # a solid oval logo
    d.ellipse([mm(80), mm(30), mm(92), mm(42)], outline=RED, width=mm(1))  # a 12 mm ring
    rng = random.Random(1)
    pts = [(mm(140) + rng.randint(0, mm(22)), mm(30) + rng.randint(0, mm(14))) for _ in range(14)]
    d.line(pts, fill=RED, width=mm(0.6))
    assert not whole_of(seals.detect_seals(np.asarray(img)))


# ------------------------------------------------------------------ 4. QR codes are no seals
def blue_qr(rgb: np.ndarray, cx: int, cy: int, module_mm: float = 0.8) -> tuple:
    import qrcode

    q = qrcode.QRCode(border=4, box_size=max(2, mm(module_mm)))
    q.add_data("https://inv-veri.chinatax.gov.cn/index.html?fpdm=041002300111&fphm=74499284")
    q.make(fit=True)
    qi = np.asarray(q.make_image(fill_color="black", back_color="white").convert("L"), dtype=np.float32)
    h, w = qi.shape
    rgb[max(0, cy - h // 2):cy + h // 2 + 1, max(0, cx - w // 2):cx + w // 2 + 1] = 255  # printed in clear space
    return stamp(rgb, 1 - qi / 255.0, cx, cy, colour=BLUE, opacity=1.0)


@pytest.mark.parametrize("module_mm", [0.6, 0.8, 1.0])
def test_a_blue_qr_code_is_no_blue_seal(module_mm):
    rgb = page()
    blue_qr(rgb, mm(178), mm(272), module_mm)
    assert not whole_of(seals.detect_seals(rgb))  # the module grid alone is no stamp
    p = Page(number=1, width=rgb.shape[1], height=rgb.shape[0])
    analyse_page(rgb, p, read_seal_text=False)
    assert p.codes or p.unread_codes
    assert not whole(p), p.seals


def test_the_codes_box_vetoes_a_seal_candidate_on_it_but_not_a_seal_over_it():
    rgb = page(text=False)
    truth = stamp(rgb, round_seal("三门峡市华兴机械制造有限公司", mm(42)), mm(60), mm(80), colour=BLUE)
    found = whole_of(find_seals(rgb, (), [truth]))
    assert not found  # a candidate that is the code's box
    qr_box = (truth[0] + 0.02, truth[1] + 0.01, truth[0] + 0.08, truth[1] + 0.05)  # a small code under the seal
    found = whole_of(find_seals(rgb, (), [qr_box]))
    assert len(found) == 1 and iou(found[0].bbox, truth) > 0.7


def test_a_blue_seal_next_to_a_blue_qr_code_is_found():
    rgb = page()
    blue_qr(rgb, mm(178), mm(272))
    truth = stamp(rgb, round_seal("三门峡市华兴机械制造有限公司", mm(40)), mm(120), mm(265), colour=BLUE)
    p = Page(number=1, width=rgb.shape[1], height=rgb.shape[0])
    analyse_page(rgb, p, read_seal_text=False)
    got = whole(p)
    assert len(got) == 1 and iou(got[0].bbox, truth) > 0.7, got


# ------------------------------------------------------------------ 5. transparent seal pictures
@pytest.mark.parametrize("black_ground", [False, True])
@pytest.mark.parametrize("shape", ["round", "oval"])
def test_a_standalone_seal_picture_with_a_transparent_background(tmp_path, shape, black_ground):
    """A seal cut out and saved as a PNG with alpha: one seal, filling the picture."""
    art = round_seal("三门峡市华兴机械制造有限公司", 300) if shape == "round" else oval_seal("三门峡市华兴机械制造有限公司", 320, 240)
    path = tmp_path / "seal.png"
    rgba(art, black_ground=black_ground).save(path)
    doc = image_extract.extract(path, "png", SETTINGS)
    (p,) = doc.pages
    got = whole(p)
    assert len(got) == 1 and got[0].shape == shape, got
    x0, y0, x1, y1 = got[0].bbox
    assert x1 - x0 > 0.8 and y1 - y0 > 0.8


def test_a_page_sized_transparent_png_with_a_seal(tmp_path):
    """A page saved with a transparent background (black under the alpha): composited on white."""
    H, W = mm(297), mm(210)
    a = np.zeros((H, W, 4), np.uint8)
    d = mm(42)
    art = rgba(round_seal("三门峡市华兴机械制造有限公司", d), black_ground=True)
    a[mm(200):mm(200) + d, mm(120):mm(120) + d] = np.asarray(art)
    path = tmp_path / "page.png"
    Image.fromarray(a, "RGBA").save(path)
    (p,) = image_extract.extract(path, "png", SETTINGS).pages
    assert len(whole(p, "round")) == 1, p.seals


@pytest.mark.parametrize("what", ["two seals", "certificate border", "red banner", "licence with seals"])
def test_pages_with_much_colour_are_not_taken_for_a_stamp_picture(what):
    """The stamp-picture path is for one stamp filling the frame; a bare page with two seals, a
    certificate's coloured border round black text, a solid red banner are pages."""
    from PIL import ImageDraw

    from shenbao.vision import standalone_stamp

    rgb = page(text=what == "certificate border")
    if what == "two seals":
        stamp(rgb, round_seal("三门峡市华兴机械制造有限公司", mm(42)), mm(150), mm(240))
        stamp(rgb, round_seal("三门峡市市场监督管理局", mm(40)), mm(40), mm(40))
    elif what in ("certificate border", "licence with seals"):
        img = Image.fromarray(rgb)
        ImageDraw.Draw(img).rectangle([mm(8), mm(8), mm(202), mm(289)], outline=(190, 150, 40), width=mm(4))
        rgb = np.asarray(img).copy()
        if what == "licence with seals":  # a 营业执照: gold frame, the company's and the registrar's seals
            stamp(rgb, round_seal("三门峡市华兴机械制造有限公司", mm(42)), mm(60), mm(190))
            stamp(rgb, round_seal("三门峡市市场监督管理局", mm(40)), mm(130), mm(225))
    else:
        rgb[mm(20):mm(270), mm(20):mm(190)] = RED
    assert standalone_stamp(rgb)[1] is None


# ------------------------------------------------------------------ 6. signatures: never a false sure "missing"
def field_page(ink=None, ink_mm=(40, 12), grey: int = 0) -> tuple[np.ndarray, list[Line]]:
    """A page with a "法定代表人（签字）：" label; ``ink`` draws in the field (a callback on PIL draw)."""
    from PIL import ImageDraw

    from shenbao.fixtures.render import pil_font

    img = Image.fromarray(page(text=False))
    d = ImageDraw.Draw(img)
    W, H = img.size
    d.text((mm(30), mm(200)), "法定代表人（签字）：", font=pil_font(mm(4)), fill=(0, 0, 0))
    x1 = mm(30) + d.textlength("法定代表人（签字）：", font=pil_font(mm(4)))
    if ink is not None:
        ink(d, x1 + mm(4), mm(198))
    lines = [Line("法定代表人（签字）：", (mm(30) / W, mm(200) / H, x1 / W, mm(204.5) / H), 1.0)]
    return np.asarray(img), lines


def scrawl(colour, n: int = 6, size_mm: float = 6, width: int = 1):
    def draw(d, x, y):
        pts = [(x + i * mm(size_mm) / n, y + (mm(size_mm / 2) if i % 2 else 0)) for i in range(n + 1)]
        d.line(pts, fill=colour, width=width)
    return draw


def signature_of(rgb, lines):
    from shenbao.vision import signatures

    (f,) = signatures.find_signature_fields(rgb, lines, [])
    return f


def test_a_clean_field_is_surely_unsigned():
    f = signature_of(*field_page())
    assert not f.signed and f.confidence >= 0.6, f


@pytest.mark.parametrize("colour,n,size,width", [
    ((30, 30, 40), 4, 5, 1),       # a light, small scrawl in pen
    ((150, 150, 160), 8, 14, 2),   # a pale pencil signature
    ((160, 160, 190), 10, 18, 2),  # a very pale, worn blue-black pen
])
def test_a_faint_or_small_signature_is_signed_or_uncertain_never_a_sure_missing(colour, n, size, width):
    f = signature_of(*field_page(scrawl(colour, n, size, width)))
    assert f.signed or f.confidence < 0.6, f


def test_unsigned_confidence_falls_under_the_sure_line_once_the_field_has_some_ink():
    from shenbao.vision.signatures import _SOME_INK, _unsigned_confidence

    assert _unsigned_confidence(0.0) >= 0.9
    assert _unsigned_confidence(_SOME_INK - 1e-6) >= 0.6
    for m in (_SOME_INK, 0.5, 0.75, 0.99):
        assert _unsigned_confidence(m) < 0.6
    assert _unsigned_confidence(0.75) <= _unsigned_confidence(0.5)


# ------------------------------------------------------------------ 7. seal text confidence is honest
def test_arc_confidence_of_poor_readings():
    from shenbao.vision.seal_text import NO_NAME, arc_confidence

    assert arc_confidence("三门峡市华兴机械制造有限公司", 0.97) == pytest.approx(0.97)
    assert arc_confidence("", 0.0) <= NO_NAME  # the name unread: the inner 发票专用章 names no one
    assert arc_confidence("华兴", 0.99) < 0.6  # a fragment of the name
    assert arc_confidence("三门峡市华兴机械", 0.95) < 0.75  # no issuer word: not surely a name


def test_a_seal_whose_name_is_unreadable_has_low_text_confidence(monkeypatch):
    """The inner line read well must not lift a poorly read name: the seal's text confidence is the
    arc's, so a seal with a garbled name is never trusted to name another company."""
    from shenbao.model import Seal
    from shenbao.vision import seal_text

    class Eng:
        def recognize_line(self, img):
            return "", 0.0

    monkeypatch.setattr(seal_text, "_engine", lambda: Eng())
    monkeypatch.setattr(seal_text, "_read_round", lambda eng, ink, box=None: [("某某", 0.5), ("发票专用章", 0.99)])
    rgb = page(text=False)
    box = stamp(rgb, oval_seal("三门峡市华兴机械制造有限公司", mm(40), mm(30)), mm(100), mm(100))
    text, conf = seal_text.read_seal(rgb, Seal(bbox=box, confidence=0.9, colour="red", shape="oval"))
    assert "发票专用章" in text and conf < 0.5
    monkeypatch.setattr(seal_text, "_read_round", lambda eng, ink, box=None: [("", 0.0), ("发票专用章", 0.99)])
    text, conf = seal_text.read_seal(rgb, Seal(bbox=box, confidence=0.9, colour="red", shape="oval"))
    assert text == "发票专用章" and conf <= seal_text.NO_NAME


def cpa_field_with_typed_name(signed: bool, same_line: bool = False):
    """"中国注册会计师：  金洋玲" in a text layer (the signer's name typed after the label, as a
    separate token or on the same line), signed over the typed name or not."""
    from PIL import ImageDraw

    from shenbao.fixtures.render import pil_font

    img = Image.fromarray(page(text=False))
    d = ImageDraw.Draw(img)
    W, H = img.size
    f, y = pil_font(mm(4.2)), mm(150)
    lines = []

    def put(x, s):
        d.text((x, y), s, font=f, fill=(0, 0, 0))
        w = d.textlength(s, font=f)
        lines.append(Line(s, (x / W, y / H, (x + w) / W, (y + mm(4.5)) / H), 1.0))
        return x + w

    if same_line:
        end = put(mm(110), "中国注册会计师：  金洋玲")
        name_x = end - mm(13)
    else:
        end = put(mm(110), "中国注册会计师：")
        name_x = end + mm(6)
        put(name_x, "金洋玲")
    if signed:
        sig = signature_image("金洋玲", random.Random(3), w=mm(30), h=mm(12))
        img.paste(sig, (int(name_x - mm(6)), y - mm(5)), sig)
    return np.asarray(img), lines


@pytest.mark.parametrize("same_line", [False, True])
def test_a_cpa_signature_over_the_typed_name_is_found(same_line):
    rgb, lines = cpa_field_with_typed_name(True, same_line)
    f = signature_of(rgb, lines)
    assert f.signed, f
    rgb, lines = cpa_field_with_typed_name(False, same_line)
    f = signature_of(rgb, lines)
    assert not f.signed and f.confidence >= 0.6, f  # the typed name alone is no signature


def test_a_neat_signature_read_surely_by_ocr_is_not_taken_for_print():
    """On an OCR'd page a neat signature may be read at 0.9999 (1.0 once rounded): it is still
    handwriting in the field, not a text-layer line that ends it."""
    rgb, lines = field_page()
    img = Image.fromarray(rgb)
    sig = signature_image("张飞波", random.Random(7), w=mm(36), h=mm(14))
    W, H = img.size
    x1 = lines[0].bbox[2] * W
    img.paste(sig, (int(x1 + mm(3)), mm(195)), sig)
    rgb = np.asarray(img)
    ocr_lines = [Line(lines[0].text, lines[0].bbox, 0.91),
                 Line("张飞波", ((x1 + mm(3)) / W, mm(195) / H, (x1 + mm(39)) / W, mm(209) / H), 1.0)]
    from shenbao.vision import signatures

    (f,) = signatures.find_signature_fields(rgb, ocr_lines, [], ocr=True)
    assert f.signed, f
    p = Page(number=1, width=W, height=H, lines=ocr_lines, source="ocr")
    analyse_page(rgb, p, read_seal_text=False)
    assert [s.signed for s in p.signatures] == [True], p.signatures


def test_a_big_standalone_seal_picture_is_scaled_down_not_blown_up():
    """A 2000 px seal picture: the canvas stays page-sized (about 200 dpi), the seal fills the box."""
    from shenbao.vision import standalone_stamp

    art = np.asarray(rgba(round_seal("三门峡市华兴机械制造有限公司", 2000)).convert("RGBA"), dtype=np.float32)
    a = art[..., 3:] / 255.0
    rgb = (art[..., :3] * a + 255 * (1 - a)).astype(np.uint8)
    canvas, back = standalone_stamp(rgb)
    assert back is not None and canvas.shape[0] * canvas.shape[1] <= 2600 * 1800
    p = Page(number=1, width=2000, height=2000)
    analyse_page(rgb, p, read_seal_text=False)
    (s,) = whole(p)
    assert s.bbox[2] - s.bbox[0] > 0.8 and s.bbox[3] - s.bbox[1] > 0.8


# ------------------------------------------------------------------ VAT invoices printed in brown-red
BROWN = (160, 100, 82)  # the brown-red print of a VAT invoice (hue ~15°; a seal's red is ~0°)


def vat_invoice(dpi: int = 150) -> tuple[np.ndarray, dict]:
    """A 240 x 140 mm VAT invoice printed in brown-red (title, table rules, the side text down the
    right edge), the 监制章 stamped over the title, the 发票专用章, and a 骑缝章 piece at the right edge
    over the side text."""
    from PIL import ImageDraw

    from shenbao.fixtures.render import pil_font

    def mmd(v):
        return mm(v, dpi)

    img = Image.new("RGB", (mmd(240), mmd(140)), (250, 248, 244))
    d = ImageDraw.Draw(img)
    d.text((mmd(120), mmd(12)), "河南增值税专用发票", font=pil_font(mmd(8)), fill=BROWN, anchor="mm")
    d.rectangle([mmd(8), mmd(26), mmd(230), mmd(118)], outline=BROWN, width=max(2, mmd(0.5)))
    for y in (48, 62, 90, 100):
        d.line([mmd(8), mmd(y), mmd(230), mmd(y)], fill=BROWN, width=max(1, mmd(0.3)))
    for i, ch in enumerate("第二联：发票联　购买方记账凭证"):
        d.text((mmd(236), mmd(30) + i * mmd(5.5)), ch, font=pil_font(mmd(4)), fill=BROWN, anchor="mm")
    f = pil_font(mmd(3.5))
    for k, y in enumerate((32, 38, 44, 54, 70, 95, 106, 112)):
        d.text((mmd(14), mmd(y)), "名称：三门峡利华化工有限公司  纳税人识别号：91411224998164649C"[: 20 + 3 * k],
               font=f, fill=(30, 30, 30))
    rgb = np.asarray(img).copy()
    truth = {
        "监制章": stamp(rgb, supervision_seal(mmd(30), mmd(20)), mmd(120), mmd(12)),
        "发票专用章": stamp(rgb, oval_seal("杭州旭日工业软件有限公司", mmd(40), mmd(30)), mmd(190), mmd(112)),
        "骑缝章": stamp(rgb, round_seal("三门峡利华化工有限公司", mmd(42)), mmd(240) + mmd(13), mmd(90)),
    }
    return rgb, truth


def test_seals_over_a_vat_invoices_brown_red_print_are_found():
    rgb, truth = vat_invoice()
    found = seals.detect_seals(rgb)
    whole_found = [s for s in found if s.edge is None]
    for name in ("监制章", "发票专用章"):
        assert any(iou(s.bbox, truth[name]) > 0.5 for s in whole_found), (name, truth[name], found)
    assert any(s.edge == "right" for s in found), found
    assert all(s.colour == "red" for s in found)
