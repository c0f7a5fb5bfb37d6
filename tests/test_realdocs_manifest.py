"""The real-document corpus's manifest and labels agree with each other (the files are not needed)."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent.parent / "bench" / "realdocs"
KINDS = {"invoice", "business_license", "id_card", "contract", "bank_receipt", "loan_disbursement", "credit_dishonest", "credit_tax",
         "credit_gsxt", "audit_report", "seal_only", "other"}


def _manifest() -> list[dict]:
    data = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    return data["documents"] if isinstance(data, dict) else data


def _labels() -> dict:
    return json.loads((HERE / "labels.json").read_text(encoding="utf-8"))


def test_entries_are_well_formed():
    docs = _manifest()
    assert docs
    ids = [d["id"] for d in docs]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for d in docs:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", d["id"]), d["id"]
        assert re.fullmatch(r"github:[A-Za-z0-9][\w.-]*/[\w.-]+", d["source"]), d["source"]
        assert re.fullmatch(r"[0-9a-f]{40}", d["commit"]), d["id"]
        assert re.fullmatch(r"[0-9a-f]{64}", d["sha256"]), d["id"]
        assert d["path"] and not d["path"].startswith("/"), d["id"]
        assert d["part"] in ("dev", "holdout"), d["id"]
        assert d["kind"] in KINDS, d["id"]
        assert d["format"] and d["format"] == d["format"].lower(), d["id"]


def test_same_file_not_listed_twice():
    shas = [d["sha256"] for d in _manifest()]
    assert len(shas) == len(set(shas))


def test_parts_are_assigned_by_source():
    parts = defaultdict(set)
    for d in _manifest():
        parts[d["source"]].add(d["part"])
    both = [s for s, p in parts.items() if len(p) > 1]
    assert not both, f"sources in both parts: {both}"
    assert {"dev", "holdout"} <= {p for ps in parts.values() for p in ps}


def test_labels_match_manifest():
    docs = {d["id"]: d for d in _manifest()}
    labels = _labels()
    assert set(labels) <= set(docs), f"labels without a manifest entry: {sorted(set(labels) - set(docs))}"
    assert set(docs) <= set(labels), f"manifest entries without labels: {sorted(set(docs) - set(labels))}"
    for did, lab in labels.items():
        assert lab["kind"] == docs[did]["kind"], did
        assert isinstance(lab.get("page"), int) and lab["page"] >= 1, did
        assert isinstance(lab.get("signatures", 0), int), did


@pytest.mark.parametrize("field", ["invoice_date", "established_date"])
def test_dates_are_iso(field):
    for did, lab in _labels().items():
        if field in lab:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", lab[field]), (did, lab[field])


def test_amounts_are_decimal_strings():
    for did, lab in _labels().items():
        for f in ("total", "amount_ex_tax", "tax"):
            if f in lab:
                assert re.fullmatch(r"-?\d+\.\d{2}", lab[f]), (did, f, lab[f])


def test_seals_are_boxes_in_page_fractions():
    for did, lab in _labels().items():
        seals = lab.get("seals")
        if seals is None:  # not labelled (e.g. electronic seals in OFD)
            continue
        for s in seals:
            assert s["colour"] in ("red", "blue"), did
            assert s["shape"] in ("round", "oval", "rect"), did
            x0, y0, x1, y1 = s["bbox"]
            assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1, (did, s["bbox"])
