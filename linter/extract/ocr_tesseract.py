"""Tesseract (chi_sim, psm 3) through pytesseract, as a fallback OCR engine.

The bench found it far less accurate than RapidOCR on 申报 pages (tables lost, dates cut), so it is
only used when selected with ``--ocr tesseract``. ``OMP_THREAD_LIMIT=1`` makes Debian's OpenMP
build about 3x faster on a 2-core machine.
"""
from __future__ import annotations

import os

import numpy as np

from ..model import Line
from .layout import is_good_char

NAME = "tesseract"


class TesseractEngine:
    """``recognize(rgb) -> list[Line]`` with pixel boxes; confidence is tesseract's 0..100 / 100."""

    def __init__(self, lang: str = "chi_sim", psm: int = 3):
        import pytesseract

        os.environ["OMP_THREAD_LIMIT"] = "1"
        self._pt = pytesseract
        self.lang, self.psm = lang, psm
        self.version = f"tesseract-{pytesseract.get_tesseract_version()}-{lang}-psm{psm}"

    def recognize(self, image: np.ndarray) -> list[Line]:
        """Return the text lines of an RGB image (words grouped by block/paragraph/line)."""
        from PIL import Image

        d = self._pt.image_to_data(Image.fromarray(image), lang=self.lang, config=f"--psm {self.psm}",
                                   output_type=self._pt.Output.DICT)
        groups: dict[tuple, list[int]] = {}
        for i, word in enumerate(d["text"]):
            if word and word.strip() and float(d["conf"][i]) >= 0:
                groups.setdefault((d["block_num"][i], d["par_num"][i], d["line_num"][i]), []).append(i)
        out = []
        for idx in groups.values():
            text = ""
            for i in idx:
                w = d["text"][i].strip()
                # chi_sim puts spaces between ideographs; keep them only between Latin words
                if text and not (is_good_char(text[-1]) and ord(text[-1]) > 127 or ord(w[0]) > 127):
                    text += " "
                text += w
            x0 = min(d["left"][i] for i in idx)
            y0 = min(d["top"][i] for i in idx)
            x1 = max(d["left"][i] + d["width"][i] for i in idx)
            y1 = max(d["top"][i] + d["height"][i] for i in idx)
            n = sum(len(d["text"][i].strip()) for i in idx)
            conf = sum(float(d["conf"][i]) * len(d["text"][i].strip()) for i in idx) / max(n, 1) / 100.0
            out.append(Line(text, (float(x0), float(y0), float(x1), float(y1)), round(conf, 4)))
        return out


def factory(threads: int = 1) -> TesseractEngine:
    """Return a tesseract engine (``threads`` is ignored: tesseract runs single-threaded)."""
    return TesseractEngine()
