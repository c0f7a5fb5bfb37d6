"""The base class of every check, and the context a check reads.

A check is one small class in one file under ``checks/``. It has a stable ``rule`` id, a title and
documentation in Chinese and English (shown by ``shenbao rule ID``), and a ``run`` method that reads
the extracted package model and the program's parameters, never the files, and yields findings.

Docs follow ruff's fixed sections. The class docstring is the Chinese text and ``doc_en`` the
English; both use the headings 检查内容/What it checks, 为何重要/Why, 如何修复/How to fix.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable, Optional

from .model import BBox, Document, Fact, Finding, Segment


class Check:
    rule: ClassVar[str] = ""
    title: ClassVar[str] = ""
    title_en: ClassVar[str] = ""
    severity: ClassVar[str] = "error"  # default; a program may override per check
    doc_en: ClassVar[str] = ""
    # The params this check reads (from its entry in a pack's ``checks:`` or the pack's ``params:``),
    # each a JSON Schema with a description: a pack naming a param no check declares, or of the
    # wrong type, is an error naming its file and key (programs.check_params); ``shenbao rule`` shows them.
    params_schema: ClassVar[dict[str, dict]] = {}
    # "package": judged on one package (``run``). "batch": judged across the packages of a
    # ``shenbao batch`` (``collect`` reads each package in the worker, ``judge`` compares them in the
    # client); ``check`` on one package does not run it, nor count it as passed.
    scope: ClassVar[str] = "package"

    def run(self, ctx: "CheckContext", params: dict[str, Any]) -> Iterable[Finding]:  # pragma: no cover
        raise NotImplementedError

    def collect(self, ctx: "CheckContext", params: dict[str, Any]) -> Any:  # pragma: no cover
        """A batch-scope check: what it needs of one package, as JSON-able data (kept in the
        package's report under ``cross_package``, so it travels from a worker and is cached)."""
        return None

    def judge(self, items: list["BatchItem"]) -> Iterable[tuple[str, Finding]]:  # pragma: no cover
        """A batch-scope check: ``(package name, finding)`` for each problem across ``items``."""
        return ()


@dataclass
class BatchItem:
    """One package as a batch-scope check sees it: its name in the inbox, its program, the check's
    params for that program (``basis`` and ``severity`` included) and what ``collect`` returned."""

    package: str
    program: str
    params: dict
    data: Any


@dataclass
class Material:
    """One item of a program's materials list, as loaded from the pack."""

    id: str
    title: str
    kind: str
    order: int
    section: str = ""
    # True, False, "warn" (missing is a warning) or "info" (an item the notice implies but does not
    # list: missing is only noted, never a finding that fails or warns)
    required: Any = True
    requirements: dict = field(default_factory=dict)
    basis: str = ""
    recognise: dict = field(default_factory=dict)
    note: str = ""
    title_en: str = ""
    facts: Optional[list] = None  # fact readers named by the pack; None: the kind's (kinds.yaml)
    # groups of kinds that together stand in for it (a new company's 情况说明 + 开户证明 for the audit)
    any_of: list = field(default_factory=list)


@dataclass
class Program:
    id: str
    title: str
    title_en: str
    source: str
    basis: dict
    notice_date: Optional[dt.date]  # None: the guide gives none and the run did not (--notice-date)
    deadline: Optional[dt.date]
    region: str
    params: dict
    materials: list[Material]
    checks: list[dict]
    raw: dict = field(default_factory=dict)
    origin: str = ""  # file it was loaded from

    def material(self, mid: str) -> Optional[Material]:
        for m in self.materials:
            if m.id == mid:
                return m
        return None

    def materials_of_kind(self, kind: str) -> list[Material]:
        return [m for m in self.materials if m.kind == kind]


@dataclass
class Applicant:
    """Who the package is for, as the package itself says (licence first, then the forms)."""

    name: Optional[str] = None
    name_source: Optional[Fact] = None
    credit_code: Optional[str] = None
    credit_code_source: Optional[Fact] = None


@dataclass
class CheckContext:
    program: Program
    as_of: dt.date
    documents: dict[str, Document]
    segments: list[Segment]
    facts: list[Fact]
    applicant: Applicant
    stage: str = "enterprise"  # or "county": the county-forwarded package
    lang: str = "zh"
    kinds: Optional[dict] = None  # the compiled material kinds of the run (plugins' included)

    # -- navigation -------------------------------------------------------------------------
    def segments_of(self, material_id: str) -> list[Segment]:
        return [s for s in self.segments if s.material == material_id]

    def segments_of_kind(self, kind: str) -> list[Segment]:
        ids = {m.id for m in self.program.materials if m.kind == kind}
        return [s for s in self.segments if s.material in ids]

    def facts_of(self, kind: str, material: Optional[str] = None, material_kind: Optional[str] = None) -> list[Fact]:
        out = []
        for f in self.facts:
            if f.kind != kind:
                continue
            if material is not None or material_kind is not None:
                seg = self.segment_at(f.path, f.page)
                if seg is None:
                    continue
                if material is not None and seg.material != material:
                    continue
                if material_kind is not None:
                    m = self.program.material(seg.material) if seg.material else None
                    if m is None or m.kind != material_kind:
                        continue
            out.append(f)
        return out

    def segment_at(self, path: str, page: Optional[int]) -> Optional[Segment]:
        index = self.__dict__.get("_segments_by_path")  # built once: packages may hold 10 000 files
        if index is None or index[0] is not self.segments or index[1] != len(self.segments):
            by_path: dict[str, list[Segment]] = {}
            for s in self.segments:
                by_path.setdefault(s.path, []).append(s)
            index = self.__dict__["_segments_by_path"] = (self.segments, len(self.segments), by_path)
        for s in index[2].get(path, ()):
            if page is None or s.first_page <= 0 or s.first_page <= page <= s.last_page:
                return s
        return None

    def material_of(self, path: str, page: Optional[int]) -> Optional[Material]:
        seg = self.segment_at(path, page)
        return self.program.material(seg.material) if seg and seg.material else None

    def page(self, path: str, number: int):
        doc = self.documents.get(path)
        if doc and 1 <= number <= len(doc.pages):
            return doc.pages[number - 1]
        return None

    # -- making findings --------------------------------------------------------------------
    def finding(
        self,
        check: Check,
        params: dict,
        message: str,
        message_en: str,
        *,
        path: Optional[str] = None,
        page: Optional[int] = None,
        material: Optional[str] = None,
        bbox: Optional[BBox] = None,
        evidence: Optional[str] = None,
        confidence: Optional[float] = None,
        uncertain: bool = False,
        severity: Optional[str] = None,
        fix: Optional[str] = None,
        fix_en: Optional[str] = None,
        basis: Optional[str] = None,
    ) -> Finding:
        """Build a finding; the material is looked up from path/page when not given.

        An uncertain finding (a fact OCR could not read with confidence) is never an error: it is
        a warning that shows the evidence, so the user looks rather than trusts a guess.
        """
        if material is None and path is not None:
            m = self.material_of(path, page)
            material = m.id if m else None
        mat = self.program.material(material) if material else None
        sev = severity or params.get("severity") or check.severity
        if uncertain and sev == "error":
            sev = "warning"
        return Finding(
            rule=check.rule,
            severity=sev,
            message=message,
            message_en=message_en,
            path=path,
            page=page,
            material=material,
            material_title=mat.title if mat else None,
            bbox=bbox,
            evidence=evidence,
            confidence=None if confidence is None else round(float(confidence), 3),
            uncertain=uncertain,
            fix=fix,
            fix_en=fix_en,
            basis=basis or params.get("basis") or (mat.basis if mat else None),
        )

