from __future__ import annotations

import datetime as dt

from shenbao.check import Check

from ._common import day, uncertain


def years_before(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


class RegistrationAge(Check):
    """检查内容：营业执照上的成立日期，到申报日（--as-of）是否已满规定年限（如“注册和纳税2年以上”）。

    为何重要：注册不满年限的企业不具备申报资格，材料会被直接退回。

    如何修复：核对营业执照成立日期；确实不满年限的，不符合本项目申报条件。
    """

    rule = "registration-age"
    title = "注册年限不足"
    title_en = "Company registered too recently"
    severity = "error"
    doc_en = """What it checks: the establishment date on the business licence is at least the
required number of years before the application day (--as-of).

Why: a company registered too recently is not eligible.

How to fix: check the licence date; if it really is too recent the company cannot apply."""
    params_schema = {"min_years": {"type": "integer", "minimum": 0,
                                   "description": "minimum full years between 成立日期 and the application day"}}

    def run(self, ctx, params):
        min_years = int(params.get("min_years", 2))
        licences = ctx.segments_of_kind("business_license")
        if not licences:
            return
        facts = ctx.facts_of("established_date", material_kind="business_license")
        if not facts:
            seg = licences[0]
            yield ctx.finding(
                self, params,
                "营业执照上未能读出成立日期，无法核对注册年限，请人工确认。",
                "The establishment date could not be read from the business licence; check the registration age by eye.",
                path=seg.path, page=seg.first_page or None, uncertain=True, severity="warning",
                fix="提供清晰的营业执照扫描件（成立日期清楚可见）。",
                fix_en="Provide a clear scan of the licence with the establishment date legible.",
            )
            return
        fact = max(facts, key=lambda f: f.confidence)
        established: dt.date = fact.value
        limit = years_before(ctx.as_of, min_years)
        if established <= limit:
            return
        unsure = uncertain(fact)
        yield ctx.finding(
            self, params,
            f"成立日期 {day(established)}，到申报日 {day(ctx.as_of)} 不满 {min_years} 年（需在 {day(limit)} 或之前成立）。"
            + ("（日期为识别结果，置信度较低，请人工核对）" if unsure else ""),
            f"Established {established.isoformat()}: less than {min_years} years before the application day "
            f"{ctx.as_of.isoformat()} (must be on or before {limit.isoformat()}).",
            path=fact.path, page=fact.page, bbox=fact.bbox, evidence=fact.text,
            confidence=fact.confidence if fact.source == "ocr" else None, uncertain=unsure,
            fix=f"本项目要求注册满 {min_years} 年；如执照日期读取有误，请提供清晰的营业执照。",
            fix_en=f"The program requires {min_years} years since registration; if the date was misread, provide a clear licence scan.",
        )
