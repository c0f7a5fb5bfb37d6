"""A stand-in for the per-package check of ``shenbao batch``: each package folder holds a
``stub.json`` saying what its files read as (applicant, credit code, invoice numbers, seeded
findings), and the real classify -> facts -> checks pipeline runs on those documents in memory.
Module-level so worker processes can import it."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from shenbao.engine import RunOptions, analyse
from shenbao.plugins_manager import get_plugin_manager
from tests.pipeline import APPLICANT, doc, invoice_rows, licence, program, sheet_doc


def write_stub(folder: Path, **spec) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "stub.json").write_text(json.dumps(spec, ensure_ascii=False), "utf-8")
    return folder


def fake_check(job: dict) -> dict:
    path = Path(job["path"])
    spec_file = path / "stub.json"
    if not spec_file.is_file():
        from shenbao.batch import check_one

        return check_one(job)  # a zip or an empty folder: the real engine (no OCR needed)
    spec = json.loads(spec_file.read_text("utf-8"))
    if spec.get("crash"):
        raise RuntimeError("stub crash")
    name = spec.get("name", APPLICANT)
    docs = []
    if spec.get("code"):
        docs.append(doc("营业执照.pdf", licence(name=name, code=spec["code"])))
    if spec.get("invoices"):
        rows = [(n, "2024-09-02", float(a)) for n, a in spec["invoices"]]
        docs.append(sheet_doc("发票清单.xlsx", invoice_rows(rows, payer=name)))
    as_of = dt.date.fromisoformat(job.get("as_of") or "2025-08-10")
    opts = RunOptions(as_of=as_of, lang=job.get("lang") or "zh", cross_package=True,
                      select=tuple(job.get("select") or ()), ignore=tuple(job.get("ignore") or ()))
    return analyse(path, docs, program(job["program"]), opts, get_plugin_manager(), as_of)
