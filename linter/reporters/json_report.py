"""The ``json`` format: the report itself, as validated by ``schemas/report.schema.json``.

Pretty-printed (indent 2), UTF-8 text kept as is (``ensure_ascii=False``), keys in the order the
engine built them, so the same report always renders to the same bytes.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import PurePath
from typing import Any


def _default(obj: Any) -> Any:
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    if isinstance(obj, PurePath):
        return obj.as_posix()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def dumps(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, sort_keys=False, indent=2, default=_default) + "\n"


def render(report: dict, lang: str = "zh") -> str:
    """Render the report as JSON. ``lang`` is accepted for the reporter signature; the report's
    own ``lang`` (chosen when it was built) decides ``message`` and ``fix``, and both languages are
    always present as ``message_zh``/``message_en``."""
    return dumps(report)


def digital_signature_entries(docs, lang: str = "zh") -> list[dict]:
    """The report's ``digital_signatures``: one entry per PDF signature field of each document, as
    evidence (not findings). ``reason`` follows the report language; both are kept."""
    out = []
    for d in sorted(docs, key=lambda d: d.path):
        for s in getattr(d, "digital_signatures", None) or []:
            out.append({
                "path": d.path, "field": s.field, "page": s.page,
                "bbox": [round(v, 4) for v in s.bbox] if s.bbox else None,
                "signer": s.signer or None, "organisation": s.organisation or None, "time": s.time,
                "integrity": s.integrity, "covers_whole_file": s.covers_whole_file,
                "signer_verified": s.signer_verified,
                "reason": s.reason_en if lang == "en" else s.reason, "reason_zh": s.reason, "reason_en": s.reason_en,
            })
    return out
