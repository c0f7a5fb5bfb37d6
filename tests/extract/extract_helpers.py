"""Test helpers for extraction: a picklable plugin-manager factory and synthetic 申报 files."""
from __future__ import annotations

import io
from pathlib import Path

import pluggy

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
CREDIT = "91410100MA44XK7J2B"

LICENSE_LINES = [
    "营业执照",
    f"统一社会信用代码：{CREDIT}",
    "名称：三门峡市示例科技有限公司",
    "类型：有限责任公司（自然人投资或控股）",
    "法定代表人：张三",
    "成立日期：2023年06月08日",
    "住所：河南省三门峡市湖滨区示例路88号",
]


def pm_factory():
    """Return a plugin manager with only the built-in extractors (top-level, so it pickles)."""
    from shenbao import hookspecs
    from shenbao.extract import plugin

    pm = pluggy.PluginManager("shenbao")
    pm.add_hookspecs(hookspecs)
    pm.register(plugin)
    return pm


def make_text_pdf(path: Path, pages: list[list[str]], encrypt: str | None = None) -> Path:
    """Write a text PDF (wqy-zenhei embedded) with one list of lines per page; return ``path``."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "wqy" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("wqy", FONT, subfontIndex=0))
    c = canvas.Canvas(str(path), pagesize=(595.27, 841.89), encrypt=encrypt)
    for lines in pages:
        c.setFont("wqy", 14)
        y = 780
        for ln in lines:
            c.drawString(72, y, ln)
            y -= 28
        c.showPage()
    c.save()
    return path


def scan_image(lines: list[str], rotate: float = 1.0, size=(1654, 2339), font_px: int = 44):
    """Return a PIL image that looks like a scan: text, 1° skew, blur, grey paper, JPEG artefacts."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    im = Image.new("RGB", size, (246, 244, 238))
    d = ImageDraw.Draw(im)
    f = ImageFont.truetype(FONT, font_px)
    y = int(size[1] * 0.085)  # 200 px on an A4 page at 200 dpi
    for ln in lines:
        d.text((160, y), ln, font=f, fill=(25, 25, 30))
        y += int(font_px * 2)
    im = im.rotate(rotate, resample=Image.BICUBIC, fillcolor=(246, 244, 238))
    im = im.filter(ImageFilter.GaussianBlur(1.0))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=60)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def image_pdf(path: Path, im) -> Path:
    """Write a PDF whose only page is the image ``im`` (a scanned page, no text layer)."""
    im.save(path, "PDF", resolution=200.0)
    return path
