"""Score the tagger against a gold set of annotated articles.

Gold lines: {"id", "title", "body", "is_incident", "incident_types", "companies": [{"name", "role",
"response", "types"}]}. Gold company names are display names; they are resolved through the knowledge
base (exact name or alias, then a rapidfuzz near miss, then the first words of exactly one company's
name); a company the knowledge base lacks is compared by its normalised name with the tagger's
unlinked organisations.

Metrics: precision, recall and F1 for is_incident (articles), for each incident type and micro-averaged
over types ((article, type) pairs), for accused companies and for all companies ((article, company)
pairs); response accuracy over the gold accused companies the tagger also found accused.

False alarms on real news flow: the gold bodies of the real news pages in ../shared/bench/extraction
(halves of Zyte's and Fundus' extraction benchmarks, nobody here wrote them, almost none about privacy,
many not in English) are tagged as a set of negatives; every page tagged as an incident is a false alarm
(a page that is in fact about a privacy incident is listed like the others, for a person to judge).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from config.knowledge import CompaniesFile
from nlp.jsonl import read_jsonl
from nlp.names import normalise_name
from nlp.pipeline import TaggedArticle, tag_articles

# the shared benchmark pages beside the project (../shared/bench/extraction of a checkout)
NEWS_PAGES_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "extraction"


def _check_gold(record: dict) -> None:
    missing = {"id", "body", "is_incident", "incident_types", "companies"} - set(record)
    if missing:
        raise ValueError(f"missing {', '.join(sorted(missing))}")


def read_gold(path: Path | str) -> list[dict]:
    return read_jsonl(path, _check_gold, "not a gold line")


def gold_incident(record: dict) -> bool:
    """Does a gold line report an incident? NLP gold says so; story gold (nlp/stories.py) has no
    is_incident, and its distractors belong to no story."""
    return bool(record["is_incident"]) if "is_incident" in record else record.get("story") is not None


class CompanyResolver:
    """Turns a company name into a comparable key: the KB id, or "name:<normalised name>"."""

    def __init__(self, kb: CompaniesFile, fuzzy_cutoff: float = 90.0):
        self.index: dict[str, str] = {}
        for company in kb.companies:
            for name, _field in company.names():
                self.index.setdefault(name.casefold(), company.id)
                self.index.setdefault(normalise_name(name), company.id)
        self.choices = list(self.index)
        self.fuzzy_cutoff = fuzzy_cutoff
        self.by_first_words: dict[tuple[str, ...], set[str]] = {}
        for key, company_id in self.index.items():
            words = tuple(key.split())
            for n in range(1, len(words)):
                self.by_first_words.setdefault(words[:n], set()).add(company_id)

    def key(self, name: str, company_id: str | None = None) -> str:
        if company_id:
            return company_id
        for candidate in (name.casefold(), normalise_name(name)):
            if candidate in self.index:
                return self.index[candidate]
        best = process.extractOne(
            normalise_name(name), self.choices, scorer=fuzz.ratio, score_cutoff=self.fuzzy_cutoff
        )
        if best is not None:
            return self.index[best[0]]
        # "Zoom" for "Zoom Communications": the first words of exactly one company's name
        owners = self.by_first_words.get(tuple(normalise_name(name).split()), set())
        if len(owners) == 1:
            return next(iter(owners))
        return "name:" + normalise_name(name)


def _same(gold_key: str, system_key: str) -> bool:
    if gold_key == system_key:
        return True
    if gold_key.startswith("name:") and system_key.startswith("name:"):
        g, s = gold_key[5:], system_key[5:]
        return fuzz.ratio(g, s) >= 90 or g.split()[0] == s.split()[0]
    return False


def _align(gold: set[str], system: set[str]) -> tuple[int, int, int, dict[str, str]]:
    """(true positives, false positives, false negatives, gold key -> system key) for one article."""
    pairs: dict[str, str] = {}
    free = set(system)
    for g in sorted(gold):
        match = next((s for s in sorted(free) if _same(g, s)), None)
        if match is not None:
            pairs[g] = match
            free.discard(match)
    tp = len(pairs)
    return tp, len(system) - tp, len(gold) - tp, pairs


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn

    def scores(self) -> dict[str, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass
class Evaluation:
    articles: int = 0
    is_incident: Counts = field(default_factory=Counts)
    types: dict[str, Counts] = field(default_factory=dict)
    accused: Counts = field(default_factory=Counts)
    companies: Counts = field(default_factory=Counts)
    responses: Counter = field(default_factory=Counter)  # correct, total
    errors: list[dict] = field(default_factory=list)
    languages: Counter = field(default_factory=Counter)  # the languages articles were tagged as
    by_language: dict[str, Evaluation] = field(default_factory=dict)  # when there are several

    def types_micro(self) -> Counts:
        total = Counts()
        for counts in self.types.values():
            total.add(counts.tp, counts.fp, counts.fn)
        return total

    def as_dict(self) -> dict:
        total = self.responses["total"]
        return {
            "articles": self.articles,
            "languages": dict(self.languages),
            **(
                {"by_language": {k: v.as_dict() for k, v in self.by_language.items()}}
                if self.by_language
                else {}
            ),
            "is_incident": self.is_incident.scores(),
            "types": {t: c.scores() for t, c in self.types.items()},
            "types_micro": self.types_micro().scores(),
            "accused_companies": self.accused.scores(),
            "all_companies": self.companies.scores(),
            "response_accuracy": {
                "accuracy": round(self.responses["correct"] / total, 4) if total else 1.0,
                "correct": self.responses["correct"],
                "total": total,
            },
        }

    def rows(self) -> list[dict]:
        """One row per metric, for a table."""
        summary = self.as_dict()
        rows = [{"metric": "is_incident", **summary["is_incident"]}]
        rows += [{"metric": f"type {t}", **s} for t, s in summary["types"].items()]
        rows.append({"metric": "types (micro)", **summary["types_micro"]})
        rows.append({"metric": "accused companies", **summary["accused_companies"]})
        rows.append({"metric": "all companies", **summary["all_companies"]})
        response = summary["response_accuracy"]
        rows.append(
            {
                "metric": "response accuracy",
                "precision": None,
                "recall": None,
                "f1": response["accuracy"],
                "tp": response["correct"],
                "fp": None,
                "fn": response["total"] - response["correct"],
            }
        )
        return [{k: ("" if v is None else v) for k, v in row.items()} for row in rows]


def score(
    gold_records: Iterable[dict], tagged: Iterable[TaggedArticle], kb: CompaniesFile, type_ids: list[str]
) -> Evaluation:
    resolver = CompanyResolver(kb)
    result = Evaluation(types={t: Counts() for t in type_ids})
    for gold, system in zip(gold_records, tagged, strict=True):
        result.articles += 1
        result.languages[system.language or "?"] += 1
        g_incident, s_incident = bool(gold["is_incident"]), system.is_incident
        result.is_incident.add(
            int(g_incident and s_incident),
            int(s_incident and not g_incident),
            int(g_incident and not s_incident),
        )
        g_types, s_types = set(gold["incident_types"]), set(system.incident_types)
        for t in type_ids:
            result.types.setdefault(t, Counts()).add(
                int(t in g_types and t in s_types),
                int(t in s_types and t not in g_types),
                int(t in g_types and t not in s_types),
            )
        g_companies: dict[str, dict] = {}
        for company in gold["companies"]:
            # two gold names for one company (a product or unit named apart): accused wins
            key = resolver.key(company["name"])
            if key not in g_companies or (
                company["role"] == "accused" and g_companies[key]["role"] != "accused"
            ):
                g_companies[key] = company
        s_companies = {resolver.key(c["name"], c["id"]): c for c in system.companies}
        g_accused = {k for k, c in g_companies.items() if c["role"] == "accused"}
        s_accused = {k for k, c in s_companies.items() if c["role"] == "accused"}
        tp, fp, fn, pairs = _align(g_accused, s_accused)
        result.accused.add(tp, fp, fn)
        for g_key, s_key in pairs.items():
            result.responses["total"] += 1
            g_response = g_companies[g_key].get("response") or "none"
            s_response = s_companies[s_key].get("response") or "none"
            result.responses["correct"] += int(g_response == s_response)
            if g_response != s_response:
                result.errors.append(
                    {
                        "id": gold["id"],
                        "what": "response",
                        "company": g_key,
                        "gold": g_response,
                        "system": s_response,
                    }
                )
        all_tp, all_fp, all_fn, _ = _align(set(g_companies), set(s_companies))
        result.companies.add(all_tp, all_fp, all_fn)
        problems = {}
        if g_incident != s_incident:
            problems["is_incident"] = {"gold": g_incident, "system": s_incident}
        if g_types != s_types:
            problems["types"] = {"missed": sorted(g_types - s_types), "extra": sorted(s_types - g_types)}
        if fp or fn:
            problems["accused"] = {"gold": sorted(g_accused), "system": sorted(s_accused)}
        if all_fp or all_fn:
            _, _, _, all_pairs = _align(set(g_companies), set(s_companies))
            problems["companies"] = {
                "missed": sorted(set(g_companies) - set(all_pairs)),
                "extra": sorted(set(s_companies) - set(all_pairs.values())),
            }
        if problems:
            result.errors.append({"id": gold["id"], "what": "article", **problems})
    return result


def evaluate(
    nlp,
    gold_records: list[dict],
    kb: CompaniesFile,
    type_ids: list[str],
    n_process: int = 1,
) -> Evaluation:
    gold_records = list(gold_records)
    tagged = list(tag_articles(nlp, gold_records, n_process=n_process))
    result = score(gold_records, tagged, kb, type_ids)
    if len(result.languages) > 1:
        for language in result.languages:
            pairs = [
                (g, t) for g, t in zip(gold_records, tagged, strict=True) if (t.language or "?") == language
            ]
            result.by_language[language] = score([g for g, _ in pairs], [t for _, t in pairs], kb, type_ids)
    return result


# -- false alarms on real news pages ------------------------------------------------------------------------


def read_news_pages(directory: Path | str = NEWS_PAGES_DIR) -> list[dict]:
    """The benchmark pages with their gold fields: {"id", "set", "path" (the HTML), "url", "body",
    and for Fundus pages "title", "authors", "published"}. [] when the folder is absent."""
    shared = Path(directory)
    pages = []
    zyte = shared / "zyte-dev"
    if (zyte / "ground-truth.json").exists():
        for page_id, gold in json.loads((zyte / "ground-truth.json").read_text()).items():
            pages.append(
                {
                    "id": f"zyte:{page_id}",
                    "set": "zyte",
                    "path": zyte / "html" / f"{page_id}.html.gz",
                    "url": gold["url"],
                    "body": gold.get("articleBody"),
                }
            )
    fundus = shared / "fundus-dev"
    if (fundus / "expected.jsonl").exists():
        for gold in read_jsonl(fundus / "expected.jsonl"):
            pages.append(
                {
                    "id": f"fundus:{gold['file']}",
                    "set": "fundus",
                    "path": fundus / "html" / gold["file"],
                    "url": gold["url"],
                    "body": gold.get("body"),
                    "title": gold.get("title"),
                    "authors": gold.get("authors"),
                    "published": gold.get("published"),
                }
            )
    return pages


def news_false_alarms(nlp, pages: list[dict], n_process: int = 1) -> dict:
    """Tag the pages' gold title and body; {"pages", "incidents": [{"id", "url", "types", "accused",
    "evidence"}]}, one entry per page tagged as an incident."""
    records = [{"id": p["id"], "title": p.get("title"), "body": p.get("body") or ""} for p in pages]
    urls = {p["id"]: p["url"] for p in pages}
    alarms = []
    for tagged in tag_articles(nlp, records, n_process=n_process):
        if tagged.is_incident:
            alarms.append(
                {
                    "id": tagged.id,
                    "url": urls[tagged.id],
                    "language": tagged.language,
                    "types": tagged.incident_types,
                    "accused": [c["name"] for c in tagged.accused],
                    "evidence": tagged.evidence,
                }
            )
    return {"pages": len(pages), "incidents": alarms}
