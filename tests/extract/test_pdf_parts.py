"""A long PDF is shared by the workers, page ranges each (issue 11: one bound 60-page volume kept
one worker busy while the other idled). What the user gets is the same Document as a whole read:
pages in order, the file's own notes and signatures once, a time budget still honoured."""
from __future__ import annotations

import dataclasses

import pytest
from extract_helpers import LICENSE_LINES, make_text_pdf, pm_factory

import shenbao.extract as extract
from shenbao.extract import ExtractSettings, extract_all

NO_OCR = ExtractSettings(ocr=False)


def _norm(docs):
    return [dataclasses.replace(d, seconds=0.0) for d in docs]


@pytest.fixture
def split_small_pdfs(monkeypatch):
    """Split PDFs from any size (the threshold is for real scans; test files are small)."""
    monkeypatch.setattr(extract, "SMALL_FILE", 0)
    seen = []
    real = extract._split_pdfs

    def spy(todo, settings, jobs):
        out = real(todo, settings, jobs)
        seen.append(out)
        return out

    monkeypatch.setattr(extract, "_split_pdfs", spy)
    return seen


def test_a_long_pdf_read_in_parts_equals_the_whole_read(tmp_path, split_small_pdfs):
    pages = [[f"第 {k} 页", *LICENSE_LINES[:2]] for k in range(1, 14)]
    bound = make_text_pdf(tmp_path / "申报材料合订本.pdf", pages)
    short = make_text_pdf(tmp_path / "封面.pdf", [["封面"]])
    items = [(bound, bound.name), (short, short.name)]
    serial = extract_all(items, NO_OCR, jobs=1, pm_factory=pm_factory)
    parallel = extract_all(items, NO_OCR, jobs=2, pm_factory=pm_factory)
    parts = [t for t in split_small_pdfs[-1] if isinstance(t[0], extract._Part)]
    assert len(parts) == 4 and {t[2] for t in parts} == {bound.name}  # 13 pages: 4 parts for 2 workers
    assert _norm(serial) == _norm(parallel)
    assert [p.number for p in parallel[0].pages] == list(range(1, 14))
    assert "第 13 页" in parallel[0].pages[12].text


def test_the_files_own_notes_come_once_and_a_broken_part_makes_the_file_unreadable(tmp_path, split_small_pdfs):
    pdf = make_text_pdf(tmp_path / "合订本.pdf", [[f"第 {k} 页"] for k in range(1, 10)])
    cut = tmp_path / "截断.pdf"
    cut.write_bytes(pdf.read_bytes().rsplit(b"%%EOF", 1)[0])  # no end marker: a note about the whole file
    [whole] = extract_all([(cut, cut.name)], NO_OCR, jobs=1, pm_factory=pm_factory)
    [split] = extract_all([(cut, cut.name)], NO_OCR, jobs=2, pm_factory=pm_factory)
    assert any(isinstance(t[0], extract._Part) for t in split_small_pdfs[-1])
    assert whole.error and split.error == whole.error and split.error.count("不完整") == 1
    assert len(split.pages) == 9

    parts = [extract.Document(path="x", kind="pdf", pages=[]),
             extract.Document(path="x", kind="unreadable", error="读取超时", error_en="timed out")]
    assert extract._merge_parts(parts).kind == "unreadable"


def test_short_or_small_pdfs_are_not_split(tmp_path, monkeypatch):
    pdf = make_text_pdf(tmp_path / "a.pdf", [[f"第 {k} 页"] for k in range(1, 20)])
    todo = [(0, pdf, pdf.name, None)]
    assert extract._split_pdfs(todo, NO_OCR, 2) == todo  # under 256 KB: a text PDF reads in a blink
    monkeypatch.setattr(extract, "SMALL_FILE", 0)
    few = make_text_pdf(tmp_path / "b.pdf", [[f"第 {k} 页"] for k in range(1, 5)])
    assert extract._split_pdfs([(0, few, few.name, None)], NO_OCR, 2) == [(0, few, few.name, None)]
    parts = extract._split_pdfs(todo, dataclasses.replace(NO_OCR, max_pages=12), 2)
    assert [(t[0].start, t[0].stop) for t in parts] == [(0, 3), (3, 6), (6, 9), (9, 12)]
