"""Run OCR on a page image: engine lookup, blank-page skip, orientation retry, page fractions.

How extraction finds an engine: :func:`configure` is called once per process (by
``extract_file`` / the worker initialiser) with the plugin manager and the onnxruntime thread
count. The first page that needs OCR asks ``pm.hook.shenbao_add_ocr_engines()`` for the factories,
builds the engine named by ``settings.ocr_engine`` and keeps it for the life of the process.
Without a plugin manager the built-in engines (rapidocr, tesseract) are used.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from ..model import Line
from . import layout

_state: dict[str, Any] = {"pm": None, "threads": 2}
_engines: dict[str, Any] = {}

POOR_CONF = 0.80  # char-weighted mean confidence under which other orientations are tried
PROBE_SHARE = 0.3  # share of the page across the text lines read to decide whether a full turned pass is worth it
PROBE_MIN_SIDE = 740  # px: the probe window's shortest side; images under twice this are read whole
BLANK_INK = 0.0002  # share of dark pixels under which a page is blank (no OCR at all)


def configure(pm=None, threads: Optional[int] = None) -> None:
    """Set the plugin manager used to find OCR engines and the onnxruntime thread count."""
    if pm is not None and pm is not _state["pm"]:
        _state["pm"] = pm
    if threads is not None and threads != _state["threads"]:
        _state["threads"] = int(threads)
        _engines.clear()


def _factories() -> dict:
    """Return ``{name: factory}`` from the plugin manager, or the built-ins without one."""
    pm = _state["pm"]
    if pm is None:
        from . import ocr_rapid, ocr_tesseract

        return {ocr_rapid.NAME: ocr_rapid.factory, ocr_tesseract.NAME: ocr_tesseract.factory}
    out: dict = {}
    for d in pm.hook.shenbao_add_ocr_engines():
        out.update(d or {})
    return out


def get_engine(name: str):
    """Return the (process-wide, lazily built) OCR engine called ``name``; raise KeyError if unknown."""
    if name not in _engines:
        facs = _factories()
        if name not in facs:
            raise KeyError(f"unknown OCR engine {name!r}; available: {', '.join(sorted(facs))}")
        fac = facs[name]
        try:  # built-in factories take a thread count; the hookspec's factory() takes nothing
            takes_threads = "threads" in inspect.signature(fac).parameters
        except (TypeError, ValueError):
            takes_threads = False
        _engines[name] = fac(threads=_state["threads"]) if takes_threads else fac()
    return _engines[name]


@dataclass
class OcrResult:
    """OCR of one page: lines (page-fraction boxes, reading order), text, confidence, rotation."""

    lines: list[Line] = field(default_factory=list)
    text: str = ""
    confidence: float = 1.0
    rotation: int = 0
    engine: Optional[str] = None
    note: Optional[str] = None


def _score(lines: list[Line]) -> float:
    """Return the number of confidently read chars (the orientation vote)."""
    return sum(len(l.text) * l.confidence for l in lines if l.confidence >= 0.8)


def _poor(lines: list[Line]) -> bool:
    """Return True when an OCR pass read nothing, or was unsure (upside-down text reads as
    low-confidence garbage), so other orientations are worth trying."""
    return not lines or layout.weighted_confidence(lines) < POOR_CONF


def _sideways(lines: list[Line]) -> bool:
    """Return True when most lines of 3+ chars have tall boxes (text running top to bottom)."""
    longer = [l for l in lines if len(l.text) >= 3]
    tall = sum(1 for l in longer if (l.bbox[3] - l.bbox[1]) > 1.5 * (l.bbox[2] - l.bbox[0]))
    return bool(longer) and tall * 2 > len(longer)


def ink_ratio(rgb: np.ndarray) -> float:
    """Return the share of dark pixels (any ink, including red) on a subsampled image."""
    small = rgb[::2, ::2]
    gray = np.minimum(np.minimum(small[..., 0], small[..., 1]), small[..., 2]) if small.ndim == 3 else small
    return float((gray < 128).mean()) if gray.size else 0.0


def _unrotate(b: tuple, rot: int, w: float, h: float) -> tuple:
    """Map a pixel box on the image turned ``rot`` degrees clockwise back to the original (w x h)."""
    x0, y0, x1, y1 = b
    if rot == 90:  # turned image is h wide, w high; (x', y') = (h - y, x)
        return (y0, h - x1, y1, h - x0)
    if rot == 180:
        return (w - x1, h - y1, w - x0, h - y0)
    if rot == 270:  # (x', y') = (y, w - x)
        return (w - y1, x0, w - y0, x1)
    return b


def _turn(rgb: np.ndarray, rot: int) -> np.ndarray:
    """Return the image turned ``rot`` degrees clockwise."""
    return np.ascontiguousarray(np.rot90(rgb, k=-(rot // 90))) if rot else rgb


def ocr_page(rgb: np.ndarray, engine_name: str, det_long_side: int = 0) -> OcrResult:
    """Return the OCR of an RGB page image.

    Blank pages are not OCR'd. When the upright pass reads nothing, is unsure (mean confidence
    under 0.8) or finds mostly tall text boxes, the page is also read turned 180/90/270 degrees
    clockwise (most likely first, stopping at the first good reading); the orientation with the
    most confidently read chars wins. Each turned reading is first probed on the inkiest band of
    the page (see :func:`_probe`): a turn that reads no better there is
    not read in full, so a poor but upright scan costs about two readings instead of four.
    Boxes are fractions of the original (unturned) image, lines in the reading order of the
    winning orientation.
    """
    h, w = rgb.shape[:2]
    if ink_ratio(rgb) < BLANK_INK:
        return OcrResult(engine=engine_name, note="空白页，未识别 / blank page, not OCR'd", confidence=1.0)
    eng = get_engine(engine_name)
    if hasattr(eng, "det_long_side"):  # an engine that can detect on a smaller image (RapidOCR)
        eng.det_long_side = det_long_side
    best_rot, best = 0, eng.recognize(rgb)
    upright = best  # the probes compare windows in the upright frame (``best`` may turn)
    poor, sideways = _poor(best), _sideways(best)
    if poor or sideways:
        # RapidOCR reads a tall crop turned 90° counter-clockwise, so a page turned clockwise
        # can read well but with tall boxes: turning it 270° then gives the upright page.
        order = (270, 90, 180) if sideways and not poor else (90, 270, 180) if sideways else (180, 90, 270)
        for rot in order:
            if not _probe(eng, rgb, rot, upright, sideways):
                continue
            lines = eng.recognize(_turn(rgb, rot))
            upright_now = sideways and not _sideways(lines) and _score(lines) >= 0.8 * _score(best)
            if upright_now or _score(lines) > _score(best) * 1.5 + 5:
                best_rot, best = rot, lines
                sideways = _sideways(lines)
            if not _poor(best) and not sideways:
                break
    ordered, text = layout.order(best)  # reading order in the turned frame
    out = []
    for l in ordered:
        x0, y0, x1, y1 = _unrotate(l.bbox, best_rot, w, h)
        out.append(Line(l.text, (_c(x0 / w), _c(y0 / h), _c(x1 / w), _c(y1 / h)), round(float(l.confidence), 4)))
    return OcrResult(out, text, layout.weighted_confidence(out), best_rot, engine_name)


def _ink_run(gray: np.ndarray, axis: int, length: int, step: int) -> tuple[int, int]:
    """Return ``(a, b)`` in full-image pixels: the run of ``length`` pixels along ``axis`` of the
    subsampled ``gray`` (0: rows, 1: columns) holding the most dark pixels."""
    profile = (gray < 128).sum(axis=1 - axis).astype(np.int64)
    n = profile.size
    k = max(1, min(n, int(np.ceil(length / step))))
    csum = np.r_[0, np.cumsum(profile)]
    start = int(np.argmax(csum[k:] - csum[:-k]))
    return start * step, (start + k) * step


def _probe_window(rgb: np.ndarray, rows_across: bool) -> tuple[slice, slice]:
    """Return the inkiest window read by a probe: across the text lines ``PROBE_SHARE`` of the
    page, along them half of it, each side at least ``PROBE_MIN_SIDE`` pixels (RapidOCR scales a
    crop's short side up to 736 px, so a thinner band would cost more, not less)."""
    h, w = rgb.shape[:2]
    step = 4
    small = rgb[::step, ::step]
    gray = np.minimum(np.minimum(small[..., 0], small[..., 1]), small[..., 2]) if small.ndim == 3 else small
    across_n, along_n = (h, w) if rows_across else (w, h)
    across = max(PROBE_MIN_SIDE, int(PROBE_SHARE * across_n))
    along = max(PROBE_MIN_SIDE, int(0.5 * along_n))
    a0, a1 = _ink_run(gray, 0 if rows_across else 1, across, step)
    band = gray[a0 // step:a1 // step] if rows_across else gray[:, a0 // step:a1 // step]
    b0, b1 = _ink_run(band, 1 if rows_across else 0, along, step)
    if rows_across:
        return slice(a0, min(a1, h)), slice(b0, min(b1, w))
    return slice(b0, min(b1, h)), slice(a0, min(a1, w))


def _probe(eng, rgb: np.ndarray, rot: int, upright: list[Line], sideways: bool) -> bool:
    """Return True when reading the page turned ``rot`` degrees is worth a full pass.

    Reads only the inkiest window of the page turned ``rot`` (see :func:`_probe_window`; for 180°
    the text lines of the turned page run along the original rows, for 90/270° along its
    columns) and compares it with the upright reading of the same window. Lenient on purpose: it
    only spares full passes that cannot win; the full pass still decides with the usual rule."""
    h, w = rgb.shape[:2]
    if min(h, w) < 2 * PROBE_MIN_SIDE:
        return True
    ys, xs = _probe_window(rgb, rows_across=rot == 180)
    lines = eng.recognize(_turn(rgb[ys, xs], rot))

    def within(l: Line) -> bool:
        cx, cy = (l.bbox[0] + l.bbox[2]) / 2, (l.bbox[1] + l.bbox[3]) / 2
        return xs.start <= cx < xs.stop and ys.start <= cy < ys.stop

    here, there = _score([l for l in upright if within(l)]), _score(lines)
    if sideways and not _sideways(lines) and there >= 0.5 * here:
        return True
    return there > 0.5 * here + 3


def _c(v: float) -> float:
    """Return ``v`` clamped to 0..1 and rounded (stable JSON, equal across processes)."""
    return round(min(max(float(v), 0.0), 1.0), 5)
