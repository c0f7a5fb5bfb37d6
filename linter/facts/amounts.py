"""Money amounts: ``1,234,567.89``, ``1 234 567.89``, ``¥12,000.00``, ``12.5万元``, negative
``-5.00`` / ``−5.00`` / ``（5.00）`` and Chinese capital numerals (``人民币伍佰万元整``,
``壹拾贰万叁仟肆佰伍拾陆元柒角捌分``). Values are returned in 元 as ``Decimal``. Nothing here
raises on any input.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Optional

from ._text import normalize_with_map, original_span

UNIT_FACTORS = {"元": Decimal(1), "圆": Decimal(1), "万元": Decimal(10000), "万": Decimal(10000),
                "亿元": Decimal(100000000), "亿": Decimal(100000000)}


@dataclass(frozen=True)
class AmountMatch:
    """An amount found in text.

    ``value`` is in 元; ``unit`` is the unit as written (``"元"``, ``"万元"``, ``"万"``, ``"亿元"``)
    or ``None``; ``capital`` is True for Chinese capital numerals. Offsets refer to the original
    text.
    """

    value: Decimal
    unit: Optional[str]
    start: int
    end: int
    text: str
    capital: bool = False
    currency: bool = False  # a ¥ / 人民币 / RMB marker was present


# --- Arabic numerals (applied to NFKC text) ---------------------------------------------------

_NUM = (
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 1,234,567.89
    r"|\d{1,3}(?:[.,]\d{3})+\.\d{2}(?![\d.,])"  # 358.200.00, 2,752.247.78: OCR read a comma as a dot
    r"|\d{1,3}(?: \d{3})+\.\d+"  # 1 234 567.89 (decimal part required)
    r"|\d{1,3}(?: \d{3})+(?=\s?(?:万元|亿元|元|万|亿))"  # 1 234 567 元
    r"|\d+(?:\.\d+)?"
    r"|\.\d+)"
)
_ARABIC = re.compile(
    r"(?P<cur>(?:人民币|RMB|CNY)\s?[:：]?\s?)?"
    r"(?P<neg>-\s?)?"
    r"(?P<yen>¥\s?)?"
    r"(?P<neg2>-\s?)?"
    r"(?<!\d)(?<!\d[.,])" + _NUM + r"(?![\d]|[.,]\d)"
    r"(?:\s?(?P<unit>万元|亿元|元|圆|万|亿)(?!\s?[元圆]))?"
)

# --- Chinese capital numerals ----------------------------------------------------------------

_CAP_DIGITS = {"零": 0, "〇": 0, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6,
               "柒": 7, "捌": 8, "玖": 9, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
               "六": 6, "七": 7, "八": 8, "九": 9, "弍": 2, "参": 3}
_CAP_SMALL = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}
_CAP_CHARS = "".join(_CAP_DIGITS) + "".join(_CAP_SMALL) + "万亿元圆角分整正"
_CAPITAL = re.compile(
    r"(?P<cur>(?:人民币|RMB)\s?(?:[(（]?大写[)）]?)?\s?[:：]?\s?)?"
    rf"(?P<cap>[{_CAP_CHARS}](?:[ \t\u3000]{{0,2}}[{_CAP_CHARS}])*)"
)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_AFTER_BARE_WAN = set("以至到及和或的左内、")
_UPPER_ONLY = set("壹贰叁肆伍陆柒捌玖拾佰仟")


def _parse_capital(s: str) -> Optional[Decimal]:
    """Value of a Chinese-numeral amount (must contain 元/圆 or 角/分), or ``None``."""
    s = re.sub(r"\s", "", s)
    s = s.rstrip("整正")
    if not s or not any(c in s for c in "元圆角分"):
        return None
    total = 0  # completed 亿/万 sections
    section = 0  # within the current 万 section
    num: Optional[int] = None
    integer: Optional[int] = None
    jiao = fen = 0
    seen_digit = False
    for c in s:
        if c in _CAP_DIGITS:
            num = _CAP_DIGITS[c]
            seen_digit = True
        elif c in _CAP_SMALL:
            n = num if num is not None else (1 if c in "拾十" else None)
            if n is None:
                return None
            section += n * _CAP_SMALL[c]
            num = None
            seen_digit = True
        elif c == "万":
            total += (section + (num or 0)) * 10000
            section, num = 0, None
        elif c == "亿":
            total = (total + section + (num or 0)) * 100000000
            section, num = 0, None
        elif c in "元圆":
            if integer is not None:
                return None
            integer = total + section + (num or 0)
            total = section = 0
            num = None
        elif c == "角":
            jiao, num = (num or 0), None
        elif c == "分":
            fen, num = (num or 0), None
        else:
            return None
    if not seen_digit:
        return None
    if integer is None:
        integer = total + section
    return Decimal(integer) + Decimal(jiao) / 10 + Decimal(fen) / 100


_DOTTED_THOUSANDS = re.compile(r"\d{1,3}(?:[.,]\d{3})+\.\d{2}")


def _to_decimal(num: str) -> Optional[Decimal]:
    if num.count(".") >= 2 and _DOTTED_THOUSANDS.fullmatch(num):
        num = re.sub(r"[.,]", "", num[:-3]) + num[-3:]  # every separator but the cents' is a thousands comma
    try:
        return Decimal(num.replace(",", "").replace(" ", ""))
    except (InvalidOperation, ValueError):
        return None


def find_amounts(text: str, *, plain: bool = False) -> list[AmountMatch]:
    """Amounts in ``text``, in order.

    By default a bare number counts only if it looks like money: a currency mark (¥, 人民币), a
    unit (元/万元/亿元), thousands separators, or exactly two decimals. With ``plain=True`` every
    number is returned. Numbers that are part of a date (``2025.07.16``) are skipped.
    Returns a list of :class:`AmountMatch` with values converted to 元.
    """
    if not isinstance(text, str) or not text:
        return []
    from .dates import find_dates  # local import: dates does not depend on amounts

    norm, imap = normalize_with_map(text)
    date_spans = []
    for dm in find_dates(text):
        date_spans.append((dm.start, dm.end))
    out: list[tuple[int, int, AmountMatch]] = []

    for m in _CAPITAL.finditer(norm):
        cap = m.group("cap")
        if not (set(cap) & _UPPER_ONLY) and not m.group("cur"):
            continue  # lower-case numerals only count after 人民币
        value = _parse_capital(cap)
        if value is None:
            continue
        start = m.start() if m.group("cur") else m.start("cap")
        s, e = original_span(imap, start, m.end())
        out.append((start, m.end(), AmountMatch(value, "元", s, e, text[s:e], capital=True,
                                                 currency=bool(m.group("cur")))))

    for m in _ARABIC.finditer(norm):
        num = m.group("num")
        value = _to_decimal(num)
        if value is None:
            continue
        unit = m.group("unit")
        start, end = m.start(), m.end()
        neg = bool(m.group("neg"))
        if neg and not m.group("cur") and start > 0 and norm[start - 1].isalnum():
            neg = False  # a hyphen: "A-12.00", "100-200元"
            start = m.start("yen") if m.group("yen") else m.start("num")
        currency = bool(m.group("cur") or m.group("yen"))
        # accounting negatives: the number alone in brackets, "(1,234.00)"
        before = norm[max(0, start - 2):start].rstrip()
        after = norm[end:end + 2].lstrip()
        paren = (unit is None and not currency and not neg and before.endswith("(")
                 and after.startswith(")"))
        if paren:
            start = start - (len(norm[max(0, start - 2):start]) - len(before)) - 1
            end = end + (len(norm[end:end + 2]) - len(after)) + 1
        if unit in ("万", "亿"):
            nxt = norm[end:end + 2].lstrip()[:1]
            if nxt and _CJK.match(nxt) and nxt not in _AFTER_BARE_WAN:
                continue  # "6.76万吨", "100万美元", "3万余": a count or foreign money
        money_like = (currency or unit is not None or "," in num or " " in num
                      or re.fullmatch(r"\d+\.\d\d", num) is not None)
        if not plain and not money_like:
            continue
        s, e = original_span(imap, start, end)
        if any(ds < e and s < de for ds, de in date_spans) and unit is None and not currency:
            continue
        if unit is None and re.match(r"\s?(?:年|月|日|号|%|‰|个|台|套|人|页|次|名|项|天)", norm[end:end + 2]):
            continue
        negative = bool(neg or m.group("neg2") or paren)
        if negative:
            value = -value
        value = value * UNIT_FACTORS.get(unit or "元", Decimal(1))
        out.append((start, end, AmountMatch(value, unit, s, e, text[s:e], currency=currency)))

    out.sort(key=lambda t: (t[0], -(t[1] - t[0])))
    result: list[AmountMatch] = []
    last_end = -1
    for start, end, am in out:
        if start < last_end:
            continue
        result.append(am)
        last_end = end
    return result


_CELL_NOISE = re.compile(r"^(?:人民币|RMB|CNY|金额|小写|大写|[:：\s])+|[\s整正。.,，;；]+$")


def parse_amount(text: Any) -> Optional[Decimal]:
    """Parse one amount (a table cell or a short string) to 元; ``None`` if there is not
    exactly one amount in it. Numbers (int/float/Decimal) are taken as 元."""
    if isinstance(text, bool):
        return None
    if isinstance(text, Decimal):
        return text if text.is_finite() else None
    if isinstance(text, (int, float)):
        try:
            d = Decimal(str(text))
        except (InvalidOperation, ValueError):
            return None
        return d if d.is_finite() else None
    if not isinstance(text, str):
        return None
    stripped = text.strip()
    if not stripped:
        return None
    matches = find_amounts(stripped, plain=True)
    if len(matches) == 1:
        return matches[0].value
    if len(matches) > 1:
        money = [m for m in matches if m.unit or m.currency or m.capital]
        if money and all(m.value == money[0].value for m in money):
            return money[0].value  # one amount, or the same amount in words and figures
    return None


def amount_in_yuan(value: Any, unit_hint: Optional[str] = None) -> Optional[Decimal]:
    """``value`` (a cell: number or text) converted to 元.

    ``unit_hint`` is the unit stated for the column or table (``"万元"``, ``"元"``, ``"亿元"`` or
    ``None`` = 元). A unit written in the cell itself wins over the hint. Returns ``None`` when
    the value is not an amount.
    """
    factor = UNIT_FACTORS.get((unit_hint or "元").strip(), Decimal(1)) if isinstance(unit_hint, str) else Decimal(1)
    if isinstance(value, str):
        stripped = value.strip()
        for m in find_amounts(stripped, plain=True):
            if m.unit or m.capital:
                return parse_amount(stripped)
            break
    base = parse_amount(value)
    if base is None:
        return None
    return base * factor
