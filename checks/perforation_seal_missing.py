from __future__ import annotations

from statistics import median

from shenbao.check import Check

# A bound volume: a PDF holding at least this many pages and this many materials, that is the package
# (or a 册 of it: it opens with the cover or 目录, or holds most of what the package has).
MIN_VOLUME_PAGES = 3
MIN_VOLUME_MATERIALS = 3
# Pages this much smaller or larger than the volume's usual page (an invoice or receipt bound in at its
# own size) may not reach the fanned edge where the 骑缝章 is stamped.
ODD_SIZE = 0.12


class PerforationSealMissing(Check):
    """检查内容：装订成册的合订 PDF（一个文件中含多项材料）是否每页都有骑缝章——在页面右侧（或左侧）
    边缘被裁开的一段印章，各页高度大致一致。整册都没有骑缝章时报告一次；部分页面缺少时报告缺少的页码范围。
    每项材料单独成文件的申报包不检查此项。

    为何重要：通知要求申报材料“按顺序装订成册（加盖骑缝章）”，骑缝章证明装订后未被抽换页面。

    如何修复：装订后在书册侧边加盖骑缝章（页数多时分段加盖，保证每页都有印迹），再整册扫描。
    """

    rule = "perforation-seal-missing"
    title = "缺少骑缝章"
    title_en = "Perforation seal missing"
    severity = "error"
    doc_en = """What it checks: a bound volume (one PDF holding several materials) carries a perforation
seal (骑缝章) on every page: a slice of a seal cut by the right (or left) page edge, at about the same
height from page to page. No slice on any page is reported once; pages without one are reported as
page ranges. Packages with one file per material are not checked for it.

Why: the notice requires the package to be bound in order 加盖骑缝章, which shows no page was
swapped after binding.

How to fix: after binding, stamp across the fanned edge of the volume (several times for a thick
volume so every page carries a slice), then scan the whole volume."""

    def run(self, ctx, params):
        if not ctx.program.params.get("binding", {}).get("perforation_seal"):
            return
        for path, doc in sorted(ctx.documents.items()):
            if doc.kind != "pdf" or len(doc.pages) < MIN_VOLUME_PAGES:
                continue
            if not _bound_volume(ctx, path):
                continue  # a split package: one file per material (or a few), the volume is not here
            pages = [p for p in doc.pages if p.visual]
            if len(pages) < MIN_VOLUME_PAGES:
                continue
            with_slice = {p.number for p in pages if any(s.edge in ("left", "right") for s in p.seals)}
            if not with_slice:
                if _electronic(pages):
                    yield ctx.finding(
                        self, params,
                        "合订文件未见骑缝章。该文件为电子文档（非扫描件）：若提交纸质材料，装订成册后须加盖骑缝章；"
                        "若需上传扫描件，请扫描加盖骑缝章后的纸质册。",
                        "The bound volume shows no perforation seal. It is an electronic document (not a scan): the "
                        "paper volume must carry one, and an uploaded copy should be a scan of the stamped volume.",
                        path=path, page=None, material=None, severity="warning",
                        confidence=min(p.confidence for p in pages),
                        fix="提交纸质材料时装订成册并加盖骑缝章；如要求上传扫描件，请扫描盖章后的纸质册。",
                        fix_en="Stamp the bound paper volume; upload a scan of it if a scan is asked for.",
                    )
                    continue
                yield ctx.finding(
                    self, params,
                    f"合订文件共 {len(doc.pages)} 页，未发现骑缝章（页面侧边的半枚印章）。",
                    f"The bound volume ({len(doc.pages)} pages) shows no perforation seal (seal slices at the page edge).",
                    path=path, page=None, material=None, confidence=min(p.confidence for p in pages),
                    fix="装订成册后在侧边加盖骑缝章，再整册扫描。",
                    fix_en="Stamp a perforation seal across the edge of the bound volume, then scan it again.",
                )
                continue
            slices = {p.number: [s for s in p.seals if s.edge in ("left", "right")] for p in pages}
            heights = [(s.bbox[1] + s.bbox[3]) / 2 for p in pages for s in slices[p.number]]
            evidence = f"{len(with_slice)}/{len(pages)} 页有骑缝章，印迹中心高度约为页面的 {median(heights):.0%}"
            by_number = {p.number: p for p in pages}
            without = [p for p in pages if p.number not in with_slice]
            odd = [p for p in without if _odd_size(p, pages)]
            if odd:
                numbers = "、".join(str(p.number) for p in odd)
                yield ctx.finding(
                    self, params,
                    f"第 {numbers} 页未见骑缝章；这些页面与册内其他页面尺寸不同（如发票、回单按原尺寸装订），"
                    "骑缝章可能未盖到或未被识别，请人工核对。",
                    f"No perforation seal slice seen on page(s) {', '.join(str(p.number) for p in odd)}; they differ in "
                    "size from the rest of the volume (an invoice or receipt bound at its own size), so check by eye.",
                    path=path, page=odd[0].number, bbox=_expected_slice(slices, odd[0].number, odd[0].number),
                    evidence=evidence, uncertain=True, confidence=0.5,
                    fix="确认这些页面装订在册内并加盖了骑缝章。",
                    fix_en="Make sure these pages are bound in the volume and carry the perforation seal.",
                )
            for first, last in _runs(sorted(p.number for p in without if p not in odd)):
                span = f"第 {first} 页" if first == last else f"第 {first}–{last} 页"
                span_en = f"page {first}" if first == last else f"pages {first}-{last}"
                yield ctx.finding(
                    self, params,
                    f"{span}缺少骑缝章（其余页面有）。",
                    f"{span_en} {'has' if first == last else 'have'} no perforation seal slice (the other pages do).",
                    path=path, page=first, bbox=_expected_slice(slices, first, last), evidence=evidence,
                    confidence=min(by_number[n].confidence for n in range(first, last + 1) if n in by_number),
                    fix="确认这些页面已装订在册内并补盖骑缝章；如为后来插入的页面，请重新装订后加盖。",
                    fix_en="Make sure these pages are bound in the volume and stamp the perforation seal across them.",
                )


def _expected_slice(slices: dict, first: int, last: int) -> tuple:
    """Where the missing slice should be on pages first..last: at the edge and height of the slices on
    the nearest pages before and after the run (a volume is stamped in groups, each at its own height)."""
    def nearest(numbers):
        return next((slices[n] for n in numbers if slices.get(n)), [])

    near = nearest(range(first - 1, 0, -1)) + nearest(range(last + 1, max(slices) + 1))
    if not near:
        return (0.9, 0.0, 1.0, 1.0)
    left = sum(s.edge == "left" for s in near) > len(near) / 2
    y0 = max(0.0, min(s.bbox[1] for s in near) - 0.02)
    y1 = min(1.0, max(s.bbox[3] for s in near) + 0.02)
    return (0.0, y0, 0.1, y1) if left else (0.9, y0, 1.0, y1)


def _bound_volume(ctx, path: str) -> bool:
    """Whether the PDF at ``path`` is the bound volume (or a 册 of it), not one file of a split
    package: a file with the 2024 and 2025 statements, or a licence with the ID card, holds two
    materials and is no volume; the 骑缝章 belongs to the bound book (L581 “装订成册（加盖骑缝章）”)."""
    here = {s.material for s in ctx.segments if s.path == path and s.material}
    if len(here) < MIN_VOLUME_MATERIALS:
        return False
    everywhere = {s.material for s in ctx.segments if s.material}
    opens_book = bool(here & {"cover", "toc"})
    return opens_book or len(here) * 2 >= len(everywhere)


def _odd_size(page, pages) -> bool:
    """The page's area differs from the volume's usual page area by more than ODD_SIZE."""
    areas = sorted(p.width * p.height for p in pages if p.width and p.height)
    if not areas or not page.width or not page.height:
        return False
    usual = median(areas)
    return abs(page.width * page.height - usual) > ODD_SIZE * usual


def _electronic(pages) -> bool:
    """Most pages come from a text layer with no page-size image: typed, never printed and scanned."""
    typed = sum(1 for p in pages if p.source == "text-layer" and p.image_coverage < 0.5)
    return typed * 2 > len(pages)


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """[3, 4, 5, 9] -> [(3, 5), (9, 9)]."""
    out: list[tuple[int, int]] = []
    for n in numbers:
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out
