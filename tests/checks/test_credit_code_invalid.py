from tests.pipeline import doc, findings, licence, run, valid_code


def test_wrong_check_digit_on_the_licence():
    code = valid_code()
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    [f] = findings(run([doc("营业执照.pdf", licence(code=bad))]), "credit-code-invalid")
    assert (f["path"], f["page"], f["severity"]) == ("营业执照.pdf", 1, "error") and bad in f["message"]


def test_valid_code_passes():
    assert findings(run([doc("营业执照.pdf", licence())]), "credit-code-invalid") == []


def test_ocr_misread_code_is_uncertain():
    code = valid_code()
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    [f] = findings(run([doc("执照.jpg", licence(code=bad), source="ocr", confidence=0.9)]), "credit-code-invalid")
    assert f["uncertain"] and f["severity"] == "warning"
