"""The text reporter (rich, rendered to a string)."""
from __future__ import annotations

import re

from rich.cells import cell_len

from shenbao.reporters import text

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_zh_layout(sample_report):
    out = text.render(sample_report, "zh")
    # header
    assert "2025年三门峡市智能化改造专项资金项目" in out
    assert "./申报材料/某某机械" in out and "2025-04-01" in out and "企业自查" in out
    # materials in program order
    titles = [m["title"] for m in sample_report["materials"]]
    positions = [out.index(t) for t in titles]
    assert positions == sorted(positions)
    assert "第 2 页" in out
    assert "营业执照 (1).pdf · 第 1–2 页" in out
    assert "处理建议：在申请表第 2 页“申报单位（盖章）”处加盖单位公章后重新扫描" in out
    assert "置信度：0.58" in out and "（不确定）" in out
    assert "seal-missing" in out and "错误" in out and "警告" in out
    # missing material marked, present-with-warning marked
    assert re.search(r"✘ 上一年度审计报告\s+缺失", out)
    assert "! 营业执照" in out
    assert "– 专利证书（选报）" in out
    # file groups, with reasons
    assert out.index("未识别的文件") < out.index("扫描件0003.jpg")
    assert "未能判断属于哪一项材料" in out
    assert out.index("无法读取的文件") < out.index("承诺书.pdf") < out.index("PDF 结构损坏，无法打开")
    assert "暂不支持 .xls 格式" in out
    # package-level finding after the groups
    assert out.index("整个申报包的问题") < out.index("单位名称不一致")
    assert "错误 4 · 警告 2 · 提示 0 · 通过 2 项检查" in out
    # every finding is shown exactly once
    for f in sample_report["findings"]:
        assert out.count(f["message_zh"]) == 1, f["rule"]


def test_plain_has_no_escape_codes_nor_trailing_spaces(sample_report):
    out = text.render(sample_report, "zh", color=False, width=60)
    assert "\x1b" not in out
    for line in out.splitlines():
        assert line == line.rstrip()
        assert cell_len(line) <= 60, line


def test_color(sample_report):
    out = text.render(sample_report, "zh", color=True)
    assert "\x1b[" in out
    assert ANSI.sub("", out) == text.render(sample_report, "zh", color=False)


def test_en(make_report):
    report = make_report(lang="en", package="./applications/acme")
    out = text.render(report, "en")
    for f in report["findings"]:
        assert f["message_en"] in out
    assert "Fix: Stamp the company seal" in out
    assert "p. 2" in out and "Confidence: 0.58" in out and "(uncertain)" in out
    assert "Unrecognised files" in out and "Unreadable files" in out and "Package-level findings" in out
    assert "4 errors · 2 warnings · 0 infos · 2 checks passed" in out
    assert "Application form" in out and "Audit report (last year)" in out
    # none of the Chinese labels or headings
    for key, label in text.LABELS["zh"].items():
        if CJK.search(label):
            stem = label.split("{")[0].strip("：（）")
            assert stem not in out, (key, label)
    assert "第 2 页" not in out and "处理建议" not in out and "缺失" not in out
    assert "1. Basic documents" in out and "基本材料" not in out


def test_en_falls_back_to_chinese_titles(make_report):
    report = make_report(lang="en")
    del report["materials"][2]["title_en"]
    out = text.render(report, "en")
    assert "上一年度审计报告" in out


def test_deterministic_and_timing_optional(sample_report):
    a = text.render(sample_report, "zh")
    sample_report["timing"] = {"seconds": 99.0, "extract_seconds": 98.0}
    assert text.render(sample_report, "zh") == a
    assert "用时 99.0 秒" in text.render(sample_report, "zh", show_timing=True)


def test_clean_report(make_report):
    report = make_report(findings=[], summary={"errors": 0, "warnings": 0, "infos": 0, "passed": 8,
                                               "uncertain": 0, "files": 3, "pages": 6})
    for m in report["materials"]:
        if m["status"] == "missing":
            m["status"] = "present"
    out = text.render(report, "zh")
    assert "未发现问题" in out
    assert "✘" not in out.split("未识别的文件")[0]
    assert "✔ 项目申请表" in out


def test_minimal_report_does_not_crash():
    out = text.render({"program": {"id": "x", "title": "X"}, "package": "p", "findings": [
        {"rule": "r", "severity": "error", "message": "m", "path": None}]}, "zh")
    assert "m" in out and "错误 0" in out


def test_plain_render_signature(sample_report):
    assert text.render_plain(sample_report, "en") == text.render(sample_report, "en")
