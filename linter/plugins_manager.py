"""The one pluggy PluginManager: built-ins and third-party plugins come in through the same door."""
from __future__ import annotations

import functools
import importlib
from typing import Iterable

import pluggy

from . import hookspecs

ENTRY_POINT_GROUP = "shenbao"

# Registered directly too, so a source checkout that is not pip-installed still works. When the
# distribution is installed, its entry points name the same modules and pluggy skips duplicates.
BUILTIN_PLUGINS = (
    "shenbao.materials",
    "shenbao.checks",
    "shenbao.extract.plugin",
    "shenbao.reporters",
    "shenbao.plugins.smx2025",
)


class PluginError(Exception):
    """An installed plugin could not be loaded."""


def make_plugin_manager(extra: Iterable[str] = (), blocked: Iterable[str] = (), entry_points: bool = True) -> pluggy.PluginManager:
    """Build a manager: hookspecs, built-ins, installed entry points, then ``extra`` module names."""
    pm = pluggy.PluginManager("shenbao")
    pm.add_hookspecs(hookspecs)
    for name in blocked:
        pm.set_blocked(name)
    for modname in BUILTIN_PLUGINS:
        if pm.is_blocked(modname):
            continue
        try:
            mod = importlib.import_module(modname)
        except ImportError:  # a built-in still being written must not break the others
            continue
        if pm.get_plugin(modname) is None and not pm.is_registered(mod):
            pm.register(mod, name=modname)
    if entry_points:
        _load_entry_points(pm)
    for modname in extra:
        mod = importlib.import_module(modname)
        if not pm.is_registered(mod):
            pm.register(mod, name=modname)
    pm.check_pending()
    return pm


def _load_entry_points(pm: pluggy.PluginManager) -> None:
    """Like pluggy's load_setuptools_entrypoints, but skips modules already registered as built-ins."""
    from importlib.metadata import distributions

    for dist in distributions():
        for ep in dist.entry_points:
            if ep.group != ENTRY_POINT_GROUP or pm.is_blocked(ep.name):
                continue
            if ep.value in BUILTIN_PLUGINS or pm.get_plugin(ep.name) is not None:
                continue  # built-ins are registered directly above
            try:
                plugin = ep.load()
            except Exception as exc:  # a broken plugin is a usage error, named clearly
                raise PluginError(f"插件 {ep.name} ({ep.value}) 无法加载 / plugin failed to load: {exc}") from exc
            if pm.is_registered(plugin):
                continue
            pm.register(plugin, name=ep.name)


@functools.lru_cache(maxsize=None)
def get_plugin_manager(extra: tuple[str, ...] = ()) -> pluggy.PluginManager:
    """The process-wide manager (worker processes call this too, so it must stay picklable by name)."""
    return make_plugin_manager(extra=extra)


def plugin_names(pm: pluggy.PluginManager) -> list[str]:
    return sorted(n for n, p in pm.list_name_plugin() if p is not None)

