"""Watchlists and their alerts: the rows, the matches owed as alerts, and what became of each alert.

The matching itself is the watchlist_incidents view (migration 0013_alerts); privwatch/alerts.py decides
what to send and sends it. Times are UTC ISO 8601 text, as storage writes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlite_utils import Database

from storage.digests import PERIOD_ARTICLES

# A claim older than this belongs to a sender that died: another run may take its alerts over. Sending
# one alert takes a few attempts of smtp.timeout or alerts.webhook_timeout at most.
CLAIM_TIMEOUT_SECONDS = 3600
LIST_COLUMNS = ("companies", "types", "terms", "term_patterns")


def term_pattern(term: str) -> str:
    """The GLOB pattern that finds a search term in ' ' || lower(title || ' ' || body) || ' '.

    Lower-cased like SQLite's lower() (ASCII letters only); a term that starts or ends with a Latin letter
    or digit must start or end a word there (so "meta" does not match "metadata"); Chinese terms match
    anywhere, as Chinese is written without spaces.
    """
    text = "".join(c.lower() if c.isascii() else c for c in term.strip())
    escaped = "".join(f"[{c}]" if c in "*?[" else c for c in text)
    left = "[^a-z0-9]" if text[:1].isascii() and text[:1].isalnum() else ""
    right = "[^a-z0-9]" if text[-1:].isascii() and text[-1:].isalnum() else ""
    return f"*{left}{escaped}{right}*"


def sync_watchlists(db: Database, watchlists: list[dict], now: str) -> None:
    """Upsert the configured watchlists (id, name, delivery, companies, types, terms, term_patterns as
    lists) and deactivate the others. A watchlist keeps its added_at while it stays configured."""
    rows = [
        {**w, **{k: json.dumps(w.get(k) or [], ensure_ascii=False) for k in LIST_COLUMNS}, "now": now}
        for w in watchlists
    ]
    db.conn.executemany(
        """INSERT INTO watchlists
    (id, name, delivery, companies, types, terms, term_patterns, active, added_at)
VALUES (:id, :name, :delivery, :companies, :types, :terms, :term_patterns, 1, :now)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, delivery = excluded.delivery,
    companies = excluded.companies, types = excluded.types, terms = excluded.terms,
    term_patterns = excluded.term_patterns, active = 1,
    added_at = CASE WHEN watchlists.active THEN watchlists.added_at ELSE excluded.added_at END""",
        rows,
    )
    db.execute(
        "UPDATE watchlists SET active = 0 WHERE active AND id NOT IN (SELECT value FROM json_each(?))",
        [json.dumps([w["id"] for w in watchlists])],
    )


# -- alerts owed ------------------------------------------------------------------------------------------


def new_matches(db: Database, watchlist_id: str, channel: str, stored_since: str) -> list[int]:
    """Articles that match the watchlist, were stored (fetched_at) since `stored_since` and since the
    watchlist was added, and have no alert on this channel yet; oldest first."""
    sql = """
SELECT a.id FROM articles a
JOIN watchlists w ON w.id = :watchlist
JOIN watchlist_incidents wi ON wi.watchlist_id = w.id AND wi.article_id = a.id
WHERE a.tagged_at >= :since AND a.fetched_at >= :since AND a.fetched_at >= w.added_at
  -- the unary + keeps SQLite on the tagged_at index: nearly every article has no duplicate_of
  AND +a.duplicate_of IS NULL
  AND NOT EXISTS (SELECT 1 FROM alerts al
      WHERE al.watchlist_id = w.id AND al.article_id = a.id AND al.channel = :channel)
"""
    params = {"watchlist": watchlist_id, "channel": channel, "since": stored_since}
    # distinct and sorted here: in SQL either would walk every article in rowid order
    return sorted({row[0] for row in db.execute(sql, params)})


def queue_alerts(db: Database, watchlist_id: str, channel: str, article_ids: Iterable[int], now: str) -> int:
    """Record alerts as owed; one that exists already (whatever became of it) is left as it is."""
    with db.atomic():
        return db.conn.executemany(
            "INSERT OR IGNORE INTO alerts (watchlist_id, article_id, channel, queued_at) VALUES (?, ?, ?, ?)",
            [(watchlist_id, article_id, channel, now) for article_id in article_ids],
        ).rowcount


def claim_owed(db: Database, claim: str, now: str, stale_before: str) -> list[dict]:
    """Take every owed alert no other running sender holds (or whose sender's claim went stale); the
    claimed rows, oldest first."""
    with db.atomic():
        db.execute(
            """UPDATE alerts SET claim = :claim, claimed_at = :now
WHERE status = 'owed' AND (claim IS NULL OR claimed_at < :stale)""",
            {"claim": claim, "now": now, "stale": stale_before},
        )
    return list(
        db.query(
            "SELECT id, watchlist_id, article_id, channel, attempts FROM alerts WHERE claim = ? ORDER BY id",
            [claim],
        )
    )


def owed_alerts(db: Database) -> list[dict]:
    """Every owed alert, claimed or not (what a dry run would send), oldest first."""
    return list(
        db.query(
            "SELECT id, watchlist_id, article_id, channel, attempts FROM alerts "
            "WHERE status = 'owed' ORDER BY id"
        )
    )


def owed_count(db: Database) -> int:
    return db.execute("SELECT count(*) FROM alerts WHERE status = 'owed'").fetchone()[0]


def matching_incidents(db: Database, watchlist_id: str, article_ids: list[int]) -> list[dict]:
    """The watchlist's incident rows of these articles with the article, its source's name and its story
    (story_id and story_title, None outside a story); strongest first within an article."""
    sql = """
SELECT wi.article_id, wi.company, wi.company_id, wi.incident_type, wi.evidence, wi.score, wi.response,
    a.title, a.url, a.published, a.source_id, wi.source, sa.story_id, st.title AS story_title
FROM watchlist_incidents wi
JOIN articles a ON a.id = wi.article_id
LEFT JOIN story_articles sa ON sa.article_id = wi.article_id
LEFT JOIN stories st ON st.id = sa.story_id
WHERE wi.watchlist_id = :watchlist AND wi.article_id IN (SELECT value FROM json_each(:ids))
ORDER BY wi.article_id, wi.score DESC, wi.company, wi.incident_type
"""
    return list(db.query(sql, {"watchlist": watchlist_id, "ids": json.dumps(article_ids)}))


def record_sent(
    db: Database, alert_ids: list[int], now: str, sent_to: str, message_id: str | None = None
) -> None:
    _record(db, alert_ids, now, status="sent", sent_at=now, sent_to=sent_to, message_id=message_id)


def record_failure(db: Database, alert_ids: list[int], now: str, error: str) -> None:
    """An attempt that failed: the alerts stay owed for the next run."""
    _record(db, alert_ids, now, status="owed", error=error)


def record_dropped(db: Database, alert_ids: list[int], now: str, reason: str) -> None:
    """Alerts that will never be sent (nowhere to send them, or the article no longer matches)."""
    _record(db, alert_ids, now, status="dropped", error=reason, attempt=False)


def _record(db: Database, alert_ids: list[int], now: str, *, attempt: bool = True, **values) -> None:
    assignments = "".join(f", {column} = :{column}" for column in values)
    tried = ", attempts = attempts + 1, last_attempt_at = :now" if attempt else ""
    with db.atomic():
        db.execute(
            f"""UPDATE alerts SET claim = NULL, claimed_at = NULL{tried}{assignments}
WHERE id IN (SELECT value FROM json_each(:ids))""",
            {**values, "now": now, "ids": json.dumps(alert_ids)},
        )


# -- the digest's watchlist sections ------------------------------------------------------------------


def period_watchlist_incidents(db: Database, since: str, until: str, fetched_since: str) -> list[dict]:
    """The incident rows of the period's articles (storage/digests.py's period) that match a watchlist
    with digest delivery, by watchlist (in name order), then article (newest first), strongest first."""
    sql = (
        PERIOD_ARTICLES
        + """
SELECT wi.watchlist_id, wi.watchlist, wi.article_id, wi.company, wi.company_id, wi.incident_type,
    wi.evidence, wi.score, wi.response, a.title, a.url, a.published, a.fetched_at, a.source_id, wi.source
FROM watchlist_incidents wi
JOIN period_articles p ON p.id = wi.article_id
JOIN watchlists w ON w.id = wi.watchlist_id AND w.delivery = 'digest'
JOIN articles a ON a.id = wi.article_id
ORDER BY wi.watchlist COLLATE NOCASE, wi.watchlist_id, a.published DESC, a.id DESC, wi.score DESC
"""
    )
    return list(db.query(sql, {"since": since, "until": until, "fetched_since": fetched_since}))
