"""The mentions of one organisation across an article: where the NER missed a repeat of a name, and
which short forms and initials stand for a name given in full (nlp/companies.py's OrgLinker uses them).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from spacy.attrs import ORTH
from spacy.tokens import Doc

from nlp import organisations as O
from nlp.matching import places_by_word
from nlp.names import clean_name, normalise_name

# NER labels of spans that are never a company's name, whatever their capitals ("the Chinese app").
# Labels the small NER model gives company names it does not know.
NER_MISLABELS = frozenset({"PERSON", "GPE", "PRODUCT", "FAC", "WORK_OF_ART", "NORP", "LOC"})

MAKER_ROLE = r"(?:developer|maker|operator|publisher|creator)s?"
MADE = r"(?:made|developed|operated|published|created|built|designed|run)"
# between a company and a product it makes: "Soko Lending, operator of the QuickNaira loan app", "Hello Inc,
# which runs the Hellobike service"
MAKER_THEN_PRODUCT = re.compile(
    rf"^\s*,?\s*(?:(?:the|a|an)\s+)?(?:[\w-]+\s+){{0,2}}{MAKER_ROLE}\s+of(?:\s+[^,.;:()]{{0,60}})?$"
    r"|^\s*,\s*which\s+(?:makes|develops|operates|runs|publishes|created|developed)(?:\s+[^,.;:()]{0,60})?$",
    re.IGNORECASE,
)
# between a product and its maker: "Yuedu Weather, made by", "Lunella is developed by the Berlin startup",
# "PayNest, a wallet app run by",
# "Tale Town's developer,", "QuickNaira operator"
PRODUCT_THEN_MAKER = re.compile(
    rf"^\s*,?\s*(?:(?:is|was|are|were)\s+)?(?:(?:a|an|the)\s+[^,.;:()]{{0,40}}?\s+)?{MADE}\s+by(?:\s+[^,.;:()]{{0,40}})?$"
    rf"|^\s*(?:['’]s\s+)?(?:app\s+)?{MAKER_ROLE}\s*,?\s*$",
    re.IGNORECASE,
)
# a product named as one ("Lanxi Campus, a pick-up app"), and a later sentence that opens with the maker of
# "the app": "The app's developer, Wuhan Lanxi Xingyun Education Technology, said ..."
NAMED_AS_PRODUCT = re.compile(
    r"^\s*,\s*(?:a|an)\s+[^,.;:()]{0,40}?\b(?:app|application|platform|game|website|service|tool)\b",
    re.IGNORECASE,
)
PRODUCT_MAKER_OPENS = re.compile(
    r"^\s*(?:the|its)\s+(?:app|application|platform|game|website|service|tool)['’]s\s+"
    r"(?:developer|maker|operator|owner|publisher|creator)\s*,?\s*$",
    re.IGNORECASE,
)


@dataclass
class OrgMention:
    start: int
    end: int
    text: str
    kind: str  # company | regulator | government | outlet | academic | civil | market | law
    company_id: str | None = None
    name: str = ""
    key: str = ""

    def as_dict(self) -> dict:
        return self.__dict__.copy()

    @property
    def bare_key(self) -> str:
        """The key without its kind ("company:velko" -> "velko")."""
        return self.key.split(":", 1)[-1]

    def recast(self, kind: str) -> None:
        """The same name as another kind of body."""
        self.kind, self.key = kind, f"{kind}:{self.bare_key}"


def keep_introduced_kinds(mentions: list[OrgMention]) -> None:
    """A body the article introduced as no company ("the trade union Velko") is none where it is then named
    alone ("Velko said"): its bare mentions take the kind of its introduction."""
    introduced = {m.bare_key: m.kind for m in mentions if m.kind not in ("company", "regulator")}
    for m in mentions:
        if m.kind == "company" and m.company_id is None and m.bare_key in introduced:
            m.recast(introduced[m.bare_key])


def repeated_names(doc: Doc, mentions: list[OrgMention]) -> list[OrgMention]:
    """Other occurrences of an unknown company's name that the NER did not tag ("Xinrui expects ...").

    The small NER model is inconsistent within an article; once it has called a name a company,
    the same words elsewhere in the article are that company too, and so are its name without the
    legal form and the short form the article defines in brackets ("Wing Fat Telecom Limited (Wing
    Fat)"), which the NER often calls a person. A known company named with its legal form is also its
    name without it ("Snap" after "Snap Inc.").
    """
    # the NER's other guesses for the very same words ("Paylinx" a person in the headline) give way
    taken = {i for e in doc.ents if e.label_ not in NER_MISLABELS for i in range(e.start, e.end)}
    claimed = {i for m in mentions for i in range(m.start, m.end)}
    found = []
    seen_names = set()
    orths = doc.to_array(ORTH).tolist()
    places = places_by_word(orths)
    # a first word two companies share ("Harbour Freight", "Harbour Bank") names neither alone
    first_keys: dict[int, set[str]] = defaultdict(set)
    for m in mentions:
        if m.kind == "company":
            first_keys[doc[m.start].orth].add(m.key)
    for m in mentions:
        if m.kind != "company":
            continue
        # a known company named with its legal form ("Snap Inc."): later "Snap" is it too
        known = m.company_id is not None
        words = tuple(t.orth for t in doc[m.start : m.end] if not (t.is_punct and t.i == m.end - 1))
        words = tuple(w for w in words if doc.vocab.strings[w] not in ("'s", "’s"))
        forms = [] if known else [(words, taken)]
        bare = words
        while len(bare) > 1 and doc.vocab.strings[bare[-1]].casefold() in O.LEGAL_FORMS:
            bare = bare[:-1]
        if bare != words:
            forms.append((bare, claimed))
        defined = None if known else defined_short_form(doc, m.end)
        if defined:
            forms.append((defined, claimed))
        # "Ridgeline" after "Ridgeline Auto Insurance": a coined first word names the company alone
        first_word = None if known or len(bare) < 2 else (bare[0],)
        if first_word and coined(doc.vocab.strings[bare[0]]) and len(first_keys[bare[0]]) == 1:
            forms.append((first_word, claimed))
        for form, blocked in forms:
            if not form or form in seen_names:
                continue
            seen_names.add(form)
            size = len(form)
            for start in places.get(form[0], ()):
                if tuple(orths[start : start + size]) != form:
                    continue
                # alone, as the subject of its clause ("Ridgeline said", "Ridgeline, part of the Orbis group,
                # ..."), not the first word of another name ("Ridgeline Capital") nor the owner of something
                # ("Ridgeline's unit")
                if form == first_word and not subject_alone(doc, start):
                    continue
                if not any(i in blocked or i in claimed for i in range(start, start + size)):
                    found.append(
                        OrgMention(
                            start,
                            start + size,
                            doc[start : start + size].text,
                            m.kind,
                            m.company_id,
                            m.name,
                            m.key,
                        )
                    )
                    claimed.update(range(start, start + size))
    return found


def subject_alone(doc: Doc, i: int) -> bool:
    """Is the word at i a clause's subject on its own: before a verb, or opening a sentence before an
    apposition?"""
    after = doc[i + 1] if i + 1 < len(doc) else None
    return after is not None and (
        after.tag_[:2] in ("VB", "MD") or (doc[i].is_sent_start and after.text == ",")
    )


COINED_ZIPF = 2.5  # wordfreq's Zipf frequency under which a capitalised word is a coined name, not a word


@lru_cache(maxsize=100_000)
def coined(word: str) -> bool:
    """A capitalised word no English text uses but as a name ("Ridgeline", "Ironquay"; not "Golden")."""
    from wordfreq import zipf_frequency

    return word[:1].isupper() and word.isalpha() and zipf_frequency(word, "en") < COINED_ZIPF


def defined_short_form(doc: Doc, end: int) -> tuple[int, ...]:
    """The words of "(Wing Fat)" or "(“WFT”)" right after a name: capitalised, at most four."""
    if end >= len(doc) or doc[end].orth_ != "(":
        return ()
    close = next((t.i for t in doc[end + 1 : end + 7] if t.orth_ == ")"), None)
    if close is None:
        return ()
    words = [t for t in doc[end + 1 : close] if not t.is_quote]
    if not words or len(words) > 4 or not all(t.is_title or t.is_upper for t in words):
        return ()
    return tuple(t.orth for t in words)


def resolve_short_names(doc: Doc, mentions: list[OrgMention]) -> None:
    """Short forms of a company named in full in the same article are that company.

    "Flo" after "Flo Health" (known) links to it; "Mohe" after "Mohe Technology" (unknown) shares
    its key and display name; so does "Crest" where the NER took only the last word of "Maple Crest"
    (said for "Maple Crest Mortgage").
    """
    full_names: dict[tuple[str, ...], OrgMention] = {}
    for m in mentions:
        if m.kind == "company":
            for words in (
                tuple(normalise_name(m.text).split()),
                tuple(normalise_name(m.name).split()),
            ):
                if len(words) > 1:
                    full_names.setdefault(words, m)
    initials: dict[str, set[tuple[str | None, str]]] = defaultdict(set)
    for words, full in full_names.items():
        letters = "".join(w[0] for w in words if w[0].isalnum())
        initials[letters].add((full.company_id, full.key))
    for m in mentions:
        if m.kind != "company" or m.company_id is not None:
            continue
        # "GM" after "General Motors": the initials of exactly one company named in the article
        acronym = clean_name(m.text)
        if acronym.isupper() and 2 <= len(acronym) <= 5 and len(initials.get(acronym.lower(), ())) == 1:
            m.company_id, m.key = next(iter(initials[acronym.lower()]))
            continue
        words = tuple(m.key.split(":", 1)[1].split())
        longer = [full for full in full_names if len(full) > len(words) and full[: len(words)] == words]
        if not longer:
            longer = [full for full in full_names if _completes(doc, m.start, words, full)]
        owners = {(full_names[f].company_id, full_names[f].key) for f in longer}
        if len(owners) == 1:
            company_id, key = owners.pop()
            m.company_id, m.key = company_id, key
    display: dict[str, str] = {}
    for m in mentions:
        if m.kind == "company" and m.company_id is None and len(m.name) > len(display.get(m.key, "")):
            display[m.key] = m.name
    for m in mentions:
        if m.kind == "company":
            m.name = display.get(m.key, m.name) if m.company_id is None else m.name
    for m in mentions:
        if m.kind == "company" and m.company_id is not None:
            m.name = next(x.name for x in mentions if x.company_id == m.company_id and x.key == m.key)


def _completes(doc: Doc, start: int, words: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Do the words before the mention and its own words begin the full name ("Maple" + "Crest" of
    "Maple Crest Mortgage")?"""
    for k in range(1, len(full) - len(words) + 1):
        if full[k : k + len(words)] == words and start >= k:
            before = tuple(normalise_name(t.text) for t in doc[start - k : start])
            if before == full[:k]:
                return True
    return False


def resolve_products(doc: Doc, mentions: list[OrgMention]) -> None:
    """A product the article says a company makes or runs is that company ("Lunella is developed by Luna
    Health Tech", "Soko Lending, operator of the QuickNaira loan app"), as the knowledge base makes WeChat
    Tencent's: the product's mentions become the company's. Only a name the knowledge base does not know
    is taken for a product, and only where the two are next to each other in one sentence, or where a
    sentence opens with the maker of the product the article named last ("The app's developer, …")."""
    companies = [m for m in mentions if m.kind == "company"]
    makers: dict[str, OrgMention] = {}
    for first, second in zip(companies, companies[1:], strict=False):
        if first.key == second.key or doc[first.start].sent.start != doc[second.start].sent.start:
            continue
        between = doc[first.end : second.start].text if first.end < second.start else ""
        if not between:
            continue
        if second.company_id is None and MAKER_THEN_PRODUCT.match(between):
            makers.setdefault(second.key, first)
        elif first.company_id is None and PRODUCT_THEN_MAKER.match(between):
            makers.setdefault(first.key, second)
    for maker in companies:
        sentence = doc[maker.start].sent
        if not PRODUCT_MAKER_OPENS.match(doc[sentence.start : maker.start].text):
            continue
        product = next((m for m in reversed(companies) if m.end <= sentence.start), None)
        if (
            product is not None
            and product.company_id is None
            and product.key != maker.key
            and NAMED_AS_PRODUCT.match(doc[product.end : product.end + 12].text)
        ):
            makers.setdefault(product.key, maker)
    for m in mentions:
        maker = makers.get(m.key)
        if maker is not None and m.kind == "company" and m.company_id is None and maker.key not in makers:
            m.company_id, m.key, m.name = maker.company_id, maker.key, maker.name
