"""Reading invoice rows and tables out of the facts, for the invoice checks."""
from __future__ import annotations

import dataclasses
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


def table_runs(ctx, material: str) -> list[list[Fact]]:
    """The material's table facts, one list per printed list: the tables of consecutive pages of one
    file are the pages of one list (rows on page 1, more rows and the 合计 on page 2); a sheet stands
    alone."""
    runs: list[list[Fact]] = []
    for fact in sorted(ctx.facts_of("table", material=material), key=lambda f: (f.path, f.page or 0)):
        prev = runs[-1][-1] if runs else None
        if (prev is not None and fact.page is not None and prev.page is not None and prev.path == fact.path
                and fact.page == prev.page + 1):
            runs[-1].append(fact)
        else:
            runs.append([fact])
    return runs


def merged_table(run: list[Fact]) -> Fact:
    """One fact for a list printed over several pages: all its rows and totals, its least confidence;
    path and page are those of the first page."""
    if len(run) == 1:
        return run[0]
    first = run[0]
    table = dataclasses.replace(first.value, rows=[r for f in run for r in f.value.rows],
                                totals=[t for f in run for t in f.value.totals])
    return dataclasses.replace(first, value=table, confidence=min(f.confidence for f in run),
                               source="ocr" if any(f.source == "ocr" for f in run) else first.source)


def best_table(ctx, material: str) -> Optional[Fact]:
    """The invoice list may come as xlsx and as a sealed PDF: use the most complete, surest table
    (a list printed over several pages counts with all its pages)."""
    tables = [merged_table(r) for r in table_runs(ctx, material)]
    if not tables:
        return None
    return max(tables, key=lambda f: (len(f.value.rows), f.confidence, f.source != "ocr"))
