"""A realistic report dict for the reporter tests, built the way the engine builds one.

The package has: a 申请表 with a missing seal on page 2, a 营业执照 scanned as "营业执照 (1).pdf"
(non-ASCII name with a space and parentheses), a missing 审计报告, a 信用查询截图 whose query time OCR
could not read with confidence, an optional 专利证书 not provided, an unrecognised photo, an
unreadable PDF, and a package-level name mismatch.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from shenbao.reporters import finding_fingerprint

ROOT = Path(__file__).resolve().parents[2]
REPORT_SCHEMA = ROOT / "schemas" / "report.schema.json"
SARIF_SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"

LICENCE = "营业执照 (1).pdf"


FIX_EN = {
    "seal-missing": "Stamp the company seal where page 2 says 申报单位（盖章） and scan it again",
    "credit-code-invalid": "Check that the licence scan is sharp and complete",
    "material-missing": "Add last year's audit report, including the page with its report number",
    "credit-query-date": "Use a sharper screenshot in which the query time is fully visible",
    "name-mismatch": "Use the company name exactly as on the business licence in every document",
    "file-unreadable": "Export or scan the file again",
}


def _finding(**kw) -> dict:
    f = {
        "rule": None,
        "severity": "error",
        "message": None,
        "message_zh": None,
        "message_en": None,
        "material": None,
        "material_title": None,
        "path": None,
        "page": None,
        "bbox": None,
        "evidence": None,
        "confidence": None,
        "uncertain": False,
        "fix": None,
        "basis": None,
    }
    f.update(kw)
    f["message"] = f["message_zh"]
    f["fingerprint"] = finding_fingerprint(f)
    return f


def build_sample_report() -> dict:
    findings = [
        _finding(
            rule="seal-missing",
            severity="error",
            message_zh="申请表第 2 页未见单位公章",
            message_en="No company seal found on page 2 of the application form",
            material="application-form",
            material_title="项目申请表",
            path="01 项目申请表.pdf",
            page=2,
            bbox=[0.55, 0.78, 0.92, 0.95],
            evidence="申报单位（盖章）：",
            confidence=0.93,
            fix="在申请表第 2 页“申报单位（盖章）”处加盖单位公章后重新扫描",
            basis="seed-000 附件1 第三条",
        ),
        _finding(
            rule="credit-code-invalid",
            severity="warning",
            message_zh="营业执照上的统一社会信用代码校验位不符",
            message_en="The unified social credit code on the business licence fails its check digit",
            material="business-license",
            material_title="营业执照",
            path=LICENCE,
            page=1,
            bbox=[0.1, 0.2, 0.6, 0.25],
            evidence="91411200MA4XXXXX1K",
            confidence=1.0,
            fix="核对营业执照扫描件是否清晰、完整",
            basis="GB 32100-2015",
        ),
        _finding(
            rule="material-missing",
            severity="error",
            message_zh="缺少必需材料：审计报告",
            message_en="Required material missing: audit report",
            material="audit-report",
            material_title="上一年度审计报告",
            fix="补充上一年度财务审计报告（含报告编号或验证码页）",
            basis="seed-000 附件1 材料清单第 3 项",
        ),
        _finding(
            rule="credit-query-date",
            severity="warning",
            message_zh="信用查询截图的查询时间无法可靠识别",
            message_en="The query time on the credit-check screenshot could not be read reliably",
            material="credit-query",
            material_title="信用中国查询截图",
            path="信用查询/信用中国.png",
            page=1,
            bbox=[0.05, 0.02, 0.48, 0.06],
            evidence="查询时间：2025-0?-1? 1?:2?",
            confidence=0.58,
            uncertain=True,
            fix="换用清晰截图，确保查询时间完整可见",
            basis="seed-000 附件1 第五条",
        ),
        _finding(
            rule="name-mismatch",
            severity="error",
            message_zh="申请表与营业执照上的单位名称不一致：“三门峡市某某机械有限公司” / “三门峡某某机械有限公司”",
            message_en="The company name differs between the application form and the business licence",
            evidence="三门峡市某某机械有限公司 / 三门峡某某机械有限公司",
            fix="统一各材料中的单位名称，以营业执照为准",
        ),
        _finding(
            rule="file-unreadable",
            severity="error",
            message_zh="文件无法读取：PDF 结构损坏",
            message_en="File cannot be read: broken PDF structure",
            path="承诺书.pdf",
            fix="重新导出或扫描该文件",
        ),
    ]
    rules = [
        ("material-missing", "材料缺失", "Material missing", "error"),
        ("seal-missing", "缺少公章", "Seal missing", "error"),
        ("signature-missing", "缺少签字", "Signature missing", "error"),
        ("credit-code-invalid", "统一社会信用代码无效", "Invalid credit code", "warning"),
        ("credit-query-date", "信用查询时间不符", "Credit query date", "warning"),
        ("name-mismatch", "单位名称不一致", "Name mismatch", "error"),
        ("file-unreadable", "文件无法读取", "File unreadable", "error"),
        ("registration-age", "成立年限不足", "Registration age", "error"),
    ]
    counts = {}
    for f in findings:
        counts[f["rule"]] = counts.get(f["rule"], 0) + 1
    return {
        "tool": {"name": "shenbao-lint", "version": "0.1.0"},
        "schema_version": 1,
        "program": {
            "id": "smx2025-intelligent-retrofit",
            "title": "2025年三门峡市智能化改造专项资金项目",
            "title_en": "Sanmenxia 2025 intelligent retrofit subsidy",
            "source": "seed-000",
            "notice_date": "2025-03-10",
            "deadline": "2025-04-30",
        },
        "package": "./申报材料/某某机械",
        "as_of": "2025-04-01",
        "stage": "enterprise",
        "lang": "zh",
        "summary": {"errors": 4, "warnings": 2, "infos": 0, "passed": 2, "uncertain": 1, "files": 6, "pages": 9},
        "materials": [
            {"id": "application-form", "title": "项目申请表", "title_en": "Application form", "section": "一、基本材料", "section_en": "1. Basic documents",
             "required": True, "status": "present", "files": [{"path": "01 项目申请表.pdf", "pages": [1, 2, 3]}]},
            {"id": "business-license", "title": "营业执照", "title_en": "Business licence", "section": "一、基本材料", "section_en": "1. Basic documents",
             "required": True, "status": "present", "files": [{"path": LICENCE, "pages": [1, 2]}]},
            {"id": "audit-report", "title": "上一年度审计报告", "title_en": "Audit report (last year)", "section": "二、财务材料", "section_en": "2. Financial documents",
             "required": True, "status": "missing", "files": []},
            {"id": "credit-query", "title": "信用中国查询截图", "title_en": "Credit China screenshot", "section": "二、财务材料", "section_en": "2. Financial documents",
             "required": True, "status": "present", "files": [{"path": "信用查询/信用中国.png", "pages": [1]}]},
            {"id": "patent", "title": "专利证书", "title_en": "Patent certificates", "section": "三、其他材料", "section_en": "3. Other documents",
             "required": False, "status": "not-provided", "files": []},
        ],
        "files": [
            {"path": "01 项目申请表.pdf", "format": "pdf", "kind": "pdf", "pages": 3, "materials": ["application-form"],
             "status": "classified", "reason": None, "text_source": "text-layer"},
            {"path": LICENCE, "format": "pdf", "kind": "pdf", "pages": 2, "materials": ["business-license"],
             "status": "classified", "reason": None, "text_source": "ocr"},
            {"path": "信用查询/信用中国.png", "format": "png", "kind": "image", "pages": 1, "materials": ["credit-query"],
             "status": "classified", "reason": None, "text_source": "ocr"},
            {"path": "扫描件0003.jpg", "format": "jpeg", "kind": "image", "pages": 1, "materials": [],
             "status": "unrecognised", "reason": "未能判断属于哪一项材料（最接近：营业执照，得分 0.21）", "text_source": "ocr"},
            {"path": "承诺书.pdf", "format": "pdf", "kind": "unreadable", "pages": 0, "materials": [],
             "status": "unreadable", "reason": "PDF 结构损坏，无法打开", "text_source": "none"},
            {"path": "设备清单.xls", "format": "xls", "kind": "unsupported", "pages": 0, "materials": [],
             "status": "unsupported", "reason": "暂不支持 .xls 格式，请另存为 .xlsx", "text_source": "none"},
        ],
        "findings": findings,
        "rules": [
            {"id": rid, "title": t, "title_en": te, "severity": sev, "findings": counts.get(rid, 0)}
            for rid, t, te, sev in rules
        ],
        "timing": {"seconds": 3.21, "extract_seconds": 2.9},
    }


@pytest.fixture
def make_report():
    """Factory: ``make_report(lang="en", package=...)`` -> a fresh deep copy with overrides."""

    def make(**overrides) -> dict:
        report = copy.deepcopy(build_sample_report())
        if overrides.get("lang") == "en":
            for f in report["findings"]:
                f["message"] = f["message_en"]
                f["fix"] = FIX_EN.get(f["rule"], f["fix"])
        report.update(overrides)
        return report

    return make


@pytest.fixture
def sample_report(make_report) -> dict:
    return make_report()


@pytest.fixture(scope="session")
def report_schema() -> dict:
    return json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sarif_schema() -> dict:
    return json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
