"""Built-in report formats: ``text`` (rich), ``json``, ``sarif``, ``junit`` and ``html``.

Every reporter is a function ``render(report: dict, lang: str) -> str`` over the JSON report (see
``schemas/report.schema.json``), so a reporter never touches the package or the extracted model,
and a plugin format is exactly as capable as a built-in one. (``html`` also has
:func:`shenbao.reporters.html.render_package`, which ``check`` uses to embed page images read from
the package; its hook ``render`` embeds none.)

:func:`finding_fingerprint` is the one definition of a finding's identity across runs: the engine
stores it in ``finding["fingerprint"]`` and SARIF carries it as ``partialFingerprints``, so CI
dashboards keep one alert per problem while messages are reworded or translated.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

from shenbao import hookimpl

FINGERPRINT_FIELDS = ("rule", "path", "page", "material", "evidence")

Renderer = Callable[[dict, str], str]


def _get(finding: Any, name: str) -> Any:
    if isinstance(finding, dict):
        return finding.get(name)
    return getattr(finding, name, None)


def finding_fingerprint(finding: Any) -> str:
    """A stable 16-hex-digit identity for a finding.

    sha256 over ``rule, path, page, material, evidence`` (JSON-encoded as one array, so that
    ``("a", "bc")`` and ``("ab", "c")`` differ), truncated to 16 hex digits. The message, severity
    and confidence are deliberately left out: rewording a message, changing a program's severity
    or a new OCR engine's confidence does not make an old problem look new.

    Accepts a finding dict (the report shape) or any object with those attributes
    (:class:`shenbao.model.Finding`).
    """
    parts = []
    for name in FINGERPRINT_FIELDS:
        value = _get(finding, name)
        if name == "page" and value is not None:
            value = int(value)
        parts.append(value)
    payload = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def builtin_reporters() -> dict[str, Renderer]:
    """The built-in formats, ``{name: render(report, lang) -> str}``."""
    from . import html, json_report, junit, sarif, text

    return {
        "text": text.render,
        "json": json_report.render,
        "sarif": sarif.render,
        "junit": junit.render,
        "html": html.render,
    }


@hookimpl
def shenbao_add_reporters():
    return builtin_reporters()


__all__ = ["finding_fingerprint", "builtin_reporters", "shenbao_add_reporters", "FINGERPRINT_FIELDS"]
