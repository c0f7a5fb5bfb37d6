"""Material kinds are data (plugins/kinds/kinds.yaml): a plugin that adds a kind with its fact
readers gets its facts read and checked, and a bad kind entry is an error naming the plugin."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shenbao import hookimpl
from shenbao.check import CheckContext
from shenbao.classify import classify_package, compile_kinds
from shenbao.engine import RunOptions, all_checks, all_kinds, build_report, run_checks
from shenbao.facts.collect import FACT_READERS, collect_facts, identify_applicant
from shenbao.materials import KINDS, KindError
from shenbao.plugins_manager import make_plugin_manager
from shenbao.programs import load_schema, programs_from_plugins

from .pipeline import APPLICANT, doc, licence


class NeimengguCredit:
    """A third-party plugin: the 信用内蒙古 query page as a new kind whose 查询时间 is read, and a
    program asking for it dated on or after its notice."""

    @hookimpl
    def shenbao_add_materials(self):
        return [{"kind": "credit_nm", "title": "信用内蒙古查询结果", "titles": ["信用内蒙古"],
                 "keywords": ["信用内蒙古", "查询时间", "失信"], "filenames": ["信用内蒙古"], "facts": ["query_time"]}]

    @hookimpl
    def shenbao_add_programs(self):
        return [{
            "id": "example-nm-2026", "title": "示例湖南项目", "source": "example",
            "basis": {"doc": "示例〔2026〕2号"}, "notice_date": "2026-03-01", "deadline": "2026-04-30",
            "materials": [
                {"id": "business_license", "title": "营业执照", "kind": "business_license",
                 "basis": {"clause": "第二条"}},
                {"id": "credit_nm", "title": "“信用内蒙古”查询结果截图", "kind": "credit_nm",
                 "requirements": {"query_date": "application_day"}, "basis": {"clause": "第三条"}},
            ],
            "checks": [{"rule": "credit-query-date", "basis": {"clause": "第三条 查询时间不得早于通知发布日期"}}],
        }]


def run(pm, pid: str, docs, as_of: dt.date) -> dict:
    prog = programs_from_plugins(pm)[pid]
    kinds = compile_kinds(all_kinds(pm))
    segments = classify_package(docs, prog, kinds)
    facts = collect_facts(docs, segments, prog, kinds)
    ctx = CheckContext(prog, as_of, {d.path: d for d in docs}, segments, facts, identify_applicant(facts, segments, prog))
    options = RunOptions(as_of=as_of)
    found, evaluated = run_checks(ctx, all_checks(pm), options)
    return build_report(Path("pkg"), prog, ctx, docs, segments, found, evaluated, all_checks(pm), options)


def nm_page(when: str):
    return doc("信用内蒙古截图.pdf", f"信用内蒙古\n{APPLICANT}\n未查询到失信记录\n查询时间：{when}")


@pytest.mark.parametrize("when,stale", [("2026-02-20 10:15:02", True), ("2026-03-12 09:01:44", False)])
def test_a_plugin_kind_gets_its_facts_read_and_checked(when, stale):
    pm = make_plugin_manager(entry_points=False)
    pm.register(NeimengguCredit(), name="nm-credit")
    report = run(pm, "example-nm-2026", [doc("执照.pdf", licence()), nm_page(when)], dt.date(2026, 3, 20))
    seg = [s for s in report["files"] if s["path"] == "信用内蒙古截图.pdf"]
    assert seg and seg[0]["segments"][0]["material"] == "credit_nm"
    late = [f for f in report["findings"] if f["rule"] == "credit-query-date"]
    if stale:
        assert len(late) == 1 and late[0]["severity"] == "error" and "2026年2月20日" in late[0]["message"]
    else:
        assert not late


def test_without_the_kind_s_fact_reader_nothing_is_read():
    """The reader comes from the kind's data: the same kind without ``facts`` reads no query time,
    so the check can only say it found none (uncertain), never judge the date."""

    class NoReader(NeimengguCredit):
        @hookimpl
        def shenbao_add_materials(self):
            [k] = super().shenbao_add_materials()
            return [{key: v for key, v in k.items() if key != "facts"}]

    pm = make_plugin_manager(entry_points=False)
    pm.register(NoReader(), name="nm-credit")
    report = run(pm, "example-nm-2026", [doc("执照.pdf", licence()), nm_page("2026-02-20 10:15:02")],
                 dt.date(2026, 3, 20))
    [f] = [f for f in report["findings"] if f["rule"] == "credit-query-date"]
    assert f["severity"] == "warning" and f.get("uncertain") is True


def test_a_bad_kind_entry_names_the_plugin_and_the_key():
    class Bad:
        @hookimpl
        def shenbao_add_materials(self):
            return [{"kind": "credit_nm", "titles": ["信用内蒙古"], "facts": ["query_tiem"]}]

    pm = make_plugin_manager(entry_points=False)
    pm.register(Bad(), name="bad-kinds")
    with pytest.raises(KindError) as e:
        all_kinds(pm)
    assert "bad-kinds" in str(e.value) and "facts" in str(e.value)


def test_the_schema_s_fact_readers_are_the_code_s():
    """Every reader the schema allows exists, and every reader in code is offered to the data."""
    schema = load_schema("kinds.schema.json")
    assert set(schema["$defs"]["fact_reader"]["enum"]) == set(FACT_READERS)
    program_schema = load_schema("program.schema.json")
    items = program_schema["$defs"]["material"]["properties"]["facts"]["items"]["enum"]
    assert set(items) == set(FACT_READERS)
    assert {r for k in KINDS for r in k.get("facts", [])} <= set(FACT_READERS)
