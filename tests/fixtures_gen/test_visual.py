"""Visual evidence in generated packages (seals, signatures, 骑缝章) and the seal/signature defects."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from shenbao.fixtures import defects as D
from shenbao.fixtures import render as R
from shenbao.fixtures.generate import PERF_GROUP, generate_package, perforation_plan
from shenbao.fixtures.model import make_facts


def _red(a: np.ndarray) -> np.ndarray:
    a = a.astype(int)
    return (a[..., 0] > 150) & (a[..., 0] - a[..., 1] > 70) & (a[..., 0] - a[..., 2] > 60)


def _blue(a: np.ndarray) -> np.ndarray:
    a = a.astype(int)
    return (a[..., 2] > 110) & (a[..., 2] - a[..., 0] > 60) & (a[..., 2] - a[..., 1] > 30)


def _page_rgb(path: Path, page: int | None, dpi: int = 60) -> np.ndarray:
    if path.suffix.lower() != ".pdf":
        return np.asarray(Image.open(path).convert("RGB"))
    pdf = pdfium.PdfDocument(str(path))
    try:
        return np.asarray(pdf[(page or 1) - 1].render(scale=dpi / 72).to_pil().convert("RGB"))
    finally:
        pdf.close()


def _find(manifest: dict, material: str) -> tuple[str, int | None]:
    for fl in manifest["files"]:
        if fl["material"] == material:
            return fl["path"], (1 if fl["pages"] else None)
        for c in fl.get("contents", []):
            if c["material"] == material:
                return fl["path"], c["first_page"]
    raise AssertionError(material)


# ---------------------------------------------------------------- seal artwork
def test_seal_styles_have_ink_in_their_colour():
    rng = __import__("random").Random(3)
    specs = [R.company_seal("三门峡金源矿业机械有限公司", rng, style="star"),
             R.company_seal("三门峡金源矿业机械有限公司", rng, style="double_ring"),
             R.invoice_seal("上海凯迪自动化有限公司", "91310100MA1FL8XK3B"),
             R.tax_seal("国家税务总局三门峡市湖滨区税务局", "业务专用章"),
             R.audit_firm_seal("河南正永会计师事务所（特殊普通合伙）"),
             R.cpa_seal("王建国", "410100350012"), R.personal_seal("李强")]
    for spec in specs:
        for colour, test in (("red", _red), ("blue", _blue)):
            img = R.impress(spec, R.impression(rng, colour=colour), 8.0)
            page = Image.new("RGB", img.size, "white")
            R.multiply_onto(page, img, 0, 0)
            a = np.asarray(page)
            assert test(a).sum() > 200, (spec.style, colour)
            x0, y0, x1, y1 = R.ink_bbox(img)
            w_mm = (x1 - x0) / 8.0
            assert 0.6 * spec.size_mm[0] < w_mm < 1.6 * spec.size_mm[0], (spec, w_mm)
    faint = R.impression(rng, faint=True)
    assert 0.35 <= faint.opacity <= 0.6 and faint.faint
    assert R.impression(rng, partial=True).missing is not None


def test_signature_styles_and_ink():
    rng = __import__("random").Random(4)
    for style in R.SIGNATURE_STYLES:
        for colour in ("black", "blue"):
            img = R.signature_image("王建国", rng, style=style, colour=colour)
            a = np.asarray(img)
            ink = a[..., 3] > 100
            assert ink.sum() > 150, (style, colour)
            rgb = a[ink][:, :3].astype(int).mean(axis=0)
            if colour == "blue":
                assert rgb[2] - rgb[0] > 80, (style, rgb)
            else:
                assert rgb.max() < 60, (style, rgb)


# ---------------------------------------------------------------- 骑缝章 plan
def test_perforation_plan_geometry():
    f = make_facts(7, date(2025, 8, 10))
    n = 61
    pages, info = perforation_plan(f, n, "full")
    assert sorted(pages) == list(range(1, n + 1))
    groups = info["groups"]
    assert len(groups) == 3 and all(g["last_page"] - g["first_page"] + 1 <= PERF_GROUP for g in groups)
    assert len({g["centre_mm"] for g in groups}) == 3                  # each stamp at another height
    assert all(g["width_mm"] >= 3 for g in groups)
    pages, info = perforation_plan(f, n, "partial")
    gap = info["missing_pages"]
    assert 1 <= len(gap) <= 3 and gap == list(range(gap[0], gap[0] + len(gap))) and info["gap_first"] == gap[0]
    assert 1 < gap[0] and gap[-1] < n and not set(gap) & set(pages)
    pages, info = perforation_plan(f, n, "none")
    assert pages == {} and info["gap_first"] is None


def test_defect_validation():
    with pytest.raises(ValueError, match="combined"):
        generate_package(Path("/nonexistent"), seed=1, layout="split", defects=["perforation_missing"])
    with pytest.raises(ValueError):
        D.validate(["seal_missing:toc"])
    with pytest.raises(ValueError):
        D.validate(["seal_missing:declaration", "missing:declaration"])
    with pytest.raises(ValueError):
        D.validate(["signature_missing", "signature_blue"])
    D.validate(["seal_missing:invoice_list", "perforation_partial"], "combined")
    assert "foreign_seal" in D.DEFECTS and "seal_missing:<material_id>" in D.DEFECTS


# ---------------------------------------------------------------- packages
def test_seal_and_signature_defects_split(tmp_path):
    defects = ["seal_missing:credit_gsxt", "seal_missing_page", "tax_seal_missing", "signature_blue",
               "cpa_signature_missing"]
    m = generate_package(tmp_path, seed=31, defects=defects, scan_ratio=0.0)
    exp = m["expected"]
    by_rule: dict = {}
    for e in exp:
        by_rule.setdefault(e["rule"], []).append(e)
    assert set(by_rule) == {"seal-missing", "signature-ink", "signature-missing"}
    mats = sorted(e["material"] for e in by_rule["seal-missing"])
    assert mats.count("credit_gsxt") == 1
    lists = [e for e in by_rule["seal-missing"] if e["material"] in ("invoice_list", "payment_list")]
    # seal_missing_page: the first page of a two-page list; tax_seal_missing: the last page of the 发票清单
    files = {f["path"]: f for f in m["files"]}
    assert len(lists) == 2 and all(1 <= e["page"] <= files[e["path"]]["pages"] for e in lists)
    assert sum(f["pages"] for f in m["files"] if f["material"] == "invoice_list" and f["path"].endswith(".pdf")) == 2
    for e in exp:
        assert e["path"] in files and files[e["path"]]["material"] == e["material"]
    (sig_ink,) = by_rule["signature-ink"]
    assert sig_ink["material"] == "declaration"
    (cpa,) = by_rule["signature-missing"]
    assert cpa["material"] == "audit_report" and cpa["page"] == 2
    pkg = tmp_path / "package"
    # the gsxt printout carries no red at all now (its site is blue)
    path, page = _find(m, "credit_gsxt")
    assert _red(_page_rgb(pkg / path, page)).sum() < 30
    # the declaration is signed in blue
    path, page = _find(m, "declaration")
    assert _blue(_page_rgb(pkg / path, page, 100)).sum() > 80
    # the audit report's cover carries the verification QR code
    import zxingcpp
    path, page = _find(m, "audit_report")
    cover = Image.fromarray(_page_rgb(pkg / path, page, 150))
    assert any("verify?code=" in r.text for r in zxingcpp.read_barcodes(cover))
    # the other credit printouts do carry the applicant's seal
    path, page = _find(m, "credit_tax")
    assert _red(_page_rgb(pkg / path, page)).sum() > 300


def test_combined_perforation_and_foreign_seal(tmp_path):
    defects = ["perforation_partial", "foreign_seal", "signature_missing"]
    m = generate_package(tmp_path, seed=32, layout="combined", defects=defects, scan_ratio=0.0)
    comb = next(f for f in m["files"] if f.get("perforation"))
    perf = comb["perforation"]
    rules = sorted((e["rule"], e["page"]) for e in m["expected"])
    assert ("perforation-seal-missing", perf["gap_first"]) in rules
    assert [r for r, _ in rules].count("seal-missing") == 1
    assert [r for r, _ in rules].count("signature-missing") == 1
    decl = next(c for c in comb["contents"] if c["material"] == "declaration")
    assert ("signature-missing", decl["first_page"]) in rules
    # every page shows a red slice touching its right edge, except the gap
    pdf = pdfium.PdfDocument(str(tmp_path / "package" / comb["path"]))
    try:
        n = len(pdf)
        group = perf["groups"][0]
        sample = sorted({1, 2, perf["gap_first"], group["last_page"], n} | set(perf["missing_pages"]))
        for p in sample:
            a = np.asarray(pdf[p - 1].render(scale=72 / 72).to_pil().convert("RGB"))
            mm = a.shape[1] / (pdf[p - 1].get_width() / 72 * 25.4)
            edge = _red(a[:, -int(3 * mm):])
            if p in perf["missing_pages"]:
                assert edge.sum() == 0, p
            else:
                assert edge.sum() > 3, p
                g = next(g for g in perf["groups"] if g["first_page"] <= p <= g["last_page"])
                ys = np.nonzero(edge.any(axis=1))[0] / mm
                assert abs((ys.min() + ys.max()) / 2 - g["centre_mm"]) < 25, (p, ys.min(), ys.max())
    finally:
        pdf.close()
