"""What a plugin author uses: `shenbao init` skeletons that pass their own tests, `shenbao pack
validate`, a bad pack that disables only itself, and a crashing check reported as crashed."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from shenbao import hookimpl
from shenbao.check import Check
from shenbao.cli import main
from shenbao.engine import RunOptions, analyse
from shenbao.plugins_manager import make_plugin_manager
from shenbao.programs import programs_from_plugins

from tests.pipeline import doc, licence

ROOT = Path(__file__).resolve().parents[1]


def test_init_program_and_check_write_plugins_whose_tests_pass(tmp_path, capsys):
    assert main(["init", "program", "smx2025-demo", "--extends", "smx2025-annex1", "--dir", str(tmp_path)]) == 0
    assert main(["init", "check", "demo-rule", "--dir", str(tmp_path)]) == 0
    assert (tmp_path / "smx2025-demo" / "pyproject.toml").read_text("utf-8").count("[project.entry-points.shenbao]") == 1
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "smx2025-demo/tests",
                          "demo-rule/tests"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": f"{tmp_path / 'smx2025-demo'}:{tmp_path / 'demo-rule'}:{ROOT}",
                              "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "4 passed" in run.stdout
    # and the skeleton refuses to overwrite, or to extend what does not exist
    assert main(["init", "check", "demo-rule", "--dir", str(tmp_path)]) == 2
    assert main(["init", "program", "x-y", "--extends", "no-such-pack", "--dir", str(tmp_path)]) == 2
    assert "no-such-pack" in capsys.readouterr().err


def test_pack_validate_names_the_file_and_key_of_a_typo(tmp_path, capsys):
    good = tmp_path / "good.yaml"
    good.write_text("id: smx2025-demo2\nextends: smx2025-annex1\ntitle: 示例\nsource: test\nbasis: {lines: \"1\"}\n", "utf-8")
    assert main(["pack", "validate", str(good)]) == 0
    assert "OK smx2025-demo2" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text("utf-8").replace("smx2025-demo2", "smx2025-demo3")
                   + "checks:\n  - rule: registration-age\n    params: {min_year: 3}\n", "utf-8")
    assert main(["pack", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "min_year" in err and "min_years" in err


class BrokenPack:
    @hookimpl
    def shenbao_add_programs(self):
        return [{"id": "broken-demo", "extends": "smx2025-annex1", "title": "坏", "source": "t", "basis": "t",
                 "materials": [{"id": "x", "title": "X", "kind": "no_such_kind", "basis": "t"}]}]


def test_a_bad_third_party_pack_disables_only_itself():
    pm = make_plugin_manager()
    pm.register(BrokenPack(), name="broken")
    errors: list = []
    programs = programs_from_plugins(pm, errors)
    assert "smx2025-intelligent-retrofit" in programs and "broken-demo" not in programs
    [(key, msg)] = errors
    assert key == "broken-demo" and "no_such_kind" in msg and "materials/23/kind" in msg


class Crashing(Check):
    rule = "crashing-demo"
    title = "演示"

    def run(self, ctx, params):
        raise RuntimeError("boom")


class CrashingPlugin:
    @hookimpl
    def shenbao_add_checks(self):
        return [Crashing]

    @hookimpl
    def shenbao_add_programs(self):
        return [{"id": "crash-demo", "title": "演示", "source": "t", "basis": "t",
                 "materials": [{"id": "licence", "title": "营业执照", "kind": "business_license", "basis": "t"}],
                 "checks": [{"rule": "crashing-demo"}, {"rule": "material-missing"}]}]


def test_a_check_that_crashes_is_reported_as_crashed_not_passed():
    pm = make_plugin_manager()
    pm.register(CrashingPlugin(), name="crashing")
    program = programs_from_plugins(pm)["crash-demo"]
    report = analyse(Path("pkg"), [doc("执照.pdf", licence())], program, RunOptions(), pm, dt.date(2026, 1, 1))
    rules = {r["id"]: r for r in report["rules"]}
    assert rules["crashing-demo"]["status"] == "crashed" and rules["material-missing"]["status"] == "ran"
    assert report["summary"]["passed"] == 1
    assert any(f["rule"] == "internal-error" and "crashing-demo" in f["message"] for f in report["findings"])
