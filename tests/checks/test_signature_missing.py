from tests.pipeline import application_form, audit_report, doc, findings, looked, run, seal, signature_field


def _decl(fields, seals=None):
    from tests.pipeline import declaration

    return looked(doc("声明.pdf", declaration()), {1: seals or [seal()]}, {1: fields})


def test_a_signed_declaration_passes():
    assert findings(run([_decl([signature_field()])]), "signature-missing") == []


def test_an_empty_signature_field_is_an_error_with_the_field_box():
    [f] = findings(run([_decl([signature_field(signed=False)])]), "signature-missing")
    assert (f["path"], f["page"], f["material"], f["severity"]) == ("声明.pdf", 1, "declaration", "error")
    assert f["bbox"] == [0.4, 0.52, 0.8, 0.61] and "单位法人代表" in f["message"]


def test_a_doubtful_field_is_uncertain():
    [f] = findings(run([_decl([signature_field(signed=False, confidence=0.4)])]), "signature-missing")
    assert f["uncertain"] and f["severity"] == "warning"


def test_no_signature_field_found_asks_a_person_to_look():
    [f] = findings(run([_decl([])]), "signature-missing")
    assert f["uncertain"] and f["severity"] == "warning"


def test_each_cpa_must_sign_the_audit_report():
    fields = [signature_field("中国注册会计师：", signed=True, page_line=0.7),
              signature_field("中国注册会计师：", signed=False, page_line=0.8)]
    report = run([looked(doc("审计报告.pdf", audit_report()), {1: [seal("河南正信会计师事务所", issuer="audit_firm")]}, {1: fields})])
    [f] = findings(report, "signature-missing")
    assert f["material"] == "audit_report" and f["bbox"][1] > 0.75


def test_county_reviewers_sign_only_in_the_county_package():
    fields = [signature_field("申报材料审核人：", signed=False, page_line=0.9),
              signature_field("项目现场核实人：", signed=False, page_line=0.9)]
    form = looked(doc("申请表.pdf", application_form()), {1: [seal()]}, {1: fields})
    assert findings(run([form]), "signature-missing") == []
    assert len(findings(run([form], stage="county"), "signature-missing")) == 2
