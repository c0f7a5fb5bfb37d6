"""Red marks that are no seals (a bank's solid logo, a badge) and a receipt that is no stamp alone."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from shenbao.fixtures.render import pil_font, seal_image
from shenbao.model import Line, Page
from shenbao.vision import analyse_page, find_seals

RED = (205, 28, 38)


def receipt(seal: bool = True, logo: bool = False) -> tuple[np.ndarray, list[Line]]:
    """A bank's e-receipt as banks export it: blue rules across the whole image, black text, the
    bank's 电子回单专用章 at the bottom right (about 1000 x 600 px, no margins)."""
    w, h = 1000, 600
    img = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(img)
    for y in range(0, h, 60):
        d.line([(0, y), (w - 1, y)], fill=(60, 110, 200), width=2)
    d.line([(0, 0), (0, h - 1)], fill=(60, 110, 200), width=2)
    d.line([(w - 1, 0), (w - 1, h - 1)], fill=(60, 110, 200), width=2)
    f = pil_font(18)
    lines = []
    for k, text in enumerate(["中国示例银行 电子回单", "付款人 示例科技有限公司 账号 6222 0000 1234", "收款人 示例装备有限公司",
                              "金额 人民币壹拾贰万元整 ¥120,000.00", "交易日期 2025-03-18 摘要 货款", "用途 设备款"]):
        d.text((20, 15 + 60 * k), text, font=f, fill=(0, 0, 0))
        lines.append(Line(text, (0.02, (15 + 60 * k) / h, 0.6, (35 + 60 * k) / h), 1.0))
    if logo:  # a bank's logo: a thick red ring round a square with a hole, a bar through both
        cx, cy, r, wid = 150, 480, 50, 14
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=RED)
        d.ellipse([cx - r + wid, cy - r + wid, cx + r - wid, cy + r - wid], fill=(255, 255, 255))
        d.rectangle([cx - 22, cy - 22, cx + 22, cy + 22], fill=RED)
        d.rectangle([cx - 10, cy - 10, cx + 10, cy + 10], fill=(255, 255, 255))
        d.rectangle([cx - 4, cy - r, cx + 4, cy + r], fill=RED)
    if seal:
        s = seal_image("中国示例银行股份有限公司", size_px=190, inner="电子回单专用章")
        img.paste(s, (770, 380), s)
    return np.asarray(img).copy(), lines


def test_a_receipts_seal_is_found_though_its_rules_span_the_image():
    rgb, lines = receipt()
    page = Page(number=1, width=1000, height=600, text="\n".join(l.text for l in lines), lines=lines, source="ocr")
    analyse_page(rgb, page, read_seal_text=False)
    assert len([s for s in page.seals if s.edge is None]) == 1


def test_a_solid_red_logo_is_no_seal():
    rgb, _ = receipt(seal=True, logo=True)
    found = [s for s in find_seals(rgb) if s.edge is None]
    assert len(found) == 1 and found[0].bbox[0] > 0.7  # the seal, not the logo at the left
