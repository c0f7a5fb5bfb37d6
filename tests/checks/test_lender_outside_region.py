"""lender-outside-region (衡阳 L95 “在衡营业机构的贷款”): the lender named on the loan documents."""
import datetime as dt

import pytest

from tests.pipeline import doc, findings, licence, run

HY = "hy2023-im-equipment-loan-interest"


def certificate(bank: str) -> str:
    return f"""贷款证明
兹证明示例公司于2022年1月10日与我行签订《固定资产借款合同》，借款金额人民币300万元，年利率3.85%。
特此证明。
{bank}"""


def contract(bank: str) -> str:
    return f"""固定资产借款合同
借款人（甲方）：示例公司
贷款人（乙方）：{bank}
第一条 借款金额 第二条 借款期限 第三条 利率 违约 担保 还款"""


def lender_findings(*docs, source="text-layer"):
    return findings(run([doc("执照.pdf", licence()), *docs], as_of=dt.date(2023, 8, 10), pid=HY), "lender-outside-region")


@pytest.mark.parametrize("bank", ["中国建设银行股份有限公司衡阳市分行", "湖南耒阳农村商业银行股份有限公司",
                                  "中国工商银行股份有限公司衡阳雁峰支行"])
def test_a_local_branch_passes(bank):
    assert lender_findings(doc("贷款证明.pdf", certificate(bank)), doc("借款合同.pdf", contract(bank))) == []


def test_a_branch_elsewhere_is_an_error_naming_it():
    [f] = lender_findings(doc("借款合同.pdf", contract("中国建设银行股份有限公司长沙市芙蓉支行")))
    assert f["severity"] == "error" and "长沙市芙蓉支行" in f["message"] and "在衡营业机构" in f["basis"]


def test_one_document_naming_the_local_branch_is_enough():
    assert lender_findings(doc("贷款证明.pdf", certificate("中国建设银行股份有限公司衡阳市分行")),
                           doc("借款合同.pdf", contract("中国建设银行股份有限公司长沙分行"))) == []


def test_a_letterhead_without_the_branch_is_not_judged():
    assert lender_findings(doc("借据.pdf", "中国建设银行\n借款借据\n借款人 示例公司 放款日期 2022年01月12日 借据编号 JJ1")) == []


def test_an_unsure_reading_is_a_warning_marked_uncertain():
    [f] = lender_findings(doc("借款合同.jpg", contract("中国银行股份有限公司长沙分行"), source="ocr", confidence=0.7))
    assert f["severity"] == "warning" and f["uncertain"] is True
