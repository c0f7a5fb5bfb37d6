#!/usr/bin/env python3
"""How well the linter reads real public documents (benchmark script, not a test).

The corpus is described by ``bench/realdocs/manifest.json`` and hand labels in
``bench/realdocs/labels.json``; the files live outside the repository (see ``scripts/realdocs.py``).
For each document whose file is present this runs the linter's extraction (with the user cache, so
a second run is fast), the page classifier, the fact readers and the seal / signature detectors, and
prints, separately for the dev and holdout parts:

* per-field exact accuracy (after light normalisation) with counts,
* classification accuracy (best kind on page 1, file name not used),
* seal precision / recall (a detected seal matches a labelled one when IoU >= 0.3 or a centre lies
  inside the other box),
* signature counts, and seconds per file.

    python bench/real.py [--corpus DIR] [--part dev|holdout|all] [--only ID,...] [--json-out F]
                         [--fetch] [--ocr rapidocr] [--no-cache]

Facts come from ``shenbao.facts.invoice.invoice_facts`` / ``shenbao.facts.licence.licence_facts``
when those modules exist; otherwise from ``shenbao.facts.collect.collect_facts`` (the "before"
figures). For collect_facts the document is given the segment of its labelled kind (an oracle
classification), so fact reading is measured apart from classification.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
import unicodedata
from typing import Optional
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REALDOCS = ROOT / "bench" / "realdocs"
sys.path.insert(0, str(ROOT / "scripts"))

import realdocs  # noqa: E402  (scripts/realdocs.py)

PROGRAM_ID = "smx2025-intelligent-retrofit"
INVOICE_FIELDS = ["invoice_code", "invoice_number", "invoice_date", "total", "amount_ex_tax", "tax",
                  "seller_name", "seller_tax_id", "buyer_name", "buyer_tax_id"]
LICENCE_FIELDS = ["licence_name", "credit_code", "licence_type", "legal_rep", "registered_capital",
                  "established_date", "term", "address", "authority", "licence_number"]
AMOUNT_FIELDS = {"total", "amount_ex_tax", "tax", "registered_capital_amount"}
DATE_FIELDS = {"invoice_date", "established_date"}
# fact kind -> label field
FACT_FIELD = {"invoice_total": "total", "invoice_amount_ex_tax": "amount_ex_tax", "invoice_tax": "tax"}
# collect_facts (before) fact kind -> label field, per labelled kind
LEGACY_FIELD = {
    "invoice": {"invoice_date": "invoice_date", "invoice_amount": "total"},
    "business_license": {"applicant_name": "licence_name", "credit_code": "credit_code",
                         "established_date": "established_date"},
}
NO_CLASS = {"seal_only", "other"}


# -- normalisation -------------------------------------------------------------------------------

_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]", "：": ":", "，": ","})


def norm_text(v) -> str:
    s = unicodedata.normalize("NFKC", str(v)).translate(_BRACKETS)
    return re.sub(r"\s+", "", s)


def norm_amount(v):
    if isinstance(v, Decimal):
        return v.normalize()
    if isinstance(v, (int, float)):
        return Decimal(str(v)).normalize()
    s = norm_text(v).replace(",", "").lstrip("¥￥").rstrip("元")
    try:
        return Decimal(s).normalize()
    except InvalidOperation:
        return s


def norm_date(v):
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    s = norm_text(v)
    m = re.match(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", s)
    if m:
        return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
    return s


def norm(field: str, v):
    if v is None:
        return None
    if field in AMOUNT_FIELDS:
        return norm_amount(v)
    if field in DATE_FIELDS:
        return norm_date(v)
    if isinstance(v, dict) and "name" in v:  # e.g. an applicant record
        v = v["name"]
    return norm_text(v)


# -- linter plumbing -----------------------------------------------------------------------------

class Linter:
    def __init__(self, ocr: str = "rapidocr", use_cache: bool = True, det_side: Optional[int] = None):
        from shenbao.classify import compile_kinds
        from shenbao.engine import all_kinds
        from shenbao.extract import ExtractSettings
        from shenbao.extract.cache import Cache
        from shenbao.plugins_manager import get_plugin_manager
        from shenbao.programs import programs_from_plugins

        self.pm = get_plugin_manager(())
        self.program = programs_from_plugins(self.pm)[PROGRAM_ID]
        self.kinds = compile_kinds(all_kinds(self.pm))
        self.settings = ExtractSettings(ocr_engine=ocr) if det_side is None else ExtractSettings(ocr_engine=ocr, ocr_det_side=det_side)
        self.cache = Cache() if use_cache else None
        self.invoice_facts = self.licence_facts = None
        try:
            from shenbao.facts.invoice import invoice_facts
            self.invoice_facts = invoice_facts
        except ImportError:
            pass
        try:
            from shenbao.facts.licence import licence_facts
            self.licence_facts = licence_facts
        except ImportError:
            pass

    @property
    def fact_source(self) -> str:
        have = [n for n, f in (("facts.invoice", self.invoice_facts), ("facts.licence", self.licence_facts)) if f]
        return " + ".join(have) if have else "collect_facts (before)"

    def extract(self, path: Path, name: str):
        from shenbao.extract import extract_all
        return extract_all([(path.resolve(), name)], self.settings, jobs=1, cache=self.cache,
                           pm_factory=lambda: self.pm)[0]

    def classify(self, doc):
        from shenbao.classify import score_page
        if not doc.pages:
            return None, {}
        sc = score_page(doc.pages[0], doc.path, self.kinds, use_filename=False)
        ranked = sorted(sc.scores.items(), key=lambda kv: (-kv[1], kv[0]))
        if not ranked or ranked[0][1] <= 0:
            return None, dict(ranked[:3])
        return ranked[0][0], dict(ranked[:3])

    def facts(self, doc, kind: str) -> dict:
        """label field -> list of (value, confidence, text) read on page 1."""
        out: dict[str, list] = defaultdict(list)
        if not doc.pages:
            return out
        page = doc.pages[0]
        new = self.invoice_facts if kind == "invoice" else self.licence_facts if kind == "business_license" else None
        if new is not None:
            for f in new(doc, page) or []:
                out[FACT_FIELD.get(f.kind, f.kind)].append((f.value, f.confidence, f.text))
            return out
        mapping = LEGACY_FIELD.get(kind)
        if not mapping:
            return out
        from shenbao.facts.collect import collect_facts
        from shenbao.model import Segment
        mat = next((m for m in self.program.materials if m.kind == kind), None)
        segs = [Segment(path=doc.path, first_page=1, last_page=len(doc.pages),
                        material=mat.id if mat else None, score=1.0, reason="oracle (label)")]
        for f in collect_facts([doc], segs, self.program, self.kinds):
            if f.page not in (None, 1) or f.kind not in mapping:
                continue
            out[mapping[f.kind]].append((f.value, f.confidence, f.text))
        return out


# -- seals -----------------------------------------------------------------------------------------

def _iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _centre_in(a, b) -> bool:
    cx, cy = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    return b[0] <= cx <= b[2] and b[1] <= cy <= b[3]


def seals_match(a, b) -> bool:
    return _iou(a, b) >= 0.3 or _centre_in(a, b) or _centre_in(b, a)


def match_seals(labelled: list[list[float]], detected: list[list[float]]) -> int:
    """Greedy one-to-one matching by IoU; returns the number of matched pairs."""
    pairs = sorted(((_iou(l, d), i, j) for i, l in enumerate(labelled) for j, d in enumerate(detected)
                    if seals_match(l, d)), reverse=True)
    used_l, used_d, n = set(), set(), 0
    for _, i, j in pairs:
        if i in used_l or j in used_d:
            continue
        used_l.add(i)
        used_d.add(j)
        n += 1
    return n


# -- the run ---------------------------------------------------------------------------------------

def pick(values: list):
    if not values:
        return None
    return max(values, key=lambda v: (v[1] if v[1] is not None else 0.0))


def run_one(lin: Linter, entry: dict, label: dict, path: Path) -> dict:
    t0 = time.perf_counter()
    doc = lin.extract(path, f"document.{entry['format']}")
    secs = time.perf_counter() - t0
    res = {"id": entry["id"], "part": entry["part"], "kind": label["kind"], "format": entry["format"],
           "seconds": round(secs, 3), "extract_seconds": round(doc.seconds or 0.0, 3),
           "error": doc.error_en or doc.error, "pages": len(doc.pages)}
    page1 = doc.pages[0] if doc.pages else None
    if page1 is not None:
        res["page1"] = {"source": page1.source, "ocr_engine": page1.ocr_engine, "chars": len(page1.text),
                        "rotation": page1.rotation, "text_head": page1.text[:200]}
    pred, top = lin.classify(doc)
    res["predicted_kind"], res["kind_scores"] = pred, top
    fields = INVOICE_FIELDS if label["kind"] == "invoice" else LICENCE_FIELDS if label["kind"] == "business_license" else []
    read = lin.facts(doc, label["kind"]) if fields else {}
    res["fields"] = {}
    for f in fields:
        if f not in label:
            continue
        got = pick(read.get(f, []))
        value = got[0] if got else None
        res["fields"][f] = {"label": label[f], "read": None if value is None else str(value),
                            "text": got[2] if got else None,
                            "ok": value is not None and norm(f, value) == norm(f, label[f])}
    # seals and signatures on page 1 (labels describe page 1)
    det = [list(s.bbox) for s in (page1.seals if page1 else [])]
    res["seals_detected"] = [{"bbox": [round(v, 3) for v in s.bbox], "colour": s.colour, "shape": s.shape,
                              "text": s.text, "issuer": s.issuer} for s in (page1.seals if page1 else [])]
    if label.get("seals") is not None:
        lab = [s["bbox"] for s in label["seals"]]
        res["seals"] = {"labelled": len(lab), "detected": len(det), "matched": match_seals(lab, det)}
    sig_signed = sum(1 for s in (page1.signatures if page1 else []) if s.signed)
    res["signatures"] = {"labelled": label.get("signatures", 0), "fields": len(page1.signatures) if page1 else 0,
                         "signed": sig_signed}
    res["qr"] = {"label": label.get("qr"), "codes": len(page1.codes) if page1 else 0,
                 "unread": len(page1.unread_codes) if page1 else 0}
    return res


def summarise(results: list[dict]) -> dict:
    fields = defaultdict(lambda: [0, 0])
    cls = [0, 0]
    cls_conf = defaultdict(int)
    seal = {"labelled": 0, "detected": 0, "matched": 0}
    sig = {"labelled": 0, "signed": 0, "docs": 0, "exact": 0}
    secs = []
    for r in results:
        secs.append(r["seconds"])
        for f, v in r["fields"].items():
            fields[f][1] += 1
            fields[f][0] += int(v["ok"])
        if r["kind"] not in NO_CLASS:
            cls[1] += 1
            cls[0] += int(r["predicted_kind"] == r["kind"])
            cls_conf[(r["kind"], r["predicted_kind"])] += 1
        if "seals" in r:
            for k in seal:
                seal[k] += r["seals"][k]
        sig["docs"] += 1
        sig["labelled"] += r["signatures"]["labelled"]
        sig["signed"] += r["signatures"]["signed"]
        sig["exact"] += int(r["signatures"]["labelled"] == r["signatures"]["signed"])
    return {"n": len(results), "fields": {k: {"ok": v[0], "n": v[1]} for k, v in fields.items()},
            "classification": {"ok": cls[0], "n": cls[1],
                               "confusion": {f"{a}->{b}": n for (a, b), n in sorted(cls_conf.items(), key=str)}},
            "seals": seal, "signatures": sig,
            "seconds": {"total": round(sum(secs), 2), "mean": round(sum(secs) / len(secs), 2) if secs else 0.0,
                        "max": round(max(secs), 2) if secs else 0.0}}


def _pct(ok: int, n: int) -> str:
    return f"{ok}/{n} ({100.0 * ok / n:.0f}%)" if n else "-"


def print_summary(part: str, s: dict) -> None:
    print(f"\n== {part}: {s['n']} documents")
    order = INVOICE_FIELDS + LICENCE_FIELDS
    if s["fields"]:
        print("  fields (exact after normalisation):")
        for f in sorted(s["fields"], key=lambda k: order.index(k) if k in order else 99):
            v = s["fields"][f]
            print(f"    {f:<20} {_pct(v['ok'], v['n'])}")
    c = s["classification"]
    print(f"  classification (page 1, no file name): {_pct(c['ok'], c['n'])}")
    wrong = {k: n for k, n in c["confusion"].items() if k.split("->")[0] != k.split("->")[1]}
    if wrong:
        print("    mistakes: " + ", ".join(f"{k} x{n}" for k, n in wrong.items()))
    se = s["seals"]
    prec = f"{se['matched']}/{se['detected']}" + (f" ({100.0 * se['matched'] / se['detected']:.0f}%)" if se["detected"] else "")
    rec = f"{se['matched']}/{se['labelled']}" + (f" ({100.0 * se['matched'] / se['labelled']:.0f}%)" if se["labelled"] else "")
    print(f"  seals: precision {prec}, recall {rec}")
    sg = s["signatures"]
    print(f"  signatures: labelled {sg['labelled']}, detected signed {sg['signed']}, "
          f"docs with the right count {sg['exact']}/{sg['docs']}")
    t = s["seconds"]
    print(f"  seconds per file: mean {t['mean']}, max {t['max']} (total {t['total']})")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=realdocs.DEFAULT_OUT)
    ap.add_argument("--part", choices=["dev", "holdout", "all"], default="all")
    ap.add_argument("--only", default="")
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--fetch", action="store_true", help="allow the network when rebuilding missing files")
    ap.add_argument("--ocr", default="rapidocr")
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--det-side", type=int, default=None,
                    help="OCR detector's long side (px; 0 = the engine's own size; default: the linter's)")
    ap.add_argument("--verbose", "-v", action="store_true", help="print each document's misses")
    args = ap.parse_args(argv)

    entries = realdocs.load_manifest()
    labels = json.loads((REALDOCS / "labels.json").read_text(encoding="utf-8"))
    if args.only:
        want = {x.strip() for x in args.only.split(",") if x.strip()}
        entries = [e for e in entries if e["id"] in want]
    if args.part != "all":
        entries = [e for e in entries if e["part"] == args.part]
    corpus = args.corpus.expanduser()
    missing = [e for e in entries if not (corpus / realdocs.file_name(e)).is_file()]
    if missing:
        realdocs.rebuild(corpus, missing, mirror_roots=realdocs.DEFAULT_MIRRORS, offline=not args.fetch)
    present = [e for e in entries if (corpus / realdocs.file_name(e)).is_file()]
    print(f"corpus {corpus}: {len(present)}/{len(entries)} documents present")

    lin = Linter(ocr=args.ocr, use_cache=not args.no_cache, det_side=args.det_side)
    print(f"facts from: {lin.fact_source}")
    results = []
    for e in present:
        try:
            r = run_one(lin, e, labels[e["id"]], corpus / realdocs.file_name(e))
        except Exception as exc:  # a benchmark keeps going
            r = {"id": e["id"], "part": e["part"], "kind": labels[e["id"]]["kind"], "crash": repr(exc),
                 "seconds": 0.0, "fields": {}, "predicted_kind": None, "signatures": {"labelled": 0, "signed": 0}}
            print(f"  {e['id']}: crashed: {exc!r}")
        results.append(r)
        if args.verbose:
            bad = [f"{f}: read {v['read']!r} vs {v['label']!r}" for f, v in r["fields"].items() if not v["ok"]]
            print(f"  {r['id']} [{r['kind']} -> {r.get('predicted_kind')}] {r['seconds']}s"
                  + ("".join("\n      " + b for b in bad)))
    summaries = {}
    for part in ("dev", "holdout"):
        rs = [r for r in results if r["part"] == part]
        if rs:
            summaries[part] = summarise(rs)
            print_summary(part, summaries[part])
    if args.json_out:
        args.json_out.write_text(json.dumps({"fact_source": lin.fact_source, "summary": summaries,
                                             "documents": results}, ensure_ascii=False, indent=1, default=str),
                                 encoding="utf-8")
        print(f"\nper-document details: {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
