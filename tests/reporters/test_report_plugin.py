"""Registration through the hook, and the fingerprint helper the engine uses."""
from __future__ import annotations

import re

import pluggy

from shenbao import hookspecs
from shenbao import reporters
from shenbao.reporters import finding_fingerprint


def test_hook_returns_the_five_formats(sample_report):
    pm = pluggy.PluginManager("shenbao")
    pm.add_hookspecs(hookspecs)
    pm.register(reporters)
    merged = {}
    for d in pm.hook.shenbao_add_reporters():
        merged.update(d)
    assert set(merged) == {"text", "json", "sarif", "junit", "html"}
    for name, render in merged.items():
        for lang in ("zh", "en"):
            out = render(sample_report, lang)
            assert isinstance(out, str) and out.strip(), name


def test_fingerprint_shape_and_stability(sample_report):
    f = sample_report["findings"][0]
    fp = finding_fingerprint(f)
    assert re.fullmatch(r"[0-9a-f]{16}", fp)
    assert finding_fingerprint(dict(f)) == fp
    # wording, severity and confidence do not change identity
    assert finding_fingerprint(dict(f, message="x", message_en="y", severity="warning", confidence=0.1)) == fp
    # location and evidence do
    for change in ({"page": 3}, {"path": "other.pdf"}, {"rule": "signature-missing"},
                   {"material": "x"}, {"evidence": "other"}, {"page": None}):
        assert finding_fingerprint(dict(f, **change)) != fp, change


def test_fingerprint_unambiguous():
    a = {"rule": "a", "path": "bc", "page": None, "material": None, "evidence": None}
    b = {"rule": "ab", "path": "c", "page": None, "material": None, "evidence": None}
    assert finding_fingerprint(a) != finding_fingerprint(b)


def test_fingerprint_accepts_model_finding(sample_report):
    from shenbao.model import Finding

    d = sample_report["findings"][0]
    obj = Finding(rule=d["rule"], severity=d["severity"], message=d["message_zh"], message_en=d["message_en"],
                  path=d["path"], page=d["page"], material=d["material"], evidence=d["evidence"])
    assert finding_fingerprint(obj) == d["fingerprint"]
