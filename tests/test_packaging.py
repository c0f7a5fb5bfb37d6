"""What a non-editable install (a wheel) ships: every package of the source tree and its data."""
from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]


def _source_packages(cfg: dict) -> set[str]:
    """Every folder with an ``__init__.py`` under the mapped package folders, as a dotted name."""
    found = set()
    for name, folder in cfg["package-dir"].items():
        base = ROOT / folder
        for init in base.rglob("__init__.py"):
            rel = init.parent.relative_to(base)
            found.add(".".join([name, *rel.parts]) if rel.parts else name)
    return found


def test_every_source_package_is_listed_for_the_wheel():
    cfg = _setuptools()
    missing = _source_packages(cfg) - set(cfg["packages"])
    assert not missing, f"pyproject.toml [tool.setuptools] packages lacks {sorted(missing)}"


def test_every_listed_package_exists():
    cfg = _setuptools()
    assert set(cfg["packages"]) <= _source_packages(cfg)


def test_package_data_patterns_match_files():
    cfg = _setuptools()
    for pkg, patterns in cfg["package-data"].items():
        parts = pkg.split(".")
        mapped = max((n for n in cfg["package-dir"] if pkg == n or pkg.startswith(n + ".")), key=len)
        folder = ROOT / cfg["package-dir"][mapped] / Path(*parts[len(mapped.split(".")):])
        for pat in patterns:
            assert list(folder.glob(pat)), f"{pkg}: no file matches {pat} in {folder}"
