from tests.pipeline import APPLICANT, doc, findings, invoice_rows, licence, run, sheet_doc


def test_payer_on_the_invoice_list_that_is_another_company():
    report = run([doc("营业执照.pdf", licence()), sheet_doc("发票清单.xlsx", invoice_rows(payer="三门峡市宏大智能装备有限公司"))])
    fs = findings(report, "name-mismatch")
    assert fs and all(f["path"] == "发票清单.xlsx" for f in fs)
    assert "三门峡市宏大智能装备有限公司" in fs[0]["message"] and APPLICANT in fs[0]["message"]


def test_same_name_with_full_width_brackets_and_spaces_matches():
    name = "三门峡市宏达智能装备(河南)有限公司"
    lic = licence(name=name)
    form = "三门峡市“三大改造”项目申请表\n企业（单位）名称 三门峡市宏达智能装备（河南）有限公司\n计划总投资 500\n累计完成投资 300"
    assert findings(run([doc("营业执照.pdf", lic), doc("申请表.pdf", form)]), "name-mismatch") == []


def test_one_character_off_in_an_ocr_reading_is_not_reported():
    form = f"三门峡市“三大改造”项目申请表\n企业（单位）名称 {APPLICANT.replace('达', '法')}\n计划总投资 500\n累计完成投资 300"
    report = run([doc("营业执照.pdf", licence()), doc("申请表.jpg", form, source="ocr", confidence=0.9)])
    assert findings(report, "name-mismatch") == []


def test_garbled_ocr_reading_of_the_applicant_is_uncertain_not_an_error():
    form = "三门峡市“三大改造”项目申请表\n企业（单位）名称 门峡宏智装备有限公司\n计划总投资 500\n累计完成投资 300"
    report = run([doc("营业执照.pdf", licence()), doc("申请表.jpg", form, source="ocr", confidence=0.95)])
    [f] = findings(report, "name-mismatch")
    assert f["uncertain"] and f["severity"] == "warning"


def test_another_company_read_by_ocr_is_still_an_error():
    form = "三门峡市“三大改造”项目申请表\n企业（单位）名称 郑州远东机器人科技有限公司\n计划总投资 500\n累计完成投资 300"
    report = run([doc("营业执照.pdf", licence()), doc("申请表.jpg", form, source="ocr", confidence=0.95)])
    [f] = findings(report, "name-mismatch")
    assert f["severity"] == "error" and not f["uncertain"]


def test_a_misread_licence_does_not_make_every_correct_name_a_mismatch():
    """The applicant's name is the consensus of the licence and the forms, text layers counting most."""
    scanned_licence = doc("执照.jpg", licence(name=APPLICANT.replace("达", "法")), source="ocr", confidence=0.97)
    form = f"三门峡市“三大改造”项目申请表\n企业（单位）名称 {APPLICANT}\n计划总投资 500\n累计完成投资 300"
    cover = f"三门峡市2025年度“三大改造”暨新一代信息技术融合应用项目申请报告\n项目名称：改造\n申请单位（盖章）：{APPLICANT}\n填报日期：2025年8月5日"
    report = run([scanned_licence, doc("申请表.pdf", form), doc("封面.pdf", cover)])
    assert report["applicant"]["name"] == APPLICANT
    # The licence's one-character OCR slip is a reading error, not another company.
    assert findings(report, "name-mismatch") == []


def test_another_company_typed_on_the_declaration():
    decl = ("申报真实性声明\n我单位郑重声明：所提交的申报2025年度“三大改造”项目及材料真实、合法。\n特此声明。\n"
            "单位法人代表（手写签字）：\n单位盖章：三门峡锦程煤化工有限公司\n2025年8月8日")
    report = run([doc("营业执照.pdf", licence()), doc("声明.pdf", decl)])
    [f] = findings(report, "name-mismatch")
    assert f["path"] == "声明.pdf" and "三门峡锦程煤化工有限公司" in f["message"] and f["severity"] == "error"


def test_another_company_on_an_ocr_declaration_is_an_error_despite_shared_boilerplate():
    decl = "申报真实性声明\n我单位郑重声明：所提交的申报材料真实、合法。\n特此声明。\n单位盖章：三门峡锦程煤化工有限公司\n2025年8月8日"
    report = run([doc("营业执照.pdf", licence()), doc("声明.jpg", decl, source="ocr", confidence=0.97)])
    [f] = findings(report, "name-mismatch")
    assert f["severity"] == "error" and not f["uncertain"]
