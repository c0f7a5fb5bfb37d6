"""`shenbao check` on generated packages: each seeded defect is reported with the right rule, file and
page; a clean package has no errors; the package folder is never written to.

Packages from one seed share their unaffected files byte for byte, so a session-wide extraction cache
makes the OCR of those files happen once.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import jsonschema
import pytest

from shenbao.cli import main
from shenbao.fixtures.expected import compare
from shenbao.fixtures.generate import generate_package
from shenbao.programs import load_schema

PROGRAM = "smx2025-intelligent-retrofit"
SEED = 11


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


def check(package: Path, out: Path, cache_dir: Path, *extra: str) -> tuple[int, dict]:
    code = main(["check", str(package), "--program", PROGRAM, "--as-of", "2025-08-10", "--format", "json",
                 "--output", str(out), "--cache-dir", str(cache_dir), *extra])
    return code, json.loads(out.read_text("utf-8"))


def tree_state(root: Path) -> dict:
    """Names, contents and mtimes of everything under root."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            p = Path(dirpath) / name
            st = p.lstat()
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            state[str(p.relative_to(root))] = (digest, st.st_mtime_ns, st.st_mode)
    return state


def _generate(tmp_path: Path, defects: list[str], layout: str = "split") -> tuple[Path, dict]:
    manifest = generate_package(tmp_path / "gen", seed=SEED, layout=layout, defects=defects, scan_ratio=0.0)
    return tmp_path / "gen" / "package", manifest


def test_clean_package_has_no_errors_valid_json_and_exit_0(tmp_path, cache_dir):
    package, manifest = _generate(tmp_path, [])
    before = tree_state(package)
    code, report = check(package, tmp_path / "report.json", cache_dir)
    jsonschema.validate(report, load_schema("report.schema.json"))
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert errors == [] and code == 0
    assert all(m["status"] == "present" for m in report["materials"] if m["required"] is True)
    assert tree_state(package) == before  # nothing created, changed or deleted


@pytest.mark.parametrize("sibling", ["smx2025-green-retrofit", "smx2025-tech-retrofit"])
def test_a_clean_package_passes_under_the_siblings_of_annex_1_too(tmp_path, cache_dir, sibling):
    """绿色化改造 and 技术改造 have 附件1's list and rules (their packs are a title and a basis): a
    package that is clean for 智能化改造 is clean for them, and a seeded defect fails them alike."""
    package, _ = _generate(tmp_path, [])
    out = tmp_path / "report.json"
    code = main(["check", str(package), "--program", sibling, "--as-of", "2025-08-10", "--format", "json",
                 "--output", str(out), "--cache-dir", str(cache_dir)])
    report = json.loads(out.read_text("utf-8"))
    assert code == 0 and [f for f in report["findings"] if f["severity"] == "error"] == []
    assert report["program"]["id"] == sibling and len(report["materials"]) == 23
    package, _ = _generate(tmp_path / "young", ["young_company"])
    out = tmp_path / "young.json"
    assert main(["check", str(package), "--program", sibling, "--as-of", "2025-08-10", "--format", "json",
                 "--output", str(out), "--cache-dir", str(cache_dir)]) == 1
    report = json.loads(out.read_text("utf-8"))
    assert {f["rule"] for f in report["findings"] if f["severity"] == "error"} == {"registration-age"}


DEFECTS = [
    "young_company", "stale_credit_query", "audit_no_code", "invoice_out_of_window", "invoice_below_min",
    "investment_below_threshold", "sum_mismatch", "field_blank", "name_mismatch", "credit_code_invalid",
    "corrupt_file", "missing:credit_tax", "missing:audit_report",
]


@pytest.mark.parametrize("defect", DEFECTS)
def test_each_seeded_defect_is_reported_exactly(defect, tmp_path, cache_dir):
    package, manifest = _generate(tmp_path, [defect])
    before = tree_state(package)
    code, report = check(package, tmp_path / "report.json", cache_dir)
    result = compare(manifest["expected"], report["findings"])
    assert result.missed == [], f"not reported: {result.missed}"
    assert [(f["rule"], f["path"], f["page"]) for f in result.extra] == []
    assert code == 1
    assert tree_state(package) == before


VISUAL_RULES = {"seal-missing", "perforation-seal-missing", "signature-missing", "signature-ink"}
VISUAL_PACKAGES = [
    # one split package with every seal/signature defect that can share it (signature_blue and
    # signature_missing both change the declaration's signature) ...
    pytest.param("split", ["seal_missing_page", "tax_seal_missing", "foreign_seal", "signature_missing",
                           "cpa_signature_missing"], id="split-seals-signatures"),
    # ... and the bound volume: a gap in its 骑缝章, a blue signature and an unstamped printout in it
    pytest.param("combined", ["perforation_partial", "signature_blue", "seal_missing:credit_tax"],
                 id="combined-perforation-ink"),
]


@pytest.mark.parametrize("layout, defects", VISUAL_PACKAGES)
def test_seeded_seal_and_signature_defects_are_reported_exactly(layout, defects, tmp_path, cache_dir):
    package, manifest = _generate(tmp_path, defects, layout=layout)
    code, report = check(package, tmp_path / "report.json", cache_dir)
    result = compare(manifest["expected"], report["findings"])
    assert result.missed == [], f"not reported: {result.missed}"
    assert [(f["rule"], f["path"], f["page"]) for f in result.extra] == []
    assert code == 1
    assert {e["rule"] for e in manifest["expected"]} <= VISUAL_RULES
    for _, f in result.matched:  # each seeded defect is shown where it is on its page, with a confidence
        assert f["page"] is not None and f["confidence"] is not None, f
        assert f["bbox"] is not None and all(0.0 <= v <= 1.0 for v in f["bbox"]), f


def test_combined_pdf_layout_finds_materials_by_page_range(tmp_path, cache_dir):
    package, manifest = _generate(tmp_path, ["stale_credit_query"], layout="combined")
    code, report = check(package, tmp_path / "report.json", cache_dir)
    result = compare(manifest["expected"], report["findings"])
    assert result.missed == [] and result.extra == []
    combined = [f for f in report["files"] if f["path"].endswith(".pdf") and f["pages"] > 20]
    assert combined and len(combined[0]["materials"]) >= 15


def test_english_text_report_and_sarif(tmp_path, cache_dir):
    package, _ = _generate(tmp_path, ["young_company"])
    out = tmp_path / "r.txt"
    assert main(["check", str(package), "--program", PROGRAM, "--as-of", "2025-08-10", "--lang", "en",
                 "--output", str(out), "--cache-dir", str(cache_dir)]) == 1
    text = out.read_text("utf-8")
    assert "registration-age" in text and "Established" in text
    sarif = tmp_path / "r.sarif"
    main(["check", str(package), "--program", PROGRAM, "--as-of", "2025-08-10", "--format", "sarif",
          "--output", str(sarif), "--cache-dir", str(cache_dir)])
    data = json.loads(sarif.read_text("utf-8"))
    assert any(r["ruleId"] == "registration-age" for r in data["runs"][0]["results"])


def test_serial_and_parallel_runs_give_identical_reports(tmp_path, cache_dir):
    package, _ = _generate(tmp_path, ["sum_mismatch"])
    reports = []
    for jobs in ("1", "2"):
        _, r = check(package, tmp_path / f"r{jobs}.json", cache_dir, "--jobs", jobs, "--no-cache")
        r.pop("timing")
        reports.append(r)
    assert reports[0] == reports[1]


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope"), "--program", PROGRAM]) == 2
    assert main(["check", str(tmp_path), "--program", "no-such-program"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["check", str(tmp_path), "--program", PROGRAM, "--as-of", "2025-13-01"])
    assert exc.value.code == 2
