"""``shenbao inspect FILE``: what the linter read from one file, for users puzzled by a finding."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Optional

from .classify import classify_document, compile_kinds, score_page
from .engine import all_kinds
from .facts.collect import collect_facts
from .model import Fact


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _fact_dict(f: Fact) -> dict:
    value = f.value
    if f.kind == "table":
        value = {"unit": getattr(value, "unit", None), "rows": len(value.rows),
                 "totals": [_plain(t) for t in getattr(value, "totals", [])]}
    return {"kind": f.kind, "value": _plain(value), "text": f.text, "page": f.page,
            "bbox": [round(v, 4) for v in f.bbox] if f.bbox else None, "confidence": f.confidence, "source": f.source}


def inspect_file(path: Path, program, pm, *, ocr_engine: str = "rapidocr", use_cache: bool = True,
                 cache_dir: Optional[Path] = None) -> dict:
    from .extract import ExtractSettings, extract_all
    from .extract.cache import Cache
    settings = ExtractSettings(ocr_engine=ocr_engine)
    cache = Cache(cache_dir) if use_cache else None
    doc = extract_all([(path.resolve(), path.name)], settings, jobs=1, cache=cache, pm_factory=lambda: pm)[0]
    kinds = compile_kinds(all_kinds(pm))
    segments = classify_document(doc, program, kinds)
    facts = collect_facts([doc], segments, program, kinds)
    pages = []
    for p in doc.pages:
        sc = score_page(p, doc.path, kinds, use_filename=True)
        ranked = sorted(sc.scores.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        pages.append({"page": p.number, "source": p.source, "confidence": round(p.confidence, 3),
                      "ocr_engine": p.ocr_engine, "chars": len(p.text), "rotation": p.rotation,
                      "colour_ratio": round(p.colour_ratio, 3), "kind_scores": ranked,
                      "text_head": p.text[:160], "note": p.note, "visual": p.visual,
                      "seals": [_plain(x) for x in p.seals], "signatures": [_plain(x) for x in p.signatures],
                      "codes": [_plain(x) for x in p.codes], "unread_codes": [list(b) for b in p.unread_codes]})
    mat_title = {m.id: m.title for m in program.materials}
    return {
        "path": str(path), "format": doc.format, "kind": doc.kind, "sha256": doc.sha256, "size": doc.size,
        "error": doc.error, "error_en": doc.error_en,
        "segments": [{"pages": [s.first_page, s.last_page], "material": s.material,
                      "material_title": mat_title.get(s.material), "score": round(s.score, 3),
                      "runner_up": s.runner_up, "runner_up_score": round(s.runner_up_score, 3), "reason": s.reason}
                     for s in segments],
        "pages": pages,
        "sheets": [{"name": s.name, "rows": len(s.rows)} for s in doc.sheets],
        "digital_signatures": [_plain(s) for s in doc.digital_signatures],
        "unread_pages": list(doc.unread_pages),
        "facts": [_fact_dict(f) for f in facts],
    }


def _box(b) -> str:
    return "(" + ", ".join(f"{v:.2f}" for v in b) + ")"


def _visual_lines(p: dict) -> list[str]:
    """The page's seals, signature fields and QR codes, one line each."""
    out = []
    for s in p.get("seals", []):
        what = f"骑缝章印迹（{s['edge']} 边） / perforation-seal slice" if s["edge"] else "印章 / seal"
        text = f" “{s['text']}” ({s['issuer']}, {s['text_confidence']:.2f})" if s["text"] else ""
        at = f" 位于 / at “{s['label']}”" if s.get("label") else ""
        out.append(f"      {what}: {s['colour']} {s['shape']} 置信度 {s['confidence']:.2f} at {_box(s['bbox'])}{text}{at}")
    for f in p.get("signatures", []):
        state = f"已签字 / signed ({f['colour']})" if f["signed"] else "未签字 / not signed"
        out.append(f"      签字栏 / signature field “{f['label']}”: {state}, 墨迹 / ink {f['ink']:.3f}, "
                   f"置信度 {f['confidence']:.2f} at {_box(f['bbox'])}")
    for c in p.get("codes", []):
        out.append(f"      二维码 / {c['format']}: {c['text'][:80]!r} at {_box(c['bbox'])}")
    for b in p.get("unread_codes", []):
        out.append(f"      二维码（无法识读） / QR code that could not be read at {_box(b)}")
    return out


_INTEGRITY = {"zh": {"intact": "完好", "modified": "已被修改", "unknown": "无法判断"},
              "en": {"intact": "intact", "modified": "modified", "unknown": "unknown"}}


def signature_line(s: dict, lang: str = "zh") -> str:
    """One line for a digital signature (a dict of DigitalSignature fields): signer, time, state."""
    en = lang.startswith("en")
    who = " / ".join(x for x in (s.get("signer"), s.get("organisation")) if x) or ("unknown signer" if en else "未知")
    when = s.get("time") or ("no time" if en else "未注明")
    where = ""
    if s.get("page"):
        where = f", page {s['page']}" if en else f"，第 {s['page']} 页"
    reason = s.get("reason_en") if en else s.get("reason")
    state = _INTEGRITY["en" if en else "zh"].get(s.get("integrity"), s.get("integrity"))
    if en:
        return f"Digital signature: signed by {who}, at {when}{where}; {state}: {reason}"
    return f"数字签名：签署人 {who}，时间 {when}{where}；{state}：{reason}"


def render_inspection(data: dict) -> str:
    out = [f"文件 / file: {data['path']}", f"类型 / type: {data['format']} ({data['kind']}), {data['size']} 字节 / bytes"]
    if data["error"]:
        out.append(f"无法读取 / unreadable: {data['error']} / {data['error_en']}")
    out.append("")
    out.append("分类 / classification:")
    for s in data["segments"]:
        rng = f"第 {s['pages'][0]}–{s['pages'][1]} 页" if s["pages"][0] else "整个文件"
        mat = f"{s['material']}（{s['material_title']}）" if s["material"] else "未识别 / unrecognised"
        runner = f"；次选 / runner-up: {s['runner_up']} {s['runner_up_score']}" if s["runner_up"] else ""
        out.append(f"  {rng}: {mat} 得分 / score {s['score']}{runner}  [{s['reason']}]")
    out.append("")
    out.append("页面 / pages:")
    for p in data["pages"]:
        src = "文字层 / text layer" if p["source"] == "text-layer" else (f"OCR ({p['ocr_engine']})" if p["source"] == "ocr" else "无文字 / none")
        out.append(f"  第 {p['page']} 页: {src}, 置信度 / confidence {p['confidence']}, {p['chars']} 字符 / chars"
                   + (f", 旋转 {p['rotation']}°" if p["rotation"] else "") + (f"  ({p['note']})" if p["note"] else ""))
        out.append(f"      {p['text_head'][:100]!r}")
        out.extend(_visual_lines(p))
    for s in data["sheets"]:
        out.append(f"  工作表 / sheet {s['name']}: {s['rows']} 行 / rows")
    if data.get("digital_signatures"):
        out.append("")
        out.append("数字签名 / digital signatures:")
        for s in data["digital_signatures"]:
            out.append("  " + signature_line(s, "zh"))
            out.append("      " + signature_line(s, "en"))
    out.append("")
    out.append("读出的事实 / facts:")
    if not data["facts"]:
        out.append("  （无 / none）")
    for f in data["facts"]:
        where = f"第 {f['page']} 页" if f["page"] else ""
        conf = f" 置信度 {f['confidence']}" if f["source"] == "ocr" else ""
        value = f["value"]
        if f["kind"] == "invoice_row" and isinstance(value, dict):
            value = {k: value.get(k) for k in ("index", "number", "date", "amount", "payer") if value.get(k) is not None}
        out.append(f"  {f['kind']}: {value}  {where}{conf}  ← {f['text']!r}")
    return "\n".join(out)
