"""extract_all under bad input: a worker that dies costs one file; archive members are read in place."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

from shenbao.discover import discover
from shenbao.extract import ExtractSettings, archive, extract_all, extract_file
from shenbao.extract.cache import Cache

from . import crash_plugin, make

NO_OCR = ExtractSettings(ocr=False, visual=False)


def test_a_crashing_worker_costs_only_its_file(tmp_path):
    files = []
    for i in range(6):
        p = tmp_path / f"note{i}.txt"
        p.write_text(f"第{i}份说明")
        files.append((p, p.name))
    bad = tmp_path / "crash.pdf"
    bad.write_bytes(b"CRASH" + b"\0" * (300 << 10))  # large: travels alone
    files.insert(3, (bad, bad.name))
    small_bad = tmp_path / "crash-small.bin"
    small_bad.write_bytes(b"CRASH!")  # small: travels in a batch with others
    files.append((small_bad, small_bad.name))
    docs = extract_all(files, NO_OCR, jobs=2, cache=Cache(tmp_path / "cache"), pm_factory=crash_plugin.pm_factory)
    by = {d.path: d for d in docs}
    assert [d.path for d in docs] == [rel for _, rel in files]
    for name in ("crash.pdf", "crash-small.bin"):
        assert by[name].kind == "unreadable" and "异常退出" in by[name].error and "crashed" in by[name].error_en
    assert all(by[f"note{i}.txt"].kind == "unsupported" for i in range(6))
    # a crash is not cached: the next run tries again
    assert Cache(tmp_path / "cache").get(by["crash.pdf"].sha256, NO_OCR) is None


def test_zip_members_are_read_through_a_private_temporary_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    with zipfile.ZipFile(pkg / "材料.zip", "w") as z:
        z.writestr("审计报告.pdf", make.text_pdf([make.AUDIT_LINES]))
        z.writestr("坏.pdf", b"%PDF-1.4 broken")
    files, skipped = discover(pkg)
    assert [rel for _, rel in files] == ["材料.zip", "材料.zip!/坏.pdf", "材料.zip!/审计报告.pdf"] and skipped == []
    member = files[2][0]
    assert isinstance(member, archive.Member)
    from tests.extract.extract_helpers import pm_factory

    doc = extract_file(member, files[2][1], NO_OCR, pm_factory())
    assert doc.kind == "pdf" and "审计报告" in doc.pages[0].text and doc.sha256 == archive.member_sha256(member)
    bad = extract_file(files[1][0], files[1][1], NO_OCR, pm_factory())
    assert bad.kind == "unreadable" and "member" not in (bad.error_en or "") and str(tmp_path) not in bad.error_en
    assert os.listdir(tmp_path / "tmp") == []


def test_member_names_without_the_utf8_flag_are_gbk():
    info = zipfile.ZipInfo("x")
    raw = "审计报告.pdf".encode("gbk")
    assert archive.display_name(raw.decode("cp437"), 0) == "审计报告.pdf"
    assert archive.display_name("审计报告.pdf", 0x800) == "审计报告.pdf"
    assert archive.unsafe("../a") and archive.unsafe("/etc/x") and archive.unsafe("C:\\x") and archive.unsafe("a/../../b")
    assert not archive.unsafe("a/b..c/d.pdf")
    assert info.filename == "x"


def test_too_many_members_is_refused_before_listing(tmp_path):
    z = make.RawZip()
    for i in range(archive.MAX_MEMBERS + 1):
        z.add(f"f{i}.txt", b"x", deflate=False)
    p = tmp_path / "many.zip"
    p.write_bytes(z.bytes())
    assert archive.central_directory_count(p) == archive.MAX_MEMBERS + 1
    entries, problem = archive.survey(p)
    assert entries == [] and "过多" in problem[0] and "too many" in problem[1]
    files, skipped = discover(p)
    assert [rel for _, rel in files] == ["many.zip"]


def test_a_worker_hung_in_native_code_is_stopped(tmp_path, monkeypatch):
    import dataclasses
    import time

    import shenbao.extract as ex

    monkeypatch.setattr(ex, "HANG_GRACE", 1.0)
    monkeypatch.setattr(ex, "_POLL", 0.2)
    files = []
    for i in range(3):
        p = tmp_path / f"note{i}.txt"
        p.write_text("说明")
        files.append((p, p.name))
    hang = tmp_path / "hang.pdf"
    hang.write_bytes(b"HANG")
    files.append((hang, hang.name))
    t0 = time.monotonic()
    docs = extract_all(files, dataclasses.replace(NO_OCR, timeout_seconds=1), jobs=2, pm_factory=crash_plugin.pm_factory)
    assert time.monotonic() - t0 < 60
    by = {d.path: d for d in docs}
    assert by["hang.pdf"].kind == "unreadable" and "超时" in by["hang.pdf"].error and "timed out" in by["hang.pdf"].error_en
    assert all(by[f"note{i}.txt"].kind == "unsupported" for i in range(3))
