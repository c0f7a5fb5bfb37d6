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
