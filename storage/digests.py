"""Read queries for the daily digest (privwatch/digest/ decides what they mean and renders them).

Times are ISO 8601 strings in UTC, as storage writes them (`2025-03-21T07:30:00+00:00`). The articles of
a period are those *tagged* in [since, until) and fetched at or after `fetched_since`; duplicates
(syndicated copies) never count. The period bounds compare as text against `tagged_at` and `fetched_at`
(both written by storage in that one format, so the tagged_at index serves the query); publication dates
come in several ISO forms (date only, with an offset) and compare through julianday().
"""

from __future__ import annotations

import json

from sqlite_utils import Database

# The articles of a period, as a CTE; every period query below starts with it.
PERIOD_ARTICLES = """
WITH period_articles AS (
    SELECT id FROM articles
    WHERE tagged_at >= :since AND tagged_at < :until
      AND fetched_at >= :fetched_since
      AND duplicate_of IS NULL
)
"""


def _period(since: str, until: str, fetched_since: str) -> dict[str, str]:
    return {"since": since, "until": until, "fetched_since": fetched_since}


def last_period_end(db: Database) -> str | None:
    """The end of the latest period a digest was sent for, or None before the first digest."""
    return db.execute("SELECT max(period_end) FROM digests").fetchone()[0]


def digest_covering(db: Database, since: str, until: str) -> dict | None:
    """The latest recorded digest whose period contains [since, until) entirely, if any."""
    rows = list(
        db.query(
            """SELECT id, period_start, period_end, sent_at, recipients, items, message_id FROM digests
               WHERE period_start <= :since AND period_end >= :until
               ORDER BY sent_at DESC, id DESC LIMIT 1""",
            {"since": since, "until": until},
        )
    )
    return rows[0] if rows else None


def period_article_count(db: Database, since: str, until: str, fetched_since: str) -> int:
    """How many articles (not duplicates) the period brought."""
    sql = PERIOD_ARTICLES + "SELECT count(*) FROM period_articles"
    return db.execute(sql, _period(since, until, fetched_since)).fetchone()[0]


def period_incidents(db: Database, since: str, until: str, fetched_since: str) -> list[dict]:
    """One row per article x company x incident type in the period, with the article and the response.

    company_id is None for an incident no known company carries (company is then the name of an accused
    organisation the knowledge base lacks, if any). An accused company with no incident type of its own
    comes as one row with incident_type None (its evidence is the mention's sentence). Each row has the
    incident's fine and count of people affected (None when the article states none).
    """
    sql = (
        PERIOD_ARTICLES
        + """
SELECT ai.article_id, ai.company_id, coalesce(c.name, ai.org_name) AS company, ai.incident_type,
       it.label AS incident_label,
       ai.score, ai.evidence, m.response, m.role,
       a.title, a.url, a.published, a.fetched_at, a.source_id, s.name AS source,
       ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.affected
FROM article_incidents ai
JOIN period_articles p ON p.id = ai.article_id
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN incident_types it ON it.id = ai.incident_type
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
UNION ALL
SELECT m.article_id, m.company_id, c.name, NULL, NULL,
       NULL, m.evidence, m.response, m.role,
       a.title, a.url, a.published, a.fetched_at, a.source_id, s.name,
       NULL, NULL, NULL, NULL
FROM mentions m
JOIN period_articles p ON p.id = m.article_id
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
LEFT JOIN sources s ON s.id = a.source_id
WHERE m.role = 'accused' AND NOT EXISTS (
    SELECT 1 FROM article_incidents ai WHERE ai.article_id = m.article_id AND ai.company_id = m.company_id
)
ORDER BY 1, 2, 4
"""
    )
    return list(db.query(sql, _period(since, until, fetched_since)))


def period_unlinked_orgs(db: Database, since: str, until: str, fetched_since: str) -> list[dict]:
    """Organisations the knowledge base lacks that are accused in an incident of the period's articles,
    most seen first: name, articles (how many such articles), mentions (how often they name it)."""
    sql = (
        PERIOD_ARTICLES
        + """
SELECT u.name, count(DISTINCT u.article_id) AS articles, sum(u.count) AS mentions
FROM unlinked_orgs u JOIN period_articles p ON p.id = u.article_id
WHERE EXISTS (SELECT 1 FROM article_incidents ai WHERE ai.article_id = u.article_id AND ai.org_name = u.name)
GROUP BY u.name
ORDER BY articles DESC, mentions DESC, u.name COLLATE NOCASE
"""
    )
    return list(db.query(sql, _period(since, until, fetched_since)))


def incident_counts_by_day_window(
    db: Database, window_start: str, recent_start: str, window_end: str, min_recent: int
) -> list[dict]:
    """Per company x incident type, the articles published in [recent_start, window_end) (`recent`) and
    in [window_start, recent_start) (`earlier`), for the pairs with at least `min_recent` recent articles.

    Counted by publication date over every stored article (not only the period's): a spike is about the
    news, not about when privwatch fetched it.
    """
    sql = """
SELECT ai.company_id, c.name AS company, ai.incident_type, it.label AS incident_label,
       count(DISTINCT CASE WHEN julianday(a.published) >= julianday(:recent_start)
                           THEN ai.article_id END) AS recent,
       count(DISTINCT CASE WHEN julianday(a.published) < julianday(:recent_start)
                           THEN ai.article_id END) AS earlier
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
JOIN companies c ON c.id = ai.company_id
LEFT JOIN incident_types it ON it.id = ai.incident_type
WHERE a.duplicate_of IS NULL
  -- a coarse text bound first, so the published index narrows the scan; then the exact one
  AND a.published >= date(:window_start, '-1 day')
  AND julianday(a.published) >= julianday(:window_start)
  AND julianday(a.published) < julianday(:window_end)
GROUP BY ai.company_id, ai.incident_type
HAVING recent >= :min_recent
ORDER BY recent DESC, c.name COLLATE NOCASE, ai.incident_type
"""
    params = {
        "window_start": window_start,
        "recent_start": recent_start,
        "window_end": window_end,
        "min_recent": min_recent,
    }
    return list(db.query(sql, params))


def period_story_articles(db: Database, since: str, until: str, fetched_since: str) -> list[dict]:
    """The period's articles that are in a story, one row each: the story, the article, its incident
    types and its responses, its largest fine (amount, currency, approximate US dollars) and count of
    people affected."""
    sql = (
        PERIOD_ARTICLES
        + """
SELECT sa.story_id, a.id AS article_id, a.title, a.url, a.published, a.fetched_at, a.source_id,
    s.name AS source,
    (SELECT group_concat(DISTINCT ai.incident_type) FROM article_incidents ai WHERE ai.article_id = a.id)
        AS types,
    (SELECT group_concat(DISTINCT r.response) FROM article_responses r WHERE r.article_id = a.id)
        AS responses,
    (SELECT max(ai.affected) FROM article_incidents ai WHERE ai.article_id = a.id) AS affected,
    (SELECT max(ai.fine_usd) FROM article_incidents ai WHERE ai.article_id = a.id) AS fine_usd,
    (SELECT ai.fine_amount FROM article_incidents ai WHERE ai.article_id = a.id AND ai.fine_usd IS NOT NULL
        ORDER BY ai.fine_usd DESC LIMIT 1) AS fine_amount,
    (SELECT ai.fine_currency FROM article_incidents ai WHERE ai.article_id = a.id AND ai.fine_usd IS NOT NULL
        ORDER BY ai.fine_usd DESC LIMIT 1) AS fine_currency
FROM period_articles p
JOIN story_articles sa ON sa.article_id = p.id
JOIN articles a ON a.id = p.id
LEFT JOIN sources s ON s.id = a.source_id
ORDER BY sa.story_id, a.published DESC, a.id DESC
"""
    )
    return list(db.query(sql, _period(since, until, fetched_since)))


def stories_with_first_reports(db: Database, story_ids: list[int]) -> list[dict]:
    """The stories' rows, each with its first report (headline, URL, source, date) and its number of
    original articles."""
    sql = """
SELECT st.*, a.title AS first_title, a.url AS first_url, a.published AS first_published,
    coalesce(s.name, a.source_id) AS first_source
FROM stories st
LEFT JOIN articles a ON a.id = st.first_article_id
LEFT JOIN sources s ON s.id = a.source_id
WHERE st.id IN (SELECT value FROM json_each(:ids))
"""
    return list(db.query(sql, {"ids": json.dumps(story_ids)}))


def story_responses_of_articles(db: Database, article_ids: list[int]) -> list[dict]:
    """Responses that first appeared in one of these articles (story_responses rows), oldest first."""
    sql = """
SELECT story_id, company, response, first_seen, article_id, evidence FROM story_responses
WHERE article_id IN (SELECT value FROM json_each(:ids))
ORDER BY story_id, first_seen, company, response
"""
    return list(db.query(sql, {"ids": json.dumps(article_ids)}))


def selector_misses(db: Database, since: str, until: str) -> list[dict]:
    """The sources whose selectors matched nothing on some pages of a crawl run that recorded it in
    (since, until]: source_id, source (its name), and the message of its latest such run."""
    sql = """
SELECT r.source_id, coalesce(s.name, r.source_id) AS source, w.message, max(w.id) AS latest
FROM crawl_warnings w
JOIN crawl_runs r ON r.id = w.run_id
LEFT JOIN sources s ON s.id = r.source_id
WHERE w.kind = 'selector_miss' AND w.at > :since AND w.at <= :until
GROUP BY r.source_id  -- with max(), SQLite takes the bare columns from the latest warning's row
ORDER BY r.source_id
"""
    return list(db.query(sql, {"since": since, "until": until}))


def blocked_sources(db: Database, since: str, until: str) -> list[dict]:
    """The sources whose latest crawl run finished in (since, until] was blocked (robots.txt forbids their
    start URLs): source_id, source (its name), and the run's error."""
    sql = """
SELECT r.source_id, coalesce(s.name, r.source_id) AS source, r.error
FROM crawl_runs r
LEFT JOIN sources s ON s.id = r.source_id
WHERE r.status = 'blocked' AND r.id IN (
    SELECT max(id) FROM crawl_runs WHERE finished > :since AND finished <= :until GROUP BY source_id)
ORDER BY r.source_id
"""
    return list(db.query(sql, {"since": since, "until": until}))
