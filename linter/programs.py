"""Loading program packs: YAML files or dicts from plugins, ``extends:`` chains, schema validation."""
from __future__ import annotations

import copy
import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import jsonschema
import yaml

from .check import Material, Program


class PackError(Exception):
    """A program pack is malformed. The message names the file, the key and what was expected."""


def load_schema(name: str) -> dict:
    return json.loads(resources.files("shenbao.schemas").joinpath(name).read_text("utf-8"))


def _read_pack(item: Any) -> dict:
    if isinstance(item, dict):
        pack = copy.deepcopy(item)
        pack.setdefault("__origin__", f"<plugin dict {item.get('id', '?')}>")
        return pack
    path = Path(item)
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PackError(f"{path}: 无法读取程序包 / cannot read program pack: {exc}") from exc
    if not isinstance(data, dict):
        raise PackError(f"{path}: 程序包应为 YAML 映射 / a program pack must be a YAML mapping")
    data["__origin__"] = str(path)
    return data


def _jsonable(value: Any) -> Any:
    """YAML turns 2025-07-16 into a date; the schema (and JSON) wants the string back."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _merge(base: dict, child: dict) -> dict:
    """Child keys win; ``params`` and ``binding`` merge key by key; ``checks`` concatenate with the
    child's entry replacing the base's entry of the same rule; ``materials`` replace as a whole."""
    out = copy.deepcopy(base)
    out.pop("abstract", None)
    for key, value in child.items():
        if key in ("params", "binding", "basis") and isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        elif key == "checks":
            by_rule = {c["rule"]: c for c in out.get("checks", []) if isinstance(c, dict) and "rule" in c}
            order = list(by_rule)
            for c in value or []:
                if isinstance(c, dict) and "rule" in c:
                    if c["rule"] not in by_rule:
                        order.append(c["rule"])
                    by_rule[c["rule"]] = c
            out["checks"] = [by_rule[r] for r in order]
        else:
            out[key] = copy.deepcopy(value)
    return out


def resolve(packs: dict[str, dict]) -> dict[str, dict]:
    """Resolve every pack's ``extends:`` chain; abstract packs are kept for reference."""
    resolved: dict[str, dict] = {}

    def get(pid: str, chain: tuple[str, ...]) -> dict:
        if pid in resolved:
            return resolved[pid]
        if pid in chain:
            raise PackError(f"{packs[pid]['__origin__']}: extends 形成循环 / extends cycle: {' -> '.join(chain + (pid,))}")
        pack = packs[pid]
        parent_id = pack.get("extends")
        if parent_id:
            if parent_id not in packs:
                raise PackError(f"{pack['__origin__']}: extends: 找不到程序包 '{parent_id}' / unknown pack '{parent_id}'")
            merged = _merge(get(parent_id, chain + (pid,)), pack)
            merged.pop("extends", None)
            merged["abstract"] = bool(pack.get("abstract", False))
        else:
            merged = copy.deepcopy(pack)
        resolved[pid] = merged
        return merged

    for pid in packs:
        get(pid, ())
    return resolved


def validate(pack: dict) -> None:
    """Validate a resolved pack; raise PackError naming the file, the key path and the expectation."""
    schema = load_schema("program.schema.json")
    data = _jsonable({k: v for k, v in pack.items() if not k.startswith("__")})
    data.pop("abstract", None)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.absolute_path) or "(根 / top level)"
        raise PackError(f"{pack.get('__origin__', '?')}: 键 / key '{where}': {err.message}")


def _to_date(value: Any, origin: str, key: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise PackError(f"{origin}: 键 / key '{key}': 应为日期 YYYY-MM-DD / expected a date, got {value!r}") from exc


def basis_text(basis: Any, default_seed: str = "") -> str:
    """Render a basis entry as one line: 文号 (seed file) L12-34 条款."""
    if not basis:
        return ""
    if isinstance(basis, str):
        return basis
    parts = []
    if basis.get("doc"):
        parts.append(basis["doc"])
    seed = basis.get("seed") or default_seed
    if seed:
        parts.append(f"({seed})")
    if basis.get("lines"):
        parts.append(f"L{basis['lines']}")
    if basis.get("clause"):
        parts.append(basis["clause"])
    return " ".join(parts)


def to_program(pack: dict) -> Program:
    origin = pack.get("__origin__", "?")
    seed = (pack.get("basis") or {}).get("seed", "") if isinstance(pack.get("basis"), dict) else ""
    doc = (pack.get("basis") or {}).get("doc", "") if isinstance(pack.get("basis"), dict) else ""

    def full_basis(b: Any) -> str:
        if isinstance(b, dict) and not b.get("doc") and doc:
            b = {"doc": doc.split(" ")[0], **b}
        return basis_text(b, seed)

    materials = []
    for i, m in enumerate(pack.get("materials", [])):
        materials.append(
            Material(
                id=m["id"],
                title=m["title"],
                kind=m["kind"],
                order=i,
                section=m.get("section", ""),
                required=m.get("required", True),
                requirements=m.get("requirements", {}) or {},
                basis=full_basis(m.get("basis")),
                recognise={**(m.get("recognise") or {}), "accepts": m.get("accepts", [])},
                note=m.get("note", ""),
                title_en=m.get("title_en", ""),
            )
        )
    checks = []
    for c in pack.get("checks", []):
        if c.get("enabled", True) is False:
            continue
        checks.append({**c, "basis": full_basis(c.get("basis")) if c.get("basis") else ""})
    params = _jsonable(dict(pack.get("params") or {}))
    return Program(
        id=pack["id"],
        title=pack["title"],
        title_en=pack.get("title_en", pack["title"]),
        source=pack.get("source", ""),
        basis=pack.get("basis") or {},
        notice_date=_to_date(pack["notice_date"], origin, "notice_date"),
        deadline=_to_date(pack["deadline"], origin, "deadline"),
        region=pack.get("region", ""),
        params={**params, "binding": pack.get("binding", {})},
        materials=materials,
        checks=checks,
        raw=pack,
        origin=origin,
    )


def load_programs(items: Iterable[Any]) -> dict[str, Program]:
    """Load, resolve and validate packs; return the concrete (non-abstract) programs by id."""
    packs: dict[str, dict] = {}
    for item in items:
        pack = _read_pack(item)
        pid = pack.get("id")
        if not isinstance(pid, str) or not pid:
            raise PackError(f"{pack['__origin__']}: 键 / key 'id': 缺少程序 id / missing program id")
        if pid in packs:
            raise PackError(f"{pack['__origin__']}: 程序 id 重复 / duplicate program id '{pid}' (also in {packs[pid]['__origin__']})")
        packs[pid] = pack
    programs: dict[str, Program] = {}
    for pid, pack in resolve(packs).items():
        if pack.get("abstract"):
            continue
        validate(pack)
        programs[pid] = to_program(pack)
    return dict(sorted(programs.items()))


def programs_from_plugins(pm) -> dict[str, Program]:
    items: list[Any] = []
    for result in pm.hook.shenbao_add_programs():
        items.extend(result or [])
    return load_programs(items)
