"""Read an image file (jpeg/png/tiff/bmp/webp/gif) with Pillow and OCR it: one Page per frame."""
from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from ..model import SOURCE_NONE, SOURCE_OCR, Document, Page
from . import ocr
from .pdf import colour_ratio

MAX_OCR_SIDE = 3000  # px: the long side is scaled down to this before OCR


def unreadable(fmt: str, zh: str, en: str) -> Document:
    """Return an ``unreadable`` image Document with the reason in Chinese and English."""
    return Document(path="", kind="unreadable", format=fmt, error=zh, error_en=en)


def extract(path: Path, fmt: str, settings) -> Document:
    """Return the Document for an image: one OCR'd Page per frame (TIFF pages; GIF first frame).

    EXIF orientation is applied (phone photos). Images over ``settings.max_image_pixels`` pixels
    (decompression bombs) and undecodable files give ``kind="unreadable"``.
    """
    from . import page_done

    Image.MAX_IMAGE_PIXELS = settings.max_image_pixels
    doc = Document(path="", kind="image", format=fmt)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                frames = getattr(im, "n_frames", 1) if fmt == "tiff" else 1
                deadline = getattr(settings, "deadline", 0.0) or 0.0
                for k in range(min(frames, settings.max_pages)):
                    im.seek(k)
                    if deadline and time.time() >= deadline:  # the run's time budget is spent
                        from .pdf import NOT_READ_NOTE

                        doc.pages.append(Page(number=k + 1, width=float(im.size[0]), height=float(im.size[1]),
                                              image_coverage=1.0, source=SOURCE_NONE, note=NOT_READ_NOTE))
                        doc.unread_pages.append(k + 1)
                        continue
                    doc.pages.append(read_frame(im, k + 1, settings))
                    page_done()  # the time limit is per page
                if frames > settings.max_pages:
                    doc.error = f"页数过多：只读取了前 {settings.max_pages} 页（共 {frames} 页）"
                    doc.error_en = f"too many frames: only the first {settings.max_pages} of {frames} were read"
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        return unreadable(fmt, f"图片像素过大（超过 {settings.max_image_pixels:,} 像素），疑似异常文件，未读取",
                          f"image too large (over {settings.max_image_pixels:,} pixels; possible decompression bomb): {e}")
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        return unreadable(fmt, f"图片已损坏或不完整，无法读取（{e}）", f"image is damaged or truncated: {e}")
    return doc


def _on_white(im: Image.Image) -> Image.Image:
    """Return an RGB image, transparent areas (screenshots, stamps cut out) painted white."""
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return im.convert("RGB")


def read_frame(im: Image.Image, number: int, settings) -> Page:
    """Return one Page for the current frame: size after EXIF rotation, OCR lines, colour ratio."""
    # EXIF orientation applies to the first frame of a photo; TIFF pages carry their own.
    frame = ImageOps.exif_transpose(im) if number == 1 else im.copy()
    frame = _on_white(frame)
    w, h = frame.size
    p = Page(number=number, width=float(w), height=float(h), image_coverage=1.0)
    small = frame.copy()
    small.thumbnail((400, 400))
    p.colour_ratio = colour_ratio(np.asarray(small))
    if max(w, h) > MAX_OCR_SIDE:
        s = MAX_OCR_SIDE / max(w, h)
        frame = frame.resize((max(1, round(w * s)), max(1, round(h * s))), Image.LANCZOS)
    rgb = np.asarray(frame)
    _read(p, rgb, settings)
    if settings.visual:
        from ..vision import analyse_page

        analyse_page(rgb, p, read_seal_text=settings.ocr)
    return p


def _read(p: Page, rgb: np.ndarray, settings) -> None:
    """Fill ``p`` with the OCR of the frame, or say why there is no text."""
    if not settings.ocr:
        p.source, p.note = SOURCE_NONE, "未进行文字识别（OCR 已关闭） / OCR disabled"
        return
    try:
        r = ocr.ocr_page(rgb, settings.ocr_engine, settings.ocr_det_side)
    except Exception as e:
        p.source, p.note = SOURCE_NONE, f"文字识别失败 / OCR failed: {type(e).__name__}: {e}"
        return
    p.lines, p.text, p.confidence = r.lines, r.text, r.confidence
    p.rotation, p.ocr_engine, p.note, p.source = r.rotation, r.engine, r.note, SOURCE_OCR
