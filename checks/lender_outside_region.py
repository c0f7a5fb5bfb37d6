from __future__ import annotations

import re

from shenbao.check import Check


class LenderOutsideRegion(Check):
    """检查内容：贷款证明、借款合同、放款凭证上的贷款机构，是否为通知要求所在地区的营业机构
    （如衡阳：“在衡营业机构的贷款”，贷款机构名称中应有衡阳或其县市区名）。只要有一份材料写明
    本地区的机构即通过；只印总行名称（如信头“中国建设银行”）的不作判断；读不清的名称只提示核对。

    为何重要：贴息只支持本地金融机构的贷款，外地机构的贷款不予认定。

    如何修复：核对贷款机构全称（分行、支行）；确为外地机构贷款的，不符合本项目条件。
    """

    rule = "lender-outside-region"
    title = "贷款机构不在本地区"
    title_en = "Lender outside the region"
    severity = "error"
    doc_en = """What it checks: the lending institution named on the loan certificate, contract or
disbursement voucher is a branch in the region the notice requires (衡阳: “在衡营业机构的贷款”, so the
lender's name carries 衡阳 or one of its counties). One document naming a local branch is enough; a
name read unsurely is only shown for checking.

Why: the interest subsidy covers loans of local institutions only.

How to fix: check the lender's full name (branch); a loan from elsewhere does not qualify."""
    params_schema = {
        "materials": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                      "description": "material ids of the loan documents"},
        "region_words": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                         "description": "names of the region and its counties, one of which a local lender's name carries"},
        "region_name": {"type": "string", "description": "the region as the notice names it, for messages"},
    }

    def run(self, ctx, params):
        words = list(params.get("region_words") or [])
        # a letterhead's bare “中国建设银行” says nothing of the branch: only a name down to its branch,
        # or a local bank's (农商行, 信用社: named after their place), can be judged
        facts = [f for mid in params.get("materials") or [] for f in ctx.facts_of("lender", material=mid)
                 if re.search(r"分行|支行|营业部|分理处|信用社|信用合作联社|农村商业银行|农商银行|农商行", f.value)]
        if not words or not facts or any(any(w in f.value for w in words) for f in facts):
            return
        name = params.get("region_name") or words[0]
        sure = [f for f in facts if f.source != "ocr" or f.confidence >= 0.9]
        fact = (sure or facts)[0]
        lenders = "、".join(dict.fromkeys(f.value for f in facts))
        unsure = not sure
        yield ctx.finding(
            self, params,
            f"贷款机构“{lenders}”不是{name}的营业机构（名称中未见{'、'.join(words[:4])}等）。"
            + ("（名称为识别结果，请人工核对）" if unsure else ""),
            f"The lender “{lenders}” is not a branch in {name}.",
            path=fact.path, page=fact.page, bbox=fact.bbox, evidence=fact.text, uncertain=unsure,
            confidence=fact.confidence if fact.source == "ocr" else None,
            fix=f"本项目只支持{name}营业机构的贷款；请核对贷款证明、借款合同上的贷款机构全称。",
            fix_en=f"Only loans of institutions in {name} qualify; check the lender's full name.",
        )
