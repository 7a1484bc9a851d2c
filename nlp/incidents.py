"""Incident cues and types: which sentences report a privacy incident, and of what kind.

`privwatch_incident_types_v2` starts doc._.privwatch_facts (nlp/facts.py): per sentence, the taxonomy's
type cues that count there, each with its evidence span. The roles component then says whose incident
each one is.
"""

from __future__ import annotations

import numpy
from spacy.language import Language
from spacy.tokens import Doc, Span

from config.knowledge import Regulator
from config.taxonomy import TaxonomyFile
from nlp.company_ruler import REGULATOR_LABEL
from nlp.component_data import KeepsData
from nlp.facts import (
    FACTS_ATTR,
    ArticleFacts,
    SentenceFacts,
    mark_near_context,
    parse_sentences,
    sentence_docs,
)
from nlp.matching import AnchoredMatcher

# Words that make a cue state its own negation ("without consent", "did not obtain consent"): such a cue
# is not cancelled by the negation it contains.
NEGATION_WORDS = frozenset(
    {"not", "n't", "n’t", "no", "never", "without", "none", "nor", "neither", "nothing"}
)


def _promised(cue: Span) -> bool:
    """Is a cue that says "without" under a negated verb, a promise ("conversations are not used to train
    models without separate permission")? The verb is found up the cue's clause, not across "and"."""
    for without in (t for t in cue if t.lower_ == "without"):
        node = without
        for _ in range(3):
            if node.dep_ == "conj" or node.head.i == node.i:
                break
            node = node.head
            if any(c.dep_ == "neg" and not cue.start <= c.i < cue.end for c in node.children):
                return True
    return False


# Verbs whose object is what does not (or no longer) happen: a cue under them is no incident.
PREVENTIVE_VERBS = frozenset(
    {"prevent", "avoid", "prohibit", "forbid", "disable", "erase", "deter", "thwart"}
)
# "other controversies", "similar cases": a noun so modified introduces someone else's story.
BACKGROUND_MODIFIERS = frozenset({"other", "similar", "previous", "earlier", "separate", "unrelated"})
# Verbs that report a claim, and the subjects that make the report one nobody makes ("neither side has
# suggested that ...").
SUGGESTING_VERBS = frozenset({"suggest", "say", "claim", "allege", "indicate", "report", "find", "argue"})
NO_ONE = frozenset({"neither", "nobody", "none", "no"})
# Verbs whose object a company says did not happen.
DENIAL_VERBS = frozenset({"deny", "refute", "reject", "dispute", "rebut", "contest"})
# What others said, reported inside a denial ("denied claims that ...").
ALLEGATION_NOUNS = frozenset(
    {"allegation", "claim", "accusation", "report", "suggestion", "charge", "assertion"}
)
# Conjunctions of a general case ("if", "when" with a present-tense verb).
CONDITION_MARKERS = frozenset({"if", "when", "whenever", "unless", "once"})
# "No evidence that ..." negates what follows.
EVIDENCE_NOUNS = frozenset({"evidence", "sign", "indication", "proof", "suggestion", "trace"})
# "no legal basis for the collection": the missing ground is the allegation, the act happened
MISSING_GROUNDS = frozenset(
    """basis ground grounds justification reason need necessity consent permission authorization
    authorisation notice right check safeguard verification""".split()
)
# Criminals as actors: what they collect or sell is a breach, not the company's collection or sharing.
CRIMINAL_ACTORS = frozenset(
    """hacker hackers attacker attackers cybercriminal cybercriminals criminal criminals thief thieves
    fraudster fraudsters scammer scammers gang gangs intruder intruders""".split()
)
# Types that a criminal actor in the sentence turns into a breach.
CRIMINAL_DISPLACED_TYPES = frozenset({"collection", "sharing"})
# Types a breach in the same sentence displaces: stolen data that is sold is no sharing, credit scores
# among the exposed records are no profiling, and stolen call records are no surveillance.
BREACH_DISPLACED_TYPES = frozenset({"sharing", "profiling", "surveillance"})
# regulators whose every action concerns personal data (config/regulators.yaml remit)
PRIVACY_REMITS = frozenset({"privacy", "cyberspace"})


class IncidentTypes(KeepsData):
    """Incident types per sentence, each with the cue spans that prove it.

    The taxonomy's cues (Matcher patterns on lemmas, words and POS from incidents.yaml) fire a type when
    the sentence, or its neighbour in the paragraph, carries privacy context, unless a keyword trap
    covers them ("private equity", "breach of contract"); an enforcement cue may take its context from
    the rest of a privacy story. The text classifier scores the cue sentences, adds a type it is very
    sure of in a privacy-context sentence without a cue, and can veto cues (thresholds in config.cfg).
    The parser, run only on those sentences, says when a cue is negated ("no data was accessed"), sits
    in a background list ("other controversies, including ...") or is what is prevented. The base
    model's parser and the classifier are disabled in the pipeline: this component runs them on the few
    sentences that carry a cue, which is what keeps tagging close to the speed of bare NER.
    """

    def __init__(
        self,
        nlp: Language,
        name: str,
        parser: str | None,
        textcat: str | None,
        cue_veto: float,
        textcat_alone: float,
        article_context_types: list[str] | None = None,
        article_context_sentences: int = 2,
    ):
        self.nlp, self.name = nlp, name
        # types whose privacy context may come from the rest of the article: a fine or a lawsuit in a
        # story about a privacy incident is about that incident
        self.article_context_types = set(article_context_types or [])
        self.article_context_sentences = article_context_sentences
        self.parser_name, self.textcat_name = parser, textcat
        self.cue_veto, self.textcat_alone = cue_veto, textcat_alone
        self.type_ids: list[str] = []
        self.needs_context: dict[str, bool] = {}
        self.matcher = AnchoredMatcher(nlp.vocab)
        self.privacy_authorities: set[str] = set()

    def initialize(
        self,
        get_examples=None,
        *,
        nlp: Language | None = None,
        taxonomy: TaxonomyFile,
        regulators: list[Regulator] = (),
    ) -> None:
        self.keep(taxonomy=taxonomy, regulators=regulators)
        # a data-protection authority at work is privacy context: "the CNPD fined the bakery for filming
        # its staff" names no personal data
        self.privacy_authorities = {r.id for r in regulators if r.remit in PRIVACY_REMITS}
        self.type_ids = [t.id for t in taxonomy.types]
        self.needs_context = {t.id: t.needs_privacy_context for t in taxonomy.types}
        self.matcher = AnchoredMatcher(self.nlp.vocab)
        self.matcher.add("context", taxonomy.privacy_context)
        # trap id -> the cue labels it cancels (None: every context and type cue)
        self.trap_cancels: dict[str, frozenset[str] | None] = {}
        for trap in taxonomy.traps:
            self.matcher.add("trap:" + trap.id, trap.patterns)
            self.trap_cancels["trap:" + trap.id] = (
                frozenset(c if c == "context" else "type:" + c for c in trap.cancels) or None
            )
        for cued in taxonomy.types:
            self.matcher.add("type:" + cued.id, cued.cues)

    # components run on demand ------------------------------------------------------------------------

    def component(self, name: str | None):
        if name and name in self.nlp.component_names:
            return self.nlp.get_pipe(name)
        return None

    def _analyse(self, facts: list[SentenceFacts], candidates: list[SentenceFacts]) -> None:
        """Classify facts + candidates, then parse the facts and the candidates the classifier promotes.

        The classifier (a bag of words) is cheap; a sentence is parsed only when it carries cues or the
        classifier alone is sure of a type in it.
        """
        if not facts:
            return
        textcat = self.component(self.textcat_name)
        if textcat is not None:
            everything = facts + candidates
            for fact, sub in zip(everything, textcat.pipe(sentence_docs(everything)), strict=True):
                fact.cats = dict(sub.cats)
        promoted = [
            f for f in candidates if any(f.cats.get(t, 0.0) >= self.textcat_alone for t in self.type_ids)
        ]
        parse_sentences(self.component(self.parser_name), facts + promoted)

    # the component --------------------------------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        article = ArticleFacts.of(doc)
        facts, sentence_of = article.sentences, article.sentence_of
        self._collect_cues(doc, facts, sentence_of, [f.span for f in facts])
        incident_facts = [f for f in facts if any(f.in_context or not self.needs_context[t] for t in f.types)]
        # a story about personal data: another type fired in context, or privacy context recurs
        privacy_story = (
            any(set(f.types) - self.article_context_types for f in incident_facts if f.in_context)
            or sum(f.has_context for f in facts) >= self.article_context_sentences
        )
        if privacy_story:
            incident_facts += [
                f for f in facts if f not in incident_facts and set(f.types) & self.article_context_types
            ]
            incident_facts.sort(key=lambda f: f.index)
        if incident_facts:
            context_facts = [f for f in facts if f.has_context and f not in incident_facts]
            self._analyse(incident_facts, context_facts if self.textcat_alone <= 1 else [])
        article.raw_cues = {f.index: (dict(f.types), {}) for f in facts if f.types}
        self._decide_types(facts, privacy_story)
        doc._.set(FACTS_ATTR, article)
        return doc

    def cue_matches(self, sentences: list[Span]) -> list[tuple[str, Span]]:
        """(label, span) of every context and type cue: "context", "type:<id>".

        A trap ("private equity", "no customer data was affected") cancels the privacy context and the
        type cues it overlaps.
        """
        if not sentences:
            return []
        doc = sentences[0].doc
        matches = self.matcher(sentences)
        trapped = self._trapped(matches)
        return [(label, doc[start:end]) for label, start, end in self._untrapped(matches, trapped)]

    def _trapped(self, matches) -> dict[int, frozenset[str] | None]:
        """Token index -> what the traps over it cancel (None: everything)."""
        trapped: dict[int, frozenset[str] | None] = {}
        for label, start, end in matches:
            if label.startswith("trap:"):
                cancels = self.trap_cancels.get(label)
                for i in range(start, end):
                    if i not in trapped or trapped[i] is not None:
                        trapped[i] = None if cancels is None else (trapped.get(i) or frozenset()) | cancels
        return trapped

    @staticmethod
    def _untrapped(matches, trapped: dict[int, frozenset[str] | None]):
        for label, start, end in matches:
            if label.startswith("trap:"):
                continue
            # a trap inside a long cue's gap ("nurses at the private hospital opened the record") is not
            # what the cue says: only one over its first or last word cancels it
            edges = {start, end - 1}
            if not any(i in trapped and (trapped[i] is None or label in trapped[i]) for i in edges):
                yield label, start, end

    FIRST_GROUPS = ("context", "trap")

    def _collect_cues(
        self, doc: Doc, facts: list[SentenceFacts], sentence_of: list[int], sentences: list[Span]
    ) -> None:
        """Context and traps everywhere, then type cues where they can count: most of an ordinary
        article never meets the type patterns."""
        first = self.matcher(sentences, groups=self.FIRST_GROUPS)
        trapped = self._trapped(first)
        for _label, start, _end in self._untrapped(first, trapped):
            facts[sentence_of[start]].has_context = True
        for ent in doc.ents:
            if ent.label_ == REGULATOR_LABEL and ent.ent_id_ in self.privacy_authorities:
                facts[sentence_of[ent.start]].has_context = True
        mark_near_context(facts)
        in_window = [f.span for f in facts if f.in_context]
        elsewhere = [f.span for f in facts if not f.in_context]
        matches = self.matcher(in_window, groups=("type",))
        anywhere = {"type:" + t for t, needs in self.needs_context.items() if not needs}
        if any(f.has_context for f in facts):
            anywhere |= {"type:" + t for t in self.article_context_types}
        if anywhere and elsewhere:
            matches += self.matcher(elsewhere, groups=("type",), accept=anywhere.__contains__)
        for label, start, end in self._untrapped(matches, trapped):
            facts[sentence_of[start]].types.setdefault(label[5:], []).append(doc[start:end])

    @staticmethod
    def _denied(fact: SentenceFacts, cue: Span) -> bool:
        """Is the cue only what a company denies ("it denied selling data"), not a reported allegation
        ("rejected allegations that it tracked users")? A headline's denial names the allegation."""
        if fact.parsed is None or fact.index == 0:
            return False
        offset = fact.span.start
        root = fact.parsed[cue.start - offset : cue.end - offset].root
        for ancestor in list(root.ancestors)[:4]:
            if ancestor.lemma_ in ALLEGATION_NOUNS:
                return False  # "rejected allegations that it read browsing histories": the allegation is told
            if ancestor.lemma_ in DENIAL_VERBS:
                between = fact.parsed[ancestor.i + 1 : root.i]
                return not any(t.lemma_ in ALLEGATION_NOUNS for t in between)
        return False

    @staticmethod
    def _negated(fact: SentenceFacts, cue: Span) -> bool:
        """Does the parse negate the cue ("no customer data was accessed", "it did not keep backups")?"""
        if fact.parsed is None:
            return False
        offset = fact.span.start
        cue_tokens = fact.parsed[cue.start - offset : cue.end - offset]
        if any(t.lower_ in NEGATION_WORDS for t in cue):
            return _promised(cue_tokens)
        root = cue_tokens.root
        if any(c.dep_ == "neg" for c in root.children):
            return True
        # "summarises messages on the phone without sending them to a server": what it does not do (but
        # "without a legal basis" is the wrong itself)
        if root.dep_ == "pcomp" and root.head.lower_ == "without":
            return True
        # "it had never sold or shared data": the negation of the first coordinated verb covers the rest
        head = root
        while head.dep_ == "conj" and head.head.i != head.i:
            head = head.head
            if any(c.dep_ == "neg" for c in head.children):
                return True
        # "neither side has suggested that any details were exposed", "nobody has claimed data was taken":
        # a report that no one makes
        for ancestor in list(root.ancestors)[:3]:
            if ancestor.lemma_ in SUGGESTING_VERBS and any(
                c.dep_ in ("nsubj", "nsubjpass") and any(t.lower_ in NO_ONE for t in c.subtree if t.i <= c.i)
                for c in ancestor.children
            ):
                return True
        # "no (customer) data was accessed", "no passwords were exposed"
        arguments = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass", "dobj")]
        if any(t.dep_ == "det" and t.lower_ == "no" for a in arguments for t in a.subtree):
            return True
        # "no personal data", but "no legal basis" is the wrong itself
        if any(
            d.dep_ == "det" and d.lower_ == "no" and t.lemma_ not in MISSING_GROUNDS
            for t in cue_tokens
            for d in t.children
        ):
            return True
        # "other privacy controversies, including ...", "problems such as illegally collecting data":
        # a cue inside a background list is about someone else
        for ancestor in list(root.ancestors)[:4]:
            if ancestor.pos_ == "NOUN" and any(
                (c.dep_ == "amod" and c.lower_ in BACKGROUND_MODIFIERS)
                or (c.dep_ == "prep" and c.lower_ == "as" and any(g.lower_ == "such" for g in c.children))
                for c in ancestor.children
            ):
                return True
        # "made it easier to switch off the saving of chat histories", "measures to prevent access"; but
        # "disabled the app after an error let users see others' records": a clause that says why the
        # company acted reports what happened
        node = root
        for ancestor in list(root.ancestors)[:3]:
            if node.dep_ == "advcl":
                break
            if ancestor.lemma_ in PREVENTIVE_VERBS or (
                ancestor.lemma_ in ("switch", "turn") and any(c.lower_ == "off" for c in ancestor.children)
            ):
                return True
            node = ancestor
        # "it alerts customers when their passwords appear in a data breach": what a product does in a
        # case it describes, in the present tense, is no event
        for node in [root, *list(root.ancestors)[:4]]:
            if (
                node.dep_ == "advcl"
                and node.tag_ in ("VBZ", "VBP", "VB")
                and any(c.dep_ in ("mark", "advmod") and c.lower_ in CONDITION_MARKERS for c in node.children)
            ):
                return True
        # "there was no evidence that any data had been accessed", "it had no system for recording people
        # who objected": what a missing thing would do or show did not happen
        for ancestor in list(root.ancestors)[:4]:
            if (
                ancestor.lemma_ in EVIDENCE_NOUNS
                or (ancestor.pos_ == "NOUN" and ancestor.lemma_ not in MISSING_GROUNDS)
            ) and any(d.dep_ == "det" and d.lower_ == "no" for d in ancestor.children):
                return True
        return False

    def _decide_types(self, facts: list[SentenceFacts], privacy_story: bool) -> None:
        """Keep cue-fired types the classifier does not veto; add types the classifier alone is sure of."""
        for fact in facts:
            decided: dict[str, list[Span]] = {}
            criminal = bool(fact.types) and any(t.lower_ in CRIMINAL_ACTORS for t in fact.span)
            for type_id, cues in fact.types.items():
                in_context = fact.in_context or (privacy_story and type_id in self.article_context_types)
                if self.needs_context[type_id] and not in_context:
                    continue
                if fact.cats and fact.cats.get(type_id, 1.0) < self.cue_veto:
                    continue
                if criminal and type_id in CRIMINAL_DISPLACED_TYPES:
                    continue
                # data stolen or leaked and then sold is a breach, not the company's sharing
                if type_id in BREACH_DISPLACED_TYPES and "breach" in fact.types and fact.in_context:
                    continue
                cues = [c for c in cues if not self._negated(fact, c)]
                if cues:
                    decided[type_id] = cues
            if fact.has_context and fact.cats:
                for type_id in self.type_ids:
                    if type_id not in decided and fact.cats.get(type_id, 0.0) >= self.textcat_alone:
                        decided[type_id] = []
            fact.types = decided
        # "Tencent denied it was storing chat histories" repeats the allegation it denies, so its cue counts
        # when the article reports that allegation in another sentence; "it has never sold user data"
        # names nothing anyone alleged
        alleged = {
            t for f in facts for t, cues in f.types.items() if any(not self._denied(f, c) for c in cues)
        }
        for fact in facts:
            for type_id in [t for t in fact.types if t not in alleged and fact.types[t]]:
                del fact.types[type_id]


def drop_tensor(doc: Doc) -> None:
    """Nothing after tagging reads the tok2vec tensor; without it Docs are cheap to send back from
    nlp.pipe's worker processes."""
    doc.tensor = numpy.zeros((0,), dtype="float32")


def type_score(fact: SentenceFacts, type_id: str) -> float:
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
