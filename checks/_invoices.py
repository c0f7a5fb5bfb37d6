"""Reading invoice rows and tables out of the facts, for the invoice checks."""
from __future__ import annotations

from typing import Iterable, Optional

from shenbao.model import Fact


def row_where(fact: Fact) -> tuple[str, str]:
    """Where a row sits, for messages: '第 3 行（发票号码 12345678）'."""
    row = fact.value
    label = getattr(row, "number", None)
    idx = getattr(row, "index", None) or getattr(row, "source_row", None)
    zh = f"第 {idx} 行" if idx else "一行"
    en = f"row {idx}" if idx else "a row"
    if label:
        zh += f"（发票号码 {label}）"
        en += f" (invoice {label})"
    sheet = getattr(row, "sheet", None)
    if sheet:
        zh = f"工作表“{sheet}” " + zh
        en = f"sheet “{sheet}” " + en
    return zh, en


def row_facts(ctx, materials: Iterable[str]) -> list[Fact]:
    out = []
    for mid in materials:
        out.extend(ctx.facts_of("invoice_row", material=mid))
    return out


def best_table(ctx, material: str) -> Optional[Fact]:
    """The invoice list may come as xlsx and as a sealed PDF: use the most complete, surest table."""
    tables = ctx.facts_of("table", material=material)
    if not tables:
        return None
    return max(tables, key=lambda f: (len(f.value.rows), f.confidence, f.source != "ocr"))
