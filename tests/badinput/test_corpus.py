"""Bad input never crashes the linter, never loses a file, never lets a file do harm (issue 4).

Every case of :mod:`tests.badinput.corpus` is a package (a good 营业执照 plus the bad input) run
through the real command line in a subprocess, as a user runs it:

- the exit code is 1 or 0 as the findings warrant, never 2, and nothing is written to stderr;
- the JSON report is valid and names every bad input with a ``file-unreadable`` finding whose
  reason is given in Chinese and English, and the licence is still classified;
- the package tree (names as bytes, contents, link targets, modes, mtimes) and the folder the
  links point to are unchanged, and the run's private TMPDIR is left empty;
- all cases together in one package give the same bytes with ``--jobs 1``, ``--jobs 2`` and on
  the warm cache (timing aside).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import jsonschema
import pytest

from shenbao.programs import load_schema

from . import corpus, harness
from .corpus import GOOD, CASES, Case

QUICK = [c for c in CASES if not c.slow]


def _supported(case: Case) -> None:
    if case.needs == "symlink" and not hasattr(os, "symlink"):
        pytest.skip("no symlinks on this platform")
    if case.needs == "bytes-names" and sys_bytes_names_unsupported():
        pytest.skip("the filesystem does not keep non-UTF-8 names")


def sys_bytes_names_unsupported() -> bool:
    import sys

    return sys.platform in ("win32", "darwin")


@pytest.fixture
def workdir():
    """A scratch folder (the no-permission case drops root's CAP_DAC_OVERRIDE when the tests run
    as root, since root reads any file otherwise)."""
    d = Path(tempfile.mkdtemp(prefix="shenbao-corpus-"))
    os.chmod(d, 0o755)
    yield d
    corpus.remove_tree(d)


def run_case(case: Case, workdir: Path, **kw) -> tuple[harness.Run, Path]:
    pkg, outside, cache = workdir / "package", workdir / "outside", workdir / "cache"
    corpus.build(case, pkg, outside)
    cache.mkdir()
    os.chmod(cache, 0o777)
    unprivileged = case.needs == "unprivileged"
    if unprivileged and not harness.permissions_apply(pkg / "无权限.pdf"):
        pytest.skip("file permissions cannot be made to apply here")
    before = harness.tree_state(pkg, outside)
    run = harness.check(pkg, cache, *case.extra_args, unprivileged=unprivileged, **kw)
    assert harness.tree_state(pkg, outside) == before, "the package or a link target was changed"
    assert run.tmp_left == [], f"temporary files left behind: {run.tmp_left}"
    return run, cache


def assert_report(case: Case, run: harness.Run) -> None:
    assert run.stderr == "", run.stderr
    assert run.report is not None, run.stdout[:500]
    report = run.report
    jsonschema.validate(report, load_schema("report.schema.json"))
    assert run.code == (1 if report["summary"]["errors"] else 0)
    files = {f["path"]: f for f in report["files"]}
    assert files[GOOD]["status"] == "classified" and "business_license" in files[GOOD]["materials"]
    assert not [f for f in report["findings"] if f["rule"] == "internal-error"]
    expected = {e.path for e in case.expect}
    for e in case.expect:
        assert e.path in files, f"{e.path} not in the report: {sorted(files)[:20]}"
        if e.status:
            assert files[e.path]["status"] == e.status, (e.path, files[e.path])
        found = harness.file_findings(report, e.path)
        if e.severity is None:
            assert found == [], found
            continue
        hits = [f for f in found if f["severity"] == e.severity and e.zh in f["message_zh"] and e.en in f["message_en"]]
        assert hits, f"{e.path}: no {e.severity} finding with {e.zh!r}/{e.en!r} in {found}"
        for f in found:  # bilingual: a Chinese sentence and an English one
            assert harness.CJK.search(f["message_zh"]) and f["message_en"] != f["message_zh"]
            assert f["message_en"].isascii() or harness.CJK.search(f["message_en"].split(":", 1)[-1])
    if case.only_listed:
        unexpected = [p for p in files if p not in expected and p != GOOD]
        assert unexpected == [], unexpected
        stray = [f for f in report["findings"] if f["rule"] == "file-unreadable" and f["path"] not in expected]
        assert stray == [], stray


@pytest.mark.parametrize("case", QUICK, ids=[c.name for c in QUICK])
def test_bad_input_is_reported_and_the_package_untouched(case, workdir):
    _supported(case)
    run, cache = run_case(case, workdir)
    assert_report(case, run)


def test_all_cases_in_one_package_give_the_same_bytes_every_run(workdir):
    """Every quick case side by side in one package: a serial run, a parallel run and a run on the
    warm cache give the same report, byte for byte (timing aside)."""
    pkg, outside = workdir / "package", workdir / "outside"
    for case in QUICK:
        if case.needs == "unprivileged":
            continue  # as root nobody would be needed; the case has its own test
        corpus.build(case, pkg / case.name, outside / case.name)
    before = harness.tree_state(pkg, outside)
    one = harness.check(pkg, workdir / "c1", jobs=1)
    two = harness.check(pkg, workdir / "c2", jobs=2)
    warm = harness.check(pkg, workdir / "c1", jobs=2)
    assert harness.tree_state(pkg, outside) == before
    for run in (one, two, warm):
        assert run.stderr == "" and run.report is not None and run.code == 1 and run.tmp_left == []
    assert one.stable == two.stable, "--jobs 1 and --jobs 2 disagree"
    assert one.stable == warm.stable, "a run on the warm cache disagrees"
    assert len(one.report["files"]) > 60


def test_a_thousand_page_pdf_is_read_and_the_page_limit_is_a_finding(workdir):
    case = corpus.BY_NAME["thousand-pages"]
    run, cache = run_case(case, workdir)
    assert_report(case, run)
    doc = next(f for f in run.report["files"] if f["path"] == "生产记录.pdf")
    assert doc["pages"] == 1000
    limited = harness.check(workdir / "package", cache, "--max-pages", "500")
    assert_report(corpus.BY_NAME["thousand-pages-over-limit"], limited)
    assert next(f for f in limited.report["files"] if f["path"] == "生产记录.pdf")["pages"] == 500


def test_ten_thousand_small_files_are_all_accounted_for(workdir):
    case = corpus.BY_NAME["ten-thousand-files"]
    run, _ = run_case(case, workdir, jobs=2, timeout=300)
    assert_report(case, run)
    files = run.report["files"]
    assert len(files) == corpus.MANY + 1
    unsupported = [f for f in files if f["status"] == "unsupported"]
    assert len(unsupported) == corpus.MANY - corpus.MANY // 100
    assert len(harness.file_findings(run.report, "微信图片/note_00001.txt")) == 1
    images = [f for f in files if f["kind"] == "image"]
    assert len(images) == corpus.MANY // 100


def test_the_package_may_be_a_zip_file(workdir):
    """`shenbao check 申报材料.zip`: the archive is read in place, members checked."""
    import zipfile

    z = workdir / "企业A申报材料.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("申报材料/营业执照.pdf", corpus.licence_pdf())
    before = harness.tree_state(z.parent)
    run = harness.check(z, workdir.parent / (workdir.name + "-cache"))
    shutil.rmtree(workdir.parent / (workdir.name + "-cache"), ignore_errors=True)
    assert harness.tree_state(z.parent) == before
    assert run.stderr == "" and run.code == 1
    files = {f["path"]: f for f in run.report["files"]}
    assert files["企业A申报材料.zip!/申报材料/营业执照.pdf"]["status"] == "classified"
    assert files["企业A申报材料.zip"]["status"] == "unsupported"


def test_a_package_folder_with_a_gbk_name_gives_valid_utf8_json(workdir):
    if sys_bytes_names_unsupported():
        pytest.skip("the filesystem does not keep non-UTF-8 names")
    pkg = os.path.join(os.fsencode(workdir), "申报材料".encode("gbk"))
    os.mkdir(pkg)
    with open(os.path.join(pkg, GOOD.encode("utf-8")), "wb") as f:
        f.write(corpus.licence_pdf())
    run = harness.check(Path(os.fsdecode(pkg)), workdir / "cache")
    assert run.stderr == "" and run.report is not None and run.code == 1
    assert "\\x" in run.report["package"]
