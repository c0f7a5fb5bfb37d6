"""The HTML reporter: what a reviewer sees in the page, read back from the HTML (fast, no browser;
the real-browser test is test_report_html_browser.py)."""
from __future__ import annotations

import base64
import io
import re

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from shenbao.reporters import builtin_reporters, html as html_report
from shenbao.reporters.html import MAX_IMAGE_BYTES, THUMB_WIDTH, page_images, render, render_html, render_package
from tests.reporters.htmltree import parse

LICENCE = "营业执照 (1).pdf"  # the sample report's licence file (conftest.py)


def _findings(doc):
    return doc.by_class("finding")


def _section_of(node):
    for a in node.ancestors():
        if a.tag == "section" and "group" in (a.attrs.get("class") or "").split():
            return a.attrs.get("id")
    return None


def _material_of(node):
    for a in node.ancestors():
        if a.tag == "section" and a.attrs.get("data-material"):
            return a.attrs["data-material"]
    return None


def test_html_is_a_builtin_format(sample_report):
    assert builtin_reporters()["html"] is html_report.render
    assert render(sample_report, "zh").startswith("<!DOCTYPE html>")


def test_zh_header_shows_verdict_program_package_date_and_counts(sample_report):
    out = render(sample_report, "zh")
    doc = parse(out)
    assert doc.find_all("html")[0].attrs["lang"] == "zh-CN"
    top = doc.by_id("top")
    verdict = top.by_class("verdict")[0]
    assert verdict.attrs["data-verdict"] == "fail" and verdict.by_class("verdict-word")[0].text == "不通过"
    text = top.text
    assert "2025年三门峡市智能化改造专项资金项目" in text and "smx2025-intelligent-retrofit" in text
    assert "./申报材料/某某机械" in text and "2025-04-01" in text and "企业自查" in text
    counts = {li.attrs["data-count"]: li.text for li in top.find_all("li", pred=lambda n: "data-count" in n.attrs)}
    assert counts["errors"] == "4 错误" and counts["warnings"] == "2 警告" and counts["uncertain"] == "1 需复核"
    assert counts["passed"] == "2 通过的检查"
    assert "6 文件 · 9 页" in text
    # the top of the page comes before any finding
    assert out.index('id="top"') < out.index('class="finding')


def test_verdict_follows_errors_then_uncertain(make_report):
    s = {"errors": 0, "warnings": 1, "infos": 0, "passed": 5, "uncertain": 1, "files": 1, "pages": 1}
    doc = parse(render(make_report(summary=s), "zh"))
    assert doc.by_class("verdict-word")[0].text == "需人工复核"
    doc = parse(render(make_report(summary={**s, "uncertain": 0}), "zh"))
    assert doc.by_class("verdict-word")[0].text == "通过"
    doc = parse(render(make_report(summary={**s, "uncertain": 0}), "en"))
    assert doc.by_class("verdict-word")[0].text == "Passed"


def test_findings_grouped_by_materials_in_report_order(sample_report):
    out = render(sample_report, "zh")
    doc = parse(out)
    mats = doc.find_all("section", pred=lambda n: "data-material" in n.attrs)
    assert [m.attrs["data-material"] for m in mats] == [m["id"] for m in sample_report["materials"]]
    titles = [m.by_class("material-title")[0].text for m in mats]
    assert titles == [m["title"] for m in sample_report["materials"]]
    where = {}
    for art in _findings(doc):
        where[art.attrs["data-rule"]] = (_section_of(art), _material_of(art))
    assert where["seal-missing"] == ("materials", "application-form")
    assert where["credit-code-invalid"] == ("materials", "business-license")
    assert where["material-missing"] == ("materials", "audit-report")
    # uncertain findings are pulled out into their own section, after the materials
    assert where["credit-query-date"] == ("uncertain", None)
    assert where["file-unreadable"] == ("files-unreadable", None)
    assert where["name-mismatch"] == ("package-level", None)
    order = [doc.by_id(i) for i in ("materials", "uncertain", "files-unreadable", "package-level", "rules")]
    assert all(order)
    positions = [out.index(f'id="{n.attrs["id"]}"') for n in order]
    assert positions == sorted(positions)
    # every finding exactly once, with its message and rule
    for f in sample_report["findings"]:
        assert out.count(f["message_zh"]) == 1, f["rule"]
    assert len(_findings(doc)) == len(sample_report["findings"])
    # material status as the reviewer reads it
    audit = [m for m in mats if m.attrs["data-material"] == "audit-report"][0]
    assert "缺失" in audit.find_all("h4")[0].text and "material-error" in audit.attrs["class"]
    patent = [m for m in mats if m.attrs["data-material"] == "patent"][0]
    assert "选报" in patent.text and "未提供（非必需）" in patent.text
    assert "营业执照 (1).pdf · 第 1–2 页" in mats[1].text


def test_each_finding_shows_severity_rule_title_message_location_fix_and_basis(sample_report):
    doc = parse(render(sample_report, "zh"))
    [seal] = [a for a in _findings(doc) if a.attrs["data-rule"] == "seal-missing"]
    assert seal.attrs["data-severity"] == "error"
    t = seal.text
    assert "错误" in t and "seal-missing" in t and "缺少公章" in t  # the rule's title from report["rules"]
    assert "申请表第 2 页未见单位公章" in t and "01 项目申请表.pdf · 第 2 页" in t
    assert "在申请表第 2 页“申报单位（盖章）”处加盖单位公章后重新扫描" in t and "seed-000 附件1 第三条" in t
    [link] = seal.find_all("a")
    assert link.attrs["href"] == "#rule-seal-missing"
    assert parse(render(sample_report, "zh")).by_id("rule-seal-missing") is not None
    [unc] = [a for a in _findings(doc) if a.attrs["data-rule"] == "credit-query-date"]
    assert unc.attrs["data-uncertain"] == "true" and "不确定" in unc.text and "0.58" in unc.text
    assert "信用中国查询截图" in unc.text  # its material is named, since it sits outside the material's group


def test_rule_docs_from_the_registry_explain_rules_with_findings(sample_report):
    doc = parse(render(sample_report, "zh"))
    entry = doc.by_id("rule-seal-missing")
    assert "1 条问题" in entry.text and "检查内容" in entry.text and "如何修复" in entry.text
    passed = doc.by_id("rule-registration-age")
    assert "通过" in passed.text and not passed.by_class("rule-doc")


def test_escapes_markup_in_messages_and_file_names(make_report):
    report = make_report()
    f = report["findings"][0]
    f["message_zh"] = f["message"] = '盖章处 <script>alert("x")</script> & <b>粗</b>'
    f["path"] = 'a<img src=x onerror=alert(1)>&b.pdf'
    f["evidence"] = "</dd></dl><p>"
    report["materials"][0]["files"][0]["path"] = "<i>申请表</i>&.pdf"
    report["package"] = "pkg&<x>"
    out = render(report, "zh")
    assert "<script>alert" not in out and "<img src=x" not in out and "<b>粗</b>" not in out and "<i>申请表" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;粗&lt;/b&gt;" in out
    doc = parse(out)
    [art] = [a for a in _findings(doc) if a.attrs["data-rule"] == "seal-missing"]
    assert '盖章处 <script>alert("x")</script> & <b>粗</b>' in art.text  # shown as typed, not run
    assert 'a<img src=x onerror=alert(1)>&b.pdf · 第 2 页' in art.text and "</dd></dl><p>" in art.text
    assert "<i>申请表</i>&.pdf" in doc.by_id("materials").text and "pkg&<x>" in doc.by_id("top").text
    assert len(doc.find_all("script")) == 1 and not doc.find_all("b", pred=lambda n: n.text == "粗")


def test_english(make_report):
    report = make_report(lang="en", package="./applications/acme")
    out = render(report, "en")
    doc = parse(out)
    assert doc.find_all("html")[0].attrs["lang"] == "en"
    assert doc.by_class("verdict-word")[0].text == "Not passed"
    for f in report["findings"]:
        assert f["message_en"] in out
    assert "Application form" in out and "Audit report (last year)" in out and "1. Basic documents" in out
    assert "Needs manual review" in doc.by_id("uncertain").text and "Package-level findings" in out
    assert "Stamp the company seal" in out and "01 项目申请表.pdf · page 2" in out
    assert "Seal missing" in out  # rule title in English
    visible = doc.find_all("body")[0].text
    for word in ("不通过", "缺失", "处理建议", "错误", "整个申报包", "第 2 页", "依据"):
        assert word not in visible, word


def test_a_finding_without_page_or_images_is_still_shown(sample_report):
    out = render(sample_report, "zh")
    doc = parse(out)
    assert doc.find_all("img") == []  # the hook has only the report: no images, nothing broken
    [missing] = [a for a in _findings(doc) if a.attrs["data-rule"] == "material-missing"]
    assert "缺少必需材料：审计报告" in missing.text and not missing.by_class("location")
    [pkg] = [a for a in _findings(doc) if a.attrs["data-rule"] == "name-mismatch"]
    assert "单位名称不一致" in pkg.text and not pkg.find_all("img")


def test_embedded_images_are_data_uris_next_to_their_finding(sample_report):
    png = io.BytesIO()
    Image.new("RGB", (30, 20), (200, 0, 0)).save(png, "PNG")
    emb = html_report.Embedded("image/png", base64.b64encode(png.getvalue()).decode(), 30, 20)
    out = render_html(sample_report, "zh", {0: html_report.FindingImages(thumb=emb, crop=emb)}, {})
    doc = parse(out)
    [seal] = [a for a in _findings(doc) if a.attrs["data-rule"] == "seal-missing"]
    imgs = seal.find_all("img")
    assert [i.attrs["class"] for i in imgs] == ["thumb", "crop"]
    assert all(i.attrs["src"].startswith("data:image/png;base64,") and i.attrs["alt"] for i in imgs)
    assert "第 2 页（橙框为问题位置）" in seal.text and "问题区域" in seal.text
    assert len(doc.find_all("img")) == 2


def test_self_contained_no_network_and_print_css(sample_report):
    out = render(sample_report, "zh")
    doc = parse(out)
    for n in doc.iter():
        for attr in ("src", "href", "action", "srcset", "poster", "data"):
            v = n.attrs.get(attr)
            assert v is None or v.startswith(("#", "data:")), (n.tag, attr, v)
    assert not doc.find_all("link") and not re.search(r"url\(|@import|https?://", out.split("</style>")[0])
    [csp] = doc.find_all("meta", http_equiv="Content-Security-Policy")
    assert "default-src 'none'" in csp.attrs["content"] and "img-src data:" in csp.attrs["content"]
    assert "@page{size:A4" in out and "@media print" in out
    # filters exist but are hidden until the script shows them (with JS off everything is shown)
    form = doc.by_id("filters")
    assert "hidden" in form.attrs
    assert {i.attrs["value"] for i in form.find_all("input")} == {"error", "warning"}
    options = [o.attrs["value"] for o in form.find_all("option")]
    assert options[0] == "" and set(options[1:]) == {f["rule"] for f in sample_report["findings"]}
    assert not doc.by_class("is-filtered")


def test_clean_and_minimal_reports(make_report):
    report = make_report(findings=[], summary={"errors": 0, "warnings": 0, "infos": 0, "passed": 8,
                                               "uncertain": 0, "files": 3, "pages": 6})
    doc = parse(render(report, "zh"))
    assert doc.by_class("verdict-word")[0].text == "通过" and "未发现任何问题" in doc.text
    assert doc.by_id("filters") is None and doc.by_id("uncertain") is None
    out = render({"program": {"id": "x", "title": "X"}, "package": "p",
                  "findings": [{"rule": "r", "severity": "bogus", "message": "m<", "path": None, "confidence": "?"}]}, "zh")
    assert "m&lt;" in out and "<!DOCTYPE html>" in out


def test_deterministic(sample_report):
    assert render(sample_report, "zh") == render(sample_report, "zh")


# -- render_package: pages read from the package ---------------------------------------------------

def _pdf(path, pages=2):
    c = canvas.Canvas(str(path), pagesize=A4)
    for n in range(pages):
        c.setFillColorRGB(0.1, 0.1, 0.1)
        c.rect(60, 700, 300, 40, fill=1)
        c.drawString(60, 650, f"page {n + 1}")
        c.showPage()
    c.save()


def _tree(root):
    return {p.relative_to(root): (p.read_bytes() if p.is_file() else "dir", p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*"))}


def test_render_package_embeds_small_thumbnail_and_crop_and_never_writes(tmp_path, make_report):
    pkg = tmp_path / "pkg"
    (pkg / "信用查询").mkdir(parents=True)
    _pdf(pkg / "01 项目申请表.pdf")
    _pdf(pkg / LICENCE)
    photo = Image.new("RGB", (2400, 3200), (240, 240, 240))
    ImageDraw.Draw(photo).rectangle([200, 100, 1200, 300], fill=(30, 30, 30))
    photo.save(pkg / "信用查询/信用中国.png")
    (pkg / "承诺书.pdf").write_bytes(b"%PDF-1.4 broken")
    report = make_report()
    report["findings"].append({**report["findings"][0], "rule": "seal-missing", "path": "承诺书.pdf", "page": 1,
                               "message_zh": "损坏文件上的问题", "message": "损坏文件上的问题", "material": None})
    report["findings"].append({**report["findings"][0], "page": 9, "message": "不存在的页", "message_zh": "不存在的页"})
    before = _tree(pkg)
    out = render_package(report, pkg, "zh")
    assert _tree(pkg) == before
    images = page_images(report, pkg)
    # seal-missing (p.2 bbox), credit-code-invalid (licence p.1 bbox), credit-query-date (the png, bbox)
    assert sorted(images) == [0, 1, 3]
    for i in (0, 1, 3):
        thumb, crop = images[i].thumb, images[i].crop
        assert thumb.width <= THUMB_WIDTH and crop.width > thumb.width / 2
        for e in (thumb, crop):
            raw = base64.b64decode(e.data)
            assert len(raw) <= MAX_IMAGE_BYTES
            assert Image.open(io.BytesIO(raw)).size == (e.width, e.height)
    doc = parse(out)
    by_msg = {a.by_class("message")[0].text: a for a in _findings(doc)}
    assert len(by_msg["申请表第 2 页未见单位公章"].find_all("img")) == 2
    assert by_msg["损坏文件上的问题"].find_all("img") == []  # unreadable page: no thumbnail, no traceback
    assert by_msg["不存在的页"].find_all("img") == []
    assert by_msg["缺少必需材料：审计报告"].find_all("img") == []
    assert all(i.attrs["src"].startswith("data:image/") for i in doc.find_all("img"))


def test_render_package_with_a_missing_package_has_no_images(tmp_path, sample_report):
    out = render_package(sample_report, tmp_path / "gone", "en")
    assert "<img" not in out and "Not passed" in out


def test_render_package_reads_zip_members_and_only_files_of_the_package(tmp_path, make_report):
    import zipfile

    pkg = tmp_path / "pkg"
    pkg.mkdir()
    _pdf(tmp_path / "outside.pdf")
    _pdf(tmp_path / "a.pdf")
    with zipfile.ZipFile(pkg / "材料.zip", "w") as z:
        z.write(tmp_path / "a.pdf", "01 项目申请表.pdf")
    report = make_report()
    report["findings"] = [dict(report["findings"][0], path="材料.zip!/01 项目申请表.pdf"),
                          dict(report["findings"][0], path="../outside.pdf", message="外面的文件")]
    report["files"] = [{"path": "材料.zip!/01 项目申请表.pdf", "kind": "pdf"}, {"path": "../outside.pdf", "kind": "pdf"}]
    before = _tree(pkg)
    images = page_images(report, pkg)
    assert sorted(images) == [0] and images[0].crop is not None  # a path out of the package is never read
    assert _tree(pkg) == before
