import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from shenbao.facts.dates import find_dates, find_year_month, parse_date, parse_datetime

D = dt.date


@pytest.mark.parametrize("text,expected", [
    ("2025年7月16日", D(2025, 7, 16)),
    ("2025 年 7 月 16 日", D(2025, 7, 16)),
    ("项目申报截止日期为 2025年 8月 1 8日，逾期不予受理", D(2025, 8, 18)),
    ("2025-07-16", D(2025, 7, 16)),
    ("2025/7/16", D(2025, 7, 16)),
    ("2025.07.16", D(2025, 7, 16)),
    ("二〇二五年七月十六日", D(2025, 7, 16)),
    ("二〇二五年七月三十一日", D(2025, 7, 31)),
    ("二○二五年十二月二十日", D(2025, 12, 20)),
    ("二零二四年十月一日", D(2024, 10, 1)),
    ("２０２５年７月１６日", D(2025, 7, 16)),
    ("开票日期：20250716", D(2025, 7, 16)),
    ("20250716", D(2025, 7, 16)),
    ("2025年07月05号", D(2025, 7, 5)),
])
def test_date_formats(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("2025-08-05 10:21:33", dt.datetime(2025, 8, 5, 10, 21, 33)),
    ("2025/8/5 10:21", dt.datetime(2025, 8, 5, 10, 21)),
    ("2025年08月05日 10:21:33", dt.datetime(2025, 8, 5, 10, 21, 33)),
    ("查询时间：2025-07-20 10:15:32", dt.datetime(2025, 7, 20, 10, 15, 32)),
    ("2025年08月05日10时21分33秒", dt.datetime(2025, 8, 5, 10, 21, 33)),
    ("2025-08-05T10:21:33", dt.datetime(2025, 8, 5, 10, 21, 33)),
])
def test_timestamps(text, expected):
    assert parse_datetime(text) == expected


def test_offsets_point_into_original_text():
    text = "查询时间：2025-07-20 10:15:32 （北京时间）"
    (m,) = find_dates(text)
    assert text[m.start:m.end] == m.text == "2025-07-20 10:15:32"
    full = "截止 ２０２５年 8月 1 8日 前"
    (m,) = find_dates(full)
    assert full[m.start:m.end] == "２０２５年 8月 1 8日"


def test_invalid_time_keeps_date():
    (m,) = find_dates("2025-08-05 25:99")
    assert m.date == D(2025, 8, 5) and m.time is None and m.text == "2025-08-05"


@pytest.mark.parametrize("text", [
    "2025-02-30", "2025年2月30日", "1900-01-01", "2101-01-01", "2025-13-01",
    "二〇二五年二月三十日",
    "91411200MA20250716X",  # inside a credit code
    "发票号码 12025071612",  # inside a longer number
    "发票号码：20250716",  # 8-digit invoice number, not in a date context
    "金额 2025.07",  # not a full date
    "12025-07-16",
])
def test_not_dates(text):
    assert find_dates(text) == []


def test_several_dates_in_order():
    text = "计算区间为2024年 7月 1日至2025年 6月 30日，通知日期二〇二五年七月十六日"
    assert [m.date for m in find_dates(text)] == [D(2024, 7, 1), D(2025, 6, 30), D(2025, 7, 16)]


def test_year_month():
    found = find_year_month("2024年1-12月的会计报表及截至申报上月底（2025 年 6 月）的会计报表，2025年6月30日")
    assert [(y.year, y.first_month, y.month) for y in found] == [(2024, 1, 12), (2025, 6, 6)]
    assert found[1].as_tuple() == (2025, 6)
    assert find_year_month("2025年13月") == []


def test_parse_date_accepts_date_objects():
    assert parse_date(dt.datetime(2025, 1, 2, 3, 4)) == D(2025, 1, 2)
    assert parse_date(D(2025, 1, 2)) == D(2025, 1, 2)
    assert parse_date(None) is None and parse_date(123) is None


@settings(max_examples=300)
@given(st.text())
def test_never_raises(text):
    for m in find_dates(text):
        assert 0 <= m.start <= m.end <= len(text)
        assert 1949 <= m.date.year <= 2100
    find_year_month(text)
    parse_date(text)
    parse_datetime(text)


_CN = "〇一二三四五六七八九"


def _cn_small(n):
    if n < 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + ("" if ones == 0 else _CN[ones])


STYLES = [
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year} 年 {d.month} 月 {d.day} 日",
    lambda d: f"{d.year}年{d.month:02d}月{d.day:02d}日",
    lambda d: " ".join(f"{d.year}年{d.month}月") + f"{d.day}日",  # spaces inside numbers
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}",
    lambda d: f"日期：{d.year}{d.month:02d}{d.day:02d}",
    lambda d: "".join(_CN[int(c)] for c in str(d.year)) + f"年{_cn_small(d.month)}月{_cn_small(d.day)}日",
]


@settings(max_examples=200)
@given(st.dates(min_value=D(1949, 1, 1), max_value=D(2100, 12, 31)), st.sampled_from(range(len(STYLES))),
       st.sampled_from(["", "通知于", "截止 ", "（", "，"]), st.sampled_from(["", "前", "）", "。", " 止"]))
def test_round_trip(d, style, prefix, suffix):
    written = STYLES[style](d)
    found = find_dates(prefix + written + suffix)
    assert [m.date for m in found] == [d], written


@settings(max_examples=100)
@given(st.datetimes(min_value=dt.datetime(1949, 1, 1), max_value=dt.datetime(2100, 12, 31)),
       st.sampled_from(["{d} {t}", "{d}T{t}", "查询时间：{d} {t}"]))
def test_round_trip_timestamps(value, fmt):
    value = value.replace(microsecond=0)
    text = fmt.format(d=value.date().isoformat(), t=value.time().strftime("%H:%M:%S"))
    assert parse_datetime(text) == value


def test_ocr_glued_date_and_time():
    """OCR drops the space between a date and its time on browser screenshots."""
    from shenbao.facts.dates import find_dates
    [m] = find_dates("查询时间：2025-08-0909:51:04")
    assert (m.date.isoformat(), m.time.isoformat()) == ("2025-08-09", "09:51:04")
    [m] = find_dates("2025/8/509:51")
    assert (m.date.isoformat(), m.time.isoformat()) == ("2025-08-05", "09:51:00")
