"""Configuration files: ``shenbao.toml``, or ``[tool.shenbao]`` in ``pyproject.toml``.

Where it is looked for: ``--config FILE`` when given; else ``shenbao.toml`` in the current
directory; else ``pyproject.toml`` in the current directory when it has a ``[tool.shenbao]``
table. The file is validated with ``schemas/config.schema.json``; a malformed file is a usage
error (exit 2) whose message names the file, the key and what was expected.

Its values become the defaults of ``shenbao check``, so a flag on the command line always wins
(``select``/``ignore``/``plugins`` from the file and from the command line add up). ``packages``
maps folders, relative to the file, to a program id or to options of their own; the deepest
folder holding the package checked wins. A consultant keeping many clients' packages in one
repository writes::

    # shenbao.toml
    as_of = 2025-08-10
    jobs = 2

    [packages]
    "clients/acme-2025" = "smx2025-intelligent-retrofit"
    "clients/beta" = { program = "smx2025-intelligent-retrofit", stage = "county" }
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONFIG_FILE = "shenbao.toml"
PYPROJECT = "pyproject.toml"


class ConfigError(Exception):
    """A configuration file is missing or malformed; the message names the file and the key."""


@dataclass
class Config:
    path: Path
    options: dict[str, Any]  # top-level options (validated)
    plugins: list[str] = field(default_factory=list)
    packages: dict[str, dict[str, Any]] = field(default_factory=dict)  # folder (absolute) -> options

    def options_for(self, package: Optional[Path]) -> dict[str, Any]:
        """Return the options for ``package``: the file's top level, then the deepest matching folder."""
        out = dict(self.options)
        if package is None:
            return out
        try:
            target = package.resolve()
        except (OSError, RuntimeError):
            return out
        best: Optional[tuple[int, dict]] = None
        for folder, opts in self.packages.items():
            f = Path(folder)
            if target == f or f in target.parents:
                depth = len(f.parts)
                if best is None or depth > best[0]:
                    best = (depth, opts)
        if best:
            out.update(best[1])
        return out


def find_config(explicit: Optional[Path], cwd: Optional[Path] = None) -> Optional[Path]:
    """Return the configuration file to use, or None. An explicit file must exist."""
    if explicit is not None:
        if not Path(explicit).is_file():
            raise ConfigError(f"{explicit}: 找不到配置文件 / config file not found")
        return Path(explicit)
    cwd = Path.cwd() if cwd is None else cwd
    if (cwd / CONFIG_FILE).is_file():
        return cwd / CONFIG_FILE
    py = cwd / PYPROJECT
    if py.is_file():
        try:
            data = tomllib.loads(py.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None  # someone else's pyproject: not ours to complain about unless it has our table
        if isinstance(data.get("tool"), dict) and "shenbao" in data["tool"]:
            return py
    return None


def _plain(value: Any) -> Any:
    """TOML dates become ISO strings (the schema, like JSON, knows only strings)."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_config(path: Path) -> Config:
    """Read and validate a configuration file; raise ConfigError naming the file, the key and
    what the schema expects."""
    from .programs import load_schema, schema_errors

    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: 无法读取配置文件 / cannot read the config file: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: 不是有效的 TOML / invalid TOML: {exc}") from exc
    label = str(path)
    if path.name == PYPROJECT:
        data = (data.get("tool") or {}).get("shenbao")
        label = f"{path} [tool.shenbao]"
        if not isinstance(data, dict):
            raise ConfigError(f"{label}: 键 / key 'tool/shenbao': 应为表 / expected a table")
    data = _plain(data)
    msg = schema_errors(data, load_schema("config.schema.json"), label)
    if msg:
        raise ConfigError(msg)
    base = path.resolve().parent
    for key in DATE_KEYS:
        _check_date(data, key, label, key)
    packages = {}
    for folder, opts in (data.pop("packages", None) or {}).items():
        if isinstance(opts, str):
            opts = {"program": opts}
        for key in DATE_KEYS:
            _check_date(opts, key, label, f"packages/{folder}/{key}")
        packages[str((base / folder).resolve())] = _resolve_paths(opts, base)
    plugins = list(data.pop("plugins", None) or [])
    return Config(path=path, options=_resolve_paths(data, base), plugins=plugins, packages=packages)


DATE_KEYS = ("as_of", "notice_date", "deadline")


def _check_date(opts: dict, key: str, label: str, where: str) -> None:
    if key in opts:
        try:
            opts[key] = dt.date.fromisoformat(opts[key])
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{label}: 键 / key '{where}': 应为有效日期 YYYY-MM-DD / expected a valid date "
                              f"YYYY-MM-DD（实际为 / got {opts[key]!r}）") from exc


def _resolve_paths(opts: dict, base: Path) -> dict:
    out = dict(opts)
    if "cache_dir" in out:
        out["cache_dir"] = base / out["cache_dir"]
    return out


# -- command line -------------------------------------------------------------------------------

def positive_int(value: str) -> int:
    """argparse type: a whole number >= 1."""
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"应为正整数 / expected a whole number >= 1: {value!r}")
    return n


def non_negative_int(value: str) -> int:
    """argparse type: a whole number >= 0."""
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"应为不小于 0 的整数 / expected a whole number >= 0: {value!r}")
    return n


def non_negative_float(value: str) -> float:
    """argparse type: a number of seconds >= 0 (0 = no limit)."""
    try:
        x = float(value)
    except ValueError:
        x = -1.0
    if not x >= 0 or x == float("inf"):
        raise argparse.ArgumentTypeError(f"应为不小于 0 的秒数 / expected seconds >= 0: {value!r}")
    return x


# config key -> (argparse dest, how to turn the value into the flag's value)
_DESTS = {
    "program": ("program", None), "as_of": ("as_of", None), "notice_date": ("notice_date", None),
    "deadline": ("deadline", None), "stage": ("stage", None), "lang": ("lang", None),
    "format": ("format", None), "jobs": ("jobs", None), "timeout": ("timeout", float),
    "time_budget": ("time_budget", float),
    "max_pages": ("max_pages", None), "max_image_pixels": ("max_image_pixels", None),
    "cache_dir": ("cache_dir", Path), "select": ("select", list), "ignore": ("ignore", list),
    "ocr_detect_side": ("ocr_detect_side", None),
}


def _subparser(parser: argparse.ArgumentParser, name: str) -> Optional[argparse.ArgumentParser]:
    for action in parser._actions:  # noqa: SLF001 - argparse has no public accessor
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return action.choices.get(name)
    return None


def defaults_from(opts: dict[str, Any]) -> dict[str, Any]:
    """Return argparse defaults (dest -> value) for ``shenbao check`` from config options."""
    out: dict[str, Any] = {}
    for key, value in opts.items():
        if key == "ocr":
            if value is False:
                out["no_ocr"] = True
            elif value is True:
                out["no_ocr"] = False
            else:
                out["ocr"] = value
        elif key == "cache":
            out["no_cache"] = not value
        elif key in _DESTS:
            dest, conv = _DESTS[key]
            out[dest] = conv(value) if conv else value
    return out


def parse_args(parser: argparse.ArgumentParser, argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse ``argv`` with the configuration file's values as defaults of ``shenbao check``.

    Two passes: the first (with ``--program`` optional) finds the command, the package and
    ``--config``; the configuration's options for that package become the subcommand's defaults;
    the second pass parses again, so flags given on the command line win. Raises ConfigError."""
    check = _subparser(parser, "check")
    program = next((a for a in (check._actions if check else []) if a.dest == "program"), None)  # noqa: SLF001
    if program is None:
        return parser.parse_args(argv)
    program.required = False
    try:
        first = parser.parse_args(argv)
        if first.command != "check":
            return first
        path = find_config(getattr(first, "config", None))
        if path is not None:
            cfg = load_config(path)
            check.set_defaults(**defaults_from(cfg.options_for(first.package)))
            if cfg.plugins:
                parser.set_defaults(plugin=list(cfg.plugins))
            args = parser.parse_args(argv)
            args.config = path
        else:
            args = first
    finally:
        program.required = True
    if not args.program:
        check.error("缺少 --program（或在配置文件中设置 program） / the following arguments are required: --program")
    return args
