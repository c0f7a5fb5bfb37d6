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
MIN_DET_SHORT = 736  # RapidOCR's Det.limit_side_len default (limit_type "min")
GLOBAL_MAX_SIDE = 2000  # RapidOCR's Global.max_side_len: every input is first cut to this


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
        # Long side of the image the text detector sees (0: RapidOCR's own rule, short side up to
        # 736 and everything up to its 2000 px global cap). Set by ``ocr.ocr_page`` from the
        # extraction settings; recognition always reads the crops at full resolution.
        self.det_long_side = 0

    def _detector_size(self, h: int, w: int) -> tuple[str, int]:
        """Return RapidOCR's ``(limit_type, limit_side_len)`` for an ``h`` x ``w`` image.

        The detector's cost grows with its input's area, and a 200 dpi page (1654 x 2339, capped
        at 2000) is far more than it needs to find the lines: at a long side of 1280 the text
        read differs by about 1 % of characters and no finding changed (cold-run profile). The
        short side is kept at 736 or more, RapidOCR's own floor, so a tall phone screenshot is not
        shrunk until its status-bar clock and URL line vanish (a long side of 960 lost them)."""
        long_cap = self.det_long_side
        short, long = min(h, w), max(h, w)
        if not long_cap or short <= MIN_DET_SHORT:
            return "min", MIN_DET_SHORT  # RapidOCR's default: small images are scaled up
        long = min(long, GLOBAL_MAX_SIDE)
        short = short * min(1.0, GLOBAL_MAX_SIDE / max(h, w))
        scale = min(1.0, long_cap / long)
        scale = max(scale, min(1.0, MIN_DET_SHORT / short))
        return "max", int(round(long * scale))

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
        det = self._ocr._load_det_model()
        det.limit_type, det.limit_side_len = self._detector_size(*img.shape[:2])
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

    def recognize_line(self, image: np.ndarray) -> tuple[str, float]:
        """Read ONE text line with the recognition model only (no detection, no classifier).

        ``image`` is a gray (H x W) or RGB (H x W x 3) uint8 strip holding a single line of dark
        text on a light ground, e.g. a seal's unwrapped arc text; it is used as is (no red-channel
        trick). It is scaled to the model's input height and run at its own width (RapidOCR's
        pipeline would pad every line to at least 320 px, which costs a short line as much as a
        long one). Returns ``(text, score)``; ``("", 0.0)`` for an empty image or nothing read.
        The engine's det/cls settings are not touched.
        """
        import math

        import cv2

        if image is None or image.size == 0 or min(image.shape[:2]) < 2:
            return "", 0.0
        img = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
        img = np.ascontiguousarray(img[..., :3], dtype=np.uint8)
        rec = self._ocr._load_rec_model()
        _, hh, _ = rec.rec_image_shape[:3]
        h, w = img.shape[:2]
        ww = max(8, int(math.ceil(hh * w / float(h))))
        x = cv2.resize(img, (ww, hh), interpolation=cv2.INTER_AREA if h > hh else cv2.INTER_LINEAR)
        if ww < 2 * hh:  # very short: pad with paper, not the pipeline's mid-grey
            x = np.pad(x, ((0, 0), (0, 2 * hh - ww), (0, 0)), constant_values=255)
        x = (x.astype(np.float32).transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
        preds = rec.session(x[None])
        lines, _ = rec.postprocess_op(preds, False, wh_ratio_list=[x.shape[2] / hh], max_wh_ratio=x.shape[2] / hh)
        if not lines:
            return "", 0.0
        txt, score = lines[0][0], lines[0][1]
        txt = (txt or "").strip()
        return (txt, float(score)) if txt else ("", 0.0)


def factory(threads: int = 2) -> RapidEngine:
    """Return a new RapidOCR engine using ``threads`` onnxruntime intra-op threads."""
    return RapidEngine(threads=threads)
