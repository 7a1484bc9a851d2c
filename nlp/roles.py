"""Roles: which companies an incident sentence accuses, read from its dependency parse.

`privwatch_roles_v1` decides, per incident sentence and type, the accused companies (the subject of the
wrongdoing, the "by" agent of a passive, the target of "fined/sued/probed", the possessor of the
breached systems), following "it" and "the company" to the company in focus. It fills the article's
incidents (type x company, with score and evidence) in doc._.privwatch_facts. ClauseRoles, the parse
reading (nlp/clause_roles.py), is shared with the responses component.
"""

from __future__ import annotations

from collections import Counter

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from nlp.clause_roles import ClauseRoles
from nlp.company_ruler import PRODUCT_LABEL
from nlp.facts import FACTS_ATTR, ArticleFacts, SentenceFacts, sentence_text
from nlp.incidents import type_score
from nlp.organisations import FIRST_PERSON
from nlp.role_words import (
    BACKGROUND_PHRASES,
    HIRING_VERBS,
    LEAD_SENTENCES,
    MONTHS,
    POSTING_PLACES,
    PRODUCT_ITSELF,
    SEPARATE_MATTERS,
)


class AccusedCompanies:
    """The accused companies of each incident sentence, in reading order so "it" can follow the focus."""

    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.clauses = ClauseRoles(nlp.vocab)
        self.background = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.background.add("background", list(nlp.tokenizer.pipe(BACKGROUND_PHRASES)))

    def is_background(self, fact: SentenceFacts, lead_companies: set[str], orgs: list[dict]) -> bool:
        """Does the sentence recall an earlier or separate event: "last year", "a similar fine", "a separate
        310 million euro fine", or a date ("The February breach at Change Healthcare", "in 2018 ...
        Starwood") in a sentence that does not name the story's lead company?"""
        if self.background(fact.span) or separate_matter(fact.span):
            return True
        dated = any(
            e.label_ == "DATE" and any(t.is_digit and len(t) == 4 or t.lower_ in MONTHS for t in e)
            for e in fact.span.ents
        )
        return dated and not any(m["key"] in lead_companies for m in orgs)

    def clause_actors(self, facts: list[SentenceFacts], article: ArticleFacts, doc: Doc) -> set[str]:
        """Companies that one of these incident sentences, naming them, makes the actor of its cue."""
        found: set[str] = set()
        for fact in facts:
            if not fact.types:
                continue
            named = [m for m in parties(doc, article, fact.index) if m["kind"] == "company"]
            if not named:
                continue
            for type_id in list(fact.types):
                keys = self.clauses.accused(fact, type_id, named, None, None)
                if keys and fact.actor_found.get(type_id) == "clause":
                    found.update(k for k in keys if any(m["key"] == k for m in named))
        return found

    def __call__(self, doc: Doc) -> Doc:
        article: ArticleFacts | None = doc._.get(FACTS_ATTR)
        if article is None or not any(f.types for f in article.sentences):
            return doc
        companies = article.companies
        salience = Counter()
        for m in companies:
            if not tool_mention(doc, m) and not hired_helper(doc, m):
                salience[m["key"]] += 2 if article.sentence_of[m["start"]] == 0 else 1
        salient = max(
            salience,
            key=lambda k: (salience[k], -min(x["start"] for x in companies if x["key"] == k)),
            default=None,
        )
        lead = article.sentences[:LEAD_SENTENCES]
        # a lede that opens with a company's name is about it ("HaulHire, a job board, left ..."), however
        # often the researchers or rivals are named after it; unless the headline names another company
        opener = next(
            (m["key"] for f in lead for m in article.companies_in(f.index) if m["start"] == f.span.start),
            None,
        )
        if opener and salience[opener] >= 2 and all(m["key"] == opener for m in article.companies_in(0)):
            salient = opener
        # a headline that names no company is about the one its lede makes the actor of the incident, not
        # the researchers quoted most often
        headline_topic = salient
        if not article.companies_in(0):
            doers = self.clause_actors(lead[1:], article, doc)
            if doers and salient not in doers:
                headline_topic = max(doers, key=lambda k: salience[k])
        # a lead is about privacy when it says so: a fine or a ruling there counts only beside privacy words
        # ("court rules drivers are employees", "mortgage credit inquiries" are not)
        privacy_lead = any(f.in_context for f in lead) and any(
            m["key"] == salient for f in lead for m in article.companies_in(f.index)
        )
        sole_company = len(salience) == 1
        lead_about_privacy = any(f.in_context for f in lead)
        lead_companies = {m["key"] for f in lead for m in article.companies_in(f.index)}
        privacy_story = any(
            f.has_context and not self.is_background(f, lead_companies, article.orgs_in(f.index))
            for f in article.sentences
        )
        # a letter's opening comes after its salutation ("Dear customer, We are writing to ...")
        opening = [f for f in article.sentences if f.span[0].lower_ != "dear"][:LEAD_SENTENCES]
        notice = not lead_companies and any(t.lower_ in FIRST_PERSON for f in opening for t in f.span)
        focus = None
        foreground: set[str] = set()  # accused in a sentence about the story itself
        recalled_focus = False  # the focus was last named where the article recalls another event

        for fact in article.sentences:
            if fact.types:
                accused: list[str] = []
                named_parties = parties(doc, article, fact.index)
                # the article's main company stands in for a company the sentence does not name in the
                # lead (a headline rarely names it), in a notice written in the first person ("our
                # systems"), in an article that names no other company, and when the lead is about
                # privacy and names it; otherwise the story's first accused company does, if any yet
                if (
                    fact.index < LEAD_SENTENCES
                    or privacy_lead
                    or sole_company
                    or any(t.lower_ in FIRST_PERSON for t in fact.span)
                ):
                    topic = headline_topic if fact.index == 0 else salient
                else:
                    topic = article.accused_order[0] if article.accused_order else None
                for type_id in list(fact.types):
                    # "it", "the firm" refer to the company in focus, else to the article's main one
                    keys = self.clauses.accused(fact, type_id, named_parties, focus or salient, topic)
                    if keys is None:
                        del fact.types[type_id]
                        continue
                    score = type_score(fact, type_id)
                    for key in keys or [None]:
                        best = article.incidents.get((type_id, key))
                        if best is None or score > best[0]:
                            article.incidents[(type_id, key)] = (score, sentence_text(fact.span))
                    accused += [k for k in keys if k not in accused]
                fact.accused = accused
                for key in accused:
                    if key not in article.accused_order:
                        article.accused_order.append(key)
                    article.accused_sentences[key] += 1
                # "That was the first time the ICO had fined a processor", after a sentence about another
                # company's old fine: a sentence that names no one and goes on about that event
                names_one = any(m["kind"] == "company" for m in named_parties)
                goes_on = recalled_focus and not names_one and accused == [focus]
                if accused:
                    focus = accused[0]
                # a notice whose lead names no company ("We are writing to tell you ...") names its sender in
                # its first incident sentence, dated or not ("On 18 August, Acme discovered ...")
                introduces = notice and accused and len(article.accused_order) == len(accused)
                # a ruling or a probe beside no privacy words makes no company the story's ("court rules
                # Uber drivers are employees"), unless it leads a story whose own sentences are about privacy
                recalled = self.is_background(
                    fact, lead_companies if lead_about_privacy else set(), article.orgs_in(fact.index)
                )
                if (
                    (fact.in_context or (fact.index < LEAD_SENTENCES and privacy_story))
                    and (fact.index == 0 or introduces or not recalled)
                    and not goes_on
                ):
                    foreground.update(accused)
                if accused:
                    recalled_focus = recalled or goes_on
            for m in article.companies_in(fact.index):
                if m["key"] in article.accused_order:
                    focus = m["key"]
                    # named again where the article reports no incident: no longer the recalled case's
                    recalled_focus = recalled_focus and bool(fact.types)
        # a company accused only where the article recalls another event is background, not the story
        # ... unless the lead itself is about a privacy incident of that company; a lead about earnings,
        # taxes or an outage makes even its own company's old breach background
        protected = lead_companies if lead_about_privacy else set()
        background = [k for k in article.accused_order if k not in foreground and k not in protected]
        if background:
            article.accused_order = [k for k in article.accused_order if k not in background]
            for key in background:
                del article.accused_sentences[key]
            article.incidents = {k: v for k, v in article.incidents.items() if k[1] not in background}
            for fact in article.sentences:
                fact.accused = [k for k in fact.accused if k not in background]
        return doc


def separate_matter(span: Span) -> bool:
    """Does the sentence speak of "a separate" fine, case or breach (not of "separate cases" it reports
    together)?"""
    return any(
        token.lower_ == "separate"
        and token.i > span.start
        and span.doc[token.i - 1].lower_ in ("a", "an")
        and any(t.lemma_ in SEPARATE_MATTERS for t in span.doc[token.i + 1 : token.i + 7])
        for token in span
    )


def parties(doc: Doc, article: ArticleFacts, index: int) -> list[dict]:
    """The organisations a sentence names as parties to what it reports, not as tools or places."""
    return [m for m in article.orgs_in(index) if not tool_mention(doc, m)]


# between a hiring verb and the firm hired: "the incident-response firm", "outside experts from"
HELPER_DESCRIPTION = frozenset({"DET", "ADJ", "NOUN", "PROPN", "NUM"})


def hired_helper(doc: Doc, mention: dict) -> bool:
    """A company named as one brought in or hired ("it has brought in the incident-response firm Tallgate
    Forensics", "hired experts from Kroll"): a helper, not what the article is about."""
    for token in reversed(doc[max(0, mention["start"] - 7) : mention["start"]]):
        if token.lemma_ in HIRING_VERBS:
            return True
        if not (token.pos_ in HELPER_DESCRIPTION or token.lower_ in ("-", "in", "from")):
            return False
    return False


def tool_mention(doc: Doc, mention: dict) -> bool:
    """A company's product named as the tool or the place of what is reported ("an open Google Drive
    folder", "iPhone users said"), or any company's service named as where someone posted ("in a post on
    its official Weibo account"), which says nothing about whom the article is about."""
    end = mention["end"]
    while end < len(doc) and doc[end].is_lower and doc[end].pos_ == "NOUN":
        end += 1
    before = doc[max(0, mention["start"] - 2) : mention["start"]]
    owned = any(t.tag_ == "PRP$" for t in before)  # "its official Weibo account", not "a Hikvision page"
    if owned and end > mention["end"] and doc[end - 1].lower_ in POSTING_PLACES:
        return True
    if doc[mention["start"]].ent_type_ != PRODUCT_LABEL:
        return False
    return end > mention["end"] and doc[end - 1].lower_ not in PRODUCT_ITSELF
