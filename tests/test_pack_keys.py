"""Every key a built-in program pack sets is read by some code.

A key no code reads is a promise of a check that does not run (an ``audit_year:`` that nothing
compares, a ``colour_separators: true`` that no check looks for). The test collects the keys of
every pack file and fails on one that appears in no ``.get("key")`` / ``["key"]`` of the engine or the
checks. A check's ``params_schema`` declaring a key does not count as reading it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PACK_DIRS = sorted(p for p in (ROOT / "plugins").iterdir() if p.is_dir() and p.name != "kinds")
# Values that are free text or data, not keys of the pack format: their inner keys are not read
# one by one (a basis is rendered whole; a check's params are validated by the check's schema and
# read as params below).
OPAQUE = {"basis"}


def _pack_keys(value, path=()) -> set[tuple[str, tuple]]:
    out: set[tuple[str, tuple]] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            out.add((str(k), path))
            if k not in OPAQUE:
                out |= _pack_keys(v, path + (str(k),))
    elif isinstance(value, list):
        for v in value:
            out |= _pack_keys(v, path)
    return out


def _read_keys() -> set[str]:
    """String constants used to read a mapping: ``x.get("k")``, ``x["k"]``, ``"k" in x``,
    ``pop("k")``, outside ``params_schema`` declarations."""
    keys: set[str] = set()
    for folder in ("linter", "checks"):
        for py in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(py.read_text("utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                        "get", "pop", "setdefault") and node.args and isinstance(node.args[0], ast.Constant):
                    keys.add(str(node.args[0].value))
                elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
                    keys.add(str(node.slice.value))
                elif isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant) and any(
                        isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
                    keys.add(str(node.left.value))
                elif isinstance(node, ast.Tuple) and all(isinstance(e, ast.Constant) for e in node.elts):
                    # for key in ("notice_date", "deadline"): pack.get(key)
                    keys.update(str(e.value) for e in node.elts)
    return keys


PACK_FILES = [p for d in PACK_DIRS for p in sorted(d.glob("*.yaml"))]


def test_the_built_in_packs_are_found():
    names = {p.name for p in PACK_FILES}
    assert {"smx2025-intelligent-retrofit.yaml", "hy2023-im-equipment-loan-interest.yaml",
            "chifeng-dt-cloud-mgmt.yaml"} <= names


@pytest.mark.parametrize("pack_file", PACK_FILES, ids=lambda p: p.name)
def test_every_pack_key_is_read_by_some_code(pack_file):
    data = yaml.safe_load(pack_file.read_text("utf-8"))
    read = _read_keys()
    unread = sorted({f"{'/'.join(path + (key,))}" for key, path in _pack_keys(data) if key not in read})
    assert not unread, f"{pack_file.name}: keys no code reads: {unread}"


def test_the_key_scan_catches_an_unread_key():
    # the scan itself: a key that no code mentions is reported
    fake = {"params": {"subsidy_ratio_never_read": 0.25}, "materials": [{"id": "x", "colour_pages": True}]}
    read = _read_keys()
    assert {k for k, _ in _pack_keys(fake) if k not in read} == {"subsidy_ratio_never_read", "colour_pages"}
