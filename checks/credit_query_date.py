from __future__ import annotations

import datetime as dt

from shenbao.check import Check

from ._common import day, uncertain


class CreditQueryDate(Check):
    """检查内容：信用中国、国家企业信用信息公示系统查询结果截图/打印件上的查询时间（或打印时间），
    是否在申报通知发布之后、申报日（--as-of）当天或之前，且不晚于截止日期。

    为何重要：通知要求“企业申报日在‘信用中国’网站中查询”；通知发布前查询的结果是旧结果，不予认定。

    如何修复：在申报日重新查询，截图或打印时保留页面上的查询时间（或浏览器/系统时间），加盖公章。
    """

    rule = "credit-query-date"
    title = "信用查询日期不符"
    title_en = "Credit query date out of range"
    severity = "error"
    doc_en = """What it checks: the query (or print) time on each credit-query result (信用中国,
national enterprise credit publicity system) falls after the notice date, on or before the
application day (--as-of), and not after the deadline.

Why: the notice requires the query to be made on the application day; an older result is not accepted.

How to fix: query again on the application day, keep the query time visible on the screenshot or
printout, and seal it."""

    def run(self, ctx, params):
        notice, deadline = ctx.program.notice_date, ctx.program.deadline
        # a guide without dates (赤峰) bounds a query only by the application day, until the run
        # gives them (--notice-date / --deadline)
        latest = min(ctx.as_of, deadline) if deadline else ctx.as_of
        # every material whose requirements set a query date (信用中国, gsxt, 信用湖南 …), whatever
        # its kind: the pack says which results are dated, not a list of kinds in code
        for m in ctx.program.materials:
            if not m.requirements.get("query_date"):
                continue
            for seg in ctx.segments_of(m.id):
                facts = [f for f in ctx.facts_of("query_time", material=m.id) if f.path == seg.path]
                if not facts:
                    yield ctx.finding(
                        self, params,
                        f"“{m.title}”上未能读出查询时间，无法确认是否为申报日查询。",
                        f"No query time could be read on “{m.title}”; cannot confirm it was queried on the application day.",
                        path=seg.path, page=seg.first_page or None, material=m.id, uncertain=True, severity="warning",
                        fix="截图时保留页面或系统显示的查询时间，或打印时保留页眉页脚的日期。",
                        fix_en="Keep the query time (page, browser or system clock) visible on the screenshot or printout.",
                    )
                    continue
                fact = max(facts, key=lambda f: (f.confidence, f.value))
                when = fact.value.date() if isinstance(fact.value, dt.datetime) else fact.value
                if (notice is None or notice <= when) and when <= latest:
                    continue
                if notice is not None and when < notice:
                    msg = f"查询时间 {day(when)} 早于申报通知发布日 {day(notice)}，不是申报日的查询结果。"
                    msg_en = f"Queried on {when.isoformat()}, before the notice date {notice.isoformat()}: not a query of the application day."
                elif deadline is not None and when > deadline:
                    msg = f"查询时间 {day(when)} 晚于申报截止日 {day(deadline)}。"
                    msg_en = f"Queried on {when.isoformat()}, after the deadline {deadline.isoformat()}."
                else:
                    msg = f"查询时间 {day(when)} 晚于申报日 {day(ctx.as_of)}（--as-of），日期有误或申报日设置不对。"
                    msg_en = f"Queried on {when.isoformat()}, after the application day {ctx.as_of.isoformat()} (--as-of)."
                unsure = uncertain(fact)
                yield ctx.finding(
                    self, params, msg + ("（时间为识别结果，请人工核对）" if unsure else ""), msg_en,
                    path=fact.path, page=fact.page, material=m.id, bbox=fact.bbox, evidence=fact.text,
                    confidence=fact.confidence if fact.source == "ocr" else None, uncertain=unsure,
                    fix="在申报日重新查询并截图/打印（保留查询时间），加盖单位公章后替换。",
                    fix_en="Query again on the application day, keep the time visible, seal it and replace the page.",
                )
