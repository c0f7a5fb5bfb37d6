"""What a user sees from extraction: text, boxes, values, and clear reasons for unreadable files."""
from __future__ import annotations

import dataclasses
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from extract_helpers import CREDIT, LICENSE_LINES, image_pdf, make_text_pdf, pm_factory, scan_image

from shenbao.extract import Cache, ExtractSettings, extract_all, extract_file, sniff
from shenbao.extract import plugin as extract_plugin

NO_OCR = ExtractSettings(ocr=False)


@pytest.fixture(scope="module")
def pm():
    return pm_factory()


def read(path: Path, pm, settings=NO_OCR):
    return extract_file(path, path.name, settings, pm)


def make_xlsx(path: Path) -> Path:
    """An xlsx with a title, a date, numbers and a SUM formula whose cached value is 300.5."""
    import datetime

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "研发费用汇总"
    ws.append(["研发费用明细表"])
    ws.append(["项目", "金额", "日期"])
    ws.append(["材料费", 100, datetime.date(2024, 3, 5)])
    ws.append(["设备费", 200.5, datetime.datetime(2024, 4, 1, 0, 0)])
    ws.append(["合计", "=SUM(B3:B4)", None])
    ws.append([None, None, None])  # trailing empty row: dropped
    wb.create_sheet("说明").append(["备注"])
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    # give the formula the cached value a spreadsheet program would have stored
    with zipfile.ZipFile(tmp) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>SUM(B3:B4)</f><v />", b"<f>SUM(B3:B4)</f><v>300.5</v>")
            zout.writestr(item, data)
    tmp.unlink()
    return path


def make_docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return path


def png_bomb(path: Path) -> Path:
    """A tiny PNG whose header claims 100000 x 100000 pixels."""
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b""))
    return path


# --- text PDFs ------------------------------------------------------------------------------

def test_text_pdf_gives_chinese_text_and_line_boxes(tmp_path, pm):
    pdf = make_text_pdf(tmp_path / "营业执照.pdf", [LICENSE_LINES, ["第二页：研发费用专项审计报告" * 2]])
    doc = read(pdf, pm)
    assert doc.kind == "pdf" and doc.format == "pdf" and doc.error is None
    assert len(doc.pages) == 2 and doc.size == pdf.stat().st_size and len(doc.sha256) == 64
    p1 = doc.pages[0]
    assert p1.source == "text-layer" and p1.confidence == 1.0
    assert p1.text.splitlines() == LICENSE_LINES
    assert (round(p1.width), round(p1.height)) == (595, 842)
    credit = next(l for l in p1.lines if CREDIT in l.text)
    x0, y0, x1, y1 = credit.bbox
    # drawn at x=72pt, baseline y=752pt from the bottom, 14 pt font
    assert abs(x0 - 72 / 595.27) < 0.01 and 0.08 < y0 < y1 < 0.13 and x1 > 0.5
    tops = [l.bbox[1] for l in p1.lines]
    assert tops == sorted(tops)  # reading order
    assert "研发费用专项审计报告" in doc.pages[1].text


def test_150_page_text_pdf_is_fast(tmp_path, pm):
    lines = ["三门峡市科技型中小企业研发费用补助申报材料正文内容第%d行" % i for i in range(30)]
    pdf = make_text_pdf(tmp_path / "long.pdf", [lines] * 150)
    doc = read(pdf, pm, ExtractSettings())  # OCR on: no page needs it
    assert len(doc.pages) == 150 and all(p.source == "text-layer" for p in doc.pages)
    assert doc.seconds < 6


def test_max_pages_is_respected(tmp_path, pm):
    pdf = make_text_pdf(tmp_path / "p.pdf", [["第%d页 研发项目立项报告与预算说明内容" % i] * 3 for i in range(5)])
    doc = read(pdf, pm, dataclasses.replace(NO_OCR, max_pages=3))
    assert doc.kind == "pdf" and len(doc.pages) == 3
    assert "3" in doc.error and "5" in doc.error and "first 3 of 5" in doc.error_en


def test_image_only_page_without_ocr_is_marked(tmp_path, pm):
    pdf = image_pdf(tmp_path / "scan.pdf", scan_image(["营业执照"], size=(400, 560), font_px=30))
    p = read(pdf, pm).pages[0]
    assert p.source == "none" and p.image_coverage > 0.9 and "OCR" in p.note


# --- broken, encrypted, unsupported ---------------------------------------------------------

def test_encrypted_pdf_is_unreadable_with_reason(tmp_path, pm):
    pdf = make_text_pdf(tmp_path / "enc.pdf", [LICENSE_LINES], encrypt="secret")
    doc = read(pdf, pm)
    assert doc.kind == "unreadable" and "加密" in doc.error and "encrypted" in doc.error_en


def test_truncated_pdf_is_unreadable(tmp_path, pm):
    data = make_text_pdf(tmp_path / "ok.pdf", [LICENSE_LINES]).read_bytes()
    bad = tmp_path / "truncated.pdf"
    bad.write_bytes(data[: len(data) // 2])
    doc = read(bad, pm)
    assert doc.kind == "unreadable" and doc.format == "pdf" and "损坏" in doc.error and doc.error_en


def test_zero_byte_file_is_unreadable(tmp_path, pm):
    f = tmp_path / "空.pdf"
    f.write_bytes(b"")
    doc = read(f, pm)
    assert doc.kind == "unreadable" and doc.error == "文件为空（0 字节）" and doc.size == 0


def test_docx_is_unsupported_with_advice(tmp_path, pm):
    doc = read(make_docx(tmp_path / "承诺书.docx"), pm)
    assert doc.kind == "unsupported" and doc.format == "docx"
    assert doc.error == "暂不支持读取 .docx 文件，请另存为 PDF 后放入申报材料"
    assert "docx" in doc.error_en and not doc.readable


def test_encrypted_office_file_is_unreadable(tmp_path, pm):
    f = tmp_path / "财务报表.xlsx"
    f.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 600)
    doc = read(f, pm)
    assert doc.kind == "unreadable" and "文件已加密" in doc.error and "encrypted" in doc.error_en


def test_png_bomb_is_unreadable(tmp_path, pm):
    doc = read(png_bomb(tmp_path / "photo.png"), pm)
    assert doc.kind == "unreadable" and doc.format == "png" and "像素过大" in doc.error


def test_png_named_pdf_is_read_as_image(tmp_path, pm):
    f = tmp_path / "营业执照.pdf"
    scan_image(["营业执照"], size=(300, 200), font_px=20).save(f, "PNG")
    assert sniff(f)[0] == "png"
    doc = read(f, pm)
    assert doc.kind == "image" and doc.format == "png" and doc.pages[0].width == 300


def test_extractor_crash_becomes_unreadable(tmp_path, monkeypatch, pm):
    monkeypatch.setattr("shenbao.extract.pdf.extract", lambda *a: 1 / 0)
    pdf = make_text_pdf(tmp_path / "a.pdf", [LICENSE_LINES])
    doc = read(pdf, pm)
    assert doc.kind == "unreadable" and "ZeroDivisionError" in doc.error_en and doc.error


@pytest.mark.parametrize("head,ext,fmt", [
    (b"%PDF-1.7\n", ".jpg", "pdf"), (b"\xff\xd8\xff\xe0", ".pdf", "jpeg"), (b"II*\x00", ".tif", "tiff"),
    (b"RIFF\0\0\0\0WEBPVP8 ", ".jpg", "webp"), (b"GIF89a", ".gif", "gif"), (b"Rar!\x1a\x07\x00", ".rar", "rar"),
    (b"7z\xbc\xaf\x27\x1c", ".zip", "7z"), ("申报说明\n".encode("utf-8"), ".txt", "text"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls", "xls"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".bin", "ole2"),
    (b"\x00\x01\x02\x03garbage", ".pdf", "unknown"),
])
def test_sniff_by_content(tmp_path, head, ext, fmt):
    f = tmp_path / f"x{ext}"
    f.write_bytes(head)
    assert sniff(f)[0] == fmt


def test_sniff_zip_family(tmp_path):
    ofd = tmp_path / "发票.ofd"
    with zipfile.ZipFile(ofd, "w") as z:
        z.writestr("OFD.xml", "<ofd:OFD/>")
    plain = tmp_path / "材料.zip"
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("a.pdf", "%PDF-")
    assert sniff(ofd)[0] == "ofd"
    assert sniff(plain)[0] == "zip"
    assert sniff(make_docx(tmp_path / "a.bin"))[0] == "docx"
    assert sniff(make_xlsx(tmp_path / "b.dat"))[0] == "xlsx"
    assert extract_plugin.unsupported("rar").error.startswith("暂不支持读取压缩包")


# --- spreadsheets ---------------------------------------------------------------------------

def test_xlsx_values_dates_and_cached_formula(tmp_path, pm):
    doc = read(make_xlsx(tmp_path / "研发费用.xlsx"), pm)
    assert doc.kind == "xlsx" and [s.name for s in doc.sheets] == ["研发费用汇总", "说明"]
    assert doc.sheets[0].rows == [
        ["研发费用明细表", None, None],
        ["项目", "金额", "日期"],
        ["材料费", 100, "2024-03-05"],
        ["设备费", 200.5, "2024-04-01"],
        ["合计", 300.5, None],
    ]
    assert doc.sheets[1].rows == [["备注"]]
    assert len(doc.pages) == 2 and doc.pages[0].text.splitlines()[0] == "研发费用明细表"
    assert "合计\t300.5" in doc.pages[0].text and doc.pages[0].source == "text-layer"


def test_broken_xlsx_is_unreadable(tmp_path, pm):
    data = make_xlsx(tmp_path / "ok.xlsx").read_bytes()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(data[: len(data) // 2])
    doc = read(bad, pm)
    assert doc.kind == "unreadable" and doc.error


# --- cache and parallel runs ----------------------------------------------------------------

def test_cache_hit_returns_identical_document_and_skips_extraction(tmp_path, monkeypatch):
    pdf = make_text_pdf(tmp_path / "a.pdf", [LICENSE_LINES])
    copy = tmp_path / "sub" / "renamed.pdf"
    copy.parent.mkdir()
    copy.write_bytes(pdf.read_bytes())
    cache = Cache(tmp_path / "cache")
    first = extract_all([(pdf, "a.pdf")], NO_OCR, cache=cache, pm_factory=pm_factory)[0]
    monkeypatch.setattr("shenbao.extract.pdf.extract", lambda *a: pytest.fail("cache was not used"))
    seen = []
    again = extract_all([(pdf, "a.pdf"), (copy, "sub/renamed.pdf")], NO_OCR, cache=cache,
                        pm_factory=pm_factory, progress=lambda d, t, p: seen.append((d, t, p)))
    assert again[0] == first
    assert again[1].path == "sub/renamed.pdf" and again[1].pages == first.pages
    assert seen == [(1, 2, "a.pdf"), (2, 2, "sub/renamed.pdf")]
    assert list((tmp_path).glob("*.json*")) == []  # nothing written next to the inputs


def test_corrupt_cache_entry_is_ignored(tmp_path):
    pdf = make_text_pdf(tmp_path / "a.pdf", [LICENSE_LINES])
    cache = Cache(tmp_path / "cache")
    extract_all([(pdf, "a.pdf")], NO_OCR, cache=cache, pm_factory=pm_factory)
    for entry in (tmp_path / "cache").rglob("*.json.gz"):
        entry.write_bytes(b"not gzip")
    doc = extract_all([(pdf, "a.pdf")], NO_OCR, cache=cache, pm_factory=pm_factory)[0]
    assert doc.kind == "pdf" and CREDIT in doc.pages[0].text


def test_settings_change_the_cache_key():
    assert ExtractSettings().cache_key() != ExtractSettings(ocr_engine="tesseract").cache_key()
    assert ExtractSettings().cache_key() == ExtractSettings(timeout_seconds=5).cache_key()


@pytest.mark.ocr
def test_serial_and_parallel_runs_are_equal(tmp_path):
    files = [
        make_text_pdf(tmp_path / "a.pdf", [LICENSE_LINES]),
        make_xlsx(tmp_path / "b.xlsx"),
        make_docx(tmp_path / "c.docx"),
        tmp_path / "d.pdf",
    ]
    files[3].write_bytes(b"")
    strip = tmp_path / "e.jpg"
    scan_image(["成立日期：2023年06月08日"], size=(827, 1170), font_px=24).save(strip, "JPEG")
    files.append(strip)
    items = [(f, f.name) for f in files]
    settings = ExtractSettings()
    serial = extract_all(items, settings, jobs=1, pm_factory=pm_factory)
    parallel = extract_all(items, settings, jobs=2, pm_factory=pm_factory)

    def norm(docs):
        return [dataclasses.replace(d, seconds=0.0) for d in docs]

    assert norm(serial) == norm(parallel)
    assert [d.path for d in parallel] == [f.name for f in files]
    assert [d.kind for d in parallel] == ["pdf", "xlsx", "unsupported", "unreadable", "image"]
    assert "2023年06月08日" in parallel[4].pages[0].text


# --- OCR (real engine, ~2 s a page) ---------------------------------------------------------

@pytest.mark.ocr
def test_scanned_photo_reads_credit_code_and_date(tmp_path, pm):
    photo = tmp_path / "营业执照.jpg"
    scan_image(LICENSE_LINES).save(photo, "JPEG", quality=70)
    doc = read(photo, pm, ExtractSettings())
    p = doc.pages[0]
    assert doc.kind == "image" and p.source == "ocr" and p.ocr_engine == "rapidocr"
    assert re.search(r"统一社会信用代码[:：]\s*" + CREDIT, p.text)
    assert "2023年06月08日" in p.text
    assert p.confidence > 0.9 and p.rotation == 0
    assert all(0 <= v <= 1 for l in p.lines for v in l.bbox)


@pytest.mark.ocr
def test_scanned_pdf_page_turned_upside_down_is_read(tmp_path, pm):
    im = scan_image(LICENSE_LINES).rotate(180)
    doc = read(image_pdf(tmp_path / "scan.pdf", im), pm, ExtractSettings())
    p = doc.pages[0]
    assert p.source == "ocr" and p.rotation == 180 and p.image_coverage > 0.9
    assert CREDIT in p.text and "2023年06月08日" in p.text
    title = p.lines[0]
    assert title.text == "营业执照" and title.bbox[1] > 0.8  # box on the page as stored (upside down)


# --- images, colour, limits -----------------------------------------------------------------

def test_phone_photo_exif_orientation_and_multipage_tiff(tmp_path, pm):
    from PIL import Image

    photo = tmp_path / "IMG_0001.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display": stored landscape, shown portrait
    Image.new("RGB", (300, 200), "white").save(photo, "JPEG", exif=exif)
    p = read(photo, pm).pages[0]
    assert (p.width, p.height) == (200, 300)

    tif = tmp_path / "scan.tif"
    frames = [Image.new("RGB", (120, 160), c) for c in ("white", "red", "white")]
    frames[0].save(tif, save_all=True, append_images=frames[1:])
    doc = read(tif, pm)
    assert doc.kind == "image" and [pg.number for pg in doc.pages] == [1, 2, 3]
    assert doc.pages[1].colour_ratio > 0.9 and doc.pages[0].colour_ratio == 0


def test_coloured_separator_page_has_high_colour_ratio(tmp_path, pm):
    from reportlab.pdfgen import canvas


    make_text_pdf(tmp_path / "x.pdf", [["x"]])  # registers the wqy font
    f = tmp_path / "sep.pdf"
    c = canvas.Canvas(str(f), pagesize=(595, 842))
    c.setFont("wqy", 14)
    for colour in ((0.85, 0.1, 0.1), None):
        if colour:
            c.setFillColorRGB(*colour)
            c.rect(0, 0, 595, 842, fill=1, stroke=0)
        c.setFillColorRGB(0, 0, 0)
        c.drawString(72, 700, "第二部分 企业研发投入及知识产权情况证明材料汇编目录")
        c.showPage()
    c.save()
    red, plain = read(f, pm).pages
    assert red.source == "text-layer" and red.colour_ratio > 0.8 and plain.colour_ratio < 0.01


def test_timeout_becomes_unreadable_and_is_not_cached(tmp_path, monkeypatch):
    import time

    from shenbao.extract import cacheable

    monkeypatch.setattr("shenbao.extract.pdf.extract", lambda *a: time.sleep(5))
    pdf = make_text_pdf(tmp_path / "slow.pdf", [LICENSE_LINES])
    doc = extract_file(pdf, "slow.pdf", dataclasses.replace(NO_OCR, timeout_seconds=0.3), pm_factory())
    assert doc.kind == "unreadable" and "超时" in doc.error and doc.seconds < 2
    assert not cacheable(doc)


class _SlowEngine:
    """An OCR engine that takes 0.4 s a page and reads one line."""

    version = "slow-1"

    def recognize(self, image):
        import time

        from shenbao.model import Line

        time.sleep(0.4)
        return [Line("三门峡市示例科技有限公司营业执照副本", (10.0, 10.0, 400.0, 40.0), 0.99)]


class _SlowPlugin:
    from shenbao import hookimpl

    @hookimpl
    def shenbao_add_ocr_engines(self):
        return {"slow": _SlowEngine}


def test_the_time_limit_is_per_page_so_a_long_scan_is_read_in_full(tmp_path):
    from shenbao.extract import ocr

    pages = [scan_image(LICENSE_LINES[:2]) for _ in range(5)]
    pdf = tmp_path / "scan5.pdf"
    pages[0].save(pdf, "PDF", resolution=200.0, save_all=True, append_images=pages[1:])
    pm = pm_factory()
    pm.register(_SlowPlugin())
    settings = dataclasses.replace(ExtractSettings(), ocr_engine="slow", timeout_seconds=1.0, visual=False)
    try:
        doc = extract_file(pdf, pdf.name, settings, pm)  # ~2 s in all, 0.4 s a page
    finally:
        ocr.configure(pm=pm_factory())
        ocr._engines.pop("slow", None)
    assert doc.kind == "pdf" and len(doc.pages) == 5 and doc.error is None
    assert all(p.source == "ocr" for p in doc.pages)
