"""``shenbao init program NAME --extends ID`` and ``shenbao init check RULE``: a working plugin skeleton.

Each writes a small installable plugin (its ``pyproject.toml`` with the ``shenbao`` entry point, the
module, the pack or the check, and a test that passes as written), so a plugin author starts from
something that runs and changes it, rather than from the documentation.
"""
from __future__ import annotations

import re
from pathlib import Path

_ID = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")


class ScaffoldError(Exception):
    """A name that cannot become a plugin, or a folder that is already there."""


def _module(name: str) -> str:
    return "shenbao_" + name.replace("-", "_")


def _target(base: Path, name: str) -> Path:
    if not _ID.match(name):
        raise ScaffoldError(f"名称应为小写字母、数字和连字符 / a name is lower-case letters, digits and '-': {name!r}")
    out = base / name
    if out.exists():
        raise ScaffoldError(f"已存在，不覆盖 / already exists, not overwritten: {out}")
    return out


def _pyproject(name: str, module: str, what: str) -> str:
    return f'''[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "shenbao-{name}"
version = "0.1.0"
description = "shenbao-lint plugin: {what}"
requires-python = ">=3.10"
dependencies = ["shenbao-lint"]

# shenbao finds installed plugins through this entry-point group
[project.entry-points.shenbao]
{name} = "{module}"

[tool.setuptools]
packages = ["{module}"]

[tool.setuptools.package-data]
"{module}" = ["*.yaml"]
'''


def init_program(base: Path, name: str, extends: str, programs: dict) -> list[Path]:
    """A plugin with one program pack extending ``extends``, one of ``programs`` (pack ids, abstract
    ones included)."""
    if extends not in programs:
        known = sorted(programs)
        raise ScaffoldError(f"找不到要继承的程序包 / unknown pack to extend: {extends}（可用 / known: {', '.join(known)}）")
    out = _target(base, name)
    module = _module(name)
    files = {
        out / "pyproject.toml": _pyproject(name, module, f"program {name}"),
        out / module / "__init__.py": f'''"""shenbao-lint plugin: the program pack {name}."""
from pathlib import Path

from shenbao import hookimpl


@hookimpl
def shenbao_add_programs():
    return sorted(Path(__file__).parent.glob("*.yaml"))
''',
        out / module / f"{name}.yaml": f'''# {name}: extends {extends}. Every material and rule cites its basis: the notice and the line.
id: {name}
extends: {extends}
title: TODO 项目名称
title_en: TODO program title
source: TODO notice
basis:
  doc: TODO 文号
  lines: "1"
  clause: TODO 条款
# materials patch the parent's list by id: override fields, `drop: true`, or add (after: / before:)
# materials:
#   - id: application_form
#     requirements: {{fields: [单位名称, 法人代表]}}
#   - id: my_new_proof
#     title: 新增材料
#     kind: other_proof
#     after: business_license
#     basis: {{lines: "12", clause: TODO}}
# checks add to the parent's; an entry for a rule the parent has replaces it
# checks:
#   - rule: registration-age
#     params: {{min_years: 3}}
#     basis: {{lines: "20", clause: TODO}}
''',
        out / "tests" / f"test_{module}.py": f'''"""The pack loads, is offered as a program, and keeps the parent's materials."""
from shenbao.plugins_manager import make_plugin_manager
from shenbao.programs import programs_from_plugins

import {module}


def test_the_program_is_offered():
    pm = make_plugin_manager(entry_points=False)
    pm.register({module}, name="{name}")
    programs = programs_from_plugins(pm)  # raises PackError, naming file and key, if the pack is bad
    assert "{name}" in programs
    assert programs["{name}"].materials, "the materials list is inherited from {extends}"
''',
    }
    return _write(files)


def init_check(base: Path, rule: str) -> list[Path]:
    """A plugin with one check ``rule`` that reads the package's facts and yields findings."""
    out = _target(base, rule)
    module = _module(rule)
    cls = "".join(part.capitalize() for part in rule.split("-"))
    files = {
        out / "pyproject.toml": _pyproject(rule, module, f"check {rule}"),
        out / module / "__init__.py": f'''"""shenbao-lint plugin: the check {rule}."""
from shenbao import hookimpl
from shenbao.check import Check


class {cls}(Check):
    """检查内容：TODO 这条规则检查什么。

    为何重要：TODO 为何会被退回。

    如何修复：TODO 申报单位应如何修改。
    """

    rule = "{rule}"
    title = "TODO 规则标题"
    title_en = "TODO rule title"
    severity = "error"
    doc_en = """What it checks: TODO.

Why: TODO.

How to fix: TODO."""
    # the params a pack may give (checks: - rule: {rule} params: ...), each a JSON Schema
    params_schema = {{"keyword": {{"type": "string", "description": "a word every page of the material must carry"}}}}

    def run(self, ctx, params):
        keyword = params.get("keyword")
        if not keyword:
            return
        for seg in ctx.segments:
            doc = ctx.documents.get(seg.path)
            if doc is None or seg.material is None or seg.first_page <= 0:
                continue
            for number in range(seg.first_page, seg.last_page + 1):
                page = ctx.page(seg.path, number)
                if page is not None and page.text and keyword not in page.text:
                    yield ctx.finding(self, params, f"第 {{number}} 页未见“{{keyword}}”。",
                                      f"Page {{number}} does not carry “{{keyword}}”.", path=seg.path, page=number,
                                      fix=f"补充“{{keyword}}”。", fix_en=f"Add “{{keyword}}”.")


@hookimpl
def shenbao_add_checks():
    return [{cls}]
''',
        out / "tests" / f"test_{module}.py": f'''"""The check is registered and reports a page without its keyword."""
import datetime as dt
from pathlib import Path

from shenbao.engine import RunOptions, all_checks, analyse
from shenbao.model import Document, Line, Page
from shenbao.plugins_manager import make_plugin_manager
from shenbao.programs import load_programs

import {module}

PACK = {{"id": "example-{rule}", "title": "示例", "source": "test", "basis": "test",
        "materials": [{{"id": "licence", "title": "营业执照", "kind": "business_license", "basis": "test"}}],
        "checks": [{{"rule": "{rule}", "params": {{"keyword": "法定代表人"}}}}]}}


def page(text):
    return Page(number=1, width=595, height=842, text=text, lines=[Line(text, (0.1, 0.1, 0.9, 0.12), 1.0)])


def report(text):
    pm = make_plugin_manager(entry_points=False)
    pm.register({module}, name="{rule}")
    program = load_programs([PACK], all_checks(pm))["example-{rule}"]
    doc = Document(path="licence.pdf", kind="pdf", format="pdf", pages=[page(text)])
    return analyse(Path("pkg"), [doc], program, RunOptions(), pm, dt.date(2026, 1, 1))


def test_the_rule_is_registered():
    pm = make_plugin_manager(entry_points=False)
    pm.register({module}, name="{rule}")
    assert "{rule}" in all_checks(pm)


def test_a_page_with_the_keyword_passes():
    assert not [f for f in report("营业执照 统一社会信用代码 名称 法定代表人 住所")["findings"] if f["rule"] == "{rule}"]


def test_a_page_without_it_is_reported():
    [finding] = [f for f in report("营业执照 统一社会信用代码 名称 住所")["findings"] if f["rule"] == "{rule}"]
    assert finding["path"] == "licence.pdf" and finding["page"] == 1
''',
    }
    return _write(files)


def _write(files: dict[Path, str]) -> list[Path]:
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return sorted(files)
