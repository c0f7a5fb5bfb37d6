"""One run: discover -> extract -> classify -> facts -> checks -> report dict.

Checks are cheap and pure; extraction is the expensive part and runs in worker processes with a
content-hash cache. The report is deterministic: files, segments and findings are sorted, and
timings live only under ``timing``.
"""
from __future__ import annotations

import datetime as dt
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from . import __version__
from .check import Check, CheckContext, Program
from .classify import classify_package, compile_kinds
from .discover import Skipped, discover, display_name
from .facts.collect import collect_facts, identify_applicant
from .model import Document, Finding, Segment
from .reporters import finding_fingerprint


@dataclass
class RunOptions:
    as_of: Optional[dt.date] = None
    stage: str = "enterprise"
    lang: str = "zh"
    jobs: int = 1
    cache_dir: Optional[Path] = None
    use_cache: bool = True
    ocr_engine: str = "rapidocr"
    ocr: bool = True
    ocr_det_side: int = 1280  # long side of the OCR detector's input (ExtractSettings.ocr_det_side)
    # onnxruntime threads when files are read in this process (jobs 1): a batch running several
    # packages at once on one machine gives each a share of the cores, not two threads each
    ocr_threads: int = 2
    timeout_seconds: float = 120.0  # per step: opening a file, reading or OCR-ing one page
    max_pages: int = 2000  # per document (ExtractSettings.max_pages)
    max_image_pixels: int = 80_000_000  # decompression-bomb bound (ExtractSettings.max_image_pixels)
    # whole run: after this many seconds no further page is read (pages left are listed as not
    # read, Document.unread_pages); 0 = no budget
    time_budget: float = 600.0
    progress: Optional[Callable[[int, int, str], None]] = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extra_plugins: tuple[str, ...] = field(default_factory=tuple)
    evidence_dir: Optional[Path] = None  # write evidence crops here (outside the package)
    # `shenbao batch`: keep what the batch-scope checks need (report["cross_package"])
    cross_package: bool = False


def all_checks(pm) -> dict[str, type[Check]]:
    checks: dict[str, type[Check]] = {}
    for result in pm.hook.shenbao_add_checks():
        for cls in result or []:
            if cls.rule in checks and checks[cls.rule] is not cls:
                raise ValueError(f"规则 id 重复 / duplicate rule id: {cls.rule}")
            checks[cls.rule] = cls
    return dict(sorted(checks.items()))


def all_kinds(pm) -> list[dict]:
    """Every plugin's material kinds, each plugin's list checked against ``kinds.schema.json``
    (a bad entry is an error naming the plugin, the entry and the key)."""
    from .materials import validate_kinds
    from .programs import _plugin_origin

    kinds: list[dict] = []
    for impl in reversed(pm.hook.shenbao_add_materials.get_hookimpls()):  # registration order
        result = impl.function()
        if result:
            kinds.extend(validate_kinds(result, _plugin_origin(impl)))
    return kinds


def extract_documents(files, skipped: list[Skipped], options: RunOptions, pm_factory,
                      deadline: float = 0.0) -> list[Document]:
    """Extract every file; ``deadline`` (``time.time()``, 0 = none) is when the time budget runs out."""
    from .extract import ExtractSettings, extract_all
    from .extract.cache import Cache

    settings = ExtractSettings(ocr_engine=options.ocr_engine, ocr=options.ocr, ocr_det_side=options.ocr_det_side,
                               timeout_seconds=options.timeout_seconds,
                               max_pages=options.max_pages, max_image_pixels=options.max_image_pixels,
                               deadline=deadline)
    cache = Cache(options.cache_dir) if options.use_cache else None
    docs = extract_all(files, settings, jobs=options.jobs, cache=cache, progress=options.progress, pm_factory=pm_factory,
                       ocr_threads=options.ocr_threads)
    for s in skipped:
        docs.append(Document(path=s.path, kind="unreadable", format="", error=s.reason, error_en=s.reason_en))
    docs.sort(key=lambda d: d.path)
    return docs


def run_checks(ctx: CheckContext, checks: dict[str, type[Check]], options: RunOptions,
               crashed: Optional[list[str]] = None) -> tuple[list[Finding], list[str]]:
    """Run the program's checks; a crash inside one check becomes a finding about it, and its rule
    is added to ``crashed`` (reported as crashed, never as passed)."""
    findings: list[Finding] = []
    evaluated: list[str] = []
    for entry in ctx.program.checks:
        rule = entry["rule"]
        if options.select and not any(rule.startswith(s) for s in options.select):
            continue
        if any(rule.startswith(s) for s in options.ignore):
            continue
        cls = checks.get(rule)
        if cls is None:
            findings.append(Finding("internal-error", "warning",
                                    f"程序包引用了未安装的规则 {rule}，已跳过。",
                                    f"The program uses rule {rule}, which no installed plugin provides; skipped."))
            continue
        if getattr(cls, "scope", "package") == "batch":
            continue  # judged across packages by `shenbao batch` (shenbao.batch.cross), not here
        params = {**ctx.program.params, **(entry.get("params") or {})}
        if entry.get("severity"):
            params["severity"] = entry["severity"]
        params["basis"] = entry.get("basis") or ""
        evaluated.append(rule)
        try:
            findings.extend(cls().run(ctx, params) or [])
        except Exception as exc:  # noqa: BLE001 - one check's crash must not stop the others
            tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
            if crashed is not None:
                crashed.append(rule)
            findings.append(Finding("internal-error", "warning",
                                    f"检查 {rule} 运行出错，结果不完整：{tb}",
                                    f"Check {rule} crashed; its result is incomplete: {tb}"))
    return findings, evaluated


def analyse(package: Path, docs: list[Document], program: Program, options: RunOptions, pm,
            as_of: Optional[dt.date] = None) -> dict:
    """The one seam from read documents to the report: classify → facts → checks → report. ``check``
    runs it on extracted files, the tests on documents built in memory."""
    as_of = as_of or options.as_of or dt.date.today()
    kinds = compile_kinds(all_kinds(pm))
    segments = classify_package(docs, program, kinds)
    facts = collect_facts(docs, segments, program, kinds)
    ctx = CheckContext(
        program=program,
        as_of=as_of,
        documents={d.path: d for d in docs},
        segments=segments,
        facts=facts,
        applicant=identify_applicant(facts, segments, program),
        stage=options.stage,
        lang=options.lang,
        kinds=kinds,
    )
    checks = all_checks(pm)
    crashed: list[str] = []
    findings, evaluated = run_checks(ctx, checks, options, crashed)
    report = build_report(package, program, ctx, docs, segments, findings, evaluated, checks, options, crashed)
    if options.cross_package:
        report["cross_package"] = collect_cross_package(ctx, checks, options)
    return report


def collect_cross_package(ctx: CheckContext, checks: dict[str, type[Check]], options: RunOptions) -> dict:
    """What each batch-scope check of the program needs of this package (``Check.collect``), by rule.
    A crash is kept as ``{"error": ...}`` and shown by the batch, never raised."""
    out: dict = {}
    for entry in ctx.program.checks:
        rule = entry["rule"]
        cls = checks.get(rule)
        if cls is None or getattr(cls, "scope", "package") != "batch":
            continue
        if options.select and not any(rule.startswith(s) for s in options.select):
            continue
        if any(rule.startswith(s) for s in options.ignore):
            continue
        params = {**ctx.program.params, **(entry.get("params") or {})}
        try:
            out[rule] = {"data": cls().collect(ctx, params)}
        except Exception as exc:  # noqa: BLE001 - one check's crash must not stop the package
            out[rule] = {"error": traceback.format_exception_only(type(exc), exc)[-1].strip()}
    return out


def lint_package(package: Path, program: Program, options: RunOptions, pm, pm_factory=None) -> dict:
    t0 = time.monotonic()
    deadline = time.time() + options.time_budget if options.time_budget and options.time_budget > 0 else 0.0
    as_of = options.as_of or dt.date.today()
    files, skipped = discover(package)
    t1 = time.monotonic()
    docs = extract_documents(files, skipped, options, pm_factory, deadline=deadline)
    t_extract = time.monotonic() - t1
    report = analyse(package, docs, program, options, pm, as_of)
    if options.evidence_dir is not None:
        from .evidence import write_crops

        write_crops(report["findings"], {rel: path for path, rel in files}, {d.path: d.kind for d in docs},
                    options.evidence_dir)
    report["timing"] = {"seconds": round(time.monotonic() - t0, 3), "extract_seconds": round(t_extract, 3)}
    return report


# -- report assembly -----------------------------------------------------------------------------

def _text_source(doc: Document) -> str:
    sources = {p.source for p in doc.pages}
    if not sources:
        return "none"
    if len(sources) == 1:
        return sources.pop()
    return "mixed"


# A classification this close to its runner-up (scores 0..1) is shown to the user as a close call.
LOW_MARGIN = 0.2


def _segment_entry(s: Segment, program: Program, lang: str) -> dict:
    def title(mid):
        m = program.material(mid) if mid else None
        return None if m is None else (m.title if lang == "zh" else (m.title_en or m.title))

    low = (s.material is not None and s.runner_up not in (None, s.material)
           and s.score - s.runner_up_score < LOW_MARGIN)
    return {"pages": [s.first_page, s.last_page], "material": s.material, "material_title": title(s.material),
            "score": round(s.score, 3), "runner_up": s.runner_up, "runner_up_title": title(s.runner_up),
            "runner_up_score": round(s.runner_up_score, 3), "reason": s.reason, "low_margin": low}


def finding_entry(f: Finding, lang: str) -> dict:
    """A finding as the JSON report holds it (``findings[]``)."""
    item = {
        "rule": f.rule, "severity": f.severity,
        "message": f.message if lang == "zh" else f.message_en,
        "message_zh": f.message, "message_en": f.message_en,
        "material": f.material, "material_title": f.material_title,
        "path": f.path, "page": f.page,
        "bbox": [round(v, 4) for v in f.bbox] if f.bbox else None,
        "evidence": f.evidence, "confidence": f.confidence, "uncertain": f.uncertain,
        "fix": (f.fix if lang == "zh" else (f.fix_en or f.fix)),
        "basis": f.basis,
    }
    item["fingerprint"] = finding_fingerprint(item)
    item["evidence_image"] = None  # set by --evidence (linter/evidence.py)
    return item


def build_report(package: Path, program: Program, ctx: CheckContext, docs: list[Document], segments: list[Segment],
                 findings: list[Finding], evaluated: list[str], checks: dict[str, type[Check]], options: RunOptions,
                 crashed: Iterable[str] = ()) -> dict:
    lang = options.lang
    order = {m.id: m.order for m in program.materials}
    findings = sorted(findings, key=lambda f: (order.get(f.material, 999) if f.material else 1000, *f.sort_key()))

    materials = []
    for m in program.materials:
        segs = [s for s in segments if s.material == m.id]
        files = [{"path": s.path, "pages": s.pages} for s in segs]
        if segs:
            status = "present"
        elif m.required is True:
            status = "missing"
        else:
            status = "not-provided"
        materials.append({"id": m.id, "title": m.title, "title_en": m.title_en or m.title, "section": m.section, "required": m.required,
                          "status": status, "files": files})

    file_entries = []
    segs_by_path: dict[str, list[Segment]] = {}  # one pass: a package may hold 10 000 files
    for s in segments:
        segs_by_path.setdefault(s.path, []).append(s)
    for d in docs:
        mats = sorted({s.material for s in segs_by_path.get(d.path, ()) if s.material}, key=lambda x: order.get(x, 999))
        if d.kind == "unreadable":
            status, reason = "unreadable", d.error if lang == "zh" else d.error_en
        elif d.kind == "unsupported":
            status, reason = "unsupported", d.error if lang == "zh" else d.error_en
        elif mats:
            status, reason = "classified", None
        else:
            status, reason = "unrecognised", ("未能识别为任何申报材料" if lang == "zh" else "not recognised as any material")
        segs = [s for s in segs_by_path.get(d.path, ()) if s.first_page > 0]
        separators = sorted(p for s in segs if s.reason == "separator" for p in s.pages)
        unrecognised_pages = sorted(p for s in segs if s.material is None and s.reason != "separator" for p in s.pages) if mats else []
        file_entries.append({"path": d.path, "format": d.format, "kind": d.kind, "pages": len(d.pages),
                             "materials": mats, "status": status, "reason": reason, "text_source": _text_source(d),
                             "unrecognised_pages": unrecognised_pages, "separator_pages": separators})
        # why each page range got its material, and what came second: a close call is shown, not hidden
        file_entries[-1]["segments"] = [_segment_entry(s, program, lang) for s in segs if s.reason != "separator"]
        if d.unread_pages:  # the time budget ran out before these pages were read
            file_entries[-1]["unread_pages"] = list(d.unread_pages)

    out_findings = [finding_entry(f, lang) for f in findings]

    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    rules = []
    for rule in evaluated:
        cls = checks[rule]
        rules.append({"id": rule, "title": cls.title, "title_en": cls.title_en, "severity": cls.severity,
                      "findings": sum(1 for f in findings if f.rule == rule),
                      "status": "crashed" if rule in crashed else "ran"})
    passed = sum(1 for r in rules if r["findings"] == 0 and r["status"] != "crashed")
    from .reporters.json_report import digital_signature_entries

    signatures = digital_signature_entries(docs, lang)
    report = {
        "tool": {"name": "shenbao-lint", "version": __version__},
        "schema_version": 1,
        "program": {"id": program.id, "title": program.title, "title_en": program.title_en, "source": program.source,
                    "region": program.region or None,
                    "notice_date": program.notice_date.isoformat() if program.notice_date else None,
                    "deadline": program.deadline.isoformat() if program.deadline else None},
        "package": display_name(str(package)),  # a GBK-named folder must not make the report invalid UTF-8
        "as_of": ctx.as_of.isoformat(),
        "stage": options.stage,
        "lang": lang,
        "applicant": {"name": ctx.applicant.name, "credit_code": ctx.applicant.credit_code},
        "summary": {"errors": counts["error"], "warnings": counts["warning"], "infos": counts["info"],
                    "passed": passed, "uncertain": sum(1 for f in findings if f.uncertain),
                    "files": len(docs), "pages": sum(len(d.pages) for d in docs)},
        "materials": materials,
        "files": file_entries,
        "findings": out_findings,
        "rules": rules,
    }
    if signatures:  # evidence, not findings: present only when a PDF carries signature fields
        report["digital_signatures"] = signatures
    return report
