"""Token patterns matched within sentences, fast enough to run hundreds of cue patterns on every article."""

from __future__ import annotations

from collections import defaultdict

import numpy
from spacy.attrs import LEMMA, LOWER, ORTH
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span


class AnchoredMatcher:
    """Token patterns matched within sentences, each pattern only where its required words all are.

    A spaCy Matcher tries every pattern at every token; with hundreds of cue patterns that costs more
    than the NER. Most tokens of a cue must be one of a few words ("fined", "consent", "leaked"), so
    each pattern gets its own Matcher and runs only on the sentences that hold a word of each of its
    mandatory word lists. The matches are exactly the Matcher's, minus those that cross a sentence end.
    """

    WORD_ATTRS = ("LOWER", "LEMMA", "ORTH", "NORM")

    def __init__(self, vocab, quotes_end_clauses: bool = True):
        self.vocab = vocab
        # a company's own words are often quoted ('said the claims "misrepresent how it works"'): for
        # response cues a quote mark opens no new clause
        self.quotes_end_clauses = quotes_end_clauses
        self.matchers: list[Matcher] = []
        self.requirements: list[int] = []  # per matcher: bit mask of its mandatory word lists
        # label group ("context", "trap", "type", "response") -> attribute -> word hash ->
        # [(matcher id, bit of the word list)]
        self.index: dict[str, dict[str, dict[int, list[tuple[int, int]]]]] = defaultdict(
            lambda: {"LOWER": defaultdict(list), "LEMMA": defaultdict(list), "ORTH": defaultdict(list)}
        )
        self.reach: list[int] = []  # per matcher: the most tokens its pattern can span
        self.labels: list[str] = []  # per matcher: its label
        # per matcher: for a pattern that is a fixed run of word lists, (attribute column, hashes) per
        # token; such a pattern is checked directly on the token hashes, without a Matcher call
        self.fixed: list[list[tuple[int, frozenset[int]]] | None] = []
        self.everywhere = Matcher(vocab, validate=True)
        self._merged: dict[tuple[str, ...], tuple[dict, dict, dict]] = {}

    # Wildcard tokens ({"OP": "{0,5}"}) in cues skip words, not clause punctuation: "the services they
    # provide, to gather information" is no "provide ... information" cue.
    CLAUSE_PUNCTUATION = [",", ";", ":", "—", "–", "(", ")", '"', "“", "”", "?", "!"]
    QUOTES = ('"', "“", "”")

    @classmethod
    def within_clauses(cls, pattern: list[dict], quotes_end_clauses: bool = True) -> list[dict]:
        barriers = [p for p in cls.CLAUSE_PUNCTUATION if quotes_end_clauses or p not in cls.QUOTES]
        return [{"ORTH": {"NOT_IN": barriers}, **spec} if set(spec) == {"OP"} else spec for spec in pattern]

    def add(self, label: str, patterns: list[list[dict]]) -> None:
        self._merged.clear()
        for pattern in patterns:
            pattern = self.within_clauses(pattern, self.quotes_end_clauses)
            word_lists = self.required_words(pattern)
            if not word_lists:
                self.everywhere.add(label, [pattern])
                continue
            matcher = Matcher(self.vocab, validate=True)
            matcher.add(label, [pattern])
            matcher_id = len(self.matchers)
            self.labels.append(label)
            self.fixed.append(self.fixed_words(pattern))
            for bit, (attr, words) in enumerate(word_lists):
                for word in words:
                    group = self.index[label.split(":", 1)[0]]
                    group[attr][self.vocab.strings.add(word)].append((matcher_id, 1 << bit))
            self.matchers.append(matcher)
            self.requirements.append((1 << len(word_lists)) - 1)
            self.reach.append(self.max_length(pattern))

    UNBOUNDED = 12  # what "+" and "*" may span, as far as choosing a window goes (a sentence bounds it)

    @classmethod
    def max_length(cls, pattern: list[dict]) -> int:
        total = 0
        for spec in pattern:
            op = str(spec.get("OP", "1"))
            if op in ("1", "!", "?"):
                total += 1
            elif op in ("+", "*"):
                total += cls.UNBOUNDED
            else:  # "{n}", "{n,m}", "{,m}", "{n,}"
                bounds = op.strip("{}").split(",")
                upper = bounds[-1].strip()
                total += int(upper) if upper else cls.UNBOUNDED
        return total

    COLUMNS = {"LOWER": 0, "NORM": 0, "LEMMA": 1, "ORTH": 2}

    def _merged_index(self, groups: tuple[str, ...]):
        """The LOWER, LEMMA and ORTH indexes of some label groups, merged once and kept."""
        if groups not in self._merged:
            merged = ({}, {}, {})
            for group in groups:
                for target, attr in zip(merged, ("LOWER", "LEMMA", "ORTH"), strict=True):
                    for key, hits in self.index[group][attr].items():
                        target.setdefault(key, []).extend(hits)
            self._merged[groups] = merged
        return self._merged[groups]

    def fixed_words(self, pattern: list[dict]) -> list[tuple[int, frozenset[int]]] | None:
        specs = []
        for spec in pattern:
            if len(spec) != 1 or "OP" in spec:
                return None
            ((attr, value),) = spec.items()
            if attr not in self.COLUMNS:
                return None
            if isinstance(value, str):
                words = [value]
            elif isinstance(value, dict) and set(value) == {"IN"}:
                words = value["IN"]
            else:
                return None
            specs.append((self.COLUMNS[attr], frozenset(self.vocab.strings.add(w) for w in words)))
        return specs

    @classmethod
    def required_words(cls, pattern: list[dict]) -> list[tuple[str, list[str]]]:
        """(attribute, words) of each token the pattern cannot match without."""
        found = []
        for spec in pattern:
            op = spec.get("OP")
            if op not in (None, "+", "1") and not (isinstance(op, str) and op.startswith("{1")):
                continue
            for attr in cls.WORD_ATTRS:
                value = spec.get(attr)
                if isinstance(value, str):
                    words = [value]
                elif isinstance(value, dict) and set(value) == {"IN"}:
                    words = list(value["IN"])
                else:
                    continue
                if attr in ("LOWER", "NORM"):
                    attr, words = "LOWER", [w.lower() for w in words]
                found.append((attr, words))
        # every mandatory word list is a necessary condition; the selective ones (no stop words) first
        found.sort(key=lambda entry: any(w in STOP_WORDS for w in entry[1]))
        return found[:12]

    def __call__(self, sentences: list[Span], groups=None, accept=None) -> list[tuple[str, int, int]]:
        """(label, start, end) matches, as doc token offsets.

        groups: the label groups to run ("context", "trap", "type", "response"; all by default);
        accept(label) narrows them further.
        """
        requirements, labels = self.requirements, self.labels
        lower_index, lemma_index, orth_index = self._merged_index(tuple(groups or self.index))
        strings = self.vocab.strings
        found = []
        if not sentences:
            return found
        doc = sentences[0].doc
        words = doc.to_array([LOWER, LEMMA, ORTH]).tolist()
        for sent in sentences:
            seen: dict[int, int] = defaultdict(int)
            first: dict[int, int] = {}
            last: dict[int, int] = {}
            for i in range(sent.start, sent.end):
                lower, lemma, orth = words[i]
                for hits in (lower_index.get(lower), lemma_index.get(lemma), orth_index.get(orth)):
                    if hits:
                        for matcher_id, bit in hits:
                            seen[matcher_id] |= bit
                            first.setdefault(matcher_id, i)
                            last[matcher_id] = i
            for matcher_id, bits in seen.items():
                if bits == requirements[matcher_id] and (accept is None or accept(labels[matcher_id])):
                    # only the stretch of the sentence the pattern can reach from its required words
                    reach = self.reach[matcher_id]
                    start = max(sent.start, first[matcher_id] - reach)
                    end = min(sent.end, last[matcher_id] + reach + 1)
                    fixed = self.fixed[matcher_id]
                    if fixed is not None:
                        size = len(fixed)
                        found.extend(
                            (labels[matcher_id], i, i + size)
                            for i in range(start, end - size + 1)
                            if all(words[i + k][column] in hashes for k, (column, hashes) in enumerate(fixed))
                        )
                        continue
                    matches = self.matchers[matcher_id](doc[start:end])
                    found.extend((strings[m], start + s, start + e) for m, s, e in matches)
            if len(self.everywhere):
                found.extend(
                    (strings[m], sent.start + s, sent.start + e)
                    for m, s, e in self.everywhere(sent)
                    if (groups is None or strings[m].split(":", 1)[0] in groups)
                    and (accept is None or accept(strings[m]))
                )
        return found


def places_by_word(words: list[int]) -> dict[int, list[int]]:
    """Where each word (a token attribute's hash, as Doc.to_array gives it) stands, in order: looking a
    name's other occurrences up this way costs the same in a long article as in a short one."""
    places: dict[int, list[int]] = {}
    for i, word in enumerate(words):
        places.setdefault(word, []).append(i)
    return places


class SentenceMatcher:
    """A Matcher whose patterns match within sentences, run only on the sentences that hold a word one of
    its patterns cannot match without (a LOWER word list of each pattern): a Matcher call walks every
    token, and most sentences of a long article hold none of those words. The matches are the Matcher's
    on the whole Doc, as long as no pattern can match across a sentence end."""

    def __init__(self, vocab):
        self.matcher = Matcher(vocab, validate=True)
        self.anchors = numpy.array([], dtype=numpy.uint64)
        self.everywhere = False  # a pattern without a mandatory LOWER list: the whole Doc is matched

    def add(self, key: str, patterns: list[list[dict]], **options) -> None:
        self.matcher.add(key, patterns, **options)
        words = set(self.anchors.tolist())
        for pattern in patterns:
            lowers = [ws for attr, ws in AnchoredMatcher.required_words(pattern) if attr == "LOWER"]
            if lowers:
                words.update(self.matcher.vocab.strings.add(w) for w in lowers[0])
            else:
                self.everywhere = True
        self.anchors = numpy.array(sorted(words), dtype=numpy.uint64)

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(match_id, start, end), as the Matcher gives them on the whole Doc."""
        if self.everywhere or not doc.has_annotation("SENT_START"):
            return self.matcher(doc)
        present = numpy.isin(doc.to_array(LOWER), self.anchors)
        if not present.any():
            return []
        found = []
        for sent in doc.sents:
            if present[sent.start : sent.end].any():
                found.extend((key, sent.start + s, sent.start + e) for key, s, e in self.matcher(sent))
        return found
