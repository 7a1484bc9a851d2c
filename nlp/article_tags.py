"""The article's tags: companies with roles, types and responses, incident rows, each with its evidence.

`privwatch_article_tags_v1` is the last component: it turns doc._.privwatch_facts into
doc._.privwatch_tags (plain JSON-like values, the shape of a tag-file line and of storage's rows), then
drops the facts and the tok2vec tensor so that tagged Docs are light.
"""

from __future__ import annotations

from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc

from config.taxonomy import TaxonomyFile
from nlp.component_data import KeepsData
from nlp.facts import FACTS_ATTR, TAGS_ATTR, ArticleFacts, SentenceFacts, sentence_text
from nlp.incidents import drop_tensor
from nlp.severity import severity_of

# One response per company for the single `response` field: an apology outranks a denial, which
# outranks remediation alone.
RESPONSE_PRIORITY = ("apology", "denial", "remediation")
# The title is paragraph 0: an organisation first named in paragraph 0 or 1 is named up front.
LEDE = 1
NO_SEVERITY = severity_of(None, None, None)


class ArticleTags(KeepsData):
    def __init__(self, name: str, keep_tensor: bool, trace: bool):
        self.name = name
        self.keep_tensor, self.trace = keep_tensor, trace
        self.type_ids: list[str] = []

    def initialize(self, get_examples=None, *, nlp: Language | None = None, taxonomy: TaxonomyFile) -> None:
        self.keep(taxonomy=taxonomy)
        self.type_ids = [t.id for t in taxonomy.types]

    def __call__(self, doc: Doc) -> Doc:
        # no facts: only the knowledge base's companies ran (an article in a language without a pipeline)
        article: ArticleFacts = doc._.get(FACTS_ATTR) or ArticleFacts.of(doc)
        tags = self.tags(article)
        if self.trace:
            tags["trace"] = [
                self._trace(article.sentences[i], *cues) for i, cues in sorted(article.raw_cues.items())
            ]
        doc._.set(TAGS_ATTR, tags)
        doc._.set(FACTS_ATTR, None)
        if not self.keep_tensor:
            drop_tensor(doc)
        return doc

    def tags(self, article: ArticleFacts) -> dict:
        companies = article.companies
        incidents, accused_order = article.incidents, article.accused_order
        counts = Counter(m["key"] for m in companies)
        first_sentence: dict[str, str] = {}
        first_paragraph: dict[str, int] = {}
        names: dict[str, tuple[str | None, str]] = {}
        for m in companies:
            names.setdefault(m["key"], (m["company_id"], m["name"]))
            if m["key"] not in first_sentence:
                fact = article.sentences[article.sentence_of[m["start"]]]
                first_sentence[m["key"]] = sentence_text(fact.span)
                first_paragraph[m["key"]] = fact.paragraph
        incidents, accused_order = self._one_owner_per_type(
            incidents, accused_order, names, counts, first_paragraph
        )
        company_rows = []
        for key in sorted(names, key=lambda k: (k not in accused_order, -counts[k], k)):
            company_id, name = names[key]
            accused = key in accused_order
            found = article.responses.get(key, []) if accused else []
            response_evidence: dict[str, str] = {}
            for response_id, sentence in found:
                response_evidence.setdefault(response_id, sentence)
            responses = sorted(response_evidence, key=_response_rank)
            types = [t for t in self.type_ids if (t, key) in incidents]
            company_rows.append(
                {
                    "key": key,
                    "id": company_id,
                    "name": name,
                    "role": "accused" if accused else "mentioned",
                    "response": (responses[0] if responses else "none") if accused else None,
                    "responses": responses,
                    "count": counts[key],
                    "types": types,
                    "evidence": incidents[(types[0], key)][1] if accused and types else first_sentence[key],
                    "response_evidence": response_evidence,
                }
            )
        # an incident is a company's: a type no accused company carries (a government body's leak, a
        # camera in a crime report) makes no incident
        incident_rows = [
            {
                "incident_type": t,
                "company_key": key,
                "company_id": names.get(key, (None, ""))[0],
                "score": score,
                "evidence": evidence,
                **article.severity.get(key, NO_SEVERITY),
            }
            for (t, key), (score, evidence) in sorted(
                incidents.items(), key=lambda kv: self.type_ids.index(kv[0][0])
            )
            if key in accused_order
        ]
        types = [t for t in self.type_ids if any(row["incident_type"] == t for row in incident_rows)]
        evidence = {}
        for t in types:
            rows = [r for r in incident_rows if r["incident_type"] == t]
            evidence[t] = max(rows, key=lambda r: r["score"])["evidence"]
        main = max(
            accused_order,
            key=lambda k: (article.accused_sentences[k], -accused_order.index(k)),
            default=None,
        )
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
    def _one_owner_per_type(
        incidents: dict[tuple[str, str | None], tuple[float, str]],
        accused_order: list[str],
        names: dict[str, tuple[str | None, str]],
        mentions: Counter,
        first_paragraph: dict[str, int],
    ) -> tuple[dict[tuple[str, str | None], tuple[float, str]], list[str]]:
        """Drop an unknown organisation's type when a known company named more often carries it, unless
        the organisation is named in the title or the lede; drop the organisation's accusation when
        nothing is left of it.

        Beside the known company a story is about, an organisation the knowledge base lacks and named
        only further down is more often the one reporting it (a research firm), its victims or a
        bystander than a second culprit; kept, the type would be counted again under no known company.
        An organisation named up front, or as often as the known company, is the story's own (a bank
        breached through a known vendor's software, a second carrier fined with the first).
        """

        def known(key: str | None) -> bool:
            return bool(names.get(key, (None, ""))[0])

        def lead(type_id: str) -> int:
            return max(
                (mentions[k] for (t, k) in incidents if t == type_id and k in accused_order and known(k)),
                default=0,
            )

        dropped = {
            (t, key)
            for (t, key) in incidents
            if key in accused_order
            and not known(key)
            and first_paragraph[key] > LEDE
            and lead(t) > mentions[key]
        }
        if not dropped:
            return incidents, accused_order
        kept = {pair: found for pair, found in incidents.items() if pair not in dropped}
        still_typed = {key for (_, key) in kept}
        stripped = {key for (_, key) in dropped} - still_typed
        return kept, [key for key in accused_order if key not in stripped]

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


def _response_rank(response_id: str) -> int:
    return (
        RESPONSE_PRIORITY.index(response_id) if response_id in RESPONSE_PRIORITY else len(RESPONSE_PRIORITY)
    )
