from tests.pipeline import doc, findings, licence, run


def test_every_required_material_absent_from_the_package_is_listed_in_program_order():
    report = run([doc("营业执照.pdf", licence())])
    missing = [f["material"] for f in findings(report, "material-missing") if f["severity"] == "error"]
    assert "business_license" not in missing
    assert missing[:3] == ["cover", "toc", "application_form"]
    assert "audit_report" in missing and "other_proofs" not in missing  # optional items are not required


def test_an_item_the_notice_implies_but_does_not_list_is_only_noted():
    """技改项目库入库证明: the conditions ask for it (L518-522), the materials list does not."""
    report = run([doc("营业执照.pdf", licence())])
    [f] = [f for f in findings(report, "material-missing") if f["material"] == "project_library"]
    assert f["severity"] == "info"
    assert report["summary"]["warnings"] == len([x for x in report["findings"] if x["severity"] == "warning"])
    assert all(x["material"] != "project_library" for x in report["findings"] if x["severity"] != "info")


def test_content_not_the_file_name_decides():
    report = run([doc("微信图片_20250805102133.pdf", licence())])
    lic = [m for m in report["materials"] if m["id"] == "business_license"][0]
    assert lic["status"] == "present" and lic["files"][0]["path"] == "微信图片_20250805102133.pdf"


def test_a_material_whose_file_cannot_be_read_is_uncertain_not_missing():
    from shenbao.model import Document

    broken = Document(path="二、企业基本情况/3、企业情况.pdf", kind="unreadable", format="pdf",
                      error="PDF 文件已损坏", error_en="damaged PDF")
    report = run([doc("营业执照.pdf", licence()), broken])
    [f] = [f for f in findings(report, "material-missing") if f["material"] == "company_profile"]
    assert f["severity"] == "warning" and f["uncertain"] and f["path"] == broken.path
    assert "3、企业情况.pdf" in f["message"]


def test_an_illegible_scan_named_for_a_material_is_reported_illegible():
    scan = doc("6-信用中国-失信被执行人查询结果.pdf", "一 一", source="ocr", confidence=0.78)
    scan.pages[0].image_coverage = 1.0
    report = run([doc("营业执照.pdf", licence()), scan])
    [f] = findings(report, "page-illegible")
    assert f["path"] == scan.path and f["page"] == 1
    [m] = [f for f in findings(report, "material-missing") if f["material"] == "credit_dishonest"]
    assert m["uncertain"] and m["path"] == scan.path
