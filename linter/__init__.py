"""shenbao-lint: a compliance linter for Chinese government subsidy application packages (申报材料)."""
import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("shenbao")

__all__ = ["hookimpl", "__version__"]
