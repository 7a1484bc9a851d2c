"""The company ruler: the knowledge base's companies, products and regulators as entities.

`privwatch_company_ruler_v2` marks them in doc.ents; it gets config/companies.yaml and
config/regulators.yaml through initialize() (nlp/pipeline.py), and nlp/companies.py links every
organisation to them.
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.language import Language
from spacy.pipeline import SpanRuler
from spacy.pipeline.span_ruler import prioritize_new_ents_filter
from spacy.tokens import Span

from config.knowledge import Company, Regulator
from nlp import organisations as O
from nlp.component_data import read_derived, write_derived
from nlp.names import is_cjk

# Span labels the company ruler writes into doc.ents (the statistical NER writes ORG, PERSON, GPE ...).
COMPANY_LABEL = "COMPANY"
PRODUCT_LABEL = "COMPANY_PRODUCT"
REGULATOR_LABEL = "REGULATOR"
RULER_LABELS = (COMPANY_LABEL, PRODUCT_LABEL, REGULATOR_LABEL)


def ruler_patterns(
    companies: list[Company], regulators: list[Regulator], common_words: set[str], tokenize
) -> tuple[list[dict], set[str]]:
    """SpanRuler patterns for every company name, alias, former/legal/Chinese name, product and regulator.

    Names are phrase patterns matched on LOWER (so "ANT Financial" matches). A name whose every word is
    an ordinary English word ("Apple", "Meta", "Sesame Credit") is returned among the guarded names:
    the ruler drops its matches that start in lower case ("apple pie", "a grab for data") and gives
    way to a longer NER organisation around it ("Apple Daily").
    """
    patterns: list[dict] = []
    guarded: set[str] = set()

    def add(name: str, label: str, entity_id: str) -> None:
        name = name.strip()
        if not name:
            return
        words = [t.lower_ for t in tokenize(name)]
        alphabetic = [w for w in words if w.isalpha()]
        if not is_cjk(name) and alphabetic and all(w in common_words for w in alphabetic):
            guarded.add(" ".join(words))
        patterns.append({"label": label, "id": entity_id, "pattern": name})

    for company in companies:
        for name, field in company.names():
            add(name, PRODUCT_LABEL if field == "products" else COMPANY_LABEL, company.id)
    for regulator in regulators:
        for name, _field in regulator.names():
            add(name, REGULATOR_LABEL, regulator.id)
    return patterns, guarded


# -- the company ruler ----------------------------------------------------------------------------------


class CompanyRuler(SpanRuler):
    """A SpanRuler over the knowledge base: companies, their products and regulators, as entities.

    Labels: COMPANY and COMPANY_PRODUCT (span id = company id) and REGULATOR (span id = regulator id).
    Matching is case-insensitive (LOWER), possessives need nothing ("Alibaba's" is two tokens), the
    longest match wins and a match replaces the statistical NER's overlapping entities, except that a
    common-word name ("Apple", "Ant") gives way to a longer NER organisation around it ("Apple Daily").
    """

    def __init__(self, nlp: Language, name: str):
        super().__init__(
            nlp,
            name,
            spans_key=None,
            annotate_ents=True,
            phrase_matcher_attr="LOWER",
            overwrite=False,
            ents_filter=self._merge_with_ner,
        )
        self.guarded_names: set[str] = set()

    def initialize(
        self,
        get_examples=None,
        *,
        nlp: Language | None = None,
        companies: list[Company] = (),
        regulators: list[Regulator] = (),
    ) -> None:
        nlp = nlp or self.nlp
        self.clear()
        patterns, self.guarded_names = ruler_patterns(
            companies, regulators, common_english_words(nlp), nlp.tokenizer
        )
        self.add_patterns(patterns)

    # SpanRuler keeps the patterns; the guarded names came from the lemmatizer's tables
    def to_disk(self, path, *, exclude=()) -> None:
        super().to_disk(path, exclude=exclude)
        write_derived(path, sorted(self.guarded_names))

    def from_disk(self, path, *, exclude=()) -> CompanyRuler:
        super().from_disk(path, exclude=exclude)
        self.guarded_names = set(read_derived(path))
        return self

    def _merge_with_ner(self, entities: Iterable[Span], spans: Iterable[Span]) -> list[Span]:
        entities = list(entities)
        kept = []
        for span in spans:
            if " ".join(t.lower_ for t in span) in self.guarded_names and (
                span[0].is_lower
                or any(
                    e.label_ == "ORG" and e.start <= span.start and span.end <= e.end and len(e) > len(span)
                    for e in entities
                )
            ):
                continue
            kept.append(span)
        return prioritize_new_ents_filter(entities, kept)


def common_english_words(nlp: Language) -> set[str]:
    """Ordinary English words, from the lemmatizer's tables when the pipeline has them."""
    words = set(O.EXTRA_COMMON_WORDS)
    if "lemmatizer" in nlp.component_names:
        lookups = nlp.get_pipe("lemmatizer").lookups
        if lookups.has_table("lemma_index"):
            for entries in lookups.get_table("lemma_index").values():
                words.update(entries)
        if lookups.has_table("lemma_exc"):
            for entries in lookups.get_table("lemma_exc").values():
                words.update(entries)
    return {w.lower() for w in words}
