"""Which material is each file, or each page range of a combined PDF?

Content first: a page's title zone (its first lines) matched against each kind's title patterns is
the strongest signal, then the share of the kind's keywords found on the page, then the file and
folder names. A multi-page PDF is cut into segments where a page carries a strong title of another
kind, and at coloured separator pages (彩页). Every file ends up in a segment: classified, or with
``material=None`` (unrecognised), so the report accounts for everything.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Optional

from .check import Material, Program
from .model import Document, Page, Segment

TITLE_WEIGHT = 3.0
KEYWORD_WEIGHT = 2.0
FILENAME_WEIGHT = 1.0
MIN_SCORE = 1.2  # below this a page is not confidently any kind
STRONG_TITLE = TITLE_WEIGHT  # a title hit: may start a new segment
TITLE_ZONE_LINES = 8
SEPARATOR_MAX_CHARS = 40
SEPARATOR_MIN_COLOUR = 0.35

_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """NFKC and no whitespace: “项 目 名 称” and “项目名称” match alike."""
    return _WS.sub("", unicodedata.normalize("NFKC", text or ""))


@dataclass
class KindSpec:
    kind: str
    title: str
    titles: list[re.Pattern]
    keywords: list[str]
    filenames: list[re.Pattern]
    facts: list[str] = field(default_factory=list)  # fact readers run on its pages
    # kinds whose titled pages inside a document of this kind belong to it (an audit report's own
    # 目录 and statements; the 审计报告 page of a 专项审计报告)
    continued_by: list[str] = field(default_factory=list)


def compile_kinds(kind_dicts: list[dict]) -> dict[str, KindSpec]:
    out: dict[str, KindSpec] = {}
    for d in kind_dicts:
        spec = out.get(d["kind"])
        # Patterns match squashed (NFKC, no whitespace) text: write ASCII brackets, \\( \\).
        titles = [re.compile(t.replace(" ", "")) for t in d.get("titles", [])]
        keywords = [squash(k) for k in d.get("keywords", [])]
        filenames = [re.compile(f, re.I) for f in d.get("filenames", [])]
        facts = list(d.get("facts", []))
        continued_by = list(d.get("continued_by", []))
        if spec is None:
            out[d["kind"]] = KindSpec(d["kind"], d.get("title", d["kind"]), titles, keywords, filenames, facts,
                                      continued_by)
        else:  # a plugin extends a kind: its patterns and fact readers are added
            spec.titles += titles
            spec.keywords += keywords
            spec.filenames += filenames
            spec.facts += [f for f in facts if f not in spec.facts]
            spec.continued_by += [k for k in continued_by if k not in spec.continued_by]
    return out


def title_zone(page: Page) -> list[str]:
    """The first non-trivial rows of a page, squashed: where a document's title sits. Rows come from
    the page text (reading order), not from OCR boxes, which are often single words."""
    lines = [squash(t) for t in page.text.splitlines()]
    lines = [l for l in lines if len(l) >= 2 and not _browser_chrome(l)]
    # Browser screenshots put chrome (tabs, URL bar) above the page title; a few more lines.
    return lines[:TITLE_ZONE_LINES]


def _browser_chrome(row: str) -> bool:
    """A screenshot's tab bar (“信用中国 × 国家企业信用信息公示系统 ×”, naming other open tabs) or
    address bar: never the document's title."""
    return "×" in row or "http" in row.lower() or "www." in row.lower()


def is_separator(page: Page) -> bool:
    """A 彩页 between parts: nearly no text, and coloured paper or only a part title on it."""
    text = squash(page.text)
    if len(text) > SEPARATOR_MAX_CHARS:
        return False
    return page.colour_ratio >= SEPARATOR_MIN_COLOUR or bool(SEPARATOR_TITLE.match(text))


# A sentence, not a heading: it mentions another document (“详见区间有效投资发票清单。”) or holds a
# label and its value (“项目名称：XX发票清单系统”). Headings carry none of this punctuation.
_SENTENCE_MARKS = re.compile(r"[。，,；;！!？?]|(详见|参见|见附件|附后|如下|以下|所示|按照|根据|依据)")
_LABEL_VALUE = re.compile(r"[:：].{2,}")
_CLOCK = re.compile(r"[0-9]{1,2}[:：][0-9]{2}(?:[:：][0-9]{2})?(?![0-9])")
_FIRST_LABEL = re.compile(r"[\u4e00-\u9fff]{2,6}[:：]")
TITLE_MAX_CHARS = 40
_ANNEX_PREFIX = re.compile(r"^附件[0-9一二三四五六七八九十\-－—.]*[:：]?")


def title_shaped(line: str) -> bool:
    """Whether a title-zone row can be a document's title: short, and neither a sentence nor a
    ``label：value`` row. A body sentence that names another material must not start that material
    (a 项目建设情况 page saying “详见区间有效投资发票清单” is no 发票清单)."""
    line = _ANNEX_PREFIX.sub("", line)  # “附件1-7：区间有效投资发票清单” is a title
    # a clock time is no label's colon (a browser's print header: “2025/8/7 13:15  严重违法失信名单查询”)
    line = _CLOCK.sub(" ", line)
    if len(line) > TITLE_MAX_CHARS or _SENTENCE_MARKS.search(line):
        return False
    if not _LABEL_VALUE.search(line):
        return True
    # a title sharing its row with the first label (“河南增值税电子普通发票 发票代码：0410…”): the
    # words before that label are the title; a row that opens with its label (项目名称：…) has none
    head = _FIRST_LABEL.split(line, maxsplit=1)[0]
    return len(head) >= 4 and not _LABEL_VALUE.search(head)


@dataclass
class PageScore:
    scores: dict[str, float]
    title_kind: Optional[str]  # kind whose title matched in the title zone

    def best(self) -> tuple[Optional[str], float, Optional[str], float]:
        ranked = sorted(self.scores.items(), key=lambda kv: (-kv[1], kv[0]))
        first = ranked[0] if ranked else (None, 0.0)
        second = ranked[1] if len(ranked) > 1 else (None, 0.0)
        return first[0], first[1], second[0], second[1]


def score_page(page: Page, path: str, kinds: dict[str, KindSpec], use_filename: bool) -> PageScore:
    body = squash(page.text)
    zone = title_zone(page)
    scores: dict[str, float] = {}
    title_at: dict[str, int] = {}  # kind -> the title-zone row its title matched
    for spec in kinds.values():
        s = 0.0
        for pos, line in enumerate(zone):
            if not title_shaped(line):
                continue
            if any(p.search(line) for p in spec.titles):
                s += TITLE_WEIGHT * (1.0 if pos < 3 else 0.8)
                title_at[spec.kind] = pos
                break
        if spec.keywords:
            found = sum(1 for k in spec.keywords if k and k in body)
            s += KEYWORD_WEIGHT * min(1.0, found / max(3, len(spec.keywords) * 0.6))
        if use_filename and any(p.search(path) for p in spec.filenames):
            s += FILENAME_WEIGHT
        if s > 0:
            scores[spec.kind] = round(s, 3)
    # the highest title wins; of titles on one row (“固定资产借款合同” is a 合同 and a 借款合同), the
    # kind whose words the page also carries
    title_kind = min(title_at, key=lambda k: (title_at[k], -scores.get(k, 0.0), k)) if title_at else None
    return PageScore(scores, title_kind)


def _candidates(kind: Optional[str], program: Program):
    return [m for m in program.materials if kind is not None and (m.kind == kind or kind in m.recognise.get("accepts", []))]


def _by_period(candidates, zone: str) -> Optional[str]:
    """The material whose ``must_match`` pattern matches first in the title zone (the 2024 vs the
    2025-06 statements): a June balance sheet prints the 2024 year-end as its comparative column."""
    first: tuple[int, Optional[str]] = (len(zone) + 1, None)
    for m in candidates:
        for p in m.recognise.get("must_match") or []:
            hit = re.search(p, zone)
            if hit and hit.start() < first[0]:  # the period named first (the heading's) wins
                first = (hit.start(), m.id)
    return first[1]


def _zone_text(pages: list[Page]) -> str:
    return "".join("".join(title_zone(p)[:3]) for p in pages)


def _material_for(kind: Optional[str], zone: str, program: Program) -> tuple[Optional[str], str]:
    """Map a kind to the program's material, telling materials of one kind apart by period."""
    candidates = _candidates(kind, program)
    if not candidates:
        return None, (f"kind {kind} is not a material of this program" if kind else "")
    if len(candidates) == 1:
        return candidates[0].id, ""
    period = _by_period(candidates, zone)
    return (period, "period") if period else (candidates[0].id, "first of several")


def classify_document(doc: Document, program: Program, kinds: dict[str, KindSpec]) -> list[Segment]:
    """Cut a document into classified segments (usually one)."""
    if not doc.readable or not doc.pages:
        return [Segment(doc.path, 0, 0, None, reason=doc.error_en or "no content")]
    scored = [score_page(p, doc.path, kinds, use_filename=len(doc.pages) <= 3) for p in doc.pages]
    if len(doc.pages) == 1:
        return [_make_segment(doc, 1, 1, scored[0], program)]
    return _segment_pages(doc, scored, program, kinds)


def _combine(scored: list[PageScore]) -> PageScore:
    total: dict[str, float] = {}
    for s in scored:
        for k, v in s.scores.items():
            total[k] = max(total.get(k, 0.0), v)
    return PageScore(total, scored[0].title_kind if scored else None)


def _make_segment(doc: Document, first: int, last: int, score: PageScore, program: Program) -> Segment:
    kind, best, runner, runner_score = score.best()
    zone = _zone_text(doc.pages[first - 1:last])
    if kind is None or best < MIN_SCORE:
        return Segment(doc.path, first, last, None, best, _material_for(kind, zone, program)[0], best, reason="low score")
    material, why = _material_for(kind, zone, program)
    runner_material = _material_for(runner, zone, program)[0] if runner else None
    reason = f"kind={kind}" + (" title" if score.title_kind == kind else " keywords") + (f" ({why})" if why else "")
    return Segment(doc.path, first, last, material, min(1.0, best / (TITLE_WEIGHT + KEYWORD_WEIGHT)),
                   runner_material, min(1.0, runner_score / (TITLE_WEIGHT + KEYWORD_WEIGHT)), reason,
                   kinds=(kind,) if material else ())


def _segment_pages(doc: Document, scored: list[PageScore], program: Program, kinds) -> list[Segment]:
    segments: list[Segment] = []
    start: Optional[int] = None
    cur_kind: Optional[str] = None  # the kind whose title opened the current segment, if any
    cur_scores: list[PageScore] = []
    notes_seen = False
    cur_period: Optional[str] = None  # the material a must_match pattern tied the segment to

    def close(end: int) -> None:
        nonlocal start, cur_scores
        if start is None:
            return
        combined = _combine(cur_scores)
        if cur_kind is not None:  # the opening title decides the whole range: it outranks what its
            # later pages look like (an audit report's own balance sheet scores higher than its cover)
            rest = [v for k, v in combined.scores.items() if k != cur_kind]
            combined.scores[cur_kind] = max(combined.scores.get(cur_kind, 0.0), STRONG_TITLE + KEYWORD_WEIGHT / 2,
                                            max(rest, default=0.0) + 0.001)
            combined.title_kind = cur_kind
        seg = _make_segment(doc, start, end, combined, program)
        if cur_kind is not None and seg.material is not None:
            # the runner-up of a range its title opened is what its opening page could also be, not
            # the best of its later pages (an audit report's own statements are no rival to it)
            rivals = {k: v for k, v in cur_scores[0].scores.items() if k != cur_kind}
            runner = max(rivals, key=lambda k: (rivals[k], k)) if rivals else None
            seg.runner_up = _material_for(runner, _zone_text(doc.pages[start - 1:start]), program)[0] if runner else None
            seg.runner_up_score = min(1.0, rivals[runner] / (TITLE_WEIGHT + KEYWORD_WEIGHT)) if runner else 0.0
        segments.append(seg)
        start, cur_scores = None, []

    for i, (page, sc) in enumerate(zip(doc.pages, scored), start=1):
        if is_separator(page):
            close(i - 1)
            segments.append(Segment(doc.path, i, i, None, 1.0, reason="separator"))
            cur_kind, notes_seen = None, False
            continue
        zone = "".join(title_zone(page))
        new_kind = sc.title_kind
        continued_by = kinds[cur_kind].continued_by if cur_kind in kinds else ()
        if continued_by:
            # The pages a kind is continued by (kinds.yaml: an audit report's own 目录 and statements)
            # belong to it, until its notes (附注) have passed or a page says it is a separate set of
            # 会计报表. The report's 目录 is not the package's.
            if new_kind in continued_by and not notes_seen and "会计报表" not in zone:
                new_kind = None
            if any("附注" in row for row in title_zone(page)[:2]):  # the notes' own title, not a mention
                notes_seen = True
        if new_kind is None and _generic_title(page):
            # “证 明”, “情况说明”: a new document whose kind its words tell
            kind, score, _, _ = sc.best()
            if kind is not None and score >= MIN_SCORE and kind != cur_kind:
                new_kind = kind
        period = _specific_material(new_kind or cur_kind, page, program)
        if start is None or (new_kind is not None and new_kind != cur_kind) or (
                period is not None and cur_period is not None and period != cur_period):
            close(i - 1)
            start, cur_kind, notes_seen, cur_period = i, new_kind or cur_kind, False, None
        if period is not None and cur_period is None:
            cur_period = period
        cur_scores.append(sc)
    close(len(doc.pages))
    return _merge_same_material(segments)


GENERIC_TITLES = re.compile(r"^(证明|说明|情况说明|证明材料|函|报告)$")
SEPARATOR_TITLE = re.compile(r"^第[一二三四五六七八九十0-9]+部分")


def _generic_title(page: Page) -> bool:
    """The page opens with “证明”, “说明” …: on its first line, or under a letterhead
    (国家税务总局渑池县税务局 / 证明)."""
    return any(GENERIC_TITLES.match(row) for row in title_zone(page)[:2])


def _specific_material(kind: Optional[str], page: Page, program: Program) -> Optional[str]:
    """For a kind several materials share, the one this page's period names (else None)."""
    candidates = [m for m in _candidates(kind, program) if m.recognise.get("must_match")]
    return _by_period(candidates, _zone_text([page])) if len(candidates) >= 2 else None


def _merge_same_material(segments: list[Segment]) -> list[Segment]:
    """Adjacent segments of one material (contract, invoice, receipt … all 资金证明材料) are one."""
    out: list[Segment] = []
    for s in segments:
        if out and s.material is not None and out[-1].material == s.material and out[-1].last_page == s.first_page - 1:
            prev = out[-1]
            out[-1] = Segment(prev.path, prev.first_page, s.last_page, prev.material, max(prev.score, s.score),
                              prev.runner_up, prev.runner_up_score, prev.reason,
                              kinds=prev.kinds + tuple(k for k in s.kinds if k not in prev.kinds))
        else:
            out.append(s)
    return out


def classify_package(docs: list[Document], program: Program, kinds: dict[str, KindSpec]) -> list[Segment]:
    segments: list[Segment] = []
    for doc in docs:
        segments.extend(classify_document(doc, program, kinds))
    return segments
