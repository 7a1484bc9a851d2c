"""What a digest holds: stories, articles, evidence, watchlist sections, spikes."""

from __future__ import annotations

from dataclasses import dataclass, field

from privwatch.digest.period import Period
from privwatch.digest.text import count_of

ARTICLES_SHOWN_PER_STORY = 10  # the rest are one click away, on the story's page in Datasette
# Sections shown in full; the summary counts the rest, one "and N more" link away in Datasette. When the
# HTML still passes HTML_BUDGET (long titles and sentences), each is halved until it fits.
STORIES_SHOWN = 15
WATCHLIST_ARTICLES_SHOWN = 10
UNATTRIBUTED_SHOWN = 10
SUMMARY_STORIES = 8
SUMMARY_COMPANIES = 10


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
