"""Material kinds as data: ``plugins/kinds/kinds.yaml``, validated by ``schemas/kinds.schema.json``.

A kind says what a kind of 申报 document looks like (title, keyword and file-name patterns, for the
classifier) and which fact readers run on it (``facts:``, see ``shenbao.facts.collect``). This module
is the built-in plugin that offers them through ``shenbao_add_materials``; a third-party plugin
returns entries of the same shape, checked by :func:`validate_kinds`.
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from shenbao import hookimpl

from .programs import PackError, load_schema, schema_errors


class KindError(PackError):
    """A material kind entry does not fit the kinds schema (a usage error, like a bad pack)."""


def validate_kinds(entries: Any, origin: str) -> list[dict]:
    """Return ``entries`` when they fit ``kinds.schema.json``, else raise :class:`KindError` naming
    ``origin`` (the file or plugin), the entry and the key."""
    msg = schema_errors(entries, load_schema("kinds.schema.json"), origin)
    if msg:
        raise KindError(msg)
    return list(entries)


def load_kinds(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        # libyaml's loader when present: the built-in kinds are read by every run (0.2 s in Python)
        data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}  # noqa: S506 - safe loaders
    return validate_kinds(data.get("kinds", []), str(path))


# the built-in kinds ship as package data of shenbao.plugins.kinds (plugins/kinds/ in the repository)
KINDS: list[dict] = load_kinds(Path(str(files("shenbao.plugins.kinds") / "kinds.yaml")))


@hookimpl
def shenbao_add_materials():
    return KINDS
