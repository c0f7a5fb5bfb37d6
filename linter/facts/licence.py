"""What a business licence (营业执照) says: name, credit code, type, representative, capital,
dates, term, address and registration authority.

Licences are read from OCR more often than from a text layer, and OCR cuts them in its own way:
labels glued to their values (“名称河南某某有限公司”, “成立日期2024年01月12日”), labels printed with
their characters spread over the label column (“名      称”, “住      所”) and read as separate
pieces, two columns whose pieces interleave row by row, long values (住所, 经营范围) wrapping onto
the next line, and the credit code printed under its label. The pieces are regrouped by position
into rows and cells (:func:`shenbao.facts.labels.page_cells`); a value is the rest of its label's
cell up to the next label, else the cell to its right on the row, else the cell under it, and a
wrapped value takes the lines under it that start where it starts.

A 证照编号 / 编号 / 注册号 is the licence's own number (``licence_number``), never the credit code.
The credit code is checked with :mod:`shenbao.facts.credit_code`: an invalid one is still
reported as printed (that is the defect to report) with a confidence of at most 0.5. The licence's
QR code (``…?uniscid=9141…``) is compared with the printed code.

个体工商户 licences print 经营者 for the representative, 经营场所 for the address and 组成形式 for
the type, and their 名称 need not end in 公司 (“某某区某某便利店”); 合伙企业 print 执行事务合伙人 and
主要经营场所.

Fact kinds: ``licence_name``, ``credit_code``, ``licence_number``, ``licence_type``, ``legal_rep``,
``registered_capital``, ``established_date`` (``date``), ``term``, ``address``, ``authority``.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from ..model import SOURCE_OCR, Document, Fact, Line, Page
from ._text import nfkc
from .credit_code import is_valid_credit_code, suggest_fix
from .invoice import Layout, LabelSet, read_date
from .labels import Cell, is_blank_value
from .names import edit_distance

__all__ = ["licence_facts", "LICENCE_LABELS"]

_FIELDS: list[tuple[str, list[str]]] = [
    ("credit_code", ["统一社会信用代码", "社会信用代码"]),
    ("licence_number", ["证照编号", "注册号", "编号", "营业执照注册号"]),
    ("licence_name", ["名称", "企业名称", "字号名称", "单位名称"]),
    ("licence_type", ["类型", "公司类型", "企业类型", "组成形式", "主体类型"]),
    ("legal_rep", ["法定代表人", "法定代表人姓名", "经营者", "经营者姓名", "负责人", "执行事务合伙人", "投资人",
                   "首席代表"]),
    ("registered_capital", ["注册资本", "注册资金", "出资额", "出资数额", "认缴出资额"]),
    ("established_date", ["成立日期", "注册日期", "登记日期"]),
    ("term", ["营业期限", "经营期限", "合伙期限"]),
    ("address", ["住所", "经营场所", "主要经营场所", "营业场所"]),
    ("authority", ["登记机关"]),
    ("scope", ["经营范围"]),
    ("stop", ["实收资本", "发照日期", "国家企业信用信息公示系统", "扫描二维码", "营业执照", "(副本)", "(正本)"]),
]
LICENCE_LABELS = LabelSet(_FIELDS, weak={"编号", "类型", "名称", "住所", "负责人", "投资人", "经营者"}, spread=12)
# values that wrap onto the next line
_WRAPS = {"licence_name", "address", "scope", "licence_type", "term", "authority"}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_CODE_TOKEN = re.compile(r"(?<![0-9A-Z])([0-9A-Z]{15,20})(?![0-9A-Z])")
_NUMBER_TOKEN = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z][0-9A-Za-z\-]{5,30})(?![0-9A-Za-z])")
_UNISCID = re.compile(r"uniscid=([0-9A-Za-z]{18})", re.I)
_TEMPLATE = re.compile(r"^[\d\s年月日]*$")


def _text_value(v: str) -> Optional[str]:
    v = (v or "").strip().strip(":：").strip()
    if not v or is_blank_value(v) or _TEMPLATE.match(v):
        return None
    return v


def _name_value(v: str) -> Optional[str]:
    v = _text_value(v)
    if not v or not _CJK.search(v) or len(re.sub(r"\s", "", v)) < 2 or len(v) > 80:
        return None
    return v


def _person(v: str) -> Optional[str]:
    v = _text_value(v)
    if not v:
        return None
    v = re.sub(r"\s+", "", v) if _CJK.search(v) else v
    if len(v) > 40 or not (_CJK.search(v) or re.search(r"[A-Za-z]{2}", v)):
        return None
    return v


def _code(v: str) -> Optional[str]:
    m = _CODE_TOKEN.search(re.sub(r"[\s\-]", "", nfkc(v or "")).upper())
    return m.group(1) if m else None


def _loose_code(v: str) -> Optional[str]:
    """A code as printed even when it is short of 18 characters (a misprint or an edited sample)."""
    t = re.sub(r"[\s\-]", "", nfkc(v or "")).upper()
    m = re.search(r"(?<![0-9A-Z])([0-9A-Z]{14,20})(?![0-9A-Z])", t)
    if m and sum(c.isdigit() for c in m.group(1)) >= 6:
        return m.group(1)
    return None


def _number(v: str) -> Optional[str]:
    m = _NUMBER_TOKEN.search(re.sub(r"\s", "", nfkc(v or "")))
    return m.group(1) if m and sum(c.isdigit() for c in m.group(1)) >= 4 else None


def _capital(v: str) -> Optional[str]:
    v = _text_value(v)
    if not v or not re.search(r"[\d零壹贰叁肆伍陆柒捌玖拾佰仟万亿一二三四五六七八九十百千]", v):
        return None
    return v


def _date(v: str):
    return read_date(v or "")


_DAY = r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}"
# a term is a span (“2018年04月11日至2068年04月10日”, “… 至 长期”) or “长期”: what follows it on a
# wrapped reading is the next column's text (经营范围), not the term
_TERM_SHAPE = re.compile(rf"^(?:(?:{_DAY})\s*(?:至|到|[-—~～])\s*)?(?:{_DAY}|长期|永久|不约定期限|无固定期限)")


def _term(v: str) -> Optional[str]:
    v = _text_value(v)
    if not v or not (read_date(v) or "长期" in v or "永久" in v or "不约定" in v or re.search(r"\d{4}", v)):
        return None
    m = _TERM_SHAPE.match(v)
    return m.group(0) if m else v


def _authority(v: str) -> Optional[str]:
    v = _name_value(v)
    return v if v and re.search(r"(局|委员会|厅|办公室|管委会|中心)$", re.sub(r"\s", "", v)) else None


_ACCEPT = {
    "licence_name": _name_value, "licence_type": _name_value, "legal_rep": _person, "registered_capital": _capital,
    "established_date": _date, "term": _term, "address": _name_value, "authority": _authority,
    "credit_code": _loose_code, "licence_number": _number, "scope": _name_value,
}


def _continuation(lay: Layout, label: Cell, value: Cell, left: float) -> list[Cell]:
    """The lines a wrapped value continues on: under it, starting about where it starts (or at
    the label's right edge), none of them a label."""
    out: list[Cell] = []
    cur = value
    h = value.bbox[3] - value.bbox[1]
    for _ in range(6):
        nxt = None
        for c in lay.cells:
            if c.row <= cur.row or c.bbox[1] < cur.bbox[3] - 0.3 * h or c.bbox[1] - cur.bbox[3] > 0.9 * h:
                continue
            if lay.starts_with_label(c) or lay.labels[id(c)]:
                continue
            near_value = abs(c.bbox[0] - left) * lay.w <= 2.5 * h * lay.h
            near_label = value is not label and abs(c.bbox[0] - label.bbox[2]) * lay.w <= 2.5 * h * lay.h
            if (near_value or near_label) and (nxt is None or c.bbox[1] < nxt.bbox[1]):
                nxt = c
        if nxt is None:
            break
        out.append(nxt)
        cur = nxt
    return out


# A 类型 value as a 营业执照 prints it: the line under a 名称 is this when the 类型 label
# itself was not read, and a name that already ends in its legal form does not go on with it.
_ORG_TYPE = re.compile(r"^(其他)?(有限责任公司|股份有限公司|有限公司|股份合作制|个人独资企业|普通合伙|有限合伙|合伙企业|"
                       r"个体工商户|个体户|非公司企业法人|全民所有制|集体所有制|农民专业合作社|外商投资企业)"
                       r"([（(][^）)]{0,20}[）)]?)?(分公司)?$")
_ORG_END = re.compile(r"(有限公司|有限责任公司|股份有限公司|集团|厂|合作社|中心|事务所|商行|经营部|门市部|分公司|[）)])$")


def _name_lines(name: str, texts: list[str], cells: list) -> list:
    """The continuation lines of a 名称 up to the first that is a company type (see ``_ORG_TYPE``)
    under a name already ending in its legal form (“三门峡利华化工有限公司” over “其他有限责任公司”)."""
    so_far = re.sub(r"\s", "", name or "")
    for k, t in enumerate(texts):
        line = re.sub(r"\s", "", t or "")
        if _ORG_END.search(so_far) and _ORG_TYPE.match(line):
            return cells[:k]
        so_far += line
    return cells


def _value_left(h) -> float:
    """Where a value starts across the page: its own pieces' left edge, or, when one piece holds
    label and value (“经营场所 河南省…”), about as far into the piece as the label's characters."""
    if h.vcells and h.vcells[0] is not h.cell:
        return h.vcells[0].bbox[0]
    box = h.bbox
    if box != h.cell.bbox:
        return box[0]
    text = nfkc(h.cell.text)
    i = text.find(h.value[:4]) if h.value else -1
    if i <= 0:
        return box[0]
    return box[0] + (box[2] - box[0]) * i / max(len(text), 1)


def _fact(kind, value, text, doc: Document, page: Page, bbox, conf: float) -> Fact:
    return Fact(kind=kind, value=value, text=text, path=doc.path, page=page.number, bbox=bbox,
                confidence=round(float(min(conf, 1.0)), 3), source=page.source)


def licence_facts(doc: Document, page: Page) -> list[Fact]:
    """The facts a licence page states (see the module docstring). Never raises on odd input."""
    try:
        return _licence_facts(doc, page)
    except Exception:  # pragma: no cover - a reader must not take the linter down
        return []


# Two-character labels printed with their characters far apart (“名      称”): OCR often boxes the
# second character with the value (“称上海某某有限公司”) and the first alone, or stacked with the
# label under it in one tall box (“名类” over two rows).
_SPREAD_PAIRS = {"称": "名", "型": "类", "所": "住"}


def _rejoin_spread_labels(page: Page) -> Page:
    """``page`` with each spread label put back together on the line that holds its second
    character: a line starting with 称 / 型 / 所 whose row has, to its left within the label column,
    a box whose character on that row is 名 / 类 / 住. Other pages are returned as they are."""
    lines = list(page.lines)
    changed, used = False, set()
    for i, ln in enumerate(lines):
        t = (ln.text or "").lstrip()
        first = _SPREAD_PAIRS.get(t[:1])
        if not first:
            continue
        x0, y0, x1, y1 = ln.bbox
        cy, hh = (y0 + y1) / 2, max(y1 - y0, 1e-6)
        for o in page.lines:
            if o is ln or not o.text:
                continue
            ox0, oy0, ox1, oy1 = o.bbox
            if not (oy0 <= cy <= oy1 and ox1 <= x0 + 0.2 * hh and x0 - ox1 <= 12 * hh):
                continue
            ot = o.text.strip()
            if oy1 - oy0 > 1.5 * hh and len(ot) >= 2:  # a tall box of stacked characters
                k = min(len(ot) - 1, int((cy - oy0) / (oy1 - oy0) * len(ot)))
                ch = ot[k]
            else:
                ch = ot[-1:]
            if ch == first:
                lines[i] = Line(first + t, ln.bbox, ln.confidence)  # its own box: the cell it starts stays apart
                used.add(id(o))
                changed = True
                break
    if not changed:
        return page
    # a box of nothing but spread labels' first characters has been given back to its labels (left
    # in, “名类” would read as the end of a wrapped name)
    lines = [l for l in lines if not (id(l) in used and set(l.text.strip()) <= set(_SPREAD_PAIRS.values()))]
    return replace(page, lines=lines, text="\n".join(l.text for l in lines))


def _licence_facts(doc: Document, page: Page) -> list[Fact]:
    lay = Layout(_rejoin_spread_labels(page), LICENCE_LABELS)
    ocr = page.source == SOURCE_OCR
    facts: list[Fact] = []
    done: set[str] = set()
    numbers: set[str] = set()
    hits = []
    for field, accept in _ACCEPT.items():
        hits.extend(lay.hits({field}, lambda v, a=accept: bool(a(v))))
    # the field's first label before its alternatives (类型 before 组成形式), then page order
    rank = {l: i for _, labels in _FIELDS for i, l in enumerate(labels)}
    hits.sort(key=lambda h: (rank.get(h.label, 9), h.cell.row, h.cell.bbox[0]))
    for h in hits:
        if h.field == "licence_number":
            n = _number(h.value)
            if n:
                numbers.add(n.upper())
    for h in hits:
        field = h.field
        if field in done or field == "scope":
            continue
        value = h.value
        vcells = list(h.vcells)
        if field in _WRAPS:
            more = _continuation(lay, h.cell, vcells[-1], _value_left(h))
            if field == "licence_name":
                more = _name_lines(value, [lay._value_of(c) for c in more], more)
            if more:
                vcells += more
                value = value + "".join(lay._value_of(c) for c in more) if _CJK.search(value) else \
                    " ".join([value] + [lay._value_of(c) for c in more])
        conf = 1.0 if not ocr else min(c.confidence for c in vcells + [h.cell])
        boxes = [c.bbox for c in vcells]
        bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        label = h.label
        if field == "credit_code":
            code = _code(value) or _loose_code(value)
            if not code or code in numbers:
                continue
            facts.append(_credit_fact(doc, page, code, label, bbox, conf))
        elif field == "licence_number":
            n = _number(value)
            if not n:
                continue
            facts.append(_fact("licence_number", n, f"{label}：{n}", doc, page, bbox, conf))
        elif field == "established_date":
            got = read_date(value)
            if not got:
                continue
            facts.append(_fact(field, got[0], f"{label}：{got[1]}", doc, page, bbox, conf))
        else:
            parsed = _ACCEPT[field](value)
            if not parsed:
                continue
            if field in ("licence_name", "address", "licence_type", "authority"):
                parsed = re.sub(r"(?<=[\u3400-\u9fff）)])\s+(?=[\u3400-\u9fff（(])", "", parsed)
            facts.append(_fact(field, parsed, f"{label}：{parsed}", doc, page, bbox, conf))
        done.add(field)
    if "credit_code" not in done:
        f = _bare_code(doc, page, numbers)
        if f is not None:
            facts.append(f)
            done.add("credit_code")
    _check_qr(doc, page, facts)
    if "authority" not in done:
        f = _authority_from_seal(doc, page)
        if f is not None:
            facts.append(f)
    return facts


def _credit_fact(doc, page, code: str, label: str, bbox, conf: float) -> Fact:
    if is_valid_credit_code(code):
        return _fact("credit_code", code, f"{label}：{code}", doc, page, bbox, conf)
    fixed = suggest_fix(code)
    note = f"（校验位不符{'，可能是 ' + fixed if fixed else ''}）" if len(code) == 18 else f"（{len(code)} 位，应为 18 位）"
    return _fact("credit_code", code, f"{label}：{code}{note}", doc, page, bbox, min(conf, 0.5))


def _bare_code(doc: Document, page: Page, numbers: set[str]) -> Optional[Fact]:
    """No label read: a valid 18-character code anywhere on the page that is not the 编号."""
    from .credit_code import find_credit_codes

    for m in find_credit_codes(page.text or ""):
        if m.valid and m.code not in numbers:
            from .collect import locate

            bbox, conf = locate(page, m.code)
            return _fact("credit_code", m.code, f"统一社会信用代码：{m.code}", doc, page, bbox,
                         1.0 if page.source != SOURCE_OCR else conf)
    return None


def _check_qr(doc: Document, page: Page, facts: list[Fact]) -> None:
    """Compare the printed credit code with the licence's QR code (…?uniscid=…)."""
    qr = None
    for c in page.codes or []:
        m = _UNISCID.search(getattr(c, "text", "") or "")
        if m and is_valid_credit_code(m.group(1).upper()):
            qr = (m.group(1).upper(), c)
            break
    if qr is None:
        return
    code, where = qr
    for f in facts:
        if f.kind != "credit_code":
            continue
        if f.value == code:
            return
        if not is_valid_credit_code(f.value) and len(f.value) == 18 and edit_distance(f.value, code) <= 2:
            # a misread printed code the QR code corrects
            f.text = f"{f.text}（二维码：{code}）"
            f.value = code
            f.confidence = min(f.confidence, 0.5)
            return
        f.text = f"{f.text}（二维码：{code}）"
        f.confidence = min(f.confidence, 0.5)
        return
    facts.append(Fact("credit_code", code, f"统一社会信用代码：{code}（二维码）", doc.path,
                      page.number, where.bbox, round(float(getattr(where, "confidence", 1.0) or 1.0), 3), page.source))


def _authority_from_seal(doc: Document, page: Page) -> Optional[Fact]:
    """The 登记机关 is stamped, not printed: the name in the licence's seal, if one was read."""
    for s in page.seals or []:
        t = re.sub(r"\s", "", nfkc(getattr(s, "text", "") or ""))
        m = re.search(r"[\u4e00-\u9fff]{2,30}?(市场监督管理局|工商行政管理局|行政审批(服务)?局|市场监管局)", t)
        if m:
            conf = min(0.6, float(getattr(s, "text_confidence", 0.0) or 0.6))
            return _fact("authority", m.group(0), f"登记机关（印章）：{m.group(0)}", doc, page, s.bbox, conf)
    return None
