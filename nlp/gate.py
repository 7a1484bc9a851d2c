"""The cascade's first pass: can an article hold privacy context at all?

Every incident type needs privacy context (incidents.yaml: personal data, privacy, passwords ...) in some
sentence of the article, or a data-protection authority named in it (nlp/incidents.py), and the text
classifier only ever scores sentences with such context. An article where neither can match can
therefore get no incident from the full pipeline: it gets the knowledge base's company mentions from
the tokenizer and the company ruler alone, at a small part of the cost of the tagger, parser and NER.

The gate is a necessary condition, never a judgement: a context pattern can match only where each of
its mandatory word lists has a word within the pattern's reach (a LOWER or ORTH list by its words, a LEMMA
list by every word the lemmatizer can give that lemma), and an authority's name only where all its words
are, so the gate passes every article where one of them could match. It ignores what would cancel a
match (traps, the pattern's other tokens, the sentence a word is in), which only lets more articles pass.
"""

from __future__ import annotations

import numpy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.tokens import Doc

from config.knowledge import Regulator
from config.taxonomy import TaxonomyFile
from nlp.component_data import read_derived, write_derived
from nlp.incidents import PRIVACY_REMITS
from nlp.matching import AnchoredMatcher

# how deep an article was tagged: every component ran, or (gated out) company mentions only
DEPTH_FULL, DEPTH_MENTIONS = "full", "mentions"


class LemmaForms:
    """Every word the pipeline's lemmatizer could give a lemma, from its own tables inverted: the lemma
    itself, the words its suffix rules turn into it, its exceptions and the attribute ruler's lemmas."""

    def __init__(
        self, nlp: Language, lemmatizer: str = "lemmatizer", attribute_ruler: str = "attribute_ruler"
    ):
        self.rules: set[tuple[str, str]] = set()
        self.exceptions: dict[str, set[str]] = {}
        self.known = lemmatizer in nlp.component_names
        if not self.known:
            return
        lookups = nlp.get_pipe(lemmatizer).lookups
        if lookups.has_table("lemma_rules"):
            self.rules = {
                (old, new) for rules in lookups.get_table("lemma_rules").values() for old, new in rules
            }
        if lookups.has_table("lemma_exc"):
            for by_word in lookups.get_table("lemma_exc").values():  # POS -> word -> lemmas
                for word, lemmas in by_word.items():
                    for lemma in lemmas:
                        self.exceptions.setdefault(lemma, set()).add(word)
        if attribute_ruler in nlp.component_names:
            for rule in nlp.get_pipe(attribute_ruler).patterns:
                lemma = rule.get("attrs", {}).get("LEMMA")
                words = [
                    spec.get(a) for pattern in rule["patterns"] for spec in pattern for a in ("ORTH", "LOWER")
                ]
                if lemma is not None:
                    self.exceptions.setdefault(lemma, set()).update(w for w in words if isinstance(w, str))

    def of(self, lemmas: list[str]) -> list[str] | None:
        """The lowercased words that can have one of these lemmas; None when the pipeline has no
        lemmatizer to invert (the requirement is then left out: the gate only passes more)."""
        if not self.known:
            return None
        words = set()
        for lemma in lemmas:
            words.add(lemma)
            words.update(self.exceptions.get(lemma, ()))
            words.update(
                lemma[: len(lemma) - len(new)] + old for old, new in self.rules if lemma.endswith(new)
            )
        return sorted({w.lower() for w in words})


class PrivacyGate:
    """Passes the Docs (tokenized only) in which a privacy-context cue or a privacy authority's name
    could match; the full pipeline tags those, the rest get company mentions only.

    It sits disabled in the pipeline (nlp/config.cfg): nlp/pipeline.py asks it before the other
    components run, on the tokenizer's Doc.
    """

    def __init__(self, nlp: Language, name: str):
        self.nlp, self.name = nlp, name
        # per requirement (a context pattern or an authority's name): the most tokens it spans, and the
        # word hashes of each of its mandatory word lists
        self.reach: list[int] = []
        self.lists: list[tuple[frozenset[int], ...]] = []
        self.words = numpy.array([], dtype=numpy.uint64)  # every requirement's words
        self.always = False  # a context pattern without a mandatory word: every article passes
        self.requirements: list[tuple[int, list[list[str]]]] = []  # reach, word lists: what to_disk keeps

    def initialize(
        self,
        get_examples=None,
        *,
        nlp: Language | None = None,
        taxonomy: TaxonomyFile,
        regulators: list[Regulator] = (),
    ) -> None:
        nlp = nlp or self.nlp
        self.reach, self.lists, self.requirements, self.always = [], [], [], False
        forms = LemmaForms(nlp)
        for pattern in taxonomy.privacy_context:
            pattern = AnchoredMatcher.within_clauses(pattern)
            word_lists = [
                [w.lower() for w in words] if attr != "LEMMA" else forms.of(words)
                for attr, words in AnchoredMatcher.required_words(pattern)
            ]
            word_lists = [words for words in word_lists if words is not None]
            if not word_lists:
                self.always = True
            self._require(nlp, AnchoredMatcher.max_length(pattern), word_lists)
        for regulator in regulators:
            if regulator.remit in PRIVACY_REMITS:
                for name, _field in regulator.names():
                    words = [t.lower_ for t in nlp.make_doc(name)]
                    self._require(nlp, len(words), [[w] for w in words])
        self._index_words()

    def _require(self, nlp: Language, reach: int, word_lists: list[list[str]]) -> None:
        self.requirements.append((reach, word_lists))
        self.reach.append(reach)
        self.lists.append(tuple(frozenset(nlp.vocab.strings.add(w) for w in words) for words in word_lists))

    def _index_words(self) -> None:
        self.words = numpy.array(
            sorted({w for lists in self.lists for ws in lists for w in ws}), dtype=numpy.uint64
        )

    # the requirements' words come from the lemmatizer's tables, which spacy.load fills after this
    # component (the first of the pipeline) is loaded: they are kept, not derived again
    def to_disk(self, path, *, exclude=()) -> None:
        write_derived(path, {"always": self.always, "requirements": self.requirements})

    def from_disk(self, path, *, exclude=()) -> PrivacyGate:
        derived = read_derived(path)
        self.reach, self.lists, self.requirements = [], [], []
        for reach, word_lists in derived["requirements"]:
            self._require(self.nlp, reach, word_lists)
        self.always = derived["always"]
        self._index_words()
        return self

    def passes(self, doc: Doc) -> bool:
        """Could one requirement match: a word of each of its lists within its reach of each other?"""
        if self.always:
            return True
        words = doc.to_array(LOWER)
        # the few tokens that are a word of some requirement, found in one vectorised pass
        offsets = numpy.flatnonzero(numpy.isin(words, self.words)).tolist()
        found = words[offsets].tolist()
        present = set(found)
        for reach, lists in zip(self.reach, self.lists, strict=True):
            if any(present.isdisjoint(words_of) for words_of in lists):
                continue
            if len(lists) == 1:
                return True
            places = [[o for o, w in zip(offsets, found, strict=True) if w in words_of] for words_of in lists]
            if self._within(places, reach):
                return True
        return False

    @staticmethod
    def _within(places: list[list[int]], reach: int) -> bool:
        """Is there a stretch of `reach` tokens holding a token offset of every list?"""
        for start in sorted({o for found in places for o in found}):
            if all(any(start <= o < start + reach for o in found) for found in places):
                return True
        return False

    def __call__(self, doc: Doc) -> Doc:
        return doc  # a decision, not an annotation: nlp/pipeline.py calls passes()
