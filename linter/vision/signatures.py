"""Handwritten-signature fields: find 签字 / 签名 / 注册会计师 … labels and look for pen ink next to them.

Recipe (extraction bench §6, anchors §4.2), all on small crops so a page costs a few ms:

1. **Labels** come from the page's text lines (text layer or OCR). A keyword (签字 签名 签章
   注册会计师, or a role such as 审核人 经办人 制表人 负责人 followed by a colon or a blank field)
   counts as a label only when it ends a short label phrase: followed by a colon, by nothing, or
   by a gap. Running text ("单位法人签字必须用黑色签字笔", "注册会计师对财务报表审计的责任") and a
   bare 签字 column header in a list table are not labels.
2. **Where the label ends**: text-layer boxes are exact; an OCR box may merge the label with the
   handwriting after it (read unsure, or the box swollen by it), so its end is then estimated
   from the page's median char width (the bench's 1.15 x cap applies to char widths).
3. **The field**: a strip from just right of the label end up to the next printed text on the same
   row (at most 10 line heights), +-1.6 line heights high but never past the rules of the label's
   table cell; also the area below the label when the label sits at the top of a cell or the
   right side is taken by other printed text.
4. **Ink**, on the crop white-balanced on its paper colour = dark pixels (max(R,G,B) < 110) or
   blue pen ink, each grown by hysteresis into the paler pixels of the same thin strokes, or red
   ink outside every seal (a seal-sized red shape the seal detector missed counts as a seal).
   Seal-coloured ink inside a seal box is dropped (a seal alone is not a signature); dark ink under
   a seal is kept. Printed text is blanked: every text-layer box, and OCR boxes read with
   confidence >= 0.93 that do not look like handwriting (taller than the label, wide chars, blue
   or red ink). Long straight near-horizontal and near-vertical rules (the "签字：______"
   underline, cell borders), verified by their ink coverage, are erased; so are thin straight
   slivers left of them.
5. **Signed** when the remaining ink covers >= 0.8 % of the strip (or enough ink in line-height
   units for a narrow strip) and forms strokes: two components at least 0.6 line heights long,
   or one at least 1.2 long (strokes cut by seal ink are joined first). A few specks do not pass;
   unblanked printed text would, so OCR misses next to a field can read as "signed".
6. **Confidence** of "unsigned": sure (0.95) for a clean field; a field with some ink below the
   signed line (a quarter of it or more, pale pencil strokes counting half) is under 0.6, so a
   faint or small real signature is never a sure "missing". The signer's typed name after the
   label ("中国注册会计师：  金洋玲") does not end the field (it is blanked; the signature goes over
   it). On an OCR'd page no line counts as printed by its confidence alone (``ocr=True``).

Crops are analysed at about 16-36 px per line height, so the cost does not grow with the dpi.

Rotation: ``rotation`` is how far the page image must be turned clockwise to read upright; lines
and seals are in the unturned frame. Everything is judged in the upright frame (crops are turned,
not the page), and the boxes returned are mapped back to the unturned frame.

This is a presence test for human review, not verification of who signed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median
from typing import Optional

import cv2
import numpy as np

from ..model import Line, Seal, SignatureField
from . import px_per_mm

# ----------------------------------------------------------------------------- label grammar
_STRONG = ("注册会计师", "签字", "签名", "签章")
_WEAK = ("审核人", "核实人", "经办人", "制表人", "负责人", "复核人", "填表人", "填报人", "审批人")
_KW_RE = re.compile("|".join(_STRONG + _WEAK))
# What may follow the keyword inside the label: （盖章） 并盖章 ） and the colon.
_TRAIL_RE = re.compile(
    r"(?:\s*[（(【\[]?\s*(?:[并或及和、/]\s*)?(?:盖章|签字|签名|签章|手印|捺印|按手印|印章|公章|手签)"
    r"\s*[）)】\]]?)*\s*[）)】\]]?\s*([:：]?)")
_LABEL_STOP = set("，。；;,!?！？:：") | {" ", "\t", "\u3000"}
# Words that make a phrase an instruction sentence rather than a label.
_SENTENCE_RE = re.compile(r"必须|须|应由|应当|需由|需要|予以|并由|后由|^由|要求|用黑|如有|确认")
_UNDERSCORES_RE = re.compile(r"[_＿]{3,}")
_MAX_LABEL_PRE = 14  # chars of label phrase before the keyword

# ----------------------------------------------------------------------------- ink thresholds
_DARK_MAX = 110  # max(R,G,B) below this is dark ink on a white page
_BLUE_DELTA = 28  # B - max(R,G) for blue pen ink
_RED_DELTA = 50  # R - max(G,B) for red ink
_OCR_BLANK_CONF = 0.93
_SIGNED_FRAC = 0.008
_SIGNED_H2 = 0.9  # or this much ink in label-height squares (narrow strips)
_WORK_H = 24.0  # crops are analysed at about 16-36 px per line height (decimated by an integer)
_OCR_CAP = 1.15  # an OCR line's char width: at most this x the page median
_PALE_SIGNED = 2.0  # pale pen strokes this many times the signed threshold: signed (a pencil, a grey pen)
_PALE_SIGNED_DARK = 0.5  # or once the threshold, when dark ink already fills this share of it
_STROKE_FILL = 0.45  # a pen stroke's pixels cover at most this share of its bounding box
_PALE_MAX = 200  # pale strokes (max(R,G,B) below this, after white balance) only temper "unsigned"
_FAINT_WEIGHT = 0.5  # pale ink counts half towards "some ink" (it may be a scanner's grey noise)
_CLEAN_INK = 0.1  # ink under this share of the signed threshold: a clean, surely unsigned field
_SOME_INK = 0.25  # from this share on the field has some ink: "unsigned" is then uncertain (< 0.6)
# What OCR makes of a scribble glued to its label, read with confidence (“中国注册会计师：nM”): a few
# Latin letters and strokes, no space, no digit, no Chinese. Such a tail is the signature itself,
# never a typed name: blanking the whole OCR box with the label erased the ink it had found.
_SCRIBBLE_RE = re.compile(r"^[A-Za-z~\-_/\\|.,'`^]{1,8}$")
_OCR_END = 1.02  # a merged OCR label's end: this x the page median char width per char
_OCR_MAX_CONF = 0.998  # an OCR line's confidence is capped under "printed" (text layer: 1.0)


@dataclass
class _L:
    """A text line in the upright frame, pixels."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    conf: float
    idx: int

    @property
    def h(self) -> float:
        return max(self.y1 - self.y0, 1.0)

    @property
    def w(self) -> float:
        return max(self.x1 - self.x0, 1.0)

    @property
    def yc(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def printed(self) -> bool:
        return self.conf >= 0.999


@dataclass
class _Label:
    line: _L
    text: str
    start: int  # char index in line.text
    end: int  # char index just after the label (trailer and colon included)
    colon: bool
    strong: bool
    post: str
    merged: bool = False  # an OCR box holding the label and the handwriting after it
    xe: float = 0.0  # where the label ends (upright px), set when its field is examined


# ----------------------------------------------------------------------------- frames
class _View:
    """The page image seen upright (turned ``rot`` degrees clockwise), cropped lazily."""

    def __init__(self, rgb: np.ndarray, rot: int):
        self.rgb = rgb
        self.rot = rot % 360 if rot % 90 == 0 else 0
        self.H0, self.W0 = rgb.shape[:2]
        self.W, self.H = (self.W0, self.H0) if self.rot in (0, 180) else (self.H0, self.W0)

    @staticmethod
    def _turn_frac(b, rot: int) -> tuple:
        u0, v0, u1, v1 = b
        if rot == 90:
            return (1 - v1, u0, 1 - v0, u1)
        if rot == 180:
            return (1 - u1, 1 - v1, 1 - u0, 1 - v0)
        if rot == 270:
            return (v0, 1 - u1, v1, 1 - u0)
        return (u0, v0, u1, v1)

    def up_px(self, b) -> tuple:
        """Unturned page fractions -> upright pixels."""
        u0, v0, u1, v1 = self._turn_frac(b, self.rot)
        return (u0 * self.W, v0 * self.H, u1 * self.W, v1 * self.H)

    def orig_frac(self, x0: float, y0: float, x1: float, y1: float) -> tuple:
        """Upright pixels -> unturned page fractions (rounded, clamped)."""
        b = (x0 / self.W, y0 / self.H, x1 / self.W, y1 / self.H)
        b = self._turn_frac(b, (360 - self.rot) % 360)
        return tuple(round(min(max(float(v), 0.0), 1.0), 5) for v in b)

    def clip(self, x0, y0, x1, y1) -> tuple:
        x0, y0 = int(max(0, min(self.W, round(x0)))), int(max(0, min(self.H, round(y0))))
        x1, y1 = int(max(0, min(self.W, round(x1)))), int(max(0, min(self.H, round(y1))))
        return x0, y0, x1, y1

    def crop(self, xa: int, ya: int, xb: int, yb: int) -> np.ndarray:
        """Upright crop rows ``ya:yb``, cols ``xa:xb`` (ints inside the upright frame)."""
        a, H, W = self.rgb, self.H0, self.W0
        if self.rot == 0:
            return a[ya:yb, xa:xb]
        if self.rot == 90:
            return np.rot90(a[H - xb:H - xa, ya:yb], k=-1)
        if self.rot == 180:
            return a[H - yb:H - ya, W - xb:W - xa][::-1, ::-1]
        return np.rot90(a[xa:xb, W - yb:W - ya], k=1)


# ----------------------------------------------------------------------------- text geometry
def _units(s: str) -> float:
    u = 0.0
    for ch in s:
        o = ord(ch)
        if ch.isspace():
            u += 0.5
        elif o < 0x2E80 or 0xFF61 <= o <= 0xFFDC:
            u += 0.55
        else:
            u += 1.0
    return u


class _Geom:
    """Char widths on the page: per line, and the page median (for capping merged OCR boxes)."""

    def __init__(self, lines: list[_L]):
        cws, ratios = [], []
        for l in lines:
            t = l.text
            if len(t) < 2 or any(c.isspace() for c in t) or l.h > 2.5 * l.w:
                continue
            if l.conf < 0.9:
                continue
            cw = l.w / max(_units(t), 0.5)
            cws.append(cw)
            ratios.append(cw / l.h)
        self.cw_med = median(cws) if cws else None
        self.ratio = median(ratios) if ratios else 0.9

    def cw(self, l: _L) -> float:
        t = l.text
        if any(c.isspace() for c in t) or not t:
            cw = self.ratio * l.h
            if not l.printed and self.cw_med:
                cw = min(cw, _OCR_CAP * self.cw_med)
            return cw
        cw = l.w / max(_units(t), 0.5)
        if not l.printed and self.cw_med:
            cw = min(cw, _OCR_CAP * self.cw_med)
        return cw

    def x_at(self, l: _L, i: int) -> float:
        """Estimated x of the boundary before char ``i`` of line ``l``."""
        t = l.text
        if i <= 0:
            return l.x0
        if i >= len(t) and l.printed:
            return l.x1
        cw = self.cw(l)
        before, after = t[:i], t[i:]
        if not any(c.isspace() for c in before):
            return min(l.x1, l.x0 + _units(before) * cw)
        if not any(c.isspace() for c in after) and l.printed:
            return max(l.x0, l.x1 - _units(after) * cw)
        tot = _units(t.replace(" ", "  "))
        return l.x0 + l.w * _units(before.replace(" ", "  ")) / max(tot, 0.5)


# ----------------------------------------------------------------------------- labels
def _row_mates(l: _L, lines: list[_L]) -> list[_L]:
    out = []
    for o in lines:
        if o.idx == l.idx:
            continue
        ov = min(o.y1, l.y1) - max(o.y0, l.y0)
        if ov >= 0.5 * min(o.h, l.h):
            out.append(o)
    return out


def _find_labels(lines: list[_L]) -> list[_Label]:
    out: list[_Label] = []
    for l in lines:
        t = l.text
        if not t or l.h > 2.5 * l.w and len(t) > 1:  # vertical text
            continue
        last_end = -1
        for m in _KW_RE.finditer(t):
            if m.start() < last_end:
                continue
            kw = m.group(0)
            strong = kw in _STRONG
            tm = _TRAIL_RE.match(t, m.end())
            end = tm.end()
            colon = bool(tm.group(1))
            # label phrase start: back to a separator, at most _MAX_LABEL_PRE chars
            s = m.start()
            while s > 0 and t[s - 1] not in _LABEL_STOP and m.start() - s < _MAX_LABEL_PRE:
                s -= 1
            pre = t[s:m.start()]
            long_pre = s > 0 and t[s - 1] not in _LABEL_STOP
            post = t[end:]
            post_s = post.strip()
            gap_after = post[:1].isspace()
            sentence = bool(_SENTENCE_RE.search(pre)) or long_pre
            if not colon and end < len(t) and not gap_after:
                continue  # the keyword runs on into a sentence: "签字必须用黑色签字笔"
            if not colon and (sentence or len(t.strip()) > 30):
                continue
            if strong:
                if not colon:
                    # a column header: a bare "签字" with other cells on its row, or the last of
                    # several cells read as one line ("序号 姓名 身份证号 签字")
                    mates = _row_mates(l, lines)
                    bare = len(t.strip()) <= 3
                    if len(mates) >= 3 or (bare and mates) or len(t[:s].split()) >= 2:
                        continue
            else:
                if not colon and post_s:
                    continue
                if colon and post_s and l.conf >= _OCR_BLANK_CONF and not gap_after:
                    continue  # "经办人：张三" read surely: a typed value, a data field
                if colon and post_s and _units(post_s) > 6 and not gap_after:
                    continue
                if not colon:
                    mates = _row_mates(l, lines)
                    if len(t.strip()) > 8 or len(mates) >= 3:
                        continue
            label_text = t[s:end].strip()
            if not label_text:
                continue
            out.append(_Label(l, label_text, s, end, colon, strong, post))
            last_end = end
            # a later keyword in the remainder belongs to this field ("注册会计师：张三（签名并盖章）")
            if colon and post_s and not gap_after:
                break
    return out


# ----------------------------------------------------------------------------- ink
def _normalised(crop: np.ndarray) -> np.ndarray:
    """The crop white-balanced on its paper colour (per-channel 85th percentile -> 255), int16."""
    crop = np.ascontiguousarray(crop)
    sub = crop[::3, ::3].reshape(-1, 3)
    if sub.shape[0] >= 16:
        paper = np.maximum(np.percentile(sub, 85, axis=0), 60.0)
        if not np.all(paper >= 250):
            lut = np.clip(np.arange(256, dtype=np.float32)[:, None] * (255.0 / paper)[None, :], 0, 255)
            crop = cv2.LUT(crop, lut.astype(np.uint8).reshape(256, 1, 3))
    return crop.astype(np.int16)


def _ink_masks(crop: np.ndarray, c: Optional[np.ndarray] = None):
    """Return ``(dark, blue, red)`` boolean masks of a crop (after white balance on the paper).

    Dark ink is max(R,G,B) < 110, grown by hysteresis into the lighter anti-aliased pixels of thin
    strokes that touch it (max < 165).
    """
    if c is None:
        c = _normalised(crop)
    r, g, b = c[..., 0], c[..., 1], c[..., 2]
    mx = np.maximum(np.maximum(r, g), b)
    mn = np.minimum(np.minimum(r, g), b)
    dark = _grow(mx < _DARK_MAX, mx < 165)
    bx = b - np.maximum(r, g)
    sat = b - mn
    # blue pen: clearly blue seeds, grown into the paler pixels of the same thin strokes
    blue = _grow((bx >= _BLUE_DELTA) & (sat >= 40), (bx >= 16) & (sat >= 24) & (mn < 225))
    red = (r - np.maximum(g, b) >= _RED_DELTA) & (r >= 100)
    return dark, blue, red


def _grow(seed: np.ndarray, weak: np.ndarray) -> np.ndarray:
    """Hysteresis: the connected parts of ``seed | weak`` that contain a ``seed`` pixel."""
    weak = weak | seed
    if not seed.any() or not (weak & ~seed).any():
        return seed
    n, lab = cv2.connectedComponents(weak.view(np.uint8), connectivity=8)
    seeded = np.zeros(n, bool)
    seeded[lab[seed]] = True
    seeded[0] = False
    return seeded[lab]


def _rules_mask(ink: np.ndarray, h: float, hidden: Optional[np.ndarray] = None) -> np.ndarray:
    """Pixels of long straight near-horizontal or near-vertical rules in ``ink`` (uint8 0/1).

    Candidates: runs at least 3 line heights long (1.8 for vertical borders) once gaps of half a
    line height and a slight slope are bridged, so a rule cut by a seal or crossed by a signature
    still counts. A line fitted through each is a rule only if ink covers at least 85 % of its
    length within a rule's thickness (pixels ``hidden`` under seal ink or blanked text count
    neither way), it is thin, and it has paper beside it on one side at least; strokes of a
    signature that merely line up (the loop bottoms of cursive writing, the middle strokes of
    block characters) fail. Only the rule's own rows are erased.
    """
    H, W = ink.shape
    out = np.zeros_like(ink)
    T = max(2, int(round(0.15 * h)))
    gap = max(3, int(0.5 * h))
    for horizontal in (True, False):
        min_len = int(max((3.0 if horizontal else 1.8) * h, 20))
        if (W if horizontal else H) < min_len:
            continue
        tilt = 2 * int(np.ceil(0.036 * min_len / 2)) + 1  # thicken: a 2 degree skew over min_len
        # cheap pre-check: enough ink in some band of rows (columns) to hold a rule at all?
        prof = ink.sum(axis=1 if horizontal else 0, dtype=np.int32)
        band = np.convolve(prof, np.ones(tilt + 2, np.int32), mode="same")
        if band.max() < 0.6 * min_len:
            continue
        kd = np.ones((tilt, 1), np.uint8) if horizontal else np.ones((1, tilt), np.uint8)
        kc = np.ones((1, gap), np.uint8) if horizontal else np.ones((gap, 1), np.uint8)
        ko = np.ones((1, min_len), np.uint8) if horizontal else np.ones((min_len, 1), np.uint8)
        runs = cv2.morphologyEx(cv2.morphologyEx(cv2.dilate(ink, kd), cv2.MORPH_CLOSE, kc),
                                cv2.MORPH_OPEN, ko)
        if not runs.any():
            continue
        n, lab, st, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
        for k in range(1, min(n, 24)):
            x, y, w, hh = (int(v) for v in st[k, :4])
            length, thick = (w, hh) if horizontal else (hh, w)
            if length < min_len or thick > 0.3 * h + tilt + 0.07 * length + 2:
                continue  # too short, or a blob rather than a thin band
            ys, xs = np.nonzero(lab[y:y + hh, x:x + w] == k)
            u, v = (xs + x, ys + y) if horizontal else (ys + y, xs + x)  # along, across
            u, v = u.astype(np.float64), v.astype(np.float64)
            um, vm = u.mean(), v.mean()
            var = ((u - um) ** 2).sum()
            if var <= 0:
                continue
            slope = float(((u - um) * (v - vm)).sum() / var)
            icpt = vm - slope * um
            if abs(slope) > 0.07:
                continue
            along = np.arange(int(u.min()), int(u.max()) + 1)
            across = np.rint(slope * along + icpt).astype(np.intp)
            offs = np.arange(-T, T + 1)
            cross = np.clip(across[None, :] + offs[:, None], 0, (H if horizontal else W) - 1)
            hits = (ink[cross, along[None, :]] if horizontal else ink[along[None, :], cross]) > 0
            seen = np.ones(along.size, bool)
            if hidden is not None:
                hid = (hidden[cross, along[None, :]] if horizontal else hidden[along[None, :], cross]) > 0
                seen = ~hid.any(axis=0)
            if seen.sum() < 0.5 * min_len or hits.any(axis=0)[seen].mean() < 0.85:
                continue
            # the rule's own rows: offsets inked along most of the length (+-1 for anti-aliasing)
            rows = np.flatnonzero(hits[:, seen].mean(axis=1) >= 0.5)
            if rows.size == 0 or rows.size > 0.15 * h + 2:
                continue
            lo, hi = int(offs[rows[0]]) - 1, int(offs[rows[-1]]) + 1
            # a rule has paper beside it along most of its length, on one side at least; the
            # middle strokes of handwritten characters that happen to line up have ink on both
            side = []
            for d in (lo - 1, hi + 1):
                c = np.clip(across + d, 0, (H if horizontal else W) - 1)
                side.append(float(((ink[c, along] if horizontal else ink[along, c]) > 0).mean()))
            if min(side) > 0.3:
                continue
            if max(side) <= 0.3:
                # clear on both sides: erase along the whole crop, so pieces of the same rule
                # beyond a seal (or a break) go too
                along = np.arange(0, W if horizontal else H)
                across = np.rint(slope * along + icpt).astype(np.intp)
            for d in range(lo, hi + 1):
                c = np.clip(across + d, 0, (H if horizontal else W) - 1)
                if horizontal:
                    out[c, along] = 1
                else:
                    out[along, c] = 1
    return out


@dataclass
class _Result:
    box: tuple  # upright px
    frac: float
    signed: bool
    colour: Optional[str]
    margin: float  # ink / threshold
    faint: float = 0.0  # pale strokes / threshold (unsigned fields only)


def _blank_boxes(l: _L, lab: Optional[_Label], geom: _Geom, h: float) -> list[tuple]:
    """Boxes (upright px) of printed text to blank for line ``l``."""
    pad = max(1.0, 0.12 * min(l.h, 1.6 * geom.cw(l)))
    if lab is not None and lab.line.idx == l.idx and lab.merged:
        # an OCR box merging label and handwriting: blank the label only
        return [(l.x0 - pad, l.y0 - pad, lab.xe + pad, l.y1 + pad)]
    if l.printed:
        t = l.text
        m = _UNDERSCORES_RE.search(t)
        if m and not any(c.isspace() for c in t):
            # "签字：________": the underline is a rule, erased separately; keep the field open
            boxes = []
            xa, xb = geom.x_at(l, m.start()), geom.x_at(l, m.end())
            if m.start() > 0:
                boxes.append((l.x0 - pad, l.y0 - pad, xa + pad, l.y1 + pad))
            if m.end() < len(t):
                boxes.append((xb - pad, l.y0 - pad, l.x1 + pad, l.y1 + pad))
            return boxes
    return [(l.x0 - pad, l.y0 - pad, l.x1 + pad, l.y1 + pad)]


def _looks_handwritten(view: _View, l: _L, geom: _Geom, h: float, box: tuple) -> bool:
    """An OCR line in the field ``box`` that is probably the signature itself, not printed text.

    Unsure readings are; so are sure ones that sit in the field and are taller than the label
    line, wider per char than print, or written in blue or red ink.
    """
    if l.printed:
        return False
    if l.conf < _OCR_BLANK_CONF:
        return True
    x0, y0, x1, y1 = box
    if not (x0 - 0.5 * h <= (l.x0 + l.x1) / 2 <= x1 and y0 <= l.yc <= y1):
        return False
    if l.h > 1.45 * h:
        return True
    cw = l.w / max(_units(l.text), 0.5)
    if geom.cw_med and cw > 1.6 * geom.cw_med:
        return True
    xa, ya, xb, yb = view.clip(l.x0, l.y0, l.x1, l.y1)
    if xb - xa >= 2 and yb - ya >= 2:
        dark, blue, red = _ink_masks(view.crop(xa, ya, xb, yb))
        n_col = int(np.count_nonzero(blue | red))
        if n_col >= 12 and n_col >= 0.4 * int(np.count_nonzero(dark | blue | red)):
            return True
    return False


def _analyse(view: _View, box: tuple, h: float, blanks: list[tuple], seals: list[tuple],
             colour_seals: list[str], px_mm: float) -> Optional[_Result]:
    xa, ya, xb, yb = view.clip(*box)
    if xb - xa < max(4, 0.8 * h) or yb - ya < max(4, 0.8 * h):
        return None
    crop = view.crop(xa, ya, xb, yb)
    # work at about _WORK_H px per line height: the cost no longer grows with the dpi
    # (decimated by an integer with a min filter: the darkest pixel of each block, so thin pen
    # strokes keep their full darkness instead of being averaged into the paper)
    step = int(round(h / _WORK_H))
    f = 1.0 / step if step >= 2 else 1.0
    if f < 1.0:
        crop = cv2.erode(np.ascontiguousarray(crop), np.ones((step, step), np.uint8),
                         anchor=(0, 0))[::step, ::step]
        h = h * f
    cn = _normalised(crop)
    dark, blue, red = _ink_masks(crop, cn)
    Hc, Wc = dark.shape

    def rect(b, m=0.0):
        x0, y0, x1, y1 = b
        a0, b0 = int(max(0, np.floor((x0 - m - xa) * f))), int(max(0, np.floor((y0 - m - ya) * f)))
        a1, b1 = int(min(Wc, np.ceil((x1 + m - xa) * f))), int(min(Hc, np.ceil((y1 + m - ya) * f)))
        return (slice(b0, b1), slice(a0, a1)) if a1 > a0 and b1 > b0 else None

    keep_red = red.copy()
    seal_zone = np.zeros((Hc, Wc), bool)
    for sb, col in zip(seals, colour_seals):
        sl = rect(sb, 0.05 * max(sb[2] - sb[0], sb[3] - sb[1]) + 2)
        if sl is None:
            continue
        seal_zone[sl] = True
        if col == "gray":
            dark[sl] = False
            blue[sl] = False
            keep_red[sl] = False
        elif col == "blue":
            blue[sl] = False
        else:
            keep_red[sl] = False
    if keep_red.any():
        for sb in _undetected_seals(view, (xa, ya, xb, yb), px_mm):
            sl = rect(sb)
            if sl is not None:
                keep_red[sl] = False
                seal_zone[sl] = True
    # seal-coloured pixels that are also dark (the seal's dense core) stay seal
    ink = dark | blue | keep_red
    mx = np.maximum(np.maximum(cn[..., 0], cn[..., 1]), cn[..., 2])
    ink &= ~(seal_zone & red & (mx >= 70))
    hidden = seal_zone & (red | blue) if "blue" in colour_seals else seal_zone & red
    for bb in blanks:
        sl = rect(bb)
        if sl is not None:
            ink[sl] = False
            hidden[sl] = True
    ink8 = ink.view(np.uint8)
    if ink8.any():
        ink8 = ink8 & (1 - _rules_mask(ink8, h, hidden.view(np.uint8)))
    n, lab, st, _ = cv2.connectedComponentsWithStats(ink8, connectivity=8)
    area = st[:, cv2.CC_STAT_AREA]
    cw_, ch_ = st[:, cv2.CC_STAT_WIDTH], st[:, cv2.CC_STAT_HEIGHT]
    longd, shortd = np.maximum(cw_, ch_), np.minimum(cw_, ch_)
    # specks, and long straight axis-aligned slivers (pieces of rules and borders); a neat
    # handwritten stroke (王, 一) is shorter than two line heights
    sliver = (shortd <= max(3.0, 0.12 * h)) & (longd >= 2.0 * h)
    kept = (area >= max(4, int(0.006 * h * h))) & ~sliver
    kept[0] = False
    total = int(area[kept].sum())
    big = long = mid = 0
    if total:
        km = kept[lab]
        ext = longd[kept]
        big = int(np.count_nonzero(ext >= 0.6 * h))
        long = int(np.count_nonzero(ext >= 1.2 * h))
        if big < 2 and long < 1:
            # strokes cut by seal ink or JPEG noise are joined again before judging their length
            k = max(3, int(round(0.15 * h)) | 1)
            joined = cv2.dilate(km.view(np.uint8), np.ones((k, k), np.uint8))
            _, _, st2, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
            ext = np.maximum(st2[1:, cv2.CC_STAT_WIDTH], st2[1:, cv2.CC_STAT_HEIGHT]) - (k - 1)
            big = int(np.count_nonzero(ext >= 0.6 * h))
            long = int(np.count_nonzero(ext >= 1.2 * h))
            mid = int(np.count_nonzero(ext >= 0.4 * h))
    else:
        km = None
    area_all = float(Hc * Wc)
    frac = total / area_all
    # a narrow strip (short field) is judged by the ink in label-height squares as well
    thr = min(_SIGNED_FRAC, _SIGNED_H2 * h * h / area_all)
    margin = frac / thr if thr > 0 else 0.0
    # strokes: two at least 0.6 line heights long, or one 1.2 long; with plenty of ink, three
    # shorter pieces do (a signature cut up by seal ink or a low resolution)
    structure = big >= 2 or long >= 1 or (margin >= 1.5 and mid >= 3)
    signed = margin >= 1.0 and structure
    colour = None
    if total:
        r, g, b = cn[..., 0], cn[..., 1], cn[..., 2]
        nb = int(np.count_nonzero(km & (b - np.maximum(r, g) >= 20)))
        nr = int(np.count_nonzero(km & (r - np.maximum(g, b) >= 35)))
        nt = int(np.count_nonzero(km))
        if nb >= 0.3 * nt and nb >= nr:
            colour = "blue"
        elif nr >= 0.3 * nt:
            colour = "red"
        else:
            colour = "black"
    if not structure:
        margin = min(margin, 0.99)
    faint = 0.0
    if not signed and thr > 0:
        # pale strokes (a light pencil or a worn pen: lighter than the dark-ink line) in the same
        # field, printed text, seal ink and rules left out: too light to call signed, but enough to
        # say "not sure it is unsigned"
        pale = _grow(mx < _PALE_MAX, mx < 230) & ~(seal_zone & red) & ~(hidden & seal_zone)
        for bb in blanks:
            sl = rect(bb)
            if sl is not None:
                pale[sl] = False
        p8 = pale.view(np.uint8)
        if p8.any():
            p8 = p8 & (1 - _rules_mask(p8, h, hidden.view(np.uint8)))
            n2, _, st2, _ = cv2.connectedComponentsWithStats(p8, connectivity=8)
            a2 = st2[:, cv2.CC_STAT_AREA]
            l2 = np.maximum(st2[:, cv2.CC_STAT_WIDTH], st2[:, cv2.CC_STAT_HEIGHT])
            s2 = np.minimum(st2[:, cv2.CC_STAT_WIDTH], st2[:, cv2.CC_STAT_HEIGHT])
            k2 = (a2 >= max(4, int(0.006 * h * h))) & ~((s2 <= max(3.0, 0.12 * h)) & (l2 >= 2.0 * h)) & (l2 >= 0.4 * h)
            k2[0] = False
            faint = float(a2[k2].sum()) / area_all / thr
            # pale but written: a pencil, or a thin ballpoint or felt pen that renders grey. Pen
            # strokes (two 0.6 line heights long or one 1.2, thin: a stroke covers little of its
            # box, a grey shaded cell covers all of it) with the dark-ink threshold filled by
            # pale ink - twice over, or once when half of it is dark already. Calling it signed
            # costs at most a miss; "unsigned" would be a false finding on a signed form.
            fill2 = a2 / np.maximum(1, st2[:, cv2.CC_STAT_WIDTH] * st2[:, cv2.CC_STAT_HEIGHT])
            ext2 = l2[k2 & (fill2 <= _STROKE_FILL)]
            strokes = np.count_nonzero(ext2 >= 0.6 * h) >= 2 or np.count_nonzero(ext2 >= 1.2 * h) >= 1
            if strokes and (faint >= _PALE_SIGNED or (margin >= _PALE_SIGNED_DARK and faint >= 1.0)):
                return _Result((xa, ya, xb, yb), round(float(a2[k2].sum()) / area_all, 5), True, "black",
                               min(faint, 1.25), faint)
    return _Result((xa, ya, xb, yb), round(float(frac), 5), bool(signed), colour if signed else None, margin,
                   faint)


def _unsigned_confidence(m: float) -> float:
    """How sure "unsigned" is, from the most ink any of the field's boxes held (``m``: ink over the
    signed threshold). A clean field (under :data:`_CLEAN_INK`) is sure; from there the confidence
    falls, and a field with some ink (:data:`_SOME_INK` of the threshold or more: a light, small
    scrawl; strokes too pale for the dark-ink line) is under the 0.6 a check takes as sure."""
    if m < _CLEAN_INK:
        return 0.95
    if m < _SOME_INK:
        return 0.95 - 0.33 * (m - _CLEAN_INK) / (_SOME_INK - _CLEAN_INK)
    return 0.58 - 0.18 * min(1.0, (m - _SOME_INK) / (1.0 - _SOME_INK))


def _undetected_seals(view: _View, box: tuple, px_mm: float) -> list[tuple]:
    """Boxes (upright px) of seal-sized red shapes near ``box`` that the seal detector missed.

    Looks at a window 22 mm larger on every side, subsampled to about 4 px/mm.
    """
    xa, ya, xb, yb = box
    m = 22 * px_mm
    wa, wb, wc, wd = view.clip(xa - m, ya - m, xb + m, yb + m)
    step = max(1, int(round(px_mm / 4)))
    win = view.crop(wa, wb, wc, wd)[::step, ::step]
    _, _, red = _ink_masks(win)
    mm = px_mm / step
    k = max(3, int(1.5 * mm))
    closed = cv2.morphologyEx(red.view(np.uint8), cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    n, _, st, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    out = []
    for i in range(1, n):
        w, hh = st[i, cv2.CC_STAT_WIDTH], st[i, cv2.CC_STAT_HEIGHT]
        if w >= 18 * mm and hh >= 18 * mm and 0.6 <= w / max(hh, 1) <= 1.7:
            x0, y0 = st[i, cv2.CC_STAT_LEFT] * step + wa, st[i, cv2.CC_STAT_TOP] * step + wb
            out.append((x0, y0, x0 + w * step, y0 + hh * step))
    return out


def _cell_rules(view: _View, l: _L, xs: float, xe: float, y_top: float, y_bot: float) -> list[float]:
    """y of table rules crossing the label's columns between ``y_top`` and ``y_bot`` (upright px).

    A rule: a band at most ~0.3 line heights thick, outside the label's own box, dark across at
    least 85 % of the label's width (a slight skew is allowed for). These are the borders of the
    label's table cell; the field does not extend past them.
    """
    xa, ya, xb, yb = view.clip(xs, y_top, max(xe, xs + 4), y_bot)
    if xb - xa < 4 or yb - ya < 2:
        return []
    c = view.crop(xa, ya, xb, yb)
    dark = (np.maximum(np.maximum(c[..., 0], c[..., 1]), c[..., 2]) < 140).view(np.uint8)
    k = int(np.ceil(0.035 * (xb - xa) / 2))
    if k:
        dark = cv2.dilate(dark, np.ones((2 * k + 1, 1), np.uint8))
    hit = dark.mean(axis=1) >= 0.85
    # not inside the label's box (its text, dilated, must not count)
    i0, i1 = int(max(0, l.y0 - k - ya)), int(min(len(hit), l.y1 + k + 1 - ya))
    if i1 > i0:
        hit[i0:i1] = False
    out = []
    rows = np.flatnonzero(hit)
    if rows.size:
        groups = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
        lh = max(l.y1 - l.y0, 4.0)
        for g in groups:
            if len(g) <= 0.3 * lh + 2 * k + 2:
                out.append(float(ya + (g[0] + g[-1]) / 2))
    return out


# ----------------------------------------------------------------------------- main
def find_signature_fields(rgb: np.ndarray, lines: list[Line], seals: list[Seal],
                          rotation: int = 0, ocr: bool = False) -> list[SignatureField]:
    """Return the signature fields on a page and whether each holds handwriting.

    ``rgb`` is the whole page (H x W x 3 uint8); ``lines`` and ``seals`` have page-fraction boxes in
    the same (unturned) frame; ``rotation`` is the clockwise turn that makes the page upright.
    ``ocr``: the lines were read by OCR, so none of them is known printed text, however sure the
    reading (a neat signature is often read at 0.9999, rounded to 1.0). Otherwise lines of
    confidence 1.0 are taken as a text layer's.
    Results are sorted top to bottom (reading order), boxes in the unturned frame.
    """
    if rgb is None or not lines:
        return []
    rgb = np.asarray(rgb)
    if rgb.ndim == 2 or (rgb.ndim == 3 and rgb.shape[2] < 3):  # a grayscale page
        rgb = np.repeat(rgb.reshape(rgb.shape[0], rgb.shape[1], -1)[..., :1], 3, axis=2)
    if rgb.ndim != 3 or rgb.shape[0] < 16 or rgb.shape[1] < 16:
        return []
    if rgb.dtype != np.uint8:
        rgb = np.clip(rgb, 0, 255).astype(np.uint8)
    view = _View(rgb[..., :3], int(rotation or 0))
    px_mm = px_per_mm((view.H, view.W))
    ls: list[_L] = []
    for i, ln in enumerate(lines):
        t = (ln.text or "").strip()
        if not t:
            continue
        x0, y0, x1, y1 = view.up_px(ln.bbox)
        if x1 - x0 < 1 or y1 - y0 < 1:
            continue
        conf = float(ln.confidence)
        ls.append(_L(t, x0, y0, x1, y1, min(conf, _OCR_MAX_CONF) if ocr else conf, i))
    if not ls:
        return []
    labels = _find_labels(ls)
    if not labels:
        return []
    geom = _Geom(ls)
    seal_boxes = [view.up_px(s.bbox) for s in seals]
    seal_cols = [s.colour for s in seals]
    # a label read from inside a stamp (“注册会计师” on a CPA's square seal) is the seal's own text,
    # not a field on the form
    stamps = [view.up_px(s.bbox) for s in seals if s.edge is None]
    labels = [lab for lab in labels if not any(_inside_box(lab.line, b) for b in stamps)]
    out = []
    for lab in labels:
        sf = _field(view, lab, ls, geom, seal_boxes, seal_cols, px_mm)
        if sf is not None:
            out.append(sf)
    out.sort(key=lambda x: (x[0], x[1]))
    return [x[2] for x in out]


_NAME_RE = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff·•]{1,4}")


def _typed_name(t: str) -> bool:
    """Whether a printed token is a person's name (2-5 CJK chars, nothing else): the typed name of
    the signer next to a signature field, over or beside which the signature goes."""
    t = t.strip()
    return bool(_NAME_RE.fullmatch(t)) and not _KW_RE.search(t) and not re.search(r"日期|年|月|盖章|公章", t)


def _inside_box(ln: "_L", box) -> bool:
    """Whether the line lies (at least 80 % of it) within ``box`` (upright px)."""
    ix = max(0.0, min(ln.x1, box[2]) - max(ln.x0, box[0]))
    iy = max(0.0, min(ln.y1, box[3]) - max(ln.y0, box[1]))
    area = max(1e-6, (ln.x1 - ln.x0) * (ln.y1 - ln.y0))
    return ix * iy / area >= 0.8


def _field(view: _View, lab: _Label, ls: list[_L], geom: _Geom, seal_boxes, seal_cols, px_mm):
    l = lab.line
    cw = geom.cw(l)
    # line height: the box's, but an OCR box swollen by handwriting is cut back to the label's
    # char width over the page's char-width / box-height ratio
    h = min(l.h, 1.6 * cw) if cw > 0 else l.h
    if not l.printed and cw > 0:
        h = min(h, cw / max(geom.ratio, 0.5))
    h = max(h, 4.0)
    xs = geom.x_at(l, lab.start)
    xe = geom.x_at(l, lab.end)
    # An OCR box running on past the label holds the handwriting itself when it was read unsure
    # or the box is swollen by it; a confident, normal-height reading is printed text (a typed
    # name, "（盖章）") and is blanked like any printed line.
    lab.merged = (not l.printed and bool(lab.post.strip())
                  and (l.conf < _OCR_BLANK_CONF or l.h > 1.4 * h or bool(_SCRIBBLE_RE.match(lab.post.strip()))))
    if lab.merged:
        # an OCR box that runs on past the label: cap its end by the median char width
        # (the page median comes from padded OCR boxes of printed lines, so it is already generous)
        xe = min(xe, xs + _OCR_END * (geom.cw_med or cw) * _units(lab.text))
    xe = max(xe, xs + 0.5 * h)
    lab.xe = xe
    yc = l.yc
    # --- right strip
    x_start = xe + 0.3 * h
    limit = min(xe + 10 * h, view.W)
    post = lab.post
    if l.printed and post[:1].isspace() and post.strip() and not _typed_name(post.strip().split()[0]):
        # "签字：    日期：": a later token of the same text-layer line ends the field
        # (the signer's typed name does not: the signature goes over or beside it)
        j = lab.end + (len(post) - len(post.lstrip()))
        limit = min(limit, geom.x_at(l, j) - 0.2 * h)
    row_field = (x_start, yc - 1.6 * h, xe + 10 * h, yc + 1.6 * h)
    for o in _row_mates(l, ls):
        if o.x0 >= xe - 0.3 * h and not _looks_handwritten(view, o, geom, h, row_field):
            if o.printed and _typed_name(o.text) and o.x0 - xe <= 4 * h:
                continue  # "中国注册会计师：  金洋玲": the typed name is blanked, the field runs over it
            limit = min(limit, o.x0 - 0.2 * h)
    # the label's table cell, if any: the field stays between its top and bottom rules
    rules = _cell_rules(view, l, xs, xe, min(yc - 1.6 * h, l.y0 - 1.5 * h), l.y1 + 4.0 * h)
    above = [r for r in rules if r < l.y0]
    below = [r for r in rules if r > l.y1]
    top = max(above) if above else None
    bottom = min(below) if below else None
    y0 = yc - 1.6 * h
    if top is not None:
        y0 = max(y0, top + 0.15 * h)
    y1 = yc + 1.6 * h
    if bottom is not None:
        y1 = min(y1, bottom - 0.15 * h)
    right_box = (x_start, y0, limit, y1)
    blocked = limit - x_start < 2.5 * h
    cell_top = top is not None and l.y0 - top <= 1.5 * h
    boxes = []
    if not blocked:
        boxes.append(right_box)
    if blocked or cell_top:
        bx0 = xs - 0.3 * h
        bx1 = min(view.W, xs + max(xe - xs + 4 * h, 10 * h))
        by0 = l.y1 + 0.2 * h
        by1 = l.y1 + 4.0 * h
        if bottom is not None:
            by1 = min(by1, bottom - 0.15 * h)
        for o in ls:
            if o.idx == l.idx or o.y0 <= l.y1 - 0.2 * h:
                continue
            if (o.x1 > bx0 and o.x0 < bx1 and o.y0 < by1
                    and not _looks_handwritten(view, o, geom, h, (bx0, by0, bx1, by1))):
                if o.y0 - by0 >= 1.5 * h:
                    by1 = min(by1, o.y0 - 0.1 * h)
        if by1 - by0 >= 1.5 * h:
            boxes.append((bx0, by0, bx1, by1))
    if not boxes and limit - x_start >= 0.8 * h:
        boxes.append(right_box)  # a short field to the right is still better than none
    results = []
    for box in boxes:
        blanks = []
        for o in ls:
            if o.x1 < box[0] - h or o.x0 > box[2] + h or o.y1 < box[1] - h or o.y0 > box[3] + h:
                continue
            if o.idx == l.idx:
                blanks.extend(_blank_boxes(o, lab, geom, h))
            elif o.printed or not _looks_handwritten(view, o, geom, h, box):
                blanks.extend(_blank_boxes(o, None, geom, h))
        r = _analyse(view, box, h, blanks, seal_boxes, seal_cols, px_mm)
        if r is not None:
            results.append(r)
    if not results:
        return None
    signed = [r for r in results if r.signed]
    best = max(signed, key=lambda r: r.margin) if signed else results[0]
    # confidence: distance from the decision threshold, times the label's OCR confidence
    if best.signed:
        conf = 0.6 + 0.4 * min(1.0, best.margin - 1.0)
    else:
        conf = _unsigned_confidence(max(max(r.margin, _FAINT_WEIGHT * r.faint) for r in results))
    if not l.printed:
        conf *= min(1.0, max(0.3, l.conf) / 0.95)
    bx = best.box
    lb = view.orig_frac(xs, l.y0, xe, l.y1)
    sf = SignatureField(
        label=lab.text,
        label_bbox=lb,
        bbox=view.orig_frac(*bx),
        signed=bool(best.signed),
        ink=float(best.frac),
        colour=best.colour,
        confidence=round(float(min(1.0, max(0.05, conf))), 3),
    )
    return (round(l.y0, 1), round(xs, 1), sf)
