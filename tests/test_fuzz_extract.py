"""A short structure-aware fuzz of the extraction entry point (see ``tests/badinput/fuzzing.py``).

Mutated PDFs, xlsx workbooks, zips and images go through ``shenbao.extract.extract_file``: each
must come back as a Document of a known kind, with reasons in Chinese and English when it could
not be read, within its time limit, never as an exception. CI runs ~60 s from a fixed seed
(``SHENBAO_FUZZ_SECONDS`` / ``SHENBAO_FUZZ_SEED`` change that); ``scripts/fuzz.py --minutes 30``
is the long run for developers.
"""
from __future__ import annotations

import os

from tests.badinput import fuzzing

SECONDS = float(os.environ.get("SHENBAO_FUZZ_SECONDS", "60"))
SEED = int(os.environ.get("SHENBAO_FUZZ_SEED", "20251121"))


def test_mutated_files_always_give_a_document(tmp_path):
    res = fuzzing.run(tmp_path / "work", seconds=SECONDS, seed=SEED, timeout=20)
    assert res.cases >= 50, f"only {res.cases} cases in {SECONDS} s"
    report = "\n".join(f"{f.seed} case {f.case}: {f.problem}" for f in res.failures[:10])
    assert not res.failures, f"{len(res.failures)} of {res.cases} inputs broke extraction:\n{report}"
    assert res.kinds.get("unreadable") and len(res.kinds) >= 3, res.kinds  # the mutations do reach the readers


def test_every_seed_reads_cleanly(tmp_path):
    from shenbao.extract import ExtractSettings, extract_file
    from tests.extract.extract_helpers import pm_factory

    pm = pm_factory()
    kinds = {}
    for name, data in fuzzing.seeds().items():
        p = tmp_path / name
        p.write_bytes(data)
        doc = extract_file(p, name, ExtractSettings(ocr=False), pm)
        kinds[name] = doc.kind
        assert fuzzing.check_document(doc, 20, doc.seconds) is None
    assert kinds == {"seed.png": "image", "seed.jpg": "image", "seed.tif": "image", "seed.gif": "image",
                     "seed.bmp": "image", "seed.webp": "image", "seed.pdf": "pdf", "raw.pdf": "pdf",
                     "seed.xlsx": "xlsx", "seed.zip": "unsupported"}
