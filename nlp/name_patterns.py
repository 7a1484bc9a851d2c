"""How news writes a company's name the NER may miss: after a business noun ("the debt collector Kordex"),
before an apposition ("Shopwell, an online grocer"), ending in a corporate word ("Greenway Supermarkets")
or a legal form, and the places named like bodies ("the municipality of Lindewaard"). OrgLinker
(nlp/companies.py) recovers the names these patterns find."""

from __future__ import annotations

from spacy.vocab import Vocab

from nlp import organisations as O
from nlp.matching import SentenceMatcher


def business_plurals() -> set[str]:
    """The business nouns in the plural ("companies", "lenders", "banks")."""
    return {noun[:-1] + "ies" if noun.endswith("y") else noun + "s" for noun in O.BUSINESS_NOUNS}


# what a business has and a person does not ("Brightpath, whose code is built into ...")
BUSINESS_POSSESSIONS = frozenset(
    """code software app apps servers database databases platform products services customers clients
    subscribers shares stock parent subsidiary tracker trackers sdk""".split()
)


def name_patterns(vocab: Vocab) -> SentenceMatcher:
    """The patterns, each labelled with its kind (OrgLinker._recover_names cuts the name by kind)."""
    matcher = SentenceMatcher(vocab)
    # a capitalised word ("Kordex", "CellPoint", "UPS"), without a regular expression per token
    upper = {
        "IS_LOWER": False,
        "LIKE_NUM": False,
        "IS_PUNCT": False,
        "IS_SPACE": False,
        "IS_CURRENCY": False,
    }
    capitalised = {**upper, "IS_SENT_START": False}
    matcher.add(
        "after-descriptor",
        [[{"LOWER": {"IN": sorted(O.BUSINESS_NOUNS)}, "IS_LOWER": True}, {**capitalised, "OP": "+"}]],
        greedy="LONGEST",
    )
    # "a Leeds travel agency, Hartley Holidays, kept ...": the name in apposition after what it is
    matcher.add(
        "apposition-after-descriptor",
        [
            [
                {"LOWER": {"IN": sorted(O.BUSINESS_NOUNS | {"agency"})}, "IS_LOWER": True},
                {"ORTH": ","},
                {**capitalised, "OP": "+"},
                {"ORTH": {"IN": [",", "("]}},
            ]
        ],
        greedy="LONGEST",
    )
    matcher.add(
        "before-apposition",
        [
            [
                {**upper, "OP": "+"},
                {"ORTH": ","},
                {"LOWER": {"IN": ["a", "an", "the"]}},
                # "a Naples electricity and gas reseller", "a used-vehicle dealer", not "a partner at the
                # law firm"
                {
                    "LOWER": {
                        "REGEX": r"^(?:[^\W\d_]+|-)$",
                        "NOT_IN": ["at", "of", "with", "for", "from", "in", "on", "by"],
                    },
                    "OP": "{0,5}",
                },
                {"LOWER": {"IN": sorted(O.BUSINESS_NOUNS | O.RIVAL_NOUNS)}, "IS_LOWER": True},
            ],
            # "Portway Lane, one of the country's largest school photography companies"
            [
                {**upper, "OP": "+"},
                {"ORTH": ","},
                {"LOWER": "one"},
                {"LOWER": "of"},
                {"LOWER": {"IN": ["the", "its", "their"]}, "OP": "?"},
                {
                    "LOWER": {
                        "REGEX": r"^(?:[^\W\d_]+|-|'s|’s)$",
                        "NOT_IN": ["at", "with", "for", "from", "in", "on", "by"],
                    },
                    "OP": "{0,6}",
                },
                {"LOWER": {"IN": sorted(business_plurals())}, "IS_LOWER": True},
            ],
        ],
        greedy="LONGEST",
    )
    # "members of Nordvik Pensjon", "customers of Harbour Mutual", "his membership at Gimnasio Sur": whose
    # members or customers they are
    matcher.add(
        "of-members",
        [
            [
                {"LOWER": {"IN": sorted(O.MEMBER_NOUNS)}},
                {"LOWER": "of"},
                {**capitalised, "LOWER": {"NOT_IN": sorted(O.NOT_MEMBERSHIPS)}},
                {**capitalised, "OP": "*"},
            ],
            [
                {"LOWER": {"IN": sorted(O.MEMBERSHIP_NOUNS)}},
                {"LOWER": {"IN": ["at", "with"]}},
                {**capitalised, "LOWER": {"NOT_IN": sorted(O.NOT_MEMBERSHIPS)}},
                {**capitalised, "OP": "*"},
            ],
        ],
        greedy="LONGEST",
    )
    # "the municipality of Lindewaard", "the city of Tarnow": a place, whatever the NER calls it
    matcher.add(
        "place-of",
        [[{"LOWER": {"IN": sorted(O.PLACE_NOUNS)}}, {"LOWER": "of"}, {**capitalised, "OP": "+"}]],
        greedy="LONGEST",
    )
    # "Brightpath Navigation, which sold ...": people take "who"; "Brightpath, whose code is in ...": a
    # person has no code, servers or shares
    matcher.add(
        "before-which",
        [
            [{**upper, "OP": "+"}, {"ORTH": ","}, {"LOWER": "which"}],
            [
                {**upper, "OP": "+"},
                {"ORTH": ","},
                {"LOWER": "whose"},
                {"LOWER": {"IN": sorted(BUSINESS_POSSESSIONS)}},
            ],
        ],
        greedy="LONGEST",
    )
    # "the Typewise Keyboard app" (not "its Mint browser", a company's product)
    matcher.add(
        "before-business-noun",
        [
            [
                {"LOWER": {"IN": ["the", "a", "an"]}},
                {**upper, "OP": "+"},
                {"LOWER": {"IN": sorted(O.BUSINESS_NOUNS)}, "IS_LOWER": True},
            ]
        ],
        greedy="LONGEST",
    )
    # "Verde Logistica S.r.l.", "Keller & Marsh LLP"
    matcher.add(
        "legal-form",
        [
            [
                {**upper, "OP": "+"},
                {"ORTH": "&", "OP": "?"},
                {**upper, "OP": "*"},
                {"LOWER": {"IN": sorted(O.LEGAL_FORMS)}, "OP": "{0,2}"},
                {"ORTH": ",", "OP": "?"},
                {"LOWER": {"IN": sorted(O.LEGAL_FORMS)}},
            ]
        ],
        greedy="LONGEST",
    )
    matcher.add(
        "corporate-head",
        [
            [
                {**upper, "OP": "+"},
                {"LOWER": {"IN": sorted(O.CORPORATE_HEAD_WORDS)}, **upper},
            ]
        ],
        greedy="LONGEST",
    )
    matcher.add(
        "sector-head",
        [[{**upper, "OP": "+"}, {"LOWER": {"IN": sorted(O.SECTOR_HEAD_WORDS)}, **upper}]],
        greedy="LONGEST",
    )
    return matcher
