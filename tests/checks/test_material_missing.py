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
