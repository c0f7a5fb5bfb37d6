from tests.pipeline import audit_report, doc, findings, run


def test_audit_report_without_any_verification_code_is_an_error():
    report = run([doc("审计报告.pdf", audit_report(code_line="（以下无正文）"))])
    [f] = findings(report, "audit-code-missing")
    assert (f["path"], f["material"], f["severity"]) == ("审计报告.pdf", "audit_report", "error")


def test_each_kind_of_code_is_accepted():
    for line in ("报告验证码：7K3H9XA2", "防伪编码：41000025031600452718", "报备编号 豫A2025-0316"):
        assert findings(run([doc("审计报告.pdf", audit_report(code_line=line))]), "audit-code-missing") == [], line


def test_a_blurred_scan_without_a_readable_code_is_uncertain():
    report = run([doc("审计.jpg", audit_report(code_line=""), source="ocr", confidence=0.6)])
    [f] = findings(report, "audit-code-missing")
    assert f["uncertain"] and f["severity"] == "warning"


def test_a_decodable_qr_code_is_the_verification_code():
    from shenbao.model import Code

    from tests.pipeline import looked

    d = looked(doc("审计报告.pdf", audit_report(code_line="（以下无正文）")),
               codes_by_page={1: [Code("https://zxcx.cicpa.org.cn/verify?code=7K3H9XA2", (0.8, 0.05, 0.95, 0.15))]})
    assert findings(run([d]), "audit-code-missing") == []


def test_a_qr_symbol_that_cannot_be_read_is_uncertain_and_points_at_it():
    from tests.pipeline import looked

    box = (0.78, 0.06, 0.93, 0.16)
    text = audit_report(code_line="（以下无正文）")
    d = looked(doc("审计报告.pdf", text, text), unread_codes_by_page={2: [box]})
    [f] = findings(run([d]), "audit-code-missing")
    assert f["uncertain"] and f["severity"] == "warning"
    assert f["page"] == 2 and tuple(f["bbox"]) == box
    assert "无法识读" in f["message"]
