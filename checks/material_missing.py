from __future__ import annotations

import re

from shenbao.check import Check


class MaterialMissing(Check):
    """检查内容：申报通知材料清单中的每一项材料，在申报材料中能否找到（按内容识别，其次按文件名）。

    为何重要：缺少任何一项必备材料，评审时会直接判为材料不全、不予受理。

    如何修复：按通知列出的材料补齐；若材料已在包中却未被识别，用 `shenbao inspect 文件` 查看
    读取结果（可能是扫描件过于模糊、文件无法打开，或放进了别的文件里）。
    """

    rule = "material-missing"
    title = "缺少必备材料"
    title_en = "Required material missing"
    severity = "error"
    doc_en = """What it checks: every item of the notice's materials list is found in the package
(by content first, then by file name).

Why: a package without a required item is rejected as incomplete.

How to fix: add the item; if it is there but not recognised, run `shenbao inspect FILE` to see what
was read (a blurred scan, an unreadable file, or the item merged into another file)."""

    def _partial(self, ctx, params, m, lacking):
        from shenbao.materials import KINDS

        titles = {k["kind"]: k.get("title", k["kind"]) for k in KINDS}
        names = "、".join(titles.get(k, k) for k in lacking)
        segs = ctx.segments_of(m.id)
        return ctx.finding(
            self, params,
            f"缺少材料：{m.section} {m.title}。包中有其替代材料的一部分，但缺少“{names}”。",
            f"Missing material: {m.section} {m.title_en or m.title}: part of its alternative is there, "
            f"but not {', '.join(lacking)}.",
            path=segs[0].path if segs else None, page=segs[0].first_page or None if segs else None, material=m.id,
            fix=f"补充“{names}”，或提供“{m.title}”本身。",
            fix_en=f"Add {', '.join(lacking)}, or the {m.title_en or m.title} itself.",
            basis=m.basis,
        )

    def run(self, ctx, params):
        unreadable = [d.path for d in ctx.documents.values() if not d.readable]
        unrecognised = sorted({s.path for s in ctx.segments if s.material is None and s.reason != "separator"
                               and ctx.documents[s.path].readable})
        for m in ctx.program.materials:
            if m.required is False:
                continue
            if m.any_of:
                lacking = _lacking(m, ctx.segments_of(m.id))
                if lacking is None:
                    continue
                if lacking:  # part of an alternative is there: say what the rest is
                    yield self._partial(ctx, params, m, lacking)
                    continue
            elif ctx.segments_of(m.id):
                continue
            hint, hint_en = "", ""
            if unreadable or unrecognised:
                n = len(unreadable) + len(unrecognised)
                hint = f"（另有 {n} 个文件无法读取或未能识别，见报告末尾，请确认其中是否有该材料）"
                hint_en = f" ({n} file(s) could not be read or recognised; see the end of the report)"
            probably = sorted({s.path for s in ctx.segments if s.material is None and s.runner_up == m.id}
                              | {d.path for d in ctx.documents.values() if not d.readable and _named_for(m, d.path)}
                              # pages the time budget left unread may hold it: not sure it is missing
                              | {d.path for d in ctx.documents.values() if d.unread_pages})
            if probably and m.required is True:
                # the file meant to hold it could not be read or recognised: that file is the finding
                where = "、".join(probably)
                yield ctx.finding(
                    self, params,
                    f"未能确认材料：{m.section} {m.title}。文件“{where}”可能就是该材料，但无法读取或识别，请人工核对。",
                    f"Could not confirm {m.section} {m.title_en or m.title}: “{where}” may hold it but could not be "
                    "read or recognised; check it by eye.",
                    path=probably[0], material=m.id, uncertain=True, confidence=0.5,
                    fix=f"确认“{where}”是清晰、可打开的“{m.title}”；必要时重新扫描或导出。",
                    fix_en=f"Make sure “{where}” is a legible, readable copy of “{m.title_en or m.title}”.",
                    basis=m.basis,
                )
                continue
            note = f"{m.note}" if m.note else ""
            yield ctx.finding(
                self, params,
                f"缺少材料：{m.section} {m.title}。{note}{hint}",
                f"Missing material: {m.section} {m.title_en or m.title}.{hint_en}",
                material=m.id,
                severity={"warn": "warning", "info": "info"}.get(m.required),
                fix=f"按通知要求补充“{m.title}”，放入申报材料文件夹（或合订本对应位置）。",
                fix_en=f"Add “{m.title_en or m.title}” to the package as the notice requires.",
                basis=m.basis,
            )


def _lacking(m, segments) -> "list[str] | None":
    """For a material with ``any_of`` groups: None when it is there (its own kind, or every kind of
    one group); else the kinds still lacking of the group most nearly complete ([] when nothing of
    it is there)."""
    alternative = {k for g in m.any_of for k in g}
    own = {m.kind} | (set(m.recognise.get("accepts") or []) - alternative)
    present = {k for s in segments for k in s.kinds}
    if present & own:
        return None
    best: list[str] = []
    for group in m.any_of:
        missing = [k for k in group if k not in present]
        if not missing:
            return None
        if len(missing) < len(group) and (not best or len(missing) < len(best)):
            best = missing
    return best


def _named_for(material, path: str) -> bool:
    """Whether the file name says it is this material (“3、企业情况.pdf” for 企业情况（简介…）)."""
    title = re.sub(r"[（(].*?[)）]|[“”\"]", "", material.title)
    return len(title) >= 3 and title in path
