"""Identical files in one run are read once (issue 11: a package that holds one scan twice, a batch
holding copies of a package): each path still gets its own Document, equal but for the path."""
from __future__ import annotations

import shutil

from extract_helpers import LICENSE_LINES, make_text_pdf, pm_factory

import shenbao.extract as extract
from shenbao.extract import Cache, ExtractSettings, extract_all

NO_OCR = ExtractSettings(ocr=False)


def _count_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    real = extract.extract_file

    def counting(src, rel, *a, **k):
        reads.append(rel)
        return real(src, rel, *a, **k)

    monkeypatch.setattr(extract, "extract_file", counting)
    return reads


def test_a_file_present_twice_is_read_once_and_reported_under_both_names(tmp_path, monkeypatch):
    a = make_text_pdf(tmp_path / "营业执照.pdf", LICENSE_LINES)
    b = tmp_path / "附件" / "营业执照复印件.pdf"
    b.parent.mkdir()
    shutil.copy(a, b)
    other = make_text_pdf(tmp_path / "其他.pdf", [["另一份文件"]])
    reads = _count_reads(monkeypatch)
    files = [(a, "营业执照.pdf"), (b, "附件/营业执照复印件.pdf"), (other, "其他.pdf")]
    docs = extract_all(files, NO_OCR, jobs=1, cache=None, pm_factory=pm_factory)
    assert sorted(reads) == ["其他.pdf", "营业执照.pdf"]
    assert [d.path for d in docs] == ["营业执照.pdf", "附件/营业执照复印件.pdf", "其他.pdf"]
    assert docs[0].pages[0].text == docs[1].pages[0].text and docs[0].sha256 == docs[1].sha256
    docs[1].pages[0].text = "changed"  # a copy, not the same object
    assert docs[0].pages[0].text != "changed"


def test_an_unreadable_twin_names_its_own_path(tmp_path, monkeypatch):
    for name in ("a.pdf", "b.pdf"):
        (tmp_path / name).write_bytes(b"%PDF-1.4 broken")
    files = [(tmp_path / "a.pdf", "a.pdf"), (tmp_path / "b.pdf", "b.pdf")]
    reads = _count_reads(monkeypatch)
    docs = extract_all(files, NO_OCR, jobs=1, cache=Cache(tmp_path / "cache"), pm_factory=pm_factory)
    assert reads == ["a.pdf"]
    assert [d.kind for d in docs] == ["unreadable", "unreadable"]
    assert "a.pdf" not in (docs[1].error or "") and "a.pdf" not in (docs[1].error_en or "")


def test_copies_follow_a_cache_hit_and_the_progress_counts_every_file(tmp_path, monkeypatch):
    a = make_text_pdf(tmp_path / "x.pdf", LICENSE_LINES)
    b = tmp_path / "y.pdf"
    shutil.copy(a, b)
    cache = Cache(tmp_path / "cache")
    files = [(a, "x.pdf"), (b, "y.pdf")]
    extract_all(files, NO_OCR, jobs=1, cache=cache, pm_factory=pm_factory)
    reads = _count_reads(monkeypatch)
    seen = []
    docs = extract_all(files, NO_OCR, jobs=1, cache=cache, pm_factory=pm_factory,
                       progress=lambda done, total, rel: seen.append((done, total, rel)))
    assert reads == []
    assert [d.path for d in docs] == ["x.pdf", "y.pdf"]
    assert [s[:2] for s in seen] == [(1, 2), (2, 2)]


def test_files_with_pages_to_read_are_scheduled_alone_largest_first(tmp_path):
    """A worker never gets a batch of 32 small scans while the other idles: scans and PDFs from
    16 KB go alone, largest first; only cheap files (tiny, or spreadsheets and text) are batched."""
    from shenbao.extract import _batches

    def put(name: str, head: bytes, size: int):
        p = tmp_path / name
        p.write_bytes(head + b"\0" * (size - len(head)))
        return p

    jpeg = b"\xff\xd8\xff\xe0"
    files = [put("a.jpg", jpeg, 100_000), put("b.pdf", b"%PDF-1.4\n", 60_000), put("c.jpg", jpeg, 200_000),
             put("icon.png", b"\x89PNG\r\n\x1a\n", 2_000), put("notes.txt", b"abc", 50_000),
             put("big.txt", b"abc", 300_000)]
    todo = [(i, p, p.name, None) for i, p in enumerate(files)]
    batches = _batches(todo)
    names = [[t[2] for t in b] for b in batches]
    assert names[:4] == [["big.txt"], ["c.jpg"], ["a.jpg"], ["b.pdf"]]
    assert sorted(n for b in names[4:] for n in b) == ["icon.png", "notes.txt"]
