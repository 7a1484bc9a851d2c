"""A digest from the database: the period's stories, incidents, watchlists, spikes and crawl trouble."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from privwatch.digest.model import (
    ArticleEntry,
    BlockedSource,
    Digest,
    SelectorMiss,
    Severity,
    Spike,
    StoryEntry,
    UnlinkedOrg,
    WatchedArticle,
    WatchlistSection,
)
from privwatch.digest.period import Period, utc_iso

if TYPE_CHECKING:
    from sqlite_utils import Database


UNLINKED_SHOWN = 25
RETAG_GRACE = timedelta(days=7)
SPIKE_RECENT = timedelta(hours=24)
CRAWL_TROUBLE_WINDOW = timedelta(hours=24)
SPIKE_BASELINE_DAYS = 14
SPIKE_RATIO = 3.0
SPIKE_MIN_ARTICLES = 3
# an article published this long before its period is news to privwatch, not to the world: say so
LATE_PUBLICATION = timedelta(days=2)


def link_or_none(url: str | None) -> str | None:
    """The URL if it is safe to put in an href (http or https with a host), else None."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def published_day(published: str | None, zone: ZoneInfo) -> str:
    """The publication date as the analyst's calendar has it (a date-only value stays as it is)."""
    if not published:
        return "date unknown"
    try:
        moment = datetime.fromisoformat(published)
    except ValueError:
        return published[:10]
    if len(published) <= 10 or moment.tzinfo is None:
        return moment.date().isoformat()
    return moment.astimezone(zone).date().isoformat()


def published_utc(published: str | None) -> str:
    """The publication time as comparable UTC text; a date alone counts as its midnight UTC."""
    try:
        moment = datetime.fromisoformat(published or "")
    except ValueError:
        return ""
    return utc_iso(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def datasette_database_url(base_url: str, database_path: str) -> str:
    """The database's page in Datasette, whose database name is the file's stem."""
    return f"{base_url.rstrip('/')}/{quote(Path(database_path).stem)}"


def datasette_article_url(base_url: str, database_path: str, article_id: int) -> str:
    """The article's row page in Datasette."""
    return f"{datasette_database_url(base_url, database_path)}/articles/{article_id}"


def datasette_feed_url(base_url: str, watchlist_id: str) -> str:
    """The watchlist's Atom feed (config/datasette/plugins/privwatch_feeds.py)."""
    return f"{base_url.rstrip('/')}/-/feeds/watchlists/{quote(watchlist_id)}.atom"


def datasette_story_url(base_url: str, database_path: str, story_id: int) -> str:
    """The story's timeline in Datasette (the `story` canned query)."""
    return f"{datasette_database_url(base_url, database_path)}/story?{urlencode({'story': story_id})}"


def article_entry(row: dict, zone: ZoneInfo, datasette_url: str, database_path: str) -> ArticleEntry:
    return ArticleEntry(
        article_id=row["article_id"],
        title=row["title"] or "(untitled)",
        url=link_or_none(row["url"]),
        raw_url=row["url"] or "",
        source=row["source"] or row["source_id"] or "unknown source",
        published=published_day(row["published"], zone),
        published_at=published_utc(row["published"]),
        datasette_url=datasette_article_url(datasette_url, database_path, row["article_id"]),
        response=row.get("response"),
        first_seen=published_day(row.get("fetched_at"), zone) if row.get("fetched_at") else "",
        severity=Severity.of(row),
    )


def watched_article(
    rows: list[dict], zone: ZoneInfo, datasette_url: str, database_path: str
) -> WatchedArticle:
    """An article from its rows of a watchlist's incidents (strongest first)."""
    entry = article_entry(rows[0], zone, datasette_url, database_path)
    for row in rows:
        entry.add_evidence(row["incident_type"], row["evidence"])
    return WatchedArticle(entry, list(dict.fromkeys(row["company"] for row in rows if row["company"])))


def _watchlist_sections(
    db: Database, bounds: tuple[str, str, str], zone: ZoneInfo, datasette_url: str, database_path: str
) -> list[WatchlistSection]:
    from storage.watchlists import period_watchlist_incidents

    rows: dict[str, dict[int, list[dict]]] = {}
    names = {}
    for row in period_watchlist_incidents(db, *bounds):
        names[row["watchlist_id"]] = row["watchlist"]
        rows.setdefault(row["watchlist_id"], {}).setdefault(row["article_id"], []).append(row)
    return [
        WatchlistSection(
            watchlist_id,
            names[watchlist_id],
            datasette_feed_url(datasette_url, watchlist_id),
            [watched_article(found, zone, datasette_url, database_path) for found in articles.values()],
        )
        for watchlist_id, articles in rows.items()
    ]


def build_digest(
    db: Database, period: Period, *, zone: ZoneInfo, datasette_url: str, database_path: str
) -> Digest:
    from nlp.names import plausible_org_name
    from storage import digests as queries

    bounds = (period.start_iso, period.end_iso, utc_iso(period.start - RETAG_GRACE))
    stories = _period_stories(db, bounds, zone=zone, datasette_url=datasette_url, database_path=database_path)
    story_of = {a.article_id: story for story in stories for a in story.articles}
    strongest: dict[tuple[int, str], float] = {}
    unattributed: dict[int, ArticleEntry] = {}
    incident_count = 0
    for row in queries.period_incidents(db, *bounds):
        incident_count += bool(row["incident_type"])
        story, company, score = story_of.get(row["article_id"]), row["company"], row["score"] or 0
        if story and company and row["evidence"] and score > strongest.get((story.story_id, company), -1):
            strongest[(story.story_id, company)] = score
            story.evidence[company] = row["evidence"]
        if row["company"] is None and story is None:
            entry = unattributed.get(row["article_id"])
            if entry is None:
                entry = unattributed[row["article_id"]] = article_entry(
                    row, zone, datasette_url, database_path
                )
            entry.add_evidence(row["incident_type"], row["evidence"])
            entry.severity = entry.severity | Severity.of(row)
    for story in stories:
        for company, _, sentence in story.new_responses:
            story.evidence[company] = sentence or story.evidence.get(company)
    unlinked = [
        UnlinkedOrg(r["name"], r["articles"], r["mentions"])
        for r in queries.period_unlinked_orgs(db, *bounds)
        if plausible_org_name(r["name"])
    ]
    digest = Digest(
        period=period,
        article_count=queries.period_article_count(db, *bounds),
        incident_count=incident_count,
        stories=stories,
        # the largest first (a stated fine, then people affected), then the newest
        unattributed=sorted(
            sorted(unattributed.values(), key=lambda a: (a.published_at, a.article_id), reverse=True),
            key=lambda a: a.severity.rank,
        ),
        spikes=find_spikes(db, period.end),
        unlinked_orgs=unlinked[:UNLINKED_SHOWN],
        unlinked_total=len(unlinked),
        selector_misses=[
            SelectorMiss(r["source_id"], r["source"], r["message"])
            for r in queries.selector_misses(db, utc_iso(period.end - CRAWL_TROUBLE_WINDOW), period.end_iso)
        ],
        watchlists=_watchlist_sections(db, bounds, zone, datasette_url, database_path),
        blocked_sources=[
            BlockedSource(r["source_id"], r["source"], r["error"])
            for r in queries.blocked_sources(db, utc_iso(period.end - CRAWL_TROUBLE_WINDOW), period.end_iso)
        ],
        database_url=datasette_database_url(datasette_url, database_path),
    )
    late_before = utc_iso(period.start - LATE_PUBLICATION)
    for article in digest.articles():
        article.late = bool(article.published_at) and article.published_at < late_before
    return digest


def _period_stories(
    db: Database, bounds: tuple[str, str, str], *, zone: ZoneInfo, datasette_url: str, database_path: str
) -> list[StoryEntry]:
    """The stories with original articles in the period (a story that only gained syndicated copies has
    none), new ones first, then by the largest fine or count of people affected, then by articles in the
    period."""
    import json

    from storage import digests as queries

    rows = queries.period_story_articles(db, *bounds)
    by_story: dict[int, list[dict]] = {}
    for row in rows:
        by_story.setdefault(row["story_id"], []).append(row)
    stories = []
    for story in queries.stories_with_first_reports(db, list(by_story)):
        articles = by_story[story["id"]]
        first = {
            "article_id": story["first_article_id"],
            "title": story["first_title"],
            "url": story["first_url"],
            "published": story["first_published"],
            "source": story["first_source"],
            "source_id": None,
        }
        entry = StoryEntry(
            story_id=story["id"],
            title=story["title"] or "(untitled)",
            datasette_url=datasette_story_url(datasette_url, database_path, story["id"]),
            first_report=article_entry(first, zone, datasette_url, database_path),
            accused=json.loads(story["accused"] or "[]"),
            types=json.loads(story["types"] or "[]"),
            latest_responses=story["latest_responses"],
            earlier=story["originals"] - len(articles),
            outlets=story["outlets"],
        )
        for row in articles:
            article = article_entry(row, zone, datasette_url, database_path)
            article.types = sorted((row["types"] or "").split(",")) if row["types"] else []
            article.response = ", ".join(sorted(row["responses"].split(","))) if row["responses"] else None
            entry.articles.append(article)
        stories.append(entry)
    by_id = {story.story_id: story for story in stories}
    for response in queries.story_responses_of_articles(db, [r["article_id"] for r in rows]):
        story = by_id.get(response["story_id"])
        if story and not story.is_new:
            story.new_responses.append((response["company"], response["response"], response["evidence"]))
    # within new stories and within updates, the largest first (a stated fine in US dollars, then people
    # affected), then the busiest
    stories.sort(
        key=lambda s: (not s.is_new, *s.severity.rank, -len(s.articles), s.title.casefold(), s.story_id)
    )
    return stories


def find_spikes(db: Database, end: datetime) -> list[Spike]:
    """Company x incident type pairs whose last 24 h of articles reach SPIKE_RATIO x their daily mean."""
    from storage.digests import incident_counts_by_day_window

    recent_start = end - SPIKE_RECENT
    window_start = recent_start - timedelta(days=SPIKE_BASELINE_DAYS)
    rows = incident_counts_by_day_window(
        db, utc_iso(window_start), utc_iso(recent_start), utc_iso(end), SPIKE_MIN_ARTICLES
    )
    spikes = []
    for row in rows:
        # recent >= ratio x (earlier / days), multiplied out so no float rounding decides a borderline case
        if row["recent"] * SPIKE_BASELINE_DAYS >= SPIKE_RATIO * row["earlier"]:
            mean = row["earlier"] / SPIKE_BASELINE_DAYS
            spikes.append(Spike(row["company"], row["incident_type"], row["recent"], mean))
    return spikes
