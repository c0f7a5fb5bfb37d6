"""A structure-aware fuzzer of the extraction entry point (``shenbao.extract.extract_file``).

Seeds are small valid files of every format the linter reads (text and image PDFs, xlsx, PNG,
JPEG, TIFF, GIF, BMP, WebP, a zip holding a PDF). Mutators know a little of each format: they cut
files, flip and insert bytes, splice two files, and inside PDFs rewrite numbers, ``/Length``s and
object references, nest arrays, drop ``endobj``/``xref``; inside PNGs rewrite chunk lengths and
the image size (with valid CRCs); inside zips (xlsx) they rewrite one member and zip it again, or
corrupt the central directory's sizes.

The property: ``extract_file`` returns a :class:`~shenbao.model.Document` of a known ``kind``,
with bilingual reasons when it could not read the file, that serialises to the cache and back,
within its time limit, and without raising. Used by ``tests/test_fuzz_extract.py`` (short, in CI)
and ``scripts/fuzz.py`` (long runs).
"""
from __future__ import annotations

import io
import json
import random
import re
import struct
import time
import traceback
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import make

KINDS = {"pdf", "image", "xlsx", "unsupported", "unreadable"}


def seeds() -> dict[str, bytes]:
    """Small valid files, by name (the extension is the one a user would give it)."""
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (120, 80), (250, 250, 245))
    d = ImageDraw.Draw(im)
    d.ellipse((60, 10, 110, 60), outline=(210, 20, 20), width=4)  # something seal-like for the vision code
    d.rectangle((5, 60, 50, 70), fill=(20, 20, 20))
    out: dict[str, bytes] = {}
    for fmt, ext in (("PNG", "png"), ("JPEG", "jpg"), ("TIFF", "tif"), ("GIF", "gif"), ("BMP", "bmp"), ("WEBP", "webp")):
        buf = io.BytesIO()
        im.save(buf, fmt)
        out[f"seed.{ext}"] = buf.getvalue()
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(200, 160), invariant=1)
    c.setFont("Helvetica", 9)
    c.drawString(10, 140, "Invoice list 2024-09-01 total 1,040,000.00")
    c.drawString(10, 125, "Credit code 91410100MA44XK7J2B")
    c.drawImage(_reader(im), 100, 10, 80, 60)
    c.showPage()
    c.setFont("Helvetica", 9)
    c.drawString(10, 140, "Page two")
    c.save()
    out["seed.pdf"] = buf.getvalue()
    out["raw.pdf"] = make.raw_pdf(make.HELLO_PAGE)
    out["seed.xlsx"] = make.xlsx_bytes(make.INVOICE_ROWS + [["合计", None, None, 1040000]])
    out["seed.zip"] = make.RawZip().add("发票清单.xlsx", out["seed.xlsx"]).add("a.pdf", out["raw.pdf"]).bytes()
    return out


def _reader(im):
    from reportlab.lib.utils import ImageReader

    return ImageReader(im)


# --- mutators --------------------------------------------------------------------------------

def m_truncate(r: random.Random, data: bytes, others) -> bytes:
    return data[: r.randrange(0, max(1, len(data)))]


def m_flip(r: random.Random, data: bytes, others) -> bytes:
    b = bytearray(data)
    for _ in range(r.randint(1, 12)):
        if b:
            b[r.randrange(len(b))] = r.randrange(256)
    return bytes(b)


def m_insert(r: random.Random, data: bytes, others) -> bytes:
    i = r.randrange(len(data) + 1)
    junk = r.choice([bytes(r.randrange(256) for _ in range(r.randint(1, 64))), b"\0" * r.randint(1, 4096),
                     b"%%EOF\n", b"endobj\n", b"<<" * 50, b"[" * 500, b"9999999999 0 R", b"\xff\xd8\xff", b"PK\x03\x04"])
    return data[:i] + junk + data[i:]


def m_delete(r: random.Random, data: bytes, others) -> bytes:
    if len(data) < 2:
        return data
    i = r.randrange(len(data))
    return data[:i] + data[i + r.randint(1, max(1, len(data) // 8)):]


def m_duplicate(r: random.Random, data: bytes, others) -> bytes:
    if len(data) < 2:
        return data
    i = r.randrange(len(data))
    j = min(len(data), i + r.randint(1, 512))
    k = r.randrange(len(data))
    return data[:k] + data[i:j] * r.randint(1, 8) + data[k:]


def m_splice(r: random.Random, data: bytes, others) -> bytes:
    other = r.choice(others)
    return data[: r.randrange(len(data) + 1)] + other[r.randrange(len(other) + 1):]


_NUM = re.compile(rb"(?<![\w.])\d{1,10}(?![\w.])")


def m_pdf_numbers(r: random.Random, data: bytes, others) -> bytes:
    """Rewrite numbers (offsets, lengths, sizes, coordinates, object numbers) in a PDF."""
    nums = list(_NUM.finditer(data))
    if not nums:
        return m_flip(r, data, others)
    out = bytearray(data)
    for m in sorted(r.sample(nums, min(len(nums), r.randint(1, 6))), key=lambda m: -m.start()):
        new = r.choice([b"0", b"-1", b"4294967296", b"99999999999999999999", b"1e308", str(r.randrange(1 << 16)).encode()])
        out[m.start():m.end()] = new
    return bytes(out)


def m_pdf_structure(r: random.Random, data: bytes, others) -> bytes:
    """Break PDF structure: loops in references, deep nesting, missing keywords, bad streams."""
    choice = r.randrange(7)
    if choice == 0:
        return re.sub(rb"(\d+) 0 R", lambda m: r.choice([b"1 0 R", b"2 0 R", b"3 0 R", m.group(0)]), data)
    if choice == 1:
        i = r.randrange(len(data) + 1)
        depth = r.choice([100, 10_000, 200_000])
        return data[:i] + b"[" * depth + data[i:]
    if choice == 2:
        return data.replace(b"endobj", b"", r.randint(1, 5))
    if choice == 3:
        return data.replace(b"xref", b"xrfe", 1)
    if choice == 4:
        return re.sub(rb"/Length \d+", lambda m: b"/Length " + str(r.randrange(1 << 31)).encode(), data, count=r.randint(1, 3))
    if choice == 5:
        return data.replace(b"/FlateDecode", r.choice([b"/LZWDecode", b"/DCTDecode", b"/JBIG2Decode", b"/Crypt", b"/Bogus"]), 1)
    return data.replace(b"/Count ", b"/Count -", 1)


def _png_chunks(data: bytes) -> Optional[list[list]]:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    i, out = 8, []
    while i + 8 <= len(data):
        n, typ = struct.unpack(">I4s", data[i:i + 8])
        out.append([typ, data[i + 8:i + 8 + n]])
        i += 12 + n
    return out


def _png_join(chunks) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF) for t, d in chunks)


def m_png(r: random.Random, data: bytes, others) -> bytes:
    """Valid-CRC PNG edits: huge or zero sizes, odd bit depths, chunks dropped or repeated."""
    chunks = _png_chunks(data)
    if not chunks:
        return m_flip(r, data, others)
    choice = r.randrange(4)
    if choice == 0 and chunks[0][0] == b"IHDR" and len(chunks[0][1]) >= 13:
        w, h = r.choice([(0, 0), (1, 1 << 30), (50_000, 50_000), (1 << 31, 1), (r.randrange(1, 5000), r.randrange(1, 5000))])
        chunks[0][1] = struct.pack(">II", w, h) + chunks[0][1][8:]
    elif choice == 1 and chunks[0][0] == b"IHDR" and len(chunks[0][1]) >= 13:
        b = bytearray(chunks[0][1])
        b[8], b[9] = r.choice([1, 2, 4, 8, 16, 3, 0]), r.choice([0, 2, 3, 4, 6, 5, 7])
        chunks[0][1] = bytes(b)
    elif choice == 2 and len(chunks) > 1:
        del chunks[r.randrange(len(chunks))]
    else:
        k = r.randrange(len(chunks))
        chunks.insert(k, list(chunks[k]))
    return _png_join(chunks)


def m_zip_member(r: random.Random, data: bytes, others) -> bytes:
    """Rewrite one member of a zip (xlsx parts) with a mutated version and zip it again."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        members = [(i.filename, z.read(i)) for i in z.infolist()]
    except Exception:  # noqa: BLE001 - not a zip (any more): mutate bytes instead
        return m_flip(r, data, others)
    if not members:
        return data
    k = r.randrange(len(members))
    name, body = members[k]
    mut = r.choice([m_truncate, m_flip, m_insert, m_delete, m_duplicate, _xml_mutation])
    members[k] = (name, mut(r, body, others))
    if r.random() < 0.2:
        members.append((r.choice(["../../evil.txt", "xl/worksheets/sheet9.xml", "/abs.xml", "xl/externalLinks/externalLink1.xml"]), b"<x/>"))
    out = make.RawZip()
    for n, b in members:
        out.add(n, b)
    return out.bytes()


def _xml_mutation(r: random.Random, body: bytes, others) -> bytes:
    choice = r.randrange(5)
    if choice == 0:
        return b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + body
    if choice == 1:
        return re.sub(rb'r="[A-Z]+\d+"', lambda m: b'r="' + r.choice([b"XFD1048576", b"A0", b"ZZZZ99999999", b"A-1"]) + b'"', body, count=3)
    if choice == 2:
        return body.replace(b"<v>", b"<v>1e999999", 1)
    if choice == 3:
        return re.sub(rb"<(\w+)", lambda m: b"<" + m.group(1) * r.randint(1, 3), body, count=2)
    return body.replace(b'<sheetData>', b'<sheetData>' + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', 1)


def m_zip_directory(r: random.Random, data: bytes, others) -> bytes:
    """Lie in the central directory: sizes, counts, offsets."""
    i = data.rfind(b"PK\x01\x02")
    if i < 0:
        return m_flip(r, data, others)
    b = bytearray(data)
    field = r.choice([20, 24, 42, 28])  # compressed size, uncompressed size, local header offset, name length
    width = 2 if field == 28 else 4
    value = r.choice([0, 1, 0xFFFF if width == 2 else 0xFFFFFFFF, r.randrange(1 << (8 * width))])
    b[i + field:i + field + width] = value.to_bytes(width, "little")
    return bytes(b)


MUTATORS: dict[str, list[Callable]] = {
    "pdf": [m_truncate, m_flip, m_insert, m_delete, m_duplicate, m_splice, m_pdf_numbers, m_pdf_numbers, m_pdf_structure,
            m_pdf_structure],
    "png": [m_truncate, m_flip, m_insert, m_splice, m_png, m_png, m_png],
    "zip": [m_truncate, m_flip, m_zip_member, m_zip_member, m_zip_member, m_zip_directory],
    "other": [m_truncate, m_flip, m_insert, m_delete, m_duplicate, m_splice],
}


def _family(name: str) -> str:
    ext = name.rsplit(".", 1)[-1]
    return {"pdf": "pdf", "png": "png", "xlsx": "zip", "zip": "zip"}.get(ext, "other")


def mutate(r: random.Random, name: str, data: bytes, others: list[bytes]) -> bytes:
    for _ in range(r.choice([1, 1, 1, 2, 3])):
        data = r.choice(MUTATORS[_family(name)])(r, data, others)
    return data


# --- the property ----------------------------------------------------------------------------

@dataclass
class Failure:
    seed: str
    case: int
    problem: str
    data: bytes = field(repr=False, default=b"")


@dataclass
class Result:
    cases: int = 0
    seconds: float = 0.0
    kinds: dict = field(default_factory=dict)
    slowest: float = 0.0
    failures: list = field(default_factory=list)


def check_document(doc, timeout: float, took: float) -> Optional[str]:
    """Return what is wrong with an extraction result, or None."""
    from shenbao.model import Document

    if not isinstance(doc, Document):
        return f"not a Document: {type(doc).__name__}"
    if doc.kind not in KINDS:
        return f"unknown kind {doc.kind!r}"
    if doc.kind in ("unreadable", "unsupported") and not (doc.error and doc.error_en):
        return f"{doc.kind} without reasons: {doc.error!r} / {doc.error_en!r}"
    for text in (doc.error, doc.error_en):
        if text is not None:
            text.encode("utf-8")  # raises on lone surrogates
    text = json.dumps(doc.to_dict(), ensure_ascii=False, allow_nan=False)
    if json.dumps(Document.from_dict(json.loads(text)).to_dict(), ensure_ascii=False) != text:
        return "the Document does not survive the cache round trip"
    if took > timeout + 10:
        return f"took {took:.1f} s, over the {timeout:g} s limit"
    return None


def run(workdir: Path, *, cases: int = 10**9, seconds: float = 60, seed: int = 0, timeout: float = 20,
        log: Optional[Callable[[str], None]] = None) -> Result:
    """Fuzz ``extract_file`` for up to ``cases`` inputs or ``seconds``; return what happened."""
    from shenbao.extract import ExtractSettings, extract_file
    from tests.extract.extract_helpers import pm_factory

    pm = pm_factory()
    settings = ExtractSettings(ocr=False, timeout_seconds=timeout, max_pages=50)
    base = seeds()
    names = sorted(base)
    others = [base[n] for n in names]
    r = random.Random(seed)
    res = Result()
    t_start = time.monotonic()
    t_end = t_start + seconds
    workdir.mkdir(parents=True, exist_ok=True)
    while res.cases < cases and time.monotonic() < t_end:
        name = names[res.cases % len(names)]
        data = mutate(r, name, base[name], others)
        ext = name.rsplit(".", 1)[-1] if r.random() < 0.9 else r.choice(["pdf", "jpg", "xlsx", "bin", ""])
        path = workdir / f"case{res.cases % 4}.{ext}" if ext else workdir / f"case{res.cases % 4}"
        path.write_bytes(data)
        t0 = time.monotonic()
        try:
            doc = extract_file(path, path.name, settings, pm)
            took = time.monotonic() - t0
            problem = check_document(doc, timeout, took)
        except BaseException as e:  # noqa: BLE001 - exactly what must never happen
            if isinstance(e, KeyboardInterrupt):
                raise
            took = time.monotonic() - t0
            doc, problem = None, "raised " + "".join(traceback.format_exception_only(type(e), e)).strip()
        res.slowest = max(res.slowest, took)
        if doc is not None:
            res.kinds[doc.kind] = res.kinds.get(doc.kind, 0) + 1
        if problem:
            res.failures.append(Failure(name, res.cases, problem, data))
            if log:
                log(f"case {res.cases} ({name}): {problem}")
        res.cases += 1
    res.seconds = round(time.monotonic() - t_start, 1)
    return res
