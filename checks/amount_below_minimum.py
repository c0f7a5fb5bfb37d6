from __future__ import annotations

from decimal import Decimal

from shenbao.check import Check

from ._common import uncertain, yuan, yuan_en, money_materials
from ._invoices import row_facts, row_where


class AmountBelowMinimum(Check):
    """检查内容：发票清单每一行、资金证明材料中每张发票的金额，是否达到单张发票的最低金额
    （如“单张发票额不低于1万元”）。

    为何重要：低于下限的发票不计入补助基数；列入清单会造成合计与可认定投资额不符。

    如何修复：将低于下限的发票从清单和合计中移除。
    """

    rule = "amount-below-minimum"
    title = "单张发票金额低于下限"
    title_en = "Invoice amount below the minimum"
    severity = "error"
    doc_en = """What it checks: every row of the invoice list, and every invoice among the fund
proofs, reaches the program's minimum single-invoice amount (e.g. CNY 10,000).

Why: smaller invoices do not count towards the subsidy base.

How to fix: remove them from the list and its total."""
    params_schema = {
        "min_invoice_amount": {"type": "number", "minimum": 0, "description": "minimum amount of one invoice, in 元"},
        "materials": {"type": "array", "items": {"type": "string"},
                      "description": "material ids checked (default: the materials read as lists or invoices)"},
    }

    def run(self, ctx, params):
        minimum = Decimal(str(params.get("min_invoice_amount", 10000)))
        materials = money_materials(ctx, params, ("table", "invoice"))
        for fact in row_facts(ctx, materials):
            amount = getattr(fact.value, "amount", None)
            if amount is None or amount >= minimum or amount <= 0:
                continue
            where, where_en = row_where(fact)
            yield self._finding(ctx, params, fact, amount, minimum, f"清单{where}", where_en)
        for mid in materials:
            for fact in ctx.facts_of("invoice_amount", material=mid):
                if fact.value >= minimum or fact.value <= 0:
                    continue
                yield self._finding(ctx, params, fact, fact.value, minimum, "发票价税合计", "invoice total")

    def _finding(self, ctx, params, fact, amount, minimum, what, what_en):
        unsure = uncertain(fact)
        return ctx.finding(
            self, params,
            f"{what}金额 {yuan(amount)} 低于单张发票下限 {yuan(minimum)}，不计入投资额。" + ("（金额为识别结果，请人工核对）" if unsure else ""),
            f"The amount of {what_en}, {yuan_en(amount)}, is below the single-invoice minimum {yuan_en(minimum)}.",
            path=fact.path, page=fact.page, bbox=fact.bbox, evidence=fact.text,
            confidence=fact.confidence if fact.source == "ocr" else None, uncertain=unsure,
            fix="将该发票从清单及合计中移除（不计入补助基数）。",
            fix_en="Remove the invoice from the list and its total.",
        )
