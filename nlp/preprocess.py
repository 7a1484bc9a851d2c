"""Text preparation components: paragraph ends as sentence ends, and cached POS tags and lemmas."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

# -- paragraphs ---------------------------------------------------------------------------------------------


def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break ends a sentence: titles, datelines and paragraphs never run into each other. A word in
    lower case or a comma does not start one: "Verde Logistica S.r.l., a haulier" is one sentence."""
    for token in doc[1:]:
        before = doc[token.i - 1]
        if before.is_space and "\n" in before.text:
            token.is_sent_start = True
        elif token.is_sent_start and (token.is_lower or token.text in ",;:)]"):
            token.is_sent_start = False
    return doc


# -- POS and lemmas ------------------------------------------------------------------------------------


class CachedPosLemma:
    """POS and lemma from the base model's attribute ruler and lemmatizer, cached by (word, tag).

    Both are rules over a token's text and fine-grained tag, yet running them on every token costs a
    quarter of the NER's time; a word seen with a tag before gets the remembered answer, and only new
    (word, tag) pairs go through the real components (as one small Doc per article).
    """

    def __init__(self, nlp: Language, name: str, attribute_ruler: str, lemmatizer: str, max_cache: int):
        self.nlp, self.name = nlp, name
        self.attribute_ruler_name, self.lemmatizer_name = attribute_ruler, lemmatizer
        self.max_cache = max_cache
        self.cache: dict[tuple[int, int], tuple[int, int]] = {}

    def __call__(self, doc: Doc) -> Doc:
        if len(self.cache) > self.max_cache:
            self.cache.clear()  # a bound on memory for very long runs; it refills in a few articles
        cache = self.cache
        missing = {(t.orth, t.tag) for t in doc if (t.orth, t.tag) not in cache}
        if missing:
            self._learn(doc.vocab, missing)
        for token in doc:
            token.pos, token.lemma = cache[(token.orth, token.tag)]
        return doc

    def _learn(self, vocab, missing: set[tuple[int, int]]) -> None:
        keys = sorted(missing)
        words = [vocab.strings[orth] for orth, _ in keys]
        probe = Doc(vocab, words=words, spaces=[True] * len(words))
        for token, (_, tag) in zip(probe, keys, strict=True):
            token.tag = tag
        probe = self.nlp.get_pipe(self.attribute_ruler_name)(probe)
        probe = self.nlp.get_pipe(self.lemmatizer_name)(probe)
        for token, key in zip(probe, keys, strict=True):
            self.cache[key] = (token.pos, token.lemma)
