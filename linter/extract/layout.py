"""Reading order: put lines (text-layer or OCR) into rows by y-centre, then left to right."""
from __future__ import annotations

import re

from ..model import Line

_GOOD = re.compile("[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ffff]")
_GARBAGE = re.compile("[\ue000-\uf8ff\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\U000f0000-\U0010ffff]")


def count_good(text: str) -> int:
    """Return the number of ASCII letters/digits and CJK ideographs in ``text`` (the probe's count)."""
    return len(_GOOD.findall(text))


def count_garbage(text: str) -> int:
    """Return the number of chars that mean a broken text layer (private use, U+FFFD, controls)."""
    return len(_GARBAGE.findall(text))


def is_good_char(c: str) -> bool:
    """Return True for ASCII letters/digits and CJK ideographs (the chars the probe counts)."""
    o = ord(c)
    return (c.isascii() and c.isalnum()) or 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FFFF


def is_garbage_char(c: str) -> bool:
    """Return True for chars that mean a broken text layer: private use, replacement, NUL/controls."""
    o = ord(c)
    return 0xE000 <= o <= 0xF8FF or o == 0xFFFD or o < 0x20 and c not in "\t\r\n" or 0xF0000 <= o


def rows(lines: list[Line]) -> list[list[Line]]:
    """Return ``lines`` grouped into rows (top to bottom), each row sorted left to right.

    A line joins a row when its vertical centre lies within half a line height of the row's
    running centre, so a slightly skewed scan still keeps a table row together.
    """
    out: list[tuple[float, float, list[Line]]] = []  # (centre, height, lines)
    for ln in sorted(lines, key=lambda l: ((l.bbox[1] + l.bbox[3]) / 2, l.bbox[0])):
        yc, h = (ln.bbox[1] + ln.bbox[3]) / 2, max(ln.bbox[3] - ln.bbox[1], 1e-6)
        if out:
            ryc, rh, members = out[-1]
            if abs(yc - ryc) <= 0.5 * min(h, rh):
                members.append(ln)
                n = len(members)
                out[-1] = ((ryc * (n - 1) + yc) / n, max(rh, h), members)
                continue
        out.append((yc, h, [ln]))
    return [sorted(m, key=lambda l: l.bbox[0]) for _, _, m in out]


def order(lines: list[Line]) -> tuple[list[Line], str]:
    """Return ``(lines in reading order, page text)``.

    The page text has one text line per row; segments on the same row (table cells, a label and
    its value far to the right) are joined by a single space.
    """
    rs = rows(lines)
    flat = [l for r in rs for l in r]
    text = "\n".join(" ".join(l.text for l in r) for r in rs)
    return flat, text


def weighted_confidence(lines: list[Line]) -> float:
    """Return the mean line confidence weighted by the number of chars (1.0 when no lines)."""
    n = sum(len(l.text) for l in lines)
    if not n:
        return 1.0
    return round(sum(l.confidence * len(l.text) for l in lines) / n, 4)
