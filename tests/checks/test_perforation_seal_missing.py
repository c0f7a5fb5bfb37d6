from shenbao.model import Document

from tests.pipeline import application_form, declaration, doc, findings, licence, looked, run, seal


def _volume(slices: set[int], scanned: bool = True) -> Document:
    d = doc("合订本.pdf", application_form(), licence(), declaration(), declaration(), licence())
    frag = seal("", issuer="unknown", bbox=(0.97, 0.4, 1.0, 0.5), edge="right")
    looked(d, {n: [frag] for n in slices})
    if scanned:
        for p in d.pages:
            p.image_coverage = 1.0
    return d


def test_a_volume_with_slices_on_every_page_passes():
    assert findings(run([_volume({1, 2, 3, 4, 5})]), "perforation-seal-missing") == []


def test_a_run_of_pages_without_slices_is_one_finding_at_its_first_page():
    [f] = findings(run([_volume({1, 2, 5})]), "perforation-seal-missing")
    assert (f["path"], f["page"], f["severity"]) == ("合订本.pdf", 3, "error")
    assert "3–4" in f["message"]


def test_a_scanned_volume_without_any_slice_is_one_error():
    [f] = findings(run([_volume(set())]), "perforation-seal-missing")
    assert f["page"] is None and f["severity"] == "error"


def test_a_typed_volume_without_any_slice_is_a_warning():
    [f] = findings(run([_volume(set(), scanned=False)]), "perforation-seal-missing")
    assert f["severity"] == "warning" and "电子文档" in f["message"]


def test_one_material_per_file_is_not_a_bound_volume():
    d = looked(doc("声明.pdf", declaration(), declaration(), declaration()))
    assert findings(run([d]), "perforation-seal-missing") == []


def test_a_file_of_a_split_package_holding_two_materials_is_not_a_volume():
    """A statements file with the 2024 and the 2025-06 statements, or a licence with the ID card, in a
    package of separate files: the 骑缝章 belongs to the bound book, not to each file."""
    year = "资产负债表\n编制单位：三门峡市宏达智能装备有限公司 2024年12月31日 单位：元\n资产总计 1,000.00"
    june = "资产负债表\n编制单位：三门峡市宏达智能装备有限公司 2025年6月30日 单位：元\n资产总计 1,200.00"
    statements = looked(doc("13-会计报表.pdf", year, year, june, june))
    others = [looked(doc("02-申请表.pdf", application_form())), looked(doc("04-营业执照.pdf", licence())),
              looked(doc("08-声明.pdf", declaration()))]
    for d in [statements] + others:
        for p in d.pages:
            p.image_coverage = 1.0
    assert findings(run([statements] + others), "perforation-seal-missing") == []


def test_pages_of_another_size_without_a_slice_are_one_uncertain_finding():
    """An invoice bound at its own size (smaller than A4) may not reach the fanned edge."""
    d = _volume({1, 2, 4})
    for n in (3, 5):
        d.pages[n - 1].width, d.pages[n - 1].height = 680, 397
    [f] = findings(run([d]), "perforation-seal-missing")
    assert f["severity"] == "warning" and f["uncertain"] and f["page"] == 3
    assert "3、5" in f["message"]
