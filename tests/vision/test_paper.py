"""The sheet in a phone photo: found, flattened, and its 骑缝章 slice found at the paper's edge."""
from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from shenbao.vision import paper

from .test_edge_strips import own_strip, page_seals
from .test_seals import page, scan_in_place

DESKS = {"dark wood": (92, 64, 44), "grey": (80, 82, 86), "red-brown wood": (150, 70, 50)}


def on_desk(rgb: np.ndarray, desk=(92, 64, 44), seed: int = 0, tilt: float = 0.04) -> tuple[np.ndarray, np.ndarray]:
    """Photograph the page on a desk: perspective, desk texture, uneven light, blur, noise. Returns
    (photo, 3 x 3 matrix from page pixels to photo pixels)."""
    rng = random.Random(seed)
    nr = np.random.default_rng(seed)
    h, w = rgb.shape[:2]
    pad = int(0.1 * max(w, h))
    W, H = w + 2 * pad, h + 2 * pad
    j = lambda: rng.uniform(-tilt, tilt) * w  # noqa: E731
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[pad + j(), pad + j()], [pad + w + j(), pad + j()], [pad + w + j(), pad + h + j()],
                      [pad + j(), pad + h + j()]])
    M = cv2.getPerspectiveTransform(src, dst)
    desk_img = np.ones((H, W, 3), np.float32) * np.array(desk, np.float32)
    desk_img += cv2.GaussianBlur(nr.standard_normal((H, W)).astype(np.float32) * 14, (0, 0), 4)[..., None]
    sheet = cv2.warpPerspective(rgb.astype(np.float32), M, (W, H), flags=cv2.INTER_LINEAR)
    cover = cv2.warpPerspective(np.ones((h, w), np.float32), M, (W, H))[..., None]
    out = sheet * cover + desk_img * (1 - cover)
    yy = np.linspace(-1, 1, H, dtype=np.float32)[:, None]
    out *= (1 - 0.12 * yy ** 2)[..., None]
    out = cv2.GaussianBlur(out, (0, 0), 0.8) + nr.standard_normal((H, W, 1)).astype(np.float32) * 3
    return np.clip(out, 0, 255).astype(np.uint8), M


def to_photo(box, M, page_shape, photo_shape) -> tuple:
    h, w = page_shape[:2]
    H, W = photo_shape[:2]
    x0, y0, x1, y1 = box
    pts = np.float64([[[x0 * w, y0 * h]], [[x1 * w, y0 * h]], [[x1 * w, y1 * h]], [[x0 * w, y1 * h]]])
    p = cv2.perspectiveTransform(pts, M.astype(np.float64)).reshape(-1, 2)
    return p[:, 0].min() / W, p[:, 1].min() / H, p[:, 0].max() / W, p[:, 1].max() / H


def edge_pieces(rgb):
    return [s for s in page_seals(rgb) if s.edge]


@pytest.mark.parametrize("desk", list(DESKS))
@pytest.mark.parametrize("edge", ["right", "left"])
def test_a_perforation_slice_at_the_sheets_edge_in_a_photo_is_found_where_it_is(edge, desk):
    rgb = page()
    truth = own_strip(rgb, edge, 15 if edge == "right" else 19, 8)
    photo, M = on_desk(rgb, DESKS[desk], seed=len(desk))
    want = to_photo(truth, M, rgb.shape, photo.shape)
    [s] = edge_pieces(photo)
    assert s.edge == edge
    cx, cy = (s.bbox[0] + s.bbox[2]) / 2, (s.bbox[1] + s.bbox[3]) / 2
    assert want[0] - 0.01 <= cx <= want[2] + 0.01 and want[1] <= cy <= want[3], (want, s.bbox)


@pytest.mark.parametrize("desk", list(DESKS))
def test_a_photo_of_a_page_without_a_slice_has_none(desk):
    photo, _ = on_desk(page(), DESKS[desk], seed=3)
    assert edge_pieces(photo) == []


def test_the_sheet_is_found_and_flattened_to_a_page():
    rgb = page()
    photo, M = on_desk(rgb, seed=5)
    corners = paper.find_sheet(photo)
    assert corners is not None
    want = cv2.perspectiveTransform(np.float64([[[0, 0]], [[rgb.shape[1], 0]], [[rgb.shape[1], rgb.shape[0]]],
                                                [[0, rgb.shape[0]]]]), M.astype(np.float64)).reshape(-1, 2)
    assert np.abs(corners - want).max() < 0.01 * max(photo.shape[:2])
    flat, back = paper.flatten(photo, corners)
    assert abs(flat.shape[0] / flat.shape[1] - 297 / 210) < 0.01


def test_a_scan_or_a_blank_image_has_no_sheet():
    assert paper.find_sheet(scan_in_place(page())) is None  # the page fills the image
    assert paper.find_sheet(np.full((800, 600, 3), 240, np.uint8)) is None
    assert paper.find_sheet(np.zeros((50, 50, 3), np.uint8)) is None
    assert paper.find_sheet(np.zeros((800, 600), np.uint8)) is None
