"""Form labels and their values: ``项目名称：XX项目``, ``项 目 名 称  XX``, ``申请单位（盖章）：``.

Labels may be printed with spaces between the characters, full- or half-width brackets and
colons. A value runs to the end of the line or to the next ``label：`` on the same line.
``field_filled`` decides whether a form field has content; a blank date template
(``年 月 日``), underscores, ``（盖章）`` and ``****`` placeholders do not count as content, while an
explicit ``/`` or ``无`` (the usual "not applicable" marks) does.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence, Union

from ._text import as_text

_SP = r"[ \t\u3000]"
_NOISE_WORDS = r"(?:盖\s*章|签\s*章|签\s*字|公\s*章|手\s*写\s*签\s*字|签\s*名|单\s*位\s*盖\s*章)"
_SUFFIX = rf"(?:{_SP}*[（(]{_SP}*{_NOISE_WORDS}{_SP}*[)）])?"
# a separator is required unless the label (or its （盖章） suffix) ends with a bracket
_SEP = rf"(?:{_SP}*[:：]{_SP}*|{_SP}+|(?=\r?\n)|$|(?<=[)）]))"
# the start of another "label：" on the same line (Chinese words followed by a colon)
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_NEXT_LABEL = re.compile(rf"(?<![ \t\u3000]){_SP}+(?:[\u4e00-\u9fff（）()/／、]{_SP}?){{1,15}}[:：]")


@dataclass(frozen=True)
class LabelMatch:
    """A label and its value. ``label`` is the label as passed in; ``value`` is stripped;
    ``start``/``end`` are the value's offsets and ``label_start``/``label_end`` the label's
    (including a ``（盖章）`` suffix), all into the searched text."""

    label: str
    value: str
    start: int
    end: int
    label_start: int
    label_end: int


@functools.lru_cache(maxsize=4096)
def label_pattern(label: str) -> str:
    """A regex for ``label`` tolerating whitespace between characters (also line breaks, as in
    rotated tables), full/half-width brackets and slashes, and no trailing colon."""
    parts = []
    for c in (label or "").strip().rstrip(":："):
        if c.isspace():
            continue
        if c in "（(":
            parts.append("[（(]")
        elif c in "）)":
            parts.append("[）)]")
        elif c in "/／":
            parts.append("[/／]")
        elif c in "、,，":
            parts.append("[、,，]")
        else:
            parts.append(re.escape(c))
    return r"\s{0,3}".join(parts)


def _compile(labels: Iterable[str]) -> Optional["re.Pattern[str]"]:
    return _compile_tuple(tuple(labels))


@functools.lru_cache(maxsize=512)
def _compile_tuple(labels: tuple) -> Optional["re.Pattern[str]"]:
    """The pattern of a set of labels, built once (every form field asks for its own, per page)."""
    pats = sorted({label_pattern(lbl) for lbl in labels if isinstance(lbl, str) and label_pattern(lbl)},
                  key=len, reverse=True)
    if not pats:
        return None
    return re.compile("(?P<label>" + "|".join(f"(?:{p})" for p in pats) + ")" + _SUFFIX + _SEP)


def _which(labels: Sequence[str], found: str) -> str:
    for lbl in sorted(labels, key=len, reverse=True):
        if isinstance(lbl, str) and label_pattern(lbl) and re.fullmatch(label_pattern(lbl), found):
            return lbl
    return found


def labelled_values(text: str, labels: Sequence[str], *, stop_labels: Sequence[str] = (),
                    standalone: bool = True) -> list[LabelMatch]:
    """Every occurrence of any of ``labels`` with its value, in text order.

    With ``standalone`` (default) a label directly preceded by a Chinese character is part of a
    longer label and ignored (``联系人`` does not match inside ``项目联系人``).

    The value ends at the line end, at the next occurrence of one of ``labels``/``stop_labels``,
    or at a following ``词语：`` on the same line. Returns a list of :class:`LabelMatch` (values
    may be ``""``).
    """
    if not isinstance(text, str) or not text or not labels:
        return []
    try:
        rx = _compile(labels)
        stop = _compile(list(labels) + list(stop_labels or ()))
    except re.error:
        return []
    if rx is None or stop is None:
        return []
    out: list[LabelMatch] = []
    for m in rx.finditer(text):
        if (standalone and m.start() > 0 and _CJK_CHAR.match(text[m.start() - 1])
                and _CJK_CHAR.match(text[m.start()])):
            continue
        vstart = m.end()
        line_end = text.find("\n", vstart)
        line_end = len(text) if line_end < 0 else line_end
        vend = line_end
        nl = _NEXT_LABEL.search(text, vstart, line_end)
        if nl:
            vend = min(vend, nl.start())
        ns = stop.search(text, vstart, line_end)
        if ns:
            vend = min(vend, ns.start())
        raw = text[vstart:vend]
        lead = len(raw) - len(raw.lstrip())
        value = raw.strip()
        s = vstart + lead
        out.append(LabelMatch(_which(labels, m.group("label")), value, s, s + len(value),
                              m.start(), m.start() + len(m.group(0).rstrip(" \t\u3000:：\r\n"))))
    return out


def labelled_value(text: str, labels: Sequence[str], *, stop_labels: Sequence[str] = (),
                   standalone: bool = True) -> Optional[LabelMatch]:
    """The first (leftmost) ``label：value`` for any of ``labels``, or ``None`` if no label
    occurs. See :func:`labelled_values`."""
    found = labelled_values(text, labels, stop_labels=stop_labels, standalone=standalone)
    return found[0] if found else None


_DATE_TEMPLATE = re.compile(r"[\d_\s]*年[\d_\s]*月(?:[\d_\s]*日)?")
_PLACEHOLDER = re.compile(r"[*＊…·.。_＿xX×\s]*")
_NOISE = re.compile(rf"[（(]?\s*{_NOISE_WORDS}\s*[)）]?|[_＿]+")


def is_blank_value(value: object) -> bool:
    """True if a field value has no real content: empty, underscores, ``（盖章）``-style noise,
    ``****``/``……``/``XXX`` placeholders, or an unfilled date template (``年 月 日``,
    ``2025年 月 日``). ``/`` and ``无`` count as content (explicit "not applicable")."""
    from .dates import find_year_month, parse_date

    t = _NOISE.sub("", as_text(value)).strip()
    if not t:
        return True
    if _PLACEHOLDER.fullmatch(t):
        return True
    if re.fullmatch(r"\d{0,3}\s*年度?", t):
        return True  # "20  年度"
    if _DATE_TEMPLATE.fullmatch(t):
        if "日" in t:
            return parse_date(t) is None
        return not find_year_month(t)
    return False


def _centre_y(b) -> float:
    return (b[1] + b[3]) / 2


def _same_row(a, b) -> bool:
    """Vertical overlap of at least half the smaller height, or b's centre inside a."""
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    h = max(min(a[3] - a[1], b[3] - b[1]), 1e-9)
    return overlap >= 0.5 * h or a[1] <= _centre_y(b) <= a[3]


def field_filled(source: Union[str, Sequence[object]], label: str) -> Optional[bool]:
    """Whether the form field after ``label`` has content; ``None`` when the label is absent.

    ``source`` is text, or a list of :class:`~shenbao.model.Line` (OCR / text-layer lines with a
    ``bbox``). For lines, when nothing follows the label on its own line, the nearest line to the
    right on the same row is taken as the field's cell (unless it is itself another label).
    """
    if isinstance(source, str):
        lm = labelled_value(source, [label])
        return None if lm is None else not is_blank_value(lm.value)
    if not isinstance(source, (list, tuple)):
        return None
    try:
        rx = re.compile(label_pattern(label))
    except re.error:
        return None
    if not label_pattern(label):
        return None
    result: Optional[bool] = None
    for line in source:
        text = as_text(getattr(line, "text", None))
        bbox = getattr(line, "bbox", None)
        lm = labelled_value(text, [label]) if text else None
        if lm is None:
            m = rx.search(text) if text else None
            if m and not (m.start() > 0 and _CJK_CHAR.match(text[m.start() - 1])):
                # label glued to the value without a separator: the value is the rest
                rest = text[m.end():]
                if not is_blank_value(re.sub(rf"^{_SUFFIX}", "", rest).lstrip(":： ")):
                    return True
                result = False
            continue
        if not is_blank_value(lm.value):
            return True
        result = False
        if not bbox or len(bbox) != 4:
            continue
        right = [o for o in source if o is not line and getattr(o, "bbox", None)
                 and len(o.bbox) == 4 and _same_row(bbox, o.bbox) and o.bbox[0] >= bbox[2] - 0.005]
        right.sort(key=lambda o: o.bbox[0])
        if right:
            cell = as_text(right[0].text).strip()
            if re.fullmatch(r"(?:[\u4e00-\u9fff（）()/／、]\s?){1,15}[:：]", cell):
                continue  # the next thing on the row is another label
            from .form_cells import next_label, wrapped_label

            if wrapped_label(right[0], source):
                continue  # … or another label wrapping in its cell
            if next_label(right):  # the row's next label: the value may sit under this one
                from .form_cells import value_below

                below = value_below(bbox, [line], [o for o in source if getattr(o, "bbox", None) and len(o.bbox) == 4])
                if below is not None and not is_blank_value(as_text(below.text)):
                    return True
                continue
            if not is_blank_value(cell):
                return True
    if result is not True:
        # A label that wraps inside its cell (“区间付款金额” over “（万元）”, “企业（单位）名” over “称”):
        # its value is centred on the whole cell, level with neither line of the label.
        from .form_cells import cell_filled, find_cell

        found = find_cell([l for l in source if hasattr(l, "bbox")], rx, label)
        if found is not None:
            return True if cell_filled(found) else False
    return result


# -- page geometry: rows and cells ---------------------------------------------------------------
# Text layers and OCR cut a form row into many pieces (“名” “称:” “个人” … “密码区” garbage far to
# the right). ``page_cells`` groups the pieces of a page into rows and joins neighbours on a row
# into cells: pieces close together, or a label printed with its characters spread apart
# (“名      称”, “住      所”) and what follows it. A cell is what a reader sees as one field.

@dataclass
class Cell:
    """Pieces of one row that belong together: ``text`` joined with spaces, ``bbox`` their union
    (page fractions), ``confidence`` the lowest of theirs, ``row`` the row's index on the page."""

    text: str
    bbox: tuple
    confidence: float
    row: int
    pieces: tuple = ()


def _union(boxes) -> tuple:
    boxes = list(boxes)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def page_rows(lines: Sequence[object]) -> list[list[object]]:
    """Lines grouped into rows (top to bottom), each row sorted left to right. A line joins a row
    when it is level with the row's first line (see ``_same_row``), or, when that first line is a
    lone character (a digit cut by a photo's edge, one character of a label spread down a column,
    often half a line off), with every longer line of the row."""
    items = [l for l in lines if getattr(l, "bbox", None) and len(l.bbox) == 4 and as_text(getattr(l, "text", "")).strip()]
    items.sort(key=lambda l: (l.bbox[1] + l.bbox[3]) / 2)
    rows: list[list[object]] = []
    anchors: list[tuple] = []
    for line in items:
        for i in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            a = anchors[i]
            if _level(a, line.bbox) or _level_with_longer(rows[i], line.bbox):
                rows[i].append(line)
                break
        else:
            rows.append([line])
            anchors.append(line.bbox)
    return [sorted(r, key=lambda l: l.bbox[0]) for r in rows]


def _level(a, b) -> bool:
    return _same_row(a, b) and _same_row(b, a)


def _level_with_longer(row: Sequence[object], b) -> bool:
    """Whether ``b`` is level with every line of two characters or more of ``row`` (one at least),
    when the row's first line is a lone character."""
    if len(re.sub(r"\s", "", as_text(getattr(row[0], "text", "")))) > 1:
        return False
    longer = [l for l in row[1:] if len(re.sub(r"\s", "", as_text(getattr(l, "text", "")))) > 1]
    return bool(longer) and all(_level(l.bbox, b) for l in longer)


def _label_prefix(text: str, labels: Sequence[str]) -> bool:
    """Whether ``text`` (squashed) is the opening characters of one of ``labels`` but not all of it."""
    t = re.sub(r"\s+", "", text).rstrip(":：")
    return bool(t) and any(len(t) < len(re.sub(r"\s+", "", l)) and re.sub(r"\s+", "", l).startswith(t) for l in labels)


def page_cells(lines: Sequence[object], *, width: float = 1.0, height: float = 1.0,
               labels: Sequence[str] = (), gap: float = 1.2) -> list[Cell]:
    """The page's cells in reading order (rows top to bottom, cells left to right).

    Neighbouring pieces of a row join when the space between them is under ``gap`` times the text
    height, or when the left piece is the start of one of ``labels`` (a label spread across its
    column: “名” … “称:”). ``width``/``height`` are the page size, so gaps compare in page units."""
    width = width if isinstance(width, (int, float)) and width > 0 else 1.0
    height = height if isinstance(height, (int, float)) and height > 0 else 1.0
    out: list[Cell] = []
    for r, row in enumerate(page_rows(lines)):
        groups: list[list[object]] = []
        for line in row:
            if groups:
                prev = groups[-1]
                right = max(p.bbox[2] for p in prev)
                h = min(min(p.bbox[3] - p.bbox[1] for p in prev), line.bbox[3] - line.bbox[1]) * height
                space = (line.bbox[0] - right) * width
                joined = " ".join(as_text(p.text) for p in prev)
                if space <= gap * max(h, 1e-9) or (
                        _label_prefix(joined, labels) and space <= 12 * max(h, 1e-9)):
                    prev.append(line)
                    continue
            groups.append([line])
        for g in groups:
            out.append(Cell(" ".join(as_text(p.text).strip() for p in g), _union(p.bbox for p in g),
                            min(float(getattr(p, "confidence", 1.0)) for p in g), r, tuple(g)))
    return out
