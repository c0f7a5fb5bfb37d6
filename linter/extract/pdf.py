"""Read a PDF with pypdfium2: text-layer lines with boxes, the needs-OCR probe, OCR, colour ratio."""
from __future__ import annotations

import ctypes
import re
import time
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as raw

from ..model import SOURCE_NONE, SOURCE_OCR, SOURCE_TEXT_LAYER, DigitalSignature, Document, Line, Page
from . import pdf_tables, layout, ocr, pdf_signatures

COLOUR_DPI = 36  # tiny render for colour_ratio: about 1-2 ms on a text page
VISUAL_DPI = 150  # render of a text-layer page for seals, signatures and QR codes (~6 ms)
MAX_RENDER_SIDE = 4000  # px: caps the OCR render of oversized pages
_GRID = 40  # cells per side for the image-coverage union


def unreadable(zh: str, en: str) -> Document:
    """Return an ``unreadable`` PDF Document with the reason in Chinese and English."""
    return Document(path="", kind="unreadable", format="pdf", error=zh, error_en=en)


def extract(path: Path, settings) -> Document:
    """Return the Document for a PDF: one Page per page (up to ``settings.max_pages``).

    Encrypted or broken files give ``kind="unreadable"``. When pages beyond the limit are not read,
    ``error``/``error_en`` say so while ``kind`` stays ``"pdf"``.
    """
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == raw.FPDF_ERR_PASSWORD:
            return unreadable("PDF 已加密（需要密码），请提供未加密的版本", "PDF is encrypted (password required)")
        return unreadable(f"PDF 文件已损坏，无法打开（{e}）", f"PDF is damaged and cannot be opened: {e}")
    from . import page_done  # the package's time limit restarts at each page

    try:
        n = len(pdf)
        if n == 0:
            return unreadable("PDF 没有任何页面（文件可能已损坏）", "PDF has no pages (file may be damaged)")
        doc = Document(path="", kind="pdf", format="pdf")
        limit = min(n, settings.max_pages)
        deadline = getattr(settings, "deadline", 0.0) or 0.0
        # a part of a long PDF read by one of several workers (ExtractSettings.page_slice); the
        # part holding page 1 also reads what belongs to the whole file (signatures, truncation)
        part = getattr(settings, "page_slice", None)
        start, stop = (0, limit) if part is None else (max(0, part[0]), min(part[1], limit))
        whole = start == 0
        for i in range(start, stop):
            if deadline and time.time() >= deadline:  # the run's time budget is spent: keep what was read
                _not_read(doc, pdf, range(i, stop))
                break
            try:
                page = pdf[i]
            except pdfium.PdfiumError as e:  # one damaged page: keep the others
                doc.pages.append(Page(number=i + 1, width=0.0, height=0.0, source=SOURCE_NONE,
                                      note=f"页面已损坏，无法读取 / page could not be loaded: {e}"))
                continue
            try:
                doc.pages.append(read_page(page, i + 1, settings))
            finally:
                page.close()
            page_done()  # the time limit is per page
        table_pages = [p.number for p in doc.pages if p.source == SOURCE_TEXT_LAYER and pdf_tables.looks_like_table(p.text)]
        if table_pages:
            by_number = {p.number: p for p in doc.pages}
            for number, tables in pdf_tables.read_tables(path, table_pages).items():
                by_number[number].tables = tables
        if not whole:
            return doc
        if pdf_signatures.has_signatures(pdf):
            doc.digital_signatures = _signatures(path)
        if limit < n:
            doc.error = f"页数过多：只读取了前 {limit} 页（共 {n} 页）"
            doc.error_en = f"too many pages: only the first {limit} of {n} pages were read"
        if not _has_eof(path):
            note_zh, note_en = "PDF 文件不完整（缺少结束标记，可能下载或复制中断）", "PDF looks truncated (no %%EOF marker)"
            doc.error = f"{doc.error}；{note_zh}" if doc.error else note_zh
            doc.error_en = f"{doc.error_en}; {note_en}" if doc.error_en else note_en
        return doc
    finally:
        pdf.close()


NOT_READ_NOTE = "未在时限内读取（整体时限 --time-budget 已用完） / not read: the run's time budget (--time-budget) ran out"


def _not_read(doc: Document, pdf, numbers) -> None:
    """Add a Page with source "none" and :data:`NOT_READ_NOTE` for each 0-based page index in ``numbers``."""
    for k in numbers:
        try:
            w, h = pdf.get_page_size(k)
        except Exception:  # noqa: BLE001 - the size is only informative
            w, h = 0.0, 0.0
        doc.pages.append(Page(number=k + 1, width=round(w, 2), height=round(h, 2), source=SOURCE_NONE, note=NOT_READ_NOTE))
        doc.unread_pages.append(k + 1)


def _signatures(path: Path) -> list[DigitalSignature]:
    """Read the digital signatures as a step of its own under the extraction time limit: running
    over it loses the signatures (listed as unchecked), never the pages already read."""
    from . import _Timeout, page_done

    page_done()
    try:
        return pdf_signatures.read_signatures(path)
    except _Timeout:
        return [DigitalSignature(field="", integrity=pdf_signatures.UNKNOWN, reason="检查数字签名超时，未检查",
                                 reason_en="checking the digital signatures took too long; not checked")]
    finally:
        page_done()


def _has_eof(path: Path) -> bool:
    """Return True when the last 2 KiB of the file hold a ``%%EOF`` marker."""
    with open(path, "rb") as f:
        f.seek(0, 2)
        f.seek(max(0, f.tell() - 2048))
        return b"%%EOF" in f.read()


def read_page(page: pdfium.PdfPage, number: int, settings) -> Page:
    """Return one Page: text-layer lines, or OCR lines when the probe says the layer is not enough."""
    width, height = page.get_size()
    to_frac = _fraction_mapper(page)
    tp = page.get_textpage()
    try:
        lines, chars = _text_lines(tp, to_frac)
    finally:
        tp.close()
    coverage = _image_coverage(page, to_frac)
    joined = "".join(chars)
    good, garbage = layout.count_good(joined), layout.count_garbage(joined)
    needs_ocr = good < 30 or (coverage > 0.5 and good < 200) or garbage > 0.3 * max(len(chars), 1)
    p = Page(number=number, width=round(width, 2), height=round(height, 2), image_coverage=round(coverage, 4))
    if not needs_ocr:
        p.lines, p.text = layout.order(lines)
        p.source, p.confidence = SOURCE_TEXT_LAYER, 1.0
        small = _render(page, COLOUR_DPI)
        p.colour_ratio = colour_ratio(small)
        if settings.visual:
            if coverage > 0 or _tinted(small) or _asks_for_evidence(p.text):
                _analyse(_render(page, VISUAL_DPI, max_pixels=settings.max_image_pixels), p, settings)
            else:
                # typed black text only: no seal, handwriting or code can be on it
                p.visual = True
        return p
    rgb = _render(page, settings.dpi, max_pixels=settings.max_image_pixels)
    p.colour_ratio = colour_ratio(rgb[:: max(1, settings.dpi // COLOUR_DPI), :: max(1, settings.dpi // COLOUR_DPI)])
    _read_scanned(p, rgb, lines, good, garbage <= 0.3 * max(len(chars), 1), settings)
    _analyse(rgb, p, settings)
    return p


def _read_scanned(p: Page, rgb: np.ndarray, lines: list[Line], good: int, layer_ok: bool, settings) -> None:
    """Fill ``p`` with OCR lines, or with its (thin) text layer when OCR is off, fails or reads no more."""
    if not settings.ocr:
        _fallback(p, lines, "未进行文字识别（OCR 已关闭） / OCR disabled")
        return
    try:
        r = ocr.ocr_page(rgb, settings.ocr_engine, settings.ocr_det_side)
    except Exception as e:  # engine missing or failing: keep what the text layer had
        _fallback(p, lines, f"文字识别失败 / OCR failed: {type(e).__name__}: {e}")
        return
    if layer_ok and good >= layout.count_good(r.text):
        # a short page (cover, separator) whose text layer is genuine: OCR found nothing more
        _fallback(p, lines, "文字识别未读出更多内容，使用文本层 / OCR found no more text than the text layer")
        return
    p.lines, p.text, p.confidence = r.lines, r.text, r.confidence
    p.rotation, p.ocr_engine, p.note, p.source = r.rotation, r.engine, r.note, SOURCE_OCR


# (the role words of a signature field too: "单位负责人：" with a signature drawn in black vector
# paths has no colour, no image and no 签字 on the page)
_EVIDENCE_WORDS = re.compile(r"签字|签名|签章|盖章|公章|注册会计师|审核人|核实人|验证码|防伪|二维码|扫码|"
                             r"负责人|经办人|制表人|复核人|填表人|填报人|审批人|法定代表人|法人代表|专用章|发票")


def _tinted(small: np.ndarray) -> bool:
    """True when a low-resolution render has any coloured ink (a seal, even faint; a red heading)."""
    if small.size == 0:
        return False
    px = small.astype(np.int16)
    chroma = px.max(axis=2) - px.min(axis=2)
    return int((chroma >= 40).sum()) >= 4


def _asks_for_evidence(text: str) -> bool:
    """True when the page mentions a signature, seal or verification code (a field may sit there)."""
    return bool(_EVIDENCE_WORDS.search(text))


def _analyse(rgb: np.ndarray, p: Page, settings) -> None:
    """Look for seals, signature fields and QR codes on the page image (when visual analysis is on)."""
    if settings.visual:
        from ..vision import analyse_page

        # the page's own size (points -> mm): an e-invoice page is not A4, and seals and 骑缝章
        # strips are measured in millimetres
        analyse_page(rgb, p, read_seal_text=settings.ocr, page_mm=(p.width * 25.4 / 72, p.height * 25.4 / 72))


def _fallback(p: Page, lines: list[Line], note: str) -> Page:
    """Return the page with its (thin) text layer, or no text, and a note why OCR did not run."""
    p.note = note
    if lines:
        p.lines, p.text = layout.order(lines)
        p.source = SOURCE_TEXT_LAYER
    else:
        p.source = SOURCE_NONE
    return p


def _fraction_mapper(page: pdfium.PdfPage):
    """Return ``f(x0, y0, x1, y1) -> bbox`` mapping a PDF-space rect to top-left page fractions.

    Honours the crop box and the page's /Rotate (clockwise, as displayed).
    """
    box, rot = page.get_cropbox(), page.get_rotation()

    def f(x0: float, y0: float, x1: float, y1: float) -> tuple:
        return page_fractions((x0, y0, x1, y1), box, rot)

    return f


def page_fractions(rect, box, rot: int) -> tuple:
    """Map the PDF-space ``rect`` (x0, y0, x1, y1) on a page whose crop box is ``box`` (l, b, r, t)
    and /Rotate ``rot`` to page fractions, origin top-left of the page as displayed."""
    l, b, r, t = min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])
    w, h = (r - l) or 1.0, (t - b) or 1.0
    x0, y0, x1, y1 = rect
    u0, u1 = (x0 - l) / w, (x1 - l) / w  # unrotated fractions, origin top-left
    v0, v1 = (t - y1) / h, (t - y0) / h
    rot %= 360
    if rot == 90:
        u0, v0, u1, v1 = 1 - v1, u0, 1 - v0, u1
    elif rot == 180:
        u0, v0, u1, v1 = 1 - u1, 1 - v1, 1 - u0, 1 - v0
    elif rot == 270:
        u0, v0, u1, v1 = v0, 1 - u1, v1, 1 - u0
    return tuple(round(min(max(float(v), 0.0), 1.0), 5) for v in (u0, v0, u1, v1))


def _text_lines(tp: pdfium.PdfTextPage, to_frac) -> tuple[list[Line], list[str]]:
    """Return ``(segments, chars)``: the text layer cut into line segments, and all visible chars.

    Chars are taken in pdfium's order. A segment ends at a line break, when the next char does
    not overlap the previous one vertically, goes backwards, or follows a gap wider than 2.5 char
    heights (separate table cells). Whitespace or a gap wider than 0.3 char heights becomes a space.
    """
    tpr = tp.raw
    n = raw.FPDFText_CountChars(tpr)
    if n <= 0:
        return [], []
    get_u, get_box = raw.FPDFText_GetUnicode, raw.FPDFText_GetLooseCharBox
    rect = raw.FS_RECTF()
    ref = ctypes.byref(rect)
    codes = [get_u(tpr, i) for i in range(n)]
    vals = []
    add = vals.append
    for i in range(n):
        add((get_box(tpr, i, ref), rect.left, rect.bottom, rect.right, rect.top))
    arr = np.array(vals, dtype=float)
    ok, boxes = arr[:, 0] != 0, arr[:, 1:]
    text = [chr(u) if 0 < u < 0x110000 else "\x00" for u in codes]
    nl = np.fromiter((c in "\r\n" for c in text), bool, n)
    ws = np.fromiter((c.isspace() for c in text), bool, n)
    vis = np.flatnonzero(ok & ~ws)
    if vis.size == 0:
        return [], []
    chars = [text[i] for i in vis]
    x0, x1 = boxes[vis, 0], boxes[vis, 2]
    y0, y1 = np.minimum(boxes[vis, 1], boxes[vis, 3]), np.maximum(boxes[vis, 1], boxes[vis, 3])
    h = np.maximum(y1 - y0, 0.1)
    nl_c, ws_c = np.cumsum(nl), np.cumsum(ws)
    had_nl = np.r_[True, nl_c[vis[1:]] - nl_c[vis[:-1]] > 0]
    had_ws = np.r_[False, ws_c[vis[1:]] - ws_c[vis[:-1]] > 0]
    overlap = np.r_[0.0, np.minimum(y1[1:], y1[:-1]) - np.maximum(y0[1:], y0[:-1])]
    gap = np.r_[0.0, x0[1:] - x1[:-1]]
    minh = np.r_[1.0, np.minimum(h[1:], h[:-1])]
    brk = had_nl | (overlap < 0.5 * minh) | (gap < -0.5 * h) | (gap > 2.5 * h)
    brk[0] = True
    sp = ~brk & (had_ws | (gap > 0.3 * h))
    pieces = [(" " + c) if s else c for c, s in zip(chars, sp.tolist())]
    starts = np.flatnonzero(brk)
    ends = np.r_[starts[1:], len(chars)]
    bx0, by0 = np.minimum.reduceat(x0, starts), np.minimum.reduceat(y0, starts)
    bx1, by1 = np.maximum.reduceat(x1, starts), np.maximum.reduceat(y1, starts)
    lines = []
    for k, (a, b) in enumerate(zip(starts.tolist(), ends.tolist())):
        t = "".join(pieces[a:b]).strip()
        if t:
            lines.append(Line(t, to_frac(bx0[k], by0[k], bx1[k], by1[k]), 1.0))
    return lines, chars


def _image_coverage(page: pdfium.PdfPage, to_frac) -> float:
    """Return the share of the page covered by image objects (union, on a 40x40 grid)."""
    grid = None
    for obj in page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,), max_depth=4):
        try:
            x0, y0, x1, y1 = to_frac(*obj.get_bounds())
        except pdfium.PdfiumError:
            continue
        if grid is None:
            grid = np.zeros((_GRID, _GRID), dtype=bool)
        grid[int(y0 * _GRID):int(np.ceil(y1 * _GRID)), int(x0 * _GRID):int(np.ceil(x1 * _GRID))] = True
    return float(grid.mean()) if grid is not None else 0.0


def _render(page: pdfium.PdfPage, dpi: int, max_pixels: int = 0) -> np.ndarray:
    """Return the page rendered as an RGB array at ``dpi`` (smaller for oversized pages)."""
    w, h = page.get_size()
    scale = dpi / 72.0
    scale = min(scale, MAX_RENDER_SIDE / max(w, h, 1))
    if max_pixels:
        scale = min(scale, (max_pixels / max(w * h, 1)) ** 0.5)
    bm = page.render(scale=scale, rev_byteorder=True)
    try:
        arr = np.array(bm.to_numpy()[..., :3])  # copy: the bitmap buffer is freed on close
    finally:
        bm.close()
    return arr


def colour_ratio(rgb: np.ndarray) -> float:
    """Return the share of strongly saturated pixels (chroma >= 80 and saturation >= 0.5)."""
    if rgb.size == 0:
        return 0.0
    r, g, b = (rgb[..., k].astype(np.int16) for k in range(3))
    mx, mn = np.maximum(np.maximum(r, g), b), np.minimum(np.minimum(r, g), b)
    chroma = mx - mn
    sat = (chroma >= 80) & (chroma * 2 >= mx)
    return round(float(sat.mean()), 4)
