"""The ``junit`` format: JUnit XML for CI dashboards.

One ``<testsuite>`` per package, one ``<testcase name="shenbao.<rule>" classname="<program id>">``
per rule evaluated, so dashboards show what was checked, not only what failed. A rule with error
findings fails (``<failure>`` lists them, ``path:page message`` a line); a rule with only warnings
or infos passes and lists them in ``<system-out>``.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ._common import finding_message, is_en, location_short, rule_title, severity_rank, xml_safe


def _fmt_time(seconds) -> str:
    try:
        return f"{float(seconds):.3f}"
    except (TypeError, ValueError):
        return "0"


def _line(f: dict, lang: str) -> str:
    sev = f.get("severity") or ""
    extra = ""
    if f.get("uncertain"):
        extra = " (uncertain)" if is_en(lang) else "（不确定）"
    return f"{location_short(f, lang)} [{sev}] {finding_message(f, lang)}{extra}"


def build(report: dict, lang: str = "zh") -> ET.Element:
    en = is_en(lang)
    program = report.get("program") or {}
    classname = program.get("id") or "shenbao"
    findings = list(report.get("findings") or [])

    rules = [r for r in report.get("rules") or [] if r.get("id")]
    seen = {r["id"] for r in rules}
    for f in findings:
        if f.get("rule") and f["rule"] not in seen:
            seen.add(f["rule"])
            rules.append({"id": f["rule"], "title": f["rule"], "title_en": f["rule"], "severity": f.get("severity")})

    by_rule: dict[str, list[dict]] = {}
    for f in findings:
        by_rule.setdefault(f.get("rule"), []).append(f)

    timing = report.get("timing") or {}
    suite_time = _fmt_time(timing.get("seconds", 0))
    failures = sum(1 for r in rules if any(f.get("severity") == "error" for f in by_rule.get(r["id"], [])))

    root = ET.Element("testsuites", {
        "name": xml_safe((report.get("tool") or {}).get("name") or "shenbao-lint"),
        "tests": str(len(rules)),
        "failures": str(failures),
        "errors": "0",
        "time": suite_time,
    })
    suite = ET.SubElement(root, "testsuite", {
        "name": xml_safe(str(report.get("package") or "")),
        "tests": str(len(rules)),
        "failures": str(failures),
        "errors": "0",
        "skipped": "0",
        "time": suite_time,
    })
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("program", program.get("id")),
        ("program_title", program.get("title")),
        ("as_of", report.get("as_of")),
        ("stage", report.get("stage")),
        ("tool_version", (report.get("tool") or {}).get("version")),
    ):
        if value is not None:
            ET.SubElement(props, "property", {"name": name, "value": xml_safe(str(value))})

    for r in rules:
        fs = sorted(by_rule.get(r["id"], []),
                    key=lambda f: (severity_rank(f.get("severity")), f.get("path") or "", f.get("page") or 0))
        case = ET.SubElement(suite, "testcase", {
            "name": xml_safe(f"shenbao.{r['id']}"),
            "classname": xml_safe(classname),
            "time": "0",
        })
        errors = [f for f in fs if f.get("severity") == "error"]
        others = [f for f in fs if f.get("severity") != "error"]
        title = rule_title(r, lang)
        if errors:
            if len(errors) == 1:
                message = _line(errors[0], lang)
            else:
                message = (f"{len(errors)} errors: {title}" if en else f"{len(errors)} 项错误：{title}")
            failure = ET.SubElement(case, "failure", {"message": xml_safe(message), "type": "error"})
            failure.text = xml_safe("\n".join(_line(f, lang) for f in errors))
        if others:
            out = ET.SubElement(case, "system-out")
            out.text = xml_safe("\n".join(_line(f, lang) for f in others))
    return root


def render(report: dict, lang: str = "zh") -> str:
    root = build(report, lang)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
