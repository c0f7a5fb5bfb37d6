from __future__ import annotations

from shenbao.check import Check
from shenbao.facts.credit_code import is_valid_credit_code


class RegistrationRegion(Check):
    """检查内容：申报单位统一社会信用代码中的登记管理机关行政区划码（第 3–8 位），是否属于通知要求
    注册登记的地区（如“在衡阳市登记注册”：4304 开头）。省级、国家级登记机关登记的企业（区划码为
    省或全国，如 430000、100000）无法从代码判断地区，不报告。

    为何重要：在本地区以外登记的企业不具备申报资格。

    如何修复：核对营业执照上的统一社会信用代码；确实在外地登记的，不符合本项目申报条件。
    """

    rule = "registration-region"
    title = "登记地不在本地区"
    title_en = "Registered outside the region"
    severity = "error"
    doc_en = """What it checks: the registration authority's division code inside the applicant's unified
social credit code (characters 3-8) lies in the region the notice requires (e.g. 衡阳: codes starting
4304). A company registered by a provincial or national authority (430000, 100000) cannot be placed by
its code and is not reported.

Why: a company registered outside the region is not eligible.

How to fix: check the code on the licence; a company really registered elsewhere cannot apply."""
    params_schema = {
        "region_codes": {"type": "array", "items": {"type": "string", "pattern": "^[0-9]{2,6}$"}, "minItems": 1,
                         "description": "prefixes of the 行政区划码 of the region (4304 for 衡阳市)"},
        "region_name": {"type": "string", "description": "the region as the notice names it, for messages"},
    }

    def run(self, ctx, params):
        prefixes = [str(p) for p in params.get("region_codes") or []]
        code, fact = ctx.applicant.credit_code, ctx.applicant.credit_code_source
        if not prefixes or not code or not is_valid_credit_code(code):
            return  # no code, or a wrong one: credit-code-invalid says so
        division = code[2:8]
        if any(division.startswith(p) for p in prefixes):
            return
        if division.endswith("0000"):  # a province's or the nation's authority: the code does not say where
            return
        name = params.get("region_name") or "/".join(prefixes)
        unsure = fact is not None and fact.source == "ocr" and fact.confidence < 0.9
        yield ctx.finding(
            self, params,
            f"统一社会信用代码 {code} 的登记机关区划码为 {division}，不在{name}（{'、'.join(prefixes)}）。"
            + ("（代码为识别结果，请人工核对）" if unsure else ""),
            f"The credit code {code} was issued by the authority of division {division}, outside {name}.",
            path=fact.path if fact else None, page=fact.page if fact else None, bbox=fact.bbox if fact else None,
            evidence=fact.text if fact else code, uncertain=unsure,
            confidence=fact.confidence if fact is not None and fact.source == "ocr" else None,
            fix=f"本项目要求在{name}登记注册；请核对营业执照上的统一社会信用代码。",
            fix_en=f"The program requires registration in {name}; check the code on the licence.",
        )
