import pytest
from hypothesis import given, settings, strategies as st

from shenbao.facts.names import (
    compare_company_names, edit_distance, find_company_name_matches, find_company_names,
    name_similarity, normalize_company_name, same_company,
)


def test_labelled_name_first():
    text = "本公司向华为技术有限公司采购。\n企业名称：三门峡市某某机械制造有限公司\n统一社会信用代码：914403001922038216"
    assert find_company_names(text) == ["三门峡市某某机械制造有限公司", "华为技术有限公司"]
    m = find_company_name_matches(text)[0]
    assert m.label == "企业名称" and text[m.start:m.end] == m.raw


@pytest.mark.parametrize("text,expected", [
    ("申请单位（盖章）：河南某某科技股份有限公司", ["河南某某科技股份有限公司"]),
    ("企 业 名 称  三门峡某某有限责任公司", ["三门峡某某有限责任公司"]),
    ("付款方名称 三门峡（灵宝）某某有限公司 收款方名称 上海某某有限公司北京分公司",
     ["三门峡(灵宝)某某有限公司", "上海某某有限公司北京分公司"]),
    ("河南某某会计师事务所（特殊普通合伙）出具审计报告", ["河南某某会计师事务所(特殊普通合伙)"]),
    ("三门峡市第二机械厂", ["三门峡市第二机械厂"]),
    ("纳税人名称：灵宝市某某种植专业合作社", ["灵宝市某某种植专业合作社"]),
    ("单位名称：三门峡市中心医院", ["三门峡市中心医院"]),  # labelled, no company suffix
    ("项目名称：智能化改造项目", []),  # 名称 inside 项目名称 is not a company label
    ("由三门峡某某有限责任公司开具发票", ["三门峡某某有限责任公司"]),
    ("本公司 该公司 有限公司 我公司", []),
])
def test_find_company_names(text, expected):
    assert find_company_names(text) == expected


def test_normalize():
    assert normalize_company_name(" 三门峡（灵宝）某某 有限公司（盖章） ") == "三门峡(灵宝)某某有限公司"
    assert normalize_company_name("三门峡【灵宝】某某有限公司：") == "三门峡(灵宝)某某有限公司"
    assert normalize_company_name("ＡＢＣ科技有限公司") == "ABC科技有限公司"
    assert normalize_company_name(None) == ""


def test_same_company():
    assert same_company("三门峡(灵宝)某某有限公司", "三门峡（灵宝）某某有限公司 ")
    assert same_company("三门峡市某某机械制造有限公司", "三门峡市某某机械製造有限公司")  # one OCR char
    assert not same_company("三门峡市某某机械制造有限公司", "三门峡市某某机械製造有限公司", ocr_tolerance=False)
    assert not same_company("甲有限公司", "乙有限公司")  # short names: exact only
    assert not same_company("三门峡市甲乙机械有限公司", "三门峡市丙丁机械有限公司")  # two chars off
    assert not same_company("", "")
    c = compare_company_names("三门峡某某有限公司", "三门峡某某有限公司")
    assert c.exact and c.same and c.similarity == 1.0
    assert 0 < name_similarity("三门峡甲有限公司", "洛阳乙股份有限公司") < 0.7


def test_edit_distance():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3


@settings(max_examples=300)
@given(st.text(), st.text())
def test_never_raises(a, b):
    for m in find_company_name_matches(a):
        assert 0 <= m.start <= m.end <= len(a) and m.name
    normalize_company_name(a)
    same_company(a, b)


@settings(max_examples=200)
@given(st.text(alphabet="三门峡某机械制造有限公司（）() 盖章", min_size=1, max_size=20))
def test_same_company_reflexive_after_noise(name):
    if normalize_company_name(name):
        assert same_company(name, " " + name.replace("（", "(") + "（盖章）")


def test_distinctive_similarity_ignores_shared_region_and_form():
    from shenbao.facts.names import distinctive_similarity

    assert distinctive_similarity("三门峡锦程煤化工有限公司", "三门峡恒信铝业有限公司") == 0.0
    assert distinctive_similarity("义马华鑫黄金)有限公司", "义马华鑫黄金冶炼有限公司") >= 0.5


def test_trade_name_skips_province_city_and_county():
    from shenbao.facts.names import trade_name

    assert trade_name("河南华鼎铝业股份有限公司") == "华鼎"  # a province without 省
    assert trade_name("湖南省衡阳市雁峰区恒达机械有限公司") == "恒达"
    assert trade_name("内蒙古赤峰市松山区草原云科技有限公司") == "草原"
    assert trade_name("卢氏县青山矿业有限公司") == "青山"
    assert trade_name("义马华鑫黄金冶炼有限公司") == "华鑫"  # a city named without 市
