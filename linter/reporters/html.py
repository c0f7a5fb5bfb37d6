"""The ``html`` format: one self-contained HTML file a reviewer opens in any browser.

Layout (Chinese by default, English with ``lang="en"``)::

    verdict (通过 / 不通过 / 需人工复核), program title and id, package, applicant, as-of date, counts
    filters (severity, rule; inline JS, hidden when JS is off — everything is then shown; a link
             may preset them: ``report.html#severity=error&rule=seal-missing``)
    per material, in the program's order: status, files, its findings
    需人工复核: the uncertain findings (OCR or vision could not decide), whatever their material
    未识别 / 无法读取 / 暂不支持的文件: those files, their reason and findings
    整个申报包的问题: findings tied to no material and no listed file
    规则说明: each rule checked, passed or with findings (title, what/why/how to fix when known)

Each finding shows severity, rule id and title, message, file and page, evidence text, fix, basis
clause, and — when rendered with :func:`render_package` — a low-resolution page thumbnail with the
finding's region outlined and the crop of that region, both embedded as ``data:`` URIs.

Nothing is loaded from anywhere: no network resource, no external CSS, JS or font; a
Content-Security-Policy meta tag forbids any (only ``data:`` images, inline style and script).

Two entry points:

* :func:`render` ``(report, lang) -> str`` is the reporter hook every format has: it sees only the
  report, so it embeds no image.
* :func:`render_package` ``(report, package, lang) -> str`` also reads the pages the findings point
  at from the package (read-only) and embeds thumbnails and crops. ``shenbao check --format html``
  uses it, and so does ``shenbao batch`` for one report per package.
"""
from __future__ import annotations

import base64
import functools
import html
import inspect
import io
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ._common import (
    finding_fix,
    finding_message,
    is_en,
    material_title,
    pages_label,
    program_title,
    rule_title,
    severity_rank,
    verdict,
    verdict_label,
    xml_safe,
)

# -- images --------------------------------------------------------------------------------------

MAX_IMAGE_BYTES = 150_000  # one embedded image at most (a crop, a thumbnail is far smaller)
THUMB_WIDTH = 200  # px: a page thumbnail next to a crop (about 24 dpi for A4)
PAGE_VIEW_WIDTH = 420  # px: the page alone, for a finding that names a page but no region
MAX_EMBEDDED = 400  # findings with images in one report; past that the findings are shown without
WHOLE_PAGE = 0.8  # a bbox covering more of the page than this is shown as the page, not as a crop
PAGE_CACHE = 4  # rendered pages kept while walking the findings (they come sorted by file and page)


@dataclass(frozen=True)
class Embedded:
    """One image as it goes into the page: ``data:<mime>;base64,<data>``."""

    mime: str
    data: str
    width: int
    height: int

    @property
    def uri(self) -> str:
        return f"data:{self.mime};base64,{self.data}"


@dataclass(frozen=True)
class FindingImages:
    thumb: Optional[Embedded] = None  # the page, small, the region outlined
    crop: Optional[Embedded] = None  # the region (None when the finding has no bbox)


def _encode(img, prefer_png: bool) -> Optional[Embedded]:
    """PNG (crisp text) when it fits :data:`MAX_IMAGE_BYTES`, else JPEG, else smaller."""
    from PIL import Image

    img = img.convert("RGB")
    for scale in (1.0, 0.75, 0.5, 0.35, 0.25):
        im = img if scale == 1.0 else img.resize((max(1, int(img.width * scale)), max(1, int(img.height * scale))),
                                                 Image.LANCZOS)
        for fmt in (("PNG", "JPEG") if prefer_png else ("JPEG",)):
            buf = io.BytesIO()
            if fmt == "PNG":
                im.save(buf, "PNG", optimize=True)
            else:
                im.save(buf, "JPEG", quality=80, optimize=True)
            if buf.tell() <= MAX_IMAGE_BYTES:
                return Embedded("image/png" if fmt == "PNG" else "image/jpeg",
                                base64.b64encode(buf.getvalue()).decode("ascii"), im.width, im.height)
    return None


def _valid_bbox(bbox) -> Optional[tuple[float, float, float, float]]:
    try:
        x0, y0, x1, y1 = (float(v) for v in bbox)
    except (TypeError, ValueError):
        return None
    if not (0.0 <= x0 < x1 <= 1.0 and 0.0 <= y0 < y1 <= 1.0):
        return None
    if (x1 - x0) * (y1 - y0) > WHOLE_PAGE:  # "somewhere on this page": the page view says as much
        return None
    return x0, y0, x1, y1


def _thumbnail(page, bbox, width: int):
    from PIL import Image, ImageDraw

    from ..evidence import BOX_COLOUR

    scale = min(1.0, width / max(page.width, 1))
    thumb = page.convert("RGB").resize((max(1, int(page.width * scale)), max(1, int(page.height * scale))), Image.LANCZOS)
    if bbox:
        w, h = thumb.size
        d = ImageDraw.Draw(thumb)
        d.rectangle([int(bbox[0] * w) - 1, int(bbox[1] * h) - 1, int(bbox[2] * w) + 1, int(bbox[3] * h) + 1],
                    outline=BOX_COLOUR, width=2)
    return thumb


def page_images(report: dict, package: Path, max_images: int = MAX_EMBEDDED) -> dict[int, FindingImages]:
    """Thumbnail and crop of each finding that names a page of a PDF or an image, keyed by the
    finding's index in ``report["findings"]``. Pages are read from ``package`` (read-only, found
    the way ``check`` found them, zip members included); a page that cannot be read has no image."""
    from ..discover import discover
    from ..evidence import CROP_DPI, crop_region, finding_page, page_image

    findings = report.get("findings") or []
    if not findings:
        return {}
    try:
        files, _ = discover(Path(package))
    except Exception:  # noqa: BLE001 - no images rather than no report
        return {}
    sources = {rel: src for src, rel in files}
    kinds = {fe.get("path"): fe.get("kind") for fe in report.get("files") or [] if fe.get("path")}
    cache: OrderedDict = OrderedDict()
    out: dict[int, FindingImages] = {}
    for i, f in enumerate(findings):
        if len(out) >= max_images:
            break
        path = f.get("path")
        page = finding_page(f, kinds.get(path))
        if page is None or path not in sources:
            continue
        key = (path, page)
        if key not in cache:
            try:
                cache[key] = page_image(sources[path], kinds[path], page, CROP_DPI)
            except Exception:  # noqa: BLE001 - an unreadable page just has no thumbnail
                cache[key] = None
            while len(cache) > PAGE_CACHE:
                cache.popitem(last=False)
        img = cache[key]
        if img is None:
            continue
        bbox = _valid_bbox(f.get("bbox"))
        try:
            thumb = _encode(_thumbnail(img, bbox, THUMB_WIDTH if bbox else PAGE_VIEW_WIDTH), prefer_png=False)
            crop = _encode(crop_region(img, bbox), prefer_png=True) if bbox else None
        except Exception:  # noqa: BLE001
            continue
        if thumb or crop:
            out[i] = FindingImages(thumb, crop)
    return out


def rule_docs(pm=None) -> dict[str, dict]:
    """What each installed rule checks, why and how to fix it (what ``shenbao rule ID`` shows),
    ``{rule: {"title", "title_en", "doc", "doc_en"}}``, from ``pm`` or the default plugin manager;
    empty if the registry cannot be read."""
    if pm is None:
        return dict(_default_rule_docs())
    return _rule_docs(pm)


@functools.lru_cache(maxsize=1)
def _default_rule_docs() -> dict[str, dict]:
    try:
        from ..plugins_manager import get_plugin_manager

        return _rule_docs(get_plugin_manager())
    except Exception:  # noqa: BLE001 - the report stands without the rule texts
        return {}


def _rule_docs(pm) -> dict[str, dict]:
    try:
        from ..engine import all_checks

        checks = all_checks(pm)
    except Exception:  # noqa: BLE001 - the report stands without the rule texts
        return {}
    return {rid: {"title": cls.title, "title_en": cls.title_en, "doc": inspect.cleandoc(cls.__doc__ or ""),
                  "doc_en": inspect.cleandoc(getattr(cls, "doc_en", "") or "")} for rid, cls in checks.items()}


# -- labels --------------------------------------------------------------------------------------

LABELS = {
    "zh": {
        "doc_title": "申报材料检查报告",
        "program": "申报项目", "package": "申报材料", "applicant": "申报单位", "credit_code": "统一社会信用代码",
        "as_of": "检查日期（申报日）", "deadline": "截止日期", "notice_date": "通知日期", "stage": "检查环节",
        "stage.enterprise": "企业自查", "stage.county": "县级初审",
        "error": "错误", "warning": "警告", "info": "提示", "uncertain": "不确定",
        "c.errors": "错误", "c.warnings": "警告", "c.infos": "提示", "c.uncertain": "需复核",
        "c.passed": "通过的检查", "c.files": "文件", "c.pages": "页",
        "verdict.fail": "存在错误，需修改后再提交。",
        "verdict.review": "未发现确定的错误，但有些结果把握不大，请人工核对下方“需人工复核”部分。",
        "verdict.pass": "未发现错误。",
        "filters": "筛选", "f.severity": "严重程度", "f.rule": "规则", "f.all_rules": "全部规则",
        "f.count": "显示 {shown} / {total} 条问题",
        "materials": "按材料清单", "status.present": "已提供", "status.missing": "缺失",
        "status.not-provided": "未提供（非必需）", "status.unreadable": "无法读取",
        "required.false": "选报", "required.warn": "建议提供", "required.info": "参考",
        "no_findings": "未发现问题", "no_files": "未找到对应文件",
        "uncertain_section": "需人工复核",
        "uncertain_intro": "以下结果来自文字识别或图像识别，把握不大：既未判为通过，也未判为不通过，请对照原件核对。",
        "unrecognised": "未识别的文件", "unreadable": "无法读取的文件", "unsupported": "暂不支持的文件格式",
        "package_level": "整个申报包的问题",
        "rules": "规则说明", "rule.passed": "通过", "rule.findings": "{n} 条问题", "rule.crashed": "运行出错",
        "material": "材料", "location": "位置", "evidence": "证据", "fix": "处理建议", "basis": "依据",
        "confidence": "置信度", "evidence_file": "证据截图文件",
        "thumb": "第 {page} 页（橙框为问题位置）", "page_view": "第 {page} 页", "crop": "问题区域",
        "none_found": "未发现任何问题。",
        "footer": "由 {tool} {version} 生成。本文件为离线文件，不含任何网络资源，可直接用浏览器打开或打印（A4）。",
        "page_word": "第 {page} 页",
        "images_left_out": "本报告问题较多，仅前 {n} 条附有页面图像。",
    },
    "en": {
        "doc_title": "Application package check report",
        "program": "Program", "package": "Package", "applicant": "Applicant", "credit_code": "Credit code",
        "as_of": "As of (application day)", "deadline": "Deadline", "notice_date": "Notice date", "stage": "Stage",
        "stage.enterprise": "enterprise self-check", "stage.county": "county pre-screening",
        "error": "error", "warning": "warning", "info": "info", "uncertain": "uncertain",
        "c.errors": "errors", "c.warnings": "warnings", "c.infos": "infos", "c.uncertain": "to review",
        "c.passed": "checks passed", "c.files": "files", "c.pages": "pages",
        "verdict.fail": "There are errors: fix them before submitting.",
        "verdict.review": "No certain error, but some results are uncertain: check the “Needs manual review” section.",
        "verdict.pass": "No errors found.",
        "filters": "Filter", "f.severity": "Severity", "f.rule": "Rule", "f.all_rules": "all rules",
        "f.count": "showing {shown} of {total} findings",
        "materials": "By the materials list", "status.present": "present", "status.missing": "missing",
        "status.not-provided": "not provided (optional)", "status.unreadable": "unreadable",
        "required.false": "optional", "required.warn": "recommended", "required.info": "for reference",
        "no_findings": "no problems found", "no_files": "no file found",
        "uncertain_section": "Needs manual review",
        "uncertain_intro": "These results come from OCR or image recognition and are uncertain: neither passed nor "
                           "failed. Please check them against the originals.",
        "unrecognised": "Unrecognised files", "unreadable": "Unreadable files", "unsupported": "Unsupported file formats",
        "package_level": "Package-level findings",
        "rules": "Rules", "rule.passed": "passed", "rule.findings": "{n} finding(s)", "rule.crashed": "crashed",
        "material": "Material", "location": "Where", "evidence": "Evidence", "fix": "Fix", "basis": "Basis",
        "confidence": "Confidence", "evidence_file": "Evidence crop file",
        "thumb": "page {page} (the orange box marks the finding)", "page_view": "page {page}", "crop": "the region",
        "none_found": "No problems found.",
        "footer": "Made by {tool} {version}. This file is self-contained (no network resources): open it in any "
                  "browser or print it on A4.",
        "page_word": "page {page}",
        "images_left_out": "Many findings: only the first {n} carry page images.",
    },
}

FILE_GROUPS = ("unrecognised", "unreadable", "unsupported")
SEVERITIES = ("error", "warning", "info")
ICONS = {"error": "✘", "warning": "!", "info": "i"}


def _e(value) -> str:
    """Text escaped for HTML content and double-quoted attributes."""
    return html.escape(xml_safe("" if value is None else str(value)), quote=True)


def _sort_key(item: tuple[int, dict]) -> tuple:
    i, f = item
    return (f.get("path") or "", f.get("page") or 0, severity_rank(f.get("severity")), f.get("rule") or "", i)


class _Page:
    def __init__(self, report: dict, lang: str, images: dict[int, FindingImages], docs: dict[str, dict]):
        self.r = report
        self.en = is_en(lang)
        self.lang = "en" if self.en else "zh"
        self.L = LABELS[self.lang]
        self.images = images
        self.docs = docs
        self.rules = {r.get("id"): r for r in report.get("rules") or [] if r.get("id")}
        self.out: list[str] = []

    def w(self, *parts: str) -> None:
        self.out.extend(parts)

    # -- pieces ------------------------------------------------------------------------------------

    def rule_name(self, rid: str) -> str:
        r = self.rules.get(rid) or self.docs.get(rid)
        if r:
            return rule_title(r, self.lang)
        return ""

    def colon(self, label: str) -> str:
        return f"{label}: " if self.en else f"{label}："

    def header(self) -> None:
        r, L = self.r, self.L
        program = r.get("program") or {}
        v = verdict(r)
        s = {k: 0 for k in ("errors", "warnings", "infos", "passed", "uncertain", "files", "pages")}
        s.update({k: v_ for k, v_ in (r.get("summary") or {}).items() if isinstance(v_, int)})
        self.w(f'<header class="top verdict-{v}" id="top">',
               f'<p class="verdict" data-verdict="{v}"><span class="verdict-word">{_e(verdict_label(r, self.lang))}</span>',
               f' <span class="verdict-note">{_e(L["verdict." + v])}</span></p>',
               f'<h1><span class="program-title">{_e(program_title(program, self.lang))}</span>',
               f' <code class="program-id">{_e(program.get("id"))}</code></h1>', '<dl class="meta">')
        rows = [(L["package"], r.get("package"))]
        applicant = r.get("applicant") or {}
        if applicant.get("name"):
            rows.append((L["applicant"], applicant["name"]))
        if applicant.get("credit_code"):
            rows.append((L["credit_code"], applicant["credit_code"]))
        rows.append((L["as_of"], r.get("as_of")))
        if program.get("notice_date"):
            rows.append((L["notice_date"], program["notice_date"]))
        if program.get("deadline"):
            rows.append((L["deadline"], program["deadline"]))
        if r.get("stage"):
            rows.append((L["stage"], L.get("stage." + r["stage"], r["stage"])))
        for label, value in rows:
            if value:
                self.w(f"<div><dt>{_e(label)}</dt><dd>{_e(value)}</dd></div>")
        self.w("</dl>", '<ul class="counts">')
        for key, cls in (("errors", "error"), ("warnings", "warning"), ("infos", "info"),
                         ("uncertain", "uncertain"), ("passed", "passed")):
            self.w(f'<li class="count count-{cls}" data-count="{key}"><b>{int(s[key])}</b> {_e(L["c." + key])}</li>')
        self.w(f'<li class="count count-files"><b>{int(s["files"])}</b> {_e(L["c.files"])} · '
               f'<b>{int(s["pages"])}</b> {_e(L["c.pages"])}</li>', "</ul>", "</header>")

    def filters(self, findings: list[dict]) -> None:
        if not findings:
            return
        L = self.L
        total = len(findings)
        self.w(f'<form class="filters" id="filters" hidden aria-label="{_e(L["filters"])}">',
               f'<fieldset><legend>{_e(L["f.severity"])}</legend>')
        for sev in SEVERITIES:
            n = sum(1 for f in findings if f.get("severity") == sev)
            if n:
                self.w(f'<label class="sev-{sev}"><input type="checkbox" name="severity" value="{sev}" checked> '
                       f'{_e(L[sev])} ({n})</label>')
        self.w("</fieldset>", f'<label class="rule-filter">{_e(L["f.rule"])} <select name="rule" id="rule-filter">',
               f'<option value="">{_e(L["f.all_rules"])} ({total})</option>')
        counts: dict[str, int] = {}
        for f in findings:
            counts[f.get("rule") or ""] = counts.get(f.get("rule") or "", 0) + 1
        for rid in sorted(counts):
            title = self.rule_name(rid)
            self.w(f'<option value="{_e(rid)}">{_e(rid)}{" · " + _e(title) if title else ""} ({counts[rid]})</option>')
        self.w("</select></label>",
               f'<output id="filter-count" data-template="{_e(L["f.count"])}">'
               f'{_e(L["f.count"].format(shown=total, total=total))}</output>', "</form>")

    def finding(self, i: int, f: dict, context: Optional[str] = None) -> None:
        L = self.L
        sev = f.get("severity") if f.get("severity") in SEVERITIES else "info"
        rid = f.get("rule") or ""
        unc = bool(f.get("uncertain"))
        self.w(f'<article class="finding sev-{sev}{" is-uncertain" if unc else ""}" id="finding-{i}" '
               f'data-severity="{sev}" data-rule="{_e(rid)}" data-uncertain="{"true" if unc else "false"}">',
               '<div class="finding-head">',
               f'<span class="badge badge-{sev}">{ICONS[sev]} {_e(L[sev])}</span> ')
        if unc:
            self.w(f'<span class="badge badge-uncertain">? {_e(L["uncertain"])}</span> ')
        title = self.rule_name(rid)
        title_html = f' <span class="rule-title">{_e(title)}</span>' if title else ""
        self.w(f'<a class="rule" href="#rule-{_e(rid)}"><code class="rule-id">{_e(rid)}</code>{title_html}</a>', "</div>")
        self.w(f'<p class="message">{_e(finding_message(f, self.lang))}</p>', '<dl class="facts">')
        if context:
            self.w(f'<div><dt>{_e(L["material"])}</dt><dd>{_e(context)}</dd></div>')
        if f.get("path"):
            where = _e(f["path"])
            if f.get("page"):
                where += " · " + _e(L["page_word"].format(page=f["page"]))
            self.w(f'<div class="location"><dt>{_e(L["location"])}</dt><dd><span class="path">{where}</span></dd></div>')
        if f.get("evidence"):
            self.w(f'<div><dt>{_e(L["evidence"])}</dt><dd class="evidence">{_e(f["evidence"])}</dd></div>')
        fix = finding_fix(f, self.lang)
        if fix:
            self.w(f'<div class="fix"><dt>{_e(L["fix"])}</dt><dd>{_e(fix)}</dd></div>')
        if f.get("basis"):
            self.w(f'<div class="basis"><dt>{_e(L["basis"])}</dt><dd>{_e(f["basis"])}</dd></div>')
        if f.get("confidence") is not None:
            try:
                conf = f"{float(f['confidence']):.2f}"
            except (TypeError, ValueError):
                conf = str(f["confidence"])
            self.w(f'<div><dt>{_e(L["confidence"])}</dt><dd>{_e(conf)}</dd></div>')
        if f.get("evidence_image"):
            self.w(f'<div><dt>{_e(L["evidence_file"])}</dt><dd class="path">{_e(f["evidence_image"])}</dd></div>')
        self.w("</dl>")
        imgs = self.images.get(i)
        if imgs and (imgs.thumb or imgs.crop):
            page = f.get("page") or 1
            self.w('<div class="images">')
            if imgs.thumb:
                cap = L["thumb" if imgs.crop else "page_view"].format(page=page)
                self.w(f'<figure class="thumb"><img class="thumb" src="{imgs.thumb.uri}" width="{imgs.thumb.width}" '
                       f'height="{imgs.thumb.height}" alt="{_e(cap)}"><figcaption>{_e(cap)}</figcaption></figure>')
            if imgs.crop:
                self.w(f'<figure class="crop"><img class="crop" src="{imgs.crop.uri}" width="{imgs.crop.width}" '
                       f'height="{imgs.crop.height}" alt="{_e(L["crop"])}"><figcaption>{_e(L["crop"])}</figcaption></figure>')
            self.w("</div>")
        self.w("</article>")

    def material_status(self, m: dict, fs: list[dict]) -> str:
        status = m.get("status")
        sevs = {f.get("severity") for f in fs}
        if status in ("missing", "unreadable") or "error" in sevs:
            return "error"
        if status == "not-provided":
            return "none"
        if "warning" in sevs:
            return "warning"
        return "ok"

    def materials(self, by_material: dict[str, list[tuple[int, dict]]]) -> None:
        L = self.L
        mats = self.r.get("materials") or []
        if not mats:
            return
        self.w(f'<section class="group" id="materials"><h2>{_e(L["materials"])}</h2>')
        section = None
        for n, m in enumerate(mats):
            items = sorted(by_material.get(m.get("id"), []), key=_sort_key)
            sec = (m.get("section_en") if self.en else None) or m.get("section") or ""
            if sec and sec != section:
                self.w(f'<h3 class="section">{_e(sec)}</h3>')
            section = sec
            state = self.material_status(m, [f for _, f in items])
            icon = {"error": "✘", "warning": "!", "none": "–", "ok": "✔"}[state]
            self.w(f'<section class="material material-{state}" id="material-{n}" data-material="{_e(m.get("id"))}">',
                   f'<h4><span class="icon">{icon}</span> <span class="material-title">{_e(material_title(m, self.lang))}</span>')
            req = m.get("required", True)
            if req is not True and ("required." + str(req).lower()) in L:
                self.w(f' <small class="required">{_e(L["required." + str(req).lower()])}</small>')
            status = m.get("status")
            if status and status != "present":
                self.w(f' <span class="status status-{_e(status)}">{_e(L.get("status." + status, status))}</span>')
            self.w("</h4>")
            files = m.get("files") or []
            if files:
                self.w('<ul class="files">')
                for fe in files:
                    pl = pages_label(fe.get("pages") or [], self.lang)
                    self.w(f'<li><span class="path">{_e(fe.get("path"))}</span>{" · " + _e(pl) if pl else ""}</li>')
                self.w("</ul>")
            for i, f in items:
                self.finding(i, f)
            if not items and status == "present":
                self.w(f'<p class="ok">✔ {_e(L["no_findings"])}</p>')
            self.w("</section>")
        self.w("</section>")

    def context_of(self, f: dict) -> Optional[str]:
        mid = f.get("material")
        for m in self.r.get("materials") or []:
            if m.get("id") == mid:
                return material_title(m, self.lang)
        return f.get("material_title") or None

    def uncertain(self, items: list[tuple[int, dict]]) -> None:
        if not items:
            return
        L = self.L
        self.w(f'<section class="group uncertain" id="uncertain"><h2>? {_e(L["uncertain_section"])} '
               f'<small>({len(items)})</small></h2>', f'<p class="intro">{_e(L["uncertain_intro"])}</p>')
        for i, f in items:  # the report's order: by material, then file and page
            self.finding(i, f, context=self.context_of(f))
        self.w("</section>")

    def file_groups(self, by_path: dict[str, list[tuple[int, dict]]]) -> None:
        L = self.L
        files = self.r.get("files") or []
        for group in FILE_GROUPS:
            members = [fe for fe in files if fe.get("status") == group]
            if not members:
                continue
            self.w(f'<section class="group files-{group}" id="files-{group}"><h2>{_e(L[group])}</h2>')
            for fe in members:
                self.w('<section class="file">', f'<h4><span class="path">{_e(fe.get("path"))}</span>')
                extra = [str(fe["format"])] if fe.get("format") else []
                if fe.get("pages"):
                    extra.append(f'{fe["pages"]} {L["c.pages"]}')
                if extra:
                    self.w(f' <small>{_e(" · ".join(extra))}</small>')
                self.w("</h4>")
                reason = fe.get("reason_en") if self.en and fe.get("reason_en") else fe.get("reason")
                if reason:
                    self.w(f'<p class="reason">{_e(reason)}</p>')
                for i, f in sorted(by_path.pop(fe.get("path"), []), key=_sort_key):
                    self.finding(i, f)
                self.w("</section>")
            self.w("</section>")

    def package_level(self, items: list[tuple[int, dict]]) -> None:
        if not items:
            return
        self.w(f'<section class="group" id="package-level"><h2>{_e(self.L["package_level"])}</h2>')
        for i, f in sorted(items, key=_sort_key):
            self.finding(i, f, context=self.context_of(f) if f.get("material") else None)
        self.w("</section>")

    def rules_section(self, findings: list[dict]) -> None:
        L = self.L
        rules = [dict(r) for r in self.r.get("rules") or [] if r.get("id")]
        seen = {r["id"] for r in rules}
        for f in findings:
            if f.get("rule") and f["rule"] not in seen:
                seen.add(f["rule"])
                rules.append({"id": f["rule"], **{k: v for k, v in (self.docs.get(f["rule"]) or {}).items()
                                                  if k in ("title", "title_en")}})
        if not rules:
            return
        counts: dict[str, int] = {}
        for f in findings:
            counts[f.get("rule")] = counts.get(f.get("rule"), 0) + 1
        self.w(f'<section class="group" id="rules"><h2>{_e(L["rules"])}</h2>', '<ul class="rules">')
        for r in rules:
            rid = r["id"]
            n = counts.get(rid, 0)
            if r.get("status") == "crashed":
                state, text = "crashed", L["rule.crashed"]
            elif n:
                state, text = "findings", L["rule.findings"].format(n=n)
            else:
                state, text = "passed", L["rule.passed"]
            self.w(f'<li class="rule-entry rule-{state}" id="rule-{_e(rid)}"><code>{_e(rid)}</code> '
                   f'<b>{_e(rule_title(r, self.lang))}</b> <span class="rule-state">{_e(text)}</span>')
            doc = (self.docs.get(rid) or {}).get("doc_en" if self.en else "doc") or ""
            if n and doc:
                self.w('<div class="rule-doc">')
                for para in doc.split("\n\n"):
                    para = " ".join(line.strip() for line in para.splitlines()) if self.en else "".join(
                        line.strip() for line in para.splitlines())
                    if para:
                        self.w(f"<p>{_e(para)}</p>")
                self.w("</div>")
            self.w("</li>")
        self.w("</ul>", "</section>")

    # -- the page ----------------------------------------------------------------------------------

    def render(self) -> str:
        r, L = self.r, self.L
        findings = list(r.get("findings") or [])
        indexed = list(enumerate(findings))
        material_ids = {m.get("id") for m in r.get("materials") or []}
        grouped_paths = {fe.get("path") for fe in r.get("files") or [] if fe.get("status") in FILE_GROUPS}
        uncertain = [(i, f) for i, f in indexed if f.get("uncertain")]
        by_material: dict[str, list] = {}
        by_path: dict[str, list] = {}
        rest: list = []
        for i, f in indexed:
            if f.get("uncertain"):
                continue
            if f.get("material") in material_ids:
                by_material.setdefault(f["material"], []).append((i, f))
            elif f.get("path") and f.get("path") in grouped_paths:
                by_path.setdefault(f["path"], []).append((i, f))
            else:
                rest.append((i, f))
        program = r.get("program") or {}
        title = f'{L["doc_title"]} · {program_title(program, self.lang)} · {r.get("package") or ""}'
        self.w("<!DOCTYPE html>", f'<html lang="{"en" if self.en else "zh-CN"}">', "<head>", '<meta charset="utf-8">',
               '<meta name="viewport" content="width=device-width, initial-scale=1">',
               '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
               'style-src \'unsafe-inline\'; script-src \'unsafe-inline\'; base-uri \'none\'; form-action \'none\'">',
               f'<meta name="generator" content="{_e((r.get("tool") or {}).get("name") or "shenbao-lint")}">',
               f"<title>{_e(title)}</title>", f"<style>{CSS}</style>", "</head>",
               f'<body data-verdict="{verdict(r)}">')
        self.header()
        self.filters(findings)
        self.w("<main>")
        if not findings:
            self.w(f'<p class="none-found">✔ {_e(L["none_found"])}</p>')
        if len(self.images) >= MAX_EMBEDDED:
            self.w(f'<p class="note">{_e(L["images_left_out"].format(n=MAX_EMBEDDED))}</p>')
        self.materials(by_material)
        self.uncertain(uncertain)
        self.file_groups(by_path)
        for leftover in by_path.values():  # a path listed twice: never lose a finding
            rest.extend(leftover)
        self.package_level(rest)
        self.rules_section(findings)
        self.w("</main>")
        tool = r.get("tool") or {}
        self.w(f'<footer>{_e(L["footer"].format(tool=tool.get("name") or "shenbao-lint", version=tool.get("version") or ""))}</footer>',
               f"<script>{JS}</script>", "</body>", "</html>")
        return "\n".join(self.out) + "\n"


def render_html(report: dict, lang: str = "zh", images: Optional[dict[int, FindingImages]] = None,
                docs: Optional[dict[str, dict]] = None) -> str:
    """The HTML text of ``report``; ``images`` (from :func:`page_images`) and ``docs`` (from
    :func:`rule_docs`) are optional."""
    return _Page(report, lang, images or {}, docs or {}).render()


def render(report: dict, lang: str = "zh") -> str:
    """The reporter hook: the report alone (no page images; rule texts from the installed rules)."""
    return render_html(report, lang, None, rule_docs())


def render_package(report: dict, package: Path, lang: str = "zh", *, pm=None) -> str:
    """The full HTML report of one package: :func:`render` plus, for each finding that names a
    page, a page thumbnail and the crop of its region, read from ``package`` (never written)."""
    return render_html(report, lang, page_images(report, Path(package)), rule_docs(pm))


CSS = """
:root{--error:#c62828;--warning:#b26a00;--info:#1565c0;--uncertain:#6a1b9a;--ok:#2e7d32;--line:#d9dde3;--muted:#5f6b7a}
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Zen Hei","Microsoft YaHei","PingFang SC",system-ui,sans-serif;
font-size:15px;line-height:1.55;color:#1d232b;background:#f4f6f8}
main,header.top,form.filters,footer{max-width:1100px;margin:0 auto;padding:0 20px}
header.top{background:#fff;border-bottom:6px solid var(--ok);padding:18px 20px 12px}
header.verdict-fail{border-color:var(--error)}header.verdict-review{border-color:var(--uncertain)}
.verdict{margin:0 0 4px;font-size:17px}
.verdict-word{display:inline-block;font-size:30px;font-weight:700;padding:2px 14px;border-radius:6px;color:#fff;background:var(--ok);margin-right:8px}
.verdict-fail .verdict-word{background:var(--error)}.verdict-review .verdict-word{background:var(--uncertain)}
h1{font-size:21px;margin:8px 0}h1 code{font-size:14px;color:var(--muted);font-weight:400}
dl.meta{display:flex;flex-wrap:wrap;gap:4px 24px;margin:6px 0}dl.meta div{display:flex;gap:6px}
dt{color:var(--muted)}dd{margin:0}dl.meta dt::after,dl.facts dt::after{content:"："}
html[lang=en] dl.meta dt::after,html[lang=en] dl.facts dt::after{content:":"}
ul.counts{list-style:none;display:flex;flex-wrap:wrap;gap:8px;padding:0;margin:10px 0 0}
.count{border:1px solid var(--line);border-radius:16px;padding:1px 12px;background:#fafbfc}
.count-error b{color:var(--error)}.count-warning b{color:var(--warning)}.count-info b{color:var(--info)}
.count-uncertain b{color:var(--uncertain)}.count-passed b{color:var(--ok)}
form.filters{display:flex;flex-wrap:wrap;align-items:center;gap:10px 22px;padding:10px 20px;background:#fff;
border-bottom:1px solid var(--line);position:sticky;top:0;z-index:2}
form.filters[hidden]{display:none}
form.filters fieldset{border:0;margin:0;padding:0;display:flex;gap:12px;align-items:center}
form.filters legend{float:left;margin-right:8px;color:var(--muted)}
#filter-count{color:var(--muted)}
h2{font-size:19px;margin:26px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
h3.section{font-size:16px;margin:18px 0 8px;color:var(--muted)}
section.material,section.file{background:#fff;border:1px solid var(--line);border-left:5px solid var(--ok);border-radius:6px;padding:8px 14px;margin:10px 0}
.material-error{border-left-color:var(--error)!important}.material-warning{border-left-color:var(--warning)!important}
.material-none{border-left-color:var(--line)!important;color:var(--muted)}
section.file{border-left-color:var(--warning)}
h4{margin:2px 0 4px;font-size:16px}.icon{display:inline-block;width:1.2em;text-align:center}
.material-error .icon,.status-missing,.status-unreadable{color:var(--error)}.material-warning .icon{color:var(--warning)}.material-ok .icon,.ok{color:var(--ok)}
.status{font-weight:400;font-size:14px;margin-left:6px}.required{color:var(--muted);font-weight:400}
ul.files{margin:0 0 6px;padding-left:1.6em;color:var(--muted);font-size:14px}
.path{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13.5px;word-break:break-all;color:#234}
p.ok{margin:2px 0;font-size:14px}
section.material-ok,section.material-none{padding:3px 14px;margin:4px 0}
.material-ok h4,.material-ok ul.files,.material-ok ul.files li,.material-ok p.ok,
.material-none h4,.material-none ul.files{display:inline;margin:0 10px 0 0;padding:0}
.material-ok h4,.material-none h4{font-size:15px}
article.finding{border:1px solid var(--line);border-left:4px solid var(--info);border-radius:5px;padding:8px 12px;margin:8px 0;background:#fcfcfd}
article.sev-error{border-left-color:var(--error)}article.sev-warning{border-left-color:var(--warning)}
article.is-uncertain{border-left-style:dashed;border-left-color:var(--uncertain)}
article.is-filtered{display:none}
.badge{display:inline-block;font-size:13px;padding:0 8px;border-radius:10px;color:#fff;background:var(--info);font-weight:600}
.badge-error{background:var(--error)}.badge-warning{background:var(--warning)}.badge-uncertain{background:var(--uncertain)}
a.rule{color:inherit;text-decoration:none}a.rule:hover .rule-id{text-decoration:underline}
.rule-id{font-size:13.5px;background:#eef1f4;padding:0 5px;border-radius:3px}.rule-title{font-weight:600}
p.message{margin:6px 0 4px;font-size:15.5px}
dl.facts{margin:0;font-size:14px}dl.facts div{display:flex;gap:4px}dl.facts dt{flex:none}
.fix dd{color:var(--ok)}.evidence{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13.5px;word-break:break-all}
.images{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start;margin-top:8px}
figure{margin:0;break-inside:avoid;page-break-inside:avoid}
figure img{display:block;max-width:100%;height:auto;border:1px solid var(--line);background:#fff}
figure.crop img{max-height:460px;width:auto}
figcaption{font-size:12.5px;color:var(--muted)}
section.uncertain p.intro{color:var(--uncertain)}
ul.rules{list-style:none;padding:0}li.rule-entry{margin:6px 0;padding:4px 0;border-bottom:1px dotted var(--line)}
.rule-state{color:var(--muted);font-size:14px}.rule-findings .rule-state{color:var(--error)}.rule-passed .rule-state{color:var(--ok)}
.rule-doc{font-size:13.5px;color:#38424d}.rule-doc p{margin:3px 0}
.none-found{font-size:18px;color:var(--ok)}
footer{color:var(--muted);font-size:12.5px;padding:24px 20px 40px}
@page{size:A4;margin:14mm 12mm}
@media print{
body{background:#fff;font-size:10.5pt}
form.filters{display:none!important}
article.finding.is-filtered{display:block!important}
main,header.top,footer{max-width:none;padding:0}
header.top,.verdict-word,.badge{-webkit-print-color-adjust:exact;print-color-adjust:exact}
article.finding,section.file,h4,li.rule-entry{break-inside:avoid;page-break-inside:avoid}
section.material{break-inside:auto}
h2,h3{break-after:avoid;page-break-after:avoid}
figure img{max-height:110mm;width:auto;max-width:100%}
a.rule{text-decoration:none}
}
"""

JS = """
(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var form = document.getElementById("filters");
  var items = document.querySelectorAll("article.finding");
  var count = document.getElementById("filter-count");
  function apply() {
    var sev = {};
    each(form.querySelectorAll("input[name=severity]"), function (c) { sev[c.value] = c.checked; });
    var rule = form.querySelector("select[name=rule]").value;
    var shown = 0;
    each(items, function (el) {
      var ok = sev[el.getAttribute("data-severity")] !== false && (!rule || el.getAttribute("data-rule") === rule);
      el.classList.toggle("is-filtered", !ok);
      if (ok) { shown += 1; }
    });
    if (count) {
      count.textContent = count.getAttribute("data-template")
        .replace("{shown}", String(shown)).replace("{total}", String(items.length));
    }
  }
  if (form) {
    // a link may preset the filters: report.html#severity=error,warning&rule=seal-missing
    var preset = (window.location.hash || "").slice(1);
    if (preset.indexOf("=") > 0) {
      preset.split("&").forEach(function (pair) {
        var kv = pair.split("="), key = decodeURIComponent(kv[0] || ""), val = decodeURIComponent(kv[1] || "");
        if (key === "severity") {
          var keep = val.split(",");
          each(form.querySelectorAll("input[name=severity]"), function (c) { c.checked = keep.indexOf(c.value) >= 0; });
        } else if (key === "rule") {
          var sel = form.querySelector("select[name=rule]");
          each(sel.options, function (o) { if (o.value === val) { sel.value = val; } });
        }
      });
    }
    form.hidden = false;
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
    apply();
  }
  function mark(img) { img.setAttribute("data-natural-width", String(img.naturalWidth || 0)); }
  each(document.images, function (img) {
    if (img.complete) { mark(img); }
    img.addEventListener("load", function () { mark(img); });
    img.addEventListener("error", function () { mark(img); });
  });
  window.addEventListener("load", function () {
    each(document.images, mark);
    document.documentElement.setAttribute("data-loaded", "true");
  });
})();
"""

__all__ = ["render", "render_package", "render_html", "page_images", "rule_docs", "FindingImages", "Embedded", "LABELS"]
