"""Benchmark: recall and precision per rule, and seconds per package (cold and warm cache).

Generates a corpus of packages with seeded defects (split and combined layouts, a share of scanned
pages), runs the linter on each, and compares its findings with each package's expected findings.
Not a test: it prints figures.

    .venv/bin/python bench/run.py [--packages 30] [--out bench/out] [--jobs 2] [--scan-ratio 0.3]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import time
from collections import defaultdict
from pathlib import Path

from shenbao.engine import RunOptions, lint_package
from shenbao.fixtures.defects import LAYOUT_ONLY
from shenbao.fixtures.expected import compare
from shenbao.fixtures.generate import generate_package
from shenbao.plugins_manager import get_plugin_manager
from shenbao.programs import programs_from_plugins

DEFECTS = ["young_company", "stale_credit_query", "audit_no_code", "invoice_out_of_window", "invoice_below_min",
           "investment_below_threshold", "sum_mismatch", "field_blank", "name_mismatch", "credit_code_invalid",
           "corrupt_file", "illegible_scan", "missing:credit_tax", "missing:audit_report", "missing:declaration",
           "missing:invoice_list", "missing:business_license",
           # seals, signatures and the 骑缝章 (linter/vision); perforation_* only in the combined layout
           "seal_missing:declaration", "seal_missing:credit_tax", "seal_missing:invoice_list", "seal_missing_page",
           "tax_seal_missing", "foreign_seal", "signature_missing", "cpa_signature_missing", "signature_blue",
           "perforation_missing", "perforation_partial"]
# Defects that cannot share a package (both change the invoice list's total or remove it).
CLASHES = [{"investment_below_threshold", "sum_mismatch"}, {"missing:invoice_list", "sum_mismatch"},
           {"missing:invoice_list", "investment_below_threshold"}, {"missing:invoice_list", "invoice_below_min"},
           {"missing:invoice_list", "invoice_out_of_window"}, {"missing:business_license", "young_company"},
           {"missing:business_license", "credit_code_invalid"}, {"missing:audit_report", "audit_no_code"},
           {"missing:declaration", "name_mismatch"}, {"missing:invoice_list", "name_mismatch"},
           # a visual defect needs the material it is seeded on, and two on one seal or signature exclude each other
           {"missing:declaration", "seal_missing:declaration"}, {"missing:credit_tax", "seal_missing:credit_tax"},
           {"missing:invoice_list", "seal_missing:invoice_list"}, {"missing:invoice_list", "tax_seal_missing"},
           {"missing:declaration", "signature_missing"}, {"missing:declaration", "signature_blue"},
           {"missing:audit_report", "cpa_signature_missing"}, {"signature_missing", "signature_blue"},
           {"perforation_missing", "perforation_partial"}, {"seal_missing:invoice_list", "seal_missing_page"}]


def pick_defects(rng: random.Random, i: int, layout: str) -> list[str]:
    if i % 6 == 0:
        return []  # some clean packages, for precision
    chosen: list[str] = []
    for d in rng.sample(DEFECTS, len(DEFECTS)):
        if LAYOUT_ONLY.get(d, layout) != layout:
            continue  # the 骑缝章 is stamped on the one bound PDF of the combined layout
        if len(chosen) >= rng.randint(1, 3):
            break
        if any({d, c} <= clash for c in chosen for clash in CLASHES):
            continue
        chosen.append(d)
    return chosen


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--packages", type=int, default=30)
    ap.add_argument("--out", type=Path, default=Path("bench/out"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--scan-ratio", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--base-seeds", type=int, default=10,
                    help="packages are variants (other defects) of this many base packages; variants of a seed "
                         "share its unaffected files byte for byte, hence its extraction cache")
    ap.add_argument("--reuse", action="store_true",
                    help="keep packages and caches of an earlier run (same seed): re-scores the current code "
                         "quickly; the 'cold' column then shows warm times")
    ap.add_argument("--json-out", type=Path, help="write the figures as JSON here (bench/three.py reads it)")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    if not args.reuse:
        shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    pm = get_plugin_manager()
    program = programs_from_plugins(pm)["smx2025-intelligent-retrofit"]
    stats = defaultdict(lambda: {"tp": 0, "fn": 0, "fp": 0})
    cold, warm, pages, exact = [], [], [], 0
    misses, extras = [], []
    for i in range(args.packages):
        base = i % args.base_seeds
        layout = "combined" if base % 4 == 3 else "split"
        defects = pick_defects(rng, i, layout)
        gen = args.out / f"pkg{i:02d}"
        if args.reuse and (gen / "expected.json").exists():
            manifest = json.loads((gen / "expected.json").read_text("utf-8"))
        else:
            manifest = generate_package(gen, seed=1000 + base, layout=layout, defects=defects, scan_ratio=args.scan_ratio)
        cache = args.out / f"cache-seed{1000 + base}"
        first_of_seed = not cache.exists()
        options = RunOptions(as_of=dt.date.fromisoformat(manifest.get("as_of", "2025-08-10")), jobs=args.jobs,
                             cache_dir=cache)
        t = time.monotonic()
        report = lint_package(gen / "package", program, options, pm, pm_factory=get_plugin_manager)
        first_seconds = time.monotonic() - t
        if first_of_seed:
            cold.append(first_seconds)
        t = time.monotonic()
        lint_package(gen / "package", program, options, pm, pm_factory=get_plugin_manager)
        warm.append(time.monotonic() - t)
        pages.append(report["summary"]["pages"])
        result = compare(manifest["expected"], report["findings"])
        exact += result.exact
        for exp, _ in result.matched:
            stats[exp["rule"]]["tp"] += 1
        for exp in result.missed:
            stats[exp["rule"]]["fn"] += 1
            misses.append((gen.name, exp))
        for f in result.extra:
            stats[f["rule"]]["fp"] += 1
            extras.append((gen.name, f["rule"], f["path"], f["page"], f["message"][:90]))
        (gen / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
        print(f"{gen.name} {layout:8s} {','.join(defects) or 'clean':60s} pages {pages[-1]:3d} "
              f"{'cold' if first_of_seed else 'var.'} {first_seconds:6.1f}s warm {warm[-1]:5.2f}s "
              f"{'exact' if result.exact else 'MISMATCH'}", flush=True)

    print("\nrule                          expected  found  false+  recall  precision")
    for rule in sorted(stats):
        s = stats[rule]
        exp = s["tp"] + s["fn"]
        rec = s["tp"] / exp if exp else float("nan")
        prec = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else float("nan")
        print(f"{rule:28s} {exp:9d} {s['tp']:6d} {s['fp']:7d}  {rec:6.2f}  {prec:9.2f}")
    tp = sum(s["tp"] for s in stats.values())
    fn = sum(s["fn"] for s in stats.values())
    fp = sum(s["fp"] for s in stats.values())
    print(f"{'all':28s} {tp + fn:9d} {tp:6d} {fp:7d}  {tp / max(1, tp + fn):6.2f}  {tp / max(1, tp + fp):9.2f}")
    print(f"\npackages {args.packages}, exact {exact}/{args.packages}; pages/package median {statistics.median(pages)}")
    if cold:
        print(f"seconds/package cold (first package of each of {len(cold)} seeds): mean {statistics.mean(cold):.1f} "
              f"median {statistics.median(cold):.1f} max {max(cold):.1f}")
    print(f"seconds/package warm: mean {statistics.mean(warm):.2f} median {statistics.median(warm):.2f} max {max(warm):.2f}")
    if args.json_out:
        args.json_out.write_text(json.dumps({
            "corpus": "own generator", "packages": args.packages, "exact": exact,
            "tp": tp, "fn": fn, "fp": fp, "recall": tp / max(1, tp + fn), "precision": tp / max(1, tp + fp),
            "per_rule": {r: dict(s) for r, s in stats.items()},
            "cold_seconds": cold, "warm_seconds": warm,
            "false_positives": [list(e) for e in extras], "missed": [[n, e] for n, e in misses]},
            ensure_ascii=False, indent=1), "utf-8")
    if misses:
        print("\nmissed:")
        for name, exp in misses:
            print(f"  {name} {exp}")
    if extras:
        print("\nfalse positives:")
        for e in extras:
            print("  ", *e)


if __name__ == "__main__":
    main()
