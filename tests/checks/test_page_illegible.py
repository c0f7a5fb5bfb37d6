from tests.pipeline import doc, findings, licence, run


def test_low_confidence_scan_page_is_reported_with_its_page():
    d = doc("执照.jpg", licence(), source="ocr", confidence=0.42)
    [f] = findings(run([d]), "page-illegible")
    assert f["page"] == 1 and f["confidence"] == 0.42


def test_clear_scan_is_not_reported():
    assert findings(run([doc("执照.jpg", licence(), source="ocr", confidence=0.95)]), "page-illegible") == []


def test_text_layer_pages_are_never_illegible():
    assert findings(run([doc("执照.pdf", licence(), confidence=0.1)]), "page-illegible") == []


def test_scanned_page_where_ocr_reads_nothing_inside_a_material_is_reported():
    from shenbao.model import Document
    from tests.pipeline import page

    report_page = page("项目建设情况\n一、项目概述\n1.项目介绍\n本项目位于三门峡市。\n二、现有工作基础和优势\n三、项目建设总体方案", 1)
    unreadable = page("", 2, source="none")
    unreadable.image_coverage = 1.0
    d = Document("项目建设情况.pdf", "pdf", "pdf", pages=[report_page, unreadable])
    [f] = findings(run([d]), "page-illegible")
    assert (f["path"], f["page"]) == ("项目建设情况.pdf", 2)
