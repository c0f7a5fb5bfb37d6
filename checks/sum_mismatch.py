from __future__ import annotations

import math
from decimal import Decimal

from shenbao.check import Check

from ._common import uncertain, yuan, yuan_en

TOTAL_WORDS = ("合计", "总计")


class SumMismatch(Check):
    """检查内容：发票清单、付款清单中的“合计/总计”是否等于各行金额之和；付款清单的“小计”
    是否等于本组各行之和。

    为何重要：合计对不上是最常见的形式审查问题之一，评审会要求退回修改，也会让人怀疑数据真实性。

    如何修复：重新核算合计（注意“万元”单位的四舍五入），与申请表中的区间完成投资、付款金额保持一致。
    """

    rule = "sum-mismatch"
    title = "合计与明细不符"
    title_en = "Total does not match the rows"
    severity = "error"
    doc_en = """What it checks: the 合计/总计 of the invoice and payment lists equals the sum of their
rows, and each 小计 equals its group.

Why: totals that do not add up are a common reason to send a package back.

How to fix: recompute the totals (mind rounding in 万元) and keep them equal to the application form."""
    params_doc = {"materials": "material ids whose tables are checked"}

    def run(self, ctx, params):
        for mid in params.get("materials") or ["invoice_list", "payment_list"]:
            for fact in ctx.facts_of("table", material=mid):
                yield from self._check_table(ctx, params, fact)

    def _check_table(self, ctx, params, fact):
        table = fact.value
        rows = [r for r in table.rows if r.amount is not None]
        if not rows or not table.totals:
            return
        factor = Decimal(10000) if (table.unit or "").startswith("万") else Decimal(1)
        # Each row printed to 0.01 of its unit may be off by half of that.
        tolerance = Decimal("0.005") * factor * max(1, math.ceil(len(rows) / 2)) + Decimal("0.01")
        row_sum = sum((r.amount for r in rows), Decimal(0))
        for total in table.totals:
            label = getattr(total, "label", "") or ""
            if total.amount is None or not any(w in label for w in TOTAL_WORDS):
                continue
            if abs(total.amount - row_sum) <= tolerance:
                continue
            unsure = uncertain(fact) or (getattr(total, "confidence", 1.0) or 1.0) < 0.8
            yield ctx.finding(
                self, params,
                f"“{label}”为 {yuan(total.amount)}，但 {len(rows)} 行明细之和为 {yuan(row_sum)}，相差 {yuan(total.amount - row_sum)}。",
                f"“{label}” is {yuan_en(total.amount)} but the {len(rows)} rows add up to {yuan_en(row_sum)}.",
                path=fact.path, page=getattr(total, "page", None) or fact.page, bbox=getattr(total, "bbox", None),
                evidence=f"{label} {total.amount}", uncertain=unsure,
                confidence=fact.confidence if fact.source == "ocr" else None,
                fix="重新核算合计，并与申请表中的区间完成投资/付款金额保持一致。",
                fix_en="Recompute the total and keep it equal to the application form.",
            )
