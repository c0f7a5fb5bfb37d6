from __future__ import annotations

from collections import defaultdict

from shenbao.check import Check
from shenbao.facts.credit_code import is_valid_credit_code
from shenbao.model import Finding


class ApplicantDuplicate(Check):
    """检查内容：同一统一社会信用代码的企业在本批次中申报的项目数，是否超过通知允许的数量
    （衡阳：每个申报单位合计不超过 2 个，产业数字化工作推进项目除外；三门峡：原则上一个申报区间只允许申报
    1 个市级补助类项目）。同一通知下的各类项目合并计数（参数 group）；通知没有限额的项目不检查。
    由 `shenbao batch` 跨申报包检查；`shenbao check` 只看一个申报包，不运行本规则。

    为何重要：超过限额的申报会被整体退回或只受理其中一部分，县级初审应提前发现并与企业确认保留哪一项。

    如何修复：与企业确认保留哪些项目，撤回多出的申报包；若企业的统一社会信用代码识别有误，请更正后重新检查。
    """

    rule = "applicant-duplicate"
    title = "同一企业申报项目数超过限额"
    title_en = "One enterprise applies for more projects than allowed"
    severity = "error"
    scope = "batch"
    params_schema = {
        "max_per_applicant": {"type": "integer", "minimum": 1,
                              "description": "一个申报单位在同一通知下最多可申报的项目数 / most projects one applicant may submit under the notice"},
        "group": {"type": "string", "minLength": 1,
                  "description": "合并计数的项目组（同一通知的各类项目填同一值，默认程序包的 source） / programs counted together (default: the pack's source)"},
    }
    doc_en = """What it checks: how many packages of one batch carry the same unified social credit
code, against the most projects the notice allows one applicant (衡阳: at most 2 in all, the 产业数字化
工作推进项目 excepted; 三门峡: in principle one city-level subsidy project per round). The programs of
one notice count together (param `group`); a program whose notice sets no limit is not checked. It is
judged across packages by `shenbao batch`; `shenbao check` sees one package and does not run it.

Why: applications beyond the limit are sent back or only partly accepted; the county's pre-screening
should find them and ask the enterprise which to keep.

How to fix: agree with the enterprise which projects to keep and withdraw the others; if the credit
code was misread, correct it and check again."""

    def collect(self, ctx, params):
        src = ctx.applicant.credit_code_source
        return {"credit_code": ctx.applicant.credit_code, "name": ctx.applicant.name,
                "sure": src is None or src.source != "ocr" or src.confidence >= 0.9,
                "group": params.get("group") or ctx.program.source or ctx.program.id,
                "max_per_applicant": params.get("max_per_applicant")}

    def judge(self, items):
        groups: dict[tuple[str, str], list] = defaultdict(list)
        for item in items:
            data = item.data or {}
            code = data.get("credit_code")
            limit = data.get("max_per_applicant")
            if not code or not limit or not is_valid_credit_code(code):
                continue  # no limit in the notice, or no valid code read (credit-code-invalid says so)
            groups[(data.get("group") or item.program, code)].append(item)
        for (_group, code), members in sorted(groups.items()):
            limit = min(int(m.data["max_per_applicant"]) for m in members)
            if len(members) <= limit:
                continue
            names = sorted(m.package for m in members)
            sure = all(m.data.get("sure", True) for m in members)
            for m in sorted(members, key=lambda m: m.package):
                others = [n for n in names if n != m.package]
                sev = m.params.get("severity") or self.severity
                if sure:
                    msg = (f"统一社会信用代码 {code} 的企业在本批次中共有 {len(members)} 个申报包（另见 {'、'.join(others)}），"
                           f"超过通知允许的 {limit} 个。")
                    msg_en = (f"The enterprise with credit code {code} has {len(members)} packages in this batch "
                              f"(also {', '.join(others)}), more than the {limit} the notice allows.")
                else:
                    msg = (f"统一社会信用代码 {code} 似乎出现在 {len(members)} 个申报包中（另见 {'、'.join(others)}），"
                           f"超过通知允许的 {limit} 个；但其中有代码为识别结果、置信度不高，请人工核对。")
                    msg_en = (f"Credit code {code} seems to be in {len(members)} packages (also {', '.join(others)}), "
                              f"more than the {limit} allowed; one code was read by OCR with low confidence, verify by eye.")
                yield m.package, Finding(
                    rule=self.rule, severity="warning" if not sure and sev == "error" else sev,
                    message=msg, message_en=msg_en, evidence=f"{code} ↔ {', '.join(others)}", uncertain=not sure,
                    fix="与企业确认保留哪些项目，撤回多出的申报包。",
                    fix_en="Agree with the enterprise which projects to keep; withdraw the others.",
                    basis=m.params.get("basis") or None)
