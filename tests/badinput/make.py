"""Byte-level builders for the bad-input corpus: every file is made at test time, none is committed.

Deterministic: the same call gives the same bytes (reportlab runs with ``invariant=1``, zip entries
carry a fixed timestamp), so reports of two runs can be compared byte for byte.
"""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Iterable, Optional

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"

LICENCE_LINES = [
    "营业执照",
    "统一社会信用代码：91410100MA44XK7J2B",
    "名称：三门峡市示例科技有限公司",
    "类型：有限责任公司（自然人投资或控股）",
    "法定代表人：张三",
    "注册资本：伍佰万元整",
    "成立日期：2019年03月15日",
    "住所：河南省三门峡市湖滨区示例路88号",
    "登记机关：三门峡市市场监督管理局",
]

AUDIT_LINES = [
    "审计报告",
    "三门峡市示例科技有限公司全体股东：",
    "我们审计了三门峡市示例科技有限公司2024年度财务报表，",
    "包括2024年12月31日的资产负债表、2024年度的利润表。",
    "报告编号：豫会审字〔2025〕第0123号",
    "防伪编码：41000025012345678",
    "会计师事务所（特殊普通合伙）",
]


# --- PDFs -----------------------------------------------------------------------------------

def text_pdf(pages: list[list[str]], *, chinese: bool = True, encrypt=None) -> bytes:
    """Return a text PDF, one list of lines per page (wqy-zenhei embedded when ``chinese``)."""
    from reportlab.pdfgen import canvas

    font = "Helvetica"
    if chinese:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        if "wqy" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("wqy", FONT, subfontIndex=0))
        font = "wqy"
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595.27, 841.89), invariant=1, encrypt=encrypt)
    for lines in pages:
        c.setFont(font, 14)
        y = 780
        for ln in lines:
            c.drawString(72, y, ln)
            y -= 28
        c.showPage()
    c.save()
    return buf.getvalue()


def raw_pdf(objects: list[bytes], *, root: int = 1, xref: bool = True) -> bytes:
    """Return a PDF from object bodies (object ``i+1`` is ``objects[i]``) with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    start = len(out)
    if xref:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        for off in offsets:
            out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, start)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


HELLO_PAGE = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    stream(b"BT /F1 12 Tf 72 700 Td (Supplementary material, page one) Tj ET"),
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
]


def broken_xref_pdf() -> bytes:
    """A valid one-page PDF whose xref offsets all point to the wrong place (readers must rebuild it)."""
    data = bytearray(raw_pdf(HELLO_PAGE))
    i = data.index(b"xref\n")
    table = data[i:].split(b"trailer")[0]
    broken = table.replace(b" 00000 n", b" 00000 n").replace(b"00000000", b"00000099")
    return bytes(data[:i] + broken + data[i + len(table):])


def zero_page_pdf() -> bytes:
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def loop_pdf() -> bytes:
    """Page tree whose /Pages node lists itself as a kid, a /Parent cycle, and a self-referencing array."""
    objs = list(HELLO_PAGE)
    objs[1] = b"<< /Type /Pages /Kids [2 0 R 3 0 R 6 0 R] /Count 3 >>"
    objs.append(b"<< /Type /Pages /Parent 6 0 R /Kids [6 0 R 2 0 R] /Count 2 /Extra 7 0 R >>")
    objs.append(b"[7 0 R 7 0 R << /Self 7 0 R >>]")
    return raw_pdf(objs)


def deep_pdf(depth: int = 100_000) -> bytes:
    """One page whose resources hold arrays and dictionaries nested ``depth`` deep, a content
    stream of ``depth`` nested ``q`` operators, and a chain of 3 000 /Pages nodes."""
    objs = list(HELLO_PAGE)
    nested_array = b"[" * depth + b"1" + b"]" * depth
    nested_dict = b"<< /A " * (depth // 10) + b"1" + b" >>" * (depth // 10)
    objs[2] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> "
               b"/Deep " + nested_array + b" /DeepDict " + nested_dict + b" >> >>")
    objs[3] = stream(b"q " * depth + b"BT /F1 12 Tf 72 700 Td (Deep) Tj ET " + b"Q " * depth)
    # A very deep page tree: 2 -> 6 -> 7 -> ... -> 3005 -> page 3.
    chain = 3000
    first = len(objs) + 1
    objs[1] = b"<< /Type /Pages /Kids [3 0 R %d 0 R] /Count 2 >>" % first
    for k in range(chain):
        n = first + k
        parent = 2 if k == 0 else n - 1
        kid = b"%d 0 R" % (n + 1) if k < chain - 1 else b"3 0 R"
        objs.append(b"<< /Type /Pages /Parent %d 0 R /Kids [%s] /Count 1 >>" % (parent, kid))
    return raw_pdf(objs)


def many_pages_pdf(n: int = 1000) -> bytes:
    """An ``n``-page text PDF (Helvetica, two lines a page) on small 150 x 210 pt pages: it tests
    the page loop and the page limit, not rendering (an A4 page costs ~45 ms of rendering and seal
    analysis even without OCR; a small one ~5 ms)."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(150, 210), invariant=1)
    for i in range(1, n + 1):
        c.setFont("Helvetica", 8)
        c.drawString(10, 190, f"Supplementary material, page {i}")
        c.drawString(10, 178, "Production records and acceptance")
        c.showPage()
    c.save()
    return buf.getvalue()


# --- images ---------------------------------------------------------------------------------

def _png_chunk(t: bytes, d: bytes) -> bytes:
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` (a decompression bomb's header)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zlib.compress(b"\0" * 1000))
            + _png_chunk(b"IEND", b""))


def small_image(fmt: str = "PNG", size=(64, 48), colour=(200, 30, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, fmt)
    return buf.getvalue()


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose SOF marker is patched to claim ``width`` x ``height``."""
    data = bytearray(small_image("JPEG"))
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            struct.pack_into(">HH", data, i + 5, height, width)
            return bytes(data)
        i += 2 + length
    raise AssertionError("no SOF marker")


# --- zip containers -------------------------------------------------------------------------

def deflate_repeated(head: bytes, unit: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """Return ``(raw deflate stream, crc32, uncompressed size)`` of ``head + unit * times + tail``,
    built by repeating one independently flushed block, so a 1 GiB member costs ~1 MB to make."""
    def seg(data: bytes, final: bool = False) -> bytes:
        co = zlib.compressobj(9, zlib.DEFLATED, -15)
        return co.compress(data) + co.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)

    block = seg(unit)
    body = seg(head) + block * times + seg(tail, final=True)
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(tail, crc)
    return body, crc & 0xFFFFFFFF, len(head) + len(unit) * times + len(tail)


class RawZip:
    """A zip writer that takes names as raw bytes (GBK without the UTF-8 flag, ``../`` ...) and
    precompressed members (bombs). ``zipfile`` cannot do either."""

    DOS_TIME, DOS_DATE = 0x6000, 0x5A21  # 2025-01-01 12:00

    def __init__(self) -> None:
        self.entries: list[tuple[bytes, bytes, int, int, int, int, int]] = []

    def add(self, name: bytes | str, data: bytes, *, flags: int = 0, deflate: bool = True) -> "RawZip":
        if isinstance(name, str):
            name = name.encode("utf-8")
            flags |= 0x800 if not name.isascii() else 0
        if deflate:
            co = zlib.compressobj(6, zlib.DEFLATED, -15)
            body = co.compress(data) + co.flush()
            self.entries.append((name, body, 8, flags, zlib.crc32(data) & 0xFFFFFFFF, len(data), 0))
        else:
            self.entries.append((name, data, 0, flags, zlib.crc32(data) & 0xFFFFFFFF, len(data), 0))
        return self

    def add_raw(self, name: bytes | str, body: bytes, crc: int, size: int, *, flags: int = 0) -> "RawZip":
        if isinstance(name, str):
            name = name.encode("utf-8")
        self.entries.append((name, body, 8, flags, crc, size, 0))
        return self

    def bytes(self) -> bytes:
        out, central = bytearray(), bytearray()
        for name, body, method, flags, crc, size, _ in self.entries:
            off = len(out)
            out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, self.DOS_TIME, self.DOS_DATE,
                               crc, len(body), size, len(name), 0) + name + body
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, method, self.DOS_TIME,
                                   self.DOS_DATE, crc, len(body), size, len(name), 0, 0, 0, 0, 0, off) + name
        cd_off = len(out)
        out += central
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(self.entries), len(self.entries), len(central), cd_off, 0)
        return bytes(out)


def xlsx_bytes(rows: list[list], title: str = "Sheet1") -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue())


def normalise_zip(data: bytes, replace: Optional[dict] = None, add: Iterable[tuple[str, bytes]] = ()) -> bytes:
    """Rewrite a zip with fixed timestamps (deterministic bytes), replacing/adding members."""
    import zipfile

    replace = replace or {}
    src = zipfile.ZipFile(io.BytesIO(data))
    z = RawZip()
    for info in src.infolist():
        z.add(info.filename, replace.get(info.filename, src.read(info)))
    for name, body in add:
        z.add(name, body)
    return z.bytes()


INVOICE_ROWS = [["序号", "发票号码", "开票日期", "金额（元）"], [1, "04412345", "2024-09-01", 560000], [2, "04412346", "2024-10-11", 480000]]


def xlsx_bomb(gib: float = 1.0) -> bytes:
    """An xlsx whose shared-strings part inflates to ``gib`` GiB of one string (ratio ~1000:1)."""
    import zipfile

    base = xlsx_bytes(INVOICE_ROWS)
    src = zipfile.ZipFile(io.BytesIO(base))
    z = RawZip()
    for info in src.infolist():
        if info.filename == "[Content_Types].xml":
            ct = src.read(info).replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                        b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            z.add(info.filename, ct)
        else:
            z.add(info.filename, src.read(info))
    unit = b"A" * (1 << 20)
    body, crc, size = deflate_repeated(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                                       b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>',
                                       unit, int(gib * 1024), b"</t></si></sst>")
    z.add_raw("xl/sharedStrings.xml", body, crc, size)
    return z.bytes()


def zip_bomb(gib: float = 1.0) -> bytes:
    unit = b"\0" * (1 << 20)
    body, crc, size = deflate_repeated(b"", unit, int(gib * 1024), b"")
    return RawZip().add("营业执照扫描件.pdf", text_pdf([LICENCE_LINES])).add_raw("发票/全部发票.pdf", body, crc, size).bytes()


def xlsx_with_entities() -> bytes:
    """Billion laughs in the workbook part: ten levels of ten entity references."""
    ents = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    base = xlsx_bytes(INVOICE_ROWS)
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(base))
    sheet = src.read("xl/worksheets/sheet1.xml").decode("utf-8")
    decl_end = sheet.index("?>") + 2 if sheet.startswith("<?xml") else 0
    bomb = sheet[:decl_end] + "<!DOCTYPE lolz [" + "".join(ents) + "]>" + sheet[decl_end:]
    bomb = bomb.replace("<v>560000</v>", "<v>560000</v>").replace("</sheetData>", "</sheetData><!-- &lol9; -->")
    # an entity reference in a cell: the parser must not expand it
    bomb = bomb.replace('<c r="B1" t="inlineStr"><is><t>发票号码</t></is></c>', '<c r="B1" t="inlineStr"><is><t>&lol9;</t></is></c>')
    return normalise_zip(base, replace={"xl/worksheets/sheet1.xml": bomb.encode("utf-8")})


def xlsx_with_external_link() -> bytes:
    """A workbook whose formulas point to another workbook on a network share and a URL."""
    import zipfile

    base = xlsx_bytes(INVOICE_ROWS + [["合计", None, None, 1040000]])
    src = zipfile.ZipFile(io.BytesIO(base))
    ct = src.read("[Content_Types].xml").replace(
        b"</Types>", b'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>')
    rels = src.read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>", b'<Relationship Id="rIdExt1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/externalLink" Target="externalLinks/externalLink1.xml"/></Relationships>')
    wb = src.read("xl/workbook.xml").replace(b"</workbook>", b'<externalReferences><externalReference r:id="rIdExt1"/>'
                                             b"</externalReferences></workbook>")
    if b'xmlns:r=' not in wb:
        wb = wb.replace(b"<workbook ", b'<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ', 1)
    link = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><externalLink xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            b'<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames><sheetDataSet>'
            b'<sheetData sheetId="0"><row r="1"><cell r="A1"><v>1040000</v></cell></row></sheetData></sheetDataSet>'
            b"</externalBook></externalLink>")
    link_rels = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                 b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                 b'2006/relationships/externalLinkPath" Target="http://127.0.0.1:9/secret/%E5%8F%B0%E8%B4%A6.xlsx" '
                 b'TargetMode="External"/></Relationships>')
    sheet = src.read("xl/worksheets/sheet1.xml").replace(b"<v>1040000</v>", b"<f>[1]Sheet1!A1</f><v>1040000</v>")
    return normalise_zip(base, replace={"[Content_Types].xml": ct, "xl/_rels/workbook.xml.rels": rels,
                                        "xl/workbook.xml": wb, "xl/worksheets/sheet1.xml": sheet},
                         add=[("xl/externalLinks/externalLink1.xml", link),
                              ("xl/externalLinks/_rels/externalLink1.xml.rels", link_rels)])


def xlsx_huge_sheet() -> bytes:
    """A sheet that claims the whole grid: cells in column XFD on 2 000 rows and one in row 1 048 576."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in INVOICE_ROWS:
        ws.append(r)
    for i in range(10, 2010):
        ws.cell(row=i, column=16384, value="x")
    ws.cell(row=1_048_576, column=1, value=1)
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue())


def docx_bytes() -> bytes:
    return (RawZip().add("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
            .add("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                 '<w:p><w:r><w:t>承诺书</w:t></w:r></w:p></w:body></w:document>'.encode("utf-8")).bytes())


def ofd_bytes() -> bytes:
    return (RawZip().add("OFD.xml", '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" '
                         'Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
                         '</ofd:DocBody></ofd:OFD>'.encode("utf-8"))
            .add("Doc_0/Document.xml", b'<?xml version="1.0"?><ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"/>').bytes())


def rar_bytes() -> bytes:
    """A RAR 5 signature followed by junk: enough for any sniffer, nothing to unpack."""
    return b"Rar!\x1a\x07\x01\x00" + bytes(range(256)) * 4


# --- OLE2 / compound files (xls, et, password-protected xlsx) -------------------------------

def cfb(streams: list[tuple[str, bytes]]) -> bytes:
    """Return a minimal valid OLE2 compound file holding ``streams`` (each padded to 4 KiB so it
    lives in regular sectors: no mini stream is needed)."""
    SECT = 512
    ENDOFCHAIN, FATSECT, FREESECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF, 0xFFFFFFFF
    datas = [d + b"\0" * (max(4096, -(-len(d) // SECT) * SECT) - len(d)) for _, d in streams]
    fat = [FATSECT, ENDOFCHAIN]  # sector 0: the FAT, sector 1: the directory
    starts = []
    for d in datas:
        n = len(d) // SECT
        start = len(fat)
        starts.append(start)
        fat += [start + k + 1 for k in range(n - 1)] + [ENDOFCHAIN]
    assert len(fat) <= SECT // 4, "one FAT sector is enough for the corpus"
    fat += [FREESECT] * (SECT // 4 - len(fat))

    def entry(name: str, typ: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), typ, 1) + struct.pack("<III", left, right, child)
                + b"\0" * 36 + struct.pack("<IQ", start, size))

    dirs = [entry("Root Entry", 5, NOSTREAM, NOSTREAM, 1 if streams else NOSTREAM, ENDOFCHAIN, 0)]
    for k, ((name, data), start) in enumerate(zip(streams, starts), start=1):
        right = k + 1 if k < len(streams) else NOSTREAM
        dirs.append(entry(name, 2, NOSTREAM, right, NOSTREAM, start, len(data)))
    while len(dirs) % 4:
        dirs.append(entry("", 0, NOSTREAM, NOSTREAM, NOSTREAM, 0, 0))
    assert len(dirs) == 4, "one directory sector is enough for the corpus"
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
              + struct.pack("<I", 0) + struct.pack("<I", FREESECT) * 108)
    assert len(header) == 512
    return header + struct.pack("<%dI" % (SECT // 4), *fat) + b"".join(dirs) + b"".join(datas)


def encrypted_xlsx() -> bytes:
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0"?><encryption xmlns="http://schemas.microsoft.com/office/2006/encryption"/>'
    return cfb([("EncryptionInfo", info), ("EncryptedPackage", struct.pack("<Q", 4096) + bytes(range(256)) * 16)])


def xls_bytes() -> bytes:
    return cfb([("Workbook", b"\x09\x08\x10\x00\x00\x06\x05\x00" + b"\0" * 200)])


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
