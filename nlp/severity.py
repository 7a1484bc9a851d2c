"""Severity: how big an incident is, as the article states it: a fine (amount and currency) and how many
people or records were affected.

`privwatch_severity_v1` (English) reads the amounts spaCy's entities give (MONEY, CARDINAL, QUANTITY) in the
sentences about the accused companies, and keeps one when the dependency parse ties it to a fine cue ("fined
Meta $5 billion", "a penalty of 1.2 billion yuan", "agreed to pay £20m") or, for a count, to a breach or
collection cue ("stole the data of 533 million users"); the parse keeps out the revenue, market value or
share price that shares the sentence with a fine. `privwatch_zh_severity_v1` does the same on Chinese
sentences with the regular expressions of incidents.zh.yaml (the Chinese pipeline has no parser). Each
value is credited to the accused companies of its sentence (else the one the article was last about);
the article-tags component puts it on their incident rows. Cues, currencies and the approximate rates to US
dollars are data: the severity blocks of incidents.yaml and incidents.zh.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from config.taxonomy import ChineseTaxonomyFile, SeverityCues, TaxonomyFile
from nlp.component_data import KeepsData
from nlp.facts import FACTS_ATTR, ArticleFacts, SentenceFacts, parse_sentences

AMOUNT_LABELS = frozenset({"MONEY", "CARDINAL", "QUANTITY"})
# how far up the parse an amount may be from its cue ("fined" <- "$5 billion"; "pay" <- "fine" <- "of" <-
# "1.2 billion yuan")
MAX_PATH = 5
SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "bln": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "千": 1e3,
    "万": 1e4,
    "亿": 1e8,
    "万亿": 1e12,
}
NUMBER_WORDS = {
    w: i + 1 for i, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split())
}
NUMBER = re.compile(
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|"
    + "|".join(NUMBER_WORDS)
    + r")\s*(?P<scale>万亿|[千万亿]|(?:thousand|million|billion|trillion|mn|mln|bn|bln|tn|m|b|k)\b)?",
    re.IGNORECASE,
)


def parse_number(text: str) -> float | None:
    """The first number of the text with its scale: "533 million" 533e6, "€1.2bn" 1.2e9, "80.26亿" 8.026e9,
    "40,000" 40000; None without one."""
    found = NUMBER.search(text)
    if found is None:
        return None
    number = found["number"].lower()
    value = float(NUMBER_WORDS.get(number) or number.replace(",", ""))
    scale = (found["scale"] or "").lower()
    return value * SCALES.get(scale, 1)


@dataclass
class Amount:
    value: float
    currency: str | None
    text: str


class Currencies:
    """The currencies of the severity block: which words and signs name each, and its rough value in US
    dollars."""

    def __init__(self, cues: SeverityCues):
        self.usd = {code: currency.usd for code, currency in cues.currencies.items()}
        self.names = {name.lower(): code for code, c in cues.currencies.items() for name in [code, *c.names]}
        # the longest first ("US$" before "$", "美元" before "元"); a Latin word only whole ("eur", not in
        # "europe")
        alternatives = [
            rf"(?<![a-z]){re.escape(n)}(?![a-z])" if n.isascii() and n.isalpha() else re.escape(n)
            for n in sorted(self.names, key=len, reverse=True)
        ]
        self.pattern = re.compile("|".join(alternatives)) if alternatives else None

    def of(self, text: str) -> str | None:
        """The currency the text names first, by code, word or sign."""
        found = self.pattern.search(text.lower()) if self.pattern is not None else None
        return self.names[found.group(0)] if found else None

    def in_usd(self, amount: Amount) -> float | None:
        rate = self.usd.get(amount.currency or "")
        return round(amount.value * rate, 2) if rate is not None else None


def severity_of(fine: Amount | None, affected: Amount | None, currencies: Currencies) -> dict:
    """The severity fields of an incident row (None where the article states nothing)."""
    return {
        "fine_amount": fine.value if fine else None,
        "fine_currency": fine.currency if fine else None,
        "fine_usd": currencies.in_usd(fine) if fine else None,
        "fine_text": fine.text if fine else None,
        "affected": int(affected.value) if affected else None,
        "affected_text": affected.text if affected else None,
    }


class SeverityBase:
    """What both languages share: which sentences count and whom their amounts are credited to."""

    currencies: Currencies

    def __call__(self, doc: Doc) -> Doc:
        article: ArticleFacts | None = doc._.get(FACTS_ATTR)
        if article is None or not article.accused_order:
            return doc
        accused = set(article.accused_order)
        focus = article.accused_order[0]
        relevant: list[tuple[SentenceFacts, list[str]]] = []
        for fact in article.sentences:
            companies = [m["key"] for m in article.companies_in(fact.index)]
            named = [m["key"] for m in article.orgs_in(fact.index) if m["key"] in accused]
            owners = list(dict.fromkeys([*fact.accused, *named]))
            if companies and not named:
                pass  # about companies not accused ("compared it with Amazon's €746 million fine")
            elif owners:
                relevant.append((fact, owners))
            elif fact.types:
                relevant.append((fact, [focus]))
            if owners:
                focus = owners[0]
        found = self.amounts([fact for fact, _ in relevant])
        fines: dict[str, Amount] = {}
        affected: dict[str, Amount] = {}
        for (_, owners), (fine, count) in zip(relevant, found, strict=True):
            for key in owners:
                if fine and (key not in fines or self._bigger(fine, fines[key])):
                    fines[key] = fine
                if count and (key not in affected or count.value > affected[key].value):
                    affected[key] = count
        article.severity = {
            key: severity_of(fines.get(key), affected.get(key), self.currencies)
            for key in article.accused_order
            if key in fines or key in affected
        }
        return doc

    def _bigger(self, new: Amount, old: Amount) -> bool:
        new_usd, old_usd = self.currencies.in_usd(new), self.currencies.in_usd(old)
        if new_usd is not None and old_usd is not None:
            return new_usd > old_usd
        return new_usd is not None and old_usd is None

    def amounts(self, facts: list[SentenceFacts]) -> list[tuple[Amount | None, Amount | None]]:
        raise NotImplementedError


class Severity(KeepsData, SeverityBase):
    """Fines and affected counts in English sentences, from the entities and the dependency parse."""

    def __init__(self, nlp: Language, name: str, parser: str | None):
        self.nlp, self.name = nlp, name
        self.parser_name = parser
        self.cues = SeverityCues()
        self.currencies = Currencies(self.cues)

    def initialize(self, get_examples=None, *, nlp: Language | None = None, taxonomy: TaxonomyFile) -> None:
        self.keep(taxonomy=taxonomy)
        self.cues = taxonomy.severity
        self.currencies = Currencies(self.cues)
        self.fine_words = {w.lower() for w in self.cues.fine_cues}
        self.payment_words = {w.lower() for w in self.cues.payment_verbs}
        self.obligation_words = {w.lower() for w in self.cues.payment_obligations}
        self.affected_words = {w.lower() for w in self.cues.affected_cues}
        self.affected_nouns = {w.lower() for w in self.cues.affected_nouns}
        self.not_fine_words = {w.lower() for w in self.cues.not_fines}

    def amounts(self, facts: list[SentenceFacts]) -> list[tuple[Amount | None, Amount | None]]:
        words = self.fine_words | self.payment_words | self.affected_words
        candidates = [
            f
            for f in facts
            if any(e.label_ in AMOUNT_LABELS for e in f.span.ents) and any(_is(t, words) for t in f.span)
        ]
        parser = self.nlp.get_pipe(self.parser_name) if self.parser_name in self.nlp.component_names else None
        parse_sentences(parser, candidates)
        return [self._sentence(f) if f in candidates else (None, None) for f in facts]

    def _sentence(self, fact: SentenceFacts) -> tuple[Amount | None, Amount | None]:
        sentence = fact.parsed if fact.parsed is not None else fact.span.as_doc()
        fine: Amount | None = None
        affected: Amount | None = None
        for ent in sentence.ents:
            if ent.label_ not in AMOUNT_LABELS:
                continue
            span = self._widen(ent)
            value = parse_number(span.text)
            if not value:
                continue
            currency = self.currencies.of(span.text)
            if currency and self._is_fine(span):
                if fine is None or value > fine.value:
                    fine = Amount(value, currency, span.text)
            elif not currency and ent.label_ != "MONEY" and value >= 1 and float(value).is_integer():
                if self._is_affected(span) and (affected is None or value > affected.value):
                    affected = Amount(value, None, self._counted(span))
        return fine, affected

    def _widen(self, ent: Span) -> Span:
        """The entity with the currency signs, codes and scale words next to it that the model left out
        ("£" "20" "m" tagged as "20"; "CNY 8.026 billion" as "8.026 billion")."""
        doc, start, end = ent.doc, ent.start, ent.end
        while start > ent.sent.start and self._money_word(doc[start - 1]):
            start -= 1
        while end < ent.sent.end and (self._money_word(doc[end]) or doc[end].lower_ in SCALES):
            end += 1
        return doc[start:end]

    def _money_word(self, token: Token) -> bool:
        return self.currencies.of(token.text) is not None

    def _path(self, span: Span) -> list[Token]:
        """The amount's own words, then its governors up to and including the clause's verb."""
        path = list(span)
        node = span.root
        for _ in range(MAX_PATH):
            if node.head.i == node.i:
                break
            node = node.head
            path.append(node)
            if node.pos_ in ("VERB", "AUX"):
                break
        return path

    def _is_fine(self, span: Span) -> bool:
        for token in self._path(span):
            if token.i < span.start or token.i >= span.end:
                if _is(token, self.not_fine_words):
                    return False  # "its $80 billion revenue", "a market value of $1 trillion"
            if _is(token, self.fine_words):
                return True
            if _is(token, self.payment_words) and self._payment_is_due(token):
                return True
        return False

    def _payment_is_due(self, verb: Token) -> bool:
        """ "agreed to pay", "was ordered to pay", "will pay ... to settle": a payment owed, not a price
        ("users pay $10 a month")."""
        governors = [verb, *list(verb.ancestors)[:2]]
        if any(_is(g, self.obligation_words) for g in governors[1:]):
            return True
        if any(c.dep_ == "aux" and _is(c, self.obligation_words) for c in verb.children):
            return True
        return any(_is(t, self.fine_words) for t in verb.subtree)

    def _is_affected(self, span: Span) -> bool:
        """A count of people or records ("533 million users", "2.3 million customers' records") on a
        clause with a breach or collection cue ("stole the data of", "were compromised")."""
        noun = self._counted_noun(span)
        if noun is None and not any(_is(t, self.affected_nouns) for t in span):
            return False
        path = self._path(span)
        if any(_is(t, self.affected_words) for t in path):
            return True
        # "the breach exposed ...", "a leak affecting ...": the clause's subject names the event
        verb = path[-1]
        return verb.pos_ in ("VERB", "AUX") and any(
            c.dep_ in ("nsubj", "nsubjpass") and _is(c, self.affected_words) for c in verb.children
        )

    def _counted_noun(self, span: Span) -> Token | None:
        """What the count counts, when it is people or records: "users" of "533 million users"."""
        root = span.root
        noun = root.head if root.dep_ in ("nummod", "quantmod", "compound", "amod", "nmod") else root
        return noun if noun.i >= span.end and _is(noun, self.affected_nouns) else None

    def _counted(self, span: Span) -> str:
        """The count and what it counts: "533 million users", "2.3 million customers"."""
        noun = self._counted_noun(span)
        text = span.doc[span.start : noun.i + 1].text if noun is not None else span.text
        return re.sub(r"\s+", " ", text).strip()


def _is(token: Token, words: set[str]) -> bool:
    return token.lower_ in words or token.lemma_.lower() in words


class ChineseSeverity(KeepsData, SeverityBase):
    """Fines and affected counts in Chinese sentences, from the regular expressions of incidents.zh.yaml
    per clause (between commas)."""

    CLAUSE = re.compile(r"[，,；;。！？!?]")

    def __init__(self, nlp: Language, name: str):
        self.nlp, self.name = nlp, name
        self.currencies = Currencies(SeverityCues())

    def initialize(
        self,
        get_examples=None,
        *,
        nlp: Language | None = None,
        taxonomy: TaxonomyFile,
        taxonomy_zh: ChineseTaxonomyFile,
    ) -> None:
        self.keep(taxonomy=taxonomy, taxonomy_zh=taxonomy_zh)
        self.currencies = Currencies(taxonomy.severity)
        cues = taxonomy_zh.severity
        self.fine_cue = re.compile(cues.fine_cues) if cues.fine_cues else None
        self.affected_cue = re.compile(cues.affected_cues) if cues.affected_cues else None
        self.fine_amount = re.compile(cues.fine_amount) if cues.fine_amount else None
        self.affected_amount = re.compile(cues.affected_amount) if cues.affected_amount else None

    def amounts(self, facts: list[SentenceFacts]) -> list[tuple[Amount | None, Amount | None]]:
        return [self._sentence(f.span.text) for f in facts]

    def _sentence(self, text: str) -> tuple[Amount | None, Amount | None]:
        fine: Amount | None = None
        affected: Amount | None = None
        for clause in self.CLAUSE.split(text):
            if self.fine_cue and self.fine_amount and self.fine_cue.search(clause):
                for found in self.fine_amount.finditer(clause):
                    value = parse_number(found.group(0))
                    currency = self.currencies.of(found.group(0))
                    if value and currency and (fine is None or value > fine.value):
                        fine = Amount(value, currency, found.group(0).strip())
            if self.affected_cue and self.affected_amount and self.affected_cue.search(clause):
                for found in self.affected_amount.finditer(clause):
                    value = parse_number(found.group(0))
                    if value and value >= 1 and (affected is None or value > affected.value):
                        affected = Amount(int(value), None, found.group(0).strip())
        return fine, affected
