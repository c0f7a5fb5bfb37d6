"""Small helpers the checks share: formatting amounts and dates for messages, confidence rules."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

# OCR facts below this confidence are reported as uncertain, never as pass or fail.
CONFIDENT = 0.80


def yuan(value) -> str:
    """12345.6 -> '12,345.60 元'; large amounts also in 万元."""
    v = Decimal(str(value))
    if abs(v) >= 10000:
        return f"{v:,.2f} 元（{v / 10000:,.2f} 万元）"
    return f"{v:,.2f} 元"


def yuan_en(value) -> str:
    return f"CNY {Decimal(str(value)):,.2f}"


def day(d: Optional[dt.date]) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "?"


def window(params: dict) -> tuple[dt.date, dt.date]:
    a, b = params["investment_window"]
    return dt.date.fromisoformat(str(a)), dt.date.fromisoformat(str(b))


def uncertain(fact, threshold: float = CONFIDENT) -> bool:
    """A fact read by OCR with less than ``threshold`` confidence."""
    return fact.source == "ocr" and (fact.confidence or 0.0) < threshold


def money_materials(ctx, params: dict, readers: tuple[str, ...] = ("table", "invoice", "payment_date")) -> list[str]:
    """The materials a money check reads: the pack's ``materials:`` when it names them, else every
    material of the program whose fact readers read lists, invoices or payments (kinds.yaml), so a
    new program's invoices are checked without code naming its material ids."""
    if params.get("materials"):
        return list(params["materials"])
    from shenbao.facts.collect import reader_names

    return [m.id for m in ctx.program.materials if set(reader_names(m, ctx.kinds)) & set(readers)]
