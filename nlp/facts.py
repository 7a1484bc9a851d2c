"""What the privwatch components tell each other about an article, kept on the Doc while it is tagged.

The incident component fills doc._.privwatch_facts with one SentenceFacts per sentence; the roles and
responses components add to it; the article-tags component turns it into doc._.privwatch_tags (plain
JSON-like values that survive nlp.pipe(n_process=N)) and drops it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from spacy.attrs import ENT_IOB, ENT_TYPE, LEMMA, POS, TAG
from spacy.tokens import Doc, Span

from nlp.script import source_text

ORGS_ATTR = "privwatch_orgs"  # organisation mentions (nlp/companies.py)
TAGS_ATTR = "privwatch_tags"  # the article's tags (nlp/article_tags.py)
FACTS_ATTR = "privwatch_facts"  # ArticleFacts while the article is tagged
for _attr in (ORGS_ATTR, TAGS_ATTR, FACTS_ATTR):
    if not Doc.has_extension(_attr):
        Doc.set_extension(_attr, default=None)


def sentence_text(span: Span) -> str:
    """The sentence as the outlet wrote it (nlp/script.py), on one line."""
    return re.sub(r"\s+", " ", source_text(span)).strip()


@dataclass
class SentenceFacts:
    """What the components learned about one sentence."""

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

    @property
    def in_context(self) -> bool:
        return self.has_context or self.near_context


@dataclass
class ArticleFacts:
    """The article's sentences and what has been decided about them so far."""

    sentences: list[SentenceFacts]
    sentence_of: list[int]  # token index -> sentence index
    orgs: list[dict]  # doc._.privwatch_orgs
    raw_cues: dict[int, tuple[dict, dict]] = field(default_factory=dict)  # for the trace
    # (type, company key or None) -> (score, evidence sentence)
    incidents: dict[tuple[str, str | None], tuple[float, str]] = field(default_factory=dict)
    accused_order: list[str] = field(default_factory=list)
    accused_sentences: Counter = field(default_factory=Counter)
    # accused company key -> [(response id, evidence sentence)] in reading order
    responses: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # accused company key -> its severity fields (nlp/severity.py), for the company's incident rows
    severity: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def of(cls, doc: Doc) -> ArticleFacts:
        """The article's sentences and organisation mentions, nothing decided yet."""
        sentences = list(doc.sents)
        sentence_of = [0] * len(doc)
        for index, sent in enumerate(sentences):
            for i in range(sent.start, sent.end):
                sentence_of[i] = index
        return cls(
            [SentenceFacts(i, s) for i, s in enumerate(sentences)], sentence_of, doc._.get(ORGS_ATTR) or []
        )

    def __post_init__(self) -> None:
        self.orgs_by_sentence: dict[int, list[dict]] = defaultdict(list)
        for m in self.orgs:
            self.orgs_by_sentence[self.sentence_of[m["start"]]].append(m)

    def orgs_in(self, index: int) -> list[dict]:
        return self.orgs_by_sentence.get(index, [])

    def companies_in(self, index: int) -> list[dict]:
        return [m for m in self.orgs_in(index) if m["kind"] == "company"]

    @property
    def companies(self) -> list[dict]:
        return [m for m in self.orgs if m["kind"] == "company"]


def mark_near_context(facts: list[SentenceFacts]) -> None:
    """Number the paragraphs (a line break ends one) and mark the sentences next to one with privacy
    context in the same paragraph."""
    paragraph = 0
    for previous, fact in zip([None, *facts], facts, strict=False):
        if previous is not None and "\n" in previous.span.doc[fact.span.start - 1].text:
            paragraph += 1
        fact.paragraph = paragraph
    for i, fact in enumerate(facts):
        neighbours = [facts[j] for j in (i - 1, i + 1) if 0 <= j < len(facts)]
        fact.near_context = any(n.has_context and n.paragraph == fact.paragraph for n in neighbours)


SENTENCE_ATTRS = [TAG, POS, LEMMA, ENT_IOB, ENT_TYPE]
# ENT_IOB's column and values as Doc.to_array gives them
IOB_COLUMN = SENTENCE_ATTRS.index(ENT_IOB)
IOB_INSIDE, IOB_BEGIN = 1, 3


def sentence_docs(facts: list[SentenceFacts]) -> list[Doc]:
    """Sentences as their own Docs with tags, lemmas, entities and the article's tok2vec tensor.

    Like Span.as_doc, at a quarter of the cost: only what the parser, the classifier and the role
    patterns read is copied.
    """
    if not facts:
        return []
    doc = facts[0].span.doc
    values = doc.to_array(SENTENCE_ATTRS)
    docs = []
    for fact in facts:
        span = fact.span
        sub = Doc(doc.vocab, words=[t.text for t in span], spaces=[bool(t.whitespace_) for t in span])
        rows = values[span.start : span.end]
        if rows[0][IOB_COLUMN] == IOB_INSIDE:
            # an entity the sentencizer cut through ("... Ltd." | "said"): its part here begins here, or
            # the sentence's Doc would hold an entity with no beginning (spaCy's E093 on reading .ents)
            rows = rows.copy()
            rows[0][IOB_COLUMN] = IOB_BEGIN
        sub.from_array(SENTENCE_ATTRS, rows)
        if doc.tensor.size:
            sub.tensor = doc.tensor[span.start : span.end]
        dateline = dateline_end(span)
        if dateline:
            sub[dateline].is_sent_start = True  # the parser then leaves the dateline out of the clause
        docs.append(sub)
    return docs


DASHES = frozenset({"-", "–", "—", "--"})


def dateline_end(span: Span) -> int | None:
    """Where the sentence starts after a wire dateline ("ROME, Feb 6 – Italy's watchdog ...", "SAN
    FRANCISCO (Reuters) - Uber ..."), which the parser would otherwise make the clause's subject."""
    for i, token in enumerate(span[:12]):
        if token.text in DASHES and i and token.whitespace_ and span[i - 1].whitespace_:
            before = span[:i]
            if (
                i + 1 < len(span)
                and span[i + 1].text[:1].isupper()
                # a place, which the tagger may take for a common noun in capitals ("CHENGDU")
                and any(t.pos_ == "PROPN" or (t.is_upper and t.is_alpha and len(t) > 1) for t in before)
                and not any(t.pos_ in ("VERB", "AUX", "ADP", "DET", "PRON") for t in before)
            ):
                return i + 1
            return None
    return None


def parse_sentences(parser, facts: list[SentenceFacts]) -> None:
    """Parse the sentences that have no parse yet (the base model's parser runs only where needed)."""
    facts = [f for f in facts if f.parsed is None]
    docs = sentence_docs(facts)
    for fact, sub in zip(facts, parser.pipe(docs) if parser is not None else docs, strict=True):
        fact.parsed = sub
