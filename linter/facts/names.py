"""Company (organisation) names: finding, normalising and comparing them.

``find_company_names`` prefers values after labels (企业名称, 单位名称, 申报单位, 付款方名称,
纳税人名称 ...) and then adds bare names ending in 有限公司, 有限责任公司, 股份有限公司, 公司,
分公司, 厂, 合作社, 事务所. ``same_company`` is conservative: equal after normalisation, or (when
both are at least 8 characters) one edit apart, as one OCR misread would make them.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

from .labels import labelled_values

NAME_LABELS = (
    "企业（单位）名称", "企业名称", "单位名称", "申报单位名称", "申请单位名称", "申报单位", "申请单位",
    "付款方名称", "收款方名称", "付款单位", "收款单位", "纳税人名称", "购买方名称", "销售方名称",
    "购方名称", "销方名称", "建设单位", "承担单位", "上报单位", "户名", "名称",
)
_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "分公司", "公司", "集团", "厂", "合作社",
             "事务所")
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
_NAME_CHARS = rf"[{_CJK}A-Za-z0-9·（）()]"
_BARE = re.compile(
    rf"{_NAME_CHARS}{{2,40}}?(?:股份有限公司|有限责任公司|有限公司|公司|厂|合作社|事务所)"
    rf"(?:[（(](?:特殊)?普通合伙[)）])?"
    rf"(?:{_NAME_CHARS}{{2,20}}?分公司)?"
)
# characters that (almost) never occur inside a name: a name cannot start before them
_CUT = re.compile(r".*[向给由是的把被请与]")
_GENERIC = {"本", "该", "贵", "我", "总", "子", "母", "分", "其", "各", "本分", "控股", "全资子",
            "上述", "以上", "相关", "有关", "原", "新", "全资", "责任", "股份", "有限", "集团",
            "股份有限", "有限责任", "参股", "合资", "外资", "国有", "工", "一", "此"}
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "〔": "(", "〕": ")",
                           "［": "(", "］": ")", "[": "(", "]": ")", "「": "(", "」": ")",
                           "『": "(", "』": ")", "〈": "(", "〉": ")", "《": "(", "》": ")"})
_SEAL_NOISE = re.compile(r"\((?:单位)?(?:盖章|公章|签章|盖公章|印章)\)|(?:单位)?盖章|公章|签章")


@dataclass(frozen=True)
class NameMatch:
    """A company name in text: ``name`` normalised, ``raw`` as written, offsets of ``raw``,
    and the label it followed (``None`` for a bare match)."""

    name: str
    raw: str
    start: int
    end: int
    label: Optional[str] = None


@dataclass(frozen=True)
class NameComparison:
    """Result of comparing two names: ``same`` (the verdict of :func:`same_company`), ``exact``
    (equal after normalisation), ``distance`` (edit distance of the normalised names) and
    ``similarity`` (1 - distance / longer length, 0..1)."""

    same: bool
    exact: bool
    distance: int
    similarity: float


def normalize_company_name(s: object) -> str:
    """NFKC, all whitespace removed, brackets of any kind -> ``()``, seal noise (（盖章）, 公章)
    and surrounding punctuation removed. Returns ``""`` for non-text."""
    if not isinstance(s, str):
        return ""
    t = unicodedata.normalize("NFKC", s).translate(_BRACKETS)
    t = re.sub(r"[\s\u200b\ufeff]+", "", t)
    t = _SEAL_NOISE.sub("", t)
    t = t.strip(":：,，.。;；、'\"“”‘’")
    t = re.sub(r"^\(\)|\(\)$", "", t)
    return t


def _trim_bare(raw: str) -> Optional[str]:
    """Cut a bare match at function words before the name; ``None`` if what is left is generic."""
    m = _CUT.match(raw)
    name = raw[m.end():] if m else raw
    core = name
    for suf in _SUFFIXES:
        if core.endswith(suf):
            core = core[: -len(suf)]
            break
    core = re.sub(r"[（(](?:特殊)?普通合伙[)）]$", "", core)
    if len(core) < 2 or core in _GENERIC or core.startswith(("本公司", "该公司", "我公司", "贵公司")):
        return None
    return name


def _clean_value(value: str) -> Optional[tuple[str, int, int]]:
    """The name inside a labelled value: a bare name if one is there, else the whole value when
    it looks like a name (4..50 name characters). Returns (text, offset, length) or None."""
    m = _BARE.search(value)
    if m:
        raw = m.group(0)
        trimmed = _trim_bare(raw)
        if trimmed:
            return trimmed, m.end() - len(trimmed), len(trimmed)
    v = value.strip()
    if re.fullmatch(rf"(?:{_NAME_CHARS}|[ \u3000]){{4,50}}", v) and re.search(rf"[{_CJK}]", v):
        off = value.find(v)
        return v, off, len(v)
    return None


def find_company_name_matches(text: str) -> list[NameMatch]:
    """Company names in ``text``: labelled ones first (in text order), then bare ones not
    already found. Returns a list of :class:`NameMatch`; duplicates (same normalised name) are
    dropped."""
    if not isinstance(text, str) or not text:
        return []
    out: list[NameMatch] = []
    seen: set[str] = set()
    spans: list[tuple[int, int]] = []
    for lm in labelled_values(text, NAME_LABELS):
        if lm.label == "名称":
            before = text[max(0, lm.label_start - 1):lm.label_start]
            if before and re.match(rf"[{_CJK}]", before):
                continue  # "项目名称", "设备名称" ... are not company names
        got = _clean_value(lm.value)
        if not got:
            continue
        raw, off, n = got
        name = normalize_company_name(raw)
        if not name:
            continue
        spans.append((lm.start + off, lm.start + off + n))
        if name in seen:
            continue
        seen.add(name)
        out.append(NameMatch(name, raw, lm.start + off, lm.start + off + n, lm.label))
    for m in _BARE.finditer(text):
        trimmed = _trim_bare(m.group(0))
        if not trimmed:
            continue
        start = m.end() - len(trimmed)
        if any(a < m.end() and start < b for a, b in spans):
            continue
        name = normalize_company_name(trimmed)
        if not name or name in seen:
            continue
        seen.add(name)
        out.append(NameMatch(name, trimmed, start, m.end(), None))
    return out


def find_company_names(text: str) -> list[str]:
    """Normalised company names in ``text``, labelled ones first. See
    :func:`find_company_name_matches`."""
    return [m.name for m in find_company_name_matches(text)]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute each cost 1)."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def compare_company_names(a: object, b: object, *, ocr_tolerance: bool = True) -> NameComparison:
    """Compare two names after :func:`normalize_company_name`. ``same`` is True when they are
    equal, or (with ``ocr_tolerance``) both are at least 8 characters and one edit apart.
    Empty names are never the same."""
    na, nb = normalize_company_name(a), normalize_company_name(b)
    if not na or not nb:
        return NameComparison(False, False, max(len(na), len(nb)), 0.0)
    dist = edit_distance(na, nb)
    sim = 1.0 - dist / max(len(na), len(nb))
    exact = dist == 0
    same = exact or (ocr_tolerance and dist == 1 and min(len(na), len(nb)) >= 8)
    return NameComparison(same, exact, dist, sim)


def same_company(a: object, b: object, *, ocr_tolerance: bool = True) -> bool:
    """True if ``a`` and ``b`` name the same company (see :func:`compare_company_names`)."""
    return compare_company_names(a, b, ocr_tolerance=ocr_tolerance).same


def name_similarity(a: object, b: object) -> float:
    """Similarity 0..1 of the normalised names (1 - edit distance / longer length)."""
    return compare_company_names(a, b).similarity


# The region a name opens with: a province (with or without 省 / 自治区), then a city (…市, …州, …盟,
# …地区) and a county (…县, …区, …旗, a county-level …市); any of them may be left out.
_PROVINCES = ("北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|"
              "海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门")
# Cities of the provinces whose notices are programs here (河南, 湖南, 内蒙古), which names often carry
# without 市 (三门峡锦程…, 义马华鑫…); elsewhere a city is recognised by its 市 / 州 / 盟.
_CITIES = ("郑州|开封|洛阳|平顶山|安阳|鹤壁|新乡|焦作|濮阳|许昌|漯河|三门峡|南阳|商丘|信阳|周口|驻马店|济源|义马|灵宝|"
           "长沙|株洲|湘潭|衡阳|邵阳|岳阳|常德|张家界|益阳|郴州|永州|怀化|娄底|湘西|耒阳|常宁|"
           "呼和浩特|包头|乌海|赤峰|通辽|鄂尔多斯|呼伦贝尔|巴彦淖尔|乌兰察布|兴安|锡林郭勒|阿拉善")
_REGION_PREFIX = re.compile(
    rf"^(?:(?:{_PROVINCES})(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)?)?"
    rf"(?:(?:{_CITIES})市?|[\u4e00-\u9fff]{{2,3}}?(?:市|地区|自治州|州|盟))?"
    r"(?:[\u4e00-\u9fff]{1,3}?(?:县|区|旗))?")
_COMPANY_FORM = re.compile(r"(股份有限公司|有限责任公司|有限公司|集团|公司|厂)$")


def distinctive_similarity(a: object, b: object) -> float:
    """Similarity 0..1 of the distinctive part of two names: without the region in front and the
    company form behind, which every applicant around shares (三门峡…有限公司)."""
    import difflib

    ca = _COMPANY_FORM.sub("", _REGION_PREFIX.sub("", normalize_company_name(a)))
    cb = _COMPANY_FORM.sub("", _REGION_PREFIX.sub("", normalize_company_name(b)))
    return difflib.SequenceMatcher(None, ca, cb).ratio() if ca and cb else 0.0


def distinctive_part(name: object) -> str:
    """The name without its region in front and its company form behind: 字号 and trade
    (河南华鼎铝业股份有限公司 → 华鼎铝业)."""
    return _COMPANY_FORM.sub("", _REGION_PREFIX.sub("", normalize_company_name(name)))


def trade_name(name: object) -> str:
    """The 字号 of a company name, approximately: the first two characters after the region
    (三门峡市华兴机械制造有限公司 → 华兴). Where no region is recognised this may be the region
    itself (洛阳中科… → 洛阳), which only makes a comparison on it more lenient."""
    core = _COMPANY_FORM.sub("", _REGION_PREFIX.sub("", normalize_company_name(name)))
    return core[:2] if len(core) >= 4 else ""
