"""Invoice and payment lists (附件1-7 发票清单, 附件1-8 付款清单 and look-alikes) as rows.

Two entry points build the same :class:`Table`:

* :func:`rows_from_sheet` from spreadsheet cell values (``Sheet.rows``);
* :func:`rows_from_lines` from positioned text lines (text layer or OCR), clustering lines into
  rows by their vertical centre and assigning them to the header column they overlap (or whose
  centre is nearest).

The header row is found by known column names, matched loosely (spaces, line breaks,
``（扣税后）`` / ``（万元）`` suffixes). Amounts are converted to 元 using a ``单位：万元`` note or a
``（万元）`` header suffix. ``合计/小计/总计`` rows become :class:`TotalRow`; template placeholder rows
(``****``, ``……``) and rows with only a 序号 are skipped.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median
from typing import Any, Optional, Sequence

import numpy as np

from ._text import as_text, nfkc
from .amounts import amount_in_yuan, find_amounts, parse_amount
from .dates import find_dates, parse_date
from .labels import labelled_value

BBox = tuple[float, float, float, float]

# canonical key -> header texts (normalised: NFKC, no whitespace, bracketed parts removed)
COLUMNS: dict[str, tuple[str, ...]] = {
    "index": ("序号", "序"),
    "number": ("发票号码", "发票号", "发票编号", "票号", "发票号码/编号"),
    "invoice_code": ("发票代码",),
    "payer": ("付款方名称", "付款方", "付款单位", "付款单位名称", "付款人", "购买方名称", "购买方",
              "购方名称"),
    "payee": ("收款方名称", "收款方", "收款单位", "收款单位名称", "收款人", "销售方名称", "销售方",
              "销方名称", "供应商", "供应商名称"),
    "content": ("开具内容", "发票内容", "开票内容", "货物或应税劳务名称", "货物或应税劳务、服务名称",
                "货物名称"),
    "item": ("设备名称", "设备/软件名称", "设备(软件)名称", "名称", "软件名称"),
    "model": ("规格/型号", "规格型号", "型号", "规格", "型号规格"),
    "quantity": ("数量",),
    "date": ("开具日期", "开票日期", "发票日期"),
    "amount": ("开具金额", "发票金额", "价税合计", "含税金额", "金额", "开票金额"),
    "amount_ex_tax": ("不含税金额", "金额不含税", "不含税价", "扣税后金额"),
    "tax": ("税额",),
    "paid": ("实际付款金额", "付款金额", "支付金额", "实付金额", "实际支付金额"),
    "paid_date": ("付款日期", "支付日期", "付款时间"),
    "contract_no": ("合同/协议编号", "合同编号", "协议编号", "合同号"),
    "contract_date": ("合同/协议日期", "合同日期", "协议日期", "签订日期", "合同签订日期"),
    "base": ("补助基数",),
    "category": ("类别", "类型"),
    "details": ("设备、技术、研发、软件等信息",),
    "note": ("备注",),
}
# substring rules for headers that are not exact (checked in order)
_CONTAINS: tuple[tuple[str, str], ...] = (
    ("不含税", "amount_ex_tax"), ("发票代码", "invoice_code"), ("发票号", "number"),
    ("付款方", "payer"), ("购买方", "payer"), ("收款方", "payee"), ("收款单位", "payee"),
    ("销售方", "payee"), ("开具内容", "content"), ("开具日期", "date"), ("开票日期", "date"),
    ("发票日期", "date"), ("实际付款", "paid"), ("付款金额", "paid"), ("付款日期", "paid_date"),
    ("开具金额", "amount"), ("发票金额", "amount"), ("价税合计", "amount"), ("合同", "contract"),
    ("协议", "contract"), ("补助基数", "base"), ("设备、技术", "details"), ("规格", "model"),
    ("型号", "model"), ("数量", "quantity"), ("设备名称", "item"), ("序号", "index"),
)
_EXACT = {name: key for key, names in COLUMNS.items() for name in names}
_AMOUNT_KEYS = ("amount", "amount_ex_tax", "tax", "paid", "base")
_DATE_KEYS = ("date", "paid_date", "contract_date")
_TEXT_KEYS = ("payer", "payee", "content", "item", "model", "details", "note", "contract_no")
_ANCHOR_KEYS = {"number", "date", "amount", "amount_ex_tax", "paid", "payee", "payer", "content",
                "item", "base"}
_TOTAL = re.compile(r"^(合计|小计|总计|共计|累计)(?:[:：(（].{0,10})?$")
# A group label and its total merged into one cell or text segment: “设备 小计”, “软件小计”.
_GROUP_TOTAL = re.compile(r"^[\u4e00-\u9fff]{1,6}(合计|小计|总计|共计)$")
_NOTE = re.compile(r"^(备注|注[:：]|注\d|说明|填表人|填报人|制表|审核人|经办人|负责人|联系人|单位负责人|财务负责人)")
_PLACEHOLDER = re.compile(r"^[*＊…\.。·xX×\-—–_/、\s]+$")
_UNIT_NOTE = re.compile(r"单位\s*[:：]\s*(?:[^\n:：]{0,8}?[、,，/])?\s*(万元|亿元|元)")


@dataclass
class InvoiceRow:
    """One data row. Amounts are ``Decimal`` in 元 (``None`` if empty or unreadable); dates are
    ``datetime.date``. ``cells`` holds each mapped cell's text; ``unparsed`` names the keys whose
    cell had text that could not be parsed (e.g. an OCR-garbled amount). ``source_row`` is the
    0-based row index in the sheet, or the row-cluster index for lines."""

    index: Optional[int] = None
    number: Optional[str] = None
    date: Optional[_dt.date] = None
    amount: Optional[Decimal] = None
    amount_ex_tax: Optional[Decimal] = None
    payer: Optional[str] = None
    payee: Optional[str] = None
    content: Optional[str] = None
    row_label: Optional[str] = None  # text of the first non-empty cell
    source_row: int = 0
    bbox: Optional[BBox] = None
    confidence: float = 1.0
    paid: Optional[Decimal] = None
    paid_date: Optional[_dt.date] = None
    base: Optional[Decimal] = None
    tax: Optional[Decimal] = None
    item: Optional[str] = None
    model: Optional[str] = None
    quantity: Optional[Decimal] = None
    contract_no: Optional[str] = None
    contract_date: Optional[_dt.date] = None
    category: Optional[str] = None  # 类别 (carried down from a group row or merged cell)
    invoice_code: Optional[str] = None
    details: Optional[str] = None
    cells: dict[str, str] = field(default_factory=dict)
    unparsed: list[str] = field(default_factory=list)

    @property
    def invoice_amount(self) -> Optional[Decimal]:
        """The invoice amount as listed: ``amount`` if present, else ``amount_ex_tax``."""
        return self.amount if self.amount is not None else self.amount_ex_tax


@dataclass
class TotalRow:
    """A 合计 / 小计 / 总计 row. Amounts in 元; ``category`` is the group a 小计 closes."""

    label: str
    amount: Optional[Decimal] = None
    amount_ex_tax: Optional[Decimal] = None
    paid: Optional[Decimal] = None
    base: Optional[Decimal] = None
    tax: Optional[Decimal] = None
    category: Optional[str] = None
    source_row: int = 0
    bbox: Optional[BBox] = None
    confidence: float = 1.0
    cells: dict[str, str] = field(default_factory=dict)


@dataclass
class Table:
    """A parsed list. ``header_map`` maps canonical keys (``number``, ``date``, ``amount``,
    ``amount_ex_tax``, ``paid``, ``payer``, ``payee`` ...) to column indexes (sheet columns, or
    indexes into ``headers`` for lines). ``unit`` is the table-wide unit note (``"万元"``/``"元"``
    or ``None``); ``column_units`` per-column units from header suffixes; ``ex_tax_keys`` the
    amount keys whose header says 扣税后/不含税. ``header_row`` is ``None`` when no header was
    found (then there are no rows)."""

    header_map: dict[str, int] = field(default_factory=dict)
    unit: Optional[str] = None
    rows: list[InvoiceRow] = field(default_factory=list)
    totals: list[TotalRow] = field(default_factory=list)
    title: Optional[str] = None
    headers: list[str] = field(default_factory=list)
    header_row: Optional[int] = None
    column_units: dict[str, str] = field(default_factory=dict)
    ex_tax_keys: set[str] = field(default_factory=set)
    company: Optional[str] = None  # 企业名称 / 申请单位名称 printed above the table
    notes: list[str] = field(default_factory=list)
    skipped: int = 0  # placeholder / template rows skipped

    @property
    def found(self) -> bool:
        return self.header_row is not None


# --- header matching --------------------------------------------------------------------------

def _norm_header(text: str) -> tuple[str, str]:
    """(base, bracketed) of a header: NFKC, whitespace removed, bracketed parts split off."""
    t = re.sub(r"\s+", "", nfkc(text))
    brackets = "".join(re.findall(r"\(([^()]*)\)?", t))
    base = re.sub(r"\([^()]*\)?", "", t).strip(":：*")
    return base, brackets


def header_key(text: Any) -> Optional[str]:
    """The canonical column key of a header cell text, or ``None``."""
    base, brackets = _norm_header(as_text(text))
    if not base or len(base) > 40:
        return None
    key = _EXACT.get(base)
    if key is None:
        for needle, k in _CONTAINS:
            if needle in base:
                key = k
                break
    if key == "contract":
        key = "contract_date" if "日期" in base or "时间" in base else "contract_no"
    if key is None:
        return None
    if key == "amount" and re.search(r"扣税后|不含税", brackets):
        key = "amount_ex_tax"
    return key


def _header_unit(text: str) -> Optional[str]:
    _, brackets = _norm_header(text)
    m = re.search(r"(万元|亿元|元)", brackets)
    return m.group(1) if m else None


def _map_headers(texts: Sequence[str]) -> tuple[dict[str, int], dict[str, str], set[str]]:
    """(header_map, column_units, ex_tax_keys) for a list of header cell texts."""
    hmap: dict[str, int] = {}
    units: dict[str, str] = {}
    ex_tax: set[str] = set()
    for j, t in enumerate(texts):
        k = header_key(t)
        if k is None or k in hmap:
            continue
        hmap[k] = j
        u = _header_unit(t)
        if u:
            units[k] = u
        if k in _AMOUNT_KEYS and re.search(r"扣税后|不含税", nfkc(t)):
            ex_tax.add(k)
    return hmap, units, ex_tax


def _header_score(hmap: dict[str, int]) -> int:
    if len(hmap) < 2 or not (set(hmap) & _ANCHOR_KEYS):
        return 0
    return len(hmap)


# --- cell parsing -----------------------------------------------------------------------------

def _clean(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", as_text(value)).strip()


def _is_placeholder(text: str) -> bool:
    return bool(text) and bool(_PLACEHOLDER.match(text))


def _parse_int(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    m = re.fullmatch(r"\s*(\d{1,6})(?:\.0+)?\s*[.、]?\s*", nfkc(as_text(value)))
    return int(m.group(1)) if m else None


def _parse_cell_date(value: Any) -> Optional[_dt.date]:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return parse_date(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # Excel serial day number
            try:
                return _dt.date(1899, 12, 30) + _dt.timedelta(days=int(value))
            except (OverflowError, ValueError):
                return None
        value = str(int(value)) if float(value).is_integer() else str(value)
    text = as_text(value).strip()
    d = parse_date(text)
    if d is None and re.fullmatch(r"\d{8}", re.sub(r"\s", "", text)):
        d = parse_date(re.sub(r"\s", "", text))
    return d


def _parse_code(value: Any) -> Optional[str]:
    """Invoice / contract numbers as text: floats from spreadsheets lose their ``.0``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    t = nfkc(as_text(value)).strip()
    t = re.sub(r"^(?:No|NO|№)\.?\s*[:：]?\s*", "", t)
    t = re.sub(r"\s+", "", t) if re.fullmatch(r"[\dA-Za-z\s\-]+", t) else t
    return t or None


def _build(cells: dict[str, Any], unit: Optional[str], col_units: dict[str, str],
           category: Optional[str]) -> tuple[dict[str, Any], list[str], dict[str, str]]:
    """Parse the mapped cells: (values, unparsed keys, raw texts)."""
    values: dict[str, Any] = {}
    unparsed: list[str] = []
    raw: dict[str, str] = {}
    for key, value in cells.items():
        text = _clean(value)
        if not text or _is_placeholder(text):
            continue
        raw[key] = text
        if key in _AMOUNT_KEYS:
            v = amount_in_yuan(value if not isinstance(value, str) else text, col_units.get(key) or unit)
            if v is None:
                unparsed.append(key)
            values[key] = v
        elif key in _DATE_KEYS:
            d = _parse_cell_date(value if not isinstance(value, str) else text)
            if d is None:
                unparsed.append(key)
            values[key] = d
        elif key == "index":
            values[key] = _parse_int(value)
        elif key == "quantity":
            q = parse_amount(text.rstrip("台套个件项"))
            if q is None:
                unparsed.append(key)
            values[key] = q
        elif key in ("number", "invoice_code", "contract_no"):
            values[key] = _parse_code(value)
        else:
            values[key] = text
    if category and "category" not in values:
        values["category"] = category
    return values, unparsed, raw


def _row_kind(texts: list[str]) -> str:
    """'empty' | 'placeholder' | 'total' | 'note' for a row's non-empty cell texts, else 'data'."""
    texts = [t for t in texts if t]
    if not texts:
        return "empty"
    if all(_is_placeholder(t) for t in texts):
        return "placeholder"
    compact = [re.sub(r"\s+", "", nfkc(t)) for t in texts]
    if any(_TOTAL.match(c) or _GROUP_TOTAL.match(c) for c in compact):
        return "total"
    if _NOTE.match(compact[0]):
        return "note"
    if _PAGE_FOOTER.fullmatch("".join(compact)):
        return "empty"  # “第 1 页 共 1 页” under the table: no row, and its digits no amount
    return "data"


_PAGE_FOOTER = re.compile(r"(第\d+页)?[,，/]?(共\d+页)?(第\d+页)?|[-—]\d+[-—]")


def _total_label(texts: list[str]) -> str:
    for t in texts:
        c = re.sub(r"\s+", "", nfkc(t))
        m = _TOTAL.match(c) or _GROUP_TOTAL.match(c)
        if m:
            return m.group(1)
    return "合计"


class _Assembler:
    """Shared row classification for sheets and lines."""

    def __init__(self, table: Table):
        self.t = table
        self.category: Optional[str] = None

    def add(self, cells: dict[str, Any], texts: list[str], source_row: int,
            bbox: Optional[BBox] = None, confidence: float = 1.0) -> None:
        kind = _row_kind(texts)
        if kind == "empty":
            return
        if kind == "placeholder":
            self.t.skipped += 1
            return
        if kind == "note":
            self.t.notes.append(" ".join(t for t in texts if t))
            return
        cat_text = _clean(cells.get("category"))
        if cat_text and not _TOTAL.match(re.sub(r"\s+", "", nfkc(cat_text))) and not _is_placeholder(cat_text):
            self.category = cat_text
        values, unparsed, raw = _build(cells, self.t.unit, self.t.column_units, self.category)
        if kind == "total":
            label = _total_label(texts)
            self.t.totals.append(TotalRow(
                label=label, amount=values.get("amount"), amount_ex_tax=values.get("amount_ex_tax"),
                paid=values.get("paid"), base=values.get("base"), tax=values.get("tax"),
                category=self.category if label == "小计" else None, source_row=source_row,
                bbox=bbox, confidence=confidence, cells=raw))
            return
        content_keys = set(raw) - {"index", "category"}
        if not content_keys:
            if set(raw) <= {"index"}:
                self.t.skipped += 1  # a template row with only its 序号
            return
        first = next((t for t in texts if t), None)
        row = InvoiceRow(row_label=first, source_row=source_row, bbox=bbox, confidence=confidence,
                         cells=raw, unparsed=unparsed)
        for k, v in values.items():
            if hasattr(row, k) and k not in ("cells", "unparsed"):
                setattr(row, k, v)
        self.t.rows.append(row)


def _unit_in(texts: Sequence[str]) -> Optional[str]:
    for t in texts:
        m = _UNIT_NOTE.search(nfkc(t))
        if m:
            return m.group(1)
    return None


def _title_in(texts: Sequence[str]) -> Optional[str]:
    for t in texts:
        c = re.sub(r"\s+", "", nfkc(t))
        if re.search(r"(清单|明细|汇总表|一览表|表)$", c) and ":" not in c and len(c) <= 40:
            return c
    return None


def _company_in(texts: Sequence[str]) -> Optional[str]:
    from .names import normalize_company_name

    lm = labelled_value("\n".join(texts), ["企业名称", "申请单位名称", "申报单位名称", "单位名称",
                                           "申请单位", "申报单位"])
    if lm and lm.value:
        v = re.split(r"\s{2,}|单位\s*[:：]", lm.value)[0]
        name = normalize_company_name(v)
        return name or None
    return None


# --- spreadsheets -----------------------------------------------------------------------------

def rows_from_sheet(rows: Any, *, max_header_search: int = 40) -> Table:
    """Parse spreadsheet rows (a list of lists of cell values, or a ``Sheet``) into a
    :class:`Table`. Returns an empty table (``found`` False) when no header row is recognised."""
    rows = getattr(rows, "rows", rows)
    table = Table()
    if not isinstance(rows, (list, tuple)):
        return table
    grid: list[list[Any]] = [list(r) if isinstance(r, (list, tuple)) else [r] for r in rows]
    best, best_score = None, 0
    for i, r in enumerate(grid[:max_header_search]):
        hmap, _, _ = _map_headers([_clean(c) for c in r])
        score = _header_score(hmap)
        if score > best_score:
            best, best_score = i, score
        if score >= 4:
            break
    if best is None:
        return table
    header_texts = [_clean(c) for c in grid[best]]
    hmap, units, ex_tax = _map_headers(header_texts)
    start = best + 1
    # a second header row (sub-columns such as 含税金额 / 不含税金额)
    if start < len(grid):
        sub_texts = [_clean(c) for c in grid[start]]
        sub_map, sub_units, sub_ex = _map_headers(sub_texts)
        if sub_map and not any(find_amounts(t) or find_dates(t) for t in sub_texts):
            for k, j in sub_map.items():
                for old_k, old_j in list(hmap.items()):
                    if old_j == j and old_k != k:
                        del hmap[old_k]
                hmap[k] = j
                if j < len(header_texts):
                    header_texts[j] = (header_texts[j] + " " + sub_texts[j]).strip()
            units.update(sub_units)
            ex_tax |= sub_ex
            start += 1
    above = [_clean(c) for r in grid[:best] for c in r if _clean(c)]
    table.header_map, table.column_units, table.ex_tax_keys = hmap, units, ex_tax
    table.headers, table.header_row = header_texts, best
    table.unit = _unit_in(above) or _unit_in(header_texts)
    table.title = _title_in(above)
    table.company = _company_in(above)
    asm = _Assembler(table)
    for i in range(start, len(grid)):
        r = grid[i]
        cells = {k: (r[j] if j < len(r) else None) for k, j in hmap.items()}
        asm.add(cells, [_clean(c) for c in r], i)
    return table


# --- positioned lines -------------------------------------------------------------------------

def _valid_bbox(b: Any) -> bool:
    try:
        return len(b) == 4 and all(isinstance(v, (int, float)) for v in b) and b[2] >= b[0] and b[3] >= b[1]
    except TypeError:
        return False


def _cy(b: BBox) -> float:
    return (b[1] + b[3]) / 2


def _cluster_rows(lines: list[Any]) -> list[list[Any]]:
    """Group lines into rows by vertical centre (within half a median line height)."""
    if not lines:
        return []
    heights = [max(l.bbox[3] - l.bbox[1], 1e-6) for l in lines]
    tol = 0.5 * median(heights)
    out: list[list[Any]] = []
    centre = None
    for line in sorted(lines, key=lambda l: (_cy(l.bbox), l.bbox[0])):
        c = _cy(line.bbox)
        if out and centre is not None and abs(c - centre) <= tol:
            out[-1].append(line)
            centre = sum(_cy(l.bbox) for l in out[-1]) / len(out[-1])
        else:
            out.append([line])
            centre = c
    for r in out:
        r.sort(key=lambda l: l.bbox[0])
    return out


def _split_line(line: Any) -> list[tuple[str, BBox]]:
    """A header line holding several column names separated by 2+ spaces, split with boxes
    apportioned by character count."""
    text = as_text(line.text)
    parts = [p for p in re.split(r"\s{2,}|\t", text.strip()) if p]
    if len(parts) < 2 or sum(1 for p in parts if header_key(p)) < 2:
        # one space between column names (“类别 序号”): split only when every word is a column name
        words = text.split()
        if len(words) >= 2 and all(header_key(w) for w in words):
            parts = words
        else:
            return [(text, line.bbox)]
    x0, y0, x1, y1 = line.bbox
    total = max(len(text.strip()), 1)
    out, pos = [], 0
    stripped = text.strip()
    for p in parts:
        i = stripped.find(p, pos)
        a = x0 + (x1 - x0) * i / total
        b = x0 + (x1 - x0) * (i + len(p)) / total
        out.append((p, (a, y0, b, y1)))
        pos = i + len(p)
    return out


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _split_across_columns(line: Any, cols: list[tuple[str, BBox]]) -> list[Any]:
    """A data line that runs over two cells (a text layer joins “24414684982626397037” and the payer
    “河南华鼎铝业股份有限公司” beside it into one run), cut at its spaces where the pieces fall under
    different columns. Boxes are apportioned by display width (a Chinese character is two digits
    wide); pieces of one column are joined again."""
    text = as_text(line.text).strip()
    words = [m for m in re.finditer(r"\S+", text)]
    if len(words) < 2 or len(cols) < 2:
        return [line]
    x0, y0, x1, y1 = line.bbox
    total = max(_display_width(text), 1)
    parts: list[tuple[int, str, BBox]] = []
    for m in words:
        a = x0 + (x1 - x0) * _display_width(text[:m.start()]) / total
        b = x0 + (x1 - x0) * _display_width(text[:m.end()]) / total
        box = (a, y0, b, y1)
        j = _assign(box, cols)
        if parts and parts[-1][0] == j:
            pj, ptext, pbox = parts[-1]
            parts[-1] = (j, f"{ptext} {m.group(0)}", (pbox[0], y0, b, y1))
        else:
            parts.append((j, m.group(0), box))
    if len(parts) < 2:
        return [line]
    conf = getattr(line, "confidence", 1.0)
    return [type(line)(t, box, conf) if hasattr(line, "confidence") else type(line)(t, box) for _, t, box in parts]


def _columns_from(lines: list[Any]) -> list[tuple[str, BBox]]:
    """Header columns from header-band lines: pieces whose x-ranges overlap are one column
    (text joined top to bottom)."""
    pieces: list[tuple[str, BBox]] = []
    for line in lines:
        pieces.extend(_split_line(line))
    pieces.sort(key=lambda p: p[1][0])
    groups: list[list[tuple[str, BBox]]] = []
    for p in pieces:
        if groups:
            g = groups[-1]
            gx0, gx1 = min(q[1][0] for q in g), max(q[1][2] for q in g)
            ov = min(gx1, p[1][2]) - max(gx0, p[1][0])
            if ov > 0.3 * min(gx1 - gx0, p[1][2] - p[1][0]) and ov > 0:
                g.append(p)
                continue
        groups.append([p])
    cols = []
    for g in groups:
        g.sort(key=lambda q: q[1][1])
        text = "".join(q[0] for q in g)
        box = (min(q[1][0] for q in g), min(q[1][1] for q in g), max(q[1][2] for q in g),
               max(q[1][3] for q in g))
        cols.append((text, box))
    return cols


def _is_header_like(row: list[Any]) -> bool:
    texts = [as_text(l.text) for l in row]
    return not any(find_amounts(t) or find_dates(t) for t in texts) and not any(
        _TOTAL.match(re.sub(r"\s+", "", nfkc(t))) for t in texts)


def _assign(box: BBox, cols: list[tuple[str, BBox]]) -> int:
    """Index of the column a cell belongs to: largest x-overlap, else nearest x-centre."""
    best, best_ov = -1, 0.0
    for j, (_, cb) in enumerate(cols):
        ov = min(box[2], cb[2]) - max(box[0], cb[0])
        if ov > best_ov:
            best, best_ov = j, ov
    if best >= 0:
        return best
    xc = (box[0] + box[2]) / 2
    return min(range(len(cols)), key=lambda j: abs((cols[j][1][0] + cols[j][1][2]) / 2 - xc))


MAX_SKEW = 0.08  # steepest row slope looked for (page-height fractions per page width: ~3° on A4)
SKEW_STEP = 0.0025


class _Deskewed:
    """A line seen with its box sheared level (``bbox``), keeping the box it has on the page."""

    __slots__ = ("text", "bbox", "confidence", "page_bbox")

    def __init__(self, text: str, bbox: BBox, confidence: float = 1.0, page_bbox: Optional[BBox] = None):
        self.text, self.bbox, self.confidence = text, bbox, confidence
        self.page_bbox = page_bbox or bbox  # pieces split off a line keep the sheared box

    @classmethod
    def of(cls, line: Any, slope: float) -> "_Deskewed":
        x0, y0, x1, y1 = line.bbox
        dy = slope * (x0 + x1) / 2
        return cls(line.text, (x0, y0 - dy, x1, y1 - dy), getattr(line, "confidence", 1.0), line.bbox)


def _row_slope(lines: list[Any]) -> float:
    """The slope of the rows of a photographed or skewed sheet (y per x, page fractions), 0 for
    a level page. Rows are where line centres line up: the slope that puts the most pairs of
    lines within a quarter line height of each other, if it beats level clearly."""
    if len(lines) < 8:
        return 0.0
    cx = np.array([(l.bbox[0] + l.bbox[2]) / 2 for l in lines])
    cy = np.array([_cy(l.bbox) for l in lines])
    tol = 0.25 * float(np.median([max(l.bbox[3] - l.bbox[1], 1e-6) for l in lines]))

    def aligned(slope: float) -> int:
        y = np.sort(cy - slope * cx)
        # pairs within tol: for each line, how many later lines lie within tol of it
        return int((np.searchsorted(y, y + tol, side="right") - np.arange(len(y)) - 1).sum())

    level = aligned(0.0)
    slopes = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, SKEW_STEP)
    scores = [aligned(float(s)) for s in slopes]
    k = int(np.argmax(scores))
    # a level page scores best at 0; a skewed one's rows line up only at their slope
    return float(slopes[k]) if scores[k] >= 1.25 * level + 3 else 0.0


def rows_from_lines(lines: Sequence[Any], *, max_header_search: int = 40) -> Table:
    """Parse positioned lines (``Line`` objects with ``text``, ``bbox``, ``confidence``) of one
    page into a :class:`Table`. Row ``bbox`` is the union of its lines and ``confidence`` the
    lowest line confidence. Returns an empty table when no header is recognised.

    A photographed or skewed sheet's rows slope: the lines are grouped into rows along that
    slope (see :func:`_row_slope`), and rows keep the boxes their lines have on the page."""
    table = Table()
    if not isinstance(lines, (list, tuple)):
        return table
    good = [l for l in lines if _valid_bbox(getattr(l, "bbox", None)) and as_text(getattr(l, "text", "")).strip()]
    slope = _row_slope(good)
    if slope:
        good = [_Deskewed.of(l, slope) for l in good]
    clusters = _cluster_rows(good)
    if not clusters:
        return table
    med_h = median(max(l.bbox[3] - l.bbox[1], 1e-6) for l in good)

    def gap(a: list[Any], b: list[Any]) -> float:
        return min(l.bbox[1] for l in b) - max(l.bbox[3] for l in a)

    # the header band: a row and the header-like rows just above and below it (a header in two
    # lines). Each band is scored with and without its neighbours: a neighbour that adds nothing
    # (the company line above the header, spanning its columns) is left out. On a tie a band of
    # header-like rows only wins (the first data row under a header maps the header's own words
    # again and must not take its place), then the larger band (a header's second line), then
    # the first.
    best = None
    best_key = (0, False, 0)
    for i in range(min(len(clusters), max_header_search)):
        above = (i > 0 and _is_header_like(clusters[i - 1]) and gap(clusters[i - 1], clusters[i]) < 1.0 * med_h)
        below = (i + 1 < len(clusters) and _is_header_like(clusters[i + 1])
                 and gap(clusters[i], clusters[i + 1]) < 1.0 * med_h)
        for up in ((False, True) if above else (False,)):
            for down in ((False, True) if below else (False,)):
                band = ([i - 1] if up else []) + [i] + ([i + 1] if down else [])
                cols = _columns_from([l for k in band for l in clusters[k]])
                hmap, _, _ = _map_headers([c[0] for c in cols])
                key = (_header_score(hmap), all(_is_header_like(clusters[k]) for k in band), len(band))
                if key[0] > 0 and key > best_key:
                    best, best_key = (i, band, cols), key
    if best is None:
        return table
    i, band, cols = best
    # a band neighbour that maps nothing on its own and was not needed: keep it anyway; data
    # starts after the band
    hmap, units, ex_tax = _map_headers([c[0] for c in cols])
    table.header_map, table.column_units, table.ex_tax_keys = hmap, units, ex_tax
    table.headers = [c[0] for c in cols]
    table.header_row = i
    above = [as_text(l.text) for k in range(band[0]) for l in clusters[k]]
    table.unit = _unit_in(above) or _unit_in(table.headers)
    table.title = _title_in(above)
    table.company = _company_in(above)

    # build rows of (column index -> pieces), then merge wrapped-text continuation rows
    built: list[dict[str, Any]] = []
    for k in range(band[-1] + 1, len(clusters)):
        pieces: dict[int, list[Any]] = {}
        for line in clusters[k]:
            for part in _split_across_columns(line, cols):
                pieces.setdefault(_assign(part.bbox, cols), []).append(part)
        built.append({"k": k, "pieces": pieces, "lines": list(clusters[k])})
    key_of = {j: key for key, j in hmap.items()}
    anchor = {"index", "number", "date", "amount", "amount_ex_tax", "paid", "base", "tax",
              "quantity", "paid_date", "contract_date"}

    def is_continuation(r: dict[str, Any]) -> bool:
        keys = {key_of.get(j) for j in r["pieces"]}
        texts = [as_text(l.text) for l in r["lines"]]
        if _row_kind(texts) != "data" or None in keys or keys & anchor or not keys <= set(_TEXT_KEYS):
            return False
        return not any(find_amounts(t) or find_dates(t) for t in texts)

    merged: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []  # continuation rows above the next real row
    for r in built:
        if is_continuation(r):
            top = min(l.bbox[1] for l in r["lines"])
            if merged and top - max(l.bbox[3] for l in merged[-1]["lines"]) < 0.8 * med_h and not pending:
                prev = merged[-1]
                below = [x for x in built if x["k"] > r["k"] and not is_continuation(x)]
                nxt_gap = (min(l.bbox[1] for l in below[0]["lines"]) - max(l.bbox[3] for l in r["lines"])
                           if below else float("inf"))
                prev_gap = top - max(l.bbox[3] for l in prev["lines"])
                if prev_gap <= nxt_gap:
                    for j, ls in r["pieces"].items():
                        prev["pieces"].setdefault(j, []).extend(ls)
                    prev["lines"].extend(r["lines"])
                    continue
            pending.append(r)
            continue
        for p in pending:
            for j, ls in p["pieces"].items():
                r["pieces"].setdefault(j, []).extend(ls)
            r["lines"].extend(p["lines"])
        pending = []
        merged.append(r)
    asm = _Assembler(table)
    for r in merged + pending:
        cell_text = {j: " ".join(as_text(l.text).strip() for l in
                                 sorted(ls, key=lambda l: (round(_cy(l.bbox) / max(med_h, 1e-6)), l.bbox[0])))
                     for j, ls in r["pieces"].items()}
        cells = {key: cell_text.get(j) for key, j in hmap.items()}
        texts = [cell_text[j] for j in sorted(cell_text)]
        ls = [getattr(l, "page_bbox", l.bbox) for l in r["lines"]]
        bbox = (min(b[0] for b in ls), min(b[1] for b in ls), max(b[2] for b in ls), max(b[3] for b in ls))
        conf = min(float(getattr(l, "confidence", 1.0) or 0.0) for l in r["lines"])
        asm.add(cells, texts, r["k"], bbox, conf)
    return table
