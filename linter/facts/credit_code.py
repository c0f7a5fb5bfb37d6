"""统一社会信用代码 (unified social credit code, GB 32100-2015).

18 characters from ``0-9 A-H J-N P-R T-U W-Y`` (no I, O, S, V, Z): 1 registration authority,
1 organisation type, 6 region (digits), 9 organisation code (GB 11714: 8 + check), 1 check
character (mod 31 with weights 3^i mod 31). Because 31 is prime and no weight is 0 mod 31, any
single substituted character changes the checksum, so single-character OCR errors are always
detected. Invalid codes are never reported as valid; OCR-typical confusions (O→0, I→1 ...) are
only *suggested*.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ._text import normalize_with_map, original_span

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# First character: registration authority (登记管理部门码).
AUTHORITIES = {
    "1": "机构编制", "2": "外交", "3": "司法行政", "4": "文化", "5": "民政", "6": "旅游",
    "7": "宗教", "8": "工会", "9": "市场监管(工商)", "A": "中央军委改革和编制办公室",
    "N": "农业", "Y": "其他",
}

# OCR confusions: characters outside the charset and what they most likely were.
_OCR_FIX = {"O": "0", "I": "1", "Z": "2", "S": "5", "V": "U"}
_LABELS = ("统一社会信用代码", "社会信用代码", "信用代码", "纳税人识别号", "纳税人识别码", "税号",
           "注册号", "组织机构代码", "USCC")
_LABEL_RE = re.compile(
    "(?P<label>" + "|".join(r"\s*".join(map(re.escape, lbl)) for lbl in _LABELS) + r")"
    r"(?:\s*[(（][^)）\n]{0,12}[)）])?[\s:：]{0,4}"
)
_TOKEN_RE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])")


@dataclass(frozen=True)
class CodeMatch:
    """A credit-code candidate. ``code`` is the 18 characters as read (upper-cased, spaces
    removed); ``valid`` is the strict check-digit result for ``code`` itself; ``suggestion`` is a
    valid code reachable by fixing OCR-typical confusions, if exactly one was found; ``label`` is
    the label it followed, if any. Offsets refer to the original text."""

    code: str
    valid: bool
    start: int
    end: int
    label: Optional[str] = None
    suggestion: Optional[str] = None


def check_digit(first17: str) -> Optional[str]:
    """The check character for the first 17 characters, or ``None`` if they are not 17
    characters of the charset."""
    if not isinstance(first17, str) or len(first17) != 17:
        return None
    try:
        total = sum(_VALUE[c] * w for c, w in zip(first17.upper(), WEIGHTS))
    except KeyError:
        return None
    return CHARSET[(31 - total % 31) % 31]


def is_valid_credit_code(s: str, *, strict: bool = False) -> bool:
    """True if ``s`` is an 18-character code of the charset with a correct check character.

    ``strict=True`` also requires a known registration-authority character, digits in the region
    part (chars 3-8) and a valid GB 11714 organisation code (chars 9-17). Input is used as given
    (no case folding or space removal: normalise first if you want that).
    """
    if not isinstance(s, str) or len(s) != 18 or any(c not in _VALUE for c in s):
        return False
    if check_digit(s[:17]) != s[17]:
        return False
    if strict:
        return s[0] in AUTHORITIES and s[2:8].isdigit() and org_code_valid(s[8:17])
    return True


def org_code_check(first8: str) -> Optional[str]:
    """GB 11714 organisation-code check character for 8 characters (0-9, A-Z), or ``None``."""
    if not isinstance(first8, str) or len(first8) != 8:
        return None
    total = 0
    for c, w in zip(first8.upper(), (3, 7, 9, 10, 5, 8, 4, 2)):
        if c.isdigit() and c.isascii():
            v = int(c)
        elif "A" <= c <= "Z":
            v = ord(c) - 55
        else:
            return None
        total += v * w
    r = 11 - total % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def org_code_valid(code9: str) -> bool:
    """True if ``code9`` (e.g. chars 9-17 of a credit code, hyphen allowed) is a valid GB 11714
    organisation code."""
    if not isinstance(code9, str):
        return False
    code9 = code9.replace("-", "")
    return len(code9) == 9 and org_code_check(code9[:8]) == code9[8]


def suggest_fix(code: str) -> Optional[str]:
    """The code with OCR-typical out-of-charset characters mapped (O→0, I→1, Z→2, S→5, V→U), if
    that makes it valid; otherwise ``None``. Never returns ``code`` itself.

    Look-alike swaps *inside* the charset (8↔B, 1↔L ...) are not tried: with 31 check values,
    some single swap validates by chance far too often for the suggestion to mean anything.
    """
    if not isinstance(code, str) or len(code) != 18:
        return None
    fixed = "".join(_OCR_FIX.get(c, c) for c in code.upper())
    if fixed != code and is_valid_credit_code(fixed):
        return fixed
    return None


def _looks_like_id_card(tok: str) -> bool:
    """18-digit resident ID number with a valid ISO 7064 check (these are not credit codes)."""
    if not re.fullmatch(r"\d{17}[\dX]", tok):
        return False
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * x for c, x in zip(tok[:17], w)) % 11]
    return check == tok[17] and tok[6:8] in ("19", "20")


def find_credit_codes(text: str) -> list[CodeMatch]:
    """Credit-code candidates in ``text``, in order.

    After a label (统一社会信用代码, 信用代码, 纳税人识别号, 税号 ...) the next 18 letters/digits are
    taken even with spaces inside and reported valid or not. Bare 18-character tokens are reported
    only when valid or fixable by :func:`suggest_fix` (and not a resident ID number). Returns a
    list of :class:`CodeMatch`.
    """
    if not isinstance(text, str) or not text:
        return []
    norm, imap = normalize_with_map(text)
    up = norm.upper()
    out: list[CodeMatch] = []
    taken: list[tuple[int, int]] = []

    for lm in _LABEL_RE.finditer(norm):
        pos = lm.end()
        chars: list[str] = []
        first = last = None
        i = pos
        while i < len(up) and len(chars) < 18:
            c = up[i]
            if c.isascii() and c.isalnum():
                if first is None:
                    first = i
                chars.append(c)
                last = i
            elif c in " \t-" and chars:
                pass
            else:
                break
            i += 1
        if len(chars) != 18 or first is None or last is None:
            continue
        if last + 1 < len(up) and up[last + 1].isascii() and up[last + 1].isalnum():
            continue  # longer than 18: not a credit code
        code = "".join(chars)
        s, e = original_span(imap, first, last + 1)
        valid = is_valid_credit_code(code)
        label = re.sub(r"\s", "", lm.group("label"))
        out.append(CodeMatch(code, valid, s, e, label, None if valid else suggest_fix(code)))
        taken.append((first, last + 1))

    for tm in _TOKEN_RE.finditer(up):
        if any(a < tm.end() and tm.start() < b for a, b in taken):
            continue
        code = tm.group(0)
        valid = is_valid_credit_code(code)
        suggestion = None if valid else suggest_fix(code)
        if not valid and suggestion is None:
            continue
        if _looks_like_id_card(code):
            continue
        s, e = original_span(imap, tm.start(), tm.end())
        out.append(CodeMatch(code, valid, s, e, None, suggestion))
    out.sort(key=lambda m: m.start)
    return out


def generate_code(body17: str) -> Optional[str]:
    """``body17`` plus its check character (a complete valid code), or ``None``."""
    c = check_digit(body17)
    return None if c is None else body17.upper() + c


__all__ = ["CHARSET", "WEIGHTS", "AUTHORITIES", "CodeMatch", "check_digit", "is_valid_credit_code",
           "org_code_check", "org_code_valid", "suggest_fix", "find_credit_codes", "generate_code"]
