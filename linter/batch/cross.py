"""The batch-scope checks (``Check.scope == "batch"``), judged across the reports of a batch, and
``--since``: each finding new, unchanged or fixed against a previous summary."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from ..check import BatchItem
from ..engine import finding_entry

CHANGE_NEW, CHANGE_UNCHANGED, CHANGE_FIXED = "new", "unchanged", "fixed"


def apply_cross_package(items, programs: dict, checks: dict) -> None:
    """Judge every batch-scope rule over the packages whose program uses it, and add its findings
    to their reports (findings, summary counts, rules). ``items``: :class:`shenbao.batch.Item`."""
    from . import job_program

    rules: dict[str, list[BatchItem]] = {}
    for item in items:
        report = item.report
        if report is None:
            continue
        program = job_program(item.job, programs) if item.job["program"] in programs else None
        entries = {c["rule"]: c for c in (program.checks if program else [])}
        for rule, got in (report.get("cross_package") or {}).items():
            if rule not in checks or rule not in entries or "data" not in got:
                continue
            entry = entries[rule]
            params = {**program.params, **(entry.get("params") or {}), "basis": entry.get("basis") or ""}
            if entry.get("severity"):
                params["severity"] = entry["severity"]
            rules.setdefault(rule, []).append(BatchItem(item.name, program.id, params, got["data"]))
    by_name = {i.name: i for i in items}
    added: dict[str, dict[str, int]] = {}
    for rule, members in sorted(rules.items()):
        cls = checks[rule]
        try:
            found = list(cls().judge(members))
        except Exception as exc:  # noqa: BLE001 - a crashing batch check is noted, the batch goes on
            for m in members:
                by_name[m.package].note.append(f"检查 {rule} 运行出错 / check {rule} crashed: {exc}")
            continue
        for name, finding in found:
            report = by_name[name].report
            report["findings"].append(finding_entry(finding, report.get("lang") or "zh"))
            added.setdefault(name, {})
            added[name][rule] = added[name].get(rule, 0) + 1
        for m in members:
            report = by_name[m.package].report
            n = added.get(m.package, {}).get(rule, 0)
            report["rules"] = [r for r in report.get("rules", []) if r.get("id") != rule]
            report["rules"].append({"id": rule, "title": cls.title, "title_en": cls.title_en, "severity": cls.severity,
                                    "findings": n, "status": "ran", "scope": "batch"})
    for item in items:
        if item.report is not None:
            recount(item.report)


def recount(report: dict) -> None:
    s = report["summary"]
    f = report.get("findings") or []
    s["errors"] = sum(1 for x in f if x.get("severity") == "error")
    s["warnings"] = sum(1 for x in f if x.get("severity") == "warning")
    s["infos"] = sum(1 for x in f if x.get("severity") == "info")
    s["uncertain"] = sum(1 for x in f if x.get("uncertain"))
    s["passed"] = sum(1 for r in report.get("rules") or [] if r.get("findings") == 0 and r.get("status") != "crashed")


class SinceError(Exception):
    pass


def read_previous(path: Path) -> dict[str, dict[str, dict]]:
    """``{package: {fingerprint: finding}}`` from a previous ``summary.json``."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SinceError(f"{path}: 无法读取上次的汇总 / cannot read the previous summary: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("packages"), list) or data.get("kind") != "shenbao-batch-summary":
        raise SinceError(f"{path}: 不是 shenbao batch 生成的 summary.json / not a summary.json written by shenbao batch")
    out: dict[str, dict[str, dict]] = {}
    for p in data["packages"]:
        if isinstance(p, dict) and isinstance(p.get("package"), str):
            out[p["package"]] = {f["fingerprint"]: f for f in p.get("findings") or []
                                 if isinstance(f, dict) and f.get("fingerprint") and f.get("change") != CHANGE_FIXED}
    return out


def mark_changes(items, previous: Optional[dict[str, dict[str, dict]]]) -> None:
    """Set ``change`` on each finding (new / unchanged) and ``fixed`` on each report: the previous
    run's findings of that package whose fingerprint is gone."""
    if previous is None:
        return
    for item in items:
        if item.report is None:
            continue
        before = previous.get(item.name, {})
        now = set()
        for f in item.report["findings"]:
            fp = f.get("fingerprint")
            now.add(fp)
            f["change"] = CHANGE_UNCHANGED if fp in before else CHANGE_NEW
        item.report["fixed"] = [{**f, "change": CHANGE_FIXED} for fp, f in sorted(before.items()) if fp not in now]
