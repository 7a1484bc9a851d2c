"""Company names as lookup keys: no article, possessive, punctuation or legal-form word."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def is_cjk(text: str) -> bool:
    return any("CJK" in unicodedata.name(ch, "") for ch in text)


# Legal forms that end a company's name ("Verde Logistica S.r.l.", "Keller & Marsh LLP"); forms written in
# two words list both ("S.à r.l."). Those with full stops are single tokens (nlp/pipeline.py
# adds them to the tokenizer).
LEGAL_FORMS = frozenset(
    """inc inc. incorporated corp corp. co co. ltd ltd. limited llc l.l.c. llp lp plc p.l.c. gmbh mbh ag kg
    se sa s.a. sas s.a.s. sarl s.à.r.l. s.à r.l. srl s.r.l. spa s.p.a. sl s.l. bv b.v. nv n.v. ab oy oyj as
    a/s aps asa kft zrt pty pte bhd tbk kk k.k. pvt sdn o.o. s.c. sro s.r.o. doo d.o.o. ltda""".split()
)
# Words dropped from the end of a name before looking it up ("Tencent Holdings Ltd." -> "tencent").
CORPORATE_SUFFIXES = LEGAL_FORMS | frozenset(
    "company corporation holdings holding group groups international intl co.,ltd".split()
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


def clean_name(text: str) -> str:
    """A surface name without a leading article, a trailing possessive or stray punctuation."""
    text = text.translate(_APOSTROPHES).strip()
    text = re.sub(r"^(the|a|an|its|their|our)\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\s*'s?$", "", text)
    return text.strip(" ,;:-\"'()")


def bare_name(text: str) -> str:
    """The name an analyst reads: clean_name without its legal form ("Keller & Marsh LLP" -> "Keller &
    Marsh")."""
    words = clean_name(text).split()
    while len(words) > 1 and words[-1].casefold().rstrip(",") in LEGAL_FORMS:
        words.pop()
    return " ".join(words).rstrip(" ,")


@lru_cache(maxsize=100_000)  # story assignment meets each unknown organisation's name again and again
def normalise_name(text: str) -> str:
    """A lookup key: case-folded, punctuation-light, without legal-form words at the end."""
    words = re.sub(r"[,()\"]", " ", clean_name(text).casefold()).split()
    while len(words) > 1 and words[-1] in CORPORATE_SUFFIXES:
        words.pop()
    return " ".join(words)


# Words a name does not end with: a span the NER cut short ("Tracker Fund of", "Bank of").
_DANGLING_WORDS = frozenset("of for and or the a an in on at to by with from de du des der von van &".split())
# not ‘’: ’ is also the apostrophe ("McDonald’s")
_BRACKET_PAIRS = ("()", "[]", "{}", "“”", "「」", "『』", "《》", "（）", "【】")
_WORD = re.compile(r"[^\W\d_]+")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")


def plausible_org_name(name: str) -> bool:
    """Could this stored name of an unknown organisation be a real name, worth an analyst's review?

    The NER's spans are names in context (nlp/companies.py filters them there); what reaches storage may
    still be a surname ("Hu", "Ji"), a number ("700bn"), a span cut short ("Tracker Fund of") or one that
    begins inside a quotation ("“Web & App Activity"). A name needs a word of three letters or more with
    a capital ("KPN", "eBay"), or two Chinese characters; its quotes and brackets pair up; it does not end
    in a preposition, an article or a conjunction.
    """
    text = name.strip()
    capitalised = any(len(word) >= 3 and not word.islower() for word in _WORD.findall(text))
    if not (capitalised or _CJK_RUN.search(text)):
        return False
    if text.count('"') % 2:
        return False
    if any(text.count(opening) != text.count(closing) for opening, closing in _BRACKET_PAIRS):
        return False
    words = text.split()
    return words[-1].casefold() not in _DANGLING_WORDS
