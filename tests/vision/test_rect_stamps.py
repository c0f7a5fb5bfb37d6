"""Rectangular stamps found from their own border (stacked 注册会计师 seals, a double border whose
lines touch), seals on red tables, and red tables that are not seals."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from shenbao.fixtures.render import pil_font
from shenbao.vision import seals

from .test_seals import BLUE, RED, iou, mm, oval_seal, page, scan_in_place, stamp


def cpa_seal(name: str, number: str, size_px: int, rotation: float = 0.0, touching: bool = False) -> np.ndarray:
    """A 注册会计师 square: outer border, an inner border (touching the outer one at one side when
    ``touching``), 注册会计师 / name / number inside."""
    img = Image.new("L", (size_px, size_px), 0)
    d = ImageDraw.Draw(img)
    lw = max(3, size_px // 22)
    d.rectangle([0, 0, size_px - 1, size_px - 1], outline=255, width=lw)
    gap = lw + max(2, size_px // 30)
    inner = [gap, gap, size_px - 1 - gap, size_px - 1 - gap]
    if touching:
        inner[0] = lw - 1  # the two borders run together along the left side
    d.rectangle(inner, outline=255, width=max(2, lw // 2))
    d.text((size_px / 2, size_px * 0.3), "注册会计师", font=pil_font(size_px // 8, bold=True), fill=255, anchor="mm")
    d.text((size_px / 2, size_px * 0.55), name, font=pil_font(size_px // 5, bold=True), fill=255, anchor="mm")
    d.text((size_px / 2, size_px * 0.78), number, font=pil_font(size_px // 11), fill=255, anchor="mm")
    if rotation:
        img = img.rotate(rotation, resample=Image.BICUBIC, expand=True)
    return np.asarray(img, dtype=np.float32) / 255.0


def red_table(rgb: np.ndarray, box_mm: tuple, rows: int, cols: int, dpi: int, text: bool = True,
              ink=RED) -> None:
    """Draw a ruled table in ``ink`` (an invoice list printed with red rules), black text in cells."""
    img = Image.fromarray(rgb)
    d = ImageDraw.Draw(img)
    x0, y0, x1, y1 = (mm(v, dpi) for v in box_mm)
    lw = max(1, mm(0.3, dpi))
    for i in range(rows + 1):
        y = y0 + (y1 - y0) * i // rows
        d.line([(x0, y), (x1, y)], fill=ink, width=lw)
    for j in range(cols + 1):
        x = x0 + (x1 - x0) * j // cols
        d.line([(x, y0), (x, y1)], fill=ink, width=lw)
    if text:
        f = pil_font(mm(3.0, dpi))
        for i in range(rows):
            for j in range(cols):
                d.text((x0 + (x1 - x0) * j // cols + mm(2, dpi), y0 + (y1 - y0) * i // rows + mm(2, dpi)),
                       "设备款 1,250.00", font=f, fill=(20, 20, 20))
    rgb[:] = np.asarray(img)


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_two_cpa_seals_stacked_edge_to_edge_are_two_seals(dpi):
    rgb = page(dpi)
    size = mm(18, dpi)
    a = stamp(rgb, cpa_seal("范伟", "410124223526", size, rotation=4.0), mm(160, dpi), mm(200, dpi))
    b = stamp(rgb, cpa_seal("石世杰", "410102008806", size, rotation=-1.0), mm(160.5, dpi), mm(200, dpi) + size)
    found = [s for s in seals.detect_seals(rgb) if s.shape == "rect"]
    assert len(found) == 2, found
    for truth in (a, b):
        assert max(iou(s.bbox, truth) for s in found) > 0.6, (truth, found)


def test_double_border_that_touches_is_one_seal_on_a_scan():
    dpi = 200
    rgb = page(dpi)
    truth = stamp(rgb, cpa_seal("王海燕", "410100601234", mm(18, dpi), rotation=2.5, touching=True),
                  mm(150, dpi), mm(230, dpi))
    rgb = scan_in_place(rgb, seed=3)
    found = seals.detect_seals(rgb)
    assert len(found) == 1 and found[0].shape == "rect" and iou(found[0].bbox, truth) > 0.6, found


@pytest.mark.parametrize("colour", [RED, BLUE])
def test_oval_invoice_seal_on_a_ruled_table_is_found(colour):
    dpi = 150
    rgb = page(dpi, landscape=True, text=False)
    red_table(rgb, (15, 40, 282, 150), rows=10, cols=6, dpi=dpi, ink=colour)
    truth = stamp(rgb, oval_seal("洛阳中科智能装备有限公司", mm(40, dpi), mm(30, dpi)), mm(230, dpi), mm(110, dpi),
                  colour=colour)
    found = seals.detect_seals(rgb)
    assert len(found) == 1, found
    assert found[0].shape == "oval" and iou(found[0].bbox, truth) > 0.7


@pytest.mark.parametrize("rows,cols", [(10, 6), (3, 3), (6, 2)])
def test_a_red_table_with_text_in_its_cells_is_no_seal(rows, cols):
    dpi = 150
    rgb = page(dpi, text=False)
    red_table(rgb, (20, 60, 190, 60 + 10 * rows), rows=rows, cols=cols, dpi=dpi)
    assert seals.detect_seals(rgb) == []


def test_a_red_table_with_red_text_in_its_cells_is_no_seal():
    dpi = 200
    rgb = page(dpi, text=False)
    red_table(rgb, (20, 60, 190, 120), rows=4, cols=4, dpi=dpi, text=False)
    img = Image.fromarray(rgb)
    d = ImageDraw.Draw(img)
    for i in range(4):
        for j in range(4):
            d.text((mm(24 + 42.5 * j, dpi), mm(64 + 15 * i, dpi)), "合计金额", font=pil_font(mm(4, dpi)), fill=RED)
    assert seals.detect_seals(np.asarray(img).copy()) == []


@pytest.mark.parametrize("dx_mm", [14, 17])
def test_name_seal_stamped_over_the_company_seals_ring_is_a_seal_of_its_own(dx_mm):
    """A 人名章 stamped over the right side of the 公章: most of the square lies on the round seal,
    so its ink is one blob with the seal's; its outer side is what shows beyond the ring."""
    from .test_seals import rect_seal, round_seal

    dpi = 150
    rgb = page(dpi)
    cx, cy = mm(100, dpi), mm(200, dpi)
    round_truth = stamp(rgb, round_seal("三门峡市华兴机械制造有限公司", mm(42, dpi)), cx, cy)
    square_truth = stamp(rgb, rect_seal(["王建", "国印"], mm(18, dpi), mm(18, dpi)), cx + mm(dx_mm, dpi), cy)
    rgb = scan_in_place(rgb, seed=5)
    found = seals.detect_seals(rgb)
    assert len(found) == 2, found
    assert max(iou(s.bbox, round_truth) for s in found if s.shape == "round") > 0.6
    assert max(iou(s.bbox, square_truth) for s in found if s.shape == "rect") > 0.6
