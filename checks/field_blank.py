from __future__ import annotations

from shenbao.check import Check


class FieldBlank(Check):
    """检查内容：封面、申请表、绩效目标申报表等表格中程序包列为必填的栏目是否已填写
    （如“项目名称”“申请金额”“填报日期 年 月 日”）。县级审核栏（县工信/财政意见、审核人、
    核实人）在企业申报阶段应为空，不在此列；`--stage county` 时才要求填写。

    为何重要：通知要求“项目绩效目标申报表填写规范完整”，空栏会被退回补正。

    如何修复：补填空白栏目；确实不适用的栏目填“/”或“无”。
    """

    rule = "field-blank"
    title = "必填栏目为空"
    title_en = "Required field left blank"
    severity = "error"
    doc_en = """What it checks: the fields a program marks as required on the cover, the application
form, the performance form etc. are filled (e.g. 项目名称, 申请金额, a date that still reads
“年 月 日”). The county review blocks are expected blank at the enterprise stage and are required only
with `--stage county`.

Why: the notice requires the forms to be complete; blank fields are sent back.

How to fix: fill the field; write “/” or “无” where it does not apply."""

    def run(self, ctx, params):
        for fact in ctx.facts_of("field"):
            info = fact.value
            if info.get("filled") is not False:
                continue
            if info.get("county") and ctx.stage != "county":
                continue
            label = info["label"]
            unsure = fact.source == "ocr" and fact.confidence < 0.8
            yield ctx.finding(
                self, params,
                f"栏目“{label}”未填写。" + ("（该页为识别结果，请人工确认）" if unsure else ""),
                f"The field “{label}” is blank.",
                path=fact.path, page=fact.page, bbox=fact.bbox, evidence=fact.text, uncertain=unsure,
                confidence=fact.confidence if fact.source == "ocr" else None,
                fix=f"填写“{label}”；不适用的填“/”。",
                fix_en=f"Fill in “{label}”; write “/” where it does not apply.",
            )
