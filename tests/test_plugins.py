"""A plugin installed by entry point adds a check and a program, exactly as the built-ins do."""
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def _install_plugin(site: Path) -> dict:
    """Make the example plugin an installed distribution: a .dist-info with an entry point."""
    dist = site / "shenbao_example_plugin-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: shenbao-example-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[shenbao]\nexample = shenbao_example_plugin\n")
    (site / "shenbao_example_plugin.py").write_text((HERE / "example_plugin" / "shenbao_example_plugin.py").read_text("utf-8"), "utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    return env


def _shenbao(args, env):
    return subprocess.run([sys.executable, "-m", "shenbao.cli", *args], capture_output=True, text=True, env=env)


def test_installed_plugin_adds_a_program_and_a_check(tmp_path):
    env = _install_plugin(tmp_path / "site")
    progs = json.loads(_shenbao(["programs", "--format", "json"], env).stdout)
    assert "example-county-2026" in [p["id"] for p in progs]
    assert "smx2025-intelligent-retrofit" in [p["id"] for p in progs]
    rule = _shenbao(["rule", "example-readme-present"], env)
    assert rule.returncode == 0 and "申报说明" in rule.stdout and "第二条" in rule.stdout

    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "notes.txt").write_text("hello")
    out = _shenbao(["check", str(pkg), "--program", "example-county-2026", "--as-of", "2026-04-01",
                    "--format", "json", "--no-cache", "--jobs", "1"], env)
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    assert report["program"]["id"] == "example-county-2026"
    assert [f["rule"] for f in report["findings"]].count("example-readme-present") == 1
    # The program inherits its materials list from the 三门峡 pack it extends.
    assert any(f["rule"] == "material-missing" and f["material"] == "business_license" for f in report["findings"])


def test_without_the_plugin_its_program_is_unknown_and_exit_is_2(tmp_path):
    (tmp_path / "pkg").mkdir()
    out = _shenbao(["check", str(tmp_path / "pkg"), "--program", "example-county-2026"], dict(os.environ))
    assert out.returncode == 2 and "example-county-2026" in out.stderr
