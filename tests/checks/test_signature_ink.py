from tests.pipeline import declaration, doc, findings, looked, run, seal, signature_field


def _decl(field):
    return looked(doc("声明.pdf", declaration()), {1: [seal()]}, {1: [field]})


def test_black_ink_passes_where_black_is_required():
    assert findings(run([_decl(signature_field(colour="black"))]), "signature-ink") == []


def test_blue_ink_on_the_declaration_is_an_error():
    [f] = findings(run([_decl(signature_field(colour="blue"))]), "signature-ink")
    assert (f["page"], f["material"], f["severity"]) == (1, "declaration", "error")
    assert "蓝色" in f["message"] and "黑色" in f["message"]


def test_unknown_colour_or_unsigned_field_is_not_an_ink_finding():
    assert findings(run([_decl(signature_field(colour=None))]), "signature-ink") == []
    assert findings(run([_decl(signature_field(signed=False))]), "signature-ink") == []
