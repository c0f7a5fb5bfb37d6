"""RapidOCR 3.10 (PP-OCRv6 small det/rec, onnxruntime) as a shenbao OCR engine.

Only the models that ship inside the ``rapidocr`` wheel are used: their paths are passed
explicitly, so RapidOCR never tries to download anything. The per-line 180° classifier is off
(``Global.use_cls=False``): the bench found it flips correct lines; page orientation is handled by
:mod:`shenbao.extract.ocr` instead.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..model import Line

NAME = "rapidocr"


class RapidEngine:
    """``recognize(rgb) -> list[Line]`` with pixel boxes; ``version`` names engine and models."""

    def __init__(self, threads: int = 2):
        import logging

        import rapidocr
        from rapidocr import RapidOCR

        models = Path(rapidocr.__file__).parent / "models"
        det, rec = models / "PP-OCRv6_det_small.onnx", models / "PP-OCRv6_rec_small.onnx"
        for m in (det, rec):
            if not m.exists():
                raise RuntimeError(f"RapidOCR model missing from the installed wheel: {m}")
        params = {
            "Global.use_cls": False,
            "Global.log_level": "error",
            "Det.model_path": str(det),
            "Rec.model_path": str(rec),
            "EngineConfig.onnxruntime.intra_op_num_threads": int(threads),
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
        self._ocr = RapidOCR(params=params)
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        from rapidocr._version import __version__ as v  # type: ignore

        self.version = f"rapidocr-{v}-ppocrv6-small"

    def recognize(self, image: np.ndarray) -> list[Line]:
        """Return the text lines of an RGB image, boxes in pixels of that image.

        The image is fed as its red channel replicated to 3 channels: red seal ink turns
        paper-white while black text under it stays black (see the extraction bench).
        """
        if image.ndim == 2:
            r = image
        else:
            r = image[..., 0]
        img = np.ascontiguousarray(np.repeat(r[..., None], 3, axis=2))
        res = self._ocr(img)
        if res is None or getattr(res, "boxes", None) is None or res.txts is None:
            return []
        out = []
        for box, txt, score in zip(res.boxes, res.txts, res.scores):
            txt = txt.strip()
            if not txt:
                continue
            pts = np.asarray(box, dtype=float)
            x0, y0 = pts.min(axis=0)
            x1, y1 = pts.max(axis=0)
            out.append(Line(txt, (float(x0), float(y0), float(x1), float(y1)), float(score)))
        return out


def factory(threads: int = 2) -> RapidEngine:
    """Return a new RapidOCR engine using ``threads`` onnxruntime intra-op threads."""
    return RapidEngine(threads=threads)
