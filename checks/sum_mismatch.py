from __future__ import annotations

import math
from decimal import Decimal

from shenbao.check import Check

from ._common import uncertain, yuan, yuan_en, money_materials
from ._invoices import table_runs

# Money columns a printed total may close, and how the column is named in messages.
COLUMNS = {"amount": ("开具金额", "amount"), "amount_ex_tax": ("不含税/扣税后金额", "amount before tax"),
           "paid": ("实际付款金额", "amount paid"), "base": ("补助基数", "subsidy base")}


def cleanly_parsed(table) -> bool:
    """An OCR'd table whose every row has an invoice number and an amount, and every total an amount.
    Skewed scans with wrapped cells interleave rows under OCR; sums of such a parse prove nothing."""
    money = ("amount", "amount_ex_tax", "paid", "base")
    rows_ok = all(r.number and any(getattr(r, k, None) is not None for k in money) for r in table.rows)
    totals_ok = all(any(getattr(t, k, None) is not None for k in money) for t in table.totals)
    return bool(table.rows) and rows_ok and totals_ok


class SumMismatch(Check):
    """检查内容：发票清单、付款清单中的“合计/总计”是否等于各行金额之和（开具金额、不含税金额、
    实际付款金额、补助基数各列分别核对）；付款清单的“小计”是否等于本组各行之和。

    为何重要：合计对不上是最常见的形式审查问题之一，评审会要求退回修改，也会让人怀疑数据真实性。

    如何修复：重新核算合计（注意“万元”单位的四舍五入），与申请表中的区间完成投资、付款金额保持一致。
    """

    rule = "sum-mismatch"
    title = "合计与明细不符"
    title_en = "Total does not match the rows"
    severity = "error"
    doc_en = """What it checks: each 合计/总计 of the invoice and payment lists equals the sum of its
rows, column by column (amount, amount before tax, amount paid, subsidy base), and each 小计 equals
its group.

Why: totals that do not add up are a common reason to send a package back.

How to fix: recompute the totals (mind rounding in 万元) and keep them equal to the application form."""
    params_schema = {"materials": {"type": "array", "items": {"type": "string"},
                                   "description": "material ids whose tables are checked (default: the materials read as tables)"}}

    def run(self, ctx, params):
        for mid in money_materials(ctx, params, ("table",)):
            for run in table_runs(ctx, mid):
                yield from self._check_run(ctx, params, run)

    def _check_run(self, ctx, params, run):
        """A list may run over several pages: a total closes the rows since the previous grand total
        (earlier pages included), or, where each page is totalled, the rows of its own page."""
        since: list = []       # rows since the last grand total (合计/总计)
        everything: list = []  # all rows of the list so far
        for fact in run:
            rows = fact.value.rows
            since, everything = since + rows, everything + rows
            yield from self._check_table(ctx, params, fact, [since, rows, everything])
            if any("小计" not in (getattr(t, "label", "") or "") for t in fact.value.totals):
                since = []

    def _check_table(self, ctx, params, fact, scopes):
        table = fact.value
        factor = Decimal(10000) if (table.unit or "").startswith("万") else Decimal(1)
        for total in table.totals:
            label = getattr(total, "label", "") or ""
            if "小计" in label:
                candidates = [[r for r in rows if total.category and r.category == total.category] for rows in scopes]
            else:
                candidates = [list(rows) for rows in scopes]
            for key, (name, name_en) in COLUMNS.items():
                printed = getattr(total, key, None)
                sums = []
                for rows in candidates:
                    values = [getattr(r, key) for r in rows if getattr(r, key, None) is not None]
                    if values:
                        # Each row printed to 0.01 of its unit may be off by half of that.
                        tolerance = Decimal("0.005") * factor * max(1, math.ceil(len(values) / 2)) + Decimal("0.01")
                        sums.append((values, sum(values, Decimal(0)), tolerance))
                if printed is None or not sums:
                    continue
                if any(abs(printed - row_sum) <= tol for _, row_sum, tol in sums):
                    continue
                values, row_sum, _ = sums[0]
                unsure = (uncertain(fact) or (getattr(total, "confidence", 1.0) or 1.0) < 0.8
                          or (fact.source == "ocr" and not cleanly_parsed(table)))
                group = f"“{total.category}”组" if "小计" in label and total.category else ""
                yield ctx.finding(
                    self, params,
                    f"{group}“{label}”的{name}为 {yuan(printed)}，但 {len(values)} 行明细之和为 {yuan(row_sum)}，"
                    f"相差 {yuan(printed - row_sum)}。",
                    f"“{label}” ({name_en}) is {yuan_en(printed)} but the {len(values)} rows add up to {yuan_en(row_sum)}.",
                    path=fact.path, page=fact.page, bbox=getattr(total, "bbox", None),
                    evidence=f"{label} {name} {printed}", uncertain=unsure,
                    confidence=fact.confidence if fact.source == "ocr" else None,
                    fix="重新核算合计，并与申请表中的区间完成投资/付款金额保持一致。",
                    fix_en="Recompute the total and keep it equal to the application form.",
                )
