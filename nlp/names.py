"""Company names as lookup keys: no article, possessive, punctuation or legal-form word."""

from __future__ import annotations

import re
import unicodedata


def is_cjk(text: str) -> bool:
    return any("CJK" in unicodedata.name(ch, "") for ch in text)


# Legal-form words dropped before looking a name up ("Tencent Holdings Ltd." -> "tencent").
CORPORATE_SUFFIXES = frozenset(
    """inc inc. incorporated corp corp. corporation co co. company ltd ltd. limited llc l.l.c. plc
    p.l.c. ag sa s.a. se nv n.v. bv b.v. gmbh kk k.k. spa s.p.a. ab asa oyj holdings holding group
    groups international intl pte pty bhd tbk co.,ltd""".split()
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


def clean_name(text: str) -> str:
    """A surface name without a leading article, a trailing possessive or stray punctuation."""
    text = text.translate(_APOSTROPHES).strip()
    text = re.sub(r"^(the|a|an)\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\s*'s?$", "", text)
    return text.strip(" ,;:-\"'()")


def normalise_name(text: str) -> str:
    """A lookup key: case-folded, punctuation-light, without legal-form words at the end."""
    words = re.sub(r"[,()\"]", " ", clean_name(text).casefold()).split()
    while len(words) > 1 and words[-1] in CORPORATE_SUFFIXES:
        words.pop()
    return " ".join(words)
