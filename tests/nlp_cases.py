"""Shared helpers of the NLP component tests: a session pipeline and compact expectations.

Each test module holds the articles of one failure class (issue 13), written for these tests; an
expectation names companies by their knowledge-base id or, for companies the knowledge base lacks, by
their normalised name.
"""

from __future__ import annotations

from nlp.names import normalise_name
from nlp.pipeline import TaggedArticle


def name_key(name: str) -> str:
    """A company the knowledge base lacks, by the first word of its normalised name, as nlp/evaluate.py
    compares them ("Typewise Keyboard" and "Typewise" are one company; "Harlow Group" -> "harlow")."""
    return normalise_name(name).split()[0]


def company_key(company: dict) -> str:
    return company["id"] or name_key(company["name"])


def keys(*names: str) -> set[str]:
    """Expected companies as keys: knowledge-base ids stay, names become name keys."""
    return {name_key(name) for name in names}


def accused(tagged: TaggedArticle) -> set[str]:
    return {company_key(c) for c in tagged.accused}


def mentioned(tagged: TaggedArticle) -> set[str]:
    return {company_key(c) for c in tagged.companies if c["role"] == "mentioned"}


def _accused_company(tagged: TaggedArticle, name: str) -> dict:
    return next((c for c in tagged.accused if company_key(c) == name_key(name)), {})


def types_of(tagged: TaggedArticle, name: str) -> set[str]:
    return set(_accused_company(tagged, name).get("types", []))


def responses_of(tagged: TaggedArticle, name: str) -> set[str]:
    return set(_accused_company(tagged, name).get("responses", []))


def describe(tagged: TaggedArticle) -> str:
    """What the tagger said, for assertion messages."""
    return (
        "; ".join(
            f"{company_key(c)}={c['role']}{c['types'] if c['types'] else ''}{c.get('responses') or ''}"
            for c in tagged.companies
        )
        + f" | types={tagged.incident_types} | evidence={tagged.evidence}"
    )
