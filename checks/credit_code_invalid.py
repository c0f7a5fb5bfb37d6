from __future__ import annotations

from shenbao.check import Check
from shenbao.facts.credit_code import is_valid_credit_code

from ._common import uncertain


class CreditCodeInvalid(Check):
    """检查内容：材料上出现的统一社会信用代码是否符合 GB 32100-2015（18 位、字符集、校验码）。

    为何重要：代码抄错会导致主体信息无法核验，信用查询、税务证明也对不上。

    如何修复：对照营业执照原件更正代码；若原件无误而是扫描不清，请重新扫描。
    """

    rule = "credit-code-invalid"
    title = "统一社会信用代码无效"
    title_en = "Invalid unified social credit code"
    severity = "error"
    doc_en = """What it checks: every unified social credit code in the package is well formed
under GB 32100-2015 (18 characters, allowed characters, check digit).

Why: a mistyped code cannot be verified, and the credit queries and tax certificates will not match.

How to fix: correct the code from the original licence; if the original is right, rescan it."""

    def run(self, ctx, params):
        seen = set()
        for fact in ctx.facts_of("credit_code"):
            code = fact.value
            key = (fact.path, code)
            if key in seen or is_valid_credit_code(code):
                continue
            seen.add(key)
            # An invalid code read by OCR is more often a misread than a wrong code: ask a person.
            unsure = fact.source == "ocr"
            if unsure:
                msg = f"统一社会信用代码“{code}”校验不通过，但该页为识别结果（置信度 {fact.confidence:.2f}），可能是识别误差，请人工核对。"
                msg_en = f"Credit code “{code}” fails its check digit, but it was read by OCR (confidence {fact.confidence:.2f}); please verify by eye."
            else:
                msg = f"统一社会信用代码“{code}”不符合 GB 32100-2015（位数、字符或校验码错误）。"
                msg_en = f"Credit code “{code}” is not valid under GB 32100-2015 (length, characters or check digit)."
            yield ctx.finding(
                self, params, msg, msg_en, path=fact.path, page=fact.page, bbox=fact.bbox,
                evidence=fact.text, confidence=fact.confidence if fact.source == "ocr" else None,
                uncertain=unsure,
                fix="对照营业执照原件更正统一社会信用代码。",
                fix_en="Correct the code from the original business licence.",
            )
