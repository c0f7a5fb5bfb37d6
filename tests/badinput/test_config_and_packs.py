"""Configuration files and program packs: good ones are applied, malformed ones stop the run with
exit 2 and a message naming the file, the key and what was expected (from the JSON Schema)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from shenbao.cli import main
from shenbao.config import ConfigError, load_config

from . import corpus

PROGRAM = "smx2025-intelligent-retrofit"


@pytest.fixture
def package(tmp_path) -> Path:
    pkg = tmp_path / "clients" / "acme" / "申报材料"
    pkg.mkdir(parents=True)
    (pkg / corpus.GOOD).write_bytes(corpus.licence_pdf())
    return pkg


def _check(capsys, *args) -> tuple[int, dict, str]:
    try:
        code = main(["check", *map(str, args), "--format", "json", "--no-progress"])
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out.strip() else {}), out.err


def _toml(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), "utf-8")
    return path


# --- good configuration ------------------------------------------------------------------------

def test_config_file_supplies_the_options_and_flags_win(tmp_path, package, capsys):
    cfg = _toml(tmp_path / "shenbao.toml", f"""
        program = "{PROGRAM}"
        as_of = 2025-08-10
        lang = "en"
        stage = "county"
        jobs = 1
        ocr = false
        cache_dir = "cache"
        ignore = ["field-blank"]
    """)
    code, report, err = _check(capsys, package, "--config", cfg)
    assert err == "" and code == 1
    assert (report["as_of"], report["lang"], report["stage"]) == ("2025-08-10", "en", "county")
    assert "field-blank" not in {r["id"] for r in report["rules"]}
    assert (tmp_path / "cache").is_dir()  # relative to the config file
    code, report, _ = _check(capsys, package, "--config", cfg, "--lang", "zh", "--as-of", "2025-08-01", "--stage", "enterprise")
    assert (report["as_of"], report["lang"], report["stage"]) == ("2025-08-01", "zh", "enterprise")


def test_shenbao_toml_or_pyproject_in_the_current_directory(tmp_path, package, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', "utf-8")  # no [tool.shenbao]: not used
    code, _, err = _check(capsys, package)
    assert code == 2 and "--program" in err
    _toml(tmp_path / "pyproject.toml", f"""
        [project]
        name = "consultancy"
        [tool.shenbao]
        program = "{PROGRAM}"
        ocr = false
        jobs = 1
        lang = "en"
        cache_dir = ".cache"
    """)
    code, report, err = _check(capsys, package)
    assert err == "" and code == 1 and report["lang"] == "en"
    _toml(tmp_path / "shenbao.toml", f'program = "{PROGRAM}"\nocr = false\njobs = 1\nlang = "zh"\ncache_dir = ".cache"\n')
    code, report, err = _check(capsys, package)  # shenbao.toml comes first
    assert report["lang"] == "zh"


def test_packages_map_folders_to_programs_and_options(tmp_path, package, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _toml(tmp_path / "shenbao.toml", f"""
        ocr = false
        jobs = 1
        cache_dir = ".cache"
        as_of = 2025-08-10
        [packages]
        "clients" = "{PROGRAM}"
        "clients/acme" = {{ program = "{PROGRAM}", stage = "county", as_of = 2025-08-12 }}
    """)
    code, report, err = _check(capsys, package)
    assert err == "" and (report["stage"], report["as_of"]) == ("county", "2025-08-12")
    cfg = load_config(tmp_path / "shenbao.toml")
    assert cfg.options_for(tmp_path / "clients" / "other")["program"] == PROGRAM
    assert "program" not in cfg.options_for(tmp_path / "elsewhere")


# --- malformed configuration -------------------------------------------------------------------

BAD_CONFIGS = [
    ("jobs = 2 2\n", "invalid TOML", "line 1"),
    ('jobs = "two"\n', "'jobs'", "expected integer"),
    ("jobs = 0\n", "'jobs'", ">= 1"),
    ('stage = "city"\n', "'stage'", "'enterprise', 'county'"),
    ("timeout = -5\n", "'timeout'", "> 0"),
    ('as_of = "2025-02-30"\n', "'as_of'", "valid date"),
    ('as_of = "next week"\n', "'as_of'", "match"),
    ("colour = true\n", "'colour'", "unknown key"),
    ('select = "field-blank"\n', "'select'", "expected array"),
    ("ocr = 3\n", "'ocr'", "expected string"),
    ('[packages]\n"a" = { stage = "city" }\n', "'packages/a/stage'", "'enterprise', 'county'"),
    ('[packages]\n"a" = { progam = "x" }\n', "'packages/a/progam'", "unknown key"),
    ('[packages]\n"a" = 5\n', "'packages/a'", "expected string"),
]


@pytest.mark.parametrize("text,key,expected", BAD_CONFIGS, ids=[b[1] + ":" + b[2] for b in BAD_CONFIGS])
def test_malformed_config_names_file_key_and_expectation_and_exits_2(tmp_path, package, capsys, text, key, expected):
    cfg = tmp_path / "shenbao.toml"
    cfg.write_text(text, "utf-8")
    code, report, err = _check(capsys, package, "--program", PROGRAM, "--config", cfg)
    assert code == 2 and report == {}
    assert str(cfg) in err and key in err and expected in err, err
    assert "Traceback" not in err


def test_malformed_tool_shenbao_table_is_named(tmp_path, package, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.shenbao]\nlang = "fr"\n', "utf-8")
    code, _, err = _check(capsys, package, "--program", PROGRAM)
    assert code == 2 and "pyproject.toml [tool.shenbao]" in err and "'lang'" in err and "'zh', 'en'" in err


def test_missing_config_file_exits_2(tmp_path, package, capsys):
    code, _, err = _check(capsys, package, "--program", PROGRAM, "--config", tmp_path / "nope.toml")
    assert code == 2 and "nope.toml" in err and "not found" in err


def test_config_errors_raise_config_error(tmp_path):
    p = tmp_path / "shenbao.toml"
    p.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(ConfigError, match="shenbao.toml"):
        load_config(p)


# --- malformed program packs from a real plugin (-p) ---------------------------------------------

GOOD_PACK = {
    "id": "bad-county-2026", "extends": "smx2025-annex1", "title": "示例县2026年度项目", "source": "example",
    "basis": {"doc": "示例〔2026〕1号", "clause": "第一条"}, "notice_date": "2026-03-01", "deadline": "2026-04-30",
}

BAD_PACKS = [
    ({"notice_date": "2026-3-1"}, "'notice_date'", "match"),
    ({"notice_date": "2026-02-30"}, "'notice_date'", "valid date"),
    ({"deadline": 20260430}, "'deadline'", "expected string"),
    ({"title": ""}, "'title'", "minLength"),
    ({"colour": "red"}, "'colour'", "unknown key"),
    ({"params": {"min_investment": "五百万"}}, "'params/min_investment'", "expected number"),
    ({"checks": [{"rule": "sum-mismatch", "severity": "fatal"}]}, "'checks/0/severity'", "expected one of"),
    ({"extends": "no-such-pack"}, "'no-such-pack'", "unknown pack"),
    ({"extends": ["smx2025-annex1"]}, "'extends'", "expected string"),
    ({"id": 42}, "'id'", "expected a string"),
]


def _plugin(tmp_path: Path, body: str) -> dict:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "bad_pack_plugin.py").write_text(textwrap.dedent(body), "utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    return env


def _run(env, tmp_path, *args):
    (tmp_path / "pkg").mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "shenbao.cli", "-p", "bad_pack_plugin", "check", str(tmp_path / "pkg"),
                           "--program", "bad-county-2026", "--no-ocr", "--jobs", "1", "--no-cache", *args],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("change,key,expected", BAD_PACKS, ids=[b[1] + ":" + b[2] for b in BAD_PACKS])
def test_malformed_plugin_pack_names_plugin_file_key_and_expectation(tmp_path, change, key, expected):
    pack = {**GOOD_PACK, **change}
    env = _plugin(tmp_path, f"""
        from shenbao import hookimpl

        @hookimpl
        def shenbao_add_programs():
            return [{pack!r}]
    """)
    out = _run(env, tmp_path)
    assert out.returncode == 2 and out.stdout == ""
    err = out.stderr
    assert "bad_pack_plugin.py" in err and key in err and expected in err, err
    assert "Traceback" not in err


def test_a_good_plugin_pack_loads(tmp_path):
    env = _plugin(tmp_path, f"""
        from shenbao import hookimpl

        @hookimpl
        def shenbao_add_programs():
            return [{GOOD_PACK!r}]
    """)
    out = _run(env, tmp_path, "--format", "json")
    assert out.returncode == 1 and json.loads(out.stdout)["program"]["id"] == "bad-county-2026", out.stderr


def test_malformed_yaml_pack_file_is_named_with_its_line(tmp_path):
    pack = tmp_path / "bad.yaml"
    pack.write_text("id: bad-county-2026\ntitle: [unclosed\n", "utf-8")
    env = _plugin(tmp_path, f"""
        from shenbao import hookimpl

        @hookimpl
        def shenbao_add_programs():
            return [{str(pack)!r}]
    """)
    out = _run(env, tmp_path)
    assert out.returncode == 2 and str(pack) in out.stderr and "line" in out.stderr, out.stderr


def test_a_plugin_hook_that_raises_is_a_usage_error(tmp_path):
    env = _plugin(tmp_path, """
        from shenbao import hookimpl

        @hookimpl
        def shenbao_add_programs():
            raise RuntimeError("boom")
    """)
    out = _run(env, tmp_path)
    assert out.returncode == 2 and "bad_pack_plugin.py" in out.stderr and "boom" in out.stderr and "Traceback" not in out.stderr
