"""`shenbao check --evidence DIR`: crops of what each finding points at, written outside the package."""
import hashlib
import json
import os

from PIL import Image

from shenbao.cli import main
from tests.pipeline import declaration
from tests.test_cli import _text_pdf


def _tree(root):
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            out[os.path.relpath(p, root)] = (hashlib.sha256(open(p, "rb").read()).hexdigest(), os.stat(p).st_mtime_ns)
    return out


def test_evidence_crops_are_written_outside_the_package_and_linked(tmp_path, capsys):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    _text_pdf(pkg / "申报真实性声明.pdf", declaration())  # typed: no seal, no signature
    before = _tree(pkg)
    ev = tmp_path / "evidence"
    code = main(["check", str(pkg), "--program", "smx2025-intelligent-retrofit", "--format", "json", "--no-progress",
                 "--as-of", "2025-08-10", "--cache-dir", str(tmp_path / "c"), "--evidence", str(ev)])
    assert code == 1
    report = json.loads(capsys.readouterr().out)
    [seal] = [f for f in report["findings"] if f["rule"] == "seal-missing"]
    assert seal["page"] == 1 and seal["bbox"] and seal["evidence_image"]
    crop = Image.open(seal["evidence_image"])
    assert 50 < crop.width < 1000 and crop.height > 30  # a region, not the whole page
    [sig] = [f for f in report["findings"] if f["rule"] in ("signature-missing",)]
    assert sig["evidence_image"] and os.path.exists(sig["evidence_image"])
    # package-level findings (a missing material) have nothing to crop
    assert all(f["evidence_image"] is None for f in report["findings"] if f["rule"] == "material-missing")
    assert _tree(pkg) == before
    assert {p.parent for p in ev.iterdir()} == {ev.resolve()} or {p.parent for p in ev.iterdir()} == {ev}
    # named for a person: file stem, page, rule, then 8 hex digits of the fingerprint
    assert os.path.basename(seal["evidence_image"]) == f"申报真实性声明_p1_seal-missing_{seal['fingerprint'][:8]}.png"
    assert os.path.basename(sig["evidence_image"]) == f"申报真实性声明_p1_signature-missing_{sig['fingerprint'][:8]}.png"
    names = sorted(p.name for p in ev.iterdir())
    assert len(names) == len({f["evidence_image"] for f in report["findings"] if f["evidence_image"]})
    # a second run writes the same names (stable), nothing new
    assert main(["check", str(pkg), "--program", "smx2025-intelligent-retrofit", "--format", "json", "--no-progress",
                 "--as-of", "2025-08-10", "--cache-dir", str(tmp_path / "c"), "--evidence", str(ev)]) == 1
    again = json.loads(capsys.readouterr().out)
    assert [f["evidence_image"] for f in again["findings"]] == [f["evidence_image"] for f in report["findings"]]
    assert sorted(p.name for p in ev.iterdir()) == names


def test_crop_names_are_readable_sanitised_and_distinct():
    from shenbao.evidence import crop_name

    f = {"path": "材料/营业执照 (1) <副本>.pdf", "rule": "seal-missing", "fingerprint": "0123456789abcdef"}
    assert crop_name(f, 2) == "营业执照_1_副本_p2_seal-missing_01234567.png"
    assert crop_name({**f, "path": "../../etc/passwd"}, 1) == "passwd_p1_seal-missing_01234567.png"
    assert crop_name({**f, "path": "a:b*?|.png", "rule": "X/../y"}, 1) == "a_b_p1_x-y_01234567.png"
    assert crop_name({**f, "path": "材料.zip!/声明.pdf"}, 1).startswith("声明_p1_")
    assert len(crop_name({**f, "path": "长" * 200 + ".pdf"}, 1)) < 80
    assert "/" not in crop_name({**f, "path": "..."}, 1) and crop_name({**f, "path": "..."}, 1).startswith("file_")
    assert crop_name({**f, "fingerprint": "fedcba9876543210"}, 2) != crop_name(f, 2)


def test_an_evidence_folder_inside_the_package_is_refused(tmp_path, capsys):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    _text_pdf(pkg / "声明.pdf", declaration())
    before = _tree(pkg)
    code = main(["check", str(pkg), "--program", "smx2025-intelligent-retrofit", "--no-progress",
                 "--cache-dir", str(tmp_path / "c"), "--evidence", str(pkg / "crops")])
    assert code == 2
    assert "申报材料" in capsys.readouterr().err
    assert _tree(pkg) == before and not (pkg / "crops").exists()
