"""PDF digital signatures (/Sig fields with /ByteRange): signer, time, place, integrity.

Read with pyHanko, offline only: no revocation data or certificates are fetched, and no trust
roots are configured, so the signer's certificate chain is never "verified" here. What can be
checked offline is the integrity: the CMS digest matches the bytes the /ByteRange covers, and
whether the file was changed after signing (later incremental updates, judged by pyHanko's
difference analysis: adding further signatures or filling form fields is not a change of content).

``read_signatures(path)`` never raises: a field that cannot be parsed gives an entry with
integrity ``unknown`` and the reason. At most :data:`MAX_FIELDS` fields are read, and once
:data:`MAX_SECONDS` have passed the remaining fields are listed without being checked.
``has_signatures(pdf)`` is the cheap test (pdfium's own signature count) that keeps typical PDFs
from paying anything.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
import warnings
from pathlib import Path
from typing import Optional

from ..model import DigitalSignature

MAX_FIELDS = 50
MAX_SECONDS = 20.0  # for all fields of one file; a step of the extraction time limit besides
MAX_PAGES_WALKED = 20_000

INTACT, MODIFIED, UNKNOWN = "intact", "modified", "unknown"

__all__ = ["read_signatures", "has_signatures", "DigitalSignature", "INTACT", "MODIFIED", "UNKNOWN"]


def has_signatures(pdf) -> bool:
    """Return True when the open pypdfium2 document has at least one signature (cheap)."""
    try:
        import pypdfium2.raw as raw

        return raw.FPDF_GetSignatureCount(pdf.raw) > 0
    except Exception:  # noqa: BLE001 - a pdfium without the signature API: no signatures read
        return False


def _unknown(name: str, zh: str, en: str, **kw) -> DigitalSignature:
    return DigitalSignature(field=name, integrity=UNKNOWN, reason=zh, reason_en=en[:300], **kw)


def read_signatures(path: Path, max_fields: int = MAX_FIELDS, max_seconds: float = MAX_SECONDS) -> list[DigitalSignature]:
    """Return one :class:`DigitalSignature` per signed signature field of the PDF at ``path``."""
    try:
        return _read(Path(path), max_fields, max_seconds)
    except Exception as e:  # noqa: BLE001 - never raise: a bad structure is one "unknown" entry
        return [_unknown("", f"无法读取数字签名（{type(e).__name__}）",
                         f"the digital signatures could not be read: {type(e).__name__}: {e}")]


def _read(path: Path, max_fields: int, max_seconds: float) -> list[DigitalSignature]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pyhanko.pdf_utils.reader import PdfFileReader
            from pyhanko.sign.fields import enumerate_sig_fields
    except ImportError:
        return [_unknown("", "未安装 pyHanko，无法检查数字签名", "pyHanko is not installed: signatures not checked")]
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    t0 = time.monotonic()
    out: list[DigitalSignature] = []
    with open(path, "rb") as f, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfFileReader(f, strict=False)
        pages = _page_index(reader)
        fields = enumerate_sig_fields(reader, filled_status=True)
        while True:
            try:
                name, _value, field_ref = next(fields)
            except StopIteration:
                break
            except Exception as e:  # noqa: BLE001 - a broken field tree: keep what was read
                out.append(_unknown("", f"签名域结构损坏（{type(e).__name__}）", f"broken signature field tree: {type(e).__name__}: {e}"))
                break
            if len(out) >= max_fields:
                out.append(_unknown("", f"签名域过多，只检查了前 {max_fields} 个", f"too many signature fields: only the first {max_fields} were checked"))
                break
            if time.monotonic() - t0 > max_seconds:
                out.append(_unknown(str(name), "检查数字签名超时，未检查此签名", "checking the signatures took too long; this one was not checked"))
                continue
            out.append(_one(reader, str(name), field_ref, pages))
    return out


def _one(reader, name: str, field_ref, pages: dict) -> DigitalSignature:
    """Read and check one signed field; never raises."""
    from pyhanko.pdf_utils import generic

    sig = DigitalSignature(field=name)
    try:
        field = field_ref.get_object() if isinstance(field_ref, generic.IndirectObject) else field_ref
        sig.page, sig.bbox = _widget_place(field, field_ref, pages)
    except Exception:  # noqa: BLE001 - no place is fine
        field = None
    try:
        sig_obj = field.raw_get("/V").get_object() if field is not None else None
        m = sig_obj.get("/M") if sig_obj is not None else None
        if m is not None:
            sig.time = _iso(generic.parse_pdf_date(str(m)))
    except Exception:  # noqa: BLE001
        pass
    try:
        from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

        emb = EmbeddedPdfSignature(reader, field_ref, name)
    except Exception as e:  # noqa: BLE001
        sig.integrity, sig.reason = UNKNOWN, f"签名数据无法解析（{type(e).__name__}）"
        sig.reason_en = f"the signature data cannot be parsed: {type(e).__name__}: {e}"[:300]
        return sig
    try:
        subject = emb.signer_cert.subject.native
        sig.signer = str(subject.get("common_name") or "")
        sig.organisation = str(subject.get("organization_name") or "")
        if isinstance(subject.get("common_name"), list):
            sig.signer = " ".join(subject["common_name"])
        if isinstance(subject.get("organization_name"), list):
            sig.organisation = " ".join(subject["organization_name"])
    except Exception:  # noqa: BLE001 - no certificate: integrity can still be computed
        pass
    try:
        signed_time = _signed_attr_time(emb)
        if signed_time:
            sig.time = signed_time
    except Exception:  # noqa: BLE001
        pass
    _integrity(emb, sig)
    return sig


def _signed_attr_time(emb) -> Optional[str]:
    """The signingTime signed attribute, as ISO 8601, or None."""
    attrs = emb.signer_info["signed_attrs"]
    for a in attrs:
        if a["type"].native == "signing_time":
            return _iso(a["values"][0].native)
    return None


def _integrity(emb, sig: DigitalSignature) -> None:
    """Fill integrity, coverage and reason from pyHanko's digest check and difference analysis."""
    from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        emb.compute_integrity_info()
    except Exception as e:  # noqa: BLE001
        try:  # the difference analysis failed (odd later revision): the digest alone still says something
            emb.compute_integrity_info(skip_diff=True)
        except Exception:  # noqa: BLE001
            _cannot_check(emb, sig, "核对签名所覆盖的内容", "check the signed bytes", e)
            return
    try:
        digest_ok = _digest_matches(emb)
    except Exception as e:  # noqa: BLE001
        _cannot_check(emb, sig, "核对签名摘要", "check the signature digest", e)
        return
    coverage = emb.coverage
    sig.covers_whole_file = coverage == SignatureCoverageLevel.ENTIRE_FILE
    if not digest_ok:
        sig.integrity = MODIFIED
        sig.reason, sig.reason_en = "签名所覆盖的内容已被改动（摘要不符）", "the signed content was altered (digest mismatch)"
        return
    if coverage is None or coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        sig.integrity = MODIFIED
        sig.reason, sig.reason_en = "签名的覆盖范围不完整，文件可能被改动", "the signature does not cover its whole revision"
        return
    if sig.covers_whole_file:
        sig.integrity = INTACT
        sig.reason, sig.reason_en = "签署人证书未核验（离线检查）", "signer certificate not verified (offline check)"
        return
    diff = emb.diff_result
    level = diff.modification_level if isinstance(diff, DiffResult) else (None if diff is None else ModificationLevel.OTHER)
    if level is None:
        sig.integrity = UNKNOWN
        sig.reason, sig.reason_en = "签名后文件有增量更新，未能判断是否改动内容", "updated after signing; whether content changed is unknown"
    elif level <= ModificationLevel.FORM_FILLING:
        sig.integrity = INTACT
        sig.reason = "签名后仅追加了其他签名或表单填写；签署人证书未核验（离线检查）"
        sig.reason_en = "only signatures or form filling were added after signing; signer certificate not verified (offline check)"
    else:
        sig.integrity = MODIFIED
        what = "增加了批注" if level == ModificationLevel.ANNOTATIONS else "修改了内容"
        sig.reason = f"签名后文件被修改（增量更新{what}）"
        sig.reason_en = ("the file was modified after signing (annotations added)" if level == ModificationLevel.ANNOTATIONS
                         else "the file was modified after signing (incremental update changed content)")


def _digest_matches(emb) -> bool:
    """True when the CMS messageDigest equals the digest of the covered bytes and the signature
    value over the signed attributes checks out with the embedded certificate (no chain, no trust):
    a forged messageDigest fails the second test."""
    from pyhanko.sign.validation import generic_cms

    content_type = emb.signed_data["encap_content_info"]["content_type"].native
    digest_ok, sig_ok = generic_cms.validate_sig_integrity(emb.signer_info, emb.signer_cert, content_type,
                                                           emb.compute_digest())
    return bool(digest_ok and sig_ok)


def _sm_algorithm(emb) -> bool:
    """True when the signature uses the Chinese SM2/SM3 algorithms (OIDs under 1.2.156.10197)."""
    try:
        oids = (emb.signer_info["digest_algorithm"]["algorithm"].dotted,
                emb.signer_info["signature_algorithm"]["algorithm"].dotted)
    except Exception:  # noqa: BLE001
        return False
    return any(o.startswith("1.2.156.10197") for o in oids)


def _cannot_check(emb, sig: DigitalSignature, what_zh: str, what_en: str, e: Exception) -> None:
    sig.integrity = UNKNOWN
    if _sm_algorithm(emb):
        sig.reason = f"签名使用国密算法（SM2/SM3），本工具离线无法{what_zh}"
        sig.reason_en = f"the signature uses SM2/SM3, which cannot be checked offline here ({what_en})"
    else:
        sig.reason = f"无法{what_zh}（{type(e).__name__}）"
        sig.reason_en = f"could not {what_en}: {type(e).__name__}: {e}"[:300]


def _iso(value) -> Optional[str]:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value) if value else None


# -- where the widget sits ----------------------------------------------------------------------

def _page_index(reader) -> dict:
    """Return ``{page object idnum: (number, mediabox, rotate, annots idnums)}`` (bounded walk)."""
    from pyhanko.pdf_utils import generic

    out: dict = {}
    try:
        root = reader.root.raw_get("/Pages")
    except Exception:  # noqa: BLE001
        return out
    stack = [(root, None, 0, None)]
    seen: set = set()
    number = 0
    while stack and number < MAX_PAGES_WALKED:
        ref, inherited_box, depth, inherited_rot = stack.pop()
        try:
            key = ref.idnum if isinstance(ref, generic.IndirectObject) else id(ref)
            if key in seen or depth > 64:
                continue
            seen.add(key)
            node = ref.get_object()
            box = node.get("/CropBox") or node.get("/MediaBox") or inherited_box
            rot = node.get("/Rotate", inherited_rot)
            if node.get("/Type") == "/Pages" or "/Kids" in node:
                kids = node.raw_get("/Kids")
                kids = kids.get_object() if isinstance(kids, generic.IndirectObject) else kids
                for i in reversed(range(min(len(kids), MAX_PAGES_WALKED))):
                    stack.append((kids.raw_get(i), box, depth + 1, rot))
                continue
            number += 1
            annots = set()
            raw_annots = node.get("/Annots") if "/Annots" in node else None
            if raw_annots is not None:
                arr = node.raw_get("/Annots")
                arr = arr.get_object() if isinstance(arr, generic.IndirectObject) else arr
                for i in range(min(len(arr), 5000)):
                    a = arr.raw_get(i) if hasattr(arr, "raw_get") else arr[i]
                    if isinstance(a, generic.IndirectObject):
                        annots.add(a.idnum)
            out[key] = (number, [float(v) for v in box] if box is not None else None, int(rot or 0), annots)
        except Exception:  # noqa: BLE001 - one odd node: skip it
            continue
    return out


def _widget_place(field, field_ref, pages: dict):
    """Return ``(page number, bbox as page fractions)`` of the field's widget, or ``(None, None)``."""
    from pyhanko.pdf_utils import generic

    widget, widget_ref = field, field_ref
    if "/Rect" not in field and "/Kids" in field:
        kids = field.raw_get("/Kids")
        kids = kids.get_object() if isinstance(kids, generic.IndirectObject) else kids
        if len(kids):
            widget_ref = kids.raw_get(0) if hasattr(kids, "raw_get") else kids[0]
            widget = widget_ref.get_object()
    if "/Rect" not in widget:
        return None, None
    rect = [float(v) for v in widget["/Rect"]]
    page = None
    if "/P" in widget:
        p = widget.raw_get("/P")
        if isinstance(p, generic.IndirectObject):
            page = pages.get(p.idnum)
    if page is None and isinstance(widget_ref, generic.IndirectObject):
        page = next((v for v in pages.values() if widget_ref.idnum in v[3]), None)
    if page is None:
        return None, None
    number, box, rot, _ = page
    x0, y0, x1, y1 = min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3])
    if x1 - x0 <= 0 or y1 - y0 <= 0 or box is None:  # an invisible signature: no widget on the page
        return number, None
    return number, _fractions((x0, y0, x1, y1), box, rot)


def _fractions(rect, box, rot: int):
    """Map a PDF-space rect to top-left page fractions (the text layer's mapping)."""
    from .pdf import page_fractions

    return page_fractions(rect, box, rot)
