"""Read an xlsx workbook with openpyxl (read-only, cached formula values)."""
from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from typing import Any

from ..model import SOURCE_TEXT_LAYER, Document, Line, Page, Sheet

MAX_ROWS = 100_000  # per sheet
PAGE_ROWS = 500  # rows of a sheet copied into its synthetic Page (for the classifier)


def encrypted(fmt: str = "xlsx") -> Document:
    """Return the ``unreadable`` Document for a password-protected Office file (OLE2 EncryptedPackage)."""
    return Document(path="", kind="unreadable", format=fmt,
                    error="文件已加密（设置了打开密码），无法读取，请取消密码后重新保存",
                    error_en="file is encrypted (password-protected Office file)")


def extract(path: Path, settings) -> Document:
    """Return the Document for an xlsx: one Sheet per worksheet, plus one synthetic Page per sheet.

    Formula cells hold the value cached by the program that last saved the file (``None`` if it
    never computed them). A broken package gives ``kind="unreadable"``.
    """
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions/styles
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:
        return Document(path="", kind="unreadable", format="xlsx",
                        error=f"Excel 文件已损坏，无法打开（{type(e).__name__}: {e}）",
                        error_en=f"xlsx is damaged and cannot be opened: {type(e).__name__}: {e}")
    doc = Document(path="", kind="xlsx", format="xlsx")
    capped = []
    try:
        for ws in wb.worksheets:
            rows, cut = read_rows(ws)
            if cut:
                capped.append(ws.title)
            doc.sheets.append(Sheet(name=ws.title, rows=rows))
    finally:
        wb.close()
    for i, sh in enumerate(doc.sheets, 1):
        doc.pages.append(sheet_page(sh, i))
    if capped:
        doc.error = f"工作表行数过多，只读取了前 {MAX_ROWS} 行：{'、'.join(capped)}"
        doc.error_en = f"sheets with more than {MAX_ROWS} rows were cut: {', '.join(capped)}"
    return doc


def read_rows(ws) -> tuple[list[list[Any]], bool]:
    """Return ``(rows, cut)``: cell values row-major, trailing empty rows/columns removed, and
    whether the sheet was cut at ``MAX_ROWS``. Rows are padded to one common width."""
    ws.reset_dimensions()  # do not trust the stored <dimension> (often wrong or A1:XFD1048576)
    rows: list[list[Any]] = []
    cut = False
    for r in ws.iter_rows(values_only=True):
        if len(rows) >= MAX_ROWS:
            cut = True
            break
        rows.append([cell_value(v) for v in r])
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    width = max((max((i + 1 for i, v in enumerate(r) if v is not None), default=0) for r in rows), default=0)
    return [(r + [None] * width)[:width] for r in rows], cut


def cell_value(v: Any) -> Any:
    """Return a JSON-friendly cell value: dates as ISO strings, numbers and text unchanged."""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d") if v.time() == dt.time(0) else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.time):
        return v.strftime("%H:%M:%S")
    if isinstance(v, dt.timedelta):
        return str(v)
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return None
    return v


def _fmt(v: Any) -> str:
    """Return a cell as text for the synthetic page (integral floats without ``.0``)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


def sheet_page(sh: Sheet, number: int) -> Page:
    """Return a synthetic Page for a sheet: the first ``PAGE_ROWS`` non-empty rows as tab-separated
    lines. Boxes are nominal (one horizontal band per row), ``source`` is ``text-layer``."""
    texts = []
    for r in sh.rows[:PAGE_ROWS]:
        t = "\t".join(_fmt(v) for v in r).rstrip("\t")
        if t.strip():
            texts.append(t)
    n = max(len(texts), 1)
    lines = [Line(t, (0.0, round(k / n, 5), 1.0, round((k + 1) / n, 5)), 1.0) for k, t in enumerate(texts)]
    return Page(number=number, width=0.0, height=0.0, text="\n".join(texts), lines=lines,
                source=SOURCE_TEXT_LAYER, note=f"工作表 / sheet: {sh.name}")
