"""Visual-evidence benchmark: precision, recall and speed of the seal, 骑缝章, signature and QR
detectors on a generated corpus of page images with ground truth.

    python bench/vision.py [--pages 240] [--seed 0] [--corpus DIR] [--ocr] [--no-seal-text]

The corpus (fixtures/vision_corpus.py) mixes clean renders, scans, phone photos and grayscale
scans; seals of several styles (round, double ring, oval 发票专用章, square, blue, faint, partly
printed, over text, over signatures), red things that are not seals, signature fields signed and
unsigned, 骑缝章 slices and QR codes. Signature fields are found from the page's lines: the printed
lines of the truth (as a PDF text layer gives them), or with ``--ocr`` RapidOCR's lines on scanned
variants (slow: ~2 s a page).

Prints, per detector: TP, FP, FN, precision, recall, and milliseconds per page; then the
typed-document cases (``--typed-only`` runs just those): typed audit-report PDFs with embedded CPA
seals and signatures, 监制章, blue QR codes, transparent seal pictures, faint signatures.
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
    ap.add_argument("--typed-only", action="store_true", help="only the typed-document cases (about 15 s)")
    args = ap.parse_args()
    if args.typed_only:
        typed_cases()
        return 0

    tmp = None
    if args.corpus is None:
        from shenbao.fixtures.vision_corpus import generate_vision_corpus

        tmp = tempfile.TemporaryDirectory(prefix="shenbao-vision-")
        t0 = time.monotonic()
        corpus = Path(generate_vision_corpus(Path(tmp.name), n_pages=args.pages, seed=args.seed))
        if corpus.is_file():  # the generator returns its truth.json
            corpus = corpus.parent
        print(f"corpus: {args.pages} pages generated in {time.monotonic() - t0:.1f} s")
    else:
        corpus = args.corpus
        if corpus.is_file():
            corpus = corpus.parent
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
        # QR first, as in extraction: the codes' boxes veto seal candidates on them
        t0 = time.perf_counter()
        codes, unread = qr.read_page_codes(rgb)
        t_qr.append(time.perf_counter() - t0)
        printed = [Line(l["text"], tuple(l["bbox"]), 1.0) for l in pg.get("lines", [])]
        t0 = time.perf_counter()
        # what extraction runs (analyse_page), less the seal text; the printed lines as a text layer gives them
        found = vision.find_seals(rgb, printed, [c.bbox for c in codes] + list(unread))
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
                lines = printed
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
    typed_cases()
    return 0


def typed_cases() -> None:
    """Seals and signatures where real documents put them (tests/vision/test_typed_evidence.py draws
    them): typed audit-report PDFs (the firm's seal, two 注册会计师 seals of 1:1 to 2:1 beside their
    labels, as images; signed over the seals or not), small 监制章 on page images and typed invoices,
    blue QR codes (with and without a blue seal beside them), seal pictures with a transparent
    background, faint signatures. Read through the linter's own extraction and page analysis.
    Counts per page: seals found against seals drawn; signature fields judged."""
    import random as _random

    from tests.vision import test_typed_evidence as T
    from shenbao.model import Page as _Page

    out: dict[str, Score] = defaultdict(Score)
    sure_missing_faint = n_faint = sure_clean = n_clean = 0

    def count(name, found, want):
        out[name].add(tp=min(found, want), fp=max(0, found - want), fn=max(0, want - found))

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="shenbao-typed-") as d:
        d = Path(d)
        k = 0
        for cpa in ((18.0, 18.0), (28.0, 18.0), (32.0, 18.0), (34.0, 17.0)):
            for firm in ("image", "vector"):
                for signed in (True, False):
                    k += 1
                    path = d / f"audit{k}.pdf"
                    T.make_pdf(path, lambda c: T.audit_page(c, signed=signed, cpa_mm=cpa, firm_seal=firm))
                    p = T.read_pdf(path)[0]
                    count("typed audit report: seals", len(T.whole(p)), 3)
                    fields = [f for f in p.signatures if "注册会计师" in f.label]
                    out["typed audit report: CPA fields"].add(tp=min(len(fields), 2), fn=max(0, 2 - len(fields)))
                    right = sum(f.signed == signed for f in fields)
                    out["typed audit report: signed right"].add(tp=right, fn=2 - right)
        for w, h in ((20, 13), (22, 14), (24, 16), (27, 18), (30, 20)):
            rgb = T.page(text=False)
            T.stamp(rgb, T.supervision_seal(T.mm(w), T.mm(h)), rgb.shape[1] // 2, T.mm(18))
            pg = _Page(number=1, width=rgb.shape[1], height=rgb.shape[0])
            vision.analyse_page(rgb, pg, read_seal_text=False)
            count("监制章 (page image)", len(T.whole(pg)), 1)
        for w, h in ((20, 13), (24, 16), (28, 19)):
            path = d / f"inv{w}.pdf"

            def draw(c, w=w, h=h):
                T.body(c, 50, 6)
                T.vector_oval_seal(c, 105, 16, w, h, "全国统一发票监制章", "河南省税务局")
                T.vector_oval_seal(c, 160, 120, 40, 30, "三门峡市华兴机械制造有限公司", "发票专用章")
            T.make_pdf(path, draw)
            count("监制章 + 发票专用章 (typed invoice)", len(T.whole(T.read_pdf(path)[0])), 2)
        for module in (0.6, 0.8, 1.0):
            for with_seal in (False, True):
                rgb = T.page()
                T.blue_qr(rgb, T.mm(178), T.mm(272), module)
                if with_seal:
                    T.stamp(rgb, T.round_seal("三门峡市华兴机械制造有限公司", T.mm(40)), T.mm(120), T.mm(265), colour=T.BLUE)
                pg = _Page(number=1, width=rgb.shape[1], height=rgb.shape[0])
                vision.analyse_page(rgb, pg, read_seal_text=False)
                count("blue QR code page", len(T.whole(pg)), int(with_seal))
        for shape in ("round", "oval"):
            for black in (False, True):
                for size in (300, 600):
                    art = (T.round_seal("三门峡市华兴机械制造有限公司", size) if shape == "round"
                           else T.oval_seal("三门峡市华兴机械制造有限公司", size, size * 3 // 4))
                    path = d / f"seal_{shape}_{black}_{size}.png"
                    T.rgba(art, black_ground=black).save(path)
                    (pg,) = T.image_extract.extract(path, "png", T.SETTINGS).pages
                    count("transparent seal picture", len(T.whole(pg)), 1)
    for colour, n, size, width in (((30, 30, 40), 4, 5, 1), ((40, 40, 60), 5, 7, 1), ((150, 150, 160), 8, 14, 2),
                                   ((160, 160, 190), 10, 18, 2)):
        f = T.signature_of(*T.field_page(T.scrawl(colour, n, size, width)))
        n_faint += 1
        sure_missing_faint += int(not f.signed and f.confidence >= 0.6)
    for _ in range(3):
        f = T.signature_of(*T.field_page())
        n_clean += 1
        sure_clean += int(not f.signed and f.confidence >= 0.6)
    print(f"\ntyped-document cases ({time.perf_counter() - t0:.1f} s):")
    print(f"  {'':32s} {'TP':>5s} {'FP':>5s} {'FN':>5s}   {'prec':>6s} {'recall':>6s}")
    for name, sc in out.items():
        print("  " + sc.row(name, ms=False, width=32))
    print(f"  faint signatures judged a sure 'missing': {sure_missing_faint}/{n_faint}; "
          f"clean fields judged a sure 'missing': {sure_clean}/{n_clean}")


if __name__ == "__main__":
    raise SystemExit(main())
