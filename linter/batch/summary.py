"""The batch's outputs: ``summary.json`` (the data), ``summary.csv``, ``summary.xlsx`` (a row per
package, frozen header and filters, and a sheet of all findings) and ``index.html`` (one
self-contained page, no network), all built from the same rows."""
from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path
from typing import Optional

from .. import __version__
from ..reporters._common import SEVERITY_ORDER

VERDICTS = {  # verdict -> (zh, en)
    "failed": ("检查失败", "check failed"),
    "errors": ("有错误", "errors"),
    "warnings": ("有警告", "warnings"),
    "passed": ("未发现问题", "no problems found"),
}
SEVERITY_LABEL = {"error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "info")}
CHANGE_LABEL = {"new": ("新增", "new"), "unchanged": ("未变", "unchanged"), "fixed": ("已修复", "fixed")}


def _en(lang: str) -> bool:
    return (lang or "zh").startswith("en")


def _t(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if _en(lang) else pair[0]


def safe_name(name: str, taken: set[str]) -> str:
    """A file name for a package's report: the package's name with path-hostile characters
    replaced, unique among ``taken``."""
    base = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(" .") or "package"
    out, k = base, 2
    while out.lower() in taken:
        out, k = f"{base} ({k})", k + 1
    taken.add(out.lower())
    return out


# -- rows -------------------------------------------------------------------------------------------

def _compact(f: dict) -> dict:
    keep = ("rule", "severity", "uncertain", "message_zh", "message_en", "material", "material_title", "path", "page",
            "fix", "basis", "fingerprint", "change")
    return {k: f.get(k) for k in keep if k in f}


# Among findings of one severity, the one shown as the worst: a file that cannot be read (the cause
# of the materials then missing), then what only a batch sees, then the report's order.
_FIRST = {"file-unreadable": 0, "invoice-reused": 1, "applicant-duplicate": 1}


def worst_finding(findings: list[dict]) -> Optional[dict]:
    ranked = sorted(enumerate(findings), key=lambda t: (SEVERITY_ORDER.get(t[1].get("severity"), 9),
                                                         bool(t[1].get("uncertain")), _FIRST.get(t[1]["rule"], 2), t[0]))
    return ranked[0][1] if ranked and ranked[0][1].get("severity") in ("error", "warning") else None


def package_row(item, report_file: str, html_file: Optional[str], lang: str) -> dict:
    """One package as the summaries show it."""
    row = {"package": item.name, "report": report_file, "html_report": html_file, "program": item.job["program"],
           "notes": list(item.note)}
    r = item.report
    if r is None:
        row.update({"enterprise": None, "credit_code": None, "verdict": "failed", "errors": 0, "warnings": 0,
                    "infos": 0, "uncertain": 0, "by_rule": {}, "worst": None, "findings": [],
                    "error": item.failed})
        return row
    s = r["summary"]
    by_rule: dict[str, dict[str, int]] = {}
    for f in r["findings"]:
        c = by_rule.setdefault(f["rule"], {"error": 0, "warning": 0, "info": 0, "uncertain": 0})
        c[f.get("severity") if f.get("severity") in c else "info"] += 1
        if f.get("uncertain"):
            c["uncertain"] += 1
    verdict = "errors" if s["errors"] else "warnings" if s["warnings"] else "passed"
    if not s.get("files"):
        row["notes"].insert(0, "empty package: no files" if _en(lang) else "空的申报包：没有任何文件")
    worst = worst_finding(r["findings"])
    row.update({
        "enterprise": (r.get("applicant") or {}).get("name"),
        "credit_code": (r.get("applicant") or {}).get("credit_code"),
        "verdict": verdict, "errors": s["errors"], "warnings": s["warnings"], "infos": s.get("infos", 0),
        "uncertain": s.get("uncertain", 0), "by_rule": dict(sorted(by_rule.items())),
        "worst": _compact(worst) if worst else None,
        "findings": [_compact(f) for f in r["findings"]],
    })
    if "fixed" in r:
        row["fixed"] = [_compact(f) for f in r["fixed"]]
        row["new"] = sum(1 for f in r["findings"] if f.get("change") == "new")
    return row


def summary_data(rows: list[dict], *, inbox: str, lang: str, as_of: Optional[str], since: Optional[str],
                 not_packages: list, notes: list[str]) -> dict:
    return {
        "kind": "shenbao-batch-summary", "schema_version": 1,
        "tool": {"name": "shenbao-lint", "version": __version__},
        "inbox": inbox, "lang": lang, "as_of": as_of, "since": since,
        "totals": {"packages": len(rows), **{v: sum(1 for r in rows if r["verdict"] == v) for v in VERDICTS}},
        "packages": rows,
        "not_packages": [{"name": n.name, "reason": n.reason, "reason_en": n.reason_en} for n in not_packages],
        "notes": notes,
    }


def _msg(f: Optional[dict], lang: str) -> str:
    if not f:
        return ""
    text = (f.get("message_en") if _en(lang) else f.get("message_zh")) or f.get("message_zh") or f.get("message_en") or ""
    where = f.get("path") or ""
    if where and f.get("page"):
        where += f" p.{f['page']}" if _en(lang) else f" 第 {f['page']} 页"
    return f"[{f['rule']}] {text}" + (f"（{where}）" if where and not _en(lang) else f" ({where})" if where else "")


def _rule_cell(c: dict, lang: str) -> str:
    if _en(lang):
        parts = [f"E{c['error']}" if c["error"] else "", f"W{c['warning']}" if c["warning"] else "",
                 f"I{c['info']}" if c["info"] else "", f"(U{c['uncertain']})" if c["uncertain"] else ""]
    else:
        parts = [f"错{c['error']}" if c["error"] else "", f"警{c['warning']}" if c["warning"] else "",
                 f"提{c['info']}" if c["info"] else "", f"(待核实{c['uncertain']})" if c["uncertain"] else ""]
    return " ".join(p for p in parts if p)


def _rules_of(rows: list[dict]) -> list[str]:
    return sorted({rule for r in rows for rule in r["by_rule"]})


def table(data: dict) -> tuple[list[str], list[list]]:
    """The summary sheet's header and rows (also the csv)."""
    lang = data["lang"]
    en = _en(lang)
    rows = data["packages"]
    since = data.get("since") is not None
    head = (["Package", "Enterprise", "Credit code", "Program", "Verdict", "Errors", "Warnings", "Uncertain",
             "Worst finding"] if en else
            ["申报包", "企业名称", "统一社会信用代码", "项目", "结论", "错误", "警告", "待核实", "最严重的问题"])
    if since:
        head += ["New", "Fixed"] if en else ["新增", "已修复"]
    head += ["Report", "HTML report", "Notes"] if en else ["报告", "HTML 报告", "备注"]
    rules = _rules_of(rows)
    head += rules
    out = []
    for r in rows:
        notes = list(r.get("notes") or [])
        if r.get("error"):
            notes.insert(0, r["error"])
        line = [r["package"], r["enterprise"] or "", r["credit_code"] or "", r["program"], _t(VERDICTS[r["verdict"]], lang),
                r["errors"], r["warnings"], r["uncertain"], _msg(r["worst"], lang)]
        if since:
            line += [r.get("new", 0), len(r.get("fixed") or [])]
        line += [r["report"] or "", r.get("html_report") or "", "；".join(notes) if not en else "; ".join(notes)]
        line += [_rule_cell(r["by_rule"][rule], lang) if rule in r["by_rule"] else "" for rule in rules]
        out.append(line)
    return head, out


def findings_table(data: dict) -> tuple[list[str], list[list]]:
    lang = data["lang"]
    en = _en(lang)
    since = data.get("since") is not None
    head = (["Package", "Enterprise", "Rule", "Severity", "Uncertain", "Material", "File", "Page", "Message", "How to fix",
             "Basis", "Fingerprint"] if en else
            ["申报包", "企业名称", "规则", "严重程度", "待核实", "材料", "文件", "页", "问题", "如何修复", "依据", "指纹"])
    if since:
        head.append("Change" if en else "变化")
    out = []
    for r in data["packages"]:
        for f in (r["findings"] or []) + (r.get("fixed") or []):
            line = [r["package"], r["enterprise"] or "", f["rule"], _t(SEVERITY_LABEL.get(f.get("severity"), ("", "")), lang),
                    ("yes" if en else "是") if f.get("uncertain") else "", f.get("material_title") or f.get("material") or "",
                    f.get("path") or "", f.get("page") or "",
                    (f.get("message_en") if en else f.get("message_zh")) or "", f.get("fix") or "", f.get("basis") or "",
                    f.get("fingerprint") or ""]
            if since:
                line.append(_t(CHANGE_LABEL.get(f.get("change") or "", ("", "")), lang))
            out.append(line)
    return head, out


# -- writers ----------------------------------------------------------------------------------------

def write_json(data: dict, path: Path) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")


def write_csv(data: dict, path: Path) -> None:
    head, rows = table(data)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(head)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8-sig")  # the BOM: Excel opens the Chinese text right


def write_xlsx(data: dict, path: Path) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    en = _en(data["lang"])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Summary" if en else "汇总"
    head, rows = table(data)
    ws.append(head)
    fills = {"failed": "D9D9D9", "errors": "F8CBAD", "warnings": "FFE699", "passed": "C6EFCE"}
    link_cols = {head.index("Report" if en else "报告") + 1, head.index("HTML report" if en else "HTML 报告") + 1}
    verdict_col = head.index("Verdict" if en else "结论") + 1
    for r, line in zip(data["packages"], rows):
        ws.append(line)
        n = ws.max_row
        ws.cell(n, verdict_col).fill = PatternFill("solid", fgColor=fills[r["verdict"]])
        for c in link_cols:
            cell = ws.cell(n, c)
            if cell.value:
                cell.hyperlink = str(cell.value)
                cell.style = "Hyperlink"
    _finish_sheet(ws, head, Font, Alignment, get_column_letter)
    ws2 = wb.create_sheet("Findings" if en else "全部问题")
    head2, rows2 = findings_table(data)
    ws2.append(head2)
    for line in rows2:
        ws2.append(line)
    _finish_sheet(ws2, head2, Font, Alignment, get_column_letter)
    wb.save(path)


def _finish_sheet(ws, head, Font, Alignment, get_column_letter) -> None:
    for c in range(1, len(head) + 1):
        ws.cell(1, c).font = Font(bold=True)
        ws.cell(1, c).alignment = Alignment(vertical="center", wrap_text=True)
        width = max([len(str(ws.cell(r, c).value or "")) for r in range(1, min(ws.max_row, 200) + 1)] + [6])
        ws.column_dimensions[get_column_letter(c)].width = min(60, width + 4)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(head))}{max(ws.max_row, 2)}"


_CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","Microsoft YaHei",sans-serif;margin:24px;color:#222}
h1{font-size:22px;margin:0 0 4px} .meta{color:#555;margin-bottom:14px}
.totals span{display:inline-block;margin-right:14px;padding:2px 10px;border-radius:10px;background:#eee}
.filters{margin:12px 0} .filters button{margin-right:6px;padding:4px 10px;border:1px solid #999;background:#fff;border-radius:4px;cursor:pointer}
.filters button.on{background:#333;color:#fff}
table{border-collapse:collapse;width:100%;font-size:13px} th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f2f2f2;position:sticky;top:0;white-space:nowrap} td.n{text-align:right}
td.v,td.n,td.p{white-space:nowrap}
tr.v-errors td.v{background:#f8cbad} tr.v-warnings td.v{background:#ffe699} tr.v-passed td.v{background:#c6efce} tr.v-failed td.v{background:#d9d9d9}
.notes{color:#a33} @media print{.filters{display:none} th{position:static}}
"""

_JS = """
document.querySelectorAll('.filters button').forEach(function(b){b.addEventListener('click',function(){
document.querySelectorAll('.filters button').forEach(function(x){x.classList.remove('on')});b.classList.add('on');
var v=b.getAttribute('data-v');document.querySelectorAll('tbody tr').forEach(function(tr){
tr.style.display=(v==='all'||tr.classList.contains('v-'+v))?'':'none';});});});
"""


def write_index_html(data: dict, path: Path) -> None:
    lang = data["lang"]
    en = _en(lang)
    e = html.escape
    t = data["totals"]
    title = "Batch check summary" if en else "申报材料批量检查汇总"
    parts = [f'<!DOCTYPE html><html lang="{"en" if en else "zh-CN"}"><head><meta charset="utf-8">',
             f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{e(title)}</h1>",
             f'<div class="meta">{e(data["inbox"])} · shenbao-lint {e(data["tool"]["version"])}'
             + (f' · {"as of" if en else "申报日"} {e(data["as_of"])}' if data.get("as_of") else "")
             + (f' · {"since" if en else "对比"} {e(data["since"])}' if data.get("since") else "") + "</div>",
             '<div class="totals">' + "".join(
                 f"<span>{e(_t(VERDICTS[v], lang))}: {t[v]}</span>" for v in ("errors", "warnings", "passed", "failed"))
             + f'<span>{"packages" if en else "申报包"}: {t["packages"]}</span></div>',
             '<div class="filters">' + f'<button class="on" data-v="all">{"All" if en else "全部"}</button>'
             + "".join(f'<button data-v="{v}">{e(_t(VERDICTS[v], lang))}</button>' for v in ("errors", "warnings", "passed", "failed"))
             + "</div>"]
    for note in data.get("notes") or []:
        parts.append(f'<p class="notes">{e(note)}</p>')
    cols = (["Package", "Enterprise", "Credit code", "Program", "Verdict", "Errors", "Warnings", "Uncertain",
             "Worst finding", "Report"] if en else
            ["申报包", "企业名称", "统一社会信用代码", "项目", "结论", "错误", "警告", "待核实", "最严重的问题", "报告"])
    if data.get("since") is not None:
        cols[-1:-1] = ["New", "Fixed"] if en else ["新增", "已修复"]
    parts.append("<table><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr></thead><tbody>")
    for r in data["packages"]:
        links = []
        if r.get("html_report"):
            links.append(f'<a href="{e(r["html_report"])}">HTML</a>')
        if r.get("report"):
            links.append(f'<a href="{e(r["report"])}">JSON</a>')
        notes = ([r["error"]] if r.get("error") else []) + list(r.get("notes") or [])
        worst = e(_msg(r["worst"], lang)) + "".join(f'<div class="notes">{e(n)}</div>' for n in notes)
        cells = [e(r["package"]), e(r["enterprise"] or ""), e(r["credit_code"] or ""), e(r["program"]),
                 e(_t(VERDICTS[r["verdict"]], lang)), str(r["errors"]), str(r["warnings"]), str(r["uncertain"]), worst]
        classes = ["p", "", "p", "", "v", "n", "n", "n", ""]
        if data.get("since") is not None:
            cells += [str(r.get("new", 0)), str(len(r.get("fixed") or []))]
            classes += ["n", "n"]
        cells.append(" · ".join(links))
        classes.append("")
        parts.append(f'<tr class="v-{r["verdict"]}">' + "".join(
            f'<td class="{c}">{v}</td>' if c else f"<td>{v}</td>" for c, v in zip(classes, cells)) + "</tr>")
    parts.append("</tbody></table>")
    if data.get("not_packages"):
        parts.append(f'<h2>{"Not checked" if en else "未检查的条目"}</h2><ul>')
        for n in data["not_packages"]:
            parts.append(f"<li>{e(n['name'])}: {e(n['reason_en'] if en else n['reason'])}</li>")
        parts.append("</ul>")
    parts.append(f"<script>{_JS}</script></body></html>\n")
    path.write_text("".join(parts), "utf-8")
