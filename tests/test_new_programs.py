"""衡阳 贴息 and 赤峰 登云 end to end: packages from the fixture builder (fixtures/calls.py) through the CLI.

A clean package of each program reports nothing; each rule the program has fails the package its
defect was seeded in, and nothing else does. Rules the program does not have are not reported even
where their triggers are present (赤峰 invoices under 1万, no 骑缝章, no 验证码; 衡阳 no 防伪标识).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from shenbao.cli import main
from shenbao.fixtures.calls import CF, DEFECTS, HY, build

# several defects per package where they do not touch the same document (the runs are slow)
CASES = {
    HY: [(), ("field_blank", "sum_mismatch", "credit_query_early"),
         ("credit_code_invalid", "licence_missing", "invoice_out_of_window", "declaration_unsigned"),
         ("investment_below", "name_mismatch", "declaration_unsealed", "file_unreadable"), ("registered_elsewhere", "lender_elsewhere")],
    CF: [(), ("field_blank", "usage_sum_mismatch", "invoice_out_of_window"),
         ("credit_code_invalid", "declaration_unsigned", "file_unreadable"),
         ("name_mismatch", "declaration_missing"), ("declaration_unsealed",)],
}
PARAMS = [(p, d) for p, cases in CASES.items() for d in cases]


def test_every_defect_of_each_program_is_covered():
    for program, cases in CASES.items():
        assert {d for case in cases for d in case} == set(DEFECTS[program]), program


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.mark.slow
@pytest.mark.parametrize("program,defects", PARAMS, ids=lambda v: v if isinstance(v, str) else "+".join(v) or "clean")
def test_the_seeded_rules_and_only_they_are_reported(tmp_path, cache_dir, program, defects):
    expected = build(tmp_path, program, seed=7, defects=defects)
    before = sorted(p.name for p in (tmp_path / "package").iterdir())
    out = tmp_path / "report.json"
    code = main(["check", str(tmp_path / "package"), "--program", program, "--as-of", expected["as_of"],
                 "--format", "json", "--output", str(out), "--cache-dir", str(cache_dir)])
    report = json.loads(out.read_text("utf-8"))
    reported = sorted({f["rule"] for f in report["findings"] if f["severity"] in ("error", "warning")})
    assert reported == expected["expected"], [f["message"] for f in report["findings"]]
    assert code == (1 if any(f["severity"] == "error" for f in report["findings"]) else 0)
    assert sorted(p.name for p in (tmp_path / "package").iterdir()) == before  # nothing written into it
    if program == CF:
        # the guide has no notice date or deadline: the report says so rather than inventing them
        assert report["program"]["notice_date"] is None and report["program"]["deadline"] is None
    for f in report["findings"]:
        assert f["basis"], f  # every finding cites its clause
        if f["severity"] == "error" and f["rule"] != "material-missing":
            assert f["path"], f  # and says which file (a missing material has none)


@pytest.mark.slow
def test_a_notice_date_given_at_run_time_bounds_the_credit_query(tmp_path, cache_dir):
    """衡阳's own notice date is 2023-07-26; a county that publishes later (--notice-date) makes a query
    of the day before its publication too early."""
    expected = build(tmp_path, HY, seed=7)
    out = tmp_path / "report.json"
    main(["check", str(tmp_path / "package"), "--program", HY, "--as-of", expected["as_of"], "--notice-date",
          expected["as_of"], "--format", "json", "--output", str(out), "--cache-dir", str(cache_dir)])
    report = json.loads(out.read_text("utf-8"))
    assert report["program"]["notice_date"] == expected["as_of"]
    assert [f["rule"] for f in report["findings"] if f["severity"] == "error"] == ["credit-query-date"]
