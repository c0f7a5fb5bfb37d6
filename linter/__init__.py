"""shenbao-lint: a compliance linter for Chinese government subsidy application packages (申报材料)."""
import os as _os

import pluggy

# pyHanko brings lxml, and openpyxl switches its XML parser to lxml when it is installed: keep it on
# defusedxml (entity expansion refused; bad-input corpus) whichever shenbao module imports openpyxl
# first — the batch summary writer may, before any xlsx of a package is read. Users may override.
_os.environ.setdefault("OPENPYXL_LXML", "False")

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("shenbao")

__all__ = ["hookimpl", "__version__"]
