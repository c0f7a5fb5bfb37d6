from __future__ import annotations

from decimal import Decimal

from shenbao.check import Check

from ._common import uncertain, window, yuan, yuan_en, money_materials
from ._invoices import best_table


class InvestmentBelowThreshold(Check):
    """检查内容：发票清单中计算区间内、且达到单张下限的发票金额之和，是否达到项目的最低投资额
    （如 200 万元；包中有国家级“小巨人”或省级“专精特新”认定证明时为 100 万元）。

    为何重要：实际完成投资低于门槛的项目不具备申报资格。

    如何修复：核对发票清单是否漏列；如确实不足，本项目不符合申报条件。享受 100 万元门槛的，
    请附上在计算区间内有效的认定证明。
    """

    rule = "investment-below-threshold"
    title = "投资额未达门槛"
    title_en = "Investment below the threshold"
    severity = "error"
    doc_en = """What it checks: the sum of the invoice list's in-window invoices that reach the
single-invoice minimum is at least the program's investment threshold (e.g. CNY 2,000,000; CNY
1,000,000 when the package holds a 专精特新 / 小巨人 certificate).

Why: projects below the threshold are not eligible.

How to fix: check the list for missing invoices; to use the reduced threshold, include the
certificate valid in the window."""
    params_schema = {
        "investment_window": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2,
                              "description": "[first day, last day] of the invoices counted"},
        "min_invoice_amount": {"type": "number", "minimum": 0, "description": "invoices below it are not counted, in 元"},
        "min_investment": {"type": "number", "minimum": 0, "description": "threshold in 元"},
        "reduced_min_investment": {"type": "number", "minimum": 0,
                                   "description": "threshold when the certificate material is present"},
        "reduced_by_material": {"type": "string", "description": "material id of that certificate"},
        "materials": {"type": "array", "items": {"type": "string"},
                      "description": "material ids whose list is the investment's evidence (default: the materials read as tables)"},
    }

    def run(self, ctx, params):
        # the list the pack names as the investment's evidence (发票清单, 装备清单 …); of several, the
        # most complete reading
        tables = [t for t in (best_table(ctx, mid) for mid in money_materials(ctx, params, ("table",))) if t is not None]
        fact = max(tables, key=lambda f: (len(f.value.rows), f.confidence, f.source != "ocr")) if tables else None
        if fact is None or not fact.value.rows:
            return
        table = fact.value
        start, end = window(params)
        minimum = Decimal(str(params.get("min_invoice_amount", 0)))
        threshold = Decimal(str(params.get("min_investment", 0)))
        reduced_by = params.get("reduced_by_material")
        reduced = bool(reduced_by and ctx.segments_of(reduced_by))
        if reduced:
            threshold = Decimal(str(params.get("reduced_min_investment", threshold)))
        counted = [r for r in table.rows if r.amount is not None and r.amount >= minimum
                   and (r.date is None or start <= r.date <= end)]
        total = sum((r.amount for r in counted), Decimal(0))
        ex_tax = sum((r.amount_ex_tax for r in counted if r.amount_ex_tax is not None), Decimal(0))
        # The notice does not say whether the threshold is on the taxed or untaxed amount: fail only
        # when even the larger (taxed) sum is short.
        if max(total, ex_tax) >= threshold:
            return
        dropped = len(table.rows) - len(counted)
        note = f"（已剔除区间外或低于单张下限的发票 {dropped} 张）" if dropped else ""
        note_en = f" ({dropped} invoice(s) outside the window or below the minimum not counted)" if dropped else ""
        basis_zh = "（包中有专精特新/小巨人认定，门槛按 100 万元）" if reduced else ""
        unsure = uncertain(fact)
        yield ctx.finding(
            self, params,
            f"计算区间内可认定的发票金额合计 {yuan(total)}，低于投资门槛 {yuan(threshold)}{basis_zh}{note}。",
            f"Countable in-window invoices total {yuan_en(total)}, below the threshold {yuan_en(threshold)}{note_en}.",
            path=fact.path, page=fact.page, evidence=f"{len(counted)} 张发票合计 {total}", uncertain=unsure,
            confidence=fact.confidence if fact.source == "ocr" else None,
            fix="核对发票清单是否漏列区间内发票；投资额确实不足的，不符合申报条件。",
            fix_en="Check the list for missing in-window invoices; if the investment really is short, the project is not eligible.",
        )
