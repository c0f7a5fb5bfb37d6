import pytest
from hypothesis import given, settings, strategies as st

from shenbao.facts.credit_code import (
    AUTHORITIES, CHARSET, check_digit, find_credit_codes, generate_code, is_valid_credit_code,
    org_code_check, org_code_valid, suggest_fix,
)

REAL = ["914403001922038216", "91350100M000100Y43"]  # published codes (Huawei; GB example)


@pytest.mark.parametrize("code", REAL)
def test_real_codes_validate(code):
    assert is_valid_credit_code(code)
    assert is_valid_credit_code(code, strict=True)
    assert check_digit(code[:17]) == code[17]


@pytest.mark.parametrize("code", [
    "91440300192203821X",  # wrong check char
    "914403001922038216 ", "91440300192203821", "9144030019220382161",
    "914403OO1922038216",  # letters O outside the charset
    "91350100M000100Y43".lower(), "", None, 914403001922038216,
])
def test_invalid(code):
    assert not is_valid_credit_code(code)


def test_charset_excludes_confusables():
    assert len(CHARSET) == 31
    assert not set("IOSVZ") & set(CHARSET)
    assert check_digit("91440300192203821") == "6"
    assert check_digit("9144030019220382I") is None
    assert check_digit("short") is None


def test_org_code():
    # D=13: 13*3+2*7+1*9+4*10+3*5+5*8+6*4+9*2 = 199; 11 - 199 % 11 = 10 -> "X"
    assert org_code_check("D2143569") == "X"
    assert org_code_valid("D2143569-X")
    assert not org_code_valid("D2143569-1")
    assert org_code_valid("192203821")  # chars 9-17 of the Huawei code


def test_find_labelled_and_bare():
    text = ("企业名称：华为技术有限公司\n统一社会信用代码：9144 0300 1922 0382 16\n"
            "另一处 914403OO1922038216，身份证号 11010519491231002X，发票号 12345678901234567890")
    found = find_credit_codes(text)
    assert [(m.code, m.valid, m.label, m.suggestion) for m in found] == [
        ("914403001922038216", True, "统一社会信用代码", None),
        ("914403OO1922038216", False, None, "914403001922038216"),
    ]
    for m in found:
        assert text[m.start:m.end].replace(" ", "").upper() == m.code


def test_labelled_invalid_is_reported_not_fixed():
    (m,) = find_credit_codes("纳税人识别号:91440300192203821X")
    assert m.code == "91440300192203821X" and not m.valid and m.suggestion is None
    (m,) = find_credit_codes("信用代码（统一）：９１３５０１００Ｍ０００１００Ｙ４３")
    assert m.valid and m.code == "91350100M000100Y43"


def test_bare_invalid_ignored():
    assert find_credit_codes("ABCDEFGHJKLMNPQRTU") == []
    assert find_credit_codes("编号 914403001922038216X") == []  # 19 characters


def test_suggest_fix():
    assert suggest_fix("914403OO1922038216") == "914403001922038216"
    assert suggest_fix("914403001922038216") is None
    assert suggest_fix("91440300192203821X") is None


body17 = st.tuples(st.sampled_from(sorted(AUTHORITIES)), st.sampled_from(CHARSET),
                   st.text(alphabet="0123456789", min_size=6, max_size=6),
                   st.text(alphabet=CHARSET, min_size=9, max_size=9)).map("".join)


@settings(max_examples=500)
@given(body17)
def test_generated_codes_validate(body):
    code = generate_code(body)
    assert code is not None and is_valid_credit_code(code)
    found = find_credit_codes(f"统一社会信用代码：{code}")
    assert [(m.code, m.valid) for m in found] == [(code, True)]


@settings(max_examples=500)
@given(body17, st.integers(min_value=0, max_value=17), st.sampled_from(CHARSET))
def test_single_substitution_always_detected(body, pos, ch):
    code = generate_code(body)
    bad = code[:pos] + ch + code[pos + 1:]
    assert is_valid_credit_code(bad) == (bad == code)


def test_single_substitution_exhaustive():
    """Mod 31 is prime and no weight is 0 mod 31, so every substitution is caught."""
    code = REAL[0]
    for pos in range(18):
        for ch in CHARSET:
            if ch != code[pos]:
                assert not is_valid_credit_code(code[:pos] + ch + code[pos + 1:])


@settings(max_examples=300)
@given(st.text())
def test_never_raises(text):
    for m in find_credit_codes(text):
        assert len(m.code) == 18
        assert m.valid == is_valid_credit_code(m.code)
        if m.suggestion:
            assert is_valid_credit_code(m.suggestion)
    is_valid_credit_code(text)
    check_digit(text)
    suggest_fix(text)
    org_code_valid(text)
