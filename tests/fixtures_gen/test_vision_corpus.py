"""The vision benchmark corpus: its truth matches what was drawn."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from shenbao.fixtures.vision_corpus import generate_vision_corpus, main, make_plans, summary


def _px(b, W, H, pad=0):
    return (max(0, int(b[0] * W) - pad), max(0, int(b[1] * H) - pad), min(W, int(np.ceil(b[2] * W)) + pad),
            min(H, int(np.ceil(b[3] * H)) + pad))


def _inked(a: np.ndarray, colour: str) -> np.ndarray:
    a = a.astype(int)
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    if colour == "blue":
        return (b - r > 35) & (b - g > 15)
    return (r - g > 45) & (r - b > 35)


def _dark(a: np.ndarray) -> np.ndarray:
    return a.astype(int).max(axis=-1) < 110


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("vision")
    path = generate_vision_corpus(out, n_pages=30, seed=5)
    return out, json.loads(path.read_text("utf-8"))


def test_plan_quotas_for_the_default_size():
    plans = make_plans(240, random.Random(0))
    fields = [k for p in plans for k in p.sig_kinds]
    assert len(plans) == 240
    assert sum(1 for p in plans if p.seal_case) >= 110
    assert sum(1 for k in fields if k[0] == "signed") >= 40 and sum(1 for k in fields if k[0] == "unsigned") >= 40
    assert {k[1] for k in fields if k[0] == "unsigned"} == {"blank", "underline", "seal_only", "typed"}
    assert {k[2] for k in fields if k[0] == "signed"} == {"black", "blue"}
    assert sum(1 for p in plans if p.fragments) >= 30 and sum(1 for p in plans if not p.fragments) >= 20
    assert sum(1 for p in plans if p.qr) >= 40
    assert sum(1 for p in plans if p.distractors and not p.seal_case and not p.fragments
               and not any(k == ("unsigned", "seal_only") for k in p.sig_kinds)) >= 40
    assert {p.variant for p in plans} == {"clean", "scan", "photo", "grayscale"}
    assert sum(1 for p in plans if p.dpi == 100) >= 10
    assert {p.template for p in plans if p.template in ("list", "invoice")}    # some landscape pages


def test_truth_matches_the_pixels(corpus):
    out, truth = corpus
    assert len(truth) == 30
    checked = {"seal": 0, "fragment": 0, "unsigned": 0, "signed": 0, "qr": 0, "distractor": 0}
    for p in truth:
        img = Image.open(out / p["file"])
        assert img.size == (p["width_px"], p["height_px"])
        assert p["file"].endswith(".png") == (p["variant"] == "clean")
        a = np.asarray(img.convert("RGB"))
        W, H = img.size
        for key in ("lines", "seals", "distractors", "codes"):
            for item in p[key]:
                b = item["bbox"]
                assert 0 <= b[0] <= b[2] <= 1 and 0 <= b[1] <= b[3] <= 1, (p["file"], key, b)
        colour_page = p["variant"] != "grayscale"
        for s in p["seals"]:
            x0, y0, x1, y1 = _px(s["bbox"], W, H)
            if colour_page:
                assert _inked(a[y0:y1, x0:x1], s["colour"]).sum() > 10, (p["file"], s)
                checked[s["kind"]] += 1
            if s["kind"] == "fragment" and p["variant"] == "clean":
                assert (s["bbox"][2] > 0.985) if s["edge"] == "right" else (s["bbox"][0] < 0.015), s
        if not colour_page:
            continue
        for d in p["distractors"]:
            x0, y0, x1, y1 = _px(d["bbox"], W, H)
            assert _inked(a[y0:y1, x0:x1], "red").sum() > 5, (p["file"], d)
            checked["distractor"] += 1
        if p["variant"] != "clean":
            continue
        for f in p["signature_fields"]:
            if f["signed"]:
                x0, y0, x1, y1 = _px(f["ink_bbox"], W, H)
                ink = _inked(a[y0:y1, x0:x1], "blue") if f["colour"] == "blue" else _dark(a[y0:y1, x0:x1])
                assert ink.sum() > 20, (p["file"], f)
                checked["signed"] += 1
            elif f["kind"] in ("blank", "seal_only"):
                x0, y0, x1, y1 = _px(f["area_bbox"], W, H)
                dark = _dark(a[y0:y1, x0:x1]) | _inked(a[y0:y1, x0:x1], "blue")
                for ln in p["lines"]:    # printed text may reach into the area (typed names under the line)
                    lx0, ly0, lx1, ly1 = _px(ln["bbox"], W, H, pad=3)
                    dark[max(0, ly0 - y0):max(0, ly1 - y0), max(0, lx0 - x0):max(0, lx1 - x0)] = False
                assert dark.sum() == 0, (p["file"], f)
                checked["unsigned"] += 1
        for c in p["codes"]:
            if c["module_px"] >= 3 and not c["occluded"]:
                found = [r.text for r in zxingcpp.read_barcodes(img)]
                assert c["text"] in found, (p["file"], c, found)
                checked["qr"] += 1
    assert all(v > 0 for v in checked.values()), checked
    s = summary(truth)
    assert s["pages_with_seals"] >= 8 and s["pages_with_qr"] >= 4


def test_cli(tmp_path, capsys):
    assert main([str(tmp_path / "c"), "--pages", "3", "--seed", "2"]) == 0
    truth = json.loads((tmp_path / "c" / "truth.json").read_text("utf-8"))
    assert len(truth) == 3 and '"pages": 3' in capsys.readouterr().out
