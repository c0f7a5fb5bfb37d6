"""The data the linter passes from one stage to the next.

package folder -> ``SourceFile`` (discovered, type sniffed) -> ``Document`` (extracted pages, sheets)
-> ``Segment`` (a classified document or page range) -> ``Fact`` -> ``Finding`` -> report.

Everything here is plain data: it pickles across worker processes and serialises to JSON for the
cache, so extraction results computed in a worker or read from the cache are the same objects.
Coordinates (``bbox``) are fractions of the page, ``(x0, y0, x1, y1)`` with the origin at the top
left, so text-layer boxes (PDF points) and OCR boxes (pixels) compare directly.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Optional

BBox = tuple[float, float, float, float]

# Where a page's text came from.
SOURCE_TEXT_LAYER = "text-layer"
SOURCE_OCR = "ocr"
SOURCE_NONE = "none"  # no text layer and OCR not run / not available

SEVERITIES = ("error", "warning", "info")


@dataclass
class Line:
    """One line of text on a page: from the PDF text layer (confidence 1.0) or from OCR."""

    text: str
    bbox: BBox
    confidence: float = 1.0


@dataclass
class Seal:
    """A stamp (印章) seen on a page image: a whole seal, or a fragment cut by the page edge (骑缝章)."""

    bbox: BBox  # page fractions; for a fragment, the visible part
    confidence: float  # 0..1: how sure it is a seal (shape, ring, colour)
    colour: str = "red"  # red | blue | gray (a grayscale scan)
    shape: str = "round"  # round | oval | rect
    edge: Optional[str] = None  # left | right | top | bottom: a fragment cut by that page edge
    text: str = ""  # text read from the seal (arc text, then the inner line), may be empty
    text_confidence: float = 0.0
    issuer: str = "unknown"  # company | tax | audit_firm | market_regulator | government | unknown
    label: Optional[str] = None  # the 盖章 / 公章 label the seal sits on or next to, if any


@dataclass
class SignatureField:
    """A signature field next to a 签字 / 签名 / 注册会计师 label, and whether handwriting is in it."""

    label: str  # the label text as read, e.g. "法定代表人（签字）："
    label_bbox: BBox
    bbox: BBox  # the field examined (page fractions)
    signed: bool
    ink: float  # share of ink pixels in the field, printed text and seal ink removed
    colour: Optional[str] = None  # black | blue | red: the ink's colour when signed
    confidence: float = 1.0


@dataclass
class Code:
    """A decoded 2-D code (QR) on a page: its payload and where it is."""

    text: str
    bbox: BBox
    format: str = "QRCode"
    confidence: float = 1.0


@dataclass
class Page:
    """One page of a PDF, or the single page of an image."""

    number: int  # 1-based
    width: float  # in points for PDFs, pixels for images
    height: float
    text: str = ""  # the page text in reading order, lines joined by "\n"
    lines: list[Line] = field(default_factory=list)
    source: str = SOURCE_NONE
    confidence: float = 1.0  # mean OCR line confidence; 1.0 for a text layer
    ocr_engine: Optional[str] = None
    image_coverage: float = 0.0  # share of the page covered by image objects (0..1)
    rotation: int = 0  # degrees the page was turned before OCR
    colour_ratio: float = 0.0  # share of strongly coloured pixels (coloured separator pages)
    note: Optional[str] = None  # e.g. why OCR did not run
    # Ruled tables read from a text-layer page: tables -> rows -> cell texts (None for empty cells).
    tables: list[list[list[Optional[str]]]] = field(default_factory=list)
    # Visual evidence (linter/vision): filled when the page image was analysed (``visual`` True).
    visual: bool = False
    seals: list[Seal] = field(default_factory=list)
    signatures: list[SignatureField] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    # QR symbols located on the page (finder marks seen) that could not be read: page-fraction boxes
    unread_codes: list[BBox] = field(default_factory=list)


@dataclass
class DigitalSignature:
    """A PDF digital signature field (/Sig with /ByteRange): who signed, when, and whether the
    signed bytes are unchanged. Read offline (linter/extract/pdf_signatures.py): the signer's
    certificate chain is not checked against any trust list, so ``signer_verified`` is normally
    False ("integrity ok, signer not verified")."""

    field: str  # the field's fully qualified name
    signer: str = ""  # certificate subject CN
    organisation: str = ""  # certificate subject O
    time: Optional[str] = None  # ISO 8601 signing time (signed attributes, else the /M entry)
    page: Optional[int] = None  # 1-based page of its widget, if it has one
    bbox: Optional[BBox] = None  # widget rectangle, page fractions, origin top-left
    integrity: str = "unknown"  # intact | modified | unknown
    covers_whole_file: Optional[bool] = None  # False: the file was updated after signing
    signer_verified: bool = False  # the certificate chain was checked (never offline without roots)
    reason: str = ""  # Chinese
    reason_en: str = ""


@dataclass
class Sheet:
    """One worksheet of a spreadsheet: cell values (cached values for formulas), row-major."""

    name: str
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class Document:
    """What extraction read from one file.

    ``kind`` is the sniffed content type: ``pdf``, ``image``, ``xlsx``, ``ofd`` (read as text pages,
    not rendered), or ``unsupported`` (a format that is recognised but not read yet: xls, et, docx,
    zip, rar ...), or ``unreadable``
    (corrupt, truncated, encrypted ...). For the last two, ``error`` holds the reason in Chinese and
    ``error_en`` in English.
    """

    path: str  # relative to the package root, POSIX separators
    kind: str
    format: str = ""  # finer name: "pdf", "jpeg", "png", "xlsx", "docx", "ofd" ...
    sha256: str = ""
    size: int = 0
    pages: list[Page] = field(default_factory=list)
    sheets: list[Sheet] = field(default_factory=list)
    error: Optional[str] = None
    error_en: Optional[str] = None
    extractor: str = ""  # name/version of the extractor that produced this
    seconds: float = 0.0  # time spent extracting (not part of the deterministic report)
    digital_signatures: list[DigitalSignature] = field(default_factory=list)  # PDF signature fields
    # Pages not read because the run's time budget (--time-budget) ran out: their Page has source
    # "none" and a note. A document with unread pages is incomplete (never cached as complete).
    unread_pages: list[int] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return self.kind in ("pdf", "image", "xlsx", "ofd")

    @property
    def incomplete(self) -> bool:
        """True when some pages were not read (time budget): what is missing may sit on them."""
        return bool(self.unread_pages)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Document":
        pages = []
        for p in d.get("pages", []):
            p = dict(p)
            p["lines"] = [Line(l["text"], tuple(l["bbox"]), l.get("confidence", 1.0)) for l in p.get("lines", [])]
            p["seals"] = [Seal(**{**x, "bbox": tuple(x["bbox"])}) for x in p.get("seals", [])]
            p["signatures"] = [SignatureField(**{**x, "bbox": tuple(x["bbox"]), "label_bbox": tuple(x["label_bbox"])})
                               for x in p.get("signatures", [])]
            p["codes"] = [Code(**{**x, "bbox": tuple(x["bbox"])}) for x in p.get("codes", [])]
            p["unread_codes"] = [tuple(b) for b in p.get("unread_codes", [])]
            pages.append(Page(**p))
        sheets = [Sheet(**s) for s in d.get("sheets", [])]
        sigs = [DigitalSignature(**{**x, "bbox": tuple(x["bbox"]) if x.get("bbox") else None})
                for x in d.get("digital_signatures", [])]
        rest = {k: v for k, v in d.items() if k not in ("pages", "sheets", "digital_signatures")}
        return cls(pages=pages, sheets=sheets, digital_signatures=sigs, **rest)


@dataclass
class Fact:
    """A typed value read from a document, with where it was read and how sure we are."""

    kind: str  # "credit_code", "established_date", "query_time", "amount", "invoice_row" ...
    value: Any
    text: str  # the text it was parsed from
    path: str
    page: Optional[int] = None
    bbox: Optional[BBox] = None
    confidence: float = 1.0
    source: str = SOURCE_TEXT_LAYER


@dataclass
class Segment:
    """A document, or a page range of one (a part of a combined PDF), classified as one material."""

    path: str
    first_page: int  # 1-based, inclusive; 0 for sheet-only documents
    last_page: int
    material: Optional[str]  # material id from the program, or None if unrecognised
    score: float = 0.0
    runner_up: Optional[str] = None
    runner_up_score: float = 0.0
    reason: str = ""  # what the decision rested on: title, keywords, file name ...
    kinds: tuple = ()  # the document kinds the range was taken as (two when adjacent ranges merged)

    @property
    def pages(self) -> list[int]:
        if self.first_page <= 0:
            return []
        return list(range(self.first_page, self.last_page + 1))


@dataclass
class Finding:
    """One problem (or uncertainty) found in a package. ``rule`` is a stable rule id."""

    rule: str
    severity: str  # "error" | "warning" | "info"
    message: str  # Chinese
    message_en: str
    path: Optional[str] = None  # relative to the package; None for package-level findings
    page: Optional[int] = None
    material: Optional[str] = None
    material_title: Optional[str] = None
    bbox: Optional[BBox] = None
    evidence: Optional[str] = None  # the text or value the finding rests on
    confidence: Optional[float] = None  # for OCR/vision-derived facts
    uncertain: bool = False  # the fact could not be read with confidence
    fix: Optional[str] = None  # what to do, Chinese
    fix_en: Optional[str] = None
    basis: Optional[str] = None  # seed document and line/clause

    def sort_key(self) -> tuple:
        sev = SEVERITIES.index(self.severity) if self.severity in SEVERITIES else 9
        return (self.path or "", self.page or 0, sev, self.rule, self.message)
