"""The licence reader on the shapes OCR makes of a 营业执照: labels glued to values, label characters
spread apart, two columns interleaving, wrapped 住所, the credit code under its label next to a
证照编号, and 个体工商户 licences."""
import datetime as dt

from shenbao.facts.collect import _licence
from shenbao.facts.credit_code import generate_code
from shenbao.facts.licence import licence_facts
from shenbao.model import SOURCE_OCR, SOURCE_TEXT_LAYER, Code, Document, Line, Page

CODE = generate_code("91411202MA9F3K2L0")
OTHER = generate_code("91440101MA5CM85X0")


def page(pieces, *, codes=(), source=SOURCE_OCR, conf=0.98, seals=()):
    lines = [Line(t, (x0, y0, x1, y1), conf) for t, x0, y0, x1, y1 in pieces]
    return Page(1, 1680.0, 1048.0, text="\n".join(t for t, *_ in pieces), lines=lines, source=source,
                confidence=conf, codes=[Code(c, (0.69, 0.25, 0.76, 0.35)) for c in codes], seals=list(seals))


def facts_of(p: Page) -> dict:
    doc = Document("执照.jpg", "image", pages=[p])
    out = {}
    for f in licence_facts(doc, p):
        out.setdefault(f.kind, f)
    return out


def company_licence(code=CODE, codes=()):
    """A new-style licence as OCR reads it: 证照编号 over the credit code, the code under its label,
    two columns whose pieces interleave row by row, label characters apart, values glued to labels,
    a 住所 wrapping onto a second line."""
    return page([
        ("证照编号：14000000202401120008", 0.143, 0.204, 0.33, 0.229),
        ("统一社会信用代码", 0.143, 0.246, 0.28, 0.272), ("营业执照", 0.369, 0.214, 0.62, 0.32),
        (code, 0.142, 0.284, 0.30, 0.306),
        ("(副本)", 0.462, 0.317, 0.531, 0.357),
        ("名", 0.143, 0.41, 0.163, 0.44), ("称", 0.202, 0.412, 0.223, 0.438),
        ("三门峡市宏达智能装备有限公司", 0.226, 0.407, 0.46, 0.437),
        ("注册资本壹仟万元整", 0.535, 0.406, 0.70, 0.44),
        ("类", 0.143, 0.458, 0.162, 0.49), ("型", 0.204, 0.463, 0.22, 0.488),
        ("有限责任公司(自然人投资或控股)", 0.226, 0.46, 0.40, 0.485),
        ("成立日期2024年01月12日", 0.535, 0.457, 0.72, 0.491),
        ("法定代表人", 0.143, 0.51, 0.223, 0.54), ("王建国", 0.226, 0.511, 0.27, 0.536),
        ("营业期限", 0.535, 0.509, 0.625, 0.542), ("2024年01月12日至长期", 0.63, 0.51, 0.76, 0.536),
        ("经营范围", 0.143, 0.561, 0.224, 0.59), ("一般项目：智能装备制造；", 0.226, 0.56, 0.45, 0.586),
        ("住", 0.537, 0.56, 0.557, 0.59), ("所", 0.594, 0.56, 0.61, 0.59),
        ("河南省三门峡市湖滨区崤山路", 0.63, 0.557, 0.86, 0.586),
        ("机械设备销售。", 0.226, 0.595, 0.35, 0.62), ("88号院3号楼", 0.63, 0.592, 0.74, 0.62),
        ("登记机关", 0.611, 0.735, 0.702, 0.764),
        ("2024年01月12日", 0.707, 0.842, 0.84, 0.866),
    ], codes=codes)


def test_company_licence():
    f = facts_of(company_licence())
    assert f["licence_name"].value == "三门峡市宏达智能装备有限公司"
    assert f["credit_code"].value == CODE and f["credit_code"].confidence > 0.9
    assert f["licence_number"].value == "14000000202401120008"
    assert f["licence_type"].value == "有限责任公司(自然人投资或控股)"
    assert f["legal_rep"].value == "王建国"
    assert f["registered_capital"].value == "壹仟万元整"
    assert f["established_date"].value == dt.date(2024, 1, 12)
    assert f["term"].value == "2024年01月12日至长期"
    assert f["address"].value == "河南省三门峡市湖滨区崤山路88号院3号楼"  # wrapped onto a second line
    assert "authority" not in f  # the label's value is the seal, none read here


def test_licence_number_is_never_the_credit_code():
    p = page([("编号：921MA190538210301", 0.143, 0.204, 0.267, 0.229), ("营业执照", 0.369, 0.214, 0.62, 0.32),
              ("名称：某某科技有限公司", 0.143, 0.41, 0.40, 0.44)])
    f = facts_of(p)
    assert f["licence_number"].value == "921MA190538210301"
    assert "credit_code" not in f


def test_invalid_printed_code_is_reported_as_printed_and_uncertain():
    bad = CODE[:17] + ("0" if CODE[17] != "0" else "1")
    f = facts_of(company_licence(code=bad))
    assert f["credit_code"].value == bad and f["credit_code"].confidence <= 0.5
    short = facts_of(company_licence(code=CODE[:17]))["credit_code"]
    assert short.value == CODE[:17] and short.confidence <= 0.5 and "17 位" in short.text


def test_qr_code_checks_the_printed_code():
    agree = facts_of(company_licence(codes=[f"http://www.gsxt.gov.cn/index.html?uniscid={CODE}"]))
    assert agree["credit_code"].value == CODE and agree["credit_code"].confidence > 0.9
    misread = CODE[:5] + ("8" if CODE[5] != "8" else "3") + CODE[6:]  # one character misread by OCR
    fixed = facts_of(company_licence(code=misread, codes=[f"http://www.gsxt.gov.cn/index.html?uniscid={CODE}"]))
    assert fixed["credit_code"].value == CODE and "二维码" in fixed["credit_code"].text
    other = facts_of(company_licence(codes=[f"http://www.gsxt.gov.cn/index.html?uniscid={OTHER}"]))
    assert other["credit_code"].value == CODE and other["credit_code"].confidence <= 0.5
    assert OTHER in other["credit_code"].text


def individual_licence():
    """A 个体工商户 licence: 经营者, 组成形式, 经营场所, 注册日期, and a name without 公司."""
    return page([
        ("营业执照", 0.369, 0.214, 0.62, 0.32),
        ("统一社会信用代码 " + CODE, 0.143, 0.26, 0.45, 0.29),
        ("名 称 湖滨区惠民便利店", 0.143, 0.41, 0.40, 0.44),
        ("类 型 个体工商户", 0.143, 0.46, 0.35, 0.49),
        ("经 营 者 张三", 0.143, 0.51, 0.30, 0.54),
        ("组成形式 个人经营", 0.535, 0.41, 0.72, 0.44),
        ("注册日期 2020年03月05日", 0.535, 0.46, 0.76, 0.49),
        ("经营场所 河南省三门峡市湖滨区", 0.535, 0.51, 0.86, 0.54),
        ("黄河路12号", 0.61, 0.545, 0.70, 0.57),
        ("经营范围 日用百货零售", 0.143, 0.56, 0.40, 0.59),
    ])


def test_individual_business_licence():
    f = facts_of(individual_licence())
    assert f["licence_name"].value == "湖滨区惠民便利店"
    assert f["legal_rep"].value == "张三"
    assert f["licence_type"].value == "个体工商户"
    assert f["established_date"].value == dt.date(2020, 3, 5)
    assert f["address"].value == "河南省三门峡市湖滨区黄河路12号"
    assert f["credit_code"].value == CODE


def test_collect_takes_the_individual_name_as_the_applicant():
    p = individual_licence()
    got = {f.kind: f for f in _licence(Document("执照.jpg", "image", pages=[p]), p)}
    assert got["applicant_name"].value == "湖滨区惠民便利店"
    assert got["established_date"].value == dt.date(2020, 3, 5)


def test_one_ocr_line_holding_both_columns():
    """OCR merged a row of both columns into one line: each label's value stops at the next label."""
    p = page([("营业执照", 0.369, 0.214, 0.62, 0.32),
              ("名称河南华鼎铝业股份有限公司 注册资本伍仟万元整", 0.143, 0.41, 0.80, 0.44),
              ("类型股份有限公司(非上市) 成立日期2009年11月13日", 0.143, 0.46, 0.80, 0.49),
              ("法定代表人李四 营业期限长期", 0.143, 0.51, 0.80, 0.54),
              ("住所河南省郑州市金水区花园路1号", 0.143, 0.56, 0.80, 0.59)])
    f = facts_of(p)
    assert f["licence_name"].value == "河南华鼎铝业股份有限公司"
    assert f["registered_capital"].value == "伍仟万元整"
    assert f["licence_type"].value == "股份有限公司(非上市)"
    assert f["established_date"].value == dt.date(2009, 11, 13)
    assert f["legal_rep"].value == "李四"
    assert f["term"].value == "长期"
    assert f["address"].value == "河南省郑州市金水区花园路1号"


def test_text_layer_without_boxes():
    text = (f"营业执照\n统一社会信用代码：{CODE}\n名      称：洛阳中科机械有限公司\n住      所：洛阳市涧西区\n"
            "法定代表人：赵六\n成立日期：2015年06月30日\n登记机关：洛阳市市场监督管理局")
    p = Page(1, 595, 842, text=text, source=SOURCE_TEXT_LAYER)
    f = facts_of(p)
    assert f["licence_name"].value == "洛阳中科机械有限公司" and f["licence_name"].confidence == 1.0
    assert f["address"].value == "洛阳市涧西区"
    assert f["legal_rep"].value == "赵六"
    assert f["established_date"].value == dt.date(2015, 6, 30)
    assert f["authority"].value == "洛阳市市场监督管理局"
    assert f["credit_code"].value == CODE


def test_authority_from_the_seal():
    from shenbao.model import Seal

    p = company_licence()
    p.seals = [Seal((0.6, 0.7, 0.8, 0.9), 0.9, text="三门峡市湖滨区市场监督管理局 登记专用章", text_confidence=0.8)]
    f = facts_of(p)
    assert f["authority"].value == "三门峡市湖滨区市场监督管理局" and f["authority"].confidence <= 0.6


def test_nothing_on_an_empty_page():
    assert licence_facts(Document("x.jpg", "image"), Page(1, 100, 100)) == []


def test_spread_label_characters_boxed_with_the_value_or_stacked_in_one_box():
    """OCR of “名      称” boxes 称 with the value (“称上海某某有限公司”) and 名 with the 类 of the
    next row in one tall box (“名类”); 住 alone and 所 glued to the address; wrapped 经营范围 of the
    left column beside a 营业期限 in the right one."""
    p = page([
        ("统一社会信用代码", 0.101, 0.312, 0.246, 0.337), (CODE, 0.102, 0.35, 0.218, 0.369),
        ("称洛阳恒远阀门制造有限公司", 0.179, 0.47, 0.419, 0.5), ("注册资本人民币800万元整", 0.559, 0.468, 0.82, 0.496),
        ("名类", 0.1, 0.468, 0.121, 0.543), ("型", 0.182, 0.516, 0.201, 0.539),
        ("有限责任公司(自然人独资)", 0.204, 0.516, 0.428, 0.542), ("成立日期 2016年03月02日", 0.559, 0.511, 0.77, 0.539),
        ("法定代表人王建平", 0.1, 0.553, 0.239, 0.585),
        ("营业期限 2016年03月02日至 2046年03月01日", 0.559, 0.554, 0.897, 0.582),
        ("经营范围", 0.102, 0.599, 0.199, 0.623), ("阀门、管件的制造与销售；机械设备", 0.205, 0.601, 0.545, 0.621),
        ("住", 0.559, 0.595, 0.58, 0.624), ("所河南省洛阳市涧西区华山路18号", 0.638, 0.597, 0.887, 0.625),
        ("租赁。（依法须经批准的项目，经相关部门批准后方可开展经营活动）", 0.206, 0.618, 0.545, 0.638),
    ])
    f = facts_of(p)
    assert f["licence_name"].value == "洛阳恒远阀门制造有限公司"
    assert f["licence_type"].value == "有限责任公司(自然人独资)"
    assert f["address"].value == "河南省洛阳市涧西区华山路18号"
    assert f["term"].value.replace(" ", "") == "2016年03月02日至2046年03月01日"


def _name_over(second_line: str, first: str = "三门峡永兴化工有限公司"):
    """A 名称 whose 类型 label was not read: the next line starts under the name's first character."""
    return page([
        ("名称", 0.143, 0.41, 0.20, 0.44), (first, 0.226, 0.407, 0.46, 0.437),
        (second_line, 0.226, 0.452, 0.40, 0.48),
        ("法定代表人", 0.143, 0.51, 0.223, 0.54), ("王建国", 0.226, 0.511, 0.27, 0.536),
    ])


def test_a_company_type_under_a_complete_name_is_not_part_of_the_name():
    for kind in ("其他有限责任公司", "有限责任公司(自然人投资或控股)", "股份有限公司（非上市）"):
        assert facts_of(_name_over(kind))["licence_name"].value == "三门峡永兴化工有限公司", kind


def test_a_name_that_really_wraps_keeps_its_second_line():
    f = facts_of(_name_over("三门峡分公司", first="河南中原智能装备制造有限公司"))
    assert f["licence_name"].value == "河南中原智能装备制造有限公司三门峡分公司"
    f = facts_of(_name_over("有限公司", first="三门峡市湖滨区永兴智能装备科技"))  # legal form on the next line
    assert f["licence_name"].value == "三门峡市湖滨区永兴智能装备科技有限公司"
