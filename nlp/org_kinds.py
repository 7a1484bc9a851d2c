"""What kind of body an organisation the NER found is when it is no company: government, outlet, school,
civil society, market or law, from how its name is made (its head word, a description before it). Read by
the organisation linker (nlp/companies.py); the word lists are in nlp/organisations.py."""

from __future__ import annotations

import re

from spacy.matcher import PhraseMatcher
from spacy.tokens import Span

from nlp import organisations as O

# Words after a body's head word in English and Romance names ("Commission for ...", "Guardia di ...").
HEAD_CUT_WORDS = frozenset({"of", "for", "di", "de", "del", "della", "des", "du", "da", "do"})
# Small words inside an organisation's name ("Ministry of Trade and Industry").
NAME_JOINERS = frozenset({"of", "for", "and", "&", "on"})


def body_kind(ent: Span, name: str, non_company_names: PhraseMatcher) -> str | None:
    """The kind of a non-company organisation (government, outlet ...), or None for a company: by a
    description before it ("the trade union Velko"), the name an acronym in brackets abbreviates, a name
    `non_company_names` knows, or the head word of its name."""
    before = [t for t in ent.doc[max(0, ent.start - 4) : ent.start] if not t.is_punct and t.lower_ != "the"]
    if (
        len(before) >= 2
        and before[-1].lower_ in O.CIVIL_DESCRIPTION_HEADS
        and before[-2].lower_ in O.CIVIL_DESCRIPTIONS
    ) or (before and before[-1].lower_ in ("nonprofit", "non-profit", "charity", "ngo")):
        return "civil"
    named = abbreviated(ent)
    kind = body_kind(named, named.text, non_company_names) if named is not None else None
    if kind is not None:
        return kind
    core_end = ent.end
    while core_end > ent.start + 1 and (
        ent.doc[core_end - 1].is_punct or ent.doc[core_end - 1].lower_ in ("'s", "’s")
    ):
        core_end -= 1
    for match_id, _start, end in non_company_names(ent):
        # "EPIC", "the EFF's": the whole name; "Epic Systems" is another
        if end >= core_end:
            return ent.doc.vocab.strings[match_id]
    words = [w for w in re.findall(r"[\w&'-]+", name.lower()) if w not in ("'s", "s")]
    if not words:
        return None
    # the head is the last word before the first "of" or "for" ("National Authority for Data
    # Protection and Freedom of Information" -> authority; "Guardia di Finanza" -> guardia)
    if words[0] in O.AUTHORITY_FIRST_WORDS:
        return "government"  # "Policía Nacional", "Autorità Garante": the head comes first
    cut = next((i for i, w in enumerate(words) if w in HEAD_CUT_WORDS and i > 0), len(words))
    head = words[cut - 1]
    if tuple(words[cut - 2 : cut]) in O.CORPORATE_COMPOUND_HEADS:
        return None
    if tuple(words[cut - 2 : cut]) in O.GOVERNMENT_COMPOUND_HEADS:
        return "government"
    for kind, heads in O.NON_COMPANY_HEADS.items():
        if head in heads:
            return kind
    # "the Oregon House": a state's or a country's chamber ("Opera House" and "Fashion House" are not)
    place = [w for w in words[: cut - 1] if w not in ("the", "state")]
    if head == "house" and place and " ".join(place) in O.place_names():
        return "government"
    return None


def abbreviated(ent: Span) -> Span | None:
    """The name an acronym in brackets abbreviates ("the Kestonian Fair Trade Commission (KFTC)"): its
    run of capitalised words and the small words between them."""
    doc = ent.doc
    if not (
        len(ent) == 1
        and ent[0].is_upper
        and ent.start >= 2
        and doc[ent.start - 1].text == "("
        and ent.end < len(doc)
        and doc[ent.end].text == ")"
    ):
        return None
    start = ent.start - 1
    while start > 0 and (doc[start - 1].is_title or doc[start - 1].lower_ in NAME_JOINERS):
        start -= 1
    while start < ent.start - 1 and doc[start].lower_ in NAME_JOINERS:
        start += 1
    return doc[start : ent.start - 1] if start < ent.start - 1 else None
