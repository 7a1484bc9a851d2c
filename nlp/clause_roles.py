"""ClauseRoles: the companies of a parsed sentence by role (actor of a clause, target of an authority,
speaker), read from its dependency parse; shared by the accused (nlp/roles.py) and responses components."""

from __future__ import annotations

from collections import defaultdict

from spacy.matcher import DependencyMatcher
from spacy.tokens import Span, Token

from nlp.facts import SentenceFacts
from nlp.organisations import BUSINESS_NOUNS, PERSON_NOUNS
from nlp.role_words import (
    ACCUSATION_NOUNS,
    AGREEMENT_WORDS,
    CLAUSE_DEPENDENCIES,
    COMPANY_REFERENCE_NOUNS,
    COMPANY_REFERENCE_PRONOUNS,
    CRIMINAL_PROCESS,
    DISCOURSE_VERBS,
    ENFORCEMENT_NOUNS,
    ENFORCEMENT_VERBS,
    HIRING_VERBS,
    OBLIGATION_VERBS,
    OPERATOR_VERBS,
    OTHER_PARTY_WORDS,
    OWNERSHIP_ADJECTIVES,
    PENALTY_VERBS,
    PERSON_PRONOUNS,
    PHRASE_PREPOSITIONS,
    POLICE_NOUNS,
    RELATION_NOUNS,
    REPORTING_VERBS,
    SPEAKER_NOUNS,
    TARGET_PREPOSITIONS,
    TARGETED_VERBS,
    is_authority_noun,
    role_patterns,
)


class ClauseRoles:
    """The companies of a parsed sentence by role: actor of a clause, target of an authority, speaker."""

    def __init__(self, vocab):
        self.role_matcher = DependencyMatcher(vocab, validate=True)
        for role, patterns in role_patterns().items():
            self.role_matcher.add(role, patterns)

    @staticmethod
    def orgs_by_token(fact: SentenceFacts, orgs: list[dict]) -> dict[int, dict]:
        """Organisation mention by token index of the sentence's parsed Doc."""
        offset = fact.span.start
        parsed = fact.parsed

        def owner(m: dict) -> bool:  # "the Microsoft-owned network": an owner, never the actor
            end = m["end"] - offset
            return (
                parsed is not None
                and end + 1 < len(parsed)
                and parsed[end].text == "-"
                and parsed[end + 1].lower_ in OWNERSHIP_ADJECTIVES
            )

        return {i - offset: m for m in orgs if not owner(m) for i in range(m["start"], m["end"])}

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
                if child.dep_ == "acl" and child.lemma_ in OPERATOR_VERBS:
                    stack += [p for a in child.children if a.dep_ == "agent" for p in a.children]
                    continue
                if child.dep_ in CLAUSE_DEPENDENCIES:
                    continue
                if child.dep_ == "prep" and (
                    child.lower_ not in PHRASE_PREPOSITIONS or current.lemma_ in RELATION_NOUNS
                ):
                    continue
                stack.append(child)
        return found

    @staticmethod
    def is_reference(token: Token) -> bool:
        """Does the subject refer to the company in focus ("it", "the company", "its spokesperson")?"""
        lower = token.lower_
        if lower in COMPANY_REFERENCE_PRONOUNS:
            # "It also underscores how ...", "this highlights ...": the event, not a company
            return token.head.lemma_ not in DISCOURSE_VERBS
        # "the company", "the dealership", "a fitness centre in Valladolid", "Polish online retailer": a
        # business named by what it is, when nothing says it is another one ("a rival firm", "other apps")
        if (lower in COMPANY_REFERENCE_NOUNS or lower in BUSINESS_NOUNS) and token.tag_ in ("NN", "NNP"):
            return not any(c.lower_ in OTHER_PARTY_WORDS for c in token.children)
        return lower in SPEAKER_NOUNS

    def clause_actor(
        self,
        fact: SentenceFacts,
        cue: Span,
        by_token: dict[int, dict],
        enforcement: bool,
        speaker: bool = False,
    ) -> tuple[str, list[dict], list[Token]]:
        """Who does what the cue says: climb from the cue to the nearest clause with a subject.

        Returns (how, companies, path): how is "subject", "agent" (passive "by"), "target" (object of
        a regulator's action), "reference" (it, the company, a spokesperson), "authority" (a regulator,
        government or police doing it), "person", "other"
        (users, researchers ...) or "none" (no subject, as in a headline fragment). When looking for the
        speaker of a response, climbing goes on past a subject that is neither ("Weibo said that no
        passwords had been exposed") and stops at a regulator.
        """
        offset = fact.span.start
        node = fact.parsed[cue.start - offset : cue.end - offset].root
        path: list[Token] = []
        for _level in range(8):
            path.append(node)
            # a subject the parser hung on the clause's auxiliary ("state has been spying") is the clause's
            subjects = [
                c
                for c in (
                    *node.children,
                    *(g for a in node.children if a.dep_ in ("aux", "auxpass") for g in a.children),
                )
                if c.dep_ in ("nsubj", "nsubjpass", "csubj")
            ]
            if not subjects and node.dep_ in ("acl", "relcl") and node.pos_ == "VERB" and node.tag_ == "VBG":
                subjects = [node.head]  # "people suing it": the noun a participle modifies is its subject
            if subjects and subjects[0].tag_ in ("WDT", "WP") and node.dep_ == "relcl":
                subjects = [node.head]  # "the authority, which had blocked the chatbot": the authority
            # a response's speaker is not the accusation it answers ("said the FTC's complaint
            # mischaracterises ..."): climb on to who says so
            if subjects and speaker and subjects[0].lemma_ in ACCUSATION_NOUNS:
                subjects = []
            if subjects:
                subject = subjects[0]
                if subject.i not in by_token and any(
                    c.dep_ == "poss" and c.lower_ in COMPANY_REFERENCE_PRONOUNS for c in subject.children
                ):
                    # "its iOS app": the company's own app, whatever platform it runs on
                    return "reference", [], path
                orgs = self._phrase_orgs(subject, by_token)
                companies = [m for m in orgs if m["kind"] == "company"]
                if subject.dep_ == "nsubjpass":
                    # "were left exposed by a server": the agent may hang on the predicate's complement
                    complements = [c for c in node.children if c.dep_ in ("oprd", "xcomp", "acomp")]
                    agents = [
                        m
                        for c in (*node.children, *(g for x in complements for g in x.children))
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
                authority = bool(orgs) or is_authority_noun(subject)
                if authority and speaker:
                    return "regulator", [], path
                if authority and enforcement:
                    return "target", self._targets(path, by_token), path
                if authority and self._conduct_of_target(node, path):
                    return "target", self._targets(path, by_token), path
                if authority and not self.is_reference(subject) and node.lemma_ not in REPORTING_VERBS:
                    return "authority", [], path
                if self.is_reference(subject) and subject.lower_ not in COMPANY_REFERENCE_PRONOUNS:
                    # "the company", "its spokesperson": a company named earlier in the sentence, else focus
                    named = [
                        m for i, m in sorted(by_token.items()) if i < subject.i and m["kind"] == "company"
                    ]
                    return "reference", named[-1:], path
                if self.is_reference(subject):
                    # "Wing Fat told the PCPD that it had changed ...": the reporting clause's subject
                    reporter = self._reporting_subject(node, by_token)
                    if reporter:
                        return "reference", reporter, path
                    # "Tencent denied it was storing ...": the nearest organisation before the pronoun
                    before = [
                        (t.i, by_token.get(t.i, {"kind": "authority"}))
                        for t in fact.parsed[: subject.i]
                        if t.i in by_token or (is_authority_noun(t) and t.dep_.startswith("nsubj"))
                    ]
                    # "M&S has been working with Microsoft's team since it detected the intrusion": a
                    # subject before the pronoun is its antecedent before any object is
                    subjects_before = [(i, m) for i, m in before if self._in_subject(fact.parsed[i])]
                    before = subjects_before or before
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
                if subject.ent_type_ == "PERSON" or subject.lower_ in PERSON_PRONOUNS:
                    return "person", [], path
                if not speaker:
                    return "other", [], path
            if node.head.i == node.i:
                break
            node = node.head
        return "none", [], path

    def _reporting_subject(self, clause: Token, by_token: dict[int, dict]) -> list[dict]:
        """The companies that report a "that"-clause ("X informed the regulator that it ..."), if any."""
        while clause.dep_ == "conj" and clause.head.i != clause.i:
            clause = clause.head
        if clause.dep_ != "ccomp":
            return []
        subjects = [c for c in clause.head.children if c.dep_ == "nsubj"]
        if not subjects:
            return []
        head = by_token.get(subjects[0].i)
        if head is not None:
            return [head] if head["kind"] == "company" else []
        # "the inspectorate, Revolut's lead supervisor, said it ...": an authority reports its own act
        found = self._phrase_orgs(subjects[0], by_token)
        return found if all(m["kind"] == "company" for m in found) else []

    @staticmethod
    def _in_subject(token: Token) -> bool:
        """Is the token (a word of) a clause's subject ("Marks and Spencer", not the "Revolut" of "the
        inspectorate, Revolut's supervisor")?"""
        while token.dep_ in ("compound", "conj", "amod", "nmod") and token.head.i != token.i:
            token = token.head
        return token.dep_ in ("nsubj", "nsubjpass")

    @staticmethod
    def _conduct_of_target(verb: Token, path: list[Token]) -> bool:
        """Did climbing reach an authority's action from below it ("fined X for selling data", "ordered
        X to stop tracking", "sued X over the leak")? What it acts on is the target's conduct."""
        return len(path) > 1 and (
            verb.lemma_ in ENFORCEMENT_VERBS
            or verb.lower_ in PENALTY_VERBS
            # "opened proceedings against Shein over its cookie banner"
            or any(c.dep_ == "dobj" and c.lemma_ in ENFORCEMENT_NOUNS for c in verb.children)
        )

    @staticmethod
    def _target_phrases(path: list[Token]) -> list[Token]:
        """The heads of what an authority acts on: objects and "against/into/on" objects along the path."""
        heads: list[Token] = []
        for node in path:
            for child in node.children:
                if child.dep_ in ("dobj", "dative", "attr", "oprd"):
                    heads.append(child)
                    if child.lemma_ in ENFORCEMENT_NOUNS:
                        # "opened proceedings against Shein", "filed a case against the bank"
                        heads += [
                            p
                            for prep in child.children
                            if prep.dep_ == "prep" and prep.lower_ in TARGET_PREPOSITIONS
                            for p in prep.children
                            if p.dep_ == "pobj"
                        ]
                elif child.dep_ == "prep" and (
                    child.lower_ in TARGET_PREPOSITIONS
                    or (child.lower_ == "with" and node.lemma_ in AGREEMENT_WORDS)
                ):
                    heads += [c for c in child.children if c.dep_ == "pobj"]
        return heads

    def _targets(self, path: list[Token], by_token: dict[int, dict]) -> list[dict]:
        """Companies a regulator acts on."""
        return [
            m
            for head in self._target_phrases(path)
            for m in self._phrase_orgs(head, by_token)
            if m["kind"] == "company"
        ]

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

    def sentence_actors(
        self,
        fact: SentenceFacts,
        by_token: dict[int, dict],
        focus: str | None,
        reference: str | None = None,
    ) -> list[str]:
        """Fallback when no cue has a company as actor: the sentence's company roles, names or focus.

        reference: the company "the firm" and "it" stand for (default: focus)."""
        roles = self._roles(fact, by_token)
        actors = roles["subject"] | roles["agent"] | roles["target"] | roles["possessor"]
        reference = reference or focus
        if not actors and reference:
            # "The company, a subsidiary of Singtel, said ...": the main clause is about the focus company
            for root in (t for t in fact.parsed if t.dep_ == "ROOT"):
                subjects = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
                if subjects and self.is_reference(subjects[0]) and subjects[0].i not in by_token:
                    return [reference]
        order = {}
        for i, m in sorted(by_token.items()):
            order.setdefault(m["key"], i)
        if actors:
            return sorted(actors, key=lambda k: order.get(k, 0))
        named = [
            k
            for k in sorted(order, key=order.get)
            if k not in roles["recipient"]
            and k not in roles["channel"]
            and any(m["key"] == k and m["kind"] == "company" for m in by_token.values())
        ]
        if named:
            return named
        return [focus] if focus else []

    def accused(
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
        by_token = self.orgs_by_token(fact, orgs)
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
            how, companies, _path = self.clause_actor(fact, cue, by_token, enforcement=False)
            if companies:
                actors += [m["key"] for m in companies]
            elif how == "reference" and focus:
                actors.append(focus)
            elif how == "authority":
                cancelled += 1  # "the state has been spying on her": a government's act, no company's
        if cues and cancelled == len(cues):
            return None
        if actors:
            fact.actor_found[type_id] = "clause"
            return list(dict.fromkeys(actors))
        fact.actor_found[type_id] = "sentence"
        return self.sentence_actors(fact, by_token, topic, reference=focus)

    def _enforcement_targets(
        self, fact: SentenceFacts, cue: Span, by_token: dict[int, dict], focus: str | None
    ) -> list[str] | None:
        """Companies an authority acts against; None when the company is the one acting.

        "The FTC fined Meta", "Didi was ordered to ...", "Google settled the lawsuit" and "a lawsuit
        against Baidu" target a company; "Huazhu probes the claim", "it asked the police to investigate"
        and "T-Mobile urged customers to change their PINs" do not.
        """
        how, companies, path = self.clause_actor(fact, cue, by_token, enforcement=True)
        root, verb = path[0], path[-1]
        if any(n.lemma_ in HIRING_VERBS for n in path):
            return None  # "it hired Mandiant to investigate": the company's own inquiry, no enforcement
        if self._tells_allegation(root):
            return []  # "in a lawsuit filed on Monday, workers say the company tracked them": what it alleges
        if how == "none":
            return []
        if root.pos_ == "VERB" and root.lemma_ in OBLIGATION_VERBS and how != "other":
            # "ordered it to submit a report": the object is the one ordered, whatever the parse makes
            # the subject ("malware forced Maersk to shut down" is no authority's order)
            ordered = [
                m["key"]
                for c in root.children
                if c.dep_ in ("dobj", "dative")
                for m in self._phrase_orgs(c, by_token)
            ]
            if not ordered and focus and any(self.is_reference(c) for c in root.children if c.dep_ == "dobj"):
                ordered = [focus]
            if ordered:
                return ordered
        if root.pos_ == "VERB" and root.lemma_ in OBLIGATION_VERBS and not self._imposed(how, path):
            return None
        passive = any(c.dep_ == "nsubjpass" for c in verb.children)
        # "under a proposed order, the company must ...": the clause's subject is bound by it
        bound = root.head.lower_ == "under" and root.head.dep_ == "prep"
        if how in ("subject", "reference") and (
            passive or bound or verb.lemma_ in TARGETED_VERBS or root.lemma_ in TARGETED_VERBS
        ):
            if passive and any(c.dep_ == "nsubjpass" and c.lemma_ in PERSON_NOUNS for c in verb.children):
                return None  # "a receptionist at Tallow Dental has been fined": the person is the target
            keys = [m["key"] for m in companies]
            return keys or ([focus] if focus else [])
        if passive and any(c.dep_ == "nsubjpass" and c.i == root.i for c in verb.children):
            # "enquiries are being made by the regulator", "a fine was imposed": the action is the subject
            keys = [m["key"] for m in self._targets(path, by_token)]
            return keys or ([focus] if focus else [])
        if how in ("other", "person") and passive:
            subjects = [c for c in verb.children if c.dep_ == "nsubjpass"]
            if (
                how == "other"
                and focus
                and subjects
                and subjects[0].pos_ in ("NOUN", "PROPN")
                and subjects[0].lemma_ not in PERSON_NOUNS
            ):
                return [focus]  # "Zagreb polyclinic fined": a business described, not named
            return None  # "the developer was convicted": someone else is the target
        # an authority (or an app store, or plaintiffs) acting on the objects of the clause
        subject_keys = {m["key"] for m in companies} if how == "subject" else set()
        keys = [m["key"] for m in self._targets(path, by_token) if m["key"] not in subject_keys]
        if not keys:
            keys = self._accused_by_action(path, by_token, focus)
        if (
            not keys
            and focus
            and how in ("target", "other", "person")
            and any(
                self.is_reference(t) and t.dep_ == "pobj" and t.head.lower_ == "against"
                for t in self._target_phrases(path)
            )
        ):
            keys = [focus]  # "a customer filed a class action against the bank"
        # "fined a private polyclinic in Zagreb": a business described, not named, is the story's company;
        # in a lede that has named none yet, the one the article is about (the sentence decides)
        if (
            not keys
            and how in ("target", "other", "person")
            and any(
                self.is_reference(t)
                or (
                    n.lower_ in PENALTY_VERBS and t.pos_ in ("NOUN", "PROPN") and t.lemma_ not in PERSON_NOUNS
                )
                for n in path
                for t in n.children
                if t.dep_ in ("dobj", "dative")
            )
        ):
            if not focus:
                return []
            keys = [focus]
        offset = fact.span.start
        cue_tokens = list(fact.parsed[cue.start - offset : cue.end - offset])
        objects = [
            c
            for n in {*path, *cue_tokens}
            for c in n.children
            if c.dep_ in ("dobj", "dative") and c.i != root.i and not c.is_ancestor(root)
        ]
        if (
            not keys
            and how == "target"
            and not objects
            and root.lemma_ not in CRIMINAL_PROCESS
            and not any(
                c.dep_ in ("nsubj", "nsubjpass") and c.lemma_ in POLICE_NOUNS
                for n in path
                for c in n.children
            )
        ):
            # "the inspectorate said it had opened an investigation": a regulator acting on no object it
            # names acts on the story's company (the sentence's companies decide); arrests, and the police,
            # are for criminals
            return []
        return keys or None

    @staticmethod
    def _tells_allegation(action: Token) -> bool:
        """Is the action the source of what a reporting verb says ("in the complaint, regulators allege
        ...", "according to the lawsuit, ...")? Its target is whom the reported clause accuses."""
        preposition = action.head
        if action.dep_ != "pobj" or preposition.lower_ not in ("in", "according"):
            return False
        if preposition.lower_ == "according":
            return True
        return preposition.head.pos_ == "VERB" and preposition.head.lemma_ in REPORTING_VERBS

    def _accused_by_action(
        self, path: list[Token], by_token: dict[int, dict], focus: str | None
    ) -> list[str]:
        """ "filed a class action accusing the lender of ...": whom the action accuses (a reference to a
        business stands for the story's company)."""
        keys: list[str] = []
        for node in path:
            for action in (c for c in node.children if c.dep_ == "dobj" and c.lemma_ in ENFORCEMENT_NOUNS):
                for clause in (
                    c for c in action.children if c.dep_ == "acl" and c.lemma_ in ENFORCEMENT_VERBS
                ):
                    for accused in (c for c in clause.children if c.dep_ == "dobj"):
                        named = [
                            m["key"] for m in self._phrase_orgs(accused, by_token) if m["kind"] == "company"
                        ]
                        keys += named or ([focus] if focus and self.is_reference(accused) else [])
        return keys

    @staticmethod
    def _imposed(how: str, path: list[Token]) -> bool:
        """Is an order/requirement imposed by a regulator, or on a company in the passive voice?"""
        if how == "target":
            return True
        return how == "subject" and any(c.dep_ == "nsubjpass" for c in path[-1].children)
