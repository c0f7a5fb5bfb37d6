"""Tell a file's format from its bytes (magic numbers), never from its name.

The extension is only used to refine containers whose bytes are ambiguous: an OLE2 file (old
Office / WPS) or a zip that cannot be opened.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

_HEAD = 8192

# Names of OLE2 directory entries, as they appear (UTF-16LE) in the directory sectors.
_OLE_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_OLE_WORKBOOK = "Workbook".encode("utf-16-le")
_OLE_WORD = "WordDocument".encode("utf-16-le")
_OLE_PPT = "PowerPoint Document".encode("utf-16-le")

_OLE_BY_EXT = {".xls": "xls", ".et": "et", ".doc": "doc", ".wps": "wps", ".ppt": "ppt", ".dps": "ppt"}
_ZIP_BY_EXT = {".xlsx": "xlsx", ".xlsm": "xlsx", ".docx": "docx", ".ofd": "ofd", ".pptx": "pptx"}


def sniff(path: Path) -> tuple[str, str]:
    """Return ``(fmt, note)``: the format name and a short English note on the evidence.

    ``fmt`` is one of ``pdf jpeg png tiff bmp webp gif heic xlsx docx pptx ofd odf zip
    ooxml-encrypted xls et doc wps ppt ole2 rar 7z gzip text empty unknown``.
    """
    path = Path(path)
    ext = path.suffix.lower()
    with open(path, "rb") as f:
        head = f.read(_HEAD)
    if not head:
        return "empty", "0 bytes"
    fmt, note = _by_magic(head)
    if fmt == "zip":
        fmt, note = _zip_kind(path, ext)
    elif fmt == "ole2":
        fmt, note = _ole_kind(path, ext)
    if ext and ext.lstrip(".") not in _same_family(fmt):
        note = f"{note}; extension {ext} does not match the content".lstrip("; ")
    return fmt, note


def _same_family(fmt: str) -> set[str]:
    """Return the extensions that are normal for ``fmt`` (to note misleading names)."""
    return {
        "jpeg": {"jpg", "jpeg", "jpe", "jfif"}, "tiff": {"tif", "tiff"}, "xlsx": {"xlsx", "xlsm"},
        "ooxml-encrypted": {"xlsx", "docx", "pptx", "xlsm"}, "text": {"txt", "csv", "md", "html", "htm", "xml", "json"},
        "heic": {"heic", "heif"}, "gzip": {"gz", "tgz"}, "ole2": {"xls", "doc", "ppt", "et", "wps", "dps"},
        "odf": {"odt", "ods", "odp"},
    }.get(fmt, {fmt})


def _by_magic(head: bytes) -> tuple[str, str]:
    """Return ``(fmt, note)`` from the first bytes only (zip/ole2 are refined later)."""
    if head.startswith(b"%PDF-"):
        return "pdf", "PDF header"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg", "JPEG SOI marker"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "PNG signature"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff", "TIFF header"
    if head.startswith(b"BM") and len(head) > 26 and head[14:15] in (b"\x0c", b"\x28", b"\x38", b"\x40", b"\x6c", b"\x7c"):
        return "bmp", "BMP header"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp", "RIFF/WEBP header"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif", "GIF header"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"hevc"):
        return "heic", "HEIF/HEIC ftyp box"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return "zip", "zip signature"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole2", "OLE2 compound file signature"
    if head.startswith(b"Rar!\x1a\x07"):
        return "rar", "RAR signature"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z", "7z signature"
    if head.startswith(b"\x1f\x8b"):
        return "gzip", "gzip signature"
    if b"%PDF-" in head[:1024]:  # junk before the header is tolerated by PDF readers
        return "pdf", "PDF header after leading bytes"
    if _looks_like_text(head):
        return "text", "decodes as text"
    return "unknown", "no known signature"


def _looks_like_text(head: bytes) -> bool:
    """Return True when the bytes decode as UTF-8/UTF-16/GB18030 text without control noise."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    for enc in ("utf-8", "gb18030"):
        try:
            s = head.decode(enc)
        except UnicodeDecodeError:
            # a multi-byte char may be cut at the end of the sample
            try:
                s = head[:-4].decode(enc)
            except UnicodeDecodeError:
                continue
        bad = sum(1 for c in s if ord(c) < 32 and c not in "\r\n\t\f")
        return bad <= len(s) * 0.01
    return False


MAX_SNIFF_ENTRIES = 100_000  # a central directory larger than this is not loaded just to name the format


def _zip_kind(path: Path, ext: str) -> tuple[str, str]:
    """Return ``(fmt, note)`` for a zip container from its member names."""
    from .archive import central_directory_count

    count = central_directory_count(path)
    if count is not None and count > MAX_SNIFF_ENTRIES:
        return _ZIP_BY_EXT.get(ext, "zip"), f"zip with {count} entries (not listed); kind taken from extension {ext or '(none)'}"
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        fmt = _ZIP_BY_EXT.get(ext, "zip")
        return fmt, f"damaged zip container ({e}); kind taken from extension {ext or '(none)'}"
    low = {n.lower() for n in names}
    if "ofd.xml" in low:
        return "ofd", "zip with OFD.xml"
    if "[content_types].xml" in low:
        if any(n.startswith("xl/") for n in low):
            return "xlsx", "OOXML package with xl/"
        if any(n.startswith("word/") for n in low):
            return "docx", "OOXML package with word/"
        if any(n.startswith("ppt/") for n in low):
            return "pptx", "OOXML package with ppt/"
    if "mimetype" in low:
        return "odf", "OpenDocument package"
    return "zip", f"zip archive with {len(names)} entries"


def _ole_kind(path: Path, ext: str) -> tuple[str, str]:
    """Return ``(fmt, note)`` for an OLE2 compound file: encrypted OOXML, xls/et, doc, ppt or ole2."""
    found = set()
    with open(path, "rb") as f:
        prev = b""
        while True:  # directory sectors can be anywhere; scan the file in chunks
            chunk = f.read(1 << 20)
            if not chunk:
                break
            buf = prev + chunk
            for name, pat in (("enc", _OLE_ENCRYPTED), ("xls", _OLE_WORKBOOK), ("doc", _OLE_WORD), ("ppt", _OLE_PPT)):
                if pat in buf:
                    found.add(name)
            prev = chunk[-64:]
    if "enc" in found:
        return "ooxml-encrypted", "OLE2 file with EncryptedPackage (password-protected Office file)"
    if ext in _OLE_BY_EXT:
        return _OLE_BY_EXT[ext], f"OLE2 compound file, extension {ext}"
    for name in ("xls", "doc", "ppt"):
        if name in found:
            return name, f"OLE2 compound file with a {name} stream"
    return "ole2", "OLE2 compound file"
