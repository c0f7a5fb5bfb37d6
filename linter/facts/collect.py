"""From classified pages to typed facts, each with its page, box and confidence.

Which facts are read depends on the material kind of the segment a page belongs to:

=====================  ==================================================================
fact kind              read from
=====================  ==================================================================
``credit_code``        every page (统一社会信用代码 candidates; validity is a check's job)
``applicant_name``     names after 名称 / 企业名称 / 申请单位 ... on forms, licence, lists
``established_date``   the licence's 成立日期
``query_time``         credit-query pages: 查询时间/打印时间, else a timestamp, else a date in
                       the page's bottom strip (taskbar clock, print footer)
``verification_code``  audit reports: 报告验证码 / 防伪编码 / 报备编号 and their value
``table``              invoice and payment lists (xlsx sheets or OCR'd/text tables)
``invoice_row``        each data row of those tables
``invoice_date``       开票日期 on invoices among the fund proofs
``invoice_amount``     价税合计 on those invoices
``payment_date``       交易日期 on bank receipts
``field``              each required form field: ``{"label", "filled", "county"}``
=====================  ==================================================================
"""
from __future__ import annotations

import functools
import re
from decimal import ROUND_DOWN, Decimal
from typing import Callable, Iterable, Mapping, Optional

from ..check import Applicant, Program
from ..classify import squash
from ..model import SOURCE_OCR, BBox, Document, Fact, Page, Segment
from .amounts import find_amounts
from .credit_code import find_credit_codes, is_valid_credit_code
from .dates import find_dates
from .form_cells import cell_value
from .invoice import invoice_facts
from .labels import field_filled, labelled_value, labelled_values
from .licence import licence_facts
from .names import find_company_names, normalize_company_name
from .tables import rows_from_lines, rows_from_sheet

NAME_LABELS = ["企业（单位）名称", "企业(单位)名称", "申报单位名称", "申请单位名称", "单位名称", "企业名称",
               "申请单位", "申报单位", "纳税人名称", "单位盖章"]
LICENCE_NAME_LABELS = ["名称", "企业名称"]
ESTABLISHED_LABELS = ["成立日期", "注册日期", "成立时间"]
QUERY_LABELS = ("查询时间", "查询日期", "打印时间", "打印日期", "检索时间", "查询于")
CODE_RE = re.compile(
    r"(报告验证码|验证码|防伪编码|防伪码|防伪编号|报备编号|报备号|业务报备|鉴证业务防伪标识|防伪标识)[:：]?"
    r"([\u4e00-\u9fff]{0,2}[A-Za-z0-9][A-Za-z0-9\-]{5,40})")


def locate(page: Page, needle: str) -> tuple[Optional[BBox], float]:
    """The box and confidence of the line holding ``needle`` (whitespace-insensitive)."""
    target = squash(needle)
    if not target:
        return None, page.confidence
    for line in page.lines:
        if target in squash(line.text):
            return line.bbox, line.confidence
    # The value may span lines: fall back to the line holding its first characters.
    head = target[: max(2, min(6, len(target)))]
    for line in page.lines:
        if head in squash(line.text):
            return line.bbox, line.confidence
    return None, page.confidence


def _fact(kind, value, text, doc: Document, page: Optional[Page], needle: Optional[str] = None) -> Fact:
    bbox, conf = (None, 1.0)
    if page is not None:
        bbox, conf = locate(page, needle or text)
        if page.source != SOURCE_OCR:
            conf = 1.0
    return Fact(kind=kind, value=value, text=text, path=doc.path, page=page.number if page else None,
                bbox=bbox, confidence=round(float(conf), 3), source=page.source if page else "text-layer")


def _pages(doc: Document, seg: Segment) -> list[Page]:
    return [p for p in doc.pages if seg.first_page <= p.number <= seg.last_page]


# -- per-kind readers ----------------------------------------------------------------------------

CODE_LABEL_RE = re.compile(r"统一社会信用代码|社会信用代码|纳税人识别号")
CODE_SHAPE_RE = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")


def _credit_codes(doc: Document, page: Page) -> Iterable[Fact]:
    found = set()
    for m in find_credit_codes(page.text):
        found.add(m.code)
        yield _fact("credit_code", m.code, page.text[m.start:m.end], doc, page, m.code)
    # Licences print the code under its label, with other words between: take an 18-character
    # code-shaped token shortly after the label even when its check digit is wrong (that is the
    # defect to report), but never an all-digit one (an ID-card number).
    cell = cell_value(page.lines, ["统一社会信用代码"]) if page.lines else None
    if cell is not None:  # the label wraps in its cell (“统一社会信用” over “代码”): its value beside it
        m = CODE_SHAPE_RE.search(squash(cell[1]).upper())
        if m and m.group(0) not in found:  # under its own label an all-digit code is a credit code
            found.add(m.group(0))
            yield _fact("credit_code", m.group(0), f"{cell[0]} {m.group(0)}", doc, page, m.group(0))
    for label in CODE_LABEL_RE.finditer(page.text):
        window = page.text[label.end():label.end() + 80]
        for m in CODE_SHAPE_RE.finditer(window):
            code = m.group(0)
            if code in found or code.isdigit() or not code[2:8].isdigit():
                continue
            found.add(code)
            yield _fact("credit_code", code, f"{label.group(0)} {code}", doc, page, code)
            break


def _names(doc: Document, page: Page, labels: list[str]) -> Iterable[Fact]:
    lm = labelled_value(page.text, labels)
    readings = [(lm.label, lm.value)] if lm and lm.value else []
    if page.lines:
        # a form whose label wraps in its cell (“企业（单位）名” over “称”): the cell read by geometry
        cell = cell_value(page.lines, labels)
        if cell is not None:
            readings.append((cell[0], cell[1]))
    for label, value in readings:
        names = find_company_names(value) or ([value] if len(squash(value)) >= 6 else [])
        for name in names[:1]:
            norm = normalize_company_name(name)
            if norm and _looks_like_company(norm):
                yield _fact("applicant_name", norm, f"{label}：{value}", doc, page, value)
                return


def _licence(doc: Document, page: Page) -> Iterable[Fact]:
    """A licence's name (as ``applicant_name``) and 成立日期, read by the licence reader; the
    earlier label readers where it finds nothing. 个体工商户 names need not end in 公司."""
    read = licence_facts(doc, page)
    names = []
    for f in read:
        if f.kind == "licence_name":
            norm = normalize_company_name(f.value)
            if norm and len(norm) >= 2 and (_looks_like_company(norm) or _INDIVIDUAL_NAME.search(norm)):
                names.append(Fact("applicant_name", norm, f.text, f.path, f.page, f.bbox, f.confidence, f.source))
    yield from names[:1]
    if not names:
        yield from _names(doc, page, LICENCE_NAME_LABELS + NAME_LABELS)
    dates = [f for f in read if f.kind == "established_date"]
    yield from dates[:1]
    if not dates:
        yield from _established(doc, page)


# the names 个体工商户 and other non-company licence holders go by: 某某便利店, 某某餐厅, 某某经营部 …
_INDIVIDUAL_NAME = re.compile(r"[\u4e00-\u9fff)](店|部|馆|行|厅|社|坊|室|铺|场|所|站|园|院|中心|超市|商行|工作室|"
                              r"合伙\)|\(普通合伙\)|\(有限合伙\)|个体工商户)$")


def _looks_like_company(name: str) -> bool:
    return len(name) >= 4 and bool(re.search(r"(公司|厂|合作社|中心|研究院|集团|事务所|商行|企业)$", name))


def _established(doc: Document, page: Page) -> Iterable[Fact]:
    lm = labelled_value(page.text, ESTABLISHED_LABELS)
    if lm:
        dates = find_dates(lm.value) or find_dates(page.text[lm.start:lm.start + 40])
        if dates:
            d = dates[0]
            yield _fact("established_date", d.date, f"{lm.label}：{d.text}", doc, page, d.text)


def _query_time(doc: Document, page: Page) -> Iterable[Fact]:
    text = page.text
    dates = find_dates(text)
    if not dates:
        return
    labelled = []
    for d in dates:
        before = squash(text[max(0, d.start - 12):d.start])
        if any(lbl in before for lbl in QUERY_LABELS):
            labelled.append(d)
    choice = None
    if labelled:
        choice = max(labelled, key=lambda d: (d.date, d.time or 0))
    else:
        stamped = [d for d in dates if d.time is not None]
        if stamped:
            choice = max(stamped, key=lambda d: (d.date, d.time))
        else:
            # A taskbar clock or print footer: the last rows of the page (a screenshot pasted into an
            # A4 page does not reach the page's bottom edge).
            tail_start = len(text) - len("\n".join([r for r in text.splitlines() if r.strip()][-3:]))
            bottom = [d for d in dates if d.start >= tail_start]
            if bottom:
                choice = max(bottom, key=lambda d: d.date)
    if choice is not None:
        value = choice.datetime or choice.date
        yield _fact("query_time", value, choice.text, doc, page, choice.text)


def _verification_codes(doc: Document, page: Page) -> Iterable[Fact]:
    flat = squash(page.text)
    for m in CODE_RE.finditer(flat):
        yield _fact("verification_code", m.group(2), m.group(0), doc, page, m.group(2))


def _tables(doc: Document, seg: Segment, pages: list[Page]) -> Iterable[Fact]:
    if doc.kind == "xlsx":
        for i, sheet in enumerate(doc.sheets, start=1):
            if seg.first_page and not (seg.first_page <= i <= seg.last_page):
                continue
            table = rows_from_sheet(sheet.rows)
            if table is None or not table.rows:
                continue
            yield Fact("table", table, f"工作表“{sheet.name}”", doc.path, None, None, 1.0, "text-layer")
            for row in table.rows:
                yield Fact("invoice_row", row, f"工作表“{sheet.name}” 第 {row.source_row} 行", doc.path, None, None, 1.0,
                           "text-layer")
        return
    for page in pages:
        table = _page_table(page)
        if table is None or not table.rows:
            continue
        conf = 1.0 if page.source != SOURCE_OCR else min([r.confidence for r in table.rows] + [page.confidence])
        yield Fact("table", table, f"第 {page.number} 页表格", doc.path, page.number, None, round(conf, 3), page.source)
        for row in table.rows:
            rc = 1.0 if page.source != SOURCE_OCR else row.confidence
            bbox = row.bbox or (locate(page, row.number)[0] if row.number else None)
            yield Fact("invoice_row", row, _row_text(row), doc.path, page.number, bbox, round(rc, 3), page.source)


def _page_table(page: Page):
    """The page's invoice/payment table: from its ruled grid when extraction found one (text-layer
    PDFs), else rebuilt from the positions of its lines (OCR)."""
    best = None
    # The title, company and unit note (单位：万元) sit above the ruled grid: give them to the parser.
    above = [[line] for line in page.text.splitlines()[:5]]
    for grid in page.tables:
        table = rows_from_sheet(above + grid)
        if table is not None and table.rows and (best is None or len(table.rows) > len(best.rows)):
            best = table
    if best is not None:
        return best
    return rows_from_lines(page.lines)


def _row_text(row) -> str:
    parts = [str(x) for x in (row.index, row.number, row.date, row.amount) if x is not None]
    return " ".join(parts)


def _payer_names(doc: Document, facts: list[Fact]) -> Iterable[Fact]:
    for f in facts:
        if f.kind == "invoice_row" and getattr(f.value, "payer", None):
            norm = normalize_company_name(f.value.payer)
            if norm and _looks_like_company(norm):
                yield Fact("applicant_name", norm, f"付款方名称：{f.value.payer}", f.path, f.page, f.bbox, f.confidence, f.source)


def _title_zone(page: Page) -> str:
    return "".join(squash(l.text) for l in page.lines[:8]) if page.lines else squash(page.text[:200])


def _invoice(doc: Document, page: Page) -> Iterable[Fact]:
    """An invoice page's facts (a material of mixed proofs holds contracts and receipts too: only
    pages titled as an invoice, not an invoice list, are read)."""
    zone = _title_zone(page)
    if "发票" in zone and "清单" not in zone:
        read = invoice_facts(doc, page)  # text and QR code, cross-checked
        yield from read
        for f in read:
            if f.kind == "invoice_total":  # what the checks call the invoice's amount: 价税合计
                yield Fact("invoice_amount", f.value, f.text, f.path, f.page, f.bbox, f.confidence, f.source)
        have = {f.kind for f in read}
        if "invoice_date" not in have or "invoice_total" not in have:
            for f in _fund_proof_invoice_text(doc, page):
                if f.kind not in have and not (f.kind == "invoice_amount" and "invoice_total" in have):
                    yield f


def _payment_date(doc: Document, page: Page) -> Iterable[Fact]:
    """A bank receipt's 交易日期 (pages titled 回单 / 付款凭证)."""
    zone = _title_zone(page)
    if "回单" in zone or "付款凭证" in zone:
        lm = labelled_value(page.text, ["交易日期", "记账日期", "交易时间", "日期"], standalone=False)
        dates = find_dates(lm.value) if lm else []
        if dates:
            yield _fact("payment_date", dates[0].date, f"{lm.label}：{dates[0].text}", doc, page, dates[0].text)


def _fund_proof_invoice_text(doc: Document, page: Page) -> Iterable[Fact]:
    """The earlier reading of an invoice's 开票日期 and 价税合计 from its text, kept for pages the
    invoice reader finds nothing on."""
    lm = labelled_value(page.text, ["开票日期"])
    dates = find_dates(lm.value) if lm else []
    if dates:
        yield _fact("invoice_date", dates[0].date, f"开票日期：{dates[0].text}", doc, page, dates[0].text)
    lm = labelled_value(page.text, ["（小写）", "(小写)", "小写"])
    amounts = find_amounts(lm.value) if lm else []
    if amounts:
        value = amounts[0].value
        if _RUN_ON.search(amounts[0].text):  # “8,500.00” run into the next number: keep two decimals
            value = value.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        f = _fact("invoice_amount", value, f"价税合计（小写）{amounts[0].text}", doc, page, amounts[0].text)
        if page.source == SOURCE_OCR and _odd_cents(amounts[0].text):
            # an invoice prints 2 decimals: “128.380” is a misread “128,380” (or a stray digit)
            f.confidence = min(f.confidence, 0.5)
        yield f


_RUN_ON = re.compile(r"\d[.．]\d{8,}")
_ODD_CENTS = re.compile(r"\d[.．]\d{3,7}(?![\d.．])")


def _odd_cents(text: str) -> bool:
    """Whether an amount as read has three to seven decimals (money is printed with two): “128.380”
    is a misread “128,380”. Eight or more are the two decimals run into the next number on the
    line (“8,500.00” then a credit code “9141…”), which leaves the amount itself clear."""
    return bool(_ODD_CENTS.search(text or ""))


def _fields(doc: Document, pages: list[Page], labels: list[str], county: bool) -> Iterable[Fact]:
    for label in labels:
        verdict, where = None, None
        for page in pages:
            filled = field_filled(page.lines or page.text, label)
            if filled is True:
                verdict, where = True, page
                break
            if filled is False and verdict is None:
                verdict, where = False, page
        if verdict is None or where is None:
            continue
        yield _fact("field", {"label": label, "filled": verdict, "county": county}, label, doc, where, label)


LENDER_LABELS = ["贷款人（乙方）", "贷款人(乙方)", "贷款人", "贷款银行", "贷款行", "放款行", "放款银行", "贷款机构",
                 "出借人", "乙方（贷款人）", "乙方(贷款人)"]
# a lender's name: a bank, a 信用社 or a finance company, down to its branch
_LENDER = re.compile(r"[\u4e00-\u9fff（）()]{2,40}?(银行|农村商业银行|农商银行|农商行|信用合作联社|信用社|财务有限公司|小额贷款[^，。；\s]{0,8}公司)"
                     r"(股份有限公司|有限责任公司|有限公司)?([\u4e00-\u9fff]{0,16}?(分行|支行|营业部|分理处|信用社))?")


def _lender(doc: Document, page: Page) -> Iterable[Fact]:
    """Who lends, on a loan certificate, contract or disbursement voucher: the value of 贷款人 /
    贷款银行 …, else the bank that signs a 证明 (its name on a line of its own)."""
    for lm in labelled_values(page.text, LENDER_LABELS):
        m = _LENDER.search(lm.value or "")
        if m:
            yield _fact("lender", m.group(0), f"{lm.label}：{lm.value}", doc, page, m.group(0))
            return
    for line in reversed(page.text.splitlines()):
        line = squash(line)
        m = _LENDER.fullmatch(line) if 4 <= len(line) <= 40 else None
        if m:
            yield _fact("lender", m.group(0), line, doc, page, line)
            return


# -- driver --------------------------------------------------------------------------------------

# The fact readers a kind (kinds.yaml ``facts:``) or a material (``facts:``) names. Page readers
# run on every page of the material; ``table`` and ``payer_names`` read its table(s) once.
PAGE_READERS: dict[str, Callable[[Document, Page], Iterable[Fact]]] = {
    "applicant_name": lambda doc, page: _names(doc, page, NAME_LABELS),
    "licence": _licence,
    "query_time": _query_time,
    "verification_code": _verification_codes,
    "invoice": _invoice,
    "payment_date": _payment_date,
    "lender": _lender,
}
SEGMENT_READERS = ("table", "payer_names")
FACT_READERS = tuple(PAGE_READERS) + SEGMENT_READERS


@functools.lru_cache(maxsize=1)
def _builtin_kinds() -> dict:
    from ..classify import compile_kinds
    from ..materials import KINDS

    return compile_kinds(KINDS)


def reader_names(material, kinds: Optional[Mapping] = None) -> list[str]:
    """The fact readers for a material: its own ``facts:`` if the pack names them, else its kind's."""
    if material.facts is not None:
        return list(material.facts)
    spec = (kinds if kinds is not None else _builtin_kinds()).get(material.kind)
    return list(spec.facts) if spec is not None else []


def collect_facts(docs: list[Document], segments: list[Segment], program: Program,
                  kinds: Optional[Mapping] = None) -> list[Fact]:
    """Every fact of the package: credit codes from every page, then per segment what its
    material's fact readers read. ``kinds`` are the compiled kinds of the plugin manager (the
    built-in ones when not given)."""
    by_path = {d.path: d for d in docs}
    facts: list[Fact] = []
    for doc in docs:
        if doc.readable:
            for page in doc.pages:
                facts.extend(_credit_codes(doc, page))
    for seg in segments:
        doc = by_path.get(seg.path)
        if doc is None or not doc.readable or seg.material is None:
            continue
        material = program.material(seg.material)
        if material is None:
            continue
        pages = _pages(doc, seg)
        readers = reader_names(material, kinds)
        for name in readers:
            if name in PAGE_READERS:
                for page in pages:
                    facts.extend(PAGE_READERS[name](doc, page))
        if "table" in readers or "payer_names" in readers:
            table_facts = list(_tables(doc, seg, pages))
            if "table" in readers:
                facts.extend(table_facts)
            if "payer_names" in readers:
                facts.extend(_payer_names(doc, table_facts))
        req = material.requirements
        if req.get("fields"):
            facts.extend(_fields(doc, pages, req["fields"], county=False))
        if req.get("county_blocks"):
            facts.extend(_fields(doc, pages, req["county_blocks"], county=True))
    return facts


# Documents whose name field states who applies (a list's payer column is checked, not trusted).
IDENTITY_KINDS = ("business_license", "application_form", "cover", "performance_form", "declaration")


def identify_applicant(facts: list[Fact], segments: list[Segment], program: Program) -> Applicant:
    """The applicant as the package says it, by consensus: every reading of the name on the licence
    and the forms votes, a text-layer reading counting more than an OCR one and the licence a little
    more than a form, so one misread character on a scanned licence does not become the truth."""
    kind_of = {m.id: m.kind for m in program.materials}
    spans = [(s.path, s.first_page, s.last_page, kind_of.get(s.material)) for s in segments if s.material]

    def kind_at(f: Fact) -> Optional[str]:
        for path, a, b, k in spans:
            if path == f.path and (f.page is None or a <= 0 or a <= f.page <= b):
                return k
        return None

    def weight(f: Fact, kind: str) -> float:
        w = 2.0 if f.source != SOURCE_OCR else f.confidence
        return w * (1.25 if kind == "business_license" else 1.0)

    def vote(fact_kind: str, accept) -> Optional[Fact]:
        """The fact whose value has the most weight, one vote per document and value."""
        votes: dict[str, float] = {}
        best: dict[str, tuple[float, Fact]] = {}
        voted: set[tuple[str, str]] = set()
        for f in facts:
            kind = kind_at(f) if f.kind == fact_kind else None
            if kind not in IDENTITY_KINDS or not accept(f.value) or (f.path, f.value) in voted:
                continue
            voted.add((f.path, f.value))
            w = weight(f, kind)
            votes[f.value] = votes.get(f.value, 0.0) + w
            if f.value not in best or w > best[f.value][0]:
                best[f.value] = (w, f)
        if not votes:
            return None
        return best[max(votes, key=lambda v: (votes[v], v))][1]

    app = Applicant()
    name = vote("applicant_name", bool)
    if name is not None:
        app.name, app.name_source = name.value, name
    code = vote("credit_code", is_valid_credit_code)
    if code is not None:
        app.credit_code, app.credit_code_source = code.value, code
    return app
