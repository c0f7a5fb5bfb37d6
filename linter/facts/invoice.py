"""What an invoice (发票) says: its code and number, date, amounts, seller and buyer.

Two sources are read and compared:

* the page text, in whatever order the text layer or OCR put it. Real invoices print labels and
  values as separate pieces (“开票日期:” then “2019 09 19” then “年 月 日”), labels glued to values
  (“发票号码:12345678”), 购买方 / 销售方 as single characters down the block's left edge
  (“购” “买” “方”), and the 价税合计 as “(小写)¥1,234.50”. The pieces are regrouped by position into
  rows and cells (:func:`shenbao.facts.labels.page_cells`), and a value is read from its label's
  cell, the next cell on its row, or the cell under it.
* the QR code (``page.codes``): ``01,10,发票代码,发票号码,金额,开票日期,校验码,…`` on VAT invoices,
  where the amount is the 不含税 合计金额; ``01,32,,20位号码,价税合计,日期,,…`` on 数电票 (全电发票),
  whose number has 20 digits and no code; ``CZ-EI-…,版本,票据代码,票据号码,校验码,日期,金额`` on
  财政电子票据 (non-tax receipts).

A QR payload that decodes is exact. When it disagrees with the printed text, the fact carries the
QR value, both readings in its ``text`` (“发票号码 12345678（二维码：12345679）”) and a confidence of
at most 0.5, so checks treat it as uncertain. A value read from the text alone keeps the reading's
confidence (1.0 on a text layer).

Fact kinds: ``invoice_code``, ``invoice_number``, ``invoice_date`` (``date``), ``invoice_total``
(价税合计, ``Decimal``), ``invoice_amount_ex_tax`` (合计金额), ``invoice_tax`` (合计税额),
``seller_name``, ``seller_tax_id``, ``buyer_name``, ``buyer_tax_id``.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Iterable, Optional

from ..model import SOURCE_OCR, Code, Document, Fact, Line, Page
from ._text import nfkc
from .amounts import find_amounts
from .dates import _make_date, find_dates
from .labels import Cell, page_cells

__all__ = ["invoice_facts", "parse_invoice_qr", "read_date", "QR_TYPES"]

# -- QR payloads ---------------------------------------------------------------------------------

# 发票种类代码 (the second field of a VAT invoice's QR payload)
QR_TYPES = {
    "01": "增值税专用发票", "02": "货物运输业增值税专用发票", "03": "机动车销售统一发票",
    "04": "增值税普通发票", "08": "增值税电子专用发票", "10": "增值税电子普通发票",
    "11": "增值税普通发票（卷式）", "14": "增值税电子普通发票（通行费）", "15": "二手车销售统一发票",
    "31": "电子发票（增值税专用发票）", "32": "电子发票（普通发票）", "33": "电子发票（增值税专用发票）",
    "51": "电子发票（铁路电子客票）", "61": "电子发票（航空运输电子客票行程单）",
}
# 数电票 (全电发票): the QR amount is the 价税合计 (what the 查验 platform asks for them); on the older
# VAT invoices it is the 不含税 amount.
_DIGITAL_TYPES = {"31", "32", "33", "51", "61", "81", "82", "83", "84", "85", "86", "87", "88"}
_AMOUNT_RE = re.compile(r"-?\d+(?:\.\d{1,2})?")


def _qr_date(s: str) -> Optional[_dt.date]:
    s = (s or "").strip().replace("-", "")
    if not re.fullmatch(r"\d{8}", s):
        return None
    return _make_date(int(s[:4]), int(s[4:6]), int(s[6:]))


def _qr_amount(s: str) -> Optional[Decimal]:
    s = (s or "").strip()
    if not _AMOUNT_RE.fullmatch(s):
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def parse_invoice_qr(payload: str) -> Optional[dict]:
    """The fields of an invoice's QR payload, or ``None`` if it is not one.

    Returns a dict with ``type`` (种类代码, ``""`` if none), ``type_name``, ``code`` (发票代码 /
    票据代码, ``""`` on 数电票), ``number``, ``amount`` (``Decimal``), ``amount_is``
    (``"ex_tax"`` or ``"total"``), ``date`` (``datetime.date``), ``check_code`` (``""`` if none),
    ``digital`` (a 数电票) and ``fiscal`` (a 财政电子票据)."""
    if not isinstance(payload, str):
        return None
    text = payload.strip().strip("\ufeff")
    if not text or len(text) > 2000:
        return None
    parts = [p.strip() for p in re.split(r"[,，]", text)]
    if parts and parts[0].upper().startswith("CZ-EI") and len(parts) >= 7:
        # 财政电子票据: CZ-EI-00,版本,票据代码,票据号码,校验码,开票日期,金额
        date, amount = _qr_date(parts[5]), _qr_amount(parts[6])
        if not (re.fullmatch(r"\d{6,12}", parts[2]) and re.fullmatch(r"\d{6,20}", parts[3]) and date):
            return None
        return {"type": "", "type_name": "财政电子票据", "code": parts[2], "number": parts[3], "amount": amount,
                "amount_is": "total", "date": date, "check_code": parts[4], "digital": False, "fiscal": True}
    if len(parts) < 6 or not re.fullmatch(r"\d{2}", parts[0]) or not re.fullmatch(r"\d{2}", parts[1]):
        return None
    typ, code, number = parts[1], parts[2], parts[3]
    amount, date = _qr_amount(parts[4]), _qr_date(parts[5])
    if date is None or not re.fullmatch(r"\d{8,20}", number) or (code and not re.fullmatch(r"\d{10,12}", code)):
        return None
    digital = typ in _DIGITAL_TYPES or (not code and len(number) == 20)
    check = parts[6] if len(parts) > 6 and re.fullmatch(r"[0-9A-Za-z]{4,30}", parts[6]) else ""
    return {"type": typ, "type_name": QR_TYPES.get(typ, f"发票种类 {typ}"), "code": code, "number": number,
            "amount": amount, "amount_is": "total" if digital else "ex_tax", "date": date, "check_code": check,
            "digital": digital, "fiscal": False}


# -- dates ---------------------------------------------------------------------------------------

_SPLIT_DATE = re.compile(r"(?<!\d)(\d{4})[\s年/.\-]{1,4}(\d{1,2})[\s月/.\-]{1,4}(\d{1,2})(?!\d)")
_COMPACT_DATE = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")


def read_date(text: str) -> Optional[tuple[_dt.date, str]]:
    """The date in a labelled value, as ``(date, text)``: any shape :func:`find_dates` reads, and
    the ones text layers make of a printed date template: the digits and the template apart
    (“2019 09 19 年 月 日”, “年 月 日 2019 09 19”), or compact “20190919”."""
    if not isinstance(text, str) or not text.strip():
        return None
    found = find_dates(text)
    if found:
        return found[0].date, found[0].text
    n = nfkc(text)
    for rx in (_SPLIT_DATE, _COMPACT_DATE):
        for m in rx.finditer(n):
            d = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if d is not None:
                return d, m.group(0).strip()
    return None


# -- labels --------------------------------------------------------------------------------------

_FIELDS: list[tuple[str, list[str]]] = [
    ("code", ["发票代码", "票据代码"]),
    ("number", ["发票号码", "票据号码"]),
    ("date", ["开票日期", "填开日期", "开具日期"]),
    ("check", ["校验码"]),
    ("machine", ["机器编号"]),
    ("big", ["价税合计(大写)", "金额合计(大写)", "合计(大写)", "(大写)"]),
    ("small", ["(小写)", "小写"]),
    ("jshj", ["价税合计"]),
    ("sum", ["合计"]),
    ("buyer_name", ["购买方名称", "购方名称", "购货单位名称", "购货单位", "交款人名称", "交款人", "交款单位",
                    "付款方名称"]),
    ("seller_name", ["销售方名称", "销方名称", "销货单位名称", "销货单位", "收款单位(章)", "收款单位(盖章)",
                     "收款单位"]),
    ("buyer_tax", ["购买方纳税人识别号", "购买方统一社会信用代码/纳税人识别号", "购方税号", "购方纳税人识别号",
                   "交款人统一社会信用代码", "交款人纳税人识别号"]),
    ("seller_tax", ["销售方纳税人识别号", "销售方统一社会信用代码/纳税人识别号", "销方税号", "销方纳税人识别号"]),
    ("name", ["名称"]),
    ("tax", ["统一社会信用代码/纳税人识别号", "统一社会信用代码", "纳税人识别号", "纳税人识别码", "识别号"]),
    ("stop", ["地址、电话", "地址电话", "地址", "开户行及账号", "开户行", "密码区", "备注", "收款人", "复核人", "复核",
              "开票人", "销售方(章)", "销售方", "购买方", "货物或应税劳务、服务名称", "货物或应税劳务名称", "项目名称",
              "规格型号", "订单号", "购买方信息", "销售方信息", "税率", "税额", "金额", "单价", "数量", "单位"]),
]

def label_regex(labels, spread: int = 3) -> "re.Pattern[str]":
    """One regex for ``labels`` (longest first), tolerating up to ``spread`` spaces between a
    label's characters, brackets of either width, and a colon after it."""
    def pat(label: str) -> str:
        parts = []
        for c in nfkc(label):
            if c.isspace():
                continue
            parts.append({"(": r"[(（]", ")": r"[)）]", "/": r"[/／]", "、": r"[、,，]"}.get(c, re.escape(c)))
        return rf"[ \t\u3000]{{0,{spread}}}".join(parts)
    return re.compile("(?P<label>" + "|".join(f"(?:{pat(l)})" for l in sorted(labels, key=len, reverse=True)) + ")"
                      r"[ \t\u3000]*[:：]?[ \t\u3000]*")


class LabelSet:
    """Labels grouped by the field they name, and how to find them in a cell's text."""

    def __init__(self, fields: list[tuple[str, list[str]]], weak: Iterable[str] = (), spread: int = 3):
        self.field: dict[str, str] = {}
        for f, labels in fields:
            for l in labels:
                self.field.setdefault(nfkc(l), f)
        self.labels = list(self.field)
        self.rx = label_regex(self.labels, spread)
        self.weak = {nfkc(w) for w in weak}
        self._squashed = sorted(self.labels, key=len, reverse=True)

    def which(self, found: str) -> str:
        squashed = re.sub(r"\s+", "", nfkc(found)).rstrip(":：").replace("（", "(").replace("）", ")")
        for lbl in self._squashed:
            if squashed == lbl.replace("（", "(").replace("）", ")"):
                return lbl
        return squashed

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Labels in a cell's text: ``(start, value_start, label)``. A label directly after a
        Chinese character is part of a longer word (“项目名称”), not a label."""
        out = []
        norm = nfkc(text)
        for m in self.rx.finditer(norm):
            if m.start() > 0 and _CJK.match(norm[m.start() - 1]) and _CJK.match(norm[m.start()]):
                continue
            label = self.which(m.group("label"))
            if label in self.weak and norm[:m.start()].strip():
                after = norm[m.end("label"):m.end("label") + 1]
                if after and _CJK.match(after) and not norm[m.end("label"):m.end()].strip():
                    continue  # “金额合计”, “地址在…”: part of a word
            out.append((m.start(), m.end(), label))
        return out


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# stop labels that end a value only when standing alone (“金额” inside “金额合计” or a name is no label)
_WEAK_STOPS = {"地址", "开户行", "备注", "金额", "单价", "数量", "单位", "税率", "税额", "复核", "销售方", "购买方"}
INVOICE_LABELS = LabelSet(_FIELDS, _WEAK_STOPS)
_ALL_LABELS = INVOICE_LABELS.labels
_LABEL_FIELD = INVOICE_LABELS.field


class _Hit:
    """A label in a cell and the value read for it."""

    def __init__(self, field: str, label: str, cell: Cell, value: str, vcells: list[Cell]):
        self.field, self.label, self.cell, self.value, self.vcells = field, label, cell, value, vcells

    @property
    def bbox(self):
        if len(self.vcells) == 1 and self.vcells[0] is self.cell and len(self.cell.pieces) > 1 and self.value:
            # the value shares its cell with its label: the pieces that hold it
            want = re.sub(r"\s+", "", self.value)
            held = [p.bbox for p in self.cell.pieces
                    if (t := re.sub(r"\s+", "", nfkc(p.text))) and (t in want or want in t)]
            if held:
                return (min(b[0] for b in held), min(b[1] for b in held), max(b[2] for b in held), max(b[3] for b in held))
        boxes = [c.bbox for c in self.vcells] or [self.cell.bbox]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))

    @property
    def confidence(self) -> float:
        return min([c.confidence for c in self.vcells] + [self.cell.confidence])


class Layout:
    """A page's cells, the labels in them, and how to find a label's value."""

    def __init__(self, page: Page, labelset: LabelSet = INVOICE_LABELS):
        self.ls = labelset
        lines = [l for l in page.lines if l.text and l.text.strip()]
        w, h = page.width or 1.0, page.height or 1.0
        if not lines:  # no geometry: one cell per text line
            rows = [r for r in (page.text or "").splitlines() if r.strip()]
            n = max(len(rows), 1)
            lines = [Line(r, (0.0, i / n, 1.0, (i + 0.8) / n), page.confidence) for i, r in enumerate(rows)]
            w = h = 1.0
        self.page, self.w, self.h = page, w, h
        self.pieces = lines
        self.cells = page_cells(lines, width=w, height=h, labels=labelset.labels)
        self.labels = {id(c): labelset.find(c.text) for c in self.cells}

    def starts_with_label(self, cell: Cell) -> bool:
        found = self.labels[id(cell)]
        return bool(found) and not nfkc(cell.text)[:found[0][0]].strip()

    def hits(self, fields: set[str], accept=None) -> list[_Hit]:
        """Every label of ``fields`` with its value: the rest of its cell up to the next label, else
        the next cell to its right on the row, else the cell under it (when ``accept`` rejects the
        shorter reading)."""
        accept = accept or (lambda v: bool(v.strip()))
        out = []
        for i, cell in enumerate(self.cells):
            found = self.labels[id(cell)]
            norm = nfkc(cell.text)
            for k, (start, vstart, label) in enumerate(found):
                field = self.ls.field.get(label)
                if field not in fields:
                    continue
                vend = found[k + 1][0] if k + 1 < len(found) else len(norm)
                value = norm[vstart:vend].strip()
                if accept(value):
                    out.append(_Hit(field, label, cell, value, [cell]))
                    continue
                if k + 1 < len(found) and value == "":
                    # “开票日期: 校验码: …” — the label's value is elsewhere
                    pass
                got = self._beside(i, cell, accept) if k + 1 == len(found) else None
                if got is None:
                    got = self._below(cell, accept)
                if got is not None:
                    out.append(_Hit(field, label, cell, got[0], [got[1]]))
        return out

    def _value_of(self, cell: Cell) -> str:
        """A value cell's text up to its first label."""
        found = self.labels[id(cell)]
        norm = nfkc(cell.text)
        return norm[:found[0][0]].strip() if found else norm.strip()

    def _beside(self, i: int, cell: Cell, accept) -> Optional[tuple[str, Cell]]:
        for nxt in self.cells[i + 1:]:
            if nxt.row != cell.row:
                break
            if self.starts_with_label(nxt):
                return None
            value = self._value_of(nxt)
            gap = (nxt.bbox[0] - cell.bbox[2]) * self.w
            height = (cell.bbox[3] - cell.bbox[1]) * self.h
            if gap > 25 * max(height, 1e-9):
                return None
            if accept(value):
                return value, nxt
            return None
        return None

    def _below(self, cell: Cell, accept) -> Optional[tuple[str, Cell]]:
        height = cell.bbox[3] - cell.bbox[1]
        best = None
        for other in self.cells:
            if other is cell or other.bbox[1] < cell.bbox[3] - 0.3 * height:
                continue
            if other.bbox[1] - cell.bbox[3] > 1.6 * height:
                continue
            overlap = min(other.bbox[2], cell.bbox[2] + 0.5 * (cell.bbox[2] - cell.bbox[0])) - max(other.bbox[0], cell.bbox[0])
            if overlap <= 0 or self.starts_with_label(other):
                continue
            value = self._value_of(other)
            if accept(value) and (best is None or other.bbox[1] < best[1].bbox[1]):
                best = (value, other)
        return best

    def row_cells(self, cell: Cell) -> list[Cell]:
        return [c for c in self.cells if c.row == cell.row]


# -- value shapes --------------------------------------------------------------------------------

_CODE = re.compile(r"(?<![0-9A-Za-z])(\d{12}|\d{10}|\d{8})(?![0-9A-Za-z])")
_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{20}|\d{8,10})(?![0-9A-Za-z])")
_TAX_ID = re.compile(r"(?<![0-9A-Z])([0-9A-Z]{15,20})(?![0-9A-Z])")
_NO_NUMBER = re.compile(r"(?<![A-Za-z])N[oO0º°]\s*[.:：]?\s*(\d{8})(?!\d)")
_GARBAGE = re.compile(r"[<>*+/]{1}.*[<>*+/]")
_RUN_ON = re.compile(r"\d[.．]\d{8,}")
_ODD_CENTS = re.compile(r"\d[.．]\d{3,7}(?![\d.．])")


def _digits(value: str) -> str:
    return re.sub(r"[\s\u3000]", "", value)


def _code_of(value: str) -> Optional[str]:
    m = _CODE.search(_digits(value))
    return m.group(1) if m else None


def _number_of(value: str) -> Optional[str]:
    v = re.sub(r"^N[oO0º°]\s*[.:：]?", "", _digits(value))
    m = _NUMBER.search(v)
    return m.group(1) if m else None


def _tax_id_of(value: str) -> Optional[str]:
    m = _TAX_ID.search(_digits(value).upper())
    return m.group(1) if m else None


def _money(value: str) -> Optional[tuple[Decimal, str]]:
    """The first amount written like money in ``value`` (a decimal point or a ¥), as
    ``(value, text)``; ``None`` if there is none."""
    for m in find_amounts(value or "", plain=True):
        if m.capital or "%" in value[m.end:m.end + 1]:
            continue
        if not (m.currency or re.search(r"\d[.．]\d", m.text)):
            continue
        v = m.value
        if _RUN_ON.search(m.text):
            v = v.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        return v, m.text
    return None


def _capital(value: str) -> Optional[tuple[Decimal, str]]:
    for m in find_amounts(value or ""):
        if m.capital:
            return m.value, m.text
    return None


def _name_of(value: str) -> Optional[str]:
    v = (value or "").strip().strip(":：").strip()
    v = re.split(r"\s{2,}|[ \u3000](?=密|码|区|备|注)", v)[0].strip() if v else v
    if not v or _GARBAGE.search(v) or len(v) > 60:
        return None
    if not (_CJK.search(v) or re.search(r"[A-Za-z]{2}", v)):
        return None
    if v in ("名称", "购买方", "销售方", "购买方信息", "销售方信息"):
        return None
    return v


# -- the reader ----------------------------------------------------------------------------------

def _fact(kind: str, value, text: str, doc: Document, page: Page, bbox, conf: float) -> Fact:
    return Fact(kind=kind, value=value, text=text, path=doc.path, page=page.number, bbox=bbox,
                confidence=round(float(min(conf, 1.0)), 3), source=page.source)


def _conf(page: Page, hit: Optional[_Hit]) -> float:
    if hit is None:
        return page.confidence
    return 1.0 if page.source != SOURCE_OCR else hit.confidence


def _first(hits: list[_Hit], parse) -> Optional[tuple[object, _Hit]]:
    for h in hits:
        v = parse(h.value)
        if v:
            return v, h
    return None


def _party_roles(lay: Layout, hits: list[_Hit]) -> dict[int, str]:
    """``buyer`` or ``seller`` for each generic 名称 / 纳税人识别号 label: by the nearest 购/买 or
    销/售 marker (printed down the block's edge, or 购买方信息 / 销售方信息), else by order: the
    upper (VAT invoice) or left (数电票) block is the buyer's."""
    markers = []
    for p in lay.pieces:
        t = re.sub(r"\s+", "", nfkc(p.text))
        head = nfkc(p.text).strip().split(" ")[0] if p.text.strip() else ""
        for cand in (t, head):
            if "章" in t:
                break
            if cand in ("购", "买", "购买方", "购买方信息", "购方", "购方信息", "买方", "购货单位"):
                markers.append(("buyer", p.bbox))
                break
            if cand in ("销", "售", "销售方", "销售方信息", "销方", "销方信息", "卖方", "销货单位"):
                markers.append(("seller", p.bbox))
                break
    roles: dict[int, str] = {}
    if markers and {r for r, _ in markers} == {"buyer", "seller"}:
        for h in hits:
            x, y = h.cell.bbox[0] * lay.w, (h.cell.bbox[1] + h.cell.bbox[3]) / 2 * lay.h
            best = min(markers, key=lambda m: math.hypot(((m[1][0] + m[1][2]) / 2) * lay.w - x,
                                                         ((m[1][1] + m[1][3]) / 2) * lay.h - y))
            roles[id(h)] = best[0]
    for field in ("name", "tax"):
        group = [h for h in hits if h.field == field]
        if len(group) >= 2 and len({roles.get(id(h)) for h in group}) < 2:
            a, b = group[0].cell.bbox, group[1].cell.bbox
            vertical = abs(a[1] - b[1]) * lay.h > abs(a[0] - b[0]) * lay.w
            first, second = sorted(group[:2], key=(lambda h: h.cell.bbox[1]) if vertical else (lambda h: h.cell.bbox[0]))
            roles[id(first)], roles[id(second)] = "buyer", "seller"
            for h in group[2:]:
                roles.setdefault(id(h), "seller")
        elif len(group) == 1 and id(group[0]) not in roles:
            roles[id(group[0])] = "seller" if group[0].cell.bbox[0] > 0.5 else "buyer"
    return roles


def _qr(page: Page) -> tuple[Optional[dict], Optional[Code]]:
    for code in page.codes or []:
        parsed = parse_invoice_qr(getattr(code, "text", ""))
        if parsed:
            return parsed, code
    return None, None


def invoice_facts(doc: Document, page: Page) -> list[Fact]:
    """The facts an invoice page states (see the module docstring). Never raises on odd input."""
    try:
        return _invoice_facts(doc, page)
    except Exception:  # pragma: no cover - a reader must not take the linter down
        return []


def _invoice_facts(doc: Document, page: Page) -> list[Fact]:
    lay = Layout(page)
    facts: list[Fact] = []
    qr, qcode = _qr(page)
    qconf = float(getattr(qcode, "confidence", 1.0) or 1.0) if qcode else 0.0

    def emit(kind, text_value, hit: Optional[_Hit], label: str, shown: str, qr_value=None, show=str,
             same=lambda a, b: a == b):
        if text_value is None and qr_value is None:
            return
        if text_value is not None and (qr_value is None or same(text_value, qr_value)):
            conf = _conf(page, hit)
            if qr_value is not None:
                conf = max(conf, min(qconf, 0.99) if page.source == SOURCE_OCR else conf)
            facts.append(_fact(kind, text_value, f"{label}：{shown}", doc, page, hit.bbox if hit else None, conf))
        elif text_value is None:
            facts.append(_fact(kind, qr_value, f"{label}：{show(qr_value)}（二维码）", doc, page,
                               qcode.bbox if qcode else None, qconf))
        else:  # the printed text and the QR code disagree: the QR value, flagged
            conf = min(0.5, _conf(page, hit), qconf or 0.5)
            facts.append(_fact(kind, qr_value, f"{label} {shown}（二维码：{show(qr_value)}）", doc, page,
                               hit.bbox if hit else None, conf))

    # code, number, date
    code = _first(lay.hits({"code"}, lambda v: _code_of(v) is not None), _code_of)
    number = _first(lay.hits({"number"}, lambda v: _number_of(v) is not None), _number_of)
    if number is None:
        m = _NO_NUMBER.search(nfkc(page.text or ""))
        if m:
            number = (m.group(1), None)
    date = _first(lay.hits({"date"}, lambda v: read_date(v) is not None), read_date)

    emit("invoice_code", code[0] if code else None, code[1] if code else None, "发票代码",
         code[0] if code else "", (qr or {}).get("code") or None)
    emit("invoice_number", number[0] if number else None, number[1] if number else None, "发票号码",
         number[0] if number else "", (qr or {}).get("number") or None)
    emit("invoice_date", date[0][0] if date else None, date[1] if date else None, "开票日期",
         date[0][1] if date else "", (qr or {}).get("date"), show=lambda d: d.isoformat())

    # amounts
    total, total_hit, total_text = _total(lay)
    ex, tax, sum_hit = _sums(lay, total)
    big = _first(lay.hits({"big"}, lambda v: _capital(v) is not None), _capital)
    total_conf_cap = 1.0
    if big is not None:
        cap_value = big[0][0]
        if total is None:
            total, total_hit, total_text = cap_value, big[1], big[0][1]
        elif cap_value != total:
            # 大写 and 小写 disagree: the one the 合计 row adds up to, flagged either way
            # (a 小写 the 合计 row does not contradict stands: an OCR'd 大写 is the likelier misreading)
            total_text = f"{total_text}（大写：{big[0][1]}）"
            if ex is not None and tax is not None and ex + tax == cap_value:
                total = cap_value
                total_conf_cap = 0.5
    if total is not None and ex is None and tax is None:
        ex, tax, sum_hit = _sums(lay, total)
    qr_amount = (qr or {}).get("amount")
    qr_total = qr_amount if qr and qr.get("amount_is") == "total" else None
    qr_ex = qr_amount if qr and qr.get("amount_is") == "ex_tax" else None
    if qr_amount is not None and total is not None and qr_amount == total and qr_ex is not None and ex != qr_amount:
        qr_total, qr_ex = qr_amount, None  # the payload carried the total after all
    if qr_amount is not None and ex is not None and qr_amount == ex and qr_total is not None and total != qr_amount:
        qr_total, qr_ex = None, qr_amount
    n0 = len(facts)
    emit("invoice_total", total, total_hit, "价税合计（小写）", total_text or "", qr_total,
         show=lambda v: f"¥{v}")
    if len(facts) > n0 and total_conf_cap < 1.0:
        facts[-1].confidence = min(facts[-1].confidence, total_conf_cap)
    if len(facts) > n0 and page.source == SOURCE_OCR and _ODD_CENTS.search(total_text or ""):
        facts[-1].confidence = min(facts[-1].confidence, 0.5)  # “128.380”: a misread “128,380”
    emit("invoice_amount_ex_tax", ex, sum_hit, "合计金额", f"¥{ex}" if ex is not None else "", qr_ex,
         show=lambda v: f"¥{v}")
    if tax is not None:
        emit("invoice_tax", tax, sum_hit, "合计税额", f"¥{tax}", None)
    else:
        got = {f.kind: f for f in facts}
        t, e = got.get("invoice_total"), got.get("invoice_amount_ex_tax")
        if t is not None and e is not None and t.value - e.value >= 0:
            facts.append(_fact("invoice_tax", t.value - e.value, f"合计税额 ¥{t.value - e.value}（由价税合计减金额得出）",
                               doc, page, sum_hit.bbox if sum_hit else None,
                               min(t.confidence, e.confidence, 0.8)))

    facts.extend(_parties(lay, doc, page))
    return facts


def _total(lay: Layout) -> tuple[Optional[Decimal], Optional[_Hit], Optional[str]]:
    got = _first(lay.hits({"small"}, lambda v: _money(v) is not None), _money)
    if got:
        return got[0][0], got[1], got[0][1]
    # no (小写) label read: the money on the 价税合计 row, rightmost
    for h in lay.hits({"jshj", "big"}, lambda v: True):
        amounts = [(c, _money(lay._value_of(c) if c is not h.cell else nfkc(c.text)[len(nfkc(c.text)) - len(h.value):]))
                   for c in lay.row_cells(h.cell) if c.bbox[0] >= h.cell.bbox[0]]
        amounts = [(c, a) for c, a in amounts if a]
        if amounts:
            c, a = amounts[-1]
            return a[0], _Hit("small", "价税合计", h.cell, a[1], [c]), a[1]
    return None, None, None


def _sums(lay: Layout, total: Optional[Decimal]) -> tuple[Optional[Decimal], Optional[Decimal], Optional[_Hit]]:
    """合计 金额 and 税额: the two amounts on the 合计 row (the second the smaller), or any two
    amounts on the page that add up to the 价税合计."""
    for h in lay.hits({"sum"}, lambda v: True):
        values = []
        cells = []
        for c in lay.row_cells(h.cell):
            if c.bbox[0] < h.cell.bbox[0]:
                continue
            text = h.value if c is h.cell else lay._value_of(c)
            for m in find_amounts(text, plain=True):
                if m.capital or not (m.currency or re.search(r"\d[.．]\d", m.text)):
                    continue
                values.append(m.value)
                cells.append(c)
        if len(values) >= 2:
            ex, tax = values[0], values[1]
            if total is None or ex + tax == total:
                return ex, tax, _Hit("sum", "合计", h.cell, "", list({id(c): c for c in cells}.values()))
        if len(values) == 1 and total is not None and values[0] == total:
            continue
    if total is None:
        return None, None, None
    # the 合计 label unread: money marked with ¥ elsewhere that adds up
    found: list[tuple[Decimal, Cell]] = []
    for c in lay.cells:
        for m in find_amounts(nfkc(c.text), plain=True):
            if m.currency and not m.capital and m.value != total:
                found.append((m.value, c))
    for i, (a, ca) in enumerate(found):
        for b, cb in found[i + 1:]:
            if a + b == total and a >= b:
                return a, b, _Hit("sum", "合计", ca, "", [ca, cb])
    return None, None, None


def _parties(lay: Layout, doc: Document, page: Page) -> Iterable[Fact]:
    name_fields = {"name", "buyer_name", "seller_name"}
    tax_fields = {"tax", "buyer_tax", "seller_tax"}
    names = lay.hits(name_fields, lambda v: _name_of(v) is not None)
    taxes = lay.hits(tax_fields, lambda v: _tax_id_of(v) is not None)
    # labels without a value (个人 buyers print no 纳税人识别号) still mark their block for the roles
    all_tax_labels = lay.hits(tax_fields, lambda v: True)
    generic = [h for h in names if h.field == "name"] + [h for h in taxes if h.field == "tax"]
    roles = _party_roles(lay, generic)
    if len([h for h in taxes if h.field == "tax"]) == 1 and len([h for h in all_tax_labels if h.field == "tax"]) >= 2:
        # one of two 纳税人识别号 labels has a value: its place among the labels says whose it is
        labels = [h for h in all_tax_labels if h.field == "tax"]
        only = [h for h in taxes if h.field == "tax"][0]
        lroles = _party_roles(lay, labels)
        for h in labels:
            if h.cell is only.cell:
                roles[id(only)] = lroles.get(id(h), roles.get(id(only)))
    done: set[str] = set()
    for h in names + taxes:
        if h.field in ("name", "tax"):
            role = roles.get(id(h))
        else:
            role = "buyer" if h.field.startswith("buyer") else "seller"
        if role is None:
            continue
        is_name = h.field.endswith("name")
        kind = f"{role}_{'name' if is_name else 'tax_id'}"
        if kind in done:
            continue
        value = _name_of(h.value) if is_name else _tax_id_of(h.value)
        if not value:
            continue
        done.add(kind)
        label = "名称" if is_name else "纳税人识别号"
        side = "购买方" if role == "buyer" else "销售方"
        yield _fact(kind, value, f"{side}{label}：{value}", doc, page, h.bbox, _conf(page, h))
