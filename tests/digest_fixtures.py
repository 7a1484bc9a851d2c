"""Test databases for the digest: the seed story, a spike, hostile titles, built through storage.db."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from storage.db import ArticleTags, replace_tags, upsert_article

NLP_VERSION = "digest-fixture"

# The seed story (shared/seeds/000_4ce77443a702f4cc.txt): Shenzhen Daily, 2018-01-05 08:53 Asia/Shanghai.
SEED_URL = "http://www.szdaily.com/content/2018-01/05/content_1874381.htm"
SEED_TITLE = "Ant apologizes over misleading sign-up"
ANT_CONSENT = (
    "But buried at the bottom of its landing page was a small box — checked by default — that "
    "automatically enrolled users to its Sesame Credit unless they opted out."
)
ANT_PROFILING = (
    "Ant Financial’s Alipay kicked off a free service this week to help users generate a consumption "
    "profile, based on their shopping history."
)
ANT_APOLOGY = (
    "“We have used a very stupid way of informing users that only by agreeing to the Sesame Credit terms "
    "can they review their annual Alipay bill, and we apologize for creating upset and panic for users,” "
    "Sesame Credit’s statement said."
)
TENCENT_SURVEILLANCE = (
    "Tencent Holdings Ltd. this week publicly denied it was storing users’ chat histories, after a "
    "high-profile entrepreneur questioned whether it was keeping tabs on private conversations."
)
ALIBABA_MENTION = (
    "ANT Financial, the Internet finance behemoth controlled by billionaire Alibaba founder Jack Ma, has "
    "apologized for roping unsuspecting users into its fledgling, but fast-growing credit-score system."
)
SEED_BODY = "\n".join(
    [
        ALIBABA_MENTION,
        ANT_PROFILING + " " + ANT_CONSENT,
        "The subsequent online uproar prompted Ant Financial to change that setting and to call the move "
        "“extremely idiotic,” according to a post on its official social media account late Wednesday.",
        ANT_APOLOGY,
        TENCENT_SURVEILLANCE,
        "Tencent’s WeChat, China’s most popular messenger app, said in a statement Tuesday that it didn’t "
        "keep backups of users’ chat conversations on its servers. (SD-Agencies)",
    ]
)


def seed_story(db: Database) -> int:
    """Store and tag the seed story as the NLP pipeline should; returns the article id."""
    article_id = upsert_article(
        db,
        {
            "url": SEED_URL,
            "source_id": "szdaily",
            "title": SEED_TITLE,
            "published": "2018-01-05T00:53:00+00:00",
            "section": "Business_Markets",
            "language": "en",
            "body": SEED_BODY,
        },
    ).article_id
    tags = ArticleTags(
        mentions=[
            {
                "company_id": "ant-group",
                "role": "accused",
                "response": "apology",
                "count": 9,
                "evidence": ANT_CONSENT,
            },
            {
                "company_id": "tencent",
                "role": "accused",
                "response": "denial",
                "count": 2,
                "evidence": TENCENT_SURVEILLANCE,
            },
            {
                "company_id": "alibaba",
                "role": "mentioned",
                "response": None,
                "count": 1,
                "evidence": ALIBABA_MENTION,
            },
        ],
        incidents=[
            {"incident_type": "consent", "company_id": "ant-group", "score": 0.92, "evidence": ANT_CONSENT},
            {
                "incident_type": "profiling",
                "company_id": "ant-group",
                "score": 0.81,
                "evidence": ANT_PROFILING,
            },
            {
                "incident_type": "surveillance",
                "company_id": "tencent",
                "score": 0.88,
                "evidence": TENCENT_SURVEILLANCE,
            },
        ],
        unlinked_orgs={"SD-Agencies": 1},
        responses=[
            {"company_id": "ant-group", "response": "apology", "evidence": ANT_APOLOGY},
            {"company_id": "tencent", "response": "denial", "evidence": TENCENT_SURVEILLANCE},
        ],
    )
    replace_tags(db, article_id, tags, NLP_VERSION)
    return article_id


def tagged_article(
    db: Database,
    url: str,
    title: str,
    published: datetime | str | None,
    incidents: list[tuple[str, str | None, str]],
    *,
    accused: dict[str, str | None] | None = None,
    unlinked: dict[str, int] | None = None,
    org_incidents: list[tuple[str, str, str]] = (),
    source_id: str | None = "szdaily",
    severity: dict[str, dict] | None = None,
) -> int:
    """Store an article with incidents [(type, company id or None, evidence)] and accused companies
    {company id: response}; every company that carries an incident is accused unless listed. `severity`
    gives a company's incident rows their fine and count of people affected {company id: fields}.
    org_incidents [(type, organisation name, evidence)] accuse organisations the knowledge base lacks
    (stored as unlinked organisations too); `unlinked` names others it only mentions {name: count}."""
    if isinstance(published, datetime):
        published = published.astimezone(UTC).isoformat(timespec="seconds")
    article_id = upsert_article(
        db,
        {
            "url": url,
            "source_id": source_id,
            "title": title,
            "published": published,
            "body": f"{title}\n" + "\n".join(e for _, _, e in [*incidents, *org_incidents]),
        },
    ).article_id
    responses = dict.fromkeys((c for _, c, _ in incidents if c), "none") | (accused or {})
    tags = ArticleTags(
        mentions=[
            {
                "company_id": company_id,
                "role": "accused",
                "response": response,
                "count": 1,
                "evidence": next((e for _, c, e in incidents if c == company_id), None),
            }
            for company_id, response in responses.items()
        ],
        incidents=[
            {"incident_type": t, "company_id": c, "score": 0.9, "evidence": e, **(severity or {}).get(c, {})}
            for t, c, e in incidents
        ]
        + [
            {"incident_type": t, "company_id": None, "org_name": name, "score": 0.9, "evidence": e}
            for t, name, e in org_incidents
        ],
        unlinked_orgs=(unlinked or {}) | {name: 1 for _, name, _ in org_incidents},
        unlinked_accused={name: "none" for _, name, _ in org_incidents},
        responses=[
            {"company_id": company_id, "response": response, "evidence": title}
            for company_id, response in responses.items()
            if response and response != "none"
        ],
    )
    replace_tags(db, article_id, tags, NLP_VERSION)
    return article_id


def spike_articles(db: Database, now: datetime) -> None:
    """Meta-less spike data: Didi x breach spikes (4 in the last day, 1 in the 14 before);
    Tencent x surveillance is busy but steady (3 in the last day, 28 before: mean 2/day) and
    ByteDance x collection has too few articles (2 in the last day, none before)."""
    for n in range(4):
        tagged_article(
            db,
            f"https://news.example/didi-breach-{n}",
            f"Didi breach report {n}",
            now - timedelta(hours=2 + n),
            [("breach", "didi", f"Didi leaked records ({n}).")],
        )
    tagged_article(
        db,
        "https://news.example/didi-breach-old",
        "Didi breach, last week",
        now - timedelta(days=7),
        [("breach", "didi", "Didi leaked records before.")],
    )
    for n in range(3):
        tagged_article(
            db,
            f"https://news.example/tencent-now-{n}",
            f"Tencent tracking {n}",
            now - timedelta(hours=3 + n),
            [("surveillance", "tencent", f"Tencent tracked users ({n}).")],
        )
    for n in range(28):
        tagged_article(
            db,
            f"https://news.example/tencent-before-{n}",
            f"Tencent tracking, earlier {n}",
            now - timedelta(days=2, hours=n * 11),
            [("surveillance", "tencent", f"Tencent tracked users earlier ({n}).")],
        )
    for n in range(2):
        tagged_article(
            db,
            f"https://news.example/bytedance-{n}",
            f"ByteDance collection {n}",
            now - timedelta(hours=1 + n),
            [("collection", "bytedance", f"ByteDance collected contacts ({n}).")],
        )
