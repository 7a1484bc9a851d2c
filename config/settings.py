"""settings.yaml: every setting with its default; precedence defaults < settings.yaml < environment
(PRIVWATCH_<SECTION>_<FIELD>) < CLI flags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from config.fields import Model, TimeZoneName

ENV_PREFIX = "PRIVWATCH_"


# -- settings.yaml -------------------------------------------------------------------------------------


ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")]  # HH:MM[:SS]


class CrawlSettings(Model):
    user_agent: str = "privwatch/0.1 (+{contact_url})"
    contact_url: str = "https://github.com/privwatch/privwatch"
    concurrent_per_domain: int = Field(default=4, ge=1, le=16)
    download_delay: float = Field(default=0.25, ge=0)
    download_timeout: int = Field(default=30, ge=1)
    max_page_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    obey_robots: bool = True
    autothrottle: bool = True
    retries: int = Field(default=3, ge=0)
    max_child_sitemaps: int = Field(default=50, ge=1)  # per sitemap index, the newest by <lastmod> first
    max_sitemap_depth: int = Field(default=3, ge=0)  # levels of indexes followed below a start sitemap
    max_articles_per_run: int = Field(default=1000, ge=1)  # per source; stored articles do not count
    # the budget of one article: longer bodies are cut at a paragraph boundary (articles.truncated)
    max_body_chars: int = Field(default=200_000, ge=1000)
    max_body_paragraphs: int = Field(default=2000, ge=1)
    # the budget of one page's extraction: a page over it is a crawl error, and the crawl goes on
    max_page_tags: int = Field(default=200_000, ge=100)
    extract_timeout: float = Field(default=10, gt=0)
    extract_memory_bytes: int = Field(default=1024**3, ge=256 * 1024**2)
    extract_workers: int | None = Field(default=None, ge=0)  # None: min(2, cores); 0: no pool, no limits
    # a worker process beside `privwatch crawl` tags what it stores as it arrives
    # (privwatch/cli/crawl_tagging.py)
    tag_while_crawling: bool = True
    tag_workers: int | None = Field(default=None, ge=1)  # its tagging processes; None: min(2, cores)


class SmtpSettings(Model):
    host: str = "localhost"
    port: int = Field(default=587, ge=1, le=65535)
    tls: Literal["starttls", "ssl", "none"] = "starttls"
    timeout: float = Field(default=30, gt=0)
    retries: int = Field(default=3, ge=0)
    user: str | None = None
    password: str | None = None


class DigestSettings(Model):
    time: ClockTime = "07:00"
    timezone: TimeZoneName = "Asia/Shanghai"
    recipients: list[str] = []
    sender: str = "privwatch <privwatch@localhost>"
    subject: str = "privwatch digest"
    send_empty: bool = False
    datasette_url: str = "http://127.0.0.1:8001"


class AlertSettings(Model):
    sender: str | None = None  # default: digest.sender
    subject: str = "privwatch alert"
    # only articles stored this recently are alerted: a re-tag of the archive, or a watchlist added
    # today, never mails old news
    window_days: int = Field(default=7, ge=1)
    webhook_timeout: float = Field(default=10, gt=0)
    webhook_retries: int = Field(default=3, ge=0)


class ScheduleSettings(Model):
    jobstore: str = "privwatch-jobs.db"
    # when the nightly job re-tags articles tagged by another NLP version (settings' time zone)
    retag_time: ClockTime = "03:00"
    misfire_grace_seconds: int = Field(default=600, ge=1)
    crawl_timeout_seconds: int = Field(default=3600, ge=1)
    stop_timeout_seconds: float = Field(default=20, gt=0)


class ServeSettings(Model):
    host: str = "127.0.0.1"
    port: int = Field(default=8001, ge=1, le=65535)


class RedisSettings(Model):
    url: str | None = None
    key_prefix: str = Field(default="privwatch", pattern=r"^[A-Za-z0-9_.-]+$")
    heartbeat_seconds: float = Field(default=30, ge=1)


class StoryWeights(Model):
    """What an incident article's score against a story adds up (nlp/stories.py); tuned on
    tests/nlp_gold/stories-dev.jsonl."""

    accused: float = Field(default=0.3, ge=0)  # times the share of the article's accused in the story
    types: float = Field(default=0.3, ge=0)  # times the share of its incident types the story has
    types_unknown: float = Field(default=0.5, ge=0, le=1)  # that share when one side has only enforcement
    text: float = Field(default=1.0, ge=0)  # times the best rare-word cosine with an article of the story
    # that cosine when no article of the story is in the article's language (figures and Latin names
    # shared with one count instead, when they say more)
    text_other_language: float = Field(default=0.1, ge=0, le=1)
    gap: float = Field(default=0.1, ge=0)  # taken off per window of days between article and story


class StorySettings(Model):
    window_days: int = Field(default=30, ge=1)  # since the story's last article (or before its first)
    # a fine, ruling or probe (enforcement) may join the story of the event it punishes this long after the
    # story's last article, when its words match at least min_text_follow_up: regulators and courts take
    # months
    follow_up_window_days: int = Field(default=180, ge=1)
    min_text_follow_up: float = Field(default=0.15, ge=0, le=1)
    join_threshold: float = 0.3
    # the rare-word cosine an article needs with an article of the story in its language, if there is one
    min_text: float = Field(default=0.05, ge=0, le=1)
    # the rare-word cosine an article needs with an article of the story in its language when their incident
    # types have nothing in common (a breach story and a tracking suit of the same company)
    min_text_other_kind: float = Field(default=0.1, ge=0, le=1)
    # the rare-word cosine an article without an incident of its own needs with a story's article to join it
    coverage_threshold: float = Field(default=0.135, ge=0, le=1)
    weights: StoryWeights = StoryWeights()


class NlpSettings(Model):
    # characters of an article the pipeline reads (title first, then the body, cut at a paragraph or
    # sentence end): spaCy refuses a longer text (E088) and its parser needs ~1 GB per 100,000 characters
    tag_budget_chars: int = Field(default=100_000, ge=1_000, le=1_000_000)
    # an article where no privacy cue can match gets company mentions only (nlp/gate.py)
    cascade: bool = True


class Settings(Model):
    database: str = "privwatch.db"
    timezone: TimeZoneName = "UTC"
    redis: RedisSettings = RedisSettings()
    crawl: CrawlSettings = CrawlSettings()
    digest: DigestSettings = DigestSettings()
    smtp: SmtpSettings = SmtpSettings()
    alerts: AlertSettings = AlertSettings()
    serve: ServeSettings = ServeSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    stories: StorySettings = StorySettings()
    nlp: NlpSettings = NlpSettings()


def env_overrides(model: type[BaseModel], environ: Mapping[str, str], prefix: str = ENV_PREFIX) -> dict:
    """Values for `model` from PRIVWATCH_<FIELD> / PRIVWATCH_<SECTION>_<FIELD> environment variables."""
    found: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = prefix + name.upper()
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            nested = env_overrides(annotation, environ, key + "_")
            if nested:
                found[name] = nested
        elif key in environ:
            value: Any = environ[key]
            if getattr(annotation, "__origin__", None) is list:
                value = [v.strip() for v in value.split(",") if v.strip()]
            found[name] = value
    return found


def deep_merge(base: dict, extra: Mapping) -> dict:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
