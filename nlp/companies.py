"""Company linking: every organisation to a company id.

`privwatch_org_linker_v2` maps every organisation (the company ruler's, nlp/company_ruler.py, and the
statistical NER's) to a company id, a regulator, another kind of body, or an unknown company, into
doc._.privwatch_orgs. It gets the knowledge base through initialize() (nlp/pipeline.py passes
config/companies.yaml and config/regulators.yaml).
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from config.knowledge import Company, Regulator
from nlp import organisations as O
from nlp.company_ruler import (
    COMPANY_LABEL,
    PRODUCT_LABEL,
    REGULATOR_LABEL,
    RULER_LABELS,
    common_english_words,
)
from nlp.component_data import KeepsData, read_derived, write_derived
from nlp.facts import ORGS_ATTR, dateline_end
from nlp.matching import places_by_word
from nlp.name_patterns import name_patterns
from nlp.names import bare_name, clean_name, normalise_name
from nlp.org_kinds import body_kind
from nlp.org_mentions import (
    OrgMention,
    keep_introduced_kinds,
    repeated_names,
    resolve_products,
    resolve_short_names,
)

NOT_NAME_LABELS = ("NORP", "GPE", "LOC", "DATE", "TIME", "ORDINAL", "EVENT", "LANGUAGE", "LAW")


def _amount(text: str) -> bool:
    """ "S$38", "US$2m", "HK$500": a sum, whatever currency prefix the tokenizer left on it."""
    return bool(re.match(r"^[A-Z]{0,3}[$€£¥₩]\d", text))


# -- the organisation linker ------------------------------------------------------------------------------


# ordinals that begin company names ("First American Financial", "Fifth Third Bank")
NAME_ORDINALS = frozenset({"first", "second", "third", "fifth"})


class OrgLinker(KeepsData):
    """Maps every organisation span (company ruler and statistical NER) to a company id.

    Known names link exactly (after dropping articles, possessives and legal-form words), near misses
    through rapidfuzz; regulators, courts and governments are recognised and never become companies;
    the remaining organisations are kept as unlinked companies unless they are outlets, universities,
    associations, exchanges or laws. A one-word "person" the NER never saw with a first name ("Merck
    said") and a person or place ending in a corporate word ("Kaisa Group") are taken as organisations
    too. Writes doc._.privwatch_orgs.
    """

    NER_ORG_LABELS = ("ORG",)
    NER_MAYBE_ORG_LABELS = ("PERSON", "GPE", "NORP", "FAC", "PRODUCT", "WORK_OF_ART", "LOC", "EVENT")

    def __init__(self, nlp: Language, name: str, fuzzy_cutoff: float):
        self.nlp, self.name = nlp, name
        self.fuzzy_cutoff = fuzzy_cutoff
        self.company_names: dict[str, str] = {}
        self.company_index: dict[str, str] = {}
        self.regulator_index: dict[str, str] = {}
        self.fuzzy_keys: list[str] = []
        self.common_words = common_english_words(nlp) | O.NOT_NAMES
        self.places = O.place_names()
        self.name_patterns = name_patterns(nlp.vocab)
        self.non_company_names = PhraseMatcher(nlp.vocab, attr="LOWER")
        for kind, names in O.NON_COMPANY_NAMES.items():
            self.non_company_names.add(kind, list(nlp.tokenizer.pipe(names)))
        self._link_cache: dict[str, tuple[str, str | None]] = {}
        # the doc being linked: where each of its words (LOWER hash) stands, built when first asked for
        self._word_places: tuple[Doc, dict[int, list[int]]] | None = None
        self._public_places: set[str] = set()  # what this article calls "the City of ..."

    def initialize(
        self,
        get_examples=None,
        *,
        nlp: Language | None = None,
        companies: list[Company] = (),
        regulators: list[Regulator] = (),
    ) -> None:
        self.keep(companies=companies, regulators=regulators)
        self.company_names = {c.id: c.name for c in companies}
        self.company_index = {}
        for company in companies:
            for alias, _field in company.names():
                self.company_index.setdefault(normalise_name(alias), company.id)
        self.regulator_index = {normalise_name(n): r.id for r in regulators for n, _ in r.names()}
        self.fuzzy_keys = [k for k in self.company_index if len(k) >= 5]
        self._link_cache.clear()

    # the common words come from the lemmatizer's tables, which spacy.load fills after constructing this
    def to_disk(self, path, *, exclude=()) -> None:
        super().to_disk(path, exclude=exclude)
        write_derived(path, sorted(self.common_words))

    def from_disk(self, path, *, exclude=()) -> OrgLinker:
        self.common_words = set(read_derived(path))
        return super().from_disk(path, exclude=exclude)

    def __call__(self, doc: Doc) -> Doc:
        try:
            return self._annotate(doc)
        finally:
            self._word_places = None
            self._public_places = set()

    def _annotate(self, doc: Doc) -> Doc:
        self._recover_names(doc)
        # every part of a full name: "Guo" of "Guo Bing" and "Cook" of "Tim Cook" are people; so is the last
        # word of any longer name that does not end like a company's ("Govender" of "Major-Gen Gopaul
        # Govender"): a company's short form is its first word ("Harlow" of "Harlow Group")
        person_surnames = {t.lower_ for e in doc.ents if e.label_ == "PERSON" and len(e) > 1 for t in e}
        person_surnames |= {
            e[-1].lower_
            for e in doc.ents
            if len(e) > 2
            and e.label_ not in RULER_LABELS
            and e[-1].is_title
            and e[-1].lower_ not in O.CORPORATE_HEAD_WORDS
            and e[-1].lower_ not in O.ORG_STOPWORDS
        }
        mentions: list[OrgMention] = []
        for ent in doc.ents:
            mention = self.classify(ent, person_surnames)
            if mention is not None:
                mentions.append(mention)
        repeated = repeated_names(doc, mentions)
        for m in repeated:
            kind = self.non_company_kind(doc[m.start : m.end], m.name)
            if kind is not None:
                m.recast(kind)
        mentions += repeated
        mentions.sort(key=lambda m: m.start)
        keep_introduced_kinds(mentions)
        resolve_short_names(doc, mentions)
        resolve_products(doc, mentions)
        doc._.set(ORGS_ATTR, [m.as_dict() for m in mentions])
        return doc

    def _recover_names(self, doc: Doc) -> None:
        """Company names the statistical NER missed or called people or places, from how news writes them:
        after a business noun ("the debt collector Kordex", "payroll provider Ledgerline"), before an
        apposition that says what they are ("Shopwell, an online grocer"), or ending in a corporate word
        ("Greenway Supermarkets", "Riverside Family Dental"). They become ORG entities, replacing the
        NER's overlapping ones but never the knowledge base's."""
        found: list[Span] = []
        places: list[Span] = []
        not_names = {i for e in doc.ents if e.label_ in NOT_NAME_LABELS for i in range(e.start, e.end)}
        for match_id, start, end in self.name_patterns(doc):
            kind = doc.vocab.strings[match_id]
            if kind == "place-of":
                places += self._named_again(doc, doc[start + 2 : end])
                self._public_places.add(doc[start + 2 : end].text)
                continue
            if kind == "after-descriptor":
                name = doc[start + 1 : end]
            elif kind == "of-members":
                name = doc[start + 2 : end]
            elif kind == "apposition-after-descriptor":
                name = doc[start + 2 : end - 1]
            elif kind in ("before-apposition", "before-which"):
                comma = next(t.i for t in doc[start:end] if t.text == ",")
                name = doc[start:comma]
                # "Ege Lojistik, an Izmir freight company": a capitalised word alone in the description
                # says where the company is, not who it is
                if kind == "before-apposition":
                    for t in doc[comma + 2 : end - 1]:
                        if t.is_title and not doc[t.i - 1].is_title and not doc[t.i + 1].is_title:
                            places.append(Span(doc, t.i, t.i + 1, label="GPE"))
            elif kind == "before-business-noun":
                name = doc[start + 1 : end - 1]
            else:
                name = doc[start:end]
                if end < len(doc) and doc[end].text[:1].isupper() and not doc[end].is_sent_start:
                    continue  # part of a longer name ("Dutch Data Protection Authority")
            words = [t for t in name if t.is_alpha]
            if not words or any(t.lower_ in O.NOT_IN_NAMES or t.i in not_names for t in name):
                continue
            if kind == "sector-head" and any(self._is_common_word(t) for t in name[:-1]):
                continue
            if (
                name.start >= 2
                and doc[name.start - 1].lower_ in ("and", "&", "of")
                and doc[name.start - 2].is_title
            ):
                continue  # the tail of a longer name ("Web and App Activity")
            if (
                kind == "before-apposition"
                and name[0].is_sent_start
                and len(name) == 1
                and name[0].lower_ in self.common_words
            ):
                continue
            found.append(name)
        signature = self._signature(doc)
        if signature is not None:
            found.append(signature)
        # "Harbourline Tickets": the small NER model often stops before a capitalised common noun
        for ent in doc.ents:
            if ent.label_ not in ("ORG", "PERSON", "FAC", "PRODUCT"):
                continue
            end = ent.end
            while (
                end < len(doc)
                and doc[end].is_title
                and doc[end].tag_ in ("NNP", "NNPS")
                and self._is_common_word(doc[end])
                and doc[end].lower_ not in O.NOT_IN_NAMES
                and end not in not_names
            ):
                end += 1
            if end > ent.end:
                found.append(doc[ent.start : end])
        if not found and not places:
            return
        kept = [e for e in doc.ents if e.label_ in RULER_LABELS]
        taken = {i for e in kept for i in range(e.start, e.end)}
        for place in places:
            if not any(i in taken for i in range(place.start, place.end)):
                kept.append(place)
                taken.update(range(place.start, place.end))
        # an ordinal that opens the name belongs to it ("First Meridian Bank", "Fifth Third Bank")
        found = [
            doc[s.start - 1 : s.end]
            if s.start and doc[s.start - 1].is_title and doc[s.start - 1].lower_ in NAME_ORDINALS
            else s
            for s in found
        ]
        recovered = []
        for span in sorted(found, key=lambda s: (-(s.end - s.start), s.start)):
            if not any(i in taken for i in range(span.start, span.end)):
                recovered.append(Span(doc, span.start, span.end, label="ORG"))
                taken.update(range(span.start, span.end))
        others = [
            e
            for e in doc.ents
            if e.label_ not in RULER_LABELS and not any(i in taken for i in range(e.start, e.end))
        ]
        doc.ents = sorted(kept + recovered + others, key=lambda e: e.start)

    @staticmethod
    def _named_again(doc: Doc, place: Span) -> list[Span]:
        """The place and every other mention of its words: "the City of Port Ardenvale", then "Port
        Ardenvale says hackers took ..." in the headline."""
        words = [t.text for t in place]
        return [
            Span(doc, start, start + len(words), label="GPE")
            for start in range(len(doc) - len(words) + 1)
            if doc[start].text == words[0] and [t.text for t in doc[start : start + len(words)]] == words
        ]

    def _maybe_organisation(self, ent: Span, person_surnames: set[str]) -> bool:
        """Is a PERSON/GPE/... entity in fact an organisation the small NER model mislabelled?"""
        if ent.label_ not in self.NER_MAYBE_ORG_LABELS or ent.text in self._public_places:
            return False
        if ent[-1].lower_ in O.CORPORATE_HEAD_WORDS:
            # "Pixelmoor Games" taken for an event like the Olympic Games: a coined name before the head
            return ent.label_ != "EVENT" or not any(self._is_common_word(t) for t in ent[:-1])
        if ent.label_ == "PERSON" and len(ent) == 1 and ent[0].lower_ not in person_surnames:
            before = ent.doc[ent.start - 1] if ent.start > 0 else None
            return before is None or before.lower_.rstrip(".") not in O.PERSON_TITLES
        if ent.label_ == "GPE" and len(ent) == 1:
            return self._unknown_place_named_like_a_party(ent)
        return False

    def _paired_with_a_place(self, ent: Span) -> bool:
        """ "in Smithfield and Stoneybatter": one unknown word after a place and "and" is a place too,
        whatever the NER called it."""
        doc = ent.doc
        if len(ent) != 1 or ent.start < 2 or doc[ent.start - 1].lower_ not in ("and", "or"):
            return False
        partner = doc[ent.start - 2]
        # "users of Lanxi and Qianbao" may pair two apps the NER took for places; "in" pairs places
        return (
            partner.ent_type_ in ("GPE", "LOC")
            and partner.ent_iob_ == "B"
            and ent.start >= 3
            and doc[ent.start - 3].lower_ in ("in", "across", "around", "near", "throughout", "between")
        )

    def _unknown_place_named_like_a_party(self, ent: Span) -> bool:
        """ "The insurer, Beazley, is covering the cost", "identity protection through Kroll": a one-word
        "place" no gazetteer knows, standing where places do not ("in", "of", "Alpena, Michigan")."""
        doc = ent.doc
        if ent.text.casefold() in self.places or self._is_common_word(ent[0]) or ent.text.endswith("."):
            return False  # "Pa.", "Wash.": a state's abbreviation
        before = doc[ent.start - 1] if ent.start > 0 else None
        if before is not None and (before.lower_ in O.PLACE_PREPOSITIONS or before.lower_ == "the"):
            return False
        after = doc[ent.end : ent.end + 2]
        if after and after[0].text == "-":
            return False  # "the Cupertino-based company"
        if before is not None and before.lower_ in ("a", "an") and after and after[0].is_lower:
            return False  # "an Esbjerg freight company": where a company is
        return not (len(after) == 2 and after[0].text == "," and after[1].ent_type_ in ("GPE", "LOC"))

    def classify(self, ent: Span, person_surnames: set[str] = frozenset()) -> OrgMention | None:
        label = ent.label_
        if label in (COMPANY_LABEL, PRODUCT_LABEL):
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
        if label == REGULATOR_LABEL:
            return OrgMention(
                ent.start, ent.end, ent.text, "regulator", None, ent.text, "regulator:" + ent.id_
            )
        if label not in self.NER_ORG_LABELS and not self._maybe_organisation(ent, person_surnames):
            return None
        if self._paired_with_a_place(ent):
            return None
        ent = self._name_part(ent)
        if ent is None:
            return None
        name = clean_name(ent.text)
        if not name or not any(ch.isupper() or ch.isdigit() for ch in name):
            return None
        kind, linked = self.link(name)
        if kind == "company" and linked:
            return OrgMention(ent.start, ent.end, ent.text, kind, linked, self.company_names[linked], linked)
        if kind == "company":
            kind = self.non_company_kind(ent, name) or kind
        key = normalise_name(name)
        if kind == "company" and (
            name.casefold() in self.places or not self._plausible_company(ent, name, key)
        ):
            return None
        if kind == "company" and len(ent) == 1 and ent[0].lower_ in person_surnames:
            return None  # a person the NER also called an organisation
        return OrgMention(ent.start, ent.end, ent.text, kind, None, bare_name(name), f"{kind}:{key}")

    @staticmethod
    def _name_part(ent: Span) -> Span | None:
        """The entity up to the first number or amount, from its first word that is no common noun:
        "Vantor Media 80,000 euros" -> "Vantor Media", "Operators Kestrel Mobile" and "customers of Kestrel
        Mobile" -> "Kestrel Mobile".

        None when nothing is left, or only a place the NER names elsewhere in the article ("the state of
        Texas 1.4 billion dollars")."""
        opening = next(
            (
                t.i
                for t in ent
                if not (
                    (t.is_lower and t.is_alpha) or (t.i == ent.start and t.lower_ in O.DESCRIBING_PLURALS)
                )
            ),
            ent.end - 1,
        )
        ent = ent.doc[opening : ent.end]
        end = next(
            (
                t.i
                for t in ent
                # a figure, not a number word ("First Meridian Bank", "Three UK")
                if (t.like_num and not t.is_alpha)
                or t.is_currency
                or t.ent_type_ == "MONEY"
                or _amount(t.text)
            ),
            ent.end,
        )
        if end == ent.end:
            return ent
        part = ent.doc[ent.start : end]
        if not part or not any(t.is_alpha for t in part):
            return None
        places = {e.text for e in ent.doc.ents if e.label_ in ("GPE", "LOC", "NORP")}
        return None if part.text in places else part

    def _plausible_company(self, ent: Span, name: str, key: str) -> bool:
        """Filters for unknown organisations: no bare legal words, acronyms of things, or modifiers; a
        name must look like a name, not like ordinary words set in capitals."""
        if not key or key in O.ORG_STOPWORDS or len(key) < 2 or name.upper() in O.NOT_ORG_ACRONYMS:
            return False
        if not self._looks_like_a_name(ent):
            return False
        doc = ent.doc
        if (
            len(ent) == 1
            and ent.start >= 2
            and doc[ent.start - 1].lower_ in ("in", "from")
            and doc[ent.start - 2].lower_ in O.PERSON_NOUNS
        ):
            return False  # "a client in Harrogate", "a woman from Cudahy": a place
        # "Major-Gen Gopaul Govender", "Dr Li Wenliang": a person with a title
        if ent[0].lower_.split("-")[0].rstrip(".") in O.PERSON_TITLES:
            return False
        # "filed an Unfair Labor Practice", "violated the Health Breach Notification Rule": a document
        before = [t for t in ent.doc[max(0, ent.start - 3) : ent.start] if t.pos_ not in ("DET", "ADJ")]
        if before and before[-1].lemma_ in O.DOCUMENT_VERBS:
            return False
        following = doc[ent.end] if ent.end < len(doc) else None
        # a short line without a verb ("Tech and Vogue", "Yes Teens") is a menu entry or a section label
        line = OrgLinker._line(ent)
        if len(line) <= 6 and not any(t.pos_ in ("VERB", "AUX") for t in line) and not self._signs(ent):
            return False
        # "Social Security numbers", "SIM cards", "NotPetya malware": the name modifies a noun
        # (a name that ends in a corporate word, or that owns what follows, stays: "a Pinecrest Auto Group
        # finance employee", "the Veyra app")
        if following is not None and following.lower_ in O.IDENTIFIER_NOUNS:
            return False  # "National Insurance numbers", "Medicare cards": a scheme's identifiers
        if (
            following is not None
            and following.tag_ in ("NN", "NNS")
            and following.lower_ not in O.CORPORATE_HEAD_WORDS
            and ent[-1].lower_ not in O.CORPORATE_HEAD_WORDS
            and ent[-1].lower_ not in O.LEGAL_FORMS
            and not self._owns(ent)
        ):
            return False
        return True

    def _looks_like_a_name(self, ent: Span) -> bool:
        """A span of ordinary English words is a name only where the article writes them with capitals in
        running text: "Files posted on a dark web site", "RANSOMWARE GANG CLAIMS ATTACK" and "Breach
        Notification" in a headline are not companies; "Harbor Freight said" is."""
        words = [t for t in ent if t.is_alpha]
        if not words or not all(self._is_common_word(t) for t in words):
            return True
        if any(t.is_upper and len(t) <= 5 for t in words) and len(words) == 1:
            return True  # an acronym ("UPS", "ACM") is a name; NOT_ORG_ACRONYMS lists those that are not
        doc = ent.doc
        lowered = [t.lower for t in words]
        for start in self._places_of(doc, lowered[0]):
            run = doc[start : start + len(words)]
            if [t.lower for t in run] != lowered:
                continue
            line = OrgLinker._line(run)
            if (self._headline_case(line) and not self._signs(run)) or not all(
                t.is_title and not t.is_upper for t in run
            ):
                continue
            # capitalised inside another, longer name ("Education" of "Zhixing Education Technology"); a
            # company's short form is the first word of its name ("Kestrel" of "Kestrel Smart Home")
            if run[0].ent_iob_ == "I" and not (ent.start <= run.start and run.end <= ent.end):
                continue
            # a capitalised run of two or more words is a name wherever it stands; one word at the start
            # of a sentence, or right after a wire dateline ("CHENGDU — Education authorities"), is
            # capitalised anyway
            if len(words) > 1 or not (run[0].is_sent_start or _opens_after_dateline(run[0])):
                return True
        return False

    def _places_of(self, doc: Doc, word: int) -> list[int]:
        """Where the word (a LOWER hash) stands in the doc being linked: a long article has hundreds of
        entities to check, and scanning it whole for each made linking grow with the square of its length."""
        if self._word_places is None or self._word_places[0] is not doc:
            self._word_places = (doc, places_by_word(doc.to_array(LOWER).tolist()))
        return self._word_places[1].get(word, [])

    def _is_common_word(self, token) -> bool:
        """An ordinary English word, plurals included (the lemma of a capitalised "Tickets" is itself)."""
        lower, common = token.lower_, self.common_words
        return (
            lower in common
            or token.lemma_.lower() in common
            or (
                lower.endswith("s")
                and (lower[:-1] in common or (lower.endswith("es") and lower[:-2] in common))
            )
        )

    @staticmethod
    def _headline_case(line: Span) -> bool:
        """Is the line set in capitals word by word (a headline), not as running text?"""
        words = [t for t in line if t.is_alpha and len(t) > 3]
        return len(words) >= 2 and sum(t.is_title or t.is_upper for t in words) >= 0.8 * len(words)

    @classmethod
    def _signature(cls, doc: Doc) -> Span | None:
        """The sender's name a letter in the first person ends with ("Sincerely,\n\nMaple Row Podiatry"),
        unless it is a person's."""
        end = len(doc)
        while end and (doc[end - 1].is_space or doc[end - 1].is_punct):
            end -= 1
        if not end:
            return None
        line = cls._line(doc[end - 1 : end])
        words = [t for t in line if not t.is_space]
        commas = [i for i, t in enumerate(words) if t.text == ","]
        words = words[commas[-1] + 1 :] if commas else words  # "Member Services, Acme Credit Union"
        if not 1 <= len(words) <= 6 or not cls._signs(line):
            return None
        if not all(t.is_title or t.is_upper or (t.is_punct and t.text in "&.'-") for t in words):
            return None
        if any(e.label_ == "PERSON" and line.start <= e.start < line.end for e in doc.ents):
            return None
        return doc[words[0].i : words[-1].i + 1]

    @staticmethod
    def _signs(name: Span) -> bool:
        """Does the name end a letter written in the first person ("We are writing to tell you ...
        Sincerely, Harbor Point Dental")? It is the sender's (not a department before it: "Member
        Services, Tri-County Credit Union")."""
        doc = name.doc
        return (
            not any(t.is_alpha for t in doc[name.end :])
            and name.start > 0
            and any(t.lower_ in O.FIRST_PERSON for t in doc[: name.start])
        )

    @staticmethod
    def _owns(ent: Span) -> bool:
        """Is the name followed by something a company has ("the Veyra app", "Acme finance employee")?"""
        doc = ent.doc
        following = doc[ent.end : min(len(doc), ent.end + 3)]
        for token in following:
            if token.lower_ in O.OWNED_NOUNS:
                return True
            if token.tag_ not in ("NN", "NNS", "JJ"):
                return False
        return False

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
        key = normalise_name(name)
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
        return body_kind(ent, name, self.non_company_names)


def _opens_after_dateline(token) -> bool:
    sentence = token.sent
    return dateline_end(sentence) == token.i - sentence.start
