"""Dates and timestamps in Chinese documents.

Handles ``2025年7月16日`` (also with spaces inside the numbers, ``2025年 8月 1 8日``, as PDF text
layers print them), ``2025-07-16`` / ``2025/7/16`` / ``2025.07.16``, Chinese numerals
(``二〇二五年七月三十一日``, with 〇/○/零), compact ``20250716`` only in a date context, and an
optional time (``2025-08-05 10:21:33``, ``2025年08月05日 10时21分``). Invalid calendar dates and
years outside 1949..2100 are not dates. Nothing here raises on any input.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any, Optional

from ._text import normalize_with_map, original_span

MIN_YEAR = 1949
MAX_YEAR = 2100


@dataclass(frozen=True)
class DateMatch:
    """A date found in text. ``start``/``end`` are offsets into the original string."""

    date: _dt.date
    time: Optional[_dt.time]
    start: int
    end: int
    text: str

    @property
    def datetime(self) -> Optional[_dt.datetime]:
        """The date and time combined, or ``None`` when no time was printed."""
        if self.time is None:
            return None
        return _dt.datetime.combine(self.date, self.time)


@dataclass(frozen=True)
class YearMonth:
    """A month or month range: ``2025年6月`` -> (2025, 6, 6); ``2025年1-6月`` -> (2025, 6, 1)."""

    year: int
    month: int  # the (last) month
    first_month: int  # equals ``month`` unless a range was written
    start: int
    end: int
    text: str

    def as_tuple(self) -> tuple[int, int]:
        return (self.year, self.month)


# --- patterns (applied to NFKC text) ---------------------------------------------------------

_S = r"[ \t\r\n\u3000]{0,3}"  # a little whitespace, possibly inside numbers
_D1_2 = rf"\d(?:{_S}\d)?"
_D4 = rf"\d(?:{_S}\d){{3}}"

_TIME = (
    r"(?:[ \t\u3000]{0,3}|T)"
    r"(?P<H>\d{1,2})[ ]?(?::|时)[ ]?(?P<M>\d{1,2})"
    r"(?:[ ]?(?::|分)[ ]?(?P<S>\d{1,2})(?:\.\d{1,6})?(?:[ ]?秒)?|[ ]?分)?"
    r"(?!\d)"
)

_CN_ARABIC = re.compile(
    rf"(?<!\d)(?P<date>(?P<y>{_D4}){_S}年{_S}(?P<m>{_D1_2}){_S}月{_S}(?P<d>{_D1_2}){_S}[日号])(?:{_TIME})?"
)
_NUMERIC = re.compile(
    r"(?<![\d.])(?P<date>(?P<y>\d{4})[ ]?(?P<sep>[-/.])[ ]?(?P<m>\d{1,2})[ ]?(?P=sep)[ ]?(?P<d>\d{1,2}))"
    rf"(?!\d|\.\d)(?:{_TIME})?"
)
# OCR often drops the space between a date and its time: “2025-08-0909:51:04”, “2025/8/509:51”.
_NUMERIC_GLUED = re.compile(
    r"(?<![\d.])(?P<date>(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2}?))"
    r"(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?!\d)"
)
_COMPACT = re.compile(rf"(?<![0-9A-Za-z])(?P<y>\d{{4}})(?P<m>\d{{2}})(?P<d>\d{{2}})(?![0-9A-Za-z])")
_CN_YEAR_CH = "〇○零O0一二三四五六七八九"
_CN_NUM_CH = "〇○零一二三四五六七八九十廿卅"
_CN_NUMERAL = re.compile(
    rf"(?P<y>[{_CN_YEAR_CH}](?:{_S}[{_CN_YEAR_CH}]){{3}}){_S}年{_S}"
    rf"(?P<m>[{_CN_NUM_CH}元](?:{_S}[{_CN_NUM_CH}]){{0,2}}){_S}月{_S}"
    rf"(?P<d>[{_CN_NUM_CH}](?:{_S}[{_CN_NUM_CH}]){{0,3}}){_S}[日号]"
)
_COMPACT_CONTEXT = re.compile(r"(日期|时间|日|date|time)[\s:：=]*$", re.IGNORECASE)

_YEAR_MONTH = re.compile(
    rf"(?<!\d)(?P<y>{_D4}){_S}年{_S}(?:(?P<m1>\d{{1,2}}){_S}(?:-|~|至|到|—|－){_S})?"
    rf"(?P<m>\d{{1,2}}){_S}月(?!{_S}\d{{1,2}}{_S}[日号])"
)

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _digits(s: str) -> int:
    return int(re.sub(r"\s", "", s))


def _cn_year(s: str) -> Optional[int]:
    s = re.sub(r"\s", "", s)
    if len(s) != 4 or any(c not in _CN_DIGITS for c in s):
        return None
    return int("".join(str(_CN_DIGITS[c]) for c in s))


def _cn_small(s: str) -> Optional[int]:
    """Chinese numeral 1..39 (十, 十二, 二十三, 廿一, 卅一, 三十) -> int, else None."""
    s = re.sub(r"\s", "", s)
    if s == "元":
        return 1
    s = s.replace("廿", "二十").replace("卅", "三十")
    if not s:
        return None
    if "十" not in s:
        return _CN_DIGITS.get(s) if len(s) == 1 else None
    head, _, tail = s.partition("十")
    if "十" in tail or len(head) > 1 or len(tail) > 1:
        return None
    tens = 1 if head == "" else _CN_DIGITS.get(head)
    ones = 0 if tail == "" else _CN_DIGITS.get(tail)
    if tens is None or ones is None or tens == 0:
        return None
    return tens * 10 + ones


def _make_date(y: Optional[int], m: Optional[int], d: Optional[int]) -> Optional[_dt.date]:
    if y is None or m is None or d is None or not (MIN_YEAR <= y <= MAX_YEAR):
        return None
    try:
        return _dt.date(y, m, d)
    except (ValueError, OverflowError):
        return None


def _match_time(m: "re.Match[str]") -> tuple[Optional[_dt.time], int]:
    """The optional time after a date match: ``(time, end)``; without a valid time the end is
    the end of the date part."""
    if m.group("H") is None:
        return None, m.end("date")
    try:
        return _dt.time(int(m.group("H")), int(m.group("M")), int(m.group("S") or 0)), m.end()
    except (ValueError, TypeError):
        return None, m.end("date")


def find_dates(text: str) -> list[DateMatch]:
    """All dates (with a time where one follows) in ``text``, in order, non-overlapping.

    Returns a list of :class:`DateMatch`; offsets refer to the original ``text``. Compact
    ``YYYYMMDD`` is accepted only after a 日期/时间 label or when it is the whole text.
    """
    if not isinstance(text, str) or not text:
        return []
    norm, imap = normalize_with_map(text)
    found: list[tuple[int, int, _dt.date, Optional[_dt.time]]] = []

    def add(start: int, end: int, d: Optional[_dt.date], t: Optional[_dt.time]) -> None:
        if d is not None:
            found.append((start, end, d, t))

    for m in _CN_ARABIC.finditer(norm):
        d = _make_date(_digits(m.group("y")), _digits(m.group("m")), _digits(m.group("d")))
        t, end = _match_time(m)
        add(m.start(), end, d, t)
    for m in _NUMERIC.finditer(norm):
        d = _make_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        t, end = _match_time(m)
        add(m.start(), end, d, t)
    for m in _NUMERIC_GLUED.finditer(norm):
        d = _make_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        t, end = _match_time(m)
        if t is not None:
            add(m.start(), end, d, t)
    for m in _CN_NUMERAL.finditer(norm):
        add(m.start(), m.end(), _make_date(_cn_year(m.group("y")), _cn_small(m.group("m")),
                                           _cn_small(m.group("d"))), None)
    whole = norm.strip()
    for m in _COMPACT.finditer(norm):
        if m.group(0) != whole and not _COMPACT_CONTEXT.search(norm[max(0, m.start() - 12):m.start()]):
            continue
        add(m.start(), m.end(), _make_date(int(m.group("y")), int(m.group("m")), int(m.group("d"))), None)

    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    out: list[DateMatch] = []
    last_end = -1
    for start, end, d, t in found:
        if start < last_end:
            continue
        s, e = original_span(imap, start, end)
        out.append(DateMatch(d, t, s, e, text[s:e]))
        last_end = end
    return out


def parse_date(text: Any) -> Optional[_dt.date]:
    """The first date in ``text`` (a string, ``date`` or ``datetime``), or ``None``."""
    if isinstance(text, _dt.datetime):
        return text.date()
    if isinstance(text, _dt.date):
        return text
    if not isinstance(text, str):
        return None
    found = find_dates(text)
    return found[0].date if found else None


def parse_datetime(text: Any) -> Optional[_dt.datetime]:
    """The first date *with a time* in ``text`` as a ``datetime``, or ``None``."""
    if isinstance(text, _dt.datetime):
        return text
    if not isinstance(text, str):
        return None
    for m in find_dates(text):
        if m.time is not None:
            return m.datetime
    return None


def find_year_month(text: str) -> list[YearMonth]:
    """Month references such as ``2025年6月`` or ``2024年1-12月`` (not full dates).

    Returns a list of :class:`YearMonth` in text order; invalid months are skipped.
    """
    if not isinstance(text, str) or not text:
        return []
    norm, imap = normalize_with_map(text)
    out: list[YearMonth] = []
    for m in _YEAR_MONTH.finditer(norm):
        y = _digits(m.group("y"))
        mo = int(m.group("m"))
        first = int(m.group("m1")) if m.group("m1") else mo
        if not (MIN_YEAR <= y <= MAX_YEAR and 1 <= first <= mo <= 12):
            continue
        s, e = original_span(imap, m.start(), m.end())
        out.append(YearMonth(y, mo, first, s, e, text[s:e]))
    return out
