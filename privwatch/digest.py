"""The daily digest: what is new since the last digest, by story, with evidence and links.

Decisions an analyst or operator may want to know:

- **The period** is half-open, [since, until), in UTC. By default it starts where the last recorded digest
  ended (`digests.period_end`), or 24 hours before `until` when there is none, and ends now.
- **An article is in the period** when it was *tagged* within it (`articles.tagged_at`): that is when its
  incidents became visible to analysts, so an article crawled late or tagged after an NLP outage is not
  lost, whatever its publication date. The digest shows the article's *published* date. A re-tag (a new
  NLP version) rewrites `tagged_at`, so to keep a bulk re-tag of the archive out of the next digest, the
  article must also have been fetched (first stored, or its body last changed) no more than
  `RETAG_GRACE` before the period starts. Syndicated copies (`duplicate_of` set) never count.
- **Grouping**: one section per story (nlp/stories.py: one controversy of one accused company or set,
  across outlets and days) with original articles in the period: "New story" when all its articles are
  in the period, else "Update: 3 more articles, Tencent now denies" (a response that first appeared in
  the period). Each shows the one evidence sentence that says most about what is new (the new response's
  in an update, else the strongest incident sentence), a link to the story's timeline and the first
  report. A story that only gained syndicated copies is not repeated. New stories come first, then
  updates; incidents that no company carries follow.
- **Watchlists** (config/watchlists.yaml) with `digest` delivery get a section each, before the stories:
  the period's articles with an incident that matches the watchlist, newest first, with the matching
  evidence. Their recipients receive the digest too (unless --to is given).
- **Spikes** compare, per company x incident type, the articles *published* in the 24 hours before the
  period's end with the daily mean of the 14 days before those; a pair is flagged at `SPIKE_RATIO` times
  that mean or more and `SPIKE_MIN_ARTICLES` articles or more (any count >= the minimum when the earlier
  days had none). Publication dates, not fetch dates, so a first crawl's backfill is not a spike.
- **Crawl trouble**: the footer names the sources whose selectors matched nothing on some pages in the
  24 hours before the period's end (their site changed; the general extractor stood in), so someone fixes
  sources.yaml before extraction quality drops unnoticed, and the sources whose latest run in that window
  was blocked (robots.txt forbids their start URLs), which would otherwise look merely quiet. Neither makes
  an empty digest non-empty.
- **The summary** comes first in both parts: "N incidents in M articles: S stories (K new)", what "new"
  means (tagged since the last digest, or in the given period), the top SUMMARY_STORIES stories, the
  companies with the most stories, the watchlists, the spikes, each a link to its section in the HTML.
- **Size**: Gmail clips an HTML part beyond about 102 KB, so STORIES_SHOWN stories, WATCHLIST_ARTICLES_SHOWN
  articles per watchlist and UNATTRIBUTED_SHOWN unattributed articles are shown in full, and the rest are
  "and N more" links to Datasette; when long titles and sentences still pass HTML_BUDGET, each limit is
  halved until the part fits. Evidence is never shortened: a sentence is shown whole (wrapped in text).
- **Late news**: an article published LATE_PUBLICATION or more before the period (a first crawl's
  backfill, a late find) is marked "(published 2018-01-05, first seen 2025-03-21)".
- **Unknown organisations**: only those accused in an incident of the period, with a plausible name
  (nlp/names.py plausible_org_name), so that surnames and cut spans ("Hu", "Tracker Fund of") stay out.
- **Links** lead to Datasette at `digest.datasette_url`: a real send refuses a local address there, which
  no recipient could open; a dry run may use it, and says so.
- **Empty** means no incidents and no spikes; such a digest says so in one line and is sent only when
  `digest.send_empty` is on.
- **Recording**: a digest is recorded in `digests` only after the SMTP server accepted it; `items` is the
  number of incidents listed. A dry run writes the .eml and records nothing. A period already covered by
  a recorded digest (one whose period contains it) is not sent again unless --force.
- **Sending**: smtplib with STARTTLS, implicit TLS or none (`smtp.tls`), certificates verified against the
  system's CAs (or SSL_CERT_FILE), login when PRIVWATCH_SMTP_USER is set, `smtp.timeout` per attempt,
  `smtp.retries` more attempts with exponential backoff for transient failures (connection trouble,
  4xx replies); permanent ones (refused login, 5xx, TLS problems) fail at once.
- **Safety**: the HTML template autoescapes, only http(s) URLs become links, and every header value is
  stripped of control characters, so a title or company name can neither inject markup nor add a header.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import smtplib
import ssl
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import HeaderParser
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

import click

from storage.text import visible_line, visible_text

if TYPE_CHECKING:
    from sqlite_utils import Database

    from config.models import Settings, SmtpSettings

DEFAULT_PERIOD = timedelta(hours=24)
RETAG_GRACE = timedelta(days=7)
SPIKE_RECENT = timedelta(hours=24)
CRAWL_TROUBLE_WINDOW = timedelta(hours=24)
SPIKE_BASELINE_DAYS = 14
SPIKE_RATIO = 3.0
SPIKE_MIN_ARTICLES = 3
UNLINKED_SHOWN = 25
ARTICLES_SHOWN_PER_STORY = 10  # the rest are one click away, on the story's page in Datasette
# Sections shown in full; the summary counts the rest, one "and N more" link away in Datasette. When the
# HTML still passes HTML_BUDGET (long titles and sentences), each is halved until it fits.
STORIES_SHOWN = 15
WATCHLIST_ARTICLES_SHOWN = 10
UNATTRIBUTED_SHOWN = 10
HTML_BUDGET = 96_000  # bytes of the HTML part: Gmail clips a message whose HTML passes about 102 KB
SUMMARY_STORIES = 8
SUMMARY_COMPANIES = 10
# an article published this long before its period is news to privwatch, not to the world: say so
LATE_PUBLICATION = timedelta(days=2)
BACKOFF_SECONDS = 2.0  # first retry after 2 s, then 4 s, 8 s ...
TEMPLATES = Path(__file__).resolve().parent / "templates"
TEXT_WIDTH = 78


class DigestError(Exception):
    """A digest cannot be built or sent; the message is one line."""


# -- the period ---------------------------------------------------------------------------------------


def utc_iso(moment: datetime) -> str:
    """The form storage writes times in, so periods compare as text with tagged_at and fetched_at."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Period:
    start: datetime  # aware, UTC
    end: datetime
    origin: str = "given"  # "given" (--since), "last digest" (its end), or "default" (24 h, no digest yet)

    @property
    def start_iso(self) -> str:
        return utc_iso(self.start)

    @property
    def end_iso(self) -> str:
        return utc_iso(self.end)

    def label(self, zone: ZoneInfo) -> str:
        return f"{local_minute(self.start, zone)} to {local_minute(self.end, zone)} ({zone.key})"

    @property
    def new_means(self) -> str:
        """What makes an article new in this digest, for its readers."""
        if self.origin == "last digest":
            return "tagged by privwatch since the last digest"
        if self.origin == "default":
            hours = DEFAULT_PERIOD.total_seconds() / 3600
            return f"tagged by privwatch in the last {hours:.0f} hours (no digest was sent before)"
        return "tagged by privwatch in this period"


def local_minute(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def resolve_period(
    since: datetime | None, until: datetime | None, last_end: str | None, now: datetime
) -> Period:
    """The period a run covers: the given bounds, else from the last digest's end (or 24 h) to now.

    Right after a digest the derived period is empty (start == end): the recorded digest covers it, so
    the run sends nothing and says so, instead of failing.
    """
    end = (until or now).astimezone(UTC)
    if since is not None:
        start = since.astimezone(UTC)
        if start >= end:
            raise DigestError(f"--since {utc_iso(start)} is not before the period's end {utc_iso(end)}")
        return Period(start, end)
    if last_end:
        return Period(min(datetime.fromisoformat(last_end).astimezone(UTC), end), end, "last digest")
    return Period(end - DEFAULT_PERIOD, end, "default")


class DateTimeParam(click.ParamType):
    """An ISO 8601 date or date-time; a naive one is read later in digest.timezone."""

    name = "datetime"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(
                f"{value!r} is not a date or time like 2025-03-20 or 2025-03-20T07:30+08:00", param, ctx
            )


# -- the content --------------------------------------------------------------------------------------


@dataclass
class Evidence:
    types: list[str]  # the incident types this sentence is evidence for
    sentence: str


# how a fine is written in the digest: the sign where it is unambiguous, else the ISO code
CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£"}
SCALE_WORDS = ((1e12, "trillion", "tn"), (1e9, "billion", "bn"), (1e6, "million", "m"))


def _scaled(value: float, short: bool) -> str:
    for size, word, abbreviation in SCALE_WORDS:
        if value >= size:
            number = f"{value / size:.1f}" if short else f"{value / size:.3g}"
            return f"{number} {abbreviation}" if short else f"{number} {word}"
    return f"{value:,.0f}"


def fine_label(amount: float | None, currency: str | None) -> str:
    """ "$5.0 bn", "€345.0 m", "CNY 8.0 bn"; "" without a fine."""
    if not amount or not currency:
        return ""
    sign = CURRENCY_SIGNS.get(currency)
    return f"{sign}{_scaled(amount, True)}" if sign else f"{currency} {_scaled(amount, True)}"


def affected_label(count: int | None) -> str:
    """ "533 million", "1.2 billion", "40,000"; "" without a count."""
    return _scaled(count, False) if count else ""


@dataclass(frozen=True)
class Severity:
    """The largest fine and count of people affected an item states (for ordering and for its line)."""

    fine_usd: float = 0.0
    fine: str = ""  # "$5.0 bn"
    affected: int = 0

    @classmethod
    def of(cls, row: dict) -> Severity:
        return cls(
            row.get("fine_usd") or 0.0,
            fine_label(row.get("fine_amount"), row.get("fine_currency")),
            row.get("affected") or 0,
        )

    def __bool__(self) -> bool:
        return bool(self.fine_usd or self.affected)

    def __or__(self, other: Severity) -> Severity:
        larger = self if self.fine_usd >= other.fine_usd else other
        return Severity(larger.fine_usd, larger.fine, max(self.affected, other.affected))

    @property
    def rank(self) -> tuple[float, int]:
        """Sort key, largest first: the fine in US dollars, then the count."""
        return (-self.fine_usd, -self.affected)

    @property
    def label(self) -> str:
        """ "fine: $5.0 bn; affected: 533 million" """
        parts = [f"fine: {self.fine}" if self.fine else ""]
        parts.append(f"affected: {affected_label(self.affected)}" if self.affected else "")
        return "; ".join(p for p in parts if p)


@dataclass
class ArticleEntry:
    article_id: int
    title: str
    url: str | None  # None when not an http(s) URL: it is then shown, never linked
    raw_url: str
    source: str
    published: str  # the day, in the digest's time zone
    published_at: str  # UTC ISO 8601 ("" when unknown), for ordering newest first
    datasette_url: str
    response: str | None = None
    types: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    first_seen: str = ""  # the day privwatch stored it, in the digest's time zone
    late: bool = False  # published LATE_PUBLICATION or more before the digest's period
    severity: Severity = field(default_factory=Severity)

    def add_evidence(self, incident_type: str | None, sentence: str | None) -> None:
        if incident_type and incident_type not in self.types:
            self.types.append(incident_type)
        if not sentence:
            return
        for known in self.evidence:
            if known.sentence == sentence:
                if incident_type and incident_type not in known.types:
                    known.types.append(incident_type)
                return
        self.evidence.append(Evidence([incident_type] if incident_type else [], sentence))


RESPONSE_NEWS = {"apology": "apologises", "denial": "denies", "remediation": "announces a fix"}


@dataclass
class StoryEntry:
    """A story with articles in the period: new (all its articles are), or an update of an older one."""

    story_id: int
    title: str
    datasette_url: str  # the story's timeline
    first_report: ArticleEntry
    accused: list[str]
    types: list[str]
    latest_responses: str | None
    earlier: int  # original articles outside the period
    outlets: int
    articles: list[ArticleEntry] = field(default_factory=list)  # the period's, newest first
    # (company, response, its sentence) first seen in the period, oldest first
    new_responses: list[tuple[str, str, str | None]] = field(default_factory=list)
    # per accused company, the sentence that says most about what is new: its strongest incident
    # sentence in the period, or in an update the sentence of its new response
    evidence: dict[str, str] = field(default_factory=dict)

    @property
    def severity(self) -> Severity:
        """The largest fine and count of its articles in the period."""
        found = Severity()
        for article in self.articles:
            found = found | article.severity
        return found

    @property
    def is_new(self) -> bool:
        return not self.earlier

    @property
    def headline(self) -> str:
        """ "New story", or "Update: 3 more articles, Tencent now denies"."""
        if self.is_new:
            return "New story"
        news = [count_of(len(self.articles), "more article")]
        news += [f"{company} now {RESPONSE_NEWS[response]}" for company, response, _ in self.new_responses]
        return "Update: " + ", ".join(news)

    @property
    def shown_articles(self) -> list[ArticleEntry]:
        return self.articles[:ARTICLES_SHOWN_PER_STORY]

    @property
    def hidden_articles(self) -> int:
        return max(0, len(self.articles) - ARTICLES_SHOWN_PER_STORY)


@dataclass
class WatchedArticle:
    """An article of a watchlist (its digest section, or an alert): its evidence is that of the incidents
    that match the watchlist."""

    article: ArticleEntry
    accused: list[str]  # the companies of those incidents, strongest first


@dataclass
class WatchlistSection:
    watchlist_id: str
    name: str
    feed_url: str
    articles: list[WatchedArticle] = field(default_factory=list)  # newest first


@dataclass(frozen=True)
class Spike:
    company: str
    incident_type: str
    recent: int
    daily_mean: float

    @property
    def ratio(self) -> float | None:
        return self.recent / self.daily_mean if self.daily_mean else None


@dataclass(frozen=True)
class UnlinkedOrg:
    name: str
    articles: int
    mentions: int


@dataclass(frozen=True)
class SelectorMiss:
    source_id: str
    source: str
    message: str


@dataclass(frozen=True)
class BlockedSource:
    source_id: str
    source: str
    error: str


@dataclass
class Digest:
    period: Period
    article_count: int
    incident_count: int
    # new stories first, then updates; each the largest (fine, then people affected), then most articles first
    stories: list[StoryEntry]
    unattributed: list[ArticleEntry]  # incidents that no company carries, so in no story
    spikes: list[Spike]
    unlinked_orgs: list[UnlinkedOrg]  # accused in an incident, plausible names (nlp/names.py)
    unlinked_total: int
    selector_misses: list[SelectorMiss] = field(default_factory=list)  # in the 24 h before the end
    watchlists: list[WatchlistSection] = field(default_factory=list)  # digest delivery, with articles
    blocked_sources: list[BlockedSource] = field(default_factory=list)  # latest run in those 24 h
    database_url: str = ""  # the database's page in Datasette, where "and N more" links lead

    @property
    def empty(self) -> bool:
        return not (self.incident_count or self.stories or self.spikes)

    @property
    def items(self) -> int:
        return self.incident_count

    @property
    def new_stories(self) -> int:
        return sum(story.is_new for story in self.stories)

    @property
    def accused(self) -> list[str]:
        """Accused companies of the period's stories, in the order the stories come, each once."""
        return list(dict.fromkeys(name for story in self.stories for name in story.accused))

    def articles(self) -> list[ArticleEntry]:
        """Every article the digest lists (an article in two sections comes twice)."""
        return (
            [article for story in self.stories for article in story.articles]
            + [item.article for section in self.watchlists for item in section.articles]
            + self.unattributed
        )

    def top_companies(self, shown: int) -> list[tuple[str, int, int | None]]:
        """The accused companies with the most stories in the period (SUMMARY_COMPANIES of them): name,
        stories, and the id of its first story among the `shown` first (None when all are further down)."""
        stories: dict[str, list[StoryEntry]] = {}
        for story in self.stories:
            for name in story.accused:
                stories.setdefault(name, []).append(story)
        ranked = sorted(stories.items(), key=lambda item: (-len(item[1]), item[0].casefold()))
        shown_ids = {story.story_id for story in self.stories[:shown]}
        return [
            (name, len(found), next((s.story_id for s in found if s.story_id in shown_ids), None))
            for name, found in ranked[:SUMMARY_COMPANIES]
        ]


@dataclass(frozen=True)
class Shown:
    """How many items of each long section the digest shows in full."""

    stories: int = STORIES_SHOWN
    watchlist_articles: int = WATCHLIST_ARTICLES_SHOWN
    unattributed: int = UNATTRIBUTED_SHOWN

    def fewer(self) -> Shown | None:
        """Half as many of each, or None when nothing is left to take away."""
        if not (self.stories or self.watchlist_articles or self.unattributed):
            return None
        return Shown(self.stories // 2, self.watchlist_articles // 2, self.unattributed // 2)


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


# -- rendering ----------------------------------------------------------------------------------------

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(value: Any) -> str:
    """Text on one line: control characters (CR, LF, tabs ...) become spaces, runs of spaces one, bidi
    marks go (storage/text.py)."""
    return visible_line("" if value is None else str(value))


def count_of(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def wrap(value: str, indent: str = "", first: str | None = None) -> str:
    return textwrap.fill(
        one_line(value),
        width=TEXT_WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def template_environment(autoescape: bool):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(oneline=one_line, count_of=count_of, wrap=wrap)
    return environment


def render(digest: Digest, *, heading: str, zone: ZoneInfo, budget: int = HTML_BUDGET) -> tuple[str, str]:
    """The plain-text and HTML bodies; the HTML has its CSS inlined into style attributes and stays
    within `budget` bytes when showing fewer items in full can make it (the summary always stays)."""
    context = {
        "digest": digest,
        "heading": heading,
        "period_label": digest.period.label(zone),
        "baseline_days": SPIKE_BASELINE_DAYS,
        "spike_ratio": SPIKE_RATIO,
        "spike_min": SPIKE_MIN_ARTICLES,
        "late_days": LATE_PUBLICATION.days,
        "summary_stories": SUMMARY_STORIES,
    }
    shown: Shown | None = Shown()
    while shown is not None:
        text, html = render_templates("digest", {**context, "shown": shown})
        if len(html.encode()) <= budget:
            break
        shown = shown.fewer()
    return text, html


def render_templates(name: str, context: dict) -> tuple[str, str]:
    """The plain-text and HTML bodies from templates/NAME.txt and NAME.html (autoescaped), the HTML with
    its CSS inlined into style attributes."""
    import css_inline

    # rows stored before storage cleaned text may still hold bidi marks and controls
    text = visible_text(template_environment(autoescape=False).get_template(f"{name}.txt").render(context))
    html = visible_text(template_environment(autoescape=True).get_template(f"{name}.html").render(context))
    # mail clients drop <style> blocks; never fetch remote stylesheets while rendering
    html = css_inline.inline(html, load_remote_stylesheets=False)
    return text, html


# -- the message --------------------------------------------------------------------------------------


def parse_address(value: str, what: str) -> Address:
    """One mailbox ("a@x.org" or "Name <a@x.org>"); anything else, CR/LF included, is refused."""
    if CONTROL_CHARACTERS.search(value):
        raise DigestError(f"{what}: {value!r} contains control characters")
    name, addr_spec = parseaddr(value)
    if "@" not in addr_spec or addr_spec.startswith("@") or addr_spec.endswith("@"):
        raise DigestError(f"{what}: {value!r} is not an e-mail address")
    try:
        return Address(display_name=name, addr_spec=addr_spec)
    except (ValueError, IndexError) as exc:
        raise DigestError(f"{what}: {value!r} is not an e-mail address ({exc})") from None


def subject_line(prefix: str, digest: Digest, zone: ZoneInfo) -> str:
    """E.g. "privwatch digest 2025-03-21: 3 incidents (Ant Group, Tencent)"; always one line."""
    day = digest.period.end.astimezone(zone).date().isoformat()
    if digest.empty:
        return one_line(f"{prefix} {day}: nothing new")
    accused = digest.accused
    names = [one_line(name) for name in accused[:3]]
    more = len(accused) - len(names)
    who = f" ({', '.join(names)}{f' and {more} more' if more else ''})" if names else ""
    spikes = f", {count_of(len(digest.spikes), 'spike')}" if digest.spikes else ""
    return one_line(f"{prefix} {day}: {count_of(digest.incident_count, 'incident')}{who}{spikes}")


class EncodedSubject(str):
    """A Subject header folded as RFC 2047 encoded words, each under 76 characters, that every mail
    reader decodes back to the exact text. The email package's own folder is used when its result reads
    back exactly; it does not always: a first word longer than a line is folded right after "Subject:"
    (the value then starts with a space), and a space between plain and encoded words can be lost."""

    name = "Subject"

    def fold(self, *, policy) -> str:
        encoded = Header(str(self), "utf-8", header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"


def folded_subject(subject: str) -> str:
    """The subject as the message should hold it: itself when SMTP folding reads back exactly, else an
    EncodedSubject."""
    folded = SMTP.header_factory("Subject", subject).fold(policy=SMTP)
    if HeaderParser(policy=SMTP).parsestr(folded)["Subject"] == subject:
        return subject
    return EncodedSubject(subject)


def compose_message(
    *,
    subject: str,
    sender: Address,
    recipients: Sequence[Address],
    text: str,
    html: str,
    now: datetime,
    kind: str = "digest",
) -> EmailMessage:
    """A multipart/alternative UTF-8 message (plain text first, HTML preferred by clients)."""
    message = EmailMessage(policy=SMTP)
    message["Subject"] = folded_subject(one_line(subject))
    message["From"] = sender
    message["To"] = tuple(recipients) if recipients else "undisclosed-recipients:;"
    message["Date"] = format_datetime(now.astimezone(UTC))
    # short enough not to be folded (make_msgid's are not), which some parsers then read with a space
    unique = f"{now.astimezone(UTC):%Y%m%d%H%M%S}.{secrets.token_hex(6)}"
    message["Message-ID"] = f"<privwatch-{kind}.{unique}@{sender.domain or 'privwatch.local'}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: vacation responders stay quiet
    # quoted-printable keeps the message 7-bit: left alone, the email package would pick 8bit for
    # Chinese text, which a server without 8BITMIME may mangle
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


# -- sending ------------------------------------------------------------------------------------------


class DeliveryError(DigestError):
    """The SMTP server did not take the message."""


def _is_transient(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):  # replies: 4xx try again later, 5xx never
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, (smtplib.SMTPNotSupportedError, ssl.SSLError)):
        return False  # a TLS or extension mismatch is configuration: retrying cannot help
    return isinstance(exc, (smtplib.SMTPServerDisconnected, OSError))


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "every recipient refused: " + ", ".join(
            f"{addr} ({code} {one_line(reply.decode(errors='replace'))})"
            for addr, (code, reply) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = (
            exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        return f"{type(exc).__name__}: {exc.smtp_code} {one_line(reply)}"
    return one_line(f"{type(exc).__name__}: {exc}") if str(exc) else type(exc).__name__


def _deliver_once(
    message: EmailMessage, smtp: SmtpSettings, envelope_from: str, envelope_to: list[str]
) -> dict[str, tuple[int, bytes]]:
    context = ssl.create_default_context()
    if smtp.tls == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    try:
        client.ehlo()
        if smtp.tls == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if smtp.user:
            client.login(smtp.user, smtp.password or "")
        return client.send_message(message, from_addr=envelope_from, to_addrs=envelope_to)
    finally:
        # the message is already accepted when QUIT fails: never let that turn into a retry
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def deliver(
    message: EmailMessage,
    smtp: SmtpSettings,
    envelope_from: str,
    envelope_to: list[str],
) -> dict[str, tuple[int, bytes]]:
    """Send the message, retrying transient failures with exponential backoff.

    Returns the recipients the server refused while accepting the others; raises DeliveryError (one
    line) when the message was not accepted at all.
    """
    where = f"{smtp.host}:{smtp.port} ({smtp.tls})"

    def verdict(exc: Exception) -> tuple[bool, str] | None:
        if not isinstance(exc, (smtplib.SMTPException, OSError)):
            return None
        return _is_transient(exc), f"SMTP {where}: {_describe(exc)}"

    return with_retries(
        lambda: _deliver_once(message, smtp, envelope_from, envelope_to), smtp.retries + 1, verdict
    )


def with_retries(
    action: Callable[[], Any], attempts: int, verdict: Callable[[Exception], tuple[bool, str] | None]
) -> Any:
    """Run action up to `attempts` times with exponential backoff (BACKOFF_SECONDS, then twice as long
    each time), saying each retry on stderr; its result, or DeliveryError (one line) once it failed for good.

    verdict(exc) says whether a failure is transient (worth another attempt) and describes it in one
    line; None lets the exception through untouched.
    """
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except Exception as exc:
            judged = verdict(exc)
            if judged is None:
                raise
            transient, problem = judged
            if not transient:
                raise DeliveryError(problem) from None
            if attempt == attempts:
                raise DeliveryError(f"{problem} (gave up after {count_of(attempts, 'attempt')})") from None
            delay = BACKOFF_SECONDS * 2 ** (attempt - 1)
            click.echo(f"{problem}; retrying in {delay:g} s (retry {attempt} of {attempts - 1})", err=True)
            time.sleep(delay)
    raise AssertionError("unreachable")


# -- the command --------------------------------------------------------------------------------------


def is_local_url(url: str) -> bool:
    """Does the URL name this machine (localhost, a loopback or unspecified address), so that nobody who
    reads the digest elsewhere can open it?"""
    host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return not host
    return address.is_loopback or address.is_unspecified


def _aware(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zone)


def run_digest(
    app,
    *,
    since: datetime | None,
    until: datetime | None,
    to: Sequence[str],
    dry_run: bool,
    out: Path | None,
    force: bool,
    db: str | None,
    now: datetime | None = None,
) -> None:
    from nlp.stories import update_stories
    from storage.db import record_digest
    from storage.digests import digest_covering, last_period_end

    settings: Settings = app.config.settings
    zone = ZoneInfo(settings.digest.timezone)
    if dry_run and out is None:
        raise DigestError("--dry-run writes the message to a file: give --out FILE.eml")
    if out is not None and not dry_run:
        raise DigestError("--out goes with --dry-run (a sent digest is not also written to a file)")
    recipients = [
        parse_address(a, "--to" if to else "digest.recipients") for a in (to or settings.digest.recipients)
    ]
    if not to:  # a digest watchlist's recipients receive the digest that holds its section
        unique: dict[str, Address] = {}
        for found in recipients + [
            parse_address(a, f"watchlists.yaml: {w.id}: recipients")
            for w in app.config.watchlists
            if w.delivery == "digest"
            for a in w.recipients
        ]:
            unique.setdefault(found.addr_spec.casefold(), found)
        recipients = list(unique.values())
    if not recipients and not dry_run:
        raise DigestError(
            "no recipients: set digest.recipients (settings.yaml or PRIVWATCH_DIGEST_RECIPIENTS) or give --to"
        )
    sender = parse_address(settings.digest.sender, "digest.sender")

    database_path = app.db_path(db)
    database = app.open_db(db)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    period = resolve_period(_aware(since, zone), _aware(until, zone), last_period_end(database), now)
    label = period.label(zone)
    datasette_url = settings.digest.datasette_url
    if not dry_run and is_local_url(datasette_url):
        raise DigestError(
            f"digest.datasette_url is {datasette_url}, which only this machine can open: set it in "
            "settings.yaml (or PRIVWATCH_DIGEST_DATASETTE_URL) to where the recipients reach Datasette"
        )

    covering = digest_covering(database, period.start_iso, period.end_iso)
    if covering and not force and not dry_run:
        click.echo(
            f"nothing sent: digest #{covering['id']} (sent {covering['sent_at']}) already covers {label}; "
            "--force sends it again"
        )
        return
    # articles tagged by an older privwatch, or stored by other means, join their stories first
    update_stories(database, settings.stories)
    digest = build_digest(
        database,
        period,
        zone=zone,
        datasette_url=datasette_url,
        database_path=database_path,
    )
    if digest.empty and not settings.digest.send_empty and not dry_run:
        click.echo(f"nothing new in {label}: no digest sent (digest.send_empty is off)")
        return

    heading = one_line(settings.digest.subject)
    text, html = render(digest, heading=heading, zone=zone)
    message = compose_message(
        subject=subject_line(heading, digest, zone),
        sender=sender,
        recipients=recipients,
        text=text,
        html=html,
        now=now,
    )
    summary = (
        f"{label}: {count_of(digest.incident_count, 'incident')} "
        f"in {count_of(digest.article_count, 'article')}, "
        f"{count_of(len(digest.stories), 'story', 'stories')} ({digest.new_stories} new), "
        f"{count_of(len(digest.spikes), 'spike')}"
    )
    if dry_run:
        try:
            out.write_bytes(message.as_bytes())
        except OSError as exc:
            raise DigestError(f"{out}: cannot write: {exc.strerror or exc}") from None
        notes = []
        if covering:
            notes.append(f"digest #{covering['id']} already covers this period")
        if digest.empty and not settings.digest.send_empty:
            notes.append("empty, and digest.send_empty is off")
        extra = f" ({'; '.join(notes)}: a real run would send nothing)" if notes else ""
        if is_local_url(datasette_url):  # fine for a preview; a real run refuses it
            extra += f"; its links point at the local Datasette {datasette_url} (digest.datasette_url)"
        click.echo(f"wrote {out}: {summary}; not sent, not recorded{extra}")
        return

    envelope_to = [a.addr_spec for a in recipients]
    refused = deliver(message, settings.smtp, sender.addr_spec, envelope_to)
    delivered = [a for a in envelope_to if a not in refused]
    digest_id = record_digest(
        database, period.start_iso, period.end_iso, delivered, digest.items, message["Message-ID"]
    )
    click.echo(f"sent digest #{digest_id} to {', '.join(delivered)}: {summary}")
    if refused:
        click.echo(f"warning: the server refused {', '.join(sorted(refused))}", err=True)


@click.command()
@click.option(
    "--since",
    type=DateTimeParam(),
    metavar="DT",
    help="Start of the period (default: the end of the last digest sent, or 24 h before --until). "
    "A time without an offset is in digest.timezone.",
)
@click.option("--until", type=DateTimeParam(), metavar="DT", help="End of the period (default: now).")
@click.option(
    "--to",
    "to",
    multiple=True,
    metavar="ADDR",
    help="Send to ADDR instead of digest.recipients (repeatable).",
)
@click.option(
    "--dry-run", is_flag=True, help="Write the message to --out instead of sending; records nothing."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    metavar="FILE.eml",
    help="Where --dry-run writes the message.",
)
@click.option("--force", is_flag=True, help="Send even if a digest already covers the period.")
@click.option("--db", "db", metavar="PATH", help="SQLite database (default: `database` in settings.yaml).")
@click.pass_obj
def digest(app, since, until, to, dry_run, out, force, db) -> None:
    """E-mail the new privacy incidents by company, with evidence, spikes and links.

    The period runs from the end of the last digest sent (or the last 24 h) to now. Articles count when
    they were tagged in the period; an empty period is sent only when digest.send_empty is on. A sent
    digest is recorded and its period is not sent again unless --force. SMTP settings come from
    settings.yaml (smtp.*), login from PRIVWATCH_SMTP_USER and PRIVWATCH_SMTP_PASSWORD; a real send
    needs digest.datasette_url to be an address the recipients can open (not 127.0.0.1).

    \b
    Example:
      privwatch digest --dry-run --out digest.eml
    """
    try:
        run_digest(app, since=since, until=until, to=to, dry_run=dry_run, out=out, force=force, db=db)
    except DigestError as exc:
        raise click.ClickException(str(exc)) from None
