"""One benchmark, three corpora side by side: our own generator's packages (bench/run.py), the
independent development corpus (../shared/devcorpus, scored by its own score.py) and our corpus of
real public documents (bench/real.py, its dev and held-out parts). Not a test: it prints figures.

Each part can be run here or read from an earlier run's JSON:

    .venv/bin/python bench/three.py                       # run all three (long: OCR of every package)
    .venv/bin/python bench/three.py --own /tmp/own.json --dev /tmp/dev.json --real /tmp/real.json
    .venv/bin/python bench/three.py --skip own            # run dev and real only

The own-generator run reuses its packages and caches with ``--own-reuse`` (bench/run.py --reuse).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_CORPUS = ROOT.parent / "shared" / "devcorpus"
PROGRAMS = ("smx2025-intelligent-retrofit",)  # the programs that exist; the others exit 2 until packed


def run_own(out: Path, reuse: bool, packages: int) -> dict:
    work = Path(tempfile.gettempdir()) / "shenbao-bench-own"
    cmd = [sys.executable, str(ROOT / "bench" / "run.py"), "--packages", str(packages), "--base-seeds", "4",
           "--out", str(work), "--json-out", str(out)] + (["--reuse"] if reuse else [])
    subprocess.run(cmd, check=True)
    return json.loads(out.read_text("utf-8"))


def run_dev(out: Path, corpus: Path) -> dict:
    index = json.loads((corpus / "index.json").read_text("utf-8"))
    names = [p["name"] for p in index["packages"] if p["program"] in PROGRAMS]
    cmd = [sys.executable, str(corpus / "score.py"), "--corpus", str(corpus), "--jobs", "2", "--timeout", "900",
           "--only", ",".join(names), "--json-out", str(out),
           "--cmd", f"{ROOT / '.venv' / 'bin' / 'shenbao'} check {{package}} --program {{program}} "
                    "--as-of {as_of} --format json"]
    subprocess.run(cmd, check=True)
    return json.loads(out.read_text("utf-8"))


def run_real(out: Path) -> dict:
    subprocess.run([sys.executable, str(ROOT / "bench" / "real.py"), "--part", "all", "--json-out", str(out)],
                   check=True)
    return json.loads(out.read_text("utf-8"))


def dev_figures(details) -> dict:
    """score.py's per-package details -> recall, precision, false findings on clean packages."""
    packages = details.get("packages", details) if isinstance(details, dict) else details
    tp = sum(len(d.get("found", [])) for d in packages)
    fn = sum(len(d.get("missed", [])) for d in packages)
    fps = [f for d in packages for f in d.get("false_positives", [])]
    clean = [d for d in packages if not d.get("found") and not d.get("missed")]
    sure = [f for f in fps if not f.get("uncertain")]
    return {"packages": len(packages), "tp": tp, "fn": fn, "fp": len(fps),
            "recall": tp / max(1, tp + fn), "precision": tp / max(1, tp + len(fps)),
            "precision_sure": tp / max(1, tp + len(sure)),
            "clean": len(clean), "clean_false_errors": sum(1 for d in clean for f in d.get("false_positives", [])
                                                           if f.get("severity") == "error"),
            "clean_uncertain_max": max([sum(1 for f in d.get("false_positives", []) if f.get("uncertain"))
                                        for d in clean] or [0])}


def print_packages(own: dict | None, dev: dict | None) -> None:
    print("\npackages                      own generator    dev corpus (independent)")
    def cell(d, key, fmt="{:.2f}"):
        return fmt.format(d[key]) if d and key in d else "-"
    rows = [("packages", "packages", "{}"), ("seeded defects found", "tp", "{}"), ("missed", "fn", "{}"),
            ("false findings", "fp", "{}"), ("recall", "recall", "{:.2f}"), ("precision", "precision", "{:.2f}")]
    for label, key, fmt in rows:
        print(f"  {label:26s} {cell(own, key, fmt):>14s}   {cell(dev, key, fmt):>14s}")
    if dev:
        print(f"  {'precision, sure findings':26s} {'':>14s}   {dev['precision_sure']:>14.2f}")
        print(f"  {'clean: false errors':26s} {'':>14s}   {dev['clean_false_errors']:>14d}")
        print(f"  {'clean: max uncertain':26s} {'':>14s}   {dev['clean_uncertain_max']:>14d}")


def print_real(real: dict | None) -> None:
    if not real:
        return
    print("\nreal documents (bench/real.py)")
    summary = real.get("summary", real)
    for part in ("dev", "holdout"):
        figures = summary.get(part)
        if not figures:
            continue
        print(f"  [{part}]")
        for key, value in figures.items():
            if isinstance(value, dict):
                shown = ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in value.items())
                print(f"    {key:24s} {shown}")
            else:
                print(f"    {key:24s} {value:.2f}" if isinstance(value, float) else f"    {key:24s} {value}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--own", type=Path, help="read the own-generator figures from this JSON (bench/run.py --json-out)")
    ap.add_argument("--dev", type=Path, help="read score.py's --json-out details from this JSON")
    ap.add_argument("--real", type=Path, help="read bench/real.py's --json-out from this JSON")
    ap.add_argument("--skip", default="", help="comma list of parts not to run: own, dev, real")
    ap.add_argument("--own-reuse", action="store_true", help="bench/run.py --reuse")
    ap.add_argument("--own-packages", type=int, default=16)
    ap.add_argument("--corpus", type=Path, default=DEV_CORPUS)
    args = ap.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    tmp = Path(tempfile.mkdtemp(prefix="shenbao-three-"))
    own = json.loads(args.own.read_text("utf-8")) if args.own else (
        None if "own" in skip else run_own(tmp / "own.json", args.own_reuse, args.own_packages))
    dev_raw = json.loads(args.dev.read_text("utf-8")) if args.dev else (
        None if "dev" in skip or not args.corpus.exists() else run_dev(tmp / "dev.json", args.corpus))
    real = json.loads(args.real.read_text("utf-8")) if args.real else (
        None if "real" in skip else run_real(tmp / "real.json"))
    print_packages(own, dev_figures(dev_raw) if dev_raw is not None else None)
    print_real(real)
    return 0


if __name__ == "__main__":
    sys.exit(main())
