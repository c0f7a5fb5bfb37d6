"""The built-in extractors and OCR engines, registered as a shenbao plugin.

``shenbao_extract`` dispatches on the sniffed format. Formats that are recognised but not read
(docx, xls, ofd, archives ...) get ``kind="unsupported"`` here, so a third-party plugin can take
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
    "zip": ("请解压后放入申报材料", "extract the archive into the package"),
    "rar": ("请解压后放入申报材料", "extract the archive into the package"),
    "7z": ("请解压后放入申报材料", "extract the archive into the package"),
    "gzip": ("请解压后放入申报材料", "extract the archive into the package"),
}


def unsupported(fmt: str) -> Document:
    """Return the ``unsupported`` Document for a recognised format that is not read, with advice."""
    what_zh, what_en = _UNSUPPORTED.get(fmt, (f"{fmt} 文件", f"{fmt} files"))
    adv_zh, adv_en = _ADVICE.get(fmt, ("请另存为 PDF 后放入申报材料", "save it as PDF"))
    return Document(path="", kind="unsupported", format=fmt,
                    error=f"暂不支持读取{' ' if what_zh[0].isascii() else ''}{what_zh}，{adv_zh}",
                    error_en=f"{what_en} cannot be read yet; {adv_en} and add it to the package")


@hookimpl
def shenbao_extract(path: Path, fmt: str, settings):
    """Return a Document for the built-in formats (pdf, images, xlsx, encrypted Office, unsupported)."""
    if fmt == "pdf":
        from . import pdf

        return pdf.extract(Path(path), settings)
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
    if fmt in _UNSUPPORTED:
        return unsupported(fmt)
    return None


@hookimpl
def shenbao_add_ocr_engines():
    """Return the built-in OCR engine factories: ``{"rapidocr": ..., "tesseract": ...}``."""
    from . import ocr_rapid, ocr_tesseract

    return {ocr_rapid.NAME: ocr_rapid.factory, ocr_tesseract.NAME: ocr_tesseract.factory}
