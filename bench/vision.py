"""Visual-evidence benchmark: precision, recall and speed of the seal, 骑缝章, signature and QR
detectors on a generated corpus of page images with ground truth.

    python bench/vision.py [--pages 240] [--seed 0] [--corpus DIR] [--ocr] [--no-seal-text]

The corpus (fixtures/vision_corpus.py) mixes clean renders, scans, phone photos and grayscale
scans; seals of several styles (round, double ring, oval 发票专用章, square, blue, faint, partly
printed, over text, over signatures), red things that are not seals, signature fields signed and
unsigned, 骑缝章 slices and QR codes. Signature fields are found from the page's lines: the printed
lines of the truth (as a PDF text layer gives them), or with ``--ocr`` RapidOCR's lines on scanned
variants (slow: ~2 s a page).

Prints, per detector: TP, FP, FN, precision, recall, and milliseconds per page.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shenbao.model import Line  # noqa: E402
from scoring import Score  # noqa: E402
from shenbao import vision  # noqa: E402
from shenbao.vision import qr, seal_text, signatures  # noqa: E402


def iou(a, b) -> float:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def centre_in(a, b) -> bool:
    cx, cy = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    return b[0] <= cx <= b[2] and b[1] <= cy <= b[3]


def match(truth: list, found: list, key=lambda t: t["bbox"], fkey=lambda f: f.bbox, thr=0.3):
    """Greedy one-to-one matching by IoU (or centre inside); returns (pairs, unmatched truth, unmatched found)."""
    pairs, used = [], set()
    for t in truth:
        best, best_i = None, None
        for i, f in enumerate(found):
            if i in used:
                continue
            v = iou(key(t), fkey(f))
            if v >= thr or centre_in(fkey(f), key(t)):
                if best is None or v > best:
                    best, best_i = v, i
        if best_i is not None:
            used.add(best_i)
            pairs.append((t, found[best_i]))
    return pairs, [t for t in truth if all(t is not p[0] for p in pairs)], [f for i, f in enumerate(found) if i not in used]


def ocr_lines(rgb):
    from shenbao.extract import ocr

    return ocr.ocr_page(rgb, "rapidocr").lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=240)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--corpus", type=Path, help="an existing corpus folder (else one is generated in a temp dir)")
    ap.add_argument("--ocr", action="store_true", help="find signature labels with RapidOCR on scanned variants")
    ap.add_argument("--no-seal-text", action="store_true", help="skip reading seal text (issuer accuracy)")
    ap.add_argument("--show", type=int, default=8, help="list up to N misses per detector")
    args = ap.parse_args()

    tmp = None
    if args.corpus is None:
        from shenbao.fixtures.vision_corpus import generate_vision_corpus

        tmp = tempfile.TemporaryDirectory(prefix="shenbao-vision-")
        t0 = time.monotonic()
        corpus = Path(generate_vision_corpus(Path(tmp.name), n_pages=args.pages, seed=args.seed))
        print(f"corpus: {args.pages} pages generated in {time.monotonic() - t0:.1f} s")
    else:
        corpus = args.corpus
    truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    pages = truth["pages"] if isinstance(truth, dict) else truth

    s_seal, s_frag, s_sig_missing, s_sig_signed, s_qr, s_issuer = Score(), Score(), Score(), Score(), Score(), Score()
    by_variant: dict[str, Score] = defaultdict(Score)
    by_style: dict[str, Score] = defaultdict(Score)
    colour_ok = colour_n = 0
    labels_found = labels_total = 0
    t_seal, t_sig, t_qr, t_text, n_text = [], [], [], [], 0
    misses: dict[str, list] = defaultdict(list)
    variants = Counter()

    for pg in pages:
        rgb = np.asarray(Image.open(corpus / pg["file"]).convert("RGB"))
        variants[pg.get("variant", "?")] += 1
        t0 = time.perf_counter()
        found = vision.find_seals(rgb)  # what extraction runs (analyse_page), less the seal text
        t_seal.append(time.perf_counter() - t0)

        # whole seals
        tw = [s for s in pg.get("seals", []) if s.get("kind", "seal") == "seal"]
        fw = [s for s in found if s.edge is None]
        pairs, fn, fp = match(tw, fw)
        s_seal.add(len(pairs), len(fp), len(fn))
        by_variant[pg.get("variant", "?")].add(len(pairs), len(fp), len(fn))
        for t in tw:
            st = "faint" if t.get("faint") else t.get("style", t.get("shape", "?"))
            by_style[st].add(tp=int(any(t is p[0] for p in pairs)), fn=int(t in fn))
        for f in fp:
            near = [d["what"] for d in pg.get("distractors", []) if iou(d["bbox"], f.bbox) > 0.1 or centre_in(f.bbox, d["bbox"])]
            by_style["(false: " + (near[0] if near else "other") + ")"].add(fp=1)
            misses["seal FP"].append((pg["file"], near[0] if near else "", [round(v, 3) for v in f.bbox]))
        for t in fn:
            misses["seal FN"].append((pg["file"], t.get("style"), "faint" if t.get("faint") else ""))
        if not args.no_seal_text:
            for t, f in pairs:
                t0 = time.perf_counter()
                f.text, f.text_confidence = seal_text.read_seal(rgb, f)
                t_text.append(time.perf_counter() - t0)
                n_text += 1
                f.issuer = seal_text.classify_issuer(f.text)
                if t.get("issuer"):
                    ok = f.issuer == t["issuer"]
                    s_issuer.add(tp=int(ok), fn=int(not ok))
                    if not ok:
                        misses["issuer"].append((pg["file"], t.get("name"), f.text, f.issuer, t["issuer"]))

        # 骑缝章 slices: per page, present or not
        t_frag = any(s.get("kind") == "fragment" for s in pg.get("seals", []))
        f_frag = any(s.edge in ("left", "right") for s in found)
        s_frag.add(tp=int(t_frag and f_frag), fp=int(f_frag and not t_frag), fn=int(t_frag and not f_frag))
        if t_frag != f_frag:
            misses["骑缝章"].append((pg["file"], "missed" if t_frag else "false"))

        # signatures
        fields = pg.get("signature_fields", [])
        if fields:
            if args.ocr and pg.get("variant") != "clean":
                lines = ocr_lines(rgb)
            else:
                lines = [Line(l["text"], tuple(l["bbox"]), 1.0) for l in pg.get("lines", [])]
            t0 = time.perf_counter()
            got = signatures.find_signature_fields(rgb, lines, found)
            t_sig.append(time.perf_counter() - t0)
            pairs, fn, _ = match(fields, got, key=lambda t: t["label_bbox"], fkey=lambda f: f.label_bbox, thr=0.2)
            labels_total += len(fields)
            labels_found += len(pairs)
            for t, f in pairs:
                if t["signed"]:
                    s_sig_signed.add(tp=int(f.signed), fn=int(not f.signed))
                    s_sig_missing.add(fp=int(not f.signed))
                    if f.signed and t.get("colour") and pg.get("variant") != "grayscale":  # gray: no colour to see
                        colour_n += 1
                        colour_ok += int(f.colour == t["colour"])
                        if f.colour != t["colour"]:
                            misses["ink colour"].append((pg["file"], t["colour"], f.colour))
                else:
                    s_sig_missing.add(tp=int(not f.signed), fn=int(f.signed))
                    s_sig_signed.add(fp=int(f.signed))
                if f.signed != t["signed"]:
                    misses["signature"].append((pg["file"], t["label"], "signed" if t["signed"] else "unsigned",
                                                t.get("style") or t.get("case"), round(f.ink, 4)))
            for t in fn:  # label not found: the check then says "uncertain", counted as a miss of both
                (s_sig_signed if t["signed"] else s_sig_missing).add(fn=1)
                misses["signature label"].append((pg["file"], t["label"]))

        # QR
        t0 = time.perf_counter()
        codes = qr.decode_codes(rgb)
        t_qr.append(time.perf_counter() - t0)
        want = [c["text"] for c in pg.get("codes", [])]
        got_t = [c.text for c in codes]
        tp = sum(min(Counter(want)[k], Counter(got_t)[k]) for k in set(want))
        s_qr.add(tp=tp, fp=len(got_t) - tp, fn=len(want) - tp)
        if tp < len(want):
            misses["QR"].append((pg["file"], pg.get("variant"), len(want) - tp))

    ms = lambda xs: 1000 * sum(xs) / max(len(pages), 1)  # noqa: E731
    print(f"\n{len(pages)} pages: " + ", ".join(f"{k} {v}" for k, v in sorted(variants.items())))
    print(f"\n{'detector':34s} {'TP':>5s} {'FP':>5s} {'FN':>5s}   {'prec':>6s} {'recall':>6s} {'ms/page':>8s}")
    print(s_seal.row("seals (whole stamps)", ms(t_seal)))
    print(s_frag.row("骑缝章 slices (page has one)"))
    print(s_sig_signed.row("signature present (signed)", 1000 * sum(t_sig) / max(len(t_sig), 1)))
    print(s_sig_missing.row("signature missing (unsigned)"))
    print(s_qr.row("QR decode", ms(t_qr)))
    if not args.no_seal_text:
        print(f"{'seal issuer (tax/firm/company…)':34s} {s_issuer.tp:5d} {'':5s} {s_issuer.fn:5d}   accuracy "
              f"{s_issuer.recall:.3f}; reading {1000 * sum(t_text) / max(n_text, 1):.0f} ms/seal")
    print(f"signature labels found: {labels_found}/{labels_total}; ink colour right: {colour_ok}/{colour_n}")
    print(f"seal + signature detection: {ms(t_seal) + 1000 * sum(t_sig) / max(len(pages), 1):.1f} ms/page "
          f"(+ QR {ms(t_qr):.1f} ms/page)")
    print("\nseals by variant:")
    for k, v in sorted(by_variant.items()):
        print("  " + v.row(k))
    print("seals by style (recall; false positives by what they sat on):")
    for k, v in sorted(by_style.items()):
        print("  " + v.row(k))
    for k, rows in misses.items():
        print(f"\n{k}: {len(rows)}")
        for r in rows[: args.show]:
            print("  ", r)
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
