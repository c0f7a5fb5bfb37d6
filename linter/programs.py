"""Loading program packs: YAML files or dicts from plugins, ``extends:`` chains, schema validation."""
from __future__ import annotations

import copy
import datetime as dt
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Optional

import jsonschema
import yaml

from .check import Material, Program


class PackError(Exception):
    """A program pack is malformed. The message names the file, the key and what was expected."""


MAX_ALIASES = 200  # YAML anchors/aliases a pack may use (a "billion laughs" file uses millions)
MAX_NODES = 200_000  # values in a pack, aliases expanded (the built-in packs have ~3 000)


def load_schema(name: str) -> dict:
    return json.loads(resources.files("shenbao.schemas").joinpath(name).read_text("utf-8"))


# -- schema errors as sentences ------------------------------------------------------------------

_TYPE_ZH = {"string": "文本", "integer": "整数", "number": "数字", "boolean": "true/false", "array": "列表",
            "object": "映射（键: 值）", "null": "空"}


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _known_keys(schema: dict, root: dict) -> set[str]:
    """Return the property names a schema allows, following local ``$ref``s and ``allOf``."""
    keys: set[str] = set()
    stack, seen = [schema], 0
    while stack and seen < 50:
        seen += 1
        sch = stack.pop()
        if not isinstance(sch, dict):
            continue
        if isinstance(sch.get("properties"), dict):
            keys.update(sch["properties"])
        ref = sch.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            node: Any = root
            for part in ref[2:].split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            stack.append(node)
        stack.extend(sch.get("allOf") or [])
    return keys


def describe_schema_error(err, root: Optional[dict] = None) -> tuple[str, str]:
    """Return ``(key path, expectation)`` for a jsonschema ``ValidationError``: the key as
    ``a/b/0/c`` (the missing or unknown key included) and what the schema expected there, in
    Chinese and English, with the value found."""
    path = [str(p) for p in err.absolute_path]
    v, vv, schema = err.validator, err.validator_value, err.schema if isinstance(err.schema, dict) else {}
    got = f"（实际为 / got {_short(err.instance)}）"
    if v == "required":
        missing = [k for k in vv if isinstance(err.instance, dict) and k not in err.instance]
        path.append(missing[0] if missing else "?")
        return "/".join(path), "缺少必填的键 / required key is missing"
    if v in ("additionalProperties", "unevaluatedProperties"):
        known = _known_keys(schema, root or schema)
        extra = sorted(str(k) for k in (err.instance or {}) if k not in known) if isinstance(err.instance, dict) else []
        if extra:
            path.append(extra[0])
        allowed = f"；可用的键 / allowed: {', '.join(sorted(known))}" if known else ""
        return "/".join(path), f"未知的键 / unknown key{allowed}"
    desc = schema.get("description")
    if v == "type":
        types = vv if isinstance(vv, list) else [vv]
        zh = "或".join(_TYPE_ZH.get(t, t) for t in types)
        exp = f"应为{zh} / expected {' or '.join(types)}"
    elif v == "enum":
        exp = f"应为其中之一 / expected one of {', '.join(map(repr, vv))}"
    elif v == "const":
        exp = f"应为 / expected {vv!r}"
    elif v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        op = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}[v]
        exp = f"应 {op} {vv} / expected a value {op} {vv}"
    elif v == "pattern":
        exp = f"格式不符 / expected to match {vv}"
    elif v in ("minLength", "minItems", "maxItems", "maxLength"):
        exp = f"长度不符 / expected {v} {vv}"
    else:
        exp = f"{err.message}"
    if desc:
        exp = f"{exp}（{desc}）"
    return "/".join(path) or "(根 / top level)", f"{exp}{got}"


def schema_errors(instance: Any, schema: dict, origin: str, limit: int = 3) -> Optional[str]:
    """Return a message naming ``origin``, the key and the expectation for up to ``limit``
    violations of ``schema`` (the most relevant first), or None when ``instance`` is valid."""
    from jsonschema.exceptions import best_match, relevance

    validator = jsonschema.Draft202012Validator(schema)
    errors = list(validator.iter_errors(instance))
    if not errors:
        return None
    first = best_match(errors)
    rest = sorted((e for e in errors if e is not first), key=relevance)[: limit - 1]
    lines = []
    for err in [first, *rest]:
        while err.context and err.validator in ("oneOf", "anyOf"):  # say which branch failed:
            depth = len(err.absolute_path)  # the one of the value's own type, when there is one
            fitting = [e for e in err.context if not (e.validator == "type" and len(e.absolute_path) == depth)]
            err = best_match(fitting or err.context)
        where, expected = describe_schema_error(err, schema)
        lines.append(f"{origin}: 键 / key '{where}': {expected}")
    more = len(errors) - len(lines)
    if more > 0:
        lines.append(f"（另有 {more} 处错误 / {more} more）")
    return "\n".join(lines)


# -- reading -------------------------------------------------------------------------------------

_ANCHOR = re.compile(r"(^|[\s\[{,:-])&[^\s]")  # a YAML anchor (“&name”), the only way to an alias


class _PackLoader(yaml.SafeLoader):
    """SafeLoader that refuses packs with more than MAX_ALIASES aliases (exponential expansion)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases = getattr(self, "_aliases", 0) + 1
            if self._aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"too many YAML aliases (more than {MAX_ALIASES})")
        return super().compose_node(parent, index)


def _read_pack(item: Any) -> dict:
    if isinstance(item, dict):
        if _too_big(item):
            raise PackError(f"{item.get('__origin__', '<plugin dict>')}: 程序包过大 / the pack is too large")
        pack = copy.deepcopy(item)
        pack.setdefault("__origin__", f"<plugin dict {item.get('id', '?')}>")
        return pack
    if not isinstance(item, (str, Path)):
        raise PackError(f"程序包应为 YAML 文件路径或映射 / a program pack must be a path to a YAML file or a dict, "
                        f"got {type(item).__name__}: {_short(item)}")
    path = Path(item)
    try:
        text = path.read_text("utf-8")
        # a pack without anchors cannot hold an alias bomb: libyaml reads it (every run reads the
        # packs); one with anchors goes through the counting loader
        loader = _PackLoader if _ANCHOR.search(text) or not hasattr(yaml, "CSafeLoader") else yaml.CSafeLoader
        data = yaml.load(text, Loader=loader)  # noqa: S506 - safe loaders only
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError, ValueError) as exc:
        raise PackError(f"{path}: 无法读取程序包 / cannot read program pack: {exc}") from exc
    if not isinstance(data, dict):
        raise PackError(f"{path}: 键 / key '(根 / top level)': 程序包应为 YAML 映射 / a program pack must be a YAML mapping, "
                        f"got {type(data).__name__}")
    if _too_big(data):
        raise PackError(f"{path}: 程序包展开后过大（锚点/别名嵌套） / the pack is too large once its YAML aliases are expanded")
    data["__origin__"] = str(path)
    return data


def _too_big(value: Any, budget: int = MAX_NODES) -> bool:
    """Return True when ``value`` has more than ``budget`` nodes counted as a tree (aliases
    counted every time they are used, as copying and validation would)."""
    stack, seen = [value], 0
    while stack:
        v = stack.pop()
        seen += 1
        if seen > budget:
            return True
        if isinstance(v, dict):
            stack.extend(v.values())
            stack.extend(v.keys())
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
    return False


def _partial_schema() -> dict:
    """The program schema without top-level ``required``: a pack that ``extends:`` another is
    checked for types before the merge, so an error names the file that holds it."""
    schema = copy.deepcopy(load_schema("program.schema.json"))
    schema.pop("required", None)
    # a child's material may be a patch: its id and the fields it changes
    schema["$defs"]["material"]["required"] = ["id"]
    return schema


def _check_raw(pack: dict) -> None:
    data = _jsonable({k: v for k, v in pack.items() if not (isinstance(k, str) and k.startswith("__"))})
    msg = schema_errors(data, _partial_schema(), pack.get("__origin__", "?"))
    if msg:
        raise PackError(msg)


def _jsonable(value: Any) -> Any:
    """YAML turns 2025-07-16 into a date; the schema (and JSON) wants the string back."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _patch_materials(base: list, patches: list, origin: str) -> list:
    """A child pack's ``materials`` patch its parent's list by id: an entry with a parent's id
    overrides the fields it gives (``requirements`` key by key), ``drop: true`` removes it, a new id
    is added where ``after:``/``before:`` says (else at the end). A sibling program is then the few
    lines in which it differs, not a copy of 23 materials."""
    out = [copy.deepcopy(m) for m in base]
    index = {m.get("id"): i for i, m in enumerate(out) if isinstance(m, dict)}
    for patch in patches:
        if not isinstance(patch, dict):
            continue
        patch = copy.deepcopy(patch)
        mid, drop = patch.get("id"), patch.pop("drop", False)
        after, before = patch.pop("after", None), patch.pop("before", None)
        if mid in index:
            i = index[mid]
            if drop:
                out[i] = None
                continue
            old = out[i]
            if isinstance(old.get("requirements"), dict) and isinstance(patch.get("requirements"), dict):
                patch["requirements"] = {**old["requirements"], **patch["requirements"]}
            out[i] = {**old, **patch}
            continue
        if drop:
            raise PackError(f"{origin}: 键 / key 'materials': drop 的材料 '{mid}' 不在所继承的清单中 / "
                            f"cannot drop '{mid}': the parent pack has no such material")
        anchor = after if after is not None else before
        if anchor is not None and anchor not in index:
            raise PackError(f"{origin}: 键 / key 'materials/{mid}': after/before 指向未知材料 '{anchor}' / "
                            f"unknown material '{anchor}'")
        pos = len(out) if anchor is None else index[anchor] + (1 if after is not None else 0)
        out.insert(pos, patch)
        index = {m.get("id"): i for i, m in enumerate(out) if isinstance(m, dict)}
    return [m for m in out if m is not None]


def _merge(base: dict, child: dict) -> dict:
    """Child keys win; ``params`` and ``binding`` merge key by key; ``checks`` concatenate with the
    child's entry replacing the base's entry of the same rule; ``materials`` patch the base's list
    by id (``_patch_materials``)."""
    out = copy.deepcopy(base)
    out.pop("abstract", None)
    for key, value in child.items():
        if key in ("params", "binding", "basis") and isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        elif key == "materials" and isinstance(value, list) and isinstance(out.get("materials"), list):
            out["materials"] = _patch_materials(out["materials"], value, child.get("__origin__", "?"))
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


def resolve_one(packs: dict[str, dict], pid: str) -> dict:
    """Resolve one pack's ``extends:`` chain (a broken parent breaks only its descendants)."""
    chain: list[str] = []
    cur = pid
    while True:
        if cur in chain:
            raise PackError(f"{packs[cur]['__origin__']}: extends 形成循环 / extends cycle: {' -> '.join(chain + [cur])}")
        chain.append(cur)
        parent = packs[cur].get("extends")
        if not parent:
            break
        if parent not in packs:
            raise PackError(f"{packs[cur]['__origin__']}: extends: 找不到程序包 '{parent}' / unknown pack '{parent}'")
        cur = parent
    merged = copy.deepcopy(packs[chain[-1]])
    for child in reversed(chain[:-1]):
        merged = _merge(merged, packs[child])
        merged.pop("extends", None)
        merged["abstract"] = bool(packs[child].get("abstract", False))
    return merged


def resolve(packs: dict[str, dict]) -> dict[str, dict]:
    """Resolve every pack's ``extends:`` chain; abstract packs are kept for reference."""
    return {pid: resolve_one(packs, pid) for pid in packs}


def validate(pack: dict) -> None:
    """Validate a resolved pack; raise PackError naming the file, the key path and the expectation."""
    schema = load_schema("program.schema.json")
    data = _jsonable({k: v for k, v in pack.items() if not (isinstance(k, str) and k.startswith("__"))})
    data.pop("abstract", None)
    msg = schema_errors(data, schema, pack.get("__origin__", "?"))
    if msg:
        raise PackError(msg)
    origin = pack.get("__origin__", "?")
    for key in ("notice_date", "deadline", "effective_until"):
        if key in data:
            _to_date(data[key], origin, key)
    window = (data.get("params") or {}).get("investment_window")
    for k, value in enumerate(window or []):
        _to_date(value, origin, f"params/investment_window/{k}")


def _to_date(value: Any, origin: str, key: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise PackError(f"{origin}: 键 / key '{key}': 应为有效日期 YYYY-MM-DD / expected a valid date YYYY-MM-DD "
                        f"（实际为 / got {_short(value)}）") from exc


def basis_text(basis: Any, default_seed: str = "") -> str:
    """Render a basis entry as one line: 文号 (seed file) L12-34 条款."""
    if not basis:
        return ""
    basis = _jsonable(basis)  # YAML reads an unquoted 2025-07-16 as a date: the schema took its text
    if isinstance(basis, str):
        return basis
    if not isinstance(basis, dict):
        return str(basis)
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
    return " ".join(str(p) for p in parts)


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
                # the kinds of an any_of group are taken as this material too
                recognise={**(m.get("recognise") or {}),
                           "accepts": list(m.get("accepts", [])) + [k for g in m.get("any_of", []) for k in g]},
                note=m.get("note", ""),
                title_en=m.get("title_en", ""),
                facts=list(m["facts"]) if "facts" in m else None,
                any_of=[list(g) for g in m.get("any_of", [])],
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
        notice_date=_to_date(pack["notice_date"], origin, "notice_date") if pack.get("notice_date") else None,
        deadline=_to_date(pack["deadline"], origin, "deadline") if pack.get("deadline") else None,
        region=pack.get("region", ""),
        params={**params, "binding": pack.get("binding", {})},
        materials=materials,
        checks=checks,
        raw=pack,
        origin=origin,
    )


def check_params(pack: dict, checks: dict[str, type]) -> None:
    """Validate each check entry's ``params`` against the JSON Schema its check declares
    (``Check.params_schema``), and the pack's own ``params`` against those of the checks it uses:
    a misspelt ``min_year:`` is an error naming the file and the key, never a silent default."""
    origin = pack.get("__origin__", "?")
    used: dict[str, dict] = {}
    for k, entry in enumerate(pack.get("checks") or []):
        cls = checks.get(entry.get("rule"))
        if cls is None:
            continue  # reported when the program runs: the plugin providing it may be absent
        schema = {"type": "object", "properties": dict(cls.params_schema), "additionalProperties": False}
        msg = schema_errors(_jsonable(entry.get("params") or {}), schema, f"{origin}: checks/{k} ({entry['rule']}) params")
        if msg:
            raise PackError(msg)
        used.update(cls.params_schema)
    schema = {"type": "object", "properties": used, "additionalProperties": False}
    msg = schema_errors(_jsonable(pack.get("params") or {}), schema, f"{origin}: params（本程序所用的检查均不读取未列出的键 / "
                        f"no check of this program reads a key not listed）")
    if msg:
        raise PackError(msg)


def check_kinds(pack: dict, kinds: set[str]) -> None:
    """Every material names a kind the classifier knows (or lists the kinds it ``accepts``): a
    misspelt kind would make the material missing in every package."""
    for k, m in enumerate(pack.get("materials") or []):
        if m.get("kind") not in kinds and not m.get("accepts"):
            raise PackError(f"{pack.get('__origin__', '?')}: 键 / key 'materials/{k}/kind': 未知的材料类型 / unknown "
                            f"material kind '{m.get('kind')}'（可用 / known: {', '.join(sorted(kinds))}）")
        for g, group in enumerate(m.get("any_of") or []):
            for j, kind in enumerate(group):
                if kind not in kinds:
                    raise PackError(f"{pack.get('__origin__', '?')}: 键 / key 'materials/{k}/any_of/{g}/{j}': 未知的材料类型 / "
                                    f"unknown material kind '{kind}'")


def load_programs(items: Iterable[Any], checks: Optional[dict[str, type]] = None,
                  errors: Optional[list[tuple[str, str]]] = None, kinds: Optional[set[str]] = None) -> dict[str, Program]:
    """Load, resolve and validate packs; return the concrete (non-abstract) programs by id. With
    ``checks`` (rule id -> class), each check's params are validated against its schema too.

    Without ``errors`` the first bad pack raises PackError (``shenbao pack validate``, tests). With
    a list, a bad pack is left out and ``(program id or origin, message)`` appended, so one broken
    third-party pack (and the packs extending it) is disabled and every other program still works."""
    def fail(key: str, exc: PackError) -> None:
        if errors is None:
            raise exc
        errors.append((key, str(exc)))

    packs: dict[str, dict] = {}
    for item in items:
        try:
            pack = _read_pack(item)
            pid = pack.get("id")
            if not isinstance(pid, str) or not pid:
                raise PackError(f"{pack['__origin__']}: 键 / key 'id': 缺少程序 id，应为文本 / missing program id, expected a "
                                f"string（实际为 / got {_short(pid)}）")
            _check_raw(pack)
            if pid in packs:
                raise PackError(f"{pack['__origin__']}: 程序 id 重复 / duplicate program id '{pid}' (also in {packs[pid]['__origin__']})")
        except PackError as exc:
            fail(str(item.get("id", item)) if isinstance(item, dict) else str(item), exc)
            continue
        packs[pid] = pack
    resolved: dict[str, dict] = {}
    for pid in list(packs):
        try:
            resolved[pid] = resolve_one(packs, pid)
        except PackError as exc:
            fail(pid, exc)
    programs: dict[str, Program] = {}
    for pid, pack in resolved.items():
        if pack.get("abstract"):
            continue
        try:
            validate(pack)
            if checks is not None:
                check_params(pack, checks)
            if kinds is not None:
                check_kinds(pack, kinds)
            programs[pid] = to_program(pack)
        except PackError as exc:
            fail(pid, exc)
    return dict(sorted(programs.items()))


def _plugin_origin(impl) -> str:
    """Name a plugin by its module file (what a user can open) and its registered name."""
    mod = impl.plugin
    where = getattr(mod, "__file__", None) or getattr(type(mod), "__module__", None) or repr(mod)
    return f"{where} (插件 / plugin '{impl.plugin_name}')"


def programs_from_plugins(pm, errors: Optional[list[tuple[str, str]]] = None, extra: Iterable[Any] = ()) -> dict[str, Program]:
    """Load every plugin's packs (and ``extra`` pack files); a pack given as a dict is named by its
    plugin's module file. With ``errors``, a plugin whose hook fails and a bad pack are left out and
    reported there."""
    from .engine import all_checks, all_kinds

    return load_programs(plugin_pack_items(pm, errors) + list(extra), all_checks(pm), errors,
                         kinds={k["kind"] for k in all_kinds(pm)})


def plugin_pack_items(pm, errors: Optional[list[tuple[str, str]]] = None) -> list[Any]:
    """What the plugins' ``shenbao_add_programs`` hooks return, in registration order."""
    items: list[Any] = []
    for impl in reversed(pm.hook.shenbao_add_programs.get_hookimpls()):  # registration order
        try:
            result = impl.function()
            if result is not None and not isinstance(result, (list, tuple)):
                raise PackError(f"{_plugin_origin(impl)}: shenbao_add_programs 应返回列表 / must return a list, "
                                f"got {type(result).__name__}")
        except Exception as exc:  # noqa: BLE001 - a broken plugin is a usage error, named clearly
            err = exc if isinstance(exc, PackError) else PackError(
                f"{_plugin_origin(impl)}: shenbao_add_programs 出错 / failed: {type(exc).__name__}: {exc}")
            if errors is None:
                raise err from exc
            errors.append((impl.plugin_name, str(err)))
            continue
        for item in result or []:
            if isinstance(item, dict) and "__origin__" not in item:
                item = {**item, "__origin__": f"{_plugin_origin(impl)}, 程序 / program '{item.get('id', '?')}'"}
            items.append(item)
    return items
