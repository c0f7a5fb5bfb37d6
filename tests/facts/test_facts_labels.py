import pytest
from hypothesis import given, settings, strategies as st

from shenbao.facts.labels import field_filled, is_blank_value, label_pattern, labelled_value, labelled_values
from shenbao.model import Line


def test_colon_and_offsets():
    text = "项目名称：智能化改造项目\n申请单位（盖章）：三门峡某某有限公司"
    m = labelled_value(text, ["项目名称"])
    assert m.value == "智能化改造项目" and text[m.start:m.end] == m.value
    assert text[m.label_start:m.label_end] == "项目名称"


def test_spaced_label_and_next_label():
    m = labelled_value("项 目 名 称   智能化改造项目   项目联系人：张三", ["项目名称"])
    assert m.value == "智能化改造项目"
    m = labelled_value("项目联系人：张三 联系方式：13800000000", ["项目联系人"])
    assert m.value == "张三"


def test_seal_suffix_and_bracket_variants():
    assert labelled_value("申请单位（盖章）：三门峡某某有限公司", ["申请单位"]).value == "三门峡某某有限公司"
    assert labelled_value("申请单位(盖章): 三门峡某某有限公司", ["申请单位（盖章）"]).value == "三门峡某某有限公司"
    assert labelled_value("企业（单位）名称\t某某公司", ["企业(单位)名称"]).value == "某某公司"


def test_value_with_times_not_cut():
    assert labelled_value("查询时间：2025-07-20 10:15:32", ["查询时间"]).value == "2025-07-20 10:15:32"


def test_leftmost_of_several_labels_and_stop_labels():
    text = "联系方式：123 项目名称：X项目"
    assert labelled_value(text, ["项目名称", "联系方式"]).label == "联系方式"
    assert labelled_value("项目名称：X项目 备注 无", ["项目名称"], stop_labels=["备注"]).value == "X项目"
    assert [m.value for m in labelled_values("名称：A\n名称：B", ["名称"])] == ["A", "B"]


def test_standalone_labels():
    assert labelled_value("项目联系人：李四", ["联系人"]) is None
    assert labelled_value("项目联系人：李四", ["联系人"], standalone=False).value == "李四"
    # a label that starts with a bracket is standalone by construction
    assert labelled_value("价税合计（小写）¥113,000.00", ["（小写）"]).value == "¥113,000.00"


def test_absent_and_glued():
    assert labelled_value("没有标签", ["项目名称"]) is None
    assert labelled_value("项目名称智能化", ["项目名称"]) is None  # needs a separator
    assert labelled_value("项目名称：", ["项目名称"]).value == ""
    assert labelled_value("", ["项目名称"]) is None
    assert labelled_value("项目名称：x", []) is None


@pytest.mark.parametrize("text,expected", [
    ("填报日期： 年 月 日", False),
    ("填报日期：    年    月    日", False),
    ("填报日期：2025 年  月  日", False),
    ("填报日期：____年__月__日", False),
    ("填报日期：2025年8月1日", True),
    ("填报日期：2025-08-01", True),
    ("填报日期：", False),
    ("填报日期", False),
    ("填报日期（盖章）：", False),
    ("其他内容", None),
])
def test_field_filled_text(text, expected):
    assert field_filled(text, "填报日期") is expected


@pytest.mark.parametrize("value,blank", [
    ("", True), ("（盖章）", True), ("____", True), ("****", True), ("……", True), ("XXX", True),
    ("20  年度", True), ("2025年度", False), ("年 月", True), ("2025年6月", False), ("/", False),
    ("无", False), ("张三", False),
])
def test_is_blank_value(value, blank):
    assert is_blank_value(value) is blank


def test_field_filled_lines():
    lines = [
        Line("项目名称", (0.10, 0.20, 0.20, 0.23)), Line("XX智能化改造项目", (0.30, 0.20, 0.60, 0.23)),
        Line("填报日期", (0.10, 0.30, 0.20, 0.33)), Line("年   月   日", (0.30, 0.30, 0.60, 0.33)),
        Line("联系人：", (0.10, 0.40, 0.20, 0.43)), Line("联系方式：", (0.30, 0.40, 0.40, 0.43)),
        Line("项目联系人：李四", (0.10, 0.50, 0.40, 0.53)),
    ]
    assert field_filled(lines, "项目名称") is True
    assert field_filled(lines, "填报日期") is False
    assert field_filled(lines, "联系人") is False  # the next cell is another label
    assert field_filled(lines, "项目联系人") is True
    assert field_filled(lines, "电话") is None
    assert field_filled([], "电话") is None


def test_label_pattern_tolerates_spaces():
    import re
    assert re.fullmatch(label_pattern("项目名称："), "项 目\n名  称")
    assert re.fullmatch(label_pattern("合同/协议编号"), "合同／协议编号")


@settings(max_examples=300)
@given(st.text(), st.text(min_size=0, max_size=6))
def test_never_raises(text, label):
    m = labelled_value(text, [label])
    if m:
        assert text[m.start:m.end] == m.value
    field_filled(text, label)
    is_blank_value(text)
    field_filled([Line(text, (0.1, 0.1, 0.2, 0.12)), Line(label, (0.0, 0.1, 0.05, 0.12))], label)


def test_a_lone_character_first_in_a_row_does_not_split_the_row():
    """A digit cut by a photo's right edge sits half a line higher than the row it belongs to and
    comes first by height: the row's label and value stay one row with it, as they would without."""
    from shenbao.facts.labels import page_rows
    from shenbao.model import Line

    stray = Line("7", (0.98, 0.287, 1.0, 0.318), 0.6)
    label_head = Line("名", (0.086, 0.307, 0.105, 0.33), 1.0)
    label_tail = Line("称：", (0.164, 0.305, 0.205, 0.327), 1.0)
    value = Line("衡阳市雁峰区恒通机电设备有限公司", (0.195, 0.302, 0.425, 0.328), 0.95)
    under = Line("纳税人识别号：", (0.087, 0.336, 0.19, 0.362), 1.0)
    rows = page_rows([stray, label_head, label_tail, value, under])
    assert [[l.text for l in r] for r in rows] == [["名", "称：", "衡阳市雁峰区恒通机电设备有限公司", "7"], ["纳税人识别号："]]
    # a first line of two characters or more anchors its row alone, as before (no chaining of
    # rows through their neighbours): “名” is not level with it
    wide = Line("备注", (0.56, 0.287, 0.60, 0.318), 0.9)
    rows = page_rows([wide, label_head, label_tail, value])
    assert [[l.text for l in r] for r in rows] == [["称：", "衡阳市雁峰区恒通机电设备有限公司", "备注"], ["名"]]
