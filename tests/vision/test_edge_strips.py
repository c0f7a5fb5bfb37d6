"""骑缝章 strips (:func:`shenbao.vision.edge_strips.find_strips`): the thin vertical slice of a
perforation seal that each middle page of a fanned volume shows at its edge, in colour and on a
grayscale copy; and edge marks that are no strip (scanner border, punched holes, text, red border)."""
from __future__ import annotations

import random

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from shenbao.fixtures.render import company_seal, impression, ink_bbox, multiply_onto, perforation_slice, pil_font
from shenbao.model import Seal
from shenbao.vision import edge_strips, seals

from .test_seals import BLUE, COMPANY, RED, iou, mm, page, round_seal, scan_in_place, stamp

DPI = 150


def fixture_strip(rgb: np.ndarray, edge: str, x0_mm: float, width_mm: float, y_mm: float = 120.0,
                  dpi: int = DPI, seed: int = 0, colour: str = "red") -> tuple:
    """Put the fixture generator's perforation slice of a 42 mm company seal against ``edge``
    (in place); return the visible ink's box as page fractions."""
    rng = random.Random(seed)
    spec = company_seal(COMPANY, rng, style="star", diameter=42.0)
    imp = impression(rng, colour=colour, rotation=0.0)
    sl = perforation_slice(spec, imp, x0_mm, width_mm, ppm=dpi / 25.4)
    img = Image.fromarray(rgb)
    x = img.width - sl.width if edge == "right" else 0
    y = mm(y_mm, dpi)
    multiply_onto(img, sl, x, y)
    rgb[:] = np.asarray(img)
    bx0, by0, bx1, by1 = ink_bbox(sl)
    W, H = img.size
    return ((x + bx0) / W, (y + by0) / H, (x + bx1) / W, (y + by1) / H)


def own_strip(rgb: np.ndarray, edge: str, x0_mm: float, width_mm: float, y_mm: float = 150.0,
              dpi: int = DPI, colour=RED) -> tuple:
    """A vertical slice [x0, x0 + width] mm of this module's own 42 mm seal drawing, stamped touching
    ``edge`` (in place); returns its box as page fractions."""
    m = round_seal(COMPANY, mm(42, dpi))
    a, b = mm(x0_mm, dpi), mm(x0_mm + width_mm, dpi)
    sl = m[:, a:b]
    W = rgb.shape[1]
    cx = W - (sl.shape[1] - sl.shape[1] // 2) if edge == "right" else sl.shape[1] // 2
    return stamp(rgb, sl, cx, mm(y_mm, dpi), colour=colour)


def strips_in(found: list, edge: str, truth: tuple, colour: str = "red") -> list[Seal]:
    """The strips found: at least one, all at ``edge`` in ``colour``, each within the drawn strip."""
    assert found, "no strip found"
    for s in found:
        assert s.edge == edge and s.colour == colour and s.shape == "round", s
        assert 0.5 <= s.confidence <= 0.95, s
        x0, y0, x1, y1 = s.bbox
        assert x0 >= truth[0] - 0.01 and x1 <= truth[2] + 0.01, (truth, s)
        assert y0 >= truth[1] - 0.005 and y1 <= truth[3] + 0.005, (truth, s)
        assert (x1 == 1.0) if edge == "right" else (x0 == 0.0), s  # touches the page edge
    return found


def gray3(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)


def page_seals(rgb: np.ndarray) -> list[Seal]:
    """What the page analysis reports (seals, then strips on the edges without a fragment)."""
    from shenbao.model import Page
    from shenbao.vision import analyse_page

    p = Page(number=1, width=rgb.shape[1], height=rgb.shape[0])
    analyse_page(rgb, p, read_seal_text=False)
    assert p.visual, p.note
    return p.seals


# ------------------------------------------------------------------ strips that are found
@pytest.mark.parametrize("edge", ["right", "left"])
@pytest.mark.parametrize("x0,width", [(16, 4), (14, 10), (12, 18)])
def test_fixture_perforation_strip_is_found(edge, x0, width):
    rgb = page()
    truth = fixture_strip(rgb, edge, x0, width)
    strips_in(edge_strips.find_strips(rgb, []), edge, truth)


@pytest.mark.parametrize("x0,width", [(16, 4), (14, 10), (12, 18)])
def test_fixture_strip_on_a_grayscale_copy(x0, width):
    rgb = page()
    truth = fixture_strip(rgb, "right", x0, width)
    found = strips_in(edge_strips.find_strips(gray3(rgb), []), "right", truth, colour="gray")
    assert all(s.confidence <= 0.6 for s in found)


def test_single_channel_grayscale_array():
    rgb = page()
    truth = fixture_strip(rgb, "right", 14, 10)
    found = edge_strips.find_strips(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), [])
    strips_in(found, "right", truth, colour="gray")


@pytest.mark.parametrize("edge,x0", [("right", 15), ("left", 19)])  # the same slice, mirrored
def test_own_drawn_strip_is_found_in_colour_and_in_gray(edge, x0):
    rgb = page()
    truth = own_strip(rgb, edge, x0, 8)
    colour = strips_in(edge_strips.find_strips(rgb, []), edge, truth)
    gray = strips_in(edge_strips.find_strips(gray3(rgb), []), edge, truth, colour="gray")
    assert all(s.confidence <= 0.6 for s in gray)
    assert max(s.confidence for s in gray) <= max(s.confidence for s in colour)


def test_strip_on_a_scanned_page_at_200_dpi():
    rgb = page(200)
    truth = own_strip(rgb, "right", 14, 10, dpi=200)
    strips_in(edge_strips.find_strips(scan_in_place(rgb, seed=4), []), "right", truth)


def test_strips_at_both_edges():
    rgb = page()
    r = own_strip(rgb, "right", 15, 8, y_mm=100)
    lft = own_strip(rgb, "left", 20, 6, y_mm=200)
    found = edge_strips.find_strips(rgb, [])
    strips_in([s for s in found if s.edge == "right"], "right", r)
    strips_in([s for s in found if s.edge == "left"], "left", lft)


def test_an_edge_already_known_is_skipped():
    rgb = page()
    own_strip(rgb, "right", 15, 8)
    known = [Seal(bbox=(0.9, 0.4, 1.0, 0.55), confidence=0.8, edge="right")]
    assert edge_strips.find_strips(rgb, known) == []
    assert len(edge_strips.find_strips(rgb, [Seal(bbox=(0, 0.4, 0.1, 0.55), confidence=0.8, edge="left")])) == 1


@pytest.mark.parametrize("gray", [False, True], ids=["colour", "gray"])
@pytest.mark.parametrize("kind,edge,x0,width", [("fixture", "right", 16, 4), ("fixture", "right", 14, 10),
                                                ("fixture", "right", 12, 18), ("own", "left", 15, 8),
                                                ("own", "left", 14, 10), ("own", "left", 12, 18)])
def test_page_analysis_reports_one_fragment_per_stamped_edge(kind, edge, x0, width, gray):
    """Seals and strips together (as :func:`shenbao.vision.analyse_page` runs them): a strip of any
    width from 4 to 18 mm is one 骑缝章 fragment at its edge."""
    rgb = page()
    truth = (fixture_strip if kind == "fixture" else own_strip)(rgb, edge, x0, width)
    if gray:
        rgb = gray3(rgb)
    found = page_seals(rgb)
    assert [(s.edge, s.colour) for s in found] == [(edge, "gray" if gray else "red")], found
    assert iou(found[0].bbox, truth) > 0.5


@pytest.mark.parametrize("kind,x0,width", [("fixture", 14, 10), ("fixture", 12, 18), ("own", 12, 18)])
def test_a_strip_is_reported_once_with_its_whole_extent(kind, x0, width):
    rgb = page()
    truth = fixture_strip(rgb, "right", x0, width) if kind == "fixture" else own_strip(rgb, "right", x0, width)
    found = edge_strips.find_strips(rgb, [])
    assert len(found) == 1 and iou(found[0].bbox, truth) > 0.6, (truth, found)


def test_page_is_not_modified_and_result_is_deterministic():
    rgb = page()
    own_strip(rgb, "right", 15, 8)
    before = rgb.copy()
    a = edge_strips.find_strips(rgb, [])
    assert a == edge_strips.find_strips(rgb, []) and len(a) == 1
    assert np.array_equal(rgb, before)


def test_blue_strip_is_reported_blue():
    rgb = page()
    truth = own_strip(rgb, "right", 15, 8, colour=BLUE)
    strips_in(edge_strips.find_strips(rgb, []), "right", truth, colour="blue")


# ------------------------------------------------------------------ edge marks that are no strip
def test_no_strips_on_a_plain_page():
    assert edge_strips.find_strips(page(), []) == []
    assert edge_strips.find_strips(gray3(page()), []) == []
    assert edge_strips.find_strips(np.full((30, 30, 3), 255, np.uint8), []) == []


@pytest.mark.parametrize("edge", ["right", "left"])
def test_full_height_dark_scanner_border_on_a_grayscale_scan(edge):
    rgb = gray3(page())
    w = mm(4)
    if edge == "right":
        rgb[:, -w:] = 45
    else:
        rgb[:, :w] = 45
    rgb = gray3(scan_in_place(rgb, seed=6))
    assert edge_strips.find_strips(rgb, []) == []


@pytest.mark.parametrize("x_mm,scanned", [(6.0, True), (1.5, False)], ids=["near-the-edge", "cutting-into-it"])
def test_two_punched_holes_at_the_left_edge_are_no_strip(x_mm, scanned):
    """Two 6 mm holes 80 mm apart near the left edge, or punched so close that they break it."""
    img = Image.fromarray(gray3(page()))
    d = ImageDraw.Draw(img)
    r = mm(3)
    for cy in (mm(108), mm(188)):
        d.ellipse([mm(x_mm) - r, cy - r, mm(x_mm) + r, cy + r], fill=(60, 60, 60) if scanned else (40, 40, 40))
    rgb = np.asarray(img).copy()
    if scanned:
        rgb = gray3(scan_in_place(rgb, seed=7))
    assert edge_strips.find_strips(rgb, []) == []


@pytest.mark.parametrize("gray", [False, True])
def test_black_body_text_that_stops_at_the_margin(gray):
    img = Image.new("RGB", (mm(210), mm(297)), (255, 255, 255))
    d = ImageDraw.Draw(img)
    f = pil_font(mm(4))
    line = "根据有关规定现将我单位申请设备购置补助资金情况报告如下项目总投资一千二百万元已完成设备采购"
    for i in range(30):
        d.text((mm(6), mm(20 + 8 * i)), line, font=f, fill=(10, 10, 10))
        d.text((mm(204), mm(20 + 8 * i)), "续", font=f, fill=(10, 10, 10), anchor="ra")
    rgb = np.asarray(img).copy()
    if gray:
        rgb = gray3(rgb)
    assert edge_strips.find_strips(rgb, []) == []


@pytest.mark.parametrize("inset_mm", [0, 1.5, 6])
def test_red_page_border_line(inset_mm):
    img = Image.fromarray(page())
    d = ImageDraw.Draw(img)
    W, H = img.size
    x = mm(inset_mm)
    d.rectangle([x, x, W - 1 - x, H - 1 - x], outline=RED, width=mm(0.8))
    assert edge_strips.find_strips(np.asarray(img).copy(), []) == []


def test_red_tinted_separator_page():
    rgb = np.empty((mm(297), mm(210), 3), np.uint8)
    rgb[:] = (235, 120, 120)
    rgb[mm(100):mm(140), -mm(8):] = RED
    assert edge_strips.find_strips(rgb, []) == []


def black_table_off_the_right_edge(rgb: np.ndarray, rows: int) -> None:
    """A black ruled table (8 mm rows, text in the cells) from x = 150 mm running off the right edge."""
    img = Image.fromarray(rgb)
    d = ImageDraw.Draw(img)
    y0 = 100
    for i in range(rows + 1):
        d.line([(mm(150), mm(y0 + 8 * i)), (mm(230), mm(y0 + 8 * i))], fill=(0, 0, 0), width=2)
    for x in range(150, 230, 20):
        d.line([(mm(x), mm(y0)), (mm(x), mm(y0 + 8 * rows))], fill=(0, 0, 0), width=2)
    for i in range(rows):
        d.text((mm(152), mm(y0 + 8 * i + 2)), "设备款 1,250.00 设备款 1,250.00", font=pil_font(mm(3)), fill=(0, 0, 0))
    rgb[:] = np.asarray(img)


def test_tall_black_table_running_off_the_edge_is_no_strip():
    rgb = page()
    black_table_off_the_right_edge(rgb, rows=8)
    assert edge_strips.find_strips(rgb, []) == []


@pytest.mark.parametrize("rows", [3, 5])
def test_short_black_table_running_off_the_edge_is_no_strip(rows):
    rgb = page()
    black_table_off_the_right_edge(rgb, rows)
    assert edge_strips.find_strips(rgb, []) == []


def test_red_box_outline_along_the_edge_is_no_strip():
    img = Image.fromarray(page())
    ImageDraw.Draw(img).rectangle([mm(195), mm(100), img.width - 1, mm(140)], outline=RED, width=mm(0.6))
    rgb = np.asarray(img).copy()
    assert seals.detect_seals(rgb) == []
    assert edge_strips.find_strips(rgb, []) == []
