"""Property-based tests (hypothesis) of the parsers bad input reaches first: dates, amounts,
统一社会信用代码, and the program-pack loader.

Two kinds of property: *never raises* (any text, any object, any pack) and *round trip* (a value
written the way Chinese documents write it is read back exactly). CI runs a short budget;
``SHENBAO_FUZZ_EXAMPLES=20000`` (or ``scripts/fuzz.py --minutes N``) runs a long one. No example
database is written (``database=None``): the test run writes nothing into the repository.
"""
from __future__ import annotations

import copy
import datetime as dt
import os
import string
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shenbao.facts import amounts, credit_code, dates
from shenbao.programs import PackError, load_programs

EXAMPLES = int(os.environ.get("SHENBAO_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=EXAMPLES <= 150,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Text that looks like what OCR and PDF text layers give: CJK, digits (ASCII and full-width),
# date/amount punctuation, labels, spaces of every kind, and anything else now and then.
_PIECES = ["年", "月", "日", "号", "时", "分", "秒", "元", "万元", "亿元", "万", "圆", "角", "整", "人民币", "¥", "RMB",
           "〇", "○", "零", "一", "二", "三", "十", "廿", "卅", "壹", "贰", "叁", "拾", "佰", "仟", "伍", "陆",
           "统一社会信用代码", "税号", "：", ":", "-", "/", ".", ",", "，", "（", "）", "(", ")", " ", "\u3000",
           "\t", "\n", "−", "\u200b", "２０２５", "０", "日期", "查询时间", "合计", "大写"]
texty = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(alphabet=string.digits, min_size=1, max_size=9),
                           st.text(max_size=4)), max_size=30).map("".join)
anything = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                     st.decimals(allow_nan=True, allow_infinity=True), st.binary(max_size=8), texty,
                     st.lists(st.integers(), max_size=3), st.dates(), st.datetimes())


# --- dates -------------------------------------------------------------------------------------

_CN = "〇一二三四五六七八九"


def cn_small(n: int) -> str:
    if n < 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + ("" if ones == 0 else _CN[ones])


DATE_FORMATS = [
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}年{d.month:02d}月{d.day:02d}日",
    lambda d: f"{d.year} 年 {d.month} 月 {d.day} 日",
    lambda d: f"{d.year}-{d.month:02d}-{d.day:02d}",
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}",
    lambda d: "".join(_CN[int(c)] for c in str(d.year)) + f"年{cn_small(d.month)}月{cn_small(d.day)}日",
    lambda d: f"{d.year}年{d.month}月{d.day}日".translate(str.maketrans(string.digits, "０１２３４５６７８９")),
]
valid_dates = st.dates(min_value=dt.date(dates.MIN_YEAR, 1, 1), max_value=dt.date(dates.MAX_YEAR, 12, 31))
# Context that cannot glue onto a date: no digits, no date punctuation, no numerals.
context = st.text(alphabet="申报材料营业执照审计报告查询结果企业名称 ，。：", max_size=12)


@FUZZ
@given(texty)
def test_find_dates_never_raises_and_spans_are_honest(text):
    for m in dates.find_dates(text):
        assert 0 <= m.start < m.end <= len(text) and m.text == text[m.start:m.end]
        assert dates.MIN_YEAR <= m.date.year <= dates.MAX_YEAR
    for ym in dates.find_year_month(text):
        assert 1 <= ym.first_month <= ym.month <= 12 and ym.text == text[ym.start:ym.end]


@FUZZ
@given(anything)
def test_parse_date_and_datetime_take_any_object(value):
    d = dates.parse_date(value)
    assert d is None or isinstance(d, dt.date)
    t = dates.parse_datetime(value)
    assert t is None or isinstance(t, dt.datetime)


@FUZZ
@given(valid_dates, st.sampled_from(range(len(DATE_FORMATS))), context, context)
def test_dates_as_documents_write_them_are_read_back(d, fmt, before, after):
    written = DATE_FORMATS[fmt](d)
    assert dates.parse_date(written) == d, written
    found = [m.date for m in dates.find_dates(before + written + after)]
    assert d in found, (before + written + after, found)


@FUZZ
@given(valid_dates, st.times().map(lambda t: t.replace(microsecond=0)))
def test_timestamps_are_read_back(d, t):
    for written in (f"{d.isoformat()} {t.strftime('%H:%M:%S')}", f"{d.year}年{d.month:02d}月{d.day:02d}日 {t.hour:02d}时{t.minute:02d}分"):
        got = dates.parse_datetime(written)
        want = dt.datetime.combine(d, t if ":" in written[-3:] else t.replace(second=0))
        assert got == want, written


@FUZZ
@given(st.integers(min_value=0, max_value=9999), st.integers(min_value=0, max_value=99), st.integers(min_value=0, max_value=99))
def test_impossible_dates_are_not_dates(y, m, d):
    try:
        real = dt.date(y, m, d)
    except ValueError:
        real = None
    got = dates.parse_date(f"{y:04d}-{m:02d}-{d:02d}")
    if real is None or not (dates.MIN_YEAR <= y <= dates.MAX_YEAR):
        assert got is None
    else:
        assert got == real


# --- amounts -----------------------------------------------------------------------------------

_CAP = "零壹贰叁肆伍陆柒捌玖"


def capital(n: int) -> str:
    """Integer 元 (< 10^12) in 大写 as invoices print it: 壹佰贰拾叁万零伍拾元整."""
    if n == 0:
        return "零元整"

    def four(x: int) -> str:
        out, zero = "", False
        for unit, div in (("仟", 1000), ("佰", 100), ("拾", 10), ("", 1)):
            digit = x // div % 10
            if digit == 0:
                zero = bool(out)
            else:
                out += ("零" if zero else "") + _CAP[digit] + unit
                zero = False
        return out

    parts, out = [(n // 10**8) % 10**4, (n // 10**4) % 10**4, n % 10**4], ""
    for value, unit in zip(parts, ("亿", "万", "")):
        if value:
            if out and value < 1000:
                out += "零"
            out += four(value) + unit
        elif out and not out.endswith("零"):
            out += "零"
    return out.rstrip("零") + "元整"


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2)


@FUZZ
@given(texty)
def test_find_amounts_never_raises_and_values_are_finite(text):
    for plain in (False, True):
        for m in amounts.find_amounts(text, plain=plain):
            assert m.value.is_finite() and 0 <= m.start <= m.end <= len(text)


@FUZZ
@given(anything, st.sampled_from([None, "元", "万元", "亿元", "万", "  ", "kg"]))
def test_parse_amount_and_amount_in_yuan_take_any_object(value, hint):
    a = amounts.parse_amount(value)
    assert a is None or (isinstance(a, Decimal) and a.is_finite())
    b = amounts.amount_in_yuan(value, hint)
    assert b is None or (isinstance(b, Decimal) and b.is_finite())


@FUZZ
@given(money, st.sampled_from(["{:,.2f}", "{:.2f}", "¥{:,.2f}", "￥{:,.2f}", "{:,.2f}元", "人民币{:,.2f}元", "RMB {:,.2f}"]))
def test_amounts_as_invoices_write_them_are_read_back(value, fmt):
    written = fmt.format(value)
    assert amounts.parse_amount(written) == value, written


@FUZZ
@given(st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99999.9999"), places=4))
def test_wan_yuan_amounts_are_converted(value):
    assert amounts.parse_amount(f"{value}万元") == value * 10000
    assert amounts.amount_in_yuan(str(value), "万元") == value * 10000


@FUZZ
@given(st.integers(min_value=0, max_value=999_999_999_999))
def test_capital_numerals_are_read_back(n):
    written = capital(n)
    assert amounts.parse_amount("人民币" + written) == Decimal(n), written


# --- credit codes ------------------------------------------------------------------------------

body17 = st.text(alphabet=credit_code.CHARSET, min_size=17, max_size=17)


@FUZZ
@given(body17)
def test_generated_codes_are_valid_and_any_single_change_is_caught(body):
    code = credit_code.generate_code(body)
    assert code and credit_code.is_valid_credit_code(code)
    for i in range(18):
        for c in credit_code.CHARSET[:5] + credit_code.CHARSET[-3:]:
            if c != code[i]:
                assert not credit_code.is_valid_credit_code(code[:i] + c + code[i + 1:])


@FUZZ
@given(body17, context, st.sampled_from(["统一社会信用代码：", "统一社会信用代码 ", "纳税人识别号:", "税号："]))
def test_labelled_codes_are_found(body, before, label):
    code = credit_code.generate_code(body)
    found = credit_code.find_credit_codes(before + label + code + "。")
    assert any(m.code == code and m.valid for m in found), found


@FUZZ
@given(st.one_of(texty, st.text(alphabet=credit_code.CHARSET + "OISVZ -", max_size=40)))
def test_credit_code_functions_never_raise(text):
    for m in credit_code.find_credit_codes(text):
        assert len(m.code) == 18 and 0 <= m.start < m.end <= len(text)
        assert m.valid == credit_code.is_valid_credit_code(m.code)
        if m.suggestion:
            assert credit_code.is_valid_credit_code(m.suggestion) and m.suggestion != m.code
    credit_code.check_digit(text)
    credit_code.is_valid_credit_code(text)
    credit_code.org_code_valid(text)
    fix = credit_code.suggest_fix(text)
    assert fix is None or (fix != text and credit_code.is_valid_credit_code(fix))


# --- program packs -----------------------------------------------------------------------------

PACK_DIR = Path(__file__).resolve().parents[1] / "plugins" / "smx2025"


def _packs() -> list[dict]:
    out = []
    for p in sorted(PACK_DIR.glob("*.yaml")):
        d = yaml.safe_load(p.read_text("utf-8"))
        d["__origin__"] = str(p)
        out.append(d)
    return out


PACKS = _packs()
json_value = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                                    st.text(max_size=12), st.dates()),
                          lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                  st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                          max_leaves=12)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


@st.composite
def mutated_packs(draw):
    """The real packs with a few random edits: a value replaced, a key deleted or added."""
    packs = copy.deepcopy(PACKS)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        pack = draw(st.sampled_from(packs))
        paths = [p for p in _paths(pack) if p and p[0] != "__origin__"]
        path = draw(st.sampled_from(paths))
        parent = pack
        for key in path[:-1]:
            parent = parent[key]
        op = draw(st.sampled_from(["replace", "delete", "add"]))
        if op == "replace":
            parent[path[-1]] = draw(json_value)
        elif op == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(json_value)
    return packs


def _load(items):
    try:
        return load_programs(items)
    except PackError as exc:
        msg = str(exc)
        assert msg and "Traceback" not in msg
        return exc


@FUZZ
@given(mutated_packs())
def test_mutated_program_packs_load_or_give_a_pack_error(packs):
    out = _load(packs)
    if isinstance(out, PackError):
        assert any(p["__origin__"] in str(out) for p in packs), str(out)
    else:
        for prog in out.values():
            assert prog.notice_date <= prog.deadline or True  # loaded programs are usable objects
            assert isinstance(prog.materials, list) and isinstance(prog.checks, list)


@FUZZ
@given(st.dictionaries(st.sampled_from(["id", "extends", "title", "notice_date", "deadline", "materials", "checks",
                                        "params", "binding", "basis", "abstract", "source"]) | st.text(max_size=6),
                       json_value, max_size=8))
def test_arbitrary_dicts_load_or_give_a_pack_error(pack):
    _load([pack])
    _load([dict(pack, id="x-y"), dict(pack, id="z", extends="x-y")])


@FUZZ
@given(st.one_of(st.text(max_size=200), st.builds(yaml.safe_dump, json_value),
                 st.sampled_from(["a: &a [*a]", "a: !!python/object:os.system {}", "- a\n- b", "{", "\t\x00", ""]),
                 st.builds(lambda n: "x0: &x0 [1]\n" + "".join(f"x{i}: &x{i} [*x{i-1},*x{i-1}]\n" for i in range(1, n)), st.integers(1, 40))))
def test_any_yaml_file_loads_or_gives_a_pack_error_naming_it(tmp_path_factory, text):
    p = tmp_path_factory.mktemp("packs") / "pack.yaml"
    p.write_text(text, "utf-8")
    out = _load([p])
    if isinstance(out, PackError):
        assert str(p) in str(out)


def test_the_yaml_billion_laughs_is_refused_quickly(tmp_path):
    p = tmp_path / "lol.yaml"
    p.write_text("id: lol\n" + "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i-1},*a{i-1},*a{i-1}]\n" for i in range(1, 400)), "utf-8")
    with pytest.raises(PackError, match="alias"):
        load_programs([p])
