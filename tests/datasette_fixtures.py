"""A small tagged database for the Datasette tests: the seed story tagged as DESIGN.md says it must be,
plus synthetic articles across sources, incident types, responses and weeks, a syndicated copy, a title
holding markup, crawl runs with errors and organisations the knowledge base lacks.

Built the way the product builds it: `privwatch init`, then storage.db.upsert_article and replace_tags.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from config.settings import StorySettings
from nlp.stories import update_stories
from privwatch.cli import cli
from storage import db as store

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SEED_FILE = SHARED / "seeds" / "000_4ce77443a702f4cc.txt"
SEED_URL = "http://www.szdaily.com/content/2018-01/05/content_3471234.htm"
SEED_TITLE = "Ant apologizes over misleading sign-up"
SCRIPT_TITLE = "<script>alert('pwned')</script> Data broker leaks <b>bold</b> records"
NLP_VERSION = "fixture-1"
# The dashboard over every date: the fixture's articles are from 2018 and 2024, and without a query string
# the dashboard opens on the last 90 days.
DASHBOARD_ALL_TIME = "/-/dashboards/privacy-controversies?date_start="

# The evidence sentences of the seed story, verbatim from its text.
SEED_CONSENT = (
    "But buried at the bottom of its landing page was a small box — checked by default — that "
    "automatically enrolled users to its Sesame Credit unless they opted out."
)
SEED_PROFILING = (
    "Ant Financial’s Alipay kicked off a free service this week to help users generate a consumption "
    "profile, based on their shopping history."
)
SEED_APOLOGY = (
    "“We have used a very stupid way of informing users that only by agreeing to the Sesame Credit terms "
    "can they review their annual Alipay bill, and we apologize for creating upset and panic for users,” "
    "Sesame Credit’s statement said."
)
SEED_DENIAL = (
    "Tencent Holdings Ltd. this week publicly denied it was storing users’ chat histories, after a "
    "high-profile entrepreneur questioned whether it was keeping tabs on private conversations."
)
SEED_ALIBABA = (
    "ANT Financial, the Internet finance behemoth controlled by billionaire Alibaba founder Jack Ma, has "
    "apologized for roping unsuspecting users into its fledgling, but fast-growing credit-score system."
)

SOURCES = ["szdaily", "techcrunch", "theregister", "theverge", "guardian", "bbc", "arstechnica"]
ACCUSED = [
    "meta",
    "google",
    "tencent",
    "ant-group",
    "bytedance",
    "amazon",
    "didi",
    "equifax",
    "uber",
    "clearview-ai",
]
MENTIONED = ["apple", "microsoft", "alibaba", "baidu", "netflix"]
COMPANY_NAMES = {
    "meta": "Meta",
    "google": "Google",
    "tencent": "Tencent",
    "bytedance": "ByteDance",
    "amazon": "Amazon",
    "didi": "Didi",
    "equifax": "Equifax",
    "uber": "Uber",
    "clearview-ai": "Clearview AI",
    "ant-group": "Ant Group",
    "apple": "Apple",
    "microsoft": "Microsoft",
    "alibaba": "Alibaba",
    "baidu": "Baidu",
    "netflix": "Netflix",
}
TYPE_SENTENCES = {
    "consent": "{name} pre-ticked the consent box and buried the data terms deep in its settings.",
    "collection": "{name} collected contact lists and precise location without asking users.",
    "breach": "Hackers stole the personal records of millions of {name} customers in a data breach.",
    "sharing": "{name} sold user data to advertisers and transferred it abroad without valid consent.",
    "surveillance": "{name} used facial recognition to track shoppers and monitored private chats.",
    "profiling": "{name} built credit scores and ad-targeting profiles from browsing history.",
    "enforcement": "The regulator fined {name} and opened an investigation into its data practices.",
}
RESPONSE_SENTENCES = {
    "apology": "{name} apologized and said it was sorry for the distress caused.",
    "denial": "{name} denied any wrongdoing and said the claims were false.",
    "remediation": "{name} said it had fixed the setting and deleted the data.",
    "none": "{name} did not respond to requests for comment.",
}


@dataclass
class FixtureDb:
    path: Path
    seed_id: int
    script_id: int
    duplicate_id: int
    articles: int


def seed_body() -> str:
    """The seed story's text: from the line after its title to the copyright footer."""
    lines = SEED_FILE.read_text(encoding="utf-8").splitlines()
    start = lines.index(SEED_TITLE) + 2
    end = next(i for i, line in enumerate(lines) if line.startswith("深圳报业"))
    return "\n".join(line.strip() for line in lines[start:end] if line.strip())


def _init(path: Path, config_dir: Path | None) -> None:
    args = (["--config-dir", str(config_dir)] if config_dir else []) + ["init", "--db", str(path)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _add(database, article: dict, tags: store.ArticleTags | None) -> int:
    result = store.upsert_article(database, article)
    if tags is not None:
        store.replace_tags(database, result.article_id, tags, NLP_VERSION)
    return result.article_id


def _seed(database) -> int:
    article = {
        "url": SEED_URL,
        "source_id": "szdaily",
        "title": SEED_TITLE,
        "author": None,
        "published": "2018-01-05T00:53:00+00:00",
        "section": "Business_Markets",
        "language": "en",
        "body": seed_body(),
        "extractor": "selectors",
    }
    tags = store.ArticleTags(
        mentions=[
            {"company_id": "ant-group", "role": "accused", "response": "apology", "count": 9,
             "evidence": SEED_APOLOGY},
            {"company_id": "tencent", "role": "accused", "response": "denial", "count": 3,
             "evidence": SEED_DENIAL},
            {"company_id": "alibaba", "role": "mentioned", "response": None, "count": 1,
             "evidence": SEED_ALIBABA},
        ],
        incidents=[
            {"incident_type": "consent", "company_id": "ant-group", "score": 0.97, "evidence": SEED_CONSENT},
            {"incident_type": "profiling", "company_id": "ant-group", "score": 0.88,
             "evidence": SEED_PROFILING},
            {"incident_type": "surveillance", "company_id": "tencent", "score": 0.91,
             "evidence": SEED_DENIAL},
        ],
        unlinked_orgs={"SD-Agencies": 1},
    )  # fmt: skip
    return _add(database, article, tags)


def _severity(number: int) -> dict:
    """A fine on every other story (in euros or yuan), a count of people affected on every third."""
    fine = {}
    if number % 2 == 0:
        amount, currency, rate = (
            ((number + 1) * 1e6, "EUR", 1.08) if number % 4 else ((number + 1) * 1e7, "CNY", 0.14)
        )
        fine = {
            "fine_amount": amount,
            "fine_currency": currency,
            "fine_usd": round(amount * rate, 2),
            "fine_text": f"{amount:,.0f} {currency}",
        }
    affected = {"affected": (number + 1) * 10_000, "affected_text": f"{(number + 1) * 10_000:,} users"}
    return {**fine, **(affected if number % 3 == 0 else {})}


def _synthetic(database, rng: random.Random, number: int) -> int:
    company = ACCUSED[number % len(ACCUSED)]
    name = COMPANY_NAMES[company]
    types = list(TYPE_SENTENCES)
    kinds = [types[number % len(types)]] + ([types[(number + 3) % len(types)]] if number % 4 == 0 else [])
    response = list(RESPONSE_SENTENCES)[number % 4]
    other = MENTIONED[number % len(MENTIONED)]
    week = number % 16
    published = f"2024-{1 + (week * 7 + number % 5) // 28:02d}-{1 + (week * 7 + number % 5) % 28:02d}"
    sentences = [TYPE_SENTENCES[k].format(name=name) for k in kinds]
    reply = RESPONSE_SENTENCES[response].format(name=name)
    aside = f"Analysts compared the case with how {COMPANY_NAMES[other]} handles user data."
    filler = " ".join(rng.choice(["Privacy", "Users", "Critics", "Lawmakers"]) + " " + w for w in (
        "raised concerns.", "asked questions.", "wanted answers.", "demanded change."))  # fmt: skip
    body = "\n".join([*sentences, reply, aside, filler, f"Story number {number}."])
    article = {
        "url": f"https://news.example/{SOURCES[number % len(SOURCES)]}/2024/story-{number}",
        "source_id": SOURCES[number % len(SOURCES)],
        "title": f"{name}: {kinds[0]} controversy, story {number}",
        "author": None if number % 5 == 0 else f"Reporter {number % 7}",
        "published": None if number == 13 else f"{published}T{number % 24:02d}:15:00+00:00",
        "language": "en",
        "body": body,
        "extractor": "trafilatura",
    }
    tags = store.ArticleTags(
        mentions=[
            {"company_id": company, "role": "accused", "response": response, "count": 2, "evidence": reply},
            {"company_id": other, "role": "mentioned", "response": None, "count": 1, "evidence": aside},
        ],
        incidents=[
            {"incident_type": kind, "company_id": company, "score": round(0.5 + rng.random() / 2, 2),
             "evidence": sentence, **_severity(number)}
            for kind, sentence in zip(kinds, sentences, strict=True)
        ],
        unlinked_orgs={"Acme Data Brokers Ltd": 1} if number % 6 == 0 else {},
    )  # fmt: skip
    return _add(database, article, tags)


def _untagged_and_mentions_only(database) -> None:
    for number in range(6):
        _add(
            database,
            {
                "url": f"https://news.example/markets/{number}",
                "source_id": SOURCES[number % len(SOURCES)],
                "title": f"Markets wrap {number}: chip stocks rally",
                "author": "Desk",
                "published": f"2024-03-{10 + number:02d}T09:00:00+00:00",
                "body": "Chip stocks rallied on Tuesday as investors bought Apple and Microsoft shares.",
            },
            store.ArticleTags(
                mentions=[{"company_id": "apple", "role": "mentioned", "count": 1, "evidence": None}]
            )
            if number % 2
            else None,
        )
    _add(
        database,
        {"url": "https://news.example/empty", "source_id": "bbc", "title": "Page without text"},
        None,
    )
    _add(
        database,
        {
            "url": "http://sztqb.sznews.com/content/2018-01/04/content_20910001.htm",
            "source_id": "sztqb",
            "title": "芝麻信用回应年度账单争议",
            "published": "2018-01-04T02:00:00+00:00",
            "language": "zh",
            "body": "芝麻信用表示，将调整年度账单页面的授权方式，不再默认勾选服务协议。",
        },
        None,
    )


def _crawl_runs(database) -> None:
    for source in SOURCES:
        for status in ("ok", "partial" if source in ("bbc", "guardian") else "ok"):
            run_id = store.start_crawl_run(database, source)
            store.add_crawl_counts(database, run_id, pages=12, new=5, duplicates=1)
            if status == "partial":
                store.record_crawl_error(database, run_id, f"https://{source}.example/x", 503, "HTTP 503")
                store.record_crawl_error(database, run_id, f"https://{source}.example/y", None, "timeout")
            store.finish_crawl_run(database, run_id, status)


def build_fixture_db(path: Path, config_dir: Path | None = None, synthetic: int = 40) -> FixtureDb:
    """Create the fixture database at `path` (which must not exist yet)."""
    _init(path, config_dir)
    database = store.open_db(path)
    rng = random.Random(5)
    seed_id = _seed(database)
    for number in range(synthetic):
        _synthetic(database, rng, number)
    script_id = _add(
        database,
        {
            "url": "https://news.example/theregister/2024/markup-title",
            "source_id": "theregister",
            "title": SCRIPT_TITLE,
            "author": "<img src=x onerror=alert(1)>",
            "published": "2024-04-20T10:00:00+00:00",
            "body": "A data broker left <script>alert(2)</script> a database of location records open.",
        },
        store.ArticleTags(
            mentions=[{"company_id": "kochava", "role": "accused", "response": "none", "count": 1,
                       "evidence": "<script>alert(3)</script> Kochava exposed location records."}],
            incidents=[{"incident_type": "breach", "company_id": "kochava", "score": 0.8,
                        "evidence": "<script>alert(3)</script> Kochava exposed location records."}],
        ),
    )  # fmt: skip
    copy = {
        "url": "https://news.example/syndicated/ant-apology",
        "source_id": "guardian",
        "title": "Ant apologises over misleading sign-up (syndicated)",
        "published": "2018-01-05T06:00:00+00:00",
        "body": seed_body(),
    }
    duplicate = store.upsert_article(database, copy)
    assert duplicate.outcome == "duplicate", duplicate
    _untagged_and_mentions_only(database)
    _crawl_runs(database)
    update_stories(database, StorySettings())
    articles = database.execute("SELECT count(*) FROM articles").fetchone()[0]
    database.close()
    return FixtureDb(path, seed_id, script_id, duplicate.article_id, articles)
