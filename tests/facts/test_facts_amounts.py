from decimal import Decimal

import pytest
from hypothesis import assume, given, settings, strategies as st

from shenbao.facts.amounts import amount_in_yuan, find_amounts, parse_amount


@pytest.mark.parametrize("text,expected", [
    ("1,234,567.89", "1234567.89"),
    ("1 234 567.89", "1234567.89"),
    ("¥12,000.00", "12000"),
    ("￥12,000.00", "12000"),
    ("¥ 12000", "12000"),
    ("12.5万元", "125000"),
    ("12.5 万", "125000"),
    ("1.2亿元", "120000000"),
    ("10000元", "10000"),
    ("人民币伍佰万元整", "5000000"),
    ("壹拾贰万叁仟肆佰伍拾陆元柒角捌分", "123456.78"),
    ("人民币（大写）壹佰零伍万元整", "1050000"),
    ("玖角", "0.9"),
    ("壹亿贰仟万元整", "120000000"),
    ("-1,234.00", "-1234"),
    ("−1,234.00", "-1234"),
    ("（1,234.00）", "-1234"),
    ("(1,234.00)", "-1234"),
    ("¥-50.00", "-50"),
    ("１２，０００．００", "12000"),
    ("金额：12,000.00元", "12000"),
    ("113000", "113000"),
    ("0.5", "0.5"),
    ("人民币（大写）壹佰万元整 ¥1,000,000.00", "1000000"),
])
def test_parse_amount(text, expected):
    assert parse_amount(text) == Decimal(expected)


def test_wan_followed_by_measure_word_is_not_money():
    assert find_amounts("年产6.76万吨，减排3万余吨，100万美元") == []
    assert parse_amount("6.76万吨") is None
    assert [m.value for m in find_amounts("最高500万，300万以上")] == [Decimal(5000000), Decimal(3000000)]


@pytest.mark.parametrize("text", ["", "abc", "合计 10,000.00 20,000.00", "部分整改", "2025年7月16日", None, True])
def test_parse_amount_none(text):
    assert parse_amount(text) is None


def test_find_amounts_units_and_offsets():
    text = "计划总投资 1,200.50万元，其中设备 ¥3,000,000.00，开具日期 2025.07.16，共 3 台"
    found = find_amounts(text)
    assert [(m.value, m.unit) for m in found] == [(Decimal("12005000"), "万元"), (Decimal("3000000"), None)]
    for m in found:
        assert text[m.start:m.end] == m.text
    assert found[1].currency


def test_find_amounts_skips_hyphen_and_plain_numbers():
    assert [m.value for m in find_amounts("型号 A-12.00")] == [Decimal("12.00")]
    assert find_amounts("共 12 台，2025 年") == []
    assert [m.value for m in find_amounts("12 台", plain=True)] == []


def test_capital_requires_uppercase_or_rmb():
    assert find_amounts("三元") == []
    assert [m.value for m in find_amounts("人民币三万元")] == [Decimal(30000)]
    (m,) = find_amounts("大写：壹拾贰万叁仟肆佰伍拾陆元柒角捌分（小写）")
    assert m.capital and m.value == Decimal("123456.78")


def test_amount_in_yuan():
    assert amount_in_yuan("12.5", "万元") == Decimal(125000)
    assert amount_in_yuan(12.5, "万元") == Decimal(125000)
    assert amount_in_yuan(Decimal("1.5"), "万元") == Decimal(15000)
    assert amount_in_yuan("12.5万元", "万元") == Decimal(125000)  # the cell's own unit wins
    assert amount_in_yuan("3000元", "万元") == Decimal(3000)
    assert amount_in_yuan("3,000.00", None) == Decimal(3000)
    assert amount_in_yuan("n/a", "万元") is None
    assert amount_in_yuan(None, "万元") is None


@settings(max_examples=300)
@given(st.text())
def test_never_raises(text):
    for m in find_amounts(text):
        assert 0 <= m.start <= m.end <= len(text)
    find_amounts(text, plain=True)
    parse_amount(text)
    amount_in_yuan(text, "万元")


@settings(max_examples=300)
@given(st.text(alphabet="零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整人民币一二三十百千 ,.-¥()（）0123456789"))
def test_never_raises_on_numeral_soup(text):
    find_amounts(text)
    parse_amount(text)


money = st.decimals(min_value=Decimal("-999999999.99"), max_value=Decimal("999999999.99"), places=2,
                    allow_nan=False, allow_infinity=False)


@settings(max_examples=300)
@given(money, st.sampled_from(["{:,.2f}", "{:.2f}", "¥{:,.2f}", "￥{:,.2f}", "{:,.2f}元", "人民币{:,.2f}元"]))
def test_round_trip_separators(value, fmt):
    text = fmt.format(value)
    assert parse_amount(text) == value, text


@settings(max_examples=200)
@given(money)
def test_round_trip_space_groups_and_fullwidth(value):
    spaced = "{:,.2f}".format(value).replace(",", " ")
    assert parse_amount(spaced) == value
    full = "{:,.2f}".format(value).translate(str.maketrans("0123456789,.-", "０１２３４５６７８９，．－"))
    assert parse_amount(full) == value


@settings(max_examples=200)
@given(st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99999.9999"), places=4))
def test_round_trip_wan(value):
    assert parse_amount(f"{value}万元") == value * 10000
    assert parse_amount(f"{value:,}万元") == value * 10000


@settings(max_examples=200)
@given(money)
def test_round_trip_accounting_negative(value):
    assume(value > 0)
    assert parse_amount("({:,.2f})".format(value)) == -value
    assert parse_amount("（{:,.2f}）".format(value)) == -value


_UP = "零壹贰叁肆伍陆柒捌玖"


def _capital(n: int) -> str:
    """Write 0 < n < 10^12 (in 分) in Chinese capital numerals, the way cheques do."""
    yuan, fen_total = divmod(n, 100)
    jiao, fen = divmod(fen_total, 10)

    def four(x):  # 0..9999
        s, zero = "", False
        for unit, div in (("仟", 1000), ("佰", 100), ("拾", 10), ("", 1)):
            d, x = divmod(x, div)
            if d:
                if zero:
                    s += "零"
                s += _UP[d] + unit
                zero = False
            elif s:
                zero = True
        return s

    parts = []
    yi, rest = divmod(yuan, 10 ** 8)
    wan, ge = divmod(rest, 10 ** 4)
    if yi:
        parts.append(four(yi) + "亿")
    if wan:
        parts.append(four(wan) + "万")
    if ge:
        parts.append(four(ge))
    out = "".join(parts)
    if out:
        out += "元"
    if jiao:
        out += _UP[jiao] + "角"
    if fen:
        out += _UP[fen] + "分"
    if not jiao and not fen:
        out += "整"
    return out


@settings(max_examples=300)
@given(st.integers(min_value=1, max_value=10 ** 12 - 1))
def test_round_trip_capital(fen):
    text = _capital(fen)
    assert parse_amount(text) == Decimal(fen) / 100, text


def test_a_thousands_comma_read_as_a_dot_is_still_the_amount():
    """OCR of a scanned invoice list reads “358,200.00” as “358.200.00” or “2,752.247.78”: the
    row's amount, not a missing cell (a missing row made a false 合计 mismatch)."""
    from decimal import Decimal

    from shenbao.facts.amounts import parse_amount

    assert parse_amount("358.200.00") == Decimal("358200.00")
    assert parse_amount("2,752.247.78") == Decimal("2752247.78")
    assert parse_amount("1.234.567.89") == Decimal("1234567.89")
    # not amounts of that shape: a date, a version-like number, three decimals
    assert parse_amount("2024.10.12") is None
    assert parse_amount("12.345") == Decimal("12.345")
    assert parse_amount("1.234.5") is None
