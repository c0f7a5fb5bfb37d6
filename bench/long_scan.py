#!/usr/bin/env python3
"""Long scans on the machine at hand (benchmark script, not a test): does a 42-page scanned PDF
finish inside the default limits, and what does each page cost?

    .venv/bin/python bench/long_scan.py [--pages 42] [--dpi 200] [--jobs 2] [--seed 5]

Builds an image-only PDF (no text layer) from the pages of a generated bound volume (the typed
application report, audit report, statements, contracts and lists), each page rendered at
``--dpi`` and degraded like a scanner's output (fixtures/scan.py), then runs ``shenbao check`` on a
package holding only that file, cold (empty cache) with the default limits (``--timeout`` per page,
``--time-budget`` per run). Prints the wall time, seconds per page, the pages left unread (the
time budget) and the file-unreadable / page-illegible findings.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_scan(out: Path, pages: int, dpi: int, seed: int) -> Path:
    from shenbao.fixtures.generate import generate_package
    from shenbao.fixtures.scan import degrade_scan

    gen = out / "gen"
    generate_package(gen, seed=seed, layout="combined", defects=[], scan_ratio=0.0)
    [volume] = sorted((gen / "package").glob("*.pdf"), key=lambda p: -p.stat().st_size)[:1]
    pdf = pdfium.PdfDocument(str(volume))
    rng = random.Random(seed)
    images = []
    for i in range(pages):
        page = pdf[i % len(pdf)]
        img = page.render(scale=dpi / 72).to_pil().convert("RGB")
        images.append(degrade_scan(img, rng))
    pdf.close()
    pkg = out / "package"
    pkg.mkdir(parents=True, exist_ok=True)
    path = pkg / "扫描件（合订本）.pdf"
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=42)
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="shenbao-longscan-") as tmp:
        work = Path(tmp)
        scan = build_scan(work, args.pages, args.dpi, args.seed)
        size = scan.stat().st_size / 1e6
        cmd = [str(ROOT / ".venv" / "bin" / "shenbao"), "check", str(scan.parent), "--program",
               "smx2025-intelligent-retrofit", "--as-of", "2025-08-10", "--format", "json", "--no-progress",
               "--cache-dir", str(work / "cache"), "--jobs", str(args.jobs)]
        t0 = time.monotonic()
        r = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.monotonic() - t0
        if r.returncode not in (0, 1):
            print(r.stderr[-2000:])
            raise SystemExit(f"shenbao exited {r.returncode}")
        report = json.loads(r.stdout)
        [entry] = [f for f in report["files"] if f["path"] == scan.name]
        unread = entry.get("unread_pages", [])
        notes = [f for f in report["findings"] if f["rule"] in ("file-unreadable", "page-illegible")]
        print(f"{args.pages} scanned pages at {args.dpi} dpi ({size:.1f} MB), --jobs {args.jobs}, default limits")
        print(f"  wall {wall:.1f} s, {wall / args.pages:.2f} s a page; pages read {entry['pages'] - len(unread)}"
              f"/{entry['pages']}; unread {unread or 'none'}")
        print(f"  materials found: {len(entry['materials'])}; file-unreadable/page-illegible findings: {len(notes)}")
        for f in notes:
            print(f"    {f['rule']} p.{f.get('page')}: {f['message'][:90]}")


if __name__ == "__main__":
    main()
