"""QR decode only, per image variant: TP / FP / FN, precision, recall and ms/page.

    python bench/qr_variants.py --corpus /tmp/vc/c1 [--variant scan] [--misses] [--limit N] [--impl old_qr.py]

Runs ``qr.read_page_codes`` (decoded codes and located-but-unread boxes in one pass; plain
``decode_codes`` for an ``--impl`` without it) over a generated corpus (``pages/*`` +
``truth.json``, each page dict with ``variant`` and ``codes``). Timing is wall time of that call
alone (images are loaded first), reported overall and separately for pages with and without a QR
in the truth. ``--impl`` runs another qr.py (e.g. the previous version) for a comparison under
the same machine load.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shenbao.vision import qr  # noqa: E402
from scoring import Score  # noqa: E402


def _overlap(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/tmp/vc/c1")
    ap.add_argument("--variant", help="only pages of this variant")
    ap.add_argument("--limit", type=int, default=0, help="only the first N pages")
    ap.add_argument("--misses", action="store_true", help="list missed / false codes and locate_unread boxes")
    ap.add_argument("--impl", help="a qr.py file to run instead of shenbao.vision.qr (compare versions under one load)")
    args = ap.parse_args()
    global qr
    if args.impl:
        spec = importlib.util.spec_from_file_location("shenbao.vision._qr_bench", args.impl)
        qr = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(qr)
    corpus = Path(args.corpus)
    pages = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    if args.variant:
        pages = [p for p in pages if p.get("variant") == args.variant]
    if args.limit:
        pages = pages[: args.limit]

    by_variant: dict[str, Score] = defaultdict(Score)
    unread_score: dict[str, Score] = defaultdict(Score)
    total = Score()
    t_with, t_without, slowest = [], [], []
    t_variant: dict[str, list] = defaultdict(list)
    misses = []
    for pg in pages:
        rgb = np.asarray(Image.open(corpus / pg["file"]).convert("RGB"))
        t0 = time.perf_counter()
        if hasattr(qr, "read_page_codes"):
            codes, unread = qr.read_page_codes(rgb)
        else:
            codes, unread = qr.decode_codes(rgb), []
        dt = time.perf_counter() - t0
        want = [c["text"] for c in pg.get("codes", [])]
        (t_with if want else t_without).append(dt)
        v = pg.get("variant", "?")
        t_variant[v].append(dt)
        slowest.append((dt, pg["file"]))
        got = [c.text for c in codes]
        tp = sum(min(Counter(want)[k], Counter(got)[k]) for k in set(want))
        s = dict(tp=tp, fp=len(got) - tp, fn=len(want) - tp)
        by_variant[v].add(**s)
        total.add(**s)
        # located-but-unread boxes: right when a truth code was missed there, false otherwise
        missed = [c for c in pg.get("codes", []) if c["text"] not in got]
        for b in unread:
            ok = any(_overlap(b, c["bbox"]) for c in missed)
            unread_score[v].add(tp=int(ok), fp=int(not ok))
        if args.misses and (s["fp"] or s["fn"] or unread):
            mods = [c.get("module_px") for c in pg.get("codes", [])]
            misses.append((pg["file"], f"fn={s['fn']} fp={s['fp']}", f"module_px={mods}",
                           f"unread={[tuple(round(x, 3) for x in b) for b in unread]}"))

    ms = lambda xs: 1000 * sum(xs) / len(xs) if xs else 0.0  # noqa: E731
    print(f"{len(pages)} pages: " + ", ".join(f"{k} {len(v)}" for k, v in sorted(t_variant.items())))
    print(f"\n{'variant':12s} {'TP':>5s} {'FP':>5s} {'FN':>5s}   {'prec':>6s} {'recall':>6s} {'ms/page':>8s}")
    for v in sorted(by_variant):
        print(by_variant[v].row(v, False, width=12, digits=2) + f" {ms(t_variant[v]):8.1f}")
    print(total.row("all", False, width=12, digits=2) + f" {ms(t_with + t_without):8.1f}")
    print("\nlocate_unread: boxes on a missed code (right) / elsewhere (false): "
          + ", ".join(f"{v} {unread_score[v].tp}/{unread_score[v].fp}" for v in sorted(by_variant)))
    print()
    for name, ts in (("with a QR   ", t_with), ("without a QR", t_without)):
        print(f"ms/page {name} {ms(ts):7.1f}  ({len(ts)} pages, max {1000 * max(ts, default=0):.0f})")
    print("slowest: " + ", ".join(f"{f} {1000 * d:.0f} ms" for d, f in sorted(slowest, reverse=True)[:5]))
    if misses:
        print("\nmisses:")
        for m in misses:
            print("  " + "  ".join(m))


if __name__ == "__main__":
    main()
