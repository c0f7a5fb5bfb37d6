"""Signature fields as a reviewer sees them: which 签字 / 注册会计师 labels are fields, and signed or not.

Pages are drawn here with PIL (the project's CJK font) and the ``lines`` input is built from where
the label text was drawn, as the text layer (confidence 1.0) or OCR (< 1.0) would give it. Besides
the fixture scribble, the signatures come in several hand-drawn styles of our own (connected
cursive, block Chinese-like characters, a thin light-blue pen, a short 2-character name), so the
detector is not tuned to one generator.
"""
from __future__ import annotations

import io
import math
import random
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from shenbao.fixtures.render import pil_font, seal_image, signature_image
from shenbao.model import Line, Seal
from shenbao.vision.signatures import find_signature_fields

BLACK = (22, 22, 30)
BLUE = (25, 55, 175)
LIGHT_BLUE = (95, 140, 225)
RED = (205, 30, 40)


# ----------------------------------------------------------------------------- page builder
class PageBuilder:
    """An A4 page image with text whose boxes are recorded as ``Line`` objects (page fractions)."""

    def __init__(self, dpi: int = 200, landscape: bool = False):
        self.dpi = dpi
        w_mm, h_mm = (297, 210) if landscape else (210, 297)
        self.W, self.H = round(w_mm / 25.4 * dpi), round(h_mm / 25.4 * dpi)
        self.img = Image.new("RGB", (self.W, self.H), (255, 255, 255))
        self.draw = ImageDraw.Draw(self.img)
        self.lines: list[Line] = []
        self.seals: list[Seal] = []

    def px(self, mm: float) -> float:
        return mm * self.dpi / 25.4

    def frac(self, x0, y0, x1, y1) -> tuple:
        return (x0 / self.W, y0 / self.H, x1 / self.W, y1 / self.H)

    def text(self, x_mm: float, y_mm: float, s: str, pt: float = 12, conf: float | None = 1.0,
             colour=(0, 0, 0), ocr_pad: bool = False) -> tuple:
        """Draw ``s`` with its top-left at (x_mm, y_mm); record a Line unless ``conf`` is None.

        Returns the text box in pixels. Text-layer boxes span the em box (like pdfium's loose char
        boxes); OCR boxes are padded a little, as detectors do.
        """
        size = max(6, round(pt / 72 * self.dpi))
        font = pil_font(size)
        x, y = self.px(x_mm), self.px(y_mm)
        self.draw.text((x, y), s, font=font, fill=colour)
        bx0, _, bx1, _ = self.draw.textbbox((x, y), s, font=font)
        box = (bx0, y, bx1, y + size * 1.05)
        if ocr_pad:
            p = 0.15 * size
            box = (box[0] - p, box[1] - p, box[2] + p, box[3] + p)
        if conf is not None:
            self.lines.append(Line(s, self.frac(*box), conf))
        return box

    def rule(self, x0_mm, y_mm, x1_mm, width_px: int = 2):
        y = self.px(y_mm)
        self.draw.line([(self.px(x0_mm), y), (self.px(x1_mm), y)], fill=(0, 0, 0), width=width_px)

    def rect(self, x0_mm, y0_mm, x1_mm, y1_mm, width_px: int = 2):
        self.draw.rectangle([self.px(x0_mm), self.px(y0_mm), self.px(x1_mm), self.px(y1_mm)],
                            outline=(0, 0, 0), width=width_px)

    def paste(self, rgba: Image.Image, x_mm: float, y_mm: float, w_mm: float):
        w = max(4, round(self.px(w_mm)))
        h = max(4, round(w * rgba.height / rgba.width))
        im = rgba.resize((w, h), Image.LANCZOS)
        self.img.paste(im, (round(self.px(x_mm)), round(self.px(y_mm))), im)

    def signature(self, style: str, x_mm: float, y_mm: float, w_mm: float = 30, colour=BLACK,
                  seed: int = 0, name: str = "王建国"):
        """A handwritten signature whose box's top-left is at (x_mm, y_mm), ``w_mm`` wide."""
        rng = random.Random(seed)
        # pen width on the page: 0.45 mm (0.25 mm for the thin pen), drawn at the source scale
        src_w = {"fixture": 360, "cursive": 420, "thin": 420, "block": 3 * 120 + 30, "short": 2 * 120 + 30}[style]
        scale = self.px(w_mm) / src_w
        pen = max(1, round(self.px(0.25 if style == "thin" else 0.45) / scale))
        if style == "fixture":
            im = signature_image(name, rng)
            if colour != BLACK:
                a = np.array(im)
                a[..., :3] = colour
                im = Image.fromarray(a)
        elif style in ("cursive", "thin"):
            im = cursive(rng, colour, pen)
        elif style == "block":
            im = block_hand(rng, colour, pen, n=3)
        elif style == "short":
            im = block_hand(rng, colour, pen, n=2)
        else:
            raise ValueError(style)
        self.paste(im, x_mm, y_mm, w_mm)

    def seal(self, cx_mm: float, cy_mm: float, d_mm: float = 40, name="河南某某科技有限公司", record=True,
             seed: int = 1, opaque: bool = False):
        """Stamp a red seal; its ink multiplies (darkens, never hides) what is under it, unless ``opaque``."""
        im = seal_image(name, 360, "", random.Random(seed))
        if opaque:
            self.paste(im, cx_mm - d_mm / 2, cy_mm - d_mm / 2, d_mm)
        else:
            w = max(4, round(self.px(d_mm)))
            ink = im.resize((w, w), Image.LANCZOS)
            x, y = round(self.px(cx_mm - d_mm / 2)), round(self.px(cy_mm - d_mm / 2))
            x0, y0, x1, y1 = max(0, x), max(0, y), min(self.W, x + w), min(self.H, y + w)
            base = np.asarray(self.img.crop((x0, y0, x1, y1)), np.float32)
            ov = np.asarray(ink.crop((x0 - x, y0 - y, x1 - x, y1 - y)), np.float32)
            a = ov[..., 3:4] / 255.0
            out = base * (1 - a + a * ov[..., :3] / 255.0)
            self.img.paste(Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8)), (x0, y0))
            self.draw = ImageDraw.Draw(self.img)
        if record:
            r = self.px(d_mm / 2)
            cx, cy = self.px(cx_mm), self.px(cy_mm)
            self.seals.append(Seal(self.frac(cx - r, cy - r, cx + r, cy + r), 0.9))

    def rgb(self) -> np.ndarray:
        return np.asarray(self.img).copy()

    def scanned(self, seed: int = 0, angle: float = 0.8, quality: int = 60):
        """A flatbed-scan look: rotation, paper tint, blur, noise, JPEG. Returns (rgb, lines, seals)
        with the boxes moved by the same rotation (as OCR of the scan would report them)."""
        nr = np.random.default_rng(seed)
        a = np.asarray(self.img).astype(np.float32)
        M = cv2.getRotationMatrix2D((self.W / 2, self.H / 2), angle, 1.0)
        a = cv2.warpAffine(a, M, (self.W, self.H), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=(245, 245, 242))
        a *= np.array([0.97, 0.95, 0.9], np.float32)
        a = cv2.GaussianBlur(a, (0, 0), 0.9)
        a += (nr.standard_normal(a.shape[:2], dtype=np.float32) * 4.0)[..., None]
        im = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=quality)
        out = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB")).copy()

        def move(b):
            x0, y0, x1, y1 = b[0] * self.W, b[1] * self.H, b[2] * self.W, b[3] * self.H
            pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]]) @ M.T
            return self.frac(pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max())

        lines = [Line(l.text, move(l.bbox), l.confidence) for l in self.lines]
        seals = [Seal(move(s.bbox), s.confidence) for s in self.seals]
        return out, lines, seals

    def find(self, **kw):
        return find_signature_fields(self.rgb(), self.lines, self.seals, **kw)


def cursive(rng: random.Random, colour, pen: int, w: int = 420, h: int = 150) -> Image.Image:
    """One connected cursive stroke with loops (prolate cycloid) and a rising tail."""
    im = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    loops = rng.randint(4, 7)
    r = h * rng.uniform(0.18, 0.28)
    pts = []
    n = 260
    for i in range(n + 1):
        t = i / n
        ang = 2 * math.pi * loops * t
        x = 25 + t * (w - 70) - r * 0.8 * math.sin(ang)
        y = h * 0.55 - r * math.cos(ang) * (0.7 + 0.3 * math.sin(3 * t + rng.random())) - 18 * t
        pts.append((x, y))
    d.line(pts, fill=colour + (255,), width=pen, joint="curve")
    tail = [pts[-1], (w - 20, h * 0.2)]
    d.line(tail, fill=colour + (255,), width=pen)
    return im.rotate(rng.uniform(-5, 5), resample=Image.BICUBIC)


def block_hand(rng: random.Random, colour, pen: int, n: int = 3, cell: int = 120) -> Image.Image:
    """Chinese-like block handwriting: n characters of 5-8 short jittered strokes each."""
    w, h = n * cell + 30, cell + 30
    im = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    ink = colour + (255,)
    for k in range(n):
        ox, oy = 15 + k * cell + rng.uniform(-6, 6), 15 + rng.uniform(-8, 8)
        s = cell * rng.uniform(0.8, 0.95)
        for _ in range(rng.randint(5, 8)):
            kind = rng.choice(["h", "h", "v", "v", "pie", "na", "dot", "hook"])
            x, y = ox + rng.uniform(0.05, 0.6) * s, oy + rng.uniform(0.05, 0.75) * s
            if kind == "h":
                seg = [(x, y), (x + rng.uniform(0.3, 0.7) * s, y - rng.uniform(0, 0.08) * s)]
            elif kind == "v":
                seg = [(x, y * 0.5 + oy * 0.5), (x + rng.uniform(-0.04, 0.04) * s, oy + rng.uniform(0.6, 0.95) * s)]
            elif kind == "pie":
                seg = [(x + 0.2 * s, y), (x + 0.1 * s, y + 0.2 * s), (x - 0.08 * s, y + 0.35 * s)]
            elif kind == "na":
                seg = [(x, y), (x + 0.15 * s, y + 0.2 * s), (x + 0.35 * s, y + 0.32 * s)]
            elif kind == "dot":
                seg = [(x, y), (x + 0.06 * s, y + 0.08 * s)]
            else:
                seg = [(x, y), (x + 0.3 * s, y), (x + 0.28 * s, y + 0.35 * s), (x + 0.2 * s, y + 0.3 * s)]
            d.line(seg, fill=ink, width=pen, joint="curve")
    return im.rotate(rng.uniform(-4, 4), resample=Image.BICUBIC)


# ----------------------------------------------------------------------------- helpers
def declaration(dpi=200, label="法定代表人（签字）：", pt=13, conf=1.0, y=150.0) -> tuple:
    """A declaration page: body text, the label, a date; returns (page, label box px)."""
    p = PageBuilder(dpi)
    p.text(75, 30, "申报真实性声明", 20, conf=conf)
    body = ["我单位郑重声明：所提交的申报材料真实、合法、有效。",
            "如有不实之处，愿负相应的法律责任，并承担由此产生的一切后果。",
            "特此声明。"]
    for i, s in enumerate(body):
        p.text(25, 60 + i * 10, s, 13, conf=conf)
    box = p.text(70, y, label, pt, conf=conf)
    p.text(120, y + 40, "2025 年 6 月 18 日", 13, conf=conf)
    return p, box


def field_x_mm(p: PageBuilder, box) -> float:
    return box[2] / p.px(1) + 3


def one(fields):
    assert len(fields) == 1, fields
    return fields[0]


# ----------------------------------------------------------------------------- signed / unsigned
@pytest.mark.parametrize("style", ["fixture", "cursive", "block", "short", "thin"])
@pytest.mark.parametrize("colour,name", [(BLACK, "black"), (BLUE, "blue"), (RED, "red")])
def test_signed_field_reports_signed_with_the_ink_colour(style, colour, name):
    p, box = declaration()
    w = 18 if style == "short" else 34
    p.signature(style, field_x_mm(p, box), 146, w, colour, seed=zlib.crc32(f"{style}-{name}".encode()) % 1000)
    f = one(p.find())
    assert f.label == "法定代表人（签字）："
    assert f.signed, f
    assert f.colour == name
    assert f.ink >= 0.01


def test_light_blue_thin_pen_is_signed_blue():
    p, box = declaration()
    p.signature("thin", field_x_mm(p, box), 147, 30, LIGHT_BLUE, seed=5)
    f = one(p.find())
    assert f.signed and f.colour == "blue"


@pytest.mark.parametrize("grey", [118, 140, 165])
@pytest.mark.parametrize("style", ["thin", "cursive", "block"])
def test_grey_pencil_or_pen_signature_is_signed(style, grey):
    """A signature in pencil or a pen that scans grey (no pixel as dark as print) is signed, not
    "unsigned" however unsure: the strokes are there."""
    p, box = declaration()
    p.signature(style, field_x_mm(p, box), 146, 30, (grey, grey, grey + 5), seed=grey)
    f = one(p.find())
    assert f.signed, f


@pytest.mark.parametrize("grey", [150, 185])
def test_grey_shaded_cell_is_not_a_signature(grey):
    """A grey-filled box in the field (a shaded form cell) is pale ink but no pen stroke."""
    p, box = declaration()
    x = field_x_mm(p, box)
    p.draw.rectangle([p.px(x), p.px(146), p.px(x + 30), p.px(154)], fill=(grey, grey, grey))
    f = one(p.find())
    assert not f.signed, f


def test_empty_field_is_unsigned():
    p, _ = declaration()
    f = one(p.find())
    assert not f.signed
    assert f.colour is None
    assert f.ink < 0.002
    assert f.confidence >= 0.8


def test_empty_field_with_printed_underline_is_unsigned():
    p, box = declaration()
    y_mm = box[3] / p.px(1)
    p.rule(box[2] / p.px(1) + 1, y_mm, box[2] / p.px(1) + 50, width_px=2)
    f = one(p.find())
    assert not f.signed, f


def test_underline_in_the_text_layer_is_unsigned_and_signed_when_written_on():
    p, box = declaration(label="法定代表人签字：____________")
    f = one(p.find())
    assert f.label == "法定代表人签字："
    assert not f.signed
    p.signature("cursive", box[0] / p.px(1) + 40, 146, 30, BLACK, seed=3)
    assert one(p.find()).signed


@pytest.mark.parametrize("opaque", [False, True])
def test_seal_over_an_empty_field_is_not_a_signature(opaque):
    p, box = declaration()
    p.seal(field_x_mm(p, box) + 15, 152, 40, opaque=opaque)
    f = one(p.find())
    assert not f.signed, f


def test_undetected_seal_over_an_empty_field_is_not_a_signature():
    p, box = declaration()
    p.seal(field_x_mm(p, box) + 15, 152, 40, record=False)  # the seal detector missed it
    f = one(p.find())
    assert not f.signed, f


@pytest.mark.parametrize("opaque", [False, True])
@pytest.mark.parametrize("style", ["fixture", "block", "cursive"])
def test_signature_under_a_seal_is_signed(style, opaque):
    p, box = declaration()
    x = field_x_mm(p, box)
    p.signature(style, x, 146, 32, BLACK, seed=11)
    p.seal(x + 14, 151, 40, opaque=opaque)
    f = one(p.find())
    assert f.signed and f.colour == "black", f


def test_blue_signature_under_a_seal_is_signed_blue():
    p, box = declaration()
    x = field_x_mm(p, box)
    p.signature("cursive", x, 146, 34, BLUE, seed=12)
    p.seal(x + 10, 151, 40)
    f = one(p.find())
    assert f.signed and f.colour == "blue", f


def test_typed_name_in_the_text_layer_is_not_a_signature():
    p, box = declaration()
    p.text(field_x_mm(p, box), 150, "王建国", 13)
    f = one(p.find())
    assert not f.signed, f
    # typed in the same text-layer line as the label
    p2 = PageBuilder()
    p2.text(70, 150, "法定代表人（签字）：王建国", 13)
    f2 = one(p2.find())
    assert not f2.signed and f2.label == "法定代表人（签字）："


def test_signature_partly_over_the_label_is_signed():
    p, box = declaration()
    p.signature("cursive", box[2] / p.px(1) - 8, 146, 32, BLUE, seed=21)
    f = one(p.find())
    assert f.signed and f.colour == "blue"


def test_signature_next_to_a_printed_name_is_signed_and_name_alone_is_not():
    # audit-report layout: signature with the printed name in brackets under it
    p = PageBuilder()
    p.text(115, 200, "中国注册会计师：", 11)
    p.text(150, 205, "（李明）", 9)
    assert not one(p.find()).signed
    p.signature("fixture", 150, 196, 26, BLACK, seed=2, name="李明")
    assert one(p.find()).signed


# ----------------------------------------------------------------------------- which labels
def test_instruction_sentence_mentioning_signing_is_not_a_field():
    p = PageBuilder()
    p.text(20, 40, "填表说明：单位法人签字必须用黑色签字笔，不得代签。", 11)
    p.text(20, 50, "四、注册会计师对财务报表审计的责任", 12)
    p.text(20, 60, "我们按照中国注册会计师审计准则的规定执行了审计工作。", 11)
    p.text(20, 70, "本合同自双方签字盖章之日起生效。", 11)
    p.text(20, 80, "以上内容须由法定代表人签字", 11)
    p.signature("cursive", 150, 36, 30, BLACK)  # ink nearby must not make a field either
    assert p.find() == []


def test_signature_column_header_in_a_list_table_is_not_a_field():
    p = PageBuilder()
    x = 20
    for s in ("序号", "姓名", "身份证号", "签字"):
        p.text(x, 60, s, 11)
        x += 40
    for r in range(3):
        p.text(20, 70 + r * 10, str(r + 1), 11)
        p.text(60, 70 + r * 10, "张三丰", 11)
    assert p.find() == []


def test_two_cpa_labels_on_one_page_give_two_fields():
    p = PageBuilder()
    p.text(25, 200, "某某会计师事务所（特殊普通合伙）", 11)
    p.text(115, 200, "中国注册会计师：", 11)
    p.text(115, 218, "中国注册会计师：", 11)
    p.signature("fixture", 150, 196, 26, BLACK, seed=4, name="李明")
    fs = p.find()
    assert [f.label for f in fs] == ["中国注册会计师：", "中国注册会计师："]
    assert fs[0].label_bbox[1] < fs[1].label_bbox[1]  # top to bottom
    assert fs[0].signed and not fs[1].signed


def test_role_labels_need_a_colon_or_blank_field():
    p = PageBuilder()
    p.text(20, 60, "制表人：", 11)
    p.text(90, 60, "审核人：", 11)
    p.text(150, 60, "负责人：", 11)
    p.text(20, 90, "经办人：张三", 11)  # a typed value: a data field, not a signature field
    p.text(20, 110, "审核人员应当逐项核对。", 11)
    p.signature("short", 40, 57, 16, BLUE, seed=8)
    fs = p.find()
    assert [f.label for f in fs] == ["制表人：", "审核人：", "负责人："]
    assert [f.signed for f in fs] == [True, False, False]


def test_label_at_the_top_of_a_cell_examines_below():
    p = PageBuilder()
    p.rect(20, 100, 190, 140)
    p.text(22, 102, "县（市、区）审查签名", 11)
    p.text(100, 102, "审查意见", 11)  # other printed text right of the label
    p.signature("block", 40, 115, 30, BLACK, seed=9)
    f = one(p.find())
    assert f.label == "县（市、区）审查签名"
    assert f.signed, f
    assert f.bbox[1] > f.label_bbox[3] - 0.005  # the field found is below the label


# ----------------------------------------------------------------------------- OCR lines, scans
def test_label_from_low_confidence_ocr_works():
    p, box = declaration(conf=0.8)
    p.signature("block", field_x_mm(p, box), 146, 30, BLUE, seed=12)
    f = one(p.find())
    assert f.signed and f.colour == "blue"
    assert f.confidence < 0.95
    q, _ = declaration(conf=0.8)
    assert not one(q.find()).signed


def test_ocr_box_merging_label_and_signature():
    p = PageBuilder()
    p.text(25, 60, "我单位郑重声明：所提交的申报材料真实、合法、有效。", 13, conf=0.99, ocr_pad=True)
    box = p.text(70, 150, "法定代表人（签字）：", 13, conf=None)
    p.signature("block", field_x_mm(p, box), 145, 26, BLACK, seed=13)
    # OCR read the handwriting as "王建国" and returned one box for all of it
    x1 = p.px(field_x_mm(p, box) + 26)
    p.lines.append(Line("法定代表人（签字）：王建国", p.frac(box[0] - 5, box[1] - 30, x1, box[3] + 30), 0.78))
    f = one(p.find())
    assert f.label == "法定代表人（签字）："
    assert f.signed
    assert f.label_bbox[2] < (box[2] + p.px(4)) / p.W  # label end capped, not the whole box


def test_neat_handwriting_read_by_ocr_as_a_line_still_counts():
    p, box = declaration(conf=0.97)
    x = field_x_mm(p, box)
    p.signature("block", x, 144, 30, BLACK, seed=14)
    p.lines.append(Line("王建国", p.frac(p.px(x), p.px(144), p.px(x + 30), p.px(158)), 0.95))
    assert one(p.find()).signed


def test_blue_handwriting_read_surely_by_ocr_at_print_height_still_counts():
    p, box = declaration(conf=0.98)
    x = field_x_mm(p, box)
    p.signature("short", x, 147, 16, BLUE, seed=15)
    y0, y1 = box[1] / p.px(1), box[3] / p.px(1)
    p.lines.append(Line("王军", p.frac(p.px(x), p.px(y0), p.px(x + 16), p.px(y1)), 0.97))
    f = one(p.find())
    assert f.signed and f.colour == "blue"


def table_form(dpi: int, signed_rows: set, ocr: bool) -> PageBuilder:
    """A ruled table: label cell | field cell | second label | value, rows 14 mm high."""
    p = PageBuilder(dpi)
    conf = 0.97 if ocr else 1.0
    rows = [("法定代表人签字", "日期", "2025年6月18日"), ("经办人：", "联系电话", "13812345678"),
            ("财务负责人（签字）", "（盖章）", ""), ("审核人：", "复核人：", "")]
    lw = max(1, dpi // 100)
    for r, (a, b, c) in enumerate(rows):
        top = 60 + r * 14
        p.rect(20, top, 190, top + 14, width_px=lw)
        for x in (60, 110, 140):
            p.draw.line([(p.px(x), p.px(top)), (p.px(x), p.px(top + 14))], fill=(0, 0, 0), width=lw)
        p.text(22, top + 4.5, a, 11, conf=conf, ocr_pad=ocr)
        p.text(112, top + 4.5, b, 11, conf=conf, ocr_pad=ocr)
        if c:
            p.text(142, top + 4.5, c, 11, conf=conf, ocr_pad=ocr)
        if r in signed_rows:
            p.signature(["fixture", "cursive", "block", "short"][r], 64, top + 1.5, 30 if r != 3 else 18,
                        BLUE if r % 2 else BLACK, seed=60 + r)
    return p


@pytest.mark.parametrize("ocr", [False, True])
@pytest.mark.parametrize("signed_rows", [{0, 2}, {1, 3}, {0}, set()])
def test_table_cells_keep_each_field_to_its_own_row(signed_rows, ocr):
    p = table_form(200, signed_rows, ocr)
    rgb, lines, seals = p.scanned(seed=len(signed_rows), angle=0.7) if ocr else (p.rgb(), p.lines, p.seals)
    got = {f.label: f.signed for f in find_signature_fields(rgb, lines, seals)}
    assert got == {"法定代表人签字": 0 in signed_rows, "经办人：": 1 in signed_rows,
                   "财务负责人（签字）": 2 in signed_rows, "审核人：": 3 in signed_rows, "复核人：": False}


@pytest.mark.parametrize("signed", [True, False])
@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_simulated_scan(signed, dpi):
    p, box = declaration(dpi=dpi, conf=0.97)
    p.rule(box[2] / p.px(1) + 1, box[3] / p.px(1), box[2] / p.px(1) + 50, width_px=max(1, dpi // 100))
    if signed:
        p.signature("fixture", field_x_mm(p, box), 146, 32, BLUE, seed=dpi)
    p.seal(150, 200, 40, seed=dpi)  # a seal elsewhere on the page
    rgb, lines, seals = p.scanned(seed=dpi, angle=-0.9)
    f = one(find_signature_fields(rgb, lines, seals))
    assert f.signed == signed, f
    if signed:
        assert f.colour == "blue"


def test_low_resolution_100dpi():
    p, box = declaration(dpi=100)
    p.signature("cursive", field_x_mm(p, box), 146, 32, BLACK, seed=31)
    assert one(p.find()).signed
    q, _ = declaration(dpi=100)
    assert not one(q.find()).signed


# ----------------------------------------------------------------------------- rotation
@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_page_is_read_in_reading_direction(rotation):
    p, box = declaration()
    p.signature("cursive", field_x_mm(p, box), 146, 32, BLACK, seed=41)
    upright = p.rgb()
    fields_up = p.find()
    # the scan came in turned: turning it `rotation` clockwise makes it upright
    k = rotation // 90
    raw = np.ascontiguousarray(np.rot90(upright, k=k))  # counter-clockwise by `rotation`

    def to_raw(b):  # upright fractions -> raw (unturned) fractions
        u0, v0, u1, v1 = b
        if rotation == 90:
            return (v0, 1 - u1, v1, 1 - u0)
        if rotation == 180:
            return (1 - u1, 1 - v1, 1 - u0, 1 - v0)
        return (1 - v1, u0, 1 - v0, u1)

    lines = [Line(l.text, to_raw(l.bbox), l.confidence) for l in p.lines]
    f = one(find_signature_fields(raw, lines, [], rotation=rotation))
    assert f.signed
    up = fields_up[0]
    assert np.allclose(f.bbox, to_raw(up.bbox), atol=0.003)
    assert np.allclose(f.label_bbox, to_raw(up.label_bbox), atol=0.003)
    # an empty field stays empty when turned
    q, _ = declaration()
    raw_q = np.ascontiguousarray(np.rot90(q.rgb(), k=k))
    lines_q = [Line(l.text, to_raw(l.bbox), l.confidence) for l in q.lines]
    assert not one(find_signature_fields(raw_q, lines_q, [], rotation=rotation)).signed


# ----------------------------------------------------------------------------- robustness, speed
def test_no_lines_or_tiny_image_gives_nothing():
    p, _ = declaration()
    assert find_signature_fields(p.rgb(), [], []) == []
    assert find_signature_fields(np.zeros((8, 8, 3), np.uint8), p.lines, []) == []


def test_deterministic_and_sorted_top_to_bottom():
    p = PageBuilder()
    p.text(20, 220, "经办人：", 11)
    p.text(20, 60, "法定代表人签字：", 11)
    p.text(110, 60, "财务负责人签字：", 11)
    p.signature("cursive", 47, 56, 28, BLUE, seed=51)
    a, b = p.find(), p.find()
    assert a == b
    assert [f.label for f in a] == ["法定代表人签字：", "财务负责人签字：", "经办人："]
    assert [f.signed for f in a] == [True, False, False]


def test_four_fields_on_one_page_each_get_their_own_state():
    # (speed per label and page is measured by bench/vision.py, not here)
    p = PageBuilder(dpi=200)
    for i in range(4):
        p.text(20, 40 + i * 50, "法定代表人（签字）：", 12)
        p.text(110, 40 + i * 50, "日期：", 12)
        if i % 2:
            p.signature("fixture", 66, 36 + i * 50, 32, BLACK, seed=i)
    rgb = p.rgb()
    fs = find_signature_fields(rgb, p.lines, [])
    assert [f.signed for f in fs] == [False, True, False, True]


def test_the_text_inside_a_cpa_seal_is_not_a_signature_field():
    """OCR reads “注册会计师” off the CPA's square seal too; that line is the stamp's, not a field."""
    p = PageBuilder(dpi=200)
    p.text(120, 150, "中国注册会计师：", 12)
    p.signature("fixture", 160, 146, 30, BLACK, seed=3)
    # the square seal beside the field, with its own text as OCR would report it
    p.text(182, 148, "注册会计师", 7)
    p.text(184, 154, "谢刚", 9)
    seal = Seal(p.frac(p.px(178), p.px(144), p.px(198), p.px(164)), 0.9, shape="rect")
    fs = find_signature_fields(p.rgb(), p.lines, [seal])
    assert [f.label for f in fs] == ["中国注册会计师："], fs
    assert fs[0].signed


def test_a_signature_read_as_latin_letters_glued_to_its_label_is_signed():
    """OCR often reads a scribble as a few letters in the label's own box, with confidence
    (“中国注册会计师：nM”): that box holds the signature, and blanking it whole as printed text
    erased the ink (a false “未发现手写签名” on a signed audit report)."""
    def audit_page() -> PageBuilder:
        p = PageBuilder()
        p.text(90, 30, "审计报告", 18)
        for i, s in enumerate(["我们审计了三门峡永兴化工有限公司财务报表，包括资产负债表、利润表。",
                               "我们认为，后附的财务报表在所有重大方面按照企业会计准则的规定编制。",
                               "中兴财光华会计师事务所（特殊普通合伙）"]):
            p.text(20, 60 + 10 * i, s, 11)
        return p

    for tail in ("nM", "Mn", "W~"):
        p = audit_page()
        box = p.text(115, 200, "中国注册会计师：", 11, conf=None)
        p.signature("cursive", box[2] / p.px(1) + 2, 196, 26, BLACK, seed=3)
        x1 = p.px(box[2] / p.px(1) + 2 + 26)
        p.lines.append(Line("中国注册会计师：" + tail, p.frac(box[0], box[1] - 4, x1, box[3] + 4), 0.97))
        f = one(p.find())
        assert f.signed, tail
    # the same box and text over an empty field: the letters alone are no signature
    p = audit_page()
    box = p.text(115, 200, "中国注册会计师：", 11, conf=None)
    p.lines.append(Line("中国注册会计师：nM", p.frac(box[0], box[1] - 4, box[2] + p.px(28), box[3] + 4), 0.97))
    assert not one(p.find()).signed
