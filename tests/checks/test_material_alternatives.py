"""A material with alternatives (any_of): 赤峰 accepts a new company's 情况说明 and 开户证明 instead of
the last year's audited report (附件7.4 item 6, seed 001 L2740)."""
import datetime as dt

from tests.pipeline import doc, findings, run

CF = "chifeng-dt-cloud-mgmt"
AUDIT = """2025年度财务报表审计报告
审计报告
我们审计了后附的财务报表。会计师事务所 注册会计师 审计意见"""
STATEMENT = """情况说明
我公司为新成立公司，成立时间较短，尚未满一个会计年度，无上一年度经审计的财务报告，特此说明。"""
OPENING = """开户许可证
核准号：J1504000123401
存款人名称：赤峰示例科技有限公司
开户银行：中国工商银行赤峰分行 账号：0604 0000 0000 1234
中国人民银行赤峰市中心支行"""


def missing_audit(*docs):
    report = run(list(docs), as_of=dt.date(2026, 4, 20), pid=CF)
    return [f for f in findings(report, "material-missing") if f["material"] == "audit_report"]


def test_the_audit_report_itself_is_enough():
    assert missing_audit(doc("审计报告.pdf", AUDIT)) == []


def test_a_statement_and_an_account_opening_certificate_stand_in_for_it():
    assert missing_audit(doc("情况说明.pdf", STATEMENT), doc("开户许可证.pdf", OPENING)) == []
    assert missing_audit(doc("新公司材料.pdf", STATEMENT, OPENING)) == []  # one file, both documents


def test_half_of_the_alternative_names_the_other_half():
    [f] = missing_audit(doc("情况说明.pdf", STATEMENT))
    assert f["severity"] == "error" and "开户证明" in f["message"] and f["path"] == "情况说明.pdf"


def test_neither_is_missing_the_audit_report():
    [f] = missing_audit(doc("其他.pdf", "企业概况\n公司成立于2019年"))
    assert "上一年度经审计的财务报告" in f["message"]
