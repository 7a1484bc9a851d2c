"""privwatch's spaCy components, registered as versioned factories and assembled by nlp/config.cfg.

Pipeline order (see config.cfg): the base model's tok2vec, tagger and ner and spaCy's sentencizer run on
every article;
`privwatch_pos_lemma_v1` fills POS and lemmas from a cache over the base model's attribute ruler and
lemmatizer; `privwatch_company_ruler_v1` marks known companies, products and regulators;
`privwatch_org_linker_v1` maps every organisation to a company id; `privwatch_incidents_v1` finds the
incident sentences, the accused companies and their responses. The base model's parser and the trained
text classifier are in the pipeline but disabled: the incident component runs them on the few
sentences that carry a privacy cue, which is what keeps tagging close to the speed of bare NER.

Results are plain JSON-like values in Doc extensions (so they survive nlp.pipe(n_process=N)):
doc._.privwatch_orgs (organisation mentions) and doc._.privwatch_tags (the article's tags).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy
from rapidfuzz import fuzz, process
from spacy.attrs import ENT_IOB, ENT_TYPE, LEMMA, LOWER, ORTH, POS, TAG
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import DependencyMatcher, Matcher, PhraseMatcher
from spacy.pipeline import SpanRuler
from spacy.pipeline.span_ruler import prioritize_new_ents_filter
from spacy.tokens import Doc, Span, Token

from nlp import patterns as P
from privwatch.config import Config

ORGS_ATTR = "privwatch_orgs"
TAGS_ATTR = "privwatch_tags"
for _attr in (ORGS_ATTR, TAGS_ATTR):
    if not Doc.has_extension(_attr):
        Doc.set_extension(_attr, default=None)

_CONFIGS: dict[str | None, Config] = {}


def load_config(config_dir: str | None) -> Config:
    """One Config per directory, shared by the components of a pipeline."""
    if config_dir not in _CONFIGS:
        _CONFIGS[config_dir] = Config(config_dir)
    return _CONFIGS[config_dir]


def sentence_text(span: Span) -> str:
    return re.sub(r"\s+", " ", span.text).strip()


# -- paragraphs ---------------------------------------------------------------------------------------------


@Language.component("privwatch_paragraphs_v1")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break ends a sentence: titles, datelines and paragraphs never run into each other."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


# -- POS and lemmas ------------------------------------------------------------------------------------


@Language.factory(
    "privwatch_pos_lemma_v1",
    default_config={"attribute_ruler": "attribute_ruler", "lemmatizer": "lemmatizer", "max_cache": 500_000},
)
def make_pos_lemma(nlp: Language, name: str, attribute_ruler: str, lemmatizer: str, max_cache: int):
    return CachedPosLemma(nlp, name, attribute_ruler, lemmatizer, max_cache)


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


# -- the company ruler ----------------------------------------------------------------------------------


@Language.factory("privwatch_company_ruler_v1", default_config={"config_dir": None})
def make_company_ruler(nlp: Language, name: str, config_dir: str | None):
    return CompanyRuler(nlp, name, load_config(config_dir))


class CompanyRuler(SpanRuler):
    """A SpanRuler over the knowledge base: companies, their products and regulators, as entities.

    Labels: COMPANY and COMPANY_PRODUCT (span id = company id) and REGULATOR (span id = regulator id).
    Matching is case-insensitive (LOWER), possessives need nothing ("Alibaba's" is two tokens), the
    longest match wins and a match replaces the statistical NER's overlapping entities, except that a
    common-word name ("Apple", "Ant") gives way to a longer NER organisation around it ("Apple Daily").
    """

    def __init__(self, nlp: Language, name: str, config: Config):
        super().__init__(
            nlp,
            name,
            spans_key=None,
            annotate_ents=True,
            phrase_matcher_attr="LOWER",
            overwrite=False,
            ents_filter=self._merge_with_ner,
        )
        common = common_english_words(nlp)
        patterns, self.guarded_names = P.ruler_patterns(config.knowledge_base, common, nlp.tokenizer)
        self.add_patterns(patterns)

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
    words = set(P.EXTRA_COMMON_WORDS)
    if "lemmatizer" in nlp.component_names:
        lookups = nlp.get_pipe("lemmatizer").lookups
        if lookups.has_table("lemma_index"):
            for entries in lookups.get_table("lemma_index").values():
                words.update(entries)
        if lookups.has_table("lemma_exc"):
            for entries in lookups.get_table("lemma_exc").values():
                words.update(entries)
    return {w.lower() for w in words}


# -- the organisation linker ------------------------------------------------------------------------------


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


@Language.factory("privwatch_org_linker_v1", default_config={"config_dir": None, "fuzzy_cutoff": 90.0})
def make_org_linker(nlp: Language, name: str, config_dir: str | None, fuzzy_cutoff: float):
    return OrgLinker(nlp, name, load_config(config_dir), fuzzy_cutoff)


class OrgLinker:
    """Maps every organisation span (company ruler and statistical NER) to a company id.

    Known names link exactly (after dropping articles, possessives and legal-form words), near misses
    through rapidfuzz; regulators, courts and governments are recognised and never become companies;
    the remaining organisations are kept as unlinked companies unless they are outlets, universities,
    associations, exchanges or laws. A one-word "person" the NER never saw with a first name ("Merck
    said") and a person or place ending in a corporate word ("Kaisa Group") are taken as organisations
    too. Writes doc._.privwatch_orgs.
    """

    NER_ORG_LABELS = ("ORG",)
    NER_MAYBE_ORG_LABELS = ("PERSON", "GPE", "NORP", "FAC", "PRODUCT", "WORK_OF_ART", "LOC")

    def __init__(self, nlp: Language, name: str, config: Config, fuzzy_cutoff: float):
        self.name = name
        self.fuzzy_cutoff = fuzzy_cutoff
        kb = config.knowledge_base
        self.company_names = {c.id: c.name for c in kb.companies}
        self.company_index: dict[str, str] = {}
        for company in kb.companies:
            for alias, _field in company.names():
                self.company_index.setdefault(P.normalise_name(alias), company.id)
        self.regulator_index = {P.normalise_name(n): r.id for r in kb.regulators for n, _ in r.names()}
        self.fuzzy_keys = [k for k in self.company_index if len(k) >= 5]
        self.non_company_names = PhraseMatcher(nlp.vocab, attr="LOWER")
        for kind, names in P.NON_COMPANY_NAMES.items():
            self.non_company_names.add(kind, list(nlp.tokenizer.pipe(names)))
        self._link_cache: dict[str, tuple[str, str | None]] = {}

    def __call__(self, doc: Doc) -> Doc:
        # every part of a full name: "Guo" of "Guo Bing" and "Cook" of "Tim Cook" are people
        person_surnames = {t.lower_ for e in doc.ents if e.label_ == "PERSON" and len(e) > 1 for t in e}
        mentions: list[OrgMention] = []
        for ent in doc.ents:
            mention = self.classify(ent, person_surnames)
            if mention is not None:
                mentions.append(mention)
        mentions += self._repeated_names(doc, mentions)
        mentions.sort(key=lambda m: m.start)
        self._resolve_short_names(mentions)
        doc._.set(ORGS_ATTR, [m.as_dict() for m in mentions])
        return doc

    @staticmethod
    def _repeated_names(doc: Doc, mentions: list[OrgMention]) -> list[OrgMention]:
        """Other occurrences of an unknown company's name that the NER did not tag ("Xinrui expects ...").

        The small NER model is inconsistent within an article; once it has called a name a company,
        the same words elsewhere in the article are that company too.
        """
        taken = {i for e in doc.ents for i in range(e.start, e.end)}
        found = []
        seen_names = set()
        for m in mentions:
            if m.kind != "company" or m.company_id is not None:
                continue
            words = tuple(t.orth for t in doc[m.start : m.end] if not (t.is_punct and t.i == m.end - 1))
            words = tuple(w for w in words if doc.vocab.strings[w] not in ("'s", "’s"))
            if not words or words in seen_names:
                continue
            seen_names.add(words)
            size = len(words)
            for start in range(len(doc) - size + 1):
                if any(i in taken for i in range(start, start + size)):
                    continue
                if all(doc[start + k].orth == words[k] for k in range(size)):
                    found.append(
                        OrgMention(
                            start, start + size, doc[start : start + size].text, m.kind, None, m.name, m.key
                        )
                    )
                    taken.update(range(start, start + size))
        return found

    def _maybe_organisation(self, ent: Span, person_surnames: set[str]) -> bool:
        """Is a PERSON/GPE/... entity in fact an organisation the small NER model mislabelled?"""
        if ent.label_ not in self.NER_MAYBE_ORG_LABELS:
            return False
        if ent[-1].lower_ in P.CORPORATE_HEAD_WORDS:
            return True
        if ent.label_ == "PERSON" and len(ent) == 1 and ent[0].lower_ not in person_surnames:
            before = ent.doc[ent.start - 1] if ent.start > 0 else None
            return before is None or before.lower_.rstrip(".") not in P.PERSON_TITLES
        return False

    def classify(self, ent: Span, person_surnames: set[str] = frozenset()) -> OrgMention | None:
        label = ent.label_
        if label in (P.COMPANY_LABEL, P.PRODUCT_LABEL):
            company_id = ent.id_
            return OrgMention(
                ent.start,
                ent.end,
                ent.text,
                "company",
                company_id,
                self.company_names[company_id],
                company_id,
            )
        if label == P.REGULATOR_LABEL:
            return OrgMention(
                ent.start, ent.end, ent.text, "regulator", None, ent.text, "regulator:" + ent.id_
            )
        if label not in self.NER_ORG_LABELS and not self._maybe_organisation(ent, person_surnames):
            return None
        name = P.clean_name(ent.text)
        if not name or not any(ch.isupper() or ch.isdigit() for ch in name):
            return None
        kind, linked = self.link(name)
        if kind == "company" and linked:
            return OrgMention(ent.start, ent.end, ent.text, kind, linked, self.company_names[linked], linked)
        if kind == "company":
            kind = self.non_company_kind(ent, name) or kind
        key = P.normalise_name(name)
        if kind == "company" and not self._plausible_company(ent, name, key):
            return None
        if kind == "company" and len(ent) == 1 and ent[0].lower_ in person_surnames:
            return None  # a person the NER also called an organisation
        return OrgMention(ent.start, ent.end, ent.text, kind, None, name, f"{kind}:{key}")

    @staticmethod
    def _plausible_company(ent: Span, name: str, key: str) -> bool:
        """Filters for unknown organisations: no bare legal words, acronyms of things, or modifiers."""
        if not key or key in P.ORG_STOPWORDS or len(key) < 2 or name.upper() in P.NOT_ORG_ACRONYMS:
            return False
        doc = ent.doc
        following = doc[ent.end] if ent.end < len(doc) else None
        # a short line without a verb ("Tech and Vogue", "Yes Teens") is a menu entry or a section label
        line = OrgLinker._line(ent)
        if len(line) <= 6 and not any(t.pos_ in ("VERB", "AUX") for t in line):
            return False
        # "Social Security numbers", "SIM cards", "NotPetya malware": the name modifies a noun
        if (
            following is not None
            and following.tag_ in ("NN", "NNS")
            and following.lower_ not in P.CORPORATE_HEAD_WORDS
        ):
            return False
        return True

    @staticmethod
    def _line(ent: Span) -> Span:
        """The line (text between line breaks) an entity is on."""
        doc = ent.doc
        start, end = ent.start, ent.end
        while start > 0 and not (doc[start - 1].is_space and "\n" in doc[start - 1].text):
            start -= 1
        while end < len(doc) and not (doc[end].is_space and "\n" in doc[end].text):
            end += 1
        return doc[start:end]

    def link(self, name: str) -> tuple[str, str | None]:
        """("company", id) for a known company, ("regulator", id), or ("company", None) when unknown."""
        key = P.normalise_name(name)
        if key in self._link_cache:
            return self._link_cache[key]
        result: tuple[str, str | None] = ("company", None)
        if key in self.company_index:
            result = ("company", self.company_index[key])
        elif key in self.regulator_index:
            result = ("regulator", self.regulator_index[key])
        elif len(key) >= 5:
            best = process.extractOne(key, self.fuzzy_keys, scorer=fuzz.ratio, score_cutoff=self.fuzzy_cutoff)
            if best is not None:
                result = ("company", self.company_index[best[0]])
        if len(self._link_cache) > 100_000:
            self._link_cache.clear()  # bounded memory in long runs
        self._link_cache[key] = result
        return result

    def non_company_kind(self, ent: Span, name: str) -> str | None:
        """The kind of a non-company organisation (government, outlet ...), or None for a company."""
        before = [
            t for t in ent.doc[max(0, ent.start - 4) : ent.start] if not t.is_punct and t.lower_ != "the"
        ]
        if (
            len(before) >= 2
            and before[-1].lower_ in P.CIVIL_DESCRIPTION_HEADS
            and before[-2].lower_ in P.CIVIL_DESCRIPTIONS
        ) or (before and before[-1].lower_ in ("nonprofit", "non-profit", "charity", "ngo")):
            return "civil"
        for match_id, start, end in self.non_company_names(ent):
            if start == ent.start or end == ent.end:
                return ent.doc.vocab.strings[match_id]
        words = [w for w in re.findall(r"[\w&'-]+", name.lower()) if w not in ("'s", "s")]
        if not words:
            return None
        head = words[words.index("of") - 1] if "of" in words[1:] else words[-1]
        for kind, heads in P.NON_COMPANY_HEADS.items():
            if head in heads:
                return kind
        return None

    @staticmethod
    def _resolve_short_names(mentions: list[OrgMention]) -> None:
        """Short forms of a company named in full in the same article are that company.

        "Flo" after "Flo Health" (known) links to it; "Mohe" after "Mohe Technology" (unknown) shares
        its key and display name.
        """
        full_names: dict[tuple[str, ...], OrgMention] = {}
        for m in mentions:
            if m.kind == "company":
                for words in (
                    tuple(P.normalise_name(m.text).split()),
                    tuple(P.normalise_name(m.name).split()),
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
            acronym = P.clean_name(m.text)
            if acronym.isupper() and 2 <= len(acronym) <= 5 and len(initials.get(acronym.lower(), ())) == 1:
                m.company_id, m.key = next(iter(initials[acronym.lower()]))
                continue
            words = tuple(m.key.split(":", 1)[1].split())
            longer = [full for full in full_names if len(full) > len(words) and full[: len(words)] == words]
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


# -- cue matching -----------------------------------------------------------------------------------------


class AnchoredMatcher:
    """Token patterns matched within sentences, each pattern only where its required words all are.

    A spaCy Matcher tries every pattern at every token; with hundreds of cue patterns that costs more
    than the NER. Most tokens of a cue must be one of a few words ("fined", "consent", "leaked"), so
    each pattern gets its own Matcher and runs only on the sentences that hold a word of each of its
    mandatory word lists. The matches are exactly the Matcher's, minus those that cross a sentence end.
    """

    WORD_ATTRS = ("LOWER", "LEMMA", "ORTH", "NORM")

    def __init__(self, vocab):
        self.vocab = vocab
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

    @classmethod
    def within_clauses(cls, pattern: list[dict]) -> list[dict]:
        return [
            {"ORTH": {"NOT_IN": cls.CLAUSE_PUNCTUATION}, **spec} if set(spec) == {"OP"} else spec
            for spec in pattern
        ]

    def add(self, label: str, patterns: list[list[dict]]) -> None:
        self._merged.clear()
        for pattern in patterns:
            pattern = self.within_clauses(pattern)
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


# -- incidents, roles and responses --------------------------------------------------------------------


@dataclass
class SentenceFacts:
    """What the incident component learned about one sentence."""

    index: int
    span: Span
    types: dict[str, list[Span]] = field(default_factory=dict)
    responses: dict[str, list[Span]] = field(default_factory=dict)
    has_context: bool = False
    near_context: bool = False  # the sentence before or after, in the same paragraph, has privacy context
    paragraph: int = 0
    cats: dict[str, float] = field(default_factory=dict)
    parsed: Doc | None = None
    accused: list[str] = field(default_factory=list)  # company keys
    speakers: list[str] = field(default_factory=list)  # accused company keys a response is credited to
    actor_found: dict[str, str] = field(default_factory=dict)  # type -> how its accused was found


@Language.factory(
    "privwatch_incidents_v1",
    default_config={
        "config_dir": None,
        "parser": "parser",
        "textcat": "textcat_multilabel",
        "cue_veto": 0.1,
        "textcat_alone": 0.95,
        "response_veto": 0.05,
        "article_context_types": ["enforcement"],
        "article_context_sentences": 2,
        "keep_tensor": False,
        "trace": False,
    },
)
def make_incidents(
    nlp: Language,
    name: str,
    config_dir: str | None,
    parser: str | None,
    textcat: str | None,
    cue_veto: float,
    textcat_alone: float,
    response_veto: float,
    article_context_types: list[str],
    article_context_sentences: int,
    keep_tensor: bool,
    trace: bool,
):
    return PrivacyIncidents(
        nlp,
        name,
        load_config(config_dir),
        parser,
        textcat,
        cue_veto,
        textcat_alone,
        response_veto,
        article_context_types,
        article_context_sentences,
        keep_tensor,
        trace,
    )


class PrivacyIncidents:
    """Incident types, accused companies and responses, each with its evidence sentence.

    Per sentence: the taxonomy's cues (Matcher patterns on lemmas, words and POS from incidents.yaml)
    fire a type when the sentence, or its neighbour in the paragraph, carries privacy context, unless
    a keyword trap covers them ("private equity", "breach of contract"); an enforcement cue may take
    its context from the rest of a privacy story. The text classifier scores the cue sentences (the
    stored score is half cue, half classifier), adds a type it is very sure of in a privacy-context
    sentence without a cue, and can veto cues (thresholds in config.cfg; the veto is off, since at the
    corpus's size it removed more true cues than false ones on the dev set).
    The parser, run only on those sentences, says which company is the actor: the subject of the
    clause holding the cue, the "by" agent of a passive, the company an authority acts on (fine,
    lawsuit, order), the possessor of the product ("Tencent's WeChat"); "it" and "the company" refer to
    a company named earlier in the sentence or to the one in focus. Negated cues ("no data was
    accessed"), background lists ("other controversies, including ...") and what is prevented do not
    count. Responses (apology, denial, remediation) go to the accused company whose clause says them,
    never to one a regulator orders to act.
    """

    def __init__(
        self,
        nlp: Language,
        name: str,
        config: Config,
        parser: str | None,
        textcat: str | None,
        cue_veto: float,
        textcat_alone: float,
        response_veto: float,
        article_context_types: list[str] | None = None,
        article_context_sentences: int = 2,
        keep_tensor: bool = False,
        trace: bool = False,
    ):
        self.nlp, self.name = nlp, name
        self.keep_tensor = keep_tensor
        # types whose privacy context may come from the rest of the article: a fine or a lawsuit in a
        # story about a privacy incident is about that incident
        self.article_context_types = set(article_context_types or [])
        self.article_context_sentences = article_context_sentences
        self.trace = trace
        self.parser_name, self.textcat_name = parser, textcat
        self.cue_veto, self.textcat_alone, self.response_veto = cue_veto, textcat_alone, response_veto
        taxonomy = config.taxonomy
        self.type_ids = [t.id for t in taxonomy.types]
        self.response_ids = [r.id for r in taxonomy.responses]
        self.needs_context = {t.id: t.needs_privacy_context for t in taxonomy.types}
        self.matcher = AnchoredMatcher(nlp.vocab)
        self.matcher.add("context", taxonomy.privacy_context)
        for trap in taxonomy.traps:
            self.matcher.add("trap:" + trap.id, trap.patterns)
        for cued in taxonomy.types:
            self.matcher.add("type:" + cued.id, cued.cues)
        for cued in taxonomy.responses:
            self.matcher.add("response:" + cued.id, cued.cues)
        self.role_matcher = DependencyMatcher(nlp.vocab, validate=True)
        for role, role_patterns in P.role_patterns().items():
            self.role_matcher.add(role, role_patterns)

    # components run on demand ------------------------------------------------------------------------

    def _component(self, name: str | None):
        if name and name in self.nlp.component_names:
            return self.nlp.get_pipe(name)
        return None

    SENTENCE_ATTRS = [TAG, POS, LEMMA, ENT_IOB, ENT_TYPE]

    @staticmethod
    def _sentence_doc(doc: Doc, values, span: Span) -> Doc:
        """A sentence as its own Doc with tags, lemmas, entities and the article's tok2vec tensor.

        Like Span.as_doc, at a quarter of the cost: only what the parser, the classifier and the role
        patterns read is copied.
        """
        sub = Doc(doc.vocab, words=[t.text for t in span], spaces=[bool(t.whitespace_) for t in span])
        sub.from_array(PrivacyIncidents.SENTENCE_ATTRS, values[span.start : span.end])
        if doc.tensor.size:
            sub.tensor = doc.tensor[span.start : span.end]
        return sub

    def _analyse(self, facts: list[SentenceFacts], candidates: list[SentenceFacts]) -> None:
        """Classify facts + candidates, then parse the facts and the candidates the classifier promotes.

        Sentences become small Docs that keep the article's tags, entities and tok2vec tensor; the
        classifier (a bag of words) is cheap, the parser is what costs, so a sentence is parsed only
        when it carries cues or the classifier alone is sure of a type in it.
        """
        if not facts:
            return
        doc = facts[0].span.doc
        values = doc.to_array(self.SENTENCE_ATTRS)
        everything = facts + candidates
        docs = {f.index: self._sentence_doc(doc, values, f.span) for f in everything}
        textcat = self._component(self.textcat_name)
        if textcat is not None:
            for fact, sub in zip(everything, textcat.pipe(docs[f.index] for f in everything), strict=True):
                fact.cats = dict(sub.cats)
        promoted = [
            f for f in candidates if any(f.cats.get(t, 0.0) >= self.textcat_alone for t in self.type_ids)
        ]
        to_parse = facts + promoted
        parser = self._component(self.parser_name)
        parsed = (
            parser.pipe(docs[f.index] for f in to_parse)
            if parser is not None
            else (docs[f.index] for f in to_parse)
        )
        for fact, sub in zip(to_parse, parsed, strict=True):
            fact.parsed = sub

    # the component --------------------------------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        sentences = list(doc.sents)
        sentence_of = [0] * len(doc)
        for index, sent in enumerate(sentences):
            for i in range(sent.start, sent.end):
                sentence_of[i] = index
        facts = [SentenceFacts(i, s) for i, s in enumerate(sentences)]
        trapped = self._collect_cues(doc, facts, sentence_of, sentences)
        orgs = doc._.get(ORGS_ATTR) or []
        incident_facts = [
            f for f in facts if any(self._in_context(f) or not self.needs_context[t] for t in f.types)
        ]
        # a story about personal data: another type fired in context, or privacy context recurs
        privacy_story = (
            any(set(f.types) - self.article_context_types for f in incident_facts if self._in_context(f))
            or sum(f.has_context for f in facts) >= self.article_context_sentences
        )
        if privacy_story:
            incident_facts += [
                f for f in facts if f not in incident_facts and set(f.types) & self.article_context_types
            ]
            incident_facts.sort(key=lambda f: f.index)
        context_facts = [f for f in facts if f.has_context and f not in incident_facts]
        response_facts = []
        if incident_facts:
            self._collect_responses(doc, facts, sentence_of, sentences, trapped)
            response_facts = [f for f in facts if f.responses and f not in incident_facts]
            alone = context_facts if self.textcat_alone <= 1 else []
            self._analyse(incident_facts + response_facts, alone)
        raw = {f.index: (dict(f.types), dict(f.responses)) for f in facts}
        self._decide_types(facts, privacy_story)
        tags = self._assemble(doc, facts, sentence_of, orgs)
        if self.trace:
            tags["trace"] = [self._trace(f, *raw[f.index]) for f in facts if raw[f.index] != ({}, {})]
        doc._.set(TAGS_ATTR, tags)
        if not self.keep_tensor:
            # nothing after tagging reads the tok2vec tensor; dropping it makes Docs cheap to send back
            # from nlp.pipe's worker processes
            doc.tensor = numpy.zeros((0,), dtype="float32")
        return doc

    def cue_matches(self, sentences: list[Span]) -> list[tuple[str, Span]]:
        """(label, span) of every cue: "context", "type:<id>", "response:<id>".

        A trap ("private equity", "no customer data was affected") cancels the privacy context and the
        type cues it overlaps; responses are not cancelled ("no data was accessed" is still a denial).
        """
        if not sentences:
            return []
        doc = sentences[0].doc
        matches = self.matcher(sentences)
        trapped = {i for label, start, end in matches if label.startswith("trap:") for i in range(start, end)}
        return [(label, doc[start:end]) for label, start, end in self._untrapped(matches, trapped)]

    @staticmethod
    def _untrapped(matches, trapped: set[int]):
        for label, start, end in matches:
            if label.startswith("trap:"):
                continue
            if label.startswith("response:") or not any(i in trapped for i in range(start, end)):
                yield label, start, end

    FIRST_GROUPS = ("context", "trap")

    def _collect_cues(
        self, doc: Doc, facts: list[SentenceFacts], sentence_of: list[int], sentences: list[Span]
    ) -> set[int]:
        """Context and traps everywhere, then type cues where they can count (response cues follow,
        in incident articles only): most of an ordinary article never meets the type patterns.
        Returns the token indices that traps cover."""
        first = self.matcher(sentences, groups=self.FIRST_GROUPS)
        trapped = {i for label, start, end in first if label.startswith("trap:") for i in range(start, end)}
        for _label, start, _end in self._untrapped(first, trapped):
            facts[sentence_of[start]].has_context = True
        self._mark_near_context(facts)
        in_window = [f.span for f in facts if self._in_context(f)]
        elsewhere = [f.span for f in facts if not self._in_context(f)]
        matches = self.matcher(in_window, groups=("type",))
        anywhere = {"type:" + t for t, needs in self.needs_context.items() if not needs}
        if any(f.has_context for f in facts):
            anywhere |= {"type:" + t for t in self.article_context_types}
        if anywhere and elsewhere:
            matches += self.matcher(elsewhere, groups=("type",), accept=anywhere.__contains__)
        for label, start, end in self._untrapped(matches, trapped):
            facts[sentence_of[start]].types.setdefault(label[5:], []).append(doc[start:end])
        return trapped

    def _collect_responses(
        self,
        doc: Doc,
        facts: list[SentenceFacts],
        sentence_of: list[int],
        sentences: list[Span],
        trapped: set[int],
    ) -> None:
        matches = self.matcher(sentences, groups=("response",))
        for label, start, end in self._untrapped(matches, trapped):
            facts[sentence_of[start]].responses.setdefault(label[9:], []).append(doc[start:end])

    @staticmethod
    def _negated(fact: SentenceFacts, cue: Span) -> bool:
        """Does the parse negate the cue ("no customer data was accessed", "it did not keep backups")?"""
        if fact.parsed is None or any(t.lower_ in P.NEGATION_WORDS for t in cue):
            return False
        offset = fact.span.start
        cue_tokens = fact.parsed[cue.start - offset : cue.end - offset]
        root = cue_tokens.root
        if any(c.dep_ == "neg" for c in root.children):
            return True
        # "no (customer) data was accessed", "no passwords were exposed"
        arguments = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass", "dobj")]
        if any(t.dep_ == "det" and t.lower_ == "no" for a in arguments for t in a.subtree):
            return True
        if any(d.dep_ == "det" and d.lower_ == "no" for t in cue_tokens for d in t.children):
            return True
        # "other privacy controversies, including ...", "problems such as illegally collecting data":
        # a cue inside a background list is about someone else
        for ancestor in list(root.ancestors)[:4]:
            if ancestor.pos_ == "NOUN" and any(
                (c.dep_ == "amod" and c.lower_ in P.BACKGROUND_MODIFIERS)
                or (c.dep_ == "prep" and c.lower_ == "as" and any(g.lower_ == "such" for g in c.children))
                for c in ancestor.children
            ):
                return True
        # "made it easier to switch off the saving of chat histories", "measures to prevent access"
        for ancestor in list(root.ancestors)[:3]:
            if ancestor.lemma_ in P.PREVENTIVE_VERBS or (
                ancestor.lemma_ in ("switch", "turn") and any(c.lower_ == "off" for c in ancestor.children)
            ):
                return True
        # "there was no evidence that any data had been accessed"
        for ancestor in list(root.ancestors)[:4]:
            if ancestor.lemma_ in P.EVIDENCE_NOUNS and any(
                d.dep_ == "det" and d.lower_ == "no" for d in ancestor.children
            ):
                return True
        return False

    @staticmethod
    def _mark_near_context(facts: list[SentenceFacts]) -> None:
        paragraph = 0
        for previous, fact in zip([None, *facts], facts, strict=False):
            if previous is not None and "\n" in previous.span.doc[fact.span.start - 1].text:
                paragraph += 1
            fact.paragraph = paragraph
        for i, fact in enumerate(facts):
            neighbours = [facts[j] for j in (i - 1, i + 1) if 0 <= j < len(facts)]
            fact.near_context = any(n.has_context and n.paragraph == fact.paragraph for n in neighbours)

    @staticmethod
    def _in_context(fact: SentenceFacts) -> bool:
        return fact.has_context or fact.near_context

    def _decide_types(self, facts: list[SentenceFacts], privacy_story: bool) -> None:
        """Keep cue-fired types the classifier does not veto; add types the classifier alone is sure of."""
        for fact in facts:
            decided: dict[str, list[Span]] = {}
            criminal = bool(fact.types) and any(t.lower_ in P.CRIMINAL_ACTORS for t in fact.span)
            for type_id, cues in fact.types.items():
                in_context = self._in_context(fact) or (
                    privacy_story and type_id in self.article_context_types
                )
                if self.needs_context[type_id] and not in_context:
                    continue
                if fact.cats and fact.cats.get(type_id, 1.0) < self.cue_veto:
                    continue
                if criminal and type_id in P.CRIMINAL_DISPLACED_TYPES:
                    continue
                # data stolen or leaked and then sold is a breach, not the company's sharing
                if type_id in P.BREACH_DISPLACED_TYPES and "breach" in fact.types and self._in_context(fact):
                    continue
                cues = [c for c in cues if not self._negated(fact, c)]
                if cues:
                    decided[type_id] = cues
            if fact.has_context and fact.cats:
                for type_id in self.type_ids:
                    if type_id not in decided and fact.cats.get(type_id, 0.0) >= self.textcat_alone:
                        decided[type_id] = []
            fact.types = decided
            responses = {}
            for response_id, cues in fact.responses.items():
                if fact.cats and fact.cats.get(response_id, 1.0) < self.response_veto:
                    continue
                responses[response_id] = cues
            fact.responses = responses

    # roles ------------------------------------------------------------------------------------------------

    @staticmethod
    def _orgs_by_token(fact: SentenceFacts, orgs: list[dict]) -> dict[int, dict]:
        """Organisation mention by token index of the sentence's parsed Doc."""
        offset = fact.span.start
        return {i - offset: m for m in orgs for i in range(m["start"], m["end"])}

    @staticmethod
    def _phrase_orgs(token: Token, by_token: dict[int, dict]) -> list[dict]:
        """The organisations of a noun phrase: head, compounds, possessors, appositions, "of" objects.

        "Ant Financial's Alipay", "a Google spokesperson", "two of Baidu's apps", "Avast chief executive".
        """
        found: list[dict] = []
        stack = [token]
        while stack:
            current = stack.pop()
            mention = by_token.get(current.i)
            if mention is not None and mention not in found:
                found.append(mention)
            for child in current.children:
                if child.dep_ in P.CLAUSE_DEPENDENCIES:
                    continue
                if child.dep_ == "prep" and (
                    child.lower_ not in P.PHRASE_PREPOSITIONS or current.lemma_ in P.RELATION_NOUNS
                ):
                    continue
                stack.append(child)
        return found

    @staticmethod
    def _is_reference(token: Token) -> bool:
        """Does the subject refer to the company in focus ("it", "the company", "its spokesperson")?"""
        lower = token.lower_
        if lower in P.COMPANY_REFERENCE_PRONOUNS:
            return True
        determiners = [c for c in token.children if c.dep_ in ("det", "poss")]
        if lower in P.COMPANY_REFERENCE_NOUNS and any(
            d.lower_ in ("the", "this", "that", "its", "our") or d.dep_ == "poss" for d in determiners
        ):
            return True
        return lower in P.SPEAKER_NOUNS

    def _clause_actor(
        self,
        fact: SentenceFacts,
        cue: Span,
        by_token: dict[int, dict],
        enforcement: bool,
        speaker: bool = False,
    ) -> tuple[str, list[dict], list[Token]]:
        """Who does what the cue says: climb from the cue to the nearest clause with a subject.

        Returns (how, companies, path): how is "subject", "agent" (passive "by"), "target" (object of
        a regulator's action), "reference" (it, the company, a spokesperson), "person", "other"
        (users, researchers ...) or "none" (no subject, as in a headline fragment). When looking for the
        speaker of a response, climbing goes on past a subject that is neither ("Weibo said that no
        passwords had been exposed") and stops at a regulator.
        """
        offset = fact.span.start
        node = fact.parsed[cue.start - offset : cue.end - offset].root
        path: list[Token] = []
        for _level in range(8):
            path.append(node)
            subjects = [c for c in node.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")]
            if not subjects and node.dep_ in ("acl", "relcl") and node.pos_ == "VERB" and node.tag_ == "VBG":
                subjects = [node.head]  # "people suing it": the noun a participle modifies is its subject
            if subjects and subjects[0].tag_ in ("WDT", "WP") and node.dep_ == "relcl":
                subjects = [node.head]  # "the authority, which had blocked the chatbot": the authority
            if subjects:
                subject = subjects[0]
                if subject.i not in by_token and any(
                    c.dep_ == "poss" and c.lower_ in P.COMPANY_REFERENCE_PRONOUNS for c in subject.children
                ):
                    # "its iOS app": the company's own app, whatever platform it runs on
                    return "reference", [], path
                orgs = self._phrase_orgs(subject, by_token)
                companies = [m for m in orgs if m["kind"] == "company"]
                if subject.dep_ == "nsubjpass":
                    agents = [
                        m
                        for c in node.children
                        if c.dep_ == "agent"
                        for pobj in c.children
                        for m in self._phrase_orgs(pobj, by_token)
                        if m["kind"] == "company"
                    ]
                    if agents:
                        return "agent", agents, path
                if companies:
                    return "subject", companies, path
                if orgs and enforcement:
                    return "target", self._targets(path, by_token), path
                authority = bool(orgs) or subject.lower_ in P.AUTHORITY_NOUNS
                if authority and speaker:
                    return "regulator", [], path
                if authority and enforcement:
                    return "target", self._targets(path, by_token), path
                if self._is_reference(subject) and subject.lower_ not in P.COMPANY_REFERENCE_PRONOUNS:
                    # "the company", "its spokesperson": a company named earlier in the sentence, else focus
                    named = [
                        m for i, m in sorted(by_token.items()) if i < subject.i and m["kind"] == "company"
                    ]
                    return "reference", named[-1:], path
                if self._is_reference(subject):
                    # "Tencent denied it was storing ...": the nearest organisation before the pronoun
                    before = [
                        (t.i, by_token.get(t.i, {"kind": "authority"}))
                        for t in fact.parsed[: subject.i]
                        if t.i in by_token or (t.lower_ in P.AUTHORITY_NOUNS and t.dep_.startswith("nsubj"))
                    ]
                    antecedent = before[-1][1] if before else None
                    if antecedent is None:
                        return "reference", [], path
                    if antecedent["kind"] == "company":
                        return "reference", [antecedent], path
                    if speaker:
                        return "regulator", [], path
                    if enforcement:
                        return "target", self._targets(path, by_token), path
                    return "other", [], path
                if subject.ent_type_ == "PERSON" or subject.lower_ in P.PERSON_PRONOUNS:
                    return "person", [], path
                if not speaker:
                    return "other", [], path
            if node.head.i == node.i:
                break
            node = node.head
        return "none", [], path

    def _targets(self, path: list[Token], by_token: dict[int, dict]) -> list[dict]:
        """Companies a regulator acts on: objects and "against/into/on" objects along the path."""
        found: list[dict] = []
        for node in path:
            for child in node.children:
                heads = []
                if child.dep_ in ("dobj", "dative", "attr", "oprd"):
                    heads = [child]
                elif child.dep_ == "prep" and child.lower_ in P.TARGET_PREPOSITIONS:
                    heads = [c for c in child.children if c.dep_ == "pobj"]
                for head in heads:
                    found += [m for m in self._phrase_orgs(head, by_token) if m["kind"] == "company"]
        return found

    def _roles(self, fact: SentenceFacts, by_token: dict[int, dict]) -> dict[str, set[str]]:
        """Role name -> company keys over the whole sentence (DependencyMatcher role patterns)."""
        roles: dict[str, set[str]] = defaultdict(set)
        if fact.parsed is None or not by_token:
            return roles
        strings = fact.parsed.vocab.strings
        for match_id, token_ids in self.role_matcher(fact.parsed):
            mention = by_token.get(token_ids[-1])
            if mention is not None and mention["kind"] == "company":
                roles[strings[match_id]].add(mention["key"])
        return roles

    def _sentence_actors(
        self, fact: SentenceFacts, by_token: dict[int, dict], focus: str | None
    ) -> list[str]:
        """Fallback when no cue has a company as actor: the sentence's company roles, names or focus."""
        roles = self._roles(fact, by_token)
        actors = roles["subject"] | roles["agent"] | roles["target"] | roles["possessor"]
        if not actors and focus:
            # "The company, a subsidiary of Singtel, said ...": the main clause is about the focus company
            for root in (t for t in fact.parsed if t.dep_ == "ROOT"):
                subjects = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
                if subjects and self._is_reference(subjects[0]) and subjects[0].i not in by_token:
                    return [focus]
        order = {}
        for i, m in sorted(by_token.items()):
            order.setdefault(m["key"], i)
        if actors:
            return sorted(actors, key=lambda k: order.get(k, 0))
        named = [
            k
            for k in sorted(order, key=order.get)
            if k not in roles["recipient"]
            and any(m["key"] == k and m["kind"] == "company" for m in by_token.values())
        ]
        if named:
            return named
        return [focus] if focus else []

    def _accused(
        self, fact: SentenceFacts, type_id: str, orgs: list[dict], focus: str | None, topic: str | None
    ) -> list[str] | None:
        """The companies whose conduct the sentence's cues for type_id describe.

        focus: the company "it" and "the company" refer to (the last accused); topic: the article's main
        company, for sentences that name no company at all. None: the sentence turned out not to carry
        the type (an enforcement cue where the company is the one investigating or suing).
        """
        if fact.parsed is None:
            companies = [m["key"] for m in orgs if m["kind"] == "company"]
            return list(dict.fromkeys(companies)) or ([topic] if topic else [])
        by_token = self._orgs_by_token(fact, orgs)
        actors: list[str] = []
        cues = fact.types.get(type_id) or []
        cancelled = 0
        for cue in cues:
            if type_id == "enforcement":
                targets = self._enforcement_targets(fact, cue, by_token, focus)
                if targets is None:
                    cancelled += 1
                actors += targets or []
                continue
            how, companies, _path = self._clause_actor(fact, cue, by_token, enforcement=False)
            if companies:
                actors += [m["key"] for m in companies]
            elif how == "reference" and focus:
                actors.append(focus)
        if cues and cancelled == len(cues):
            return None
        if actors:
            fact.actor_found[type_id] = "clause"
            return list(dict.fromkeys(actors))
        fact.actor_found[type_id] = "sentence"
        return self._sentence_actors(fact, by_token, topic)

    def _enforcement_targets(
        self, fact: SentenceFacts, cue: Span, by_token: dict[int, dict], focus: str | None
    ) -> list[str] | None:
        """Companies an authority acts against; None when the company is the one acting.

        "The FTC fined Meta", "Didi was ordered to ...", "Google settled the lawsuit" and "a lawsuit
        against Baidu" target a company; "Huazhu probes the claim", "it asked the police to investigate"
        and "T-Mobile urged customers to change their PINs" do not.
        """
        how, companies, path = self._clause_actor(fact, cue, by_token, enforcement=True)
        root, verb = path[0], path[-1]
        if how == "none":
            return []
        if root.pos_ == "VERB" and root.lemma_ in P.OBLIGATION_VERBS and not self._imposed(how, path):
            return None
        passive = any(c.dep_ == "nsubjpass" for c in verb.children)
        if how in ("subject", "reference") and (
            passive or verb.lemma_ in P.TARGETED_VERBS or root.lemma_ in P.TARGETED_VERBS
        ):
            keys = [m["key"] for m in companies]
            return keys or ([focus] if focus else [])
        if how in ("other", "person") and passive:
            return None  # "the developer was convicted": someone else is the target
        # an authority (or an app store, or plaintiffs) acting on the objects of the clause
        subject_keys = {m["key"] for m in companies} if how == "subject" else set()
        keys = [m["key"] for m in self._targets(path, by_token) if m["key"] not in subject_keys]
        if (
            not keys
            and how in ("target", "other", "person")
            and focus
            and any(self._is_reference(t) for n in path for t in n.children if t.dep_ in ("dobj", "dative"))
        ):
            keys = [focus]
        return keys or None

    @staticmethod
    def _imposed(how: str, path: list[Token]) -> bool:
        """Is an order/requirement imposed by a regulator, or on a company in the passive voice?"""
        if how == "target":
            return True
        return how == "subject" and any(c.dep_ == "nsubjpass" for c in path[-1].children)

    def _speakers(
        self, fact: SentenceFacts, response_id: str, orgs: list[dict], focus: str | None
    ) -> list[str]:
        """The companies a response cue is credited to; a response a regulator imposes is nobody's."""
        if fact.parsed is None:
            return [focus] if focus else []
        by_token = self._orgs_by_token(fact, orgs)
        speakers: list[str] = []
        for cue in fact.responses.get(response_id) or []:
            how, companies, path = self._clause_actor(fact, cue, by_token, enforcement=False, speaker=True)
            governing = path + list(path[-1].ancestors)[:2]
            if any(
                n.lemma_ in P.OBLIGATION_VERBS or any(c.lower_ == "must" for c in n.children)
                for n in governing
            ):
                continue
            if any(n.lemma_ in P.FAILURE_VERBS for n in path):
                continue  # "failed to let users delete their accounts" is no remedy
            if companies:
                speakers += [m["key"] for m in companies]
            elif how in ("reference", "person") and focus:
                speakers.append(focus)
            elif how == "none":
                speakers += self._sentence_actors(fact, by_token, focus)
        return list(dict.fromkeys(speakers))

    # assembly ---------------------------------------------------------------------------------------------

    def _assemble(
        self, doc: Doc, facts: list[SentenceFacts], sentence_of: list[int], orgs: list[dict]
    ) -> dict:
        companies = [o for o in orgs if o["kind"] == "company"]
        mentions_by_sentence: dict[int, list[dict]] = defaultdict(list)
        orgs_by_sentence: dict[int, list[dict]] = defaultdict(list)
        for m in companies:
            mentions_by_sentence[sentence_of[m["start"]]].append(m)
        for m in orgs:
            orgs_by_sentence[sentence_of[m["start"]]].append(m)
        counts = Counter(m["key"] for m in companies)
        salience = Counter()
        for m in companies:
            salience[m["key"]] += 2 if sentence_of[m["start"]] == 0 else 1
        salient = max(
            salience,
            key=lambda k: (salience[k], -min(x["start"] for x in companies if x["key"] == k)),
            default=None,
        )

        # incident sentences -> accused companies, in reading order so "it" can follow the focus
        incidents: dict[tuple[str, str | None], tuple[float, str]] = {}
        accused_order: list[str] = []
        accused_sentences: Counter = Counter()
        focus = None
        for fact in facts:
            mentions = mentions_by_sentence.get(fact.index, [])
            if fact.types:
                accused: list[str] = []
                for type_id in list(fact.types):
                    keys = self._accused(
                        fact, type_id, orgs_by_sentence.get(fact.index, []), focus or salient, salient
                    )
                    if keys is None:
                        del fact.types[type_id]
                        continue
                    score = self._score(fact, type_id)
                    for key in keys or [None]:
                        best = incidents.get((type_id, key))
                        if best is None or score > best[0]:
                            incidents[(type_id, key)] = (score, sentence_text(fact.span))
                    accused += [k for k in keys if k not in accused]
                fact.accused = accused
                for key in accused:
                    if key not in accused_order:
                        accused_order.append(key)
                    accused_sentences[key] += 1
                if accused:
                    focus = accused[0]
            for m in mentions:
                if m["key"] in accused_order:
                    focus = m["key"]

        # responses of accused companies
        responses: dict[str, list[tuple[str, str]]] = defaultdict(list)
        focus = accused_order[0] if accused_order else None
        for fact in facts:
            mentions = mentions_by_sentence.get(fact.index, [])
            if fact.responses and accused_order:
                for response_id in fact.responses:
                    speakers = self._speakers(fact, response_id, orgs_by_sentence.get(fact.index, []), focus)
                    speakers = [k for k in speakers if k in accused_order]
                    fact.speakers += [k for k in speakers if k not in fact.speakers]
                    for key in speakers:
                        responses[key].append((response_id, sentence_text(fact.span)))
            for m in mentions:
                if m["key"] in accused_order:
                    focus = m["key"]

        first_sentence: dict[str, str] = {}
        names: dict[str, tuple[str | None, str]] = {}
        for m in companies:
            names.setdefault(m["key"], (m["company_id"], m["name"]))
            if m["key"] not in first_sentence:
                first_sentence[m["key"]] = sentence_text(facts[sentence_of[m["start"]]].span)
        company_rows = []
        for key in sorted(names, key=lambda k: (k not in accused_order, -counts[k], k)):
            company_id, name = names[key]
            accused = key in accused_order
            response, evidence = self._choose_response(responses.get(key, [])) if accused else (None, None)
            types = [t for t in self.type_ids if (t, key) in incidents]
            company_rows.append(
                {
                    "key": key,
                    "id": company_id,
                    "name": name,
                    "role": "accused" if accused else "mentioned",
                    "response": response if accused else None,
                    "count": counts[key],
                    "types": types,
                    "evidence": incidents[(types[0], key)][1] if accused and types else first_sentence[key],
                    "response_evidence": evidence,
                }
            )
        incident_rows = [
            {
                "incident_type": t,
                "company_key": key,
                "company_id": names.get(key, (None, ""))[0] if key else None,
                "score": score,
                "evidence": evidence,
            }
            for (t, key), (score, evidence) in sorted(
                incidents.items(), key=lambda kv: self.type_ids.index(kv[0][0])
            )
        ]
        types = [t for t in self.type_ids if any(row["incident_type"] == t for row in incident_rows)]
        evidence = {}
        for t in types:
            rows = [r for r in incident_rows if r["incident_type"] == t]
            evidence[t] = max(rows, key=lambda r: r["score"])["evidence"]
        main = max(accused_order, key=lambda k: (accused_sentences[k], -accused_order.index(k)), default=None)
        main_response = next((r["response"] for r in company_rows if r["key"] == main), None)
        return {
            "is_incident": bool(types),
            "incident_types": types,
            "evidence": evidence,
            "response": main_response if types else None,
            "main_company": main,
            "companies": company_rows,
            "incidents": incident_rows,
        }

    @staticmethod
    def _score(fact: SentenceFacts, type_id: str) -> float:
        """Confidence of a type in a sentence: a cue counts for half, the classifier for the rest.

        A type the classifier added on its own scores its probability; without a classifier a cue
        scores 1.
        """
        if not fact.cats:
            return 1.0
        probability = fact.cats.get(type_id, 0.0)
        if fact.types.get(type_id):
            return round(0.5 + 0.5 * probability, 4)
        return round(probability, 4)

    @staticmethod
    def _trace(fact: SentenceFacts, cued: dict, responded: dict) -> dict:
        """One sentence's cues and decisions, for debugging and `privwatch tag-file --trace`."""
        return {
            "sentence": sentence_text(fact.span),
            "context": fact.has_context or ("near" if fact.near_context else False),
            "paragraph": fact.paragraph,
            "cues": {k: [c.text for c in v] for k, v in cued.items()},
            "response_cues": {k: [c.text for c in v] for k, v in responded.items()},
            "cats": {k: round(v, 3) for k, v in fact.cats.items()},
            "types": sorted(fact.types),
            "responses": sorted(fact.responses),
            "accused": fact.accused,
            "speakers": fact.speakers,
            "actor_found": fact.actor_found,
        }

    RESPONSE_PRIORITY = ("apology", "denial", "remediation")

    def _choose_response(self, found: list[tuple[str, str]]) -> tuple[str, str | None]:
        """One response per company: an apology outranks a denial, which outranks remediation alone."""
        for response_id in self.RESPONSE_PRIORITY:
            for found_id, sentence in found:
                if found_id == response_id:
                    return response_id, sentence
        for found_id, sentence in found:
            return found_id, sentence
        return "none", None
