"""The built-in extractors and OCR engines, registered as a shenbao plugin.

``shenbao_extract`` dispatches on the sniffed format. Formats that are recognised but not read
(docx, xls, archives ...) get ``kind="unsupported"`` here, so a third-party plugin can take
one over with ``@hookimpl(tryfirst=True)``.

OCR engines are looked up through :mod:`shenbao.extract.ocr`, which ``extract_file`` configures
with the plugin manager it was given (see ``ocr.configure``).
"""
from __future__ import annotations

from pathlib import Path

from .. import hookimpl
from ..model import Document

IMAGE_FORMATS = ("jpeg", "png", "tiff", "bmp", "webp", "gif")

# fmt -> (what to call it in Chinese, in English, what to do in Chinese, in English)
_UNSUPPORTED = {
    "docx": (".docx 文件", ".docx files"), "doc": (".doc 文件", ".doc files"), "wps": ("WPS 文字文件", "WPS text files"),
    "xls": (".xls 文件", ".xls files"), "et": ("WPS 表格（.et）文件", "WPS spreadsheet (.et) files"),
    "pptx": ("演示文稿", "presentations"), "ppt": ("演示文稿", "presentations"),
    "ofd": ("OFD 版式文件", "OFD files"), "odf": ("OpenDocument 文件", "OpenDocument files"),
    "ole2": ("旧版 Office 文件", "legacy Office (OLE2) files"),
    "heic": ("HEIC 格式照片", "HEIC photos"),
    "zip": ("压缩包（.zip）", "zip archives"), "rar": ("压缩包（.rar）", "rar archives"),
    "7z": ("压缩包（.7z）", "7z archives"), "gzip": ("压缩包（.gz）", "gzip archives"),
    "text": ("纯文本文件", "plain text files"), "unknown": ("无法识别格式的文件", "files of unknown format"),
}
_ADVICE = {
    "heic": ("请转换为 JPG 后放入申报材料", "convert it to JPG"),
    "xls": ("请另存为 .xlsx 或 PDF 后放入申报材料", "save it as .xlsx or PDF"),
    "et": ("请另存为 .xlsx 或 PDF 后放入申报材料", "save it as .xlsx or PDF"),
    "zip": ("请解压后放入申报材料", "extract it and put its files into the package"),
    "rar": ("请解压后放入申报材料", "extract it and put its files into the package"),
    "7z": ("请解压后放入申报材料", "extract it and put its files into the package"),
    "gzip": ("请解压后放入申报材料", "extract it and put its files into the package"),
}


def unsupported(fmt: str) -> Document:
    """Return the ``unsupported`` Document for a recognised format that is not read, with advice."""
    what_zh, what_en = _UNSUPPORTED.get(fmt, (f"{fmt} 文件", f"{fmt} files"))
    adv_zh, adv_en = _ADVICE.get(fmt, ("请另存为 PDF 后放入申报材料", "save it as PDF"))
    return Document(path="", kind="unsupported", format=fmt,
                    error=f"暂不支持读取{' ' if what_zh[0].isascii() else ''}{what_zh}，{adv_zh}",
                    error_en=f"{what_en} cannot be read yet; {adv_en}"
                             + ("" if adv_en.endswith("package") else " and add it to the package"))


def archive_document(path: Path) -> Document:
    """Return the Document for a plain zip archive: ``unreadable`` when it is damaged or a zip
    bomb, else ``unsupported`` (its members are read as package files by discovery)."""
    from . import archive

    entries, problem = archive.survey(Path(path))
    if problem:
        return Document(path="", kind="unreadable", format="zip", error=problem[0], error_en=problem[1])
    return Document(path="", kind="unsupported", format="zip",
                    error=f"压缩包（{len(entries)} 个文件）：申报系统一般不接受压缩包，请解压后放入申报材料",
                    error_en=f"a zip archive ({len(entries)} files): portals do not accept archives; "
                             f"extract it and put its files into the package")


# Read in full, but worth knowing: official PDFs (信用报告, 电子发票, 审计报告) often carry a
# permissions password, so this is information, not a warning (see checks/file_unreadable.py).
PERMISSIONS_NOTE = ("PDF 设有权限密码（限制打印、复制或修改），内容已正常读取，如申报系统要求合并或电子签章，可能需要未加密的版本",
                    "the PDF has a permissions password (printing, copying or editing restricted); it was read in full, "
                    "but a portal that merges or e-signs files may need an unencrypted copy")
INFO_NOTES = {PERMISSIONS_NOTE[0]}


def _note(doc: Document, zh: str, en: str) -> None:
    doc.error = f"{doc.error}；{zh}" if doc.error else zh
    doc.error_en = f"{doc.error_en}; {en}" if doc.error_en else en


def pdf_notes(doc: Document, path: Path) -> Document:
    """Add what a reviewer's software will trip over to a PDF read despite it: a broken
    cross-reference table (repaired for reading) and a permissions password (no open password)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    if doc.kind == "unreadable":
        return _pdf_failure(doc, path)
    if doc.kind != "pdf":
        return doc

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return doc
    try:
        if not raw.FPDF_DocumentHasValidCrossReferenceTable(pdf.raw):
            _note(doc, "PDF 的交叉引用表已损坏（已自动修复后读取），部分软件可能打不开，建议重新导出",
                  "the PDF's cross-reference table is broken (repaired for reading); some viewers may fail, export it again")
        if raw.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1:
            _note(doc, *PERMISSIONS_NOTE)
    finally:
        pdf.close()
    return doc


def _pdf_failure(doc: Document, path: Path) -> Document:
    """Say why pdfium refused a PDF, from a fresh probe: pypdfium2 reports ``FPDF_GetLastError``
    also when pdfium set none (a document without pages), and that value is left over from
    whatever failed before in the same process, so the reason would depend on the order files
    were read in (and differ between ``--jobs 1`` and ``--jobs 2``)."""
    import os

    import pypdfium2.raw as raw

    handle = raw.FPDF_LoadDocument(os.fsencode(path) + b"\0", None)
    if handle:
        try:
            pages = raw.FPDF_GetPageCount(handle)
        finally:
            raw.FPDF_CloseDocument(handle)
        if pages < 1:
            doc.error = "PDF 没有任何页面（页面目录为空或已损坏）"
            doc.error_en = "PDF has no pages (its page tree is empty or damaged)"
        return doc
    err = raw.FPDF_GetLastError()  # set by this failed load: accurate
    if err == raw.FPDF_ERR_PASSWORD:
        doc.error = "PDF 已加密（需要密码），请提供未加密的版本"
        doc.error_en = "PDF is encrypted (password required)"
    else:
        reason = {raw.FPDF_ERR_FILE: "文件无法打开 / file cannot be opened", raw.FPDF_ERR_FORMAT: "格式错误 / format error",
                  raw.FPDF_ERR_SECURITY: "不支持的加密方式 / unsupported security scheme",
                  raw.FPDF_ERR_PAGE: "页面错误 / page error"}.get(err, f"错误码 / error {err}")
        zh, en = reason.split(" / ")
        doc.error = f"PDF 文件已损坏，无法打开（{zh}）"
        doc.error_en = f"PDF is damaged and cannot be opened ({en})"
    return doc


@hookimpl
def shenbao_extract(path: Path, fmt: str, settings):
    """Return a Document for the built-in formats (pdf, images, xlsx, encrypted Office, zip, unsupported)."""
    if fmt == "pdf":
        from . import pdf

        doc = pdf.extract(Path(path), settings)
        part = getattr(settings, "page_slice", None)
        if part is not None and part[0] > 0 and doc.kind != "unreadable":
            return doc  # notes about the whole file come with the part holding page 1
        return pdf_notes(doc, Path(path))
    if fmt == "zip":
        return archive_document(Path(path))
    if fmt in IMAGE_FORMATS:
        from . import image

        return image.extract(Path(path), fmt, settings)
    if fmt == "xlsx":
        from . import xlsx

        return xlsx.extract(Path(path), settings)
    if fmt == "ooxml-encrypted":
        from . import xlsx

        suffix = Path(path).suffix.lower().lstrip(".")
        return xlsx.encrypted(suffix if suffix in ("xlsx", "docx", "pptx") else "ooxml-encrypted")
    if fmt == "ofd":
        from . import ofd

        return ofd.extract(Path(path), settings)
    if fmt in _UNSUPPORTED:
        return unsupported(fmt)
    return None


@hookimpl
def shenbao_add_ocr_engines():
    """Return the built-in OCR engine factories: ``{"rapidocr": ..., "tesseract": ...}``."""
    from . import ocr_rapid, ocr_tesseract

    return {ocr_rapid.NAME: ocr_rapid.factory, ocr_tesseract.NAME: ocr_tesseract.factory}
