from tests.pipeline import (APPLICANT, application_form, declaration, doc, findings, invoice_rows, licence, looked, run, seal,
                            sheet_doc, signature_field)


def _decl(seals):
    return looked(doc("声明.pdf", declaration()), {1: seals}, {1: [signature_field()]})


def test_declaration_with_the_applicants_seal_passes():
    assert findings(run([_decl([seal()])]), "seal-missing") == []


def test_declaration_without_any_seal_is_an_error_at_the_stamp_label():
    [f] = findings(run([_decl([])]), "seal-missing")
    assert (f["path"], f["page"], f["material"], f["severity"]) == ("声明.pdf", 1, "declaration", "error")
    assert f["bbox"] is not None and "公章" in f["message"]


def test_another_companys_seal_is_not_the_applicants():
    [f] = findings(run([_decl([seal("洛阳市恒通贸易有限公司")])]), "seal-missing")
    assert "洛阳市恒通贸易有限公司" in f["message"] and f["bbox"] == [0.6, 0.7, 0.8, 0.85]
    assert not f["uncertain"]


def test_a_firm_of_the_same_place_and_trade_is_another_company():
    """Only the 字号 differs (宏达 / 明珠): most of the name is shared, the seal is still not the applicant's."""
    other = APPLICANT.replace("宏达", "明珠")
    assert other != APPLICANT
    [f] = findings(run([_decl([seal(other)])]), "seal-missing")
    assert other in f["message"] and not f["uncertain"]


def test_the_applicants_seal_read_with_ocr_slips_is_still_the_applicants():
    slipped = APPLICANT.replace("三门峡", "三门快").replace("装备", "装各")  # the 字号 read right
    assert slipped != APPLICANT
    assert findings(run([_decl([seal(slipped)])]), "seal-missing") == []


def test_a_seal_whose_text_cannot_be_read_counts_as_the_applicants():
    assert findings(run([_decl([seal("", issuer="unknown")])]), "seal-missing") == []


def test_a_faint_possible_seal_is_uncertain_not_an_error():
    [f] = findings(run([_decl([seal(confidence=0.3)])]), "seal-missing")
    assert f["uncertain"] and f["severity"] == "warning"


def test_a_tax_bureau_seal_alone_is_not_the_applicants_seal():
    [f] = findings(run([_decl([seal("国家税务总局三门峡市湖滨区税务局", issuer="tax")])]), "seal-missing")
    assert f["page"] == 1 and not f["uncertain"]


def test_pages_that_were_not_looked_at_are_not_judged():
    # a spreadsheet (no page image) can carry no seal: nothing to report
    report = run([sheet_doc("发票清单.xlsx", invoice_rows())])
    assert findings(report, "seal-missing") == []


def _invoice_list(seals_by_page):
    text = "\n".join("\t".join("" if v is None else str(v) for v in r) for r in invoice_rows())
    d = doc("发票清单.pdf", text, text.replace("合计", "续表"), text)
    return looked(d, seals_by_page)


def test_every_page_of_the_invoice_list_needs_the_company_seal():
    tax = seal("国家税务总局三门峡市湖滨区税务局", issuer="tax", bbox=(0.1, 0.7, 0.3, 0.85))
    report = run([_invoice_list({1: [seal()], 3: [seal(), tax]})])
    [f] = findings(report, "seal-missing")
    assert (f["path"], f["page"]) == ("发票清单.pdf", 2)


def test_invoice_list_without_the_tax_bureau_seal():
    report = run([_invoice_list({1: [seal()], 2: [seal()], 3: [seal()]})])
    [f] = findings(report, "seal-missing")
    assert f["page"] == 3 and "税务" in f["message"] and not f["uncertain"]


def test_an_unreadable_second_seal_may_be_the_tax_bureaus():
    report = run([_invoice_list({1: [seal()], 2: [seal()], 3: [seal(), seal("", issuer="unknown")]})])
    [f] = findings(report, "seal-missing")
    assert f["uncertain"] and f["page"] == 3


def test_county_blocks_are_checked_only_at_county_stage():
    form = looked(doc("申请表.pdf", application_form()), {1: [seal(bbox=(0.6, 0.45, 0.8, 0.55))]})
    assert findings(run([form]), "seal-missing") == []
    county = findings(run([form], stage="county"), "seal-missing")
    assert {f["message"][:20] for f in county} and len(county) == 2
    assert all("县级审核栏" in f["message"] for f in county)


# -- whose seal: foreign only when its text clearly names another company ------------------------

def _stamped_declaration(seal_text: str, text_confidence: float = 0.92):
    d = looked(doc("声明.pdf", declaration(APPLICANT)),
               {1: [seal(seal_text, issuer="company", text_confidence=text_confidence)]})
    return findings(run([d, doc("营业执照.pdf", licence())]), "seal-missing")


def test_a_seal_whose_place_is_misread_but_whose_trade_name_reads_is_the_applicants():
    # APPLICANT is 三门峡市宏达智能装备有限公司: the 字号 宏达 and the trade read, the place did not
    assert _stamped_declaration("二门硖宏达智能装备有限公司") == []


def test_a_garbled_seal_reading_is_never_another_companys_seal():
    assert _stamped_declaration("二门峡加百限责任公司") == []  # the legal form itself is misread
    assert _stamped_declaration("洛阳金鹏机械制造有限公司", text_confidence=0.6) == []  # read unsurely
    assert _stamped_declaration("三门峡市智能装备有限公司") == []  # the 字号 lost from the arc
    assert _stamped_declaration("三门峡市加工有限公司") == []  # too little read to name a company
    assert _stamped_declaration("三门峡市宏达暂熊泼各有限公司") == []  # the 字号 read, the trade garbled


def test_a_seal_that_clearly_names_another_company_is_reported():
    [f] = _stamped_declaration("洛阳金鹏机械制造有限公司")
    assert f["severity"] == "error" and "洛阳金鹏机械制造有限公司" in f["message"]
