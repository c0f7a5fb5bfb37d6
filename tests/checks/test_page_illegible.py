from tests.pipeline import doc, findings, licence, run


def test_low_confidence_scan_page_is_reported_with_its_page():
    d = doc("执照.jpg", licence(), source="ocr", confidence=0.42)
    [f] = findings(run([d]), "page-illegible")
    assert f["page"] == 1 and f["confidence"] == 0.42


def test_clear_scan_is_not_reported():
    assert findings(run([doc("执照.jpg", licence(), source="ocr", confidence=0.95)]), "page-illegible") == []


def test_text_layer_pages_are_never_illegible():
    assert findings(run([doc("执照.pdf", licence(), confidence=0.1)]), "page-illegible") == []
