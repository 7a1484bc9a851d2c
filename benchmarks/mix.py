"""A realistic benchmark corpus: about 5% privacy incidents among ordinary news.

In a real finance and tech news flow only a few articles in a hundred concern privacy at all, so a tagger
that is fast on those and slow on the rest, or the reverse, shows only on a mix like this one:
- incidents: the incident articles of the dev gold set (tests/nlp_gold/dev.jsonl);
- ordinary news, half of it real: the gold bodies of the extraction benchmark's news pages
  (../shared/bench/extraction, read through nlp.evaluate.read_news_pages, never copied here), and half
  generated from the templates of benchmarks/data/ordinary_news.yaml with the knowledge base's company
  names (earnings, launches, deals, markets...; nothing about personal data).
Records are {"id", "title", "body", "is_incident"}, shuffled; an article used more than once carries its
repeat number in its id and title, so every text is distinct (privwatch tags an exact copy once).
"""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from config.knowledge import CompaniesFile
from config.models import Config
from nlp.evaluate import NEWS_PAGES_DIR, read_gold, read_news_pages

ROOT = Path(__file__).resolve().parent.parent
DEV_GOLD = ROOT / "tests" / "nlp_gold" / "dev.jsonl"
TEMPLATES = Path(__file__).resolve().parent / "data" / "ordinary_news.yaml"
# sectors whose ordinary news is still often about data and tracking: no subject for the generated articles
SECTORS_LEFT_OUT = {"data-broker", "adtech", "security"}
# mix size when the real news pages are absent and no count is given
FALLBACK_COUNT = 400


class Topic(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sectors: list[str] = []  # knowledge-base sectors of the companies it suits; [] = any
    headlines: list[str] = Field(min_length=1)
    sentences: list[str] = Field(min_length=6)


class OrdinaryNews(BaseModel):
    model_config = ConfigDict(extra="forbid")
    people: list[str] = Field(min_length=2)
    firms: list[str] = Field(min_length=1)
    cities: list[str] = Field(min_length=1)
    indexes: list[str] = Field(min_length=1)
    months: list[str] = Field(min_length=12, max_length=12)
    quarters: list[str] = Field(min_length=4, max_length=4)
    weekdays: list[str] = Field(min_length=1)
    products: list[str] = Field(min_length=1)  # for a company the knowledge base lists none of
    general: list[str] = Field(min_length=9)
    topics: dict[str, Topic] = Field(min_length=1)


def read_templates(path: Path = TEMPLATES) -> OrdinaryNews:
    return OrdinaryNews.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


class _Slots(dict):
    """The values of one sentence's slots: the article's own (company, people...) and figures drawn as
    the template asks for them."""

    def __init__(self, rng: random.Random, fixed: dict[str, str]):
        super().__init__(fixed)
        self.rng = rng

    def __missing__(self, key: str) -> str:
        rng = self.rng
        draws = {
            "amount": lambda: f"{rng.uniform(1.2, 95.0):.1f}",
            "amount2": lambda: f"{rng.uniform(1.2, 95.0):.1f}",
            "small": lambda: f"{rng.uniform(0.2, 9.9):.1f}",
            "few": lambda: str(rng.randint(2, 12)),
            "pct": lambda: f"{rng.uniform(0.4, 38.0):.1f}",
            "pct2": lambda: f"{rng.uniform(0.4, 38.0):.1f}",
            "count": lambda: f"{rng.randint(120, 9800):,}",
            "price": lambda: f"{rng.uniform(8.0, 420.0):.2f}",
        }
        if key not in draws:
            raise KeyError(f"{TEMPLATES.name}: unknown slot {{{key}}}")
        return draws[key]()


def ordinary_articles(
    count: int, seed: int = 18, kb: CompaniesFile | None = None, templates: OrdinaryNews | None = None
) -> list[dict]:
    """`count` generated finance and tech articles {"id", "title", "body"} of 6 to 15 sentences, each
    about one knowledge-base company."""
    rng = random.Random(seed)
    kb = kb or Config().knowledge_base
    news = templates or read_templates()
    companies = [c for c in kb.companies if c.sector not in SECTORS_LEFT_OUT]
    topics = list(news.topics.values())
    articles = []
    for number in range(count):
        topic = rng.choice(topics)
        suited = [c for c in companies if not topic.sectors or c.sector in topic.sectors] or companies
        company, other = rng.choice(suited), rng.choice(companies)
        while other.id == company.id:
            other = rng.choice(companies)
        person, person2 = rng.sample(news.people, 2)
        year = rng.choice([2024, 2025, 2026])
        fixed = {
            "company": company.name,
            "other": other.name,
            "product": rng.choice([p for p in company.products if p.isascii()] or news.products),
            "person": person,
            "person2": person2,
            "firm": rng.choice(news.firms),
            "city": rng.choice(news.cities),
            "index": rng.choice(news.indexes),
            "month": rng.choice(news.months),
            "quarter": rng.choice(news.quarters),
            "weekday": rng.choice(news.weekdays),
            "year": str(year),
            "next_year": str(year + 1),
        }
        length = rng.randint(6, 15)
        # the topic's sentences in their written order, general ones slipped in after the lead
        chosen = min(len(topic.sentences), rng.randint(5, length))
        own = sorted(rng.sample(range(len(topic.sentences)), chosen))
        sentences = [topic.sentences[i] for i in own]
        for general in rng.sample(news.general, length - len(own)):
            sentences.insert(rng.randint(1, len(sentences)), general)
        text = [s.format_map(_Slots(rng, fixed)) for s in sentences]
        paragraphs, start = [], 0
        while start < len(text):
            size = rng.randint(1, 3)
            paragraphs.append(" ".join(text[start : start + size]))
            start += size
        title = rng.choice(topic.headlines).format_map(_Slots(rng, fixed))
        articles.append({"id": f"generated:{number:05d}", "title": title, "body": "\n\n".join(paragraphs)})
    return articles


def _headline(body: str, words: int = 12) -> str:
    """A title for a page whose gold has none: the opening words of its first sentence."""
    first = re.split(r"(?<=[.!?])\s|\n", body.strip(), maxsplit=1)[0].split()
    return " ".join(first[:words]).rstrip(".,;:") + (" ..." if len(first) > words else "")


def real_news(directory: Path | str = NEWS_PAGES_DIR) -> list[dict]:
    """The extraction benchmark's news pages as {"id", "title", "body"}: their gold title and body."""
    return [
        {"id": page["id"], "title": page.get("title") or _headline(page["body"]), "body": page["body"]}
        for page in read_news_pages(directory)
        if page.get("body")
    ]


def incident_articles(gold: Path = DEV_GOLD) -> list[dict]:
    """The incident articles of a gold set as {"id", "title", "body"}."""
    records = read_gold(gold)
    return [{"id": r["id"], "title": r["title"], "body": r["body"]} for r in records if r["is_incident"]]


def repeated(records: list[dict], count: int) -> list[dict]:
    """`count` records going round `records` in order; each round after the first numbers the titles
    ("Title (2)") and ids ("id#1") so that no two texts are the same."""
    rounds = (divmod(i, len(records)) for i in range(count))
    return [
        {
            **records[at],
            "id": f"{records[at]['id']}#{round_}",
            "title": f"{records[at]['title']} ({round_ + 1})" if round_ else records[at]["title"],
        }
        for round_, at in rounds
    ]


def mix_articles(
    count: int | None = None,
    incident_share: float = 0.05,
    seed: int = 18,
    real_share: float = 0.5,
    news_dir: Path | str = NEWS_PAGES_DIR,
) -> list[dict]:
    """`count` shuffled articles {"id", "title", "body", "is_incident"}, round(count * incident_share) of
    them incidents; of the ordinary ones, real_share real news pages and the rest generated. Without a
    count: the size at which every real page is used once. Without the real pages (news_dir absent),
    the ordinary ones are all generated, and one line says so."""
    rng = random.Random(seed)
    real = real_news(news_dir)
    if not real:
        print(f"mix: no news pages in {news_dir}; the ordinary articles are all generated")
    if count is None:
        count = round(math.ceil(len(real) / real_share) / (1 - incident_share)) if real else FALLBACK_COUNT
    incidents = incident_articles()
    incident_count = round(count * incident_share)
    ordinary_count = count - incident_count
    real_count = round(ordinary_count * real_share) if real else 0
    picked = repeated(rng.sample(incidents, len(incidents)), incident_count)
    ordinary = repeated(rng.sample(real, len(real)), real_count) + ordinary_articles(
        ordinary_count - real_count, seed
    )
    mix = [{**a, "is_incident": True} for a in picked] + [{**a, "is_incident": False} for a in ordinary]
    rng.shuffle(mix)
    return mix
