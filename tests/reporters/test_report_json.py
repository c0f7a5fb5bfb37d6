"""The json reporter and schemas/report.schema.json."""
from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from shenbao.reporters import json_report


def _validator(schema):
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_schema_is_valid_draft_2020_12(report_schema):
    jsonschema.Draft202012Validator.check_schema(report_schema)
    assert report_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_sample_report_validates(sample_report, report_schema):
    _validator(report_schema).validate(sample_report)


def test_render_round_trips_and_is_stable(sample_report, report_schema):
    out = json_report.render(sample_report, "zh")
    assert out == json_report.render(copy.deepcopy(sample_report), "zh")
    assert json.loads(out) == sample_report
    _validator(report_schema).validate(json.loads(out))
    # UTF-8 kept as is, keys in the engine's order, indent 2
    assert "营业执照 (1).pdf" in out and "\\u" not in out
    assert list(json.loads(out)) == list(sample_report)
    assert out.startswith('{\n  "tool": {')
    assert out.endswith("}\n")


def test_render_serialises_dates_and_paths(sample_report):
    import datetime as dt
    from pathlib import PurePosixPath

    sample_report["as_of"] = dt.date(2025, 4, 1)
    sample_report["package_path"] = PurePosixPath("/tmp/申报材料")
    data = json.loads(json_report.render(sample_report, "zh"))
    assert data["as_of"] == "2025-04-01"
    assert data["package_path"] == "/tmp/申报材料"


def test_extra_properties_allowed_top_level_and_findings(sample_report, report_schema):
    sample_report["package_uri"] = "file:///tmp/pkg/"
    sample_report["something_new"] = {"x": 1}
    sample_report["findings"][0]["crop"] = "crops/abc.png"
    _validator(report_schema).validate(sample_report)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r.pop("findings"),
        lambda r: r.__setitem__("schema_version", 2),
        lambda r: r.__setitem__("stage", "province"),
        lambda r: r.__setitem__("as_of", "2025/04/01"),
        lambda r: r["summary"].pop("passed"),
        lambda r: r["summary"].__setitem__("surprise", 1),
        lambda r: r["findings"][0].__setitem__("severity", "fatal"),
        lambda r: r["findings"][0].__setitem__("page", 0),
        lambda r: r["findings"][0].__setitem__("bbox", [0.1, 0.2, 0.3]),
        lambda r: r["findings"][0].__setitem__("bbox", [10, 20, 30, 40]),
        lambda r: r["findings"][0].__setitem__("fingerprint", "xyz"),
        lambda r: r["findings"][0].pop("uncertain"),
        lambda r: r["findings"][0].__setitem__("path", "/abs/path.pdf"),
        lambda r: r["findings"][0].__setitem__("confidence", 1.5),
        lambda r: r["materials"][0].__setitem__("status", "ok"),
        lambda r: r["materials"][0].__setitem__("required", "maybe"),
        lambda r: r["materials"][0]["files"][0].__setitem__("pages", [0]),
        lambda r: r["files"][0].__setitem__("status", "weird"),
        lambda r: r["files"][0].__setitem__("text_source", "magic"),
        lambda r: r["rules"][0].pop("findings"),
        lambda r: r["program"].__setitem__("deadline", "30 April"),
        lambda r: r["tool"].__setitem__("name", "other"),
    ],
)
def test_schema_rejects_contract_violations(sample_report, report_schema, mutate):
    mutate(sample_report)
    with pytest.raises(jsonschema.ValidationError):
        _validator(report_schema).validate(sample_report)


def test_schema_is_packaged():
    from importlib import resources

    text = resources.files("shenbao.schemas").joinpath("report.schema.json").read_text(encoding="utf-8")
    assert json.loads(text)["title"] == "shenbao-lint report"
