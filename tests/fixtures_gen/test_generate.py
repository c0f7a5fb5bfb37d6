"""Tests of the fixture-package generator (shenbao.fixtures.generate)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from shenbao.fixtures import defects as D
from shenbao.fixtures.generate import generate_package
from shenbao.fixtures.names import corrupt_uscc, money_upper, uscc_check_digit, uscc_valid

ALL_SIMPLE = ["young_company", "stale_credit_query", "audit_no_code", "invoice_out_of_window", "invoice_below_min",
              "investment_below_threshold", "sum_mismatch", "field_blank", "name_mismatch", "credit_code_invalid",
              "corrupt_file", "illegible_scan"]


def _digest(root: Path) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _xlsx_totals(pkg: Path):
    (x,) = list(pkg.rglob("*.xlsx"))
    ws = load_workbook(x, data_only=False).active
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] is not None]
    body = [r for r in rows if r[0] != "合计"]
    (total,) = [r for r in rows if r[0] == "合计"]
    return body, total


def test_uscc_check_digit_known_value():
    # 91350100M000100Y43 is a commonly cited valid example
    assert uscc_check_digit("91350100M000100Y4") == "3"
    assert uscc_valid("91350100M000100Y43")
    assert not uscc_valid(corrupt_uscc("91350100M000100Y43"))


def test_money_upper():
    assert money_upper(8500) == "捌仟伍佰元整"
    assert money_upper(1230456.7) == "壹佰贰拾叁万零肆佰伍拾陆元柒角"
    assert money_upper(100000) == "壹拾万元整"


@pytest.mark.parametrize("layout", ["split", "combined"])
def test_deterministic(tmp_path, layout):
    a = generate_package(tmp_path / "a", seed=11, layout=layout, defects=["sum_mismatch", "corrupt_file"])
    b = generate_package(tmp_path / "b", seed=11, layout=layout, defects=["sum_mismatch", "corrupt_file"])
    assert a == b
    assert _digest(tmp_path / "a" / "package") == _digest(tmp_path / "b" / "package")


def test_clean_split_package(tmp_path):
    m = generate_package(tmp_path, seed=2)
    pkg = tmp_path / "package"
    on_disk = sorted(str(p.relative_to(pkg)) for p in pkg.rglob("*") if p.is_file())
    assert on_disk == sorted(f["path"] for f in m["files"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expected.json", "package"]
    assert uscc_valid(m["applicant"]["credit_code"])
    assert m["expected"] == []
    mats = {f["material"] for f in m["files"]}
    for mat in D.REQUIRED_MATERIALS:
        assert mat in mats, mat
    body, total = _xlsx_totals(pkg)
    assert abs(sum(r[6] for r in body) - total[6]) < 0.005
    assert abs(sum(r[7] for r in body) - total[7]) < 0.005
    assert total[6] >= 2_000_000
    assert all(r[6] >= 10000 for r in body)
    assert all("2024-07-01" <= r[5] <= "2025-06-30" for r in body)
    assert json.loads((tmp_path / "expected.json").read_text(encoding="utf-8")) == m


def test_sum_mismatch_xlsx(tmp_path):
    generate_package(tmp_path, seed=3, defects=["sum_mismatch"])
    body, total = _xlsx_totals(tmp_path / "package")
    assert abs(sum(r[6] for r in body) - total[6]) > 1
    assert min(sum(r[6] for r in body), total[6]) >= 2_000_000


# Every defect in the split layout; the combined layout (slower to generate) for a sample.
CASES = [(d, "split") for d in ALL_SIMPLE + ["missing:credit_tax", "missing:audit_report"]] + [
    (d, "combined") for d in ("invoice_out_of_window", "sum_mismatch", "field_blank", "missing:credit_tax",
                              "perforation_missing")]


@pytest.mark.parametrize("defect,layout", CASES)
def test_each_defect_adds_finding(tmp_path, defect, layout):
    m = generate_package(tmp_path, seed=21, layout=layout, defects=[defect], scan_ratio=0.2)
    rule = {"young_company": "registration-age", "stale_credit_query": "credit-query-date",
            "audit_no_code": "audit-code-missing", "invoice_out_of_window": "date-out-of-window",
            "invoice_below_min": "amount-below-minimum", "investment_below_threshold": "investment-below-threshold",
            "sum_mismatch": "sum-mismatch", "field_blank": "field-blank", "name_mismatch": "name-mismatch",
            "credit_code_invalid": "credit-code-invalid", "corrupt_file": "file-unreadable",
            "illegible_scan": "page-illegible", "perforation_missing": "perforation-seal-missing"}.get(defect, "material-missing")
    assert m["expected"], defect
    assert {e["rule"] for e in m["expected"]} == {rule}
    paths = {f["path"] for f in m["files"]}
    for e in m["expected"]:
        assert e["path"] is None or e["path"] in paths
    if defect.startswith("missing:"):
        mat = defect.split(":")[1]
        assert m["expected"] == [{"rule": "material-missing", "path": None, "page": None, "material": mat}]
        assert all(f["material"] != mat for f in m["files"])
    if defect in ("sum_mismatch",):
        assert any(e["path"].endswith(".xlsx") and e["page"] is None for e in m["expected"])
        assert any(e["path"].endswith(".pdf") and e["page"] for e in m["expected"])
    if defect == "credit_code_invalid":
        assert uscc_valid(m["applicant"]["credit_code"])
    if defect == "audit_no_code":   # no 验证码 text and no QR either
        import pypdfium2 as pdfium
        import zxingcpp
        from PIL import Image
        f0 = next(f for f in m["files"] if f["material"] == "audit_report")
        src = tmp_path / "package" / f0["path"]
        if src.suffix == ".pdf":
            pdf = pdfium.PdfDocument(str(src))
            img = pdf[0].render(scale=150 / 72).to_pil()
            pdf.close()
        else:
            img = Image.open(src)
        assert not [r for r in zxingcpp.read_barcodes(img) if "verify" in r.text]
    if defect == "perforation_missing":
        (comb,) = [f for f in m["files"] if f.get("perforation")]
        assert m["expected"] == [{"rule": "perforation-seal-missing", "path": comb["path"], "page": None, "material": None}]
        assert comb["perforation"]["groups"] == [] and len(comb["perforation"]["missing_pages"]) == comb["pages"]


def test_defect_side_effects(tmp_path):
    m = generate_package(tmp_path, seed=5, defects=["invoice_out_of_window", "invoice_below_min"])
    t = m["totals"]
    assert t["invoice_sum"] - 8500 - 400_000 >= 2_000_000 or t["invoice_sum"] >= 2_900_000
    m = generate_package(tmp_path / "y", seed=5, defects=["young_company"])
    from datetime import date
    est = date.fromisoformat(m["applicant"]["established"])
    assert (date(2025, 8, 10) - est).days < 730


def test_unknown_defect(tmp_path):
    with pytest.raises(ValueError):
        generate_package(tmp_path, seed=1, defects=["nonsense"])
    with pytest.raises(ValueError):
        generate_package(tmp_path, seed=1, defects=["missing:not_a_material"])
