"""Built-in plugins: material kinds (kinds/) and program packs, one sub-package per notice."""
from __future__ import annotations

from pathlib import Path


def pack_files(module_file: str) -> list[Path]:
    """The YAML packs beside a plugin module, in a stable order: a program pack plugin's
    ``shenbao_add_programs`` returns them."""
    return sorted(Path(module_file).parent.glob("*.yaml"))
