from tests.pipeline import doc, findings, run

FORM = """三门峡市“三大改造”项目申请表
申报单位（盖章）：三门峡市宏达智能装备有限公司
企业（单位）名称 三门峡市宏达智能装备有限公司
法人代表 张伟 联系方式 13939800000
项目名称 {name}
计划总投资 800 累计完成投资 600
区间付款金额（万元） 230
申报类别 智能化改造 申请金额（万元） 57
县（市、区）工信主管部门意见（盖章）
年 月 日"""


def test_blank_project_name_on_the_application_form():
    [f] = findings(run([doc("申请表.pdf", FORM.format(name=""))]), "field-blank")
    assert "项目名称" in f["message"] and f["page"] == 1 and f["material"] == "application_form"


def test_filled_form_passes_and_county_blocks_are_blank_at_enterprise_stage():
    report = run([doc("申请表.pdf", FORM.format(name="智能化生产线改造项目"))])
    assert findings(report, "field-blank") == []


def test_county_stage_requires_the_county_blocks():
    report = run([doc("申请表.pdf", FORM.format(name="智能化生产线改造项目"))], stage="county")
    assert any("工信主管部门意见" in f["message"] for f in findings(report, "field-blank"))
