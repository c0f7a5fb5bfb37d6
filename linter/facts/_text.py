"""Text normalisation shared by the fact parsers (private).

The parsers search an NFKC-normalised copy of the input (full-width digits, colons, brackets and
spaces become ASCII) but report offsets into the *original* string, so callers can highlight the
source text. ``normalize_with_map`` returns both the normalised text and the offset map.
"""
from __future__ import annotations

import functools
import unicodedata

# Characters NFKC leaves alone that we still want folded.
_EXTRA = {
    "\u2212": "-",  # minus sign
    "\u2012": "-",
    "\u2013": "-",  # en dash
    "\ufe63": "-",
    "\u200b": "",  # zero-width space
    "\u200c": "",
    "\u200d": "",
    "\ufeff": "",
}


@functools.lru_cache(maxsize=8192)
def _nfkc_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch)


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Return ``(normalised, index_map)``.

    ``index_map[i]`` is the offset in ``text`` of the character that produced ``normalised[i]``;
    ``index_map[len(normalised)] == len(text)``. Use :func:`original_span` to map a span back.
    """
    out: list[str] = []
    idx: list[int] = []
    for i, ch in enumerate(text):
        rep = _EXTRA.get(ch)
        if rep is None:
            rep = _nfkc_char(ch) if ord(ch) > 0x7F else ch
        for c in rep:
            out.append(c)
            idx.append(i)
    idx.append(len(text))
    return "".join(out), idx


def original_span(index_map: list[int], start: int, end: int) -> tuple[int, int]:
    """Map a ``[start, end)`` span of the normalised text back to the original text."""
    if end <= start:
        o = index_map[start]
        return o, o
    return index_map[start], index_map[end - 1] + 1


def nfkc(text: str) -> str:
    """NFKC-normalise ``text`` with the extra folds above (no offset map)."""
    return normalize_with_map(text)[0]


def as_text(value: object) -> str:
    """A cell or arbitrary value as text: ``None`` -> ``""``, everything else ``str()``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:  # pragma: no cover - exotic __str__
        return ""
