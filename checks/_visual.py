"""What the visual checks share: whose seal a seal is, which pages of a segment were looked at,
where a seal or signature is asked for on a page.

The detectors (``shenbao.vision``) ran at extraction time; these helpers only read ``Page.seals``,
``Page.signatures`` and ``Page.codes``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from shenbao.facts.names import (distinctive_part, distinctive_similarity, edit_distance, normalize_company_name,
                                 trade_name)
from shenbao.model import BBox, Page, Seal

# A seal whose detector confidence is under this is "maybe a seal": reported as uncertain.
SEAL_SURE = 0.5
# Seal text read this confidently, naming a company, is trusted to say whose seal it is.
TEXT_SURE = 0.75
# A signature field judged with less confidence than this is reported as uncertain.
SIGNATURE_SURE = 0.6

THIRD_PARTY_ISSUERS = {"tax", "audit_firm", "market_regulator", "government"}
# What a pack writes under ``third_party_seal`` -> the issuer class the seal reader gives.
ISSUER_OF_REQUIREMENT = {
    "税务": "tax", "税务局": "tax", "税务部门": "tax",
    "会计师事务所": "audit_firm", "事务所": "audit_firm",
    "市场监督管理局": "market_regulator", "市场监管": "market_regulator",
}
ISSUER_ZH = {"tax": "税务机关", "audit_firm": "会计师事务所", "market_regulator": "市场监督管理部门",
             "government": "政府部门", "company": "企业", "unknown": "未识别单位"}
ISSUER_EN = {"tax": "tax bureau", "audit_firm": "audit firm", "market_regulator": "market regulator",
             "government": "government body", "company": "company", "unknown": "unidentified issuer"}

_STAMP_LABEL = re.compile(r"[（(]?\s*(盖\s*章|公\s*章|签\s*章)\s*[）)]?")


@dataclass
class SealOwner:
    """Whose seal it is, from its text: ``own`` (the applicant's), ``foreign`` (another company's),
    ``third_party`` (a tax bureau, audit firm, regulator ...) or ``unknown`` (text not readable)."""

    kind: str
    seal: Seal
    similarity: float = 0.0


def seal_owner(seal: Seal, applicant_name: Optional[str]) -> SealOwner:
    """Return whose seal ``seal`` is, judged by its text against the applicant's name."""
    if seal.issuer in THIRD_PARTY_ISSUERS:
        return SealOwner("third_party", seal)
    if not seal.text or not applicant_name:
        return SealOwner("unknown", seal)
    sim = distinctive_similarity(seal.text, applicant_name)
    text = normalize_company_name(seal.text)
    if normalize_company_name(applicant_name) in text:
        return SealOwner("own", seal, sim)
    # another firm of the same place and trade (三门峡利达黄金冶炼 for 三门峡明珠黄金冶炼) shares most of
    # the name: the 字号 tells them apart, so a seal without any character of it is not the applicant's
    tn = trade_name(applicant_name)
    other_firm = bool(tn) and not any(ch in text for ch in tn)
    if tn and tn in text and sim >= 0.5:
        return SealOwner("own", seal, sim)  # the 字号 and trade read, the place misread (斌卤华鼎铝业 …)
    if sim >= 0.6 and not other_firm:
        return SealOwner("own", seal, sim)
    if tn and tn in text:
        # the applicant's 字号 read and its trade garbled (灵宝兴业美全治练 for 灵宝兴业黄金冶炼): a poor
        # reading of the applicant's own seal far more often than a namesake firm; a person looks
        return SealOwner("unknown", seal, sim)
    if clearly_a_company(seal) and (sim < 0.35 or other_firm) and not _lost_characters(text, applicant_name):
        return SealOwner("foreign", seal, sim)
    return SealOwner("unknown", seal, sim)


def _lost_characters(seal_text: str, applicant_name: str) -> bool:
    """Whether the seal's reading could be the applicant's name with characters lost from the arc
    (and one misread): shorter, and no further from it than the characters it lacks, plus one."""
    a, b = distinctive_part(seal_text), distinctive_part(applicant_name)
    return len(a) < len(b) and edit_distance(a, b) <= len(b) - len(a) + 1


# The legal forms a company seal's text ends with, spelled out in full: a reading that ends in
# “…百限责任公司” or “…有限公” is a poor reading, not another company.
_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "合作社", "合伙企业", "（普通合伙）",
                "(普通合伙)", "事务所", "厂", "商行", "门市部", "经营部", "店")


def clearly_a_company(seal: Seal) -> bool:
    """Whether the seal's text reads clearly as a company's name: read confidently, long enough to
    hold a place, a 字号 and a trade, and ending in a legal form spelled in full. Only such a
    reading may say a seal is another company's; anything less is a seal of unknown owner."""
    text = normalize_company_name(seal.text)
    if seal.issuer != "company" or seal.text_confidence < TEXT_SURE or len(text) < 8:
        return False
    if not text.endswith(_LEGAL_FORMS):
        return False
    # a 字号 and a trade (华鼎 + 铝业): “河南加工股份有限公司” for 河南旭日化工… lost characters
    core = distinctive_part(text)
    return len(core) >= 4 and not re.search(r"[A-Za-z0-9]", core)


def whole_seals(page: Page) -> list[Seal]:
    """The page's seals that are whole stamps (not 骑缝章 fragments at the edge)."""
    return [s for s in page.seals if s.edge is None]


def looked_at(pages: list[Page]) -> list[Page]:
    """The pages whose image was analysed (a spreadsheet or a failed render has none)."""
    return [p for p in pages if p.visual]


def segment_pages(ctx, seg) -> list[Page]:
    """The Page objects of a segment (empty for a spreadsheet)."""
    doc = ctx.documents.get(seg.path)
    if doc is None:
        return []
    return [p for p in doc.pages if seg.first_page <= p.number <= seg.last_page]


def stamp_label(page: Page, hint: Optional[str] = None) -> Optional[BBox]:
    """The box of a 盖章 / 公章 label on the page (the lowest one: where a form asks for the seal).
    With ``hint`` (e.g. "税务"), only a label whose line names it: where that party's seal goes; without,
    labels naming a third party (税务部门审核意见（盖章）) are not the applicant's."""
    if hint is None:
        found = [l.bbox for l in page.lines if _STAMP_LABEL.search(l.text)
                 and not any(k in l.text for k in ISSUER_OF_REQUIREMENT)]
    else:
        found = [l.bbox for l in page.lines if _STAMP_LABEL.search(l.text) and hint in l.text]
    return max(found, key=lambda b: (b[1], b[0])) if found else None


def expected_seal_box(page: Page, hint: Optional[str] = None) -> Optional[BBox]:
    """Where the seal is asked for: around the 盖章 label, as wide as a seal (for the evidence crop)."""
    b = stamp_label(page, hint)
    if b is None:
        return None
    return (max(0.0, b[0] - 0.05), max(0.0, b[1] - 0.08), min(1.0, b[2] + 0.25), min(1.0, b[3] + 0.12))


def union(boxes: list[BBox]) -> Optional[BBox]:
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def describe_seal(s: Seal) -> str:
    """Short evidence text for a seal: its text (if read), colour and confidence."""
    text = f"“{s.text}”" if s.text else "（印章文字未能识别）"
    return f"{text} {s.colour} {s.shape} 置信度 {s.confidence:.2f}"
