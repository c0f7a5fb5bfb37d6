"""The ``text`` format: a terminal report, grouped by material in the program's order.

Layout::

    header: program, package, as-of date, stage
    per material (program order): status icon, title, files (path + pages), then its findings
    未识别的文件 / 无法读取的文件 / 暂不支持的文件格式: files with their reason and findings
    整个申报包的问题: findings tied to no material and no listed file
    summary: 错误 N · 警告 N · 提示 N · 通过 N 项检查

Chinese by default, English when ``lang == "en"``. Rendered through rich into a string, so the
same function serves a colour terminal (``color=True``) and a pipe or file (``color=False``, plain
text with no escape codes).
"""
from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from ._common import (
    finding_fix,
    finding_message,
    is_en,
    location_label,
    material_title,
    pages_label,
    program_title,
    severity_rank,
)

LABELS = {
    "zh": {
        "program": "申报项目",
        "package": "申报材料",
        "as_of": "检查日期",
        "stage": "检查环节",
        "deadline": "截止日期",
        "stage.enterprise": "企业自查",
        "stage.county": "县级初审",
        "error": "错误",
        "warning": "警告",
        "info": "提示",
        "status.present": "已提供",
        "status.missing": "缺失",
        "status.not-provided": "未提供（非必需）",
        "status.unreadable": "无法读取",
        "required.false": "选报",
        "required.warn": "建议提供",
        "evidence": "证据：",
        "evidence_image": "截图：",
        "fix": "处理建议：",
        "confidence": "置信度：",
        "uncertain": "（不确定）",
        "no_files": "（未找到对应文件）",
        "unrecognised": "未识别的文件",
        "unreadable": "无法读取的文件",
        "unsupported": "暂不支持的文件格式",
        "package_level": "整个申报包的问题",
        "unknown_material": "其他材料",
        "summary": "错误 {errors} · 警告 {warnings} · 提示 {infos} · 通过 {passed} 项检查",
        "summary_uncertain": " · 不确定 {uncertain} 项",
        "summary_files": "共 {files} 个文件，{pages} 页",
        "timing": "用时 {seconds:.1f} 秒（其中读取 {extract_seconds:.1f} 秒）",
        "clean": "未发现问题。",
        "basis": "依据文件：",
        "list_sep": "、",
    },
    "en": {
        "program": "Program",
        "package": "Package",
        "as_of": "As of",
        "stage": "Stage",
        "deadline": "Deadline",
        "stage.enterprise": "enterprise self-check",
        "stage.county": "county pre-screening",
        "error": "error",
        "warning": "warning",
        "info": "info",
        "status.present": "present",
        "status.missing": "missing",
        "status.not-provided": "not provided (optional)",
        "status.unreadable": "unreadable",
        "required.false": "optional",
        "required.warn": "recommended",
        "evidence": "Evidence: ",
        "evidence_image": "Crop: ",
        "fix": "Fix: ",
        "confidence": "Confidence: ",
        "uncertain": "(uncertain)",
        "no_files": "(no file found)",
        "unrecognised": "Unrecognised files",
        "unreadable": "Unreadable files",
        "unsupported": "Unsupported file formats",
        "package_level": "Package-level findings",
        "unknown_material": "Other materials",
        "summary": "{errors} errors · {warnings} warnings · {infos} infos · {passed} checks passed",
        "summary_uncertain": " · {uncertain} uncertain",
        "summary_files": "{files} files, {pages} pages",
        "timing": "{seconds:.1f} s ({extract_seconds:.1f} s reading files)",
        "clean": "No problems found.",
        "basis": "Basis: ",
        "list_sep": ", ",
    },
}

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
SEVERITY_ICON = {"error": "✘", "warning": "!", "info": "i"}
FILE_GROUPS = ("unrecognised", "unreadable", "unsupported")


def _labels(lang: str) -> dict:
    return LABELS["en" if is_en(lang) else "zh"]


def _material_icon(material: dict, findings: list[dict]) -> tuple[str, str]:
    status = material.get("status")
    sevs = {f.get("severity") for f in findings}
    if status in ("missing", "unreadable") or "error" in sevs:
        return "✘", "bold red"
    if status == "not-provided":
        return "–", "dim"
    if "warning" in sevs:
        return "!", "yellow"
    return "✔", "green"


def _finding_sort_key(f: dict) -> tuple:
    return (f.get("path") or "", f.get("page") or 0, severity_rank(f.get("severity")), f.get("rule") or "")


class _Writer:
    def __init__(self, report: dict, lang: str, color: bool, width: int):
        self.report = report
        self.lang = "en" if is_en(lang) else "zh"
        self.L = _labels(lang)
        self.buf = io.StringIO()
        self.console = Console(
            file=self.buf,
            width=width,
            force_terminal=color,
            color_system="truecolor" if color else None,
            no_color=not color,
            highlight=False,
            emoji=False,
            markup=False,
            legacy_windows=False,
            soft_wrap=False,
            force_jupyter=False,
            force_interactive=False,
        )

    def line(self, text: Text | str = "", indent: int = 0) -> None:
        if isinstance(text, str):
            text = Text(text)
        # Wrap here rather than with rich's Padding, which pads every line to the full width:
        # continuation lines keep the indent and no line carries trailing spaces into a pipe.
        width = max(10, self.console.width - indent)
        for part in text.wrap(self.console, width, overflow="fold") or [Text("")]:
            part.rstrip()
            if indent:
                part = Text(" " * indent) + part
            self.console.print(part, soft_wrap=True)

    # -- sections ----------------------------------------------------------------------------

    def header(self) -> None:
        r, L = self.report, self.L
        program = r.get("program") or {}
        title = Text(program_title(program, self.lang), style="bold")
        if program.get("id"):
            title.append(f"  ({program['id']})", style="dim")
        self.line(title)
        rows = [(L["package"], str(r.get("package") or ""))]
        as_of = r.get("as_of")
        if as_of:
            rows.append((L["as_of"], str(as_of)))
        if program.get("deadline"):
            rows.append((L["deadline"], str(program["deadline"])))
        stage = r.get("stage")
        if stage:
            rows.append((L["stage"], L.get(f"stage.{stage}", stage)))
        for label, value in rows:
            t = Text(f"{label}：" if self.lang == "zh" else f"{label}: ", style="dim")
            t.append(value)
            self.line(t)

    def finding(self, f: dict, show_path: bool = True, indent: int = 4) -> None:
        L = self.L
        sev = f.get("severity") or "info"
        style = SEVERITY_STYLE.get(sev, "")
        head = Text()
        head.append(SEVERITY_ICON.get(sev, "?") + " ", style=style)
        head.append(L.get(sev, sev), style=style)
        head.append(" ")
        head.append(f.get("rule") or "", style="bold")
        if f.get("uncertain"):
            head.append(" " + L["uncertain"], style="magenta")
        loc = location_label(f, self.lang) if show_path else (
            pages_label([f["page"]], self.lang) if f.get("page") else "")
        if loc:
            head.append("  ")
            head.append(loc, style="blue")
        self.line(head, indent=indent)
        msg = finding_message(f, self.lang)
        if msg:
            self.line(Text(msg), indent=indent + 2)
        if f.get("evidence"):
            t = Text(L["evidence"], style="dim")
            t.append(str(f["evidence"]))
            self.line(t, indent=indent + 2)
        if f.get("evidence_image"):
            t = Text(L["evidence_image"], style="dim")
            t.append(str(f["evidence_image"]))
            self.line(t, indent=indent + 2)
        fix = finding_fix(f, self.lang)
        if fix:
            t = Text(L["fix"], style="green")
            t.append(fix)
            self.line(t, indent=indent + 2)
        if f.get("confidence") is not None:
            t = Text(L["confidence"], style="dim")
            t.append(f"{float(f['confidence']):.2f}")
            if f.get("uncertain"):
                t.append(" " + L["uncertain"], style="magenta")
            self.line(t, indent=indent + 2)

    def materials(self, by_material: dict[str, list[dict]]) -> None:
        L = self.L
        section = None
        for m in self.report.get("materials") or []:
            fs = sorted(by_material.get(m.get("id"), []), key=_finding_sort_key)
            sec = (m.get("section_en") if self.lang == "en" else None) or m.get("section") or ""
            if sec and sec != section:
                self.line()
                self.line(Text(sec, style="bold underline"))
            section = sec
            icon, style = _material_icon(m, fs)
            head = Text()
            head.append(icon + " ", style=style)
            head.append(material_title(m, self.lang), style="bold")
            req = m.get("required", True)
            if req is False:
                head.append(f"（{L['required.false']}）" if self.lang == "zh" else f" ({L['required.false']})", style="dim")
            elif req in ("warn", "info"):
                head.append(f"（{L['required.warn']}）" if self.lang == "zh" else f" ({L['required.warn']})", style="dim")
            status = m.get("status")
            if status and status != "present":
                head.append("  ")
                head.append(L.get(f"status.{status}", status), style=style)
            self.line(head, indent=0 if not sec else 2)
            base = 2 if not sec else 4
            files = m.get("files") or []
            for fe in files:
                t = Text(fe.get("path") or "", style="blue")
                pl = pages_label(fe.get("pages") or [], self.lang)
                if pl:
                    t.append(" · " + pl, style="dim")
                self.line(t, indent=base)
            for f in fs:
                self.finding(f, show_path=len(files) != 1 or f.get("path") != files[0].get("path"), indent=base)

    def file_groups(self, by_path: dict[str, list[dict]]) -> None:
        L = self.L
        files = self.report.get("files") or []
        for group in FILE_GROUPS:
            members = [fe for fe in files if fe.get("status") == group]
            if not members:
                continue
            self.line()
            self.line(Text(L[group], style="bold"))
            for fe in members:
                t = Text("? " if group == "unrecognised" else "✘ ",
                         style="yellow" if group == "unrecognised" else "red")
                t.append(fe.get("path") or "", style="blue")
                extra = []
                if fe.get("format"):
                    extra.append(str(fe["format"]))
                if fe.get("pages"):
                    n = fe["pages"]
                    extra.append(f"{n} 页" if self.lang == "zh" else f"{n} page{'s' if n != 1 else ''}")
                if extra:
                    t.append(" · " + " · ".join(extra), style="dim")
                self.line(t, indent=2)
                reason = fe.get("reason_en") if self.lang == "en" and fe.get("reason_en") else fe.get("reason")
                if reason:
                    self.line(Text(str(reason), style="dim"), indent=4)
                for f in sorted(by_path.pop(fe.get("path"), []), key=_finding_sort_key):
                    self.finding(f, show_path=False)

    def unrecognised_pages(self) -> None:
        """Pages of classified files (a combined PDF) that fit no material: every page is accounted for."""
        rows = [fe for fe in self.report.get("files") or [] if fe.get("status") == "classified" and fe.get("unrecognised_pages")]
        if not rows:
            return
        self.line()
        self.line(Text("未识别的页面" if self.lang == "zh" else "Unrecognised pages", style="bold"))
        for fe in rows:
            pages = "、".join(str(n) for n in fe["unrecognised_pages"])
            t = Text("? ", style="yellow")
            t.append(fe.get("path") or "", style="blue")
            t.append((f" · 第 {pages} 页" if self.lang == "zh" else f" · page(s) {pages}"), style="dim")
            self.line(t, indent=2)

    def close_calls(self) -> None:
        """Page ranges whose material was a close call: what it was taken for and what came second."""
        rows = [(fe, sg) for fe in self.report.get("files") or [] for sg in fe.get("segments") or [] if sg.get("low_margin")]
        if not rows:
            return
        zh = self.lang == "zh"
        self.line()
        self.line(Text("识别把握不大的材料（请核对）" if zh else "Close calls in recognising materials (please check)",
                       style="bold"))
        for fe, sg in rows:
            a, b = sg["pages"]
            t = Text("? ", style="yellow")
            t.append(fe.get("path") or "", style="blue")
            if a > 0:
                t.append(" · " + pages_label(list(range(a, b + 1)), self.lang), style="dim")
            self.line(t, indent=2)
            said = (f"判为“{sg.get('material_title')}”，也可能是“{sg.get('runner_up_title')}”" if zh else
                    f"taken for “{sg.get('material_title')}”; it may be “{sg.get('runner_up_title')}”")
            self.line(Text(said), indent=4)

    def digital_signatures(self) -> None:
        """Evidence: the PDF digital signatures, one line each (a changed file is a fact to look
        at, shown as info, not a finding)."""
        rows = self.report.get("digital_signatures") or []
        if not rows:
            return
        en = self.lang == "en"
        self.line()
        self.line(Text("Evidence: digital signatures" if en else "证据：数字签名", style="bold"))
        for s in rows:
            ok = s.get("integrity") == "intact"
            t = Text("✔ " if ok else "i ", style="green" if ok else "cyan")
            t.append(s.get("path") or "", style="blue")
            if s.get("page"):
                t.append(" · " + pages_label([s["page"]], self.lang), style="dim")
            self.line(t, indent=2)
            self.line(Text(_signature_sentence(s, en)), indent=4)

    def package_level(self, rest: list[dict]) -> None:
        if not rest:
            return
        self.line()
        self.line(Text(self.L["package_level"], style="bold"))
        for f in sorted(rest, key=_finding_sort_key):
            if f.get("material") and f.get("material_title"):
                title = f["material_title"]
                self.line(Text(f"[{title}]", style="dim"), indent=2)
            self.finding(f, indent=2)

    def summary(self, show_timing: bool) -> None:
        r, L = self.report, self.L
        s = dict(errors=0, warnings=0, infos=0, passed=0, uncertain=0, files=0, pages=0)
        s.update({k: v for k, v in (r.get("summary") or {}).items() if v is not None})
        self.line()
        t = Text()
        t.append(L["summary"].format(**s), style="bold red" if s["errors"] else ("yellow" if s["warnings"] else "bold green"))
        if s.get("uncertain"):
            t.append(L["summary_uncertain"].format(**s), style="magenta")
        self.line(t)
        self.line(Text(L["summary_files"].format(**s), style="dim"))
        if not (s["errors"] or s["warnings"] or s["infos"]):
            self.line(Text(L["clean"], style="green"))
        timing = r.get("timing") or {}
        if show_timing and timing.get("seconds") is not None:
            self.line(Text(L["timing"].format(seconds=float(timing.get("seconds") or 0),
                                              extract_seconds=float(timing.get("extract_seconds") or 0)), style="dim"))

    def render(self, show_timing: bool) -> str:
        r = self.report
        findings = list(r.get("findings") or [])
        material_ids = {m.get("id") for m in r.get("materials") or []}
        by_material: dict[str, list[dict]] = {}
        by_path: dict[str, list[dict]] = {}
        rest: list[dict] = []
        grouped_paths = {fe.get("path") for fe in r.get("files") or [] if fe.get("status") in FILE_GROUPS}
        for f in findings:
            if f.get("material") in material_ids:
                by_material.setdefault(f["material"], []).append(f)
            elif f.get("path") in grouped_paths:
                by_path.setdefault(f["path"], []).append(f)
            else:
                rest.append(f)
        self.header()
        self.materials(by_material)
        self.file_groups(by_path)
        self.unrecognised_pages()
        self.close_calls()
        self.digital_signatures()
        for leftover in by_path.values():  # paths listed twice: never lose a finding
            rest.extend(leftover)
        self.package_level(rest)
        self.summary(show_timing)
        return self.buf.getvalue()


def _signature_sentence(s: dict, en: bool) -> str:
    """``数字签名：签署人 X，时间 Y，文件未被修改`` / ``Digital signature: signed by X at Y; file not modified``."""
    who = " / ".join(x for x in (s.get("signer"), s.get("organisation")) if x) or ("unknown" if en else "未知")
    when = (s.get("time") or ("not stated" if en else "未注明")).replace("T", " ")
    integrity = s.get("integrity")
    if en:
        state = {"intact": "file not modified", "modified": "MODIFIED after signing",
                 "unknown": "integrity could not be checked"}.get(integrity, str(integrity))
        reason = s.get("reason_en") or s.get("reason") or ""
        return f"Digital signature: signed by {who} at {when}; {state}" + (f" ({reason})" if reason else "")
    state = {"intact": "文件未被修改", "modified": "签名后文件已被修改",
             "unknown": "无法核对是否被修改"}.get(integrity, str(integrity))
    reason = s.get("reason_zh") or s.get("reason") or ""
    return f"数字签名：签署人 {who}，时间 {when}，{state}" + (f"（{reason}）" if reason else "")


def render(report: dict, lang: str = "zh", color: bool = False, width: int = 100,
           show_timing: bool = False) -> str:
    """Render the report for a terminal (``color=True``) or plain text (``color=False``).

    :param lang: ``"zh"`` (default) or ``"en"``; every heading and label follows it, findings use
        ``message_en``/``message_zh`` accordingly.
    :param width: wrap width in terminal cells (a CJK character is two cells).
    :param show_timing: add the (non-deterministic) run time under the summary.
    """
    return _Writer(report, lang, color, width).render(show_timing)


def render_plain(report: dict, lang: str = "zh") -> str:
    """The hook's ``render(report, lang)``: plain text, 100 cells wide."""
    return render(report, lang)


__all__ = ["render", "render_plain", "LABELS"]
