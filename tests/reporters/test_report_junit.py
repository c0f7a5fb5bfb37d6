"""The junit reporter."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from shenbao.reporters import junit


def _parse(report, lang="zh"):
    out = junit.render(report, lang)
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    ET.fromstring(out.encode("utf-8"))  # parses as bytes, honouring the declaration
    return ET.fromstring(out.split("\n", 1)[1])


def test_one_testcase_per_rule(sample_report):
    root = _parse(sample_report)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert suite.get("name") == sample_report["package"]
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [f"shenbao.{r['id']}" for r in sample_report["rules"]]
    assert {c.get("classname") for c in cases} == {"smx2025-intelligent-retrofit"}
    assert suite.get("tests") == str(len(sample_report["rules"]))


def test_failures_for_error_rules_only(sample_report):
    suite = _parse(sample_report).find("testsuite")
    cases = {c.get("name")[len("shenbao."):]: c for c in suite.findall("testcase")}
    failing = {rid for rid, c in cases.items() if c.find("failure") is not None}
    assert failing == {"seal-missing", "material-missing", "name-mismatch", "file-unreadable"}
    assert suite.get("failures") == "4"
    # passed rules: no failure, no output
    for rid in ("signature-missing", "registration-age"):
        assert cases[rid].find("failure") is None
        assert cases[rid].find("system-out") is None
    # warnings-only rules pass and say why in system-out
    for rid in ("credit-code-invalid", "credit-query-date"):
        assert cases[rid].find("failure") is None
        assert cases[rid].find("system-out").text
    seal = cases["seal-missing"].find("failure")
    assert seal.get("message") == "01 项目申请表.pdf:2 [error] 申请表第 2 页未见单位公章"
    assert "01 项目申请表.pdf:2" in seal.text
    assert "（不确定）" in cases["credit-query-date"].find("system-out").text
    assert "[上一年度审计报告]" in cases["material-missing"].find("failure").text
    assert "信用中国.png:1" in cases["credit-query-date"].find("system-out").text


def test_escaping(sample_report):
    f = sample_report["findings"][0]
    f["message"] = f["message_zh"] = 'a <b> & "c" \x07 ]]> 结束'
    f["path"] = "x&y <z>.pdf"
    root = _parse(sample_report)
    failure = root.find("testsuite/testcase[@name='shenbao.seal-missing']/failure")
    assert 'a <b> & "c"' in failure.text
    assert "x&y <z>.pdf:2" in failure.get("message")


def test_several_errors_summarised(sample_report):
    extra = dict(sample_report["findings"][0], page=3, fingerprint="0" * 16)
    sample_report["findings"].append(extra)
    failure = _parse(sample_report).find("testsuite/testcase[@name='shenbao.seal-missing']/failure")
    assert failure.get("message").startswith("2 项错误")
    assert failure.text.count("\n") == 1


def test_english(make_report):
    root = _parse(make_report(lang="en"), "en")
    failure = root.find("testsuite/testcase[@name='shenbao.material-missing']/failure")
    assert "Required material missing: audit report" in failure.text


def test_unlisted_rule_still_reported(sample_report):
    sample_report["rules"] = []
    root = _parse(sample_report)
    names = {c.get("name") for c in root.iter("testcase")}
    assert "shenbao.seal-missing" in names and "shenbao.credit-query-date" in names
