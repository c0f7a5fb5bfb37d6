from __future__ import annotations

from shenbao.check import Check

from ._common import day, uncertain, window, money_materials
from ._invoices import row_facts, row_where


class DateOutOfWindow(Check):
    """检查内容：发票清单、付款清单各行的发票日期，以及资金证明材料中发票的开票日期、银行回单的
    交易日期，是否在项目的计算区间内（合同日期不限）。

    为何重要：通知规定“对应的发票和付款凭证需在计算区间内”，区间外的发票不计入投资额，
    审减超过 30% 还会被取消补助资格。

    如何修复：把区间外的发票从清单和合计中移除，或换用区间内的发票与付款凭证。
    """

    rule = "date-out-of-window"
    title = "日期不在计算区间内"
    title_en = "Date outside the investment window"
    severity = "error"
    doc_en = """What it checks: invoice dates on the invoice and payment lists, and the dates of the
invoices and bank receipts among the fund proofs, fall inside the program's investment window
(contract dates are not restricted).

Why: invoices and payments outside the window do not count, and large deductions can disqualify the
application.

How to fix: take out-of-window invoices off the lists and totals, or use in-window ones."""
    params_schema = {
        "investment_window": {"type": "array", "items": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"},
                              "minItems": 2, "maxItems": 2, "description": "[first day, last day]"},
        "materials": {"type": "array", "items": {"type": "string"},
                      "description": "material ids whose dates are checked (default: lists, invoices, receipts)"},
    }

    def run(self, ctx, params):
        start, end = window(params)
        materials = money_materials(ctx, params)
        for fact in row_facts(ctx, materials):
            d = getattr(fact.value, "date", None)
            if d is None or start <= d <= end:
                continue
            where, where_en = row_where(fact)
            yield self._finding(ctx, params, fact, d, start, end, f"清单{where}的发票日期", f"Invoice date in {where_en}")
        for kind, zh, en in (("invoice_date", "发票开票日期", "Invoice date"), ("payment_date", "银行回单交易日期", "Bank receipt date")):
            for mid in materials:
                for fact in ctx.facts_of(kind, material=mid):
                    if start <= fact.value <= end:
                        continue
                    yield self._finding(ctx, params, fact, fact.value, start, end, zh, en)

    def _finding(self, ctx, params, fact, d, start, end, what, what_en):
        unsure = uncertain(fact)
        return ctx.finding(
            self, params,
            f"{what} {day(d)} 不在计算区间 {day(start)}—{day(end)} 内。" + ("（日期为识别结果，请人工核对）" if unsure else ""),
            f"{what_en} {d.isoformat()} is outside the investment window {start.isoformat()}..{end.isoformat()}.",
            path=fact.path, page=fact.page, bbox=fact.bbox, evidence=fact.text,
            confidence=fact.confidence if fact.source == "ocr" else None, uncertain=unsure,
            fix="区间外的发票/付款不计入投资额：从清单及合计中移除，或换用区间内的凭证。",
            fix_en="Out-of-window invoices and payments do not count: remove them from the list and totals.",
        )
