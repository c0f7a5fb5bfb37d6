"""The ``sarif`` format: SARIF 2.1.0 for GitHub code scanning, Azure DevOps and SARIF viewers.

Conventions for documents (SARIF regions are text lines; ours are pages):

* ``region.startLine`` is the 1-based page number, or 1 when a finding has no page;
  ``properties.page`` and ``properties.bbox`` (fractions of the page, origin top left) say exactly
  where on the page.
* ``artifactLocation.uri`` is the path relative to the package, percent-encoded (RFC 3986: a
  file called ``营业执照 (1).pdf`` becomes ``%E8%90%A5...%20(1).pdf``), with ``uriBaseId``
  ``PACKAGE``. ``run.originalUriBaseIds.PACKAGE`` is the package folder's ``file:`` URI when the
  report has an absolute path for it (``report["package_uri"]``, or an absolute ``package``).
* Package-level findings (a missing material, a cross-file mismatch) point at the package folder
  itself, ``uri: "./"``.
* ``partialFingerprints["shenbao/v1"]`` is the finding's fingerprint (see
  :func:`shenbao.reporters.finding_fingerprint`), stable across runs and wording changes.
"""
from __future__ import annotations

import json
import os
from pathlib import PurePosixPath, PureWindowsPath, Path
from typing import Any, Optional
from urllib.parse import quote

from ._common import finding_fix, finding_message, is_en, rule_title

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://pypi.org/project/shenbao-lint/"
FINGERPRINT_KEY = "shenbao/v1"
URI_BASE_ID = "PACKAGE"
PACKAGE_ROOT_URI = "./"

LEVELS = {"error": "error", "warning": "warning", "info": "note"}

# RFC 3986 path characters left as they are: unreserved and sub-delims, "/" and "@". ":" is
# encoded, so a relative reference never looks like it has a scheme.
_SAFE = "/!$&'()*+,;=@-._~"

MIME = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "tiff": "image/tiff",
    "bmp": "image/bmp",
    "gif": "image/gif",
    "webp": "image/webp",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "ofd": "application/ofd",
    "zip": "application/zip",
    "rar": "application/vnd.rar",
}


def path_to_uri(path: str) -> str:
    """A package-relative POSIX path as a relative URI reference (percent-encoded UTF-8)."""
    path = path.replace("\\", "/")
    return quote(path, safe=_SAFE)


def package_base_uri(report: dict) -> Optional[str]:
    """The ``file:`` URI of the package folder, ending in ``/``, or None if not known."""
    uri = report.get("package_uri")
    if not uri:
        pkg = report.get("package")
        if not pkg:
            return None
        if PurePosixPath(pkg).is_absolute() and os.name != "nt":
            uri = Path(pkg).as_uri()
        elif PureWindowsPath(pkg).is_absolute():
            uri = PureWindowsPath(pkg).as_uri()
        else:
            return None
    return uri if uri.endswith("/") else uri + "/"


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _rule_descriptor(rule: dict, lang: str) -> dict:
    en = is_en(lang)
    rid = rule["id"]
    title = rule_title(rule, lang)
    other = rule.get("title") if en else rule.get("title_en")
    full = rule.get("description_en" if en else "description") or rule.get("description") or (
        f"{title} ({other})" if other and other != title else title)
    help_text = rule.get("help_en" if en else "help") or rule.get("help") or (
        f"Run `shenbao rule {rid}` for what this rule checks, why, and how to fix it."
        if en else f"运行 `shenbao rule {rid}` 查看检查内容、为何重要与如何修复。")
    severity = rule.get("severity") or "error"
    tags = ["shenbao", "compliance"]
    for t in rule.get("tags") or []:
        if t not in tags:
            tags.append(t)
    d: dict[str, Any] = {
        "id": rid,
        "name": rid,
        "shortDescription": {"text": title},
        "fullDescription": {"text": full},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
        "properties": _drop_none({
            "tags": tags,
            "title": rule.get("title"),
            "title_en": rule.get("title_en"),
            "severity": severity,
        }),
    }
    if rule.get("help_uri"):
        d["helpUri"] = rule["help_uri"]
    return d


def build(report: dict, lang: str = "zh") -> dict:
    """The SARIF log as a dict (``render`` dumps it)."""
    from . import finding_fingerprint

    findings = list(report.get("findings") or [])
    tool = report.get("tool") or {}
    program = report.get("program") or {}

    rules: list[dict] = [dict(r) for r in report.get("rules") or [] if r.get("id")]
    known = {r["id"] for r in rules}
    for f in findings:  # a finding of a rule the report did not list still needs a descriptor
        rid = f.get("rule")
        if rid and rid not in known:
            known.add(rid)
            rules.append({"id": rid, "title": rid, "title_en": rid, "severity": f.get("severity")})
    rule_index = {r["id"]: i for i, r in enumerate(rules)}

    artifacts: list[dict] = []
    artifact_index: dict[str, int] = {}
    for fe in report.get("files") or []:
        path = fe.get("path")
        if not path or path in artifact_index:
            continue
        art: dict[str, Any] = {
            "location": {"uri": path_to_uri(path), "uriBaseId": URI_BASE_ID},
            "roles": ["analysisTarget"],
        }
        mime = MIME.get(str(fe.get("format") or "").lower())
        if mime:
            art["mimeType"] = mime
        art["properties"] = _drop_none({
            "path": path,
            "format": fe.get("format"),
            "kind": fe.get("kind"),
            "pages": fe.get("pages"),
            "status": fe.get("status"),
            "materials": fe.get("materials"),
            "reason": fe.get("reason"),
            "text_source": fe.get("text_source"),
        })
        artifact_index[path] = len(artifacts)
        artifacts.append(art)

    results = []
    for f in findings:
        path = f.get("path")
        page = f.get("page")
        if path:
            loc: dict[str, Any] = {"uri": path_to_uri(path), "uriBaseId": URI_BASE_ID}
            if path in artifact_index:
                loc["index"] = artifact_index[path]
        else:
            loc = {"uri": PACKAGE_ROOT_URI, "uriBaseId": URI_BASE_ID}
        physical: dict[str, Any] = {"artifactLocation": loc, "region": {"startLine": int(page) if page else 1}}
        location: dict[str, Any] = {"physicalLocation": physical}
        if f.get("material"):
            location["logicalLocations"] = [_drop_none({
                "name": f.get("material_title") or f["material"],
                "fullyQualifiedName": f["material"],
                "kind": "material",
            })]
        fp = f.get("fingerprint") or finding_fingerprint(f)
        result: dict[str, Any] = {
            "ruleId": f.get("rule"),
            "ruleIndex": rule_index[f["rule"]],
            "level": LEVELS.get(f.get("severity") or "", "warning"),
            "message": {"text": finding_message(f, lang) or f.get("rule") or ""},
            "locations": [location],
            "partialFingerprints": {FINGERPRINT_KEY: fp},
            "properties": _drop_none({
                "page": page,
                "bbox": list(f["bbox"]) if f.get("bbox") is not None else None,
                "confidence": f.get("confidence"),
                "uncertain": bool(f.get("uncertain")),
                "material": f.get("material"),
                "material_title": f.get("material_title"),
                "evidence": f.get("evidence"),
                "fix": finding_fix(f, lang),
                "basis": f.get("basis"),
                "severity": f.get("severity"),
            }),
        }
        results.append(result)

    driver = {
        "name": tool.get("name") or "shenbao-lint",
        "version": str(tool.get("version") or ""),
        "informationUri": tool.get("information_uri") or INFORMATION_URI,
        "rules": [_rule_descriptor(r, lang) for r in rules],
    }
    if not driver["version"]:
        del driver["version"]

    base = package_base_uri(report)
    base_entry: dict[str, Any] = {"uri": base} if base else {}
    base_entry["description"] = {"text": str(report.get("package") or "")}

    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [{"executionSuccessful": True}],
        "originalUriBaseIds": {URI_BASE_ID: base_entry},
        "language": "en-US" if is_en(lang) else "zh-CN",
        "results": results,
        "properties": _drop_none({
            "program": program.get("id"),
            "program_title": program.get("title"),
            "package": report.get("package"),
            "as_of": report.get("as_of"),
            "stage": report.get("stage"),
            "summary": report.get("summary"),
        }),
    }
    if artifacts:
        run["artifacts"] = artifacts
    if program.get("id"):
        run["automationDetails"] = {"id": f"shenbao/{program['id']}/"}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(report: dict, lang: str = "zh") -> str:
    return json.dumps(build(report, lang), ensure_ascii=False, indent=2) + "\n"
