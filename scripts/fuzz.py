#!/usr/bin/env python
"""Long fuzzing runs for developers (CI runs a short one in tests/test_fuzz_*.py).

    .venv/bin/python scripts/fuzz.py --minutes 30            # extraction fuzz, then the parsers
    .venv/bin/python scripts/fuzz.py --minutes 10 --only extract --seed 7
    .venv/bin/python scripts/fuzz.py --minutes 10 --only parsers

Extraction: mutated PDFs, xlsx, zips and images through ``extract_file`` (see
tests/badinput/fuzzing.py), in this process, for ~2/3 of the time; each failing input is saved
under ``--out`` (default ./fuzz-failures, created only when something fails) with its problem.
Parsers: the hypothesis properties of tests/test_fuzz_parsers.py with SHENBAO_FUZZ_EXAMPLES
raised to fill the rest of the time. Exit status 1 when anything failed.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--only", choices=["extract", "parsers"])
    ap.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    ap.add_argument("--timeout", type=float, default=20, help="per-file time limit given to extract_file")
    args = ap.parse_args()
    budget = args.minutes * 60
    failed = False
    if args.only != "parsers":
        from tests.badinput import fuzzing

        seconds = budget if args.only == "extract" else budget * 2 / 3
        print(f"extract fuzz: seed {args.seed}, {seconds / 60:.1f} min", flush=True)
        with tempfile.TemporaryDirectory(prefix="shenbao-fuzz-") as tmp:
            res = fuzzing.run(Path(tmp), seconds=seconds, seed=args.seed, timeout=args.timeout,
                              log=lambda m: print("  FAIL", m, flush=True))
        print(f"  {res.cases} inputs in {res.seconds} s; kinds {res.kinds}; slowest {res.slowest:.2f} s; "
              f"{len(res.failures)} failures", flush=True)
        if res.failures:
            failed = True
            args.out.mkdir(parents=True, exist_ok=True)
            for f in res.failures:
                stem = args.out / f"seed{args.seed}-case{f.case}-{f.seed}"
                stem.with_suffix(".bin").write_bytes(f.data)
                stem.with_suffix(".txt").write_text(f.problem + "\n", "utf-8")
            print(f"  inputs saved in {args.out}/")
    if args.only != "extract":
        seconds = budget if args.only == "parsers" else budget / 3
        examples = max(500, int(seconds * 60))  # ~17 properties at a few ms per example
        print(f"parser properties: {examples} examples each, seed {args.seed}", flush=True)
        env = dict(os.environ, SHENBAO_FUZZ_EXAMPLES=str(examples))
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fuzz_parsers.py",
               f"--hypothesis-seed={args.seed}"]
        failed |= subprocess.run(cmd, cwd=ROOT, env=env).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
