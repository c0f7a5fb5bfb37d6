"""Small helpers shared by the reporters: language choice, page ranges, locations."""
from __future__ import annotations

import re
from typing import Iterable, Optional

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

# Characters XML 1.0 cannot carry at all (C0 controls other than tab/newline/CR, surrogates, FFFE/FFFF).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def is_en(lang: Optional[str]) -> bool:
    return (lang or "zh").lower().startswith("en")


def pick(d: dict, key: str, lang: str) -> Optional[str]:
    """``d[key + "_en"]`` in English, ``d[key + "_zh"]`` in Chinese, falling back to ``d[key]``
    (which the engine writes in the report's language) and then to the other language."""
    en = is_en(lang)
    first = d.get(f"{key}_en") if en else d.get(f"{key}_zh")
    if first:
        return first
    if d.get(key):
        return d[key]
    other = d.get(f"{key}_zh") if en else d.get(f"{key}_en")
    return other or None


def finding_message(f: dict, lang: str) -> str:
    return pick(f, "message", lang) or ""


def finding_fix(f: dict, lang: str) -> Optional[str]:
    return pick(f, "fix", lang)


def material_title(m: dict, lang: str) -> str:
    if is_en(lang) and m.get("title_en"):
        return m["title_en"]
    return m.get("title") or m.get("id") or ""


def program_title(p: dict, lang: str) -> str:
    if is_en(lang) and p.get("title_en"):
        return p["title_en"]
    return p.get("title") or p.get("id") or ""


def rule_title(r: dict, lang: str) -> str:
    if is_en(lang) and r.get("title_en"):
        return r["title_en"]
    return r.get("title") or r.get("title_en") or r.get("id") or ""


def page_runs(pages: Iterable[int]) -> list[tuple[int, int]]:
    """[1, 2, 3, 5] -> [(1, 3), (5, 5)]"""
    runs: list[tuple[int, int]] = []
    for p in sorted(set(int(p) for p in pages)):
        if runs and p == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    return runs


def pages_label(pages: Iterable[int], lang: str) -> str:
    """``第 1–3、5 页`` / ``pp. 1–3, 5`` / ``p. 2``; empty string for no pages."""
    runs = page_runs(pages)
    if not runs:
        return ""
    parts = [str(a) if a == b else f"{a}–{b}" for a, b in runs]
    if is_en(lang):
        single = len(runs) == 1 and runs[0][0] == runs[0][1]
        return ("p. " if single else "pp. ") + ", ".join(parts)
    return "第 " + "、".join(parts) + " 页"


def location_label(f: dict, lang: str) -> str:
    """``path 第 N 页`` / ``path p. N`` / ``path``; empty for package-level findings."""
    path = f.get("path")
    if not path:
        return ""
    page = f.get("page")
    if page:
        return f"{path} {pages_label([page], lang)}"
    return path


def location_short(f: dict, lang: str) -> str:
    """``path:page`` for machine-ish one-liners (JUnit); the material title, or the package."""
    path = f.get("path")
    if path:
        return f"{path}:{f['page']}" if f.get("page") else path
    title = f.get("material_title") or f.get("material")
    if title:
        return f"[{title}]"
    return "(package)" if is_en(lang) else "（整个申报包）"


def xml_safe(s: Optional[str]) -> str:
    return _XML_INVALID.sub("\ufffd", s or "")


def severity_rank(sev: Optional[str]) -> int:
    return SEVERITY_ORDER.get(sev or "", 9)


VERDICT_LABELS = {
    "zh": {"fail": "不通过", "review": "需人工复核", "pass": "通过"},
    "en": {"fail": "Not passed", "review": "Needs manual review", "pass": "Passed"},
}


def verdict(report: dict) -> str:
    """``fail`` when the report has error findings (the exit code is 1), else ``review`` when some
    findings are uncertain (OCR or vision could not decide: a person must look), else ``pass``."""
    s = report.get("summary") or {}
    if int(s.get("errors") or 0) > 0:
        return "fail"
    if int(s.get("uncertain") or 0) > 0:
        return "review"
    return "pass"


def verdict_label(report: dict, lang: str) -> str:
    return VERDICT_LABELS["en" if is_en(lang) else "zh"][verdict(report)]
