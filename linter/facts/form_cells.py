"""Form labels read from the geometry of a page's lines, where the text alone loses them.

A form prints its labels in narrow cells, and a long label wraps inside its cell: “企业（单位）名” over
“称”, “统一社会信用” over “代码”, “区间付款金额” over “（万元）”. The value sits to the right, centred on
the whole cell, so it is level with neither line of the label. In reading order the fragments are
interleaved with the values of the row, and ``label：value`` parsing of the text finds no label, or a
label with nothing after it. Here a label is matched on a line joined with the fragments stacked
under it, and its value is the nearest line to the right within the height of the whole cell.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from ..model import BBox, Line
from ._text import as_text

# A fragment that continues a label: a few characters of words or a bracketed unit, no digits of a value.
_FRAGMENT = re.compile(r"^[\u4e00-\u9fff（）()、/／:：\s]{1,8}$")
# How far below a line its continuation may start, in heights of that line.
MAX_GAP = 0.9
# A line that is itself a label: words then a colon, or a bracketed unit alone.
_LABEL_ONLY = re.compile(r"^(?:[\u4e00-\u9fff（）()/／、]\s?){1,15}[:：]$")
_SP = re.compile(r"\s+")


@dataclass(frozen=True)
class CellValue:
    """A label found in a cell, what follows it inside the cell, and the value beside the cell."""

    label: str
    cell: BBox  # the label's whole cell (all its lines)
    inside: str  # text after the label within the cell's own lines ("" when none)
    value: Optional[Line]  # the nearest line to the right within the cell's height, if any


def _height(b: BBox) -> float:
    return max(b[3] - b[1], 1e-6)


def _union(boxes: Sequence[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _continuation(line: Line, lines: Sequence[Line]) -> Optional[Line]:
    """The fragment stacked right under ``line`` in its cell, if any."""
    b = line.bbox
    best: Optional[Line] = None
    for o in lines:
        if o is line or not o.bbox or len(o.bbox) != 4:
            continue
        ob = o.bbox
        gap = ob[1] - b[3]
        if gap < -0.5 * _height(b) or gap > MAX_GAP * _height(b):
            continue
        cx = (ob[0] + ob[2]) / 2
        if not (b[0] - 0.01 <= cx <= b[2] + 0.01):
            continue
        if not _FRAGMENT.match(as_text(o.text).strip()):
            continue
        if best is None or ob[1] < best.bbox[1]:
            best = o
    return best


def _stack(line: Line, lines: Sequence[Line], depth: int = 3) -> list[Line]:
    """``line`` and up to ``depth`` fragments stacked under it."""
    out = [line]
    while len(out) <= depth:
        nxt = _continuation(out[-1], lines)
        if nxt is None or nxt in out:
            break
        out.append(nxt)
    return out


def _label_heads(label: str) -> tuple[str, ...]:
    """The characters a line holding the start of ``label`` must contain (its first character,
    either bracket for a bracket: see ``labels.label_pattern``); ``()`` when any line may."""
    c = next((ch for ch in (label or "").strip() if not ch.isspace()), "")
    groups = ("（(", "）)", "/／", "、,，")
    for g in groups:
        if c in g:
            return tuple(g)
    return (c,) if c else ()


def find_cell(lines: Sequence[Line], label_rx: "re.Pattern[str]", label: str) -> Optional[CellValue]:
    """The first cell whose text (a line, or a line with the fragments under it) holds the label.

    The label must start on the cell's first line and, where it runs on, end in a fragment: a line
    merely containing the label's last characters does not count."""
    usable = [l for l in lines if getattr(l, "bbox", None) and len(l.bbox) == 4 and as_text(l.text).strip()]
    heads = _label_heads(label)
    for line in usable:
        first = _SP.sub("", as_text(line.text))
        if heads and not any(h in first for h in heads):
            continue  # the label starts on a cell's first line: not here (and no stack to build)
        stack = _stack(line, usable)
        for n in range(1, len(stack) + 1):
            joined = "".join(_SP.sub("", as_text(l.text)) for l in stack[:n])
            m = label_rx.search(joined)
            if not m or m.start() >= len(first):
                continue
            if m.start() > 0 and re.match(r"[\u4e00-\u9fff]", joined[m.start() - 1]):
                continue  # part of a longer label (联系人 inside 项目联系人)
            # the cell goes on below the label (a unit: “（万元）”)
            used = stack[:n] + [l for l in stack[n:] if _FRAGMENT.match(as_text(l.text).strip())]
            cell = _union([l.bbox for l in used])
            inside = joined[m.end():]
            return CellValue(label, cell, inside, _beside(cell, used, usable))
    return None


# What the label of a form cell ends in: a line that wraps into such words is the next label, not a value.
_LABEL_WORDS = re.compile(r"(文号|名称|日期|时间|金额|代码|人数|类型|类别|性质|情况|意见|规模|产业链|联系人|联系方式|"
                          r"负责人|代表|职务|电话|地址|[（(]或[^）)]*[）)]?|[（(]万元[）)]|[（(]盖章[）)])$")


def _beside(cell: BBox, used: Sequence[Line], lines: Sequence[Line]) -> Optional[Line]:
    """The nearest line to the right of the cell whose centre lies within the cell's height; ``None``
    when the nearest is the next cell's label (the field between them is empty)."""
    tol = 0.25 * min(_height(l.bbox) for l in used)
    right = [o for o in lines if o not in used and o.bbox[0] >= cell[2] - 0.005
             and cell[1] - tol <= (o.bbox[1] + o.bbox[3]) / 2 <= cell[3] + tol]
    right.sort(key=lambda o: o.bbox[0])
    if not right:
        return None
    if wrapped_label(right[0], lines):
        return None
    if next_label(right):
        # a row of labels over a row of values (“企业（单位）名称 | 企业（单位）性质 …” above the values):
        # the field's value is under its label, not beside it
        return value_below(cell, used, lines)
    return right[0]


def value_below(cell: BBox, used: Sequence[Line], lines: Sequence[Line]) -> Optional[Line]:
    """The line right under a label's cell, in its column (its centre within the cell's width, its top
    within two line heights), when it is no label itself: the value of a header-row form."""
    hgt = min(_height(l.bbox) for l in used)
    below = [o for o in lines if o not in used and o.bbox[1] >= cell[3] - 0.2 * hgt and o.bbox[1] - cell[3] <= 2.2 * hgt
             and cell[0] - 0.02 <= (o.bbox[0] + o.bbox[2]) / 2 <= cell[2] + 0.02]
    below.sort(key=lambda o: o.bbox[1])
    if not below:
        return None
    return None if _labelish(as_text(below[0].text)) else below[0]


def _labelish(text: str) -> bool:
    """A line that opens with a label: “推荐单位（盖章）：…”, “信息化负责人 孔桂”, “联系电话”."""
    words = text.split()
    if not words:
        return False
    head = re.split(r"[:：]", words[0])[0]
    if re.search(r"[:：]", words[0]) and re.fullmatch(r"[\u4e00-\u9fff（）()/／、]{2,12}", head):
        return True
    return bool(_BARE_LABEL.match(head) and _LABEL_WORDS.search(head))


_BARE_LABEL = re.compile(r"^[\u4e00-\u9fff（）()/／、]{2,8}$")


def next_label(right: Sequence[Line]) -> bool:
    """Whether the nearest line to the right of an empty cell is the row's next label, not a value:
    a few words ending as labels end (“联系电话”), themselves followed by a value on the row. A form
    printed as a table gives its labels no colon (“法人代表 | | 联系电话 | 152…”); a value at the end
    of its row that happens to end in such a word (“经营情况”) has nothing beside it. A line holding
    such a label and then digits (“统一社会信用代码 9115…”) is the next field too."""
    words = as_text(right[0].text).split()
    if len(words) >= 2:  # “统一社会信用代码 9115…”: the next label with its value in one line
        return bool(_BARE_LABEL.match(words[0]) and _LABEL_WORDS.search(words[0]) and re.search(r"\d", words[1]))
    if len(right) < 2:
        return False
    text = _SP.sub("", as_text(right[0].text))
    return bool(_BARE_LABEL.match(text) and _LABEL_WORDS.search(text))


def wrapped_label(line: Line, lines: Sequence[Line]) -> bool:
    """Whether ``line`` opens a label that wraps in its cell (“环评审批文” over “号（或证” over “明）”):
    words without digits, continued below, ending as labels end."""
    stack = _stack(line, [l for l in lines if getattr(l, "bbox", None) and len(l.bbox) == 4])
    if len(stack) < 2 or re.search(r"\d", "".join(as_text(l.text) for l in stack)):
        return False
    return bool(_LABEL_WORDS.search("".join(_SP.sub("", as_text(l.text)) for l in stack)))


_BRACKETED = re.compile(r"[（(][^（()）]{0,8}[)）]")


def cell_filled(found: CellValue) -> bool:
    """Whether the cell holds a value after its label, or has one beside it. A unit in brackets
    (“（万元）”) is part of the label's cell, not a value."""
    from .labels import is_blank_value

    inside = _BRACKETED.sub("", found.inside).lstrip(":：")
    if inside and not is_blank_value(inside):
        return True
    v = found.value
    return v is not None and not is_label_only(v.text) and not is_blank_value(v.text)


def is_label_only(text: str) -> bool:
    """Whether a cell's text is itself a label (``词语：``): the next field, not a value."""
    return bool(_LABEL_ONLY.match(as_text(text).strip()))


def cell_value(lines: Sequence[Line], labels: Sequence[str]) -> Optional[tuple[str, str, Optional[BBox]]]:
    """``(label, value, value box)`` of the first of ``labels`` found as a form cell with a value
    in it or beside it; ``None`` when none is found or its field is empty."""
    from .labels import is_blank_value, label_pattern

    for label in labels:
        try:
            rx = re.compile(label_pattern(label))
        except re.error:
            continue
        found = find_cell(lines, rx, label)
        if found is None:
            continue
        inside = _BRACKETED.sub("", found.inside).lstrip(":：")
        if inside and not is_blank_value(inside):
            return label, inside, found.cell
        v = found.value
        if v is not None and not is_label_only(v.text) and not is_blank_value(v.text):
            return label, as_text(v.text).strip(), v.bbox
    return None
