from __future__ import annotations

from shenbao.check import Check
from shenbao.facts.names import compare_company_names, distinctive_similarity

from ._common import uncertain


class NameMismatch(Check):
    """检查内容：申请表、封面、声明、信用查询结果、发票清单（付款方）等处出现的申报单位名称，
    是否与营业执照上的企业名称一致。

    为何重要：名称不一致（错字、简称、别家公司）会让评审无法确认材料属于同一申报主体。

    如何修复：统一使用营业执照上的全称；别家公司的材料（如发票付款方不是本企业）不能用于本次申报。
    """

    rule = "name-mismatch"
    title = "单位名称不一致"
    title_en = "Company name does not match"
    severity = "error"
    doc_en = """What it checks: the applicant's name as written on the forms, cover, declaration,
credit queries and invoice list (payer) equals the name on the business licence.

Why: a different name (typo, short form, another company) means the material cannot be tied to the
applicant.

How to fix: use the licence's full name everywhere; another company's documents cannot be used."""

    def run(self, ctx, params):
        applicant = ctx.applicant.name
        if not applicant:
            return
        seen = set()
        for fact in ctx.facts_of("applicant_name"):
            name = fact.value
            if not name:
                continue
            cmp = compare_company_names(name, applicant, ocr_tolerance=fact.source == "ocr")
            if cmp.exact or (cmp.same and fact.source == "ocr"):
                continue  # one character off in an OCR reading is a reading error, not another company
            key = (fact.path, name)
            if key in seen:
                continue
            seen.add(key)
            # OCR under seals garbles names: a reading close to the applicant's name (but not equal)
            # is more likely a misread than another company, so a person should look.
            unsure = uncertain(fact, 0.9) or (fact.source == "ocr" and distinctive_similarity(name, applicant) >= 0.5)
            yield ctx.finding(
                self, params,
                f"单位名称“{name}”与营业执照上的“{applicant}”不一致。" + ("（名称为识别结果，请人工核对）" if unsure else ""),
                f"The name “{name}” differs from the licence's “{applicant}”.",
                path=fact.path, page=fact.page, bbox=fact.bbox, evidence=fact.text, uncertain=unsure,
                confidence=fact.confidence if fact.source == "ocr" else None,
                fix=f"统一改为营业执照上的全称“{applicant}”。",
                fix_en=f"Use the licence's full name “{applicant}”.",
            )
