"""Responses: what each accused company itself said or did about the incident.

`privwatch_responses_v1` finds the taxonomy's response cues (apology, denial, remediation) and credits
each to the accused company whose clause says it, never to one a regulator orders to act: "was ordered
to delete the data" and "failed to let users delete their accounts" are nobody's response.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from config.taxonomy import TaxonomyFile
from nlp.clause_roles import ClauseRoles
from nlp.component_data import KeepsData
from nlp.facts import FACTS_ATTR, ArticleFacts, SentenceFacts, parse_sentences, sentence_text
from nlp.matching import AnchoredMatcher
from nlp.role_words import FAILURE_VERBS, OBLIGATION_VERBS
from nlp.roles import parties

# Verbs that impose only when they ask for an act ("told it to delete", "called for the deletion"), not
# when they report or describe ("told the regulator that ...", "called the decision flawed").
REQUEST_VERBS = frozenset("call tell ask press push urge expect want need".split())


# "under a settlement with the attorney general": terms that impose what a sentence says the company will do
IMPOSED_TERMS = frozenset(
    """settlement settlements decree decrees order orders agreement judgment judgement ruling deal
    terms""".split()
)


def _under_terms(sentence: Span) -> bool:
    """Does the sentence put what it reports under the terms of a settlement or an order?"""
    doc = sentence.doc
    return any(
        token.lower_ == "under" and any(t.lower_ in IMPOSED_TERMS for t in doc[token.i + 1 : token.i + 6])
        for token in sentence
    )


class Responses(KeepsData):
    """Response cues of incident articles, credited to the accused companies that say them."""

    def __init__(self, nlp: Language, name: str, parser: str | None):
        self.nlp, self.name = nlp, name
        self.parser_name = parser
        self.matcher = AnchoredMatcher(nlp.vocab, quotes_end_clauses=False)
        self.clauses = ClauseRoles(nlp.vocab)

    def initialize(self, get_examples=None, *, nlp: Language | None = None, taxonomy: TaxonomyFile) -> None:
        self.keep(taxonomy=taxonomy)
        self.matcher = AnchoredMatcher(self.nlp.vocab, quotes_end_clauses=False)
        for cued in taxonomy.responses:
            self.matcher.add("response:" + cued.id, cued.cues)

    def __call__(self, doc: Doc) -> Doc:
        article: ArticleFacts | None = doc._.get(FACTS_ATTR)
        if article is None or not article.accused_order:
            return doc
        facts = article.sentences
        for label, start, end in self.matcher([f.span for f in facts], groups=("response",)):
            facts[article.sentence_of[start]].responses.setdefault(label[9:], []).append(doc[start:end])
        for fact in facts:
            if fact.responses:
                article.raw_cues.setdefault(fact.index, ({}, {}))[1].update(fact.responses)
        responding = [f for f in facts if f.responses]
        parser = self.nlp.get_pipe(self.parser_name) if self.parser_name in self.nlp.component_names else None
        parse_sentences(parser, responding)
        focus = article.accused_order[0]
        for fact in facts:
            for response_id in fact.responses:
                speakers = self.speakers(fact, response_id, parties(doc, article, fact.index), focus)
                speakers = [k for k in speakers if k in article.accused_order]
                fact.speakers += [k for k in speakers if k not in fact.speakers]
                for key in speakers:
                    article.responses.setdefault(key, []).append((response_id, sentence_text(fact.span)))
            for m in article.companies_in(fact.index):
                if m["key"] in article.accused_order:
                    focus = m["key"]
        return doc

    def speakers(
        self, fact: SentenceFacts, response_id: str, orgs: list[dict], focus: str | None
    ) -> list[str]:
        """The companies a response cue is credited to; a response a regulator imposes is nobody's."""
        if fact.parsed is None:
            return [focus] if focus else []
        clauses = self.clauses
        by_token = clauses.orgs_by_token(fact, orgs)
        speakers: list[str] = []
        for cue in fact.responses.get(response_id) or []:
            how, companies, path = clauses.clause_actor(fact, cue, by_token, enforcement=False, speaker=True)
            governing = path + list(path[-1].ancestors)[:2]
            if any(self._imposes(n) or any(c.lower_ == "must" for c in n.children) for n in governing):
                continue
            # the parse of a headline is often no help: "Regulator orders clinic chain to delete data"
            window = fact.span.doc[max(fact.span.start, cue.start - 6) : cue.start]
            if (fact.index == 0 or how == "none") and any(
                t.lemma_ in OBLIGATION_VERBS or t.lower_ == "must" for t in window
            ):
                continue
            # "failed to let users delete their accounts", "ignored requests to change the form": no remedy
            if any(n.lemma_ in FAILURE_VERBS for n in governing):
                continue
            # "will stop sharing the data under a consent decree": what the settlement makes it do
            if _under_terms(fact.span):
                continue
            if companies:
                speakers += [m["key"] for m in companies]
            elif how in ("reference", "person") and focus:
                speakers.append(focus)
            elif how == "none":
                speakers += clauses.sentence_actors(fact, by_token, focus)
        return list(dict.fromkeys(speakers))

    @staticmethod
    def _imposes(verb: Token) -> bool:
        """Is the verb one that imposes a remedy ("ordered it to delete"), not one that reports it ("told
        the regulator that it had deleted")?"""
        if verb.lemma_ not in OBLIGATION_VERBS:
            return False
        asks_for_an_act = any(
            (c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX"))
            or (c.dep_ == "prep" and c.lower_ in ("for", "on") and c.i == verb.i + 1)
            for c in verb.children
        )
        # "called the decision flawed", "told the regulator that it had ...": no act asked for
        if verb.lemma_ in REQUEST_VERBS:
            return asks_for_an_act
        return asks_for_an_act or not any(c.dep_ == "ccomp" for c in verb.children)
