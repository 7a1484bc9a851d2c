"""privwatch's configuration: the YAML files of a config folder, validated by pydantic models.

The models live beside the YAML they describe, below every other package: crawlers, nlp, storage and the
privwatch app all read them, and none of those is imported from here.

A bad file raises ConfigError with one line naming the file, the field path and the problem.
Settings precedence: defaults < settings.yaml < environment (PRIVWATCH_<SECTION>_<FIELD>) < CLI flags.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from config.errors import PrivwatchError
from config.regex_safety import backtracking_problem

ENV_PREFIX = "PRIVWATCH_"
REPO_CONFIG_DIR = Path(__file__).resolve().parent


class ConfigError(PrivwatchError):
    """A configuration file is missing or invalid; the message is one line."""


def default_config_dir() -> Path:
    """PRIVWATCH_CONFIG_DIR when set, else ./config when it exists, else the packaged defaults (the config
    folder shipped with privwatch, the repository's config/ in a checkout)."""
    env = os.environ.get(ENV_PREFIX + "CONFIG_DIR")
    if env:
        return Path(env)
    local = Path("config")
    return local if local.is_dir() else REPO_CONFIG_DIR


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name


TimeZoneName = Annotated[str, AfterValidator(_timezone)]

_INTERVAL = re.compile(r"^(\d+)\s*([smhd])$")
_INTERVAL_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def interval_seconds(every: str) -> int:
    number, unit = _INTERVAL.match(every).groups()
    return int(number) * _INTERVAL_SECONDS[unit]


def _interval(value: str) -> str:
    match = _INTERVAL.match(value.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"interval {value!r} is not like 30m, 2h or 1d")
    return value.strip()


Interval = Annotated[str, AfterValidator(_interval)]


def _language_code(value: str) -> str:
    """An ISO 639-1 code as sources.yaml and the articles table hold it: en, zh, de."""
    import pycountry

    language = pycountry.languages.get(alpha_2=value)
    if language is not None and language.alpha_2 == value:
        return value
    hint = ""
    for guess in (value, value.split("-")[0].split("_")[0]):  # a name ("English"), alpha-3, or "zh-CN"
        try:
            code = getattr(pycountry.languages.lookup(guess), "alpha_2", None)
        except LookupError:
            code = None
        if code:
            hint = f"; did you mean {code!r}?"
            break
    raise ValueError(f"{value!r} is not an ISO 639-1 language code (en, zh, de ...){hint}")


LanguageCode = Annotated[str, AfterValidator(_language_code)]


# -- sources.yaml --------------------------------------------------------------------------------------


def _usable_regex(pattern: str) -> str:
    """A regular expression that compiles and cannot hang the crawler with catastrophic backtracking."""
    try:
        re.compile(pattern)
    except re.error as problem:
        raise ValueError(f"not a regular expression ({problem}): {pattern!r}") from None
    problem = backtracking_problem(pattern)
    if problem:
        shown = f"'{pattern}'" if pattern.isprintable() else repr(pattern)  # as written in the YAML
        raise ValueError(
            f"{shown} could hang the crawler: {problem}; write it without repeating a group that "
            "itself repeats or offers overlapping alternatives"
        )
    return pattern


# the pattern of an EXSLT regular-expression call in XPath, re:test(., 'pattern'): lxml runs it with re
XPATH_REGEX_CALL = re.compile(r"""re:(?:test|match|replace)\s*\([^,]*,\s*(?:'([^']*)'|"([^"]*)")""")


class Selectors(Model):
    """CSS selectors, or XPath when the expression starts with '/' or '('."""

    article_links: str | None = None
    next_page: str | None = None
    title: str | None = None
    published: str | None = None
    body: str | None = None
    author: str | None = None
    section: str | None = None

    @field_validator("*")
    @classmethod
    def _regexes_cannot_hang(cls, value: str | None) -> str | None:
        for match in XPATH_REGEX_CALL.finditer(value or ""):
            _usable_regex(match.group(1) if match.group(1) is not None else match.group(2))
        return value


class Source(Model):
    id: Slug
    name: str
    kind: Literal["listing", "feed", "sitemap"]
    url: HttpUrl
    start_urls: list[HttpUrl] = Field(min_length=1)
    allowed_domains: list[str] = Field(min_length=1)
    language: LanguageCode = "en"
    every: Interval = "6h"
    timezone: TimeZoneName = "UTC"
    article_url_pattern: str | None = None
    selectors: Selectors = Selectors()
    enabled: bool = True

    @field_validator("article_url_pattern")
    @classmethod
    def _usable(cls, value: str | None) -> str | None:
        return value if value is None else _usable_regex(value)

    @model_validator(mode="after")
    def _listing_needs_links(self) -> Source:
        if self.kind == "listing" and not (self.selectors.article_links or self.article_url_pattern):
            raise ValueError("a listing source needs selectors.article_links or article_url_pattern")
        return self

    @property
    def every_seconds(self) -> int:
        return interval_seconds(self.every)


class SourcesFile(Model):
    version: Literal[1] = 1
    sources: list[Source]

    @model_validator(mode="after")
    def _unique_ids(self) -> SourcesFile:
        _check_unique((s.id for s in self.sources), "sources", "id")
        return self


# -- companies.yaml ------------------------------------------------------------------------------------

SECTORS = (
    "tech internet fintech bank telecom travel retail health data-broker adtech automotive hardware media "
    "security insurance crypto other"
).split()


class Company(Model):
    id: Slug
    name: str = Field(min_length=1)
    aliases: list[str] = []
    former_names: list[str] = []
    legal_names: list[str] = []
    chinese_names: list[str] = []
    products: list[str] = []
    parent: Slug | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    sector: Literal[tuple(SECTORS)] = "other"  # type: ignore[valid-type]
    tickers: list[str] = []

    def names(self) -> list[tuple[str, str]]:
        """Every string that refers to this company, with the field that holds it."""
        fields = ("aliases", "former_names", "legal_names", "chinese_names", "products")
        return [(self.name, "name")] + [(value, f) for f in fields for value in getattr(self, f)]


class CompaniesFile(Model):
    version: Literal[1] = 1
    companies: list[Company]

    @model_validator(mode="after")
    def _consistent(self) -> CompaniesFile:
        _check_unique((c.id for c in self.companies), "companies", "id")
        ids = {c.id for c in self.companies}
        for i, company in enumerate(self.companies):
            if company.parent and company.parent not in ids:
                raise _FieldProblem(f"companies[{i}].parent", f"unknown company id {company.parent!r}")
        _check_names_unique(self.companies, "companies")
        return self

    @cached_property
    def by_id(self) -> dict[str, Company]:
        return {c.id: c for c in self.companies}


# -- regulators.yaml -----------------------------------------------------------------------------------


class Regulator(Model):
    """An authority, court or government body: it acts on companies and is never one."""

    id: Slug
    name: str = Field(min_length=1)
    aliases: list[str] = []
    chinese_names: list[str] = []
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    kind: Literal["regulator", "court", "government", "legislature", "agency", "police", "prosecutor"] = (
        "regulator"
    )
    remit: Literal[
        "privacy", "consumer", "telecom", "finance", "competition", "cyberspace", "health", "general"
    ] = "general"

    def names(self) -> list[tuple[str, str]]:
        return (
            [(self.name, "name")]
            + [(a, "aliases") for a in self.aliases]
            + [(c, "chinese_names") for c in self.chinese_names]
        )


class RegulatorsFile(Model):
    version: Literal[1] = 1
    regulators: list[Regulator]

    @model_validator(mode="after")
    def _consistent(self) -> RegulatorsFile:
        _check_unique((r.id for r in self.regulators), "regulators", "id")
        _check_names_unique(self.regulators, "regulators")
        return self


def _check_names_unique(entries, group: str) -> None:
    """Every name, alias or product belongs to one entry (case-insensitively): a name that two entries
    claim could not be linked."""
    claimed: dict[str, tuple[str, str]] = {}
    for i, entry in enumerate(entries):
        for name, field_name in entry.names():
            owner = claimed.setdefault(name.strip().casefold(), (f"{group}[{i}]", entry.id))
            if owner[1] != entry.id:
                raise _FieldProblem(
                    f"{group}[{i}].{field_name}", f"{name!r} is also claimed by {owner[0]} ({owner[1]})"
                )


# -- incidents.yaml ------------------------------------------------------------------------------------

TokenPattern = list[dict[str, Any]]


class Cued(Model):
    id: Slug
    label: str
    description: str
    cues: list[TokenPattern] = Field(min_length=1)
    examples: list[str] = []
    counterexamples: list[str] = []
    needs_privacy_context: bool = True


class Trap(Model):
    id: Slug
    patterns: list[TokenPattern] = Field(min_length=1)
    # what the trap cancels where it matches: "context" and/or type ids (default: all of them)
    cancels: list[str] = []
    examples: list[str] = []


class IsIncident(Model):
    description: str


CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class Currency(Model):
    usd: float = Field(gt=0)  # one unit in US dollars, roughly: for ordering fines, not for accounts
    names: list[str] = []  # signs and words that name it besides its code ("$", "US$", "dollars", "美元")


class SeverityCues(Model):
    """Words (lowercase or lemmas) that tie an amount to a fine, a count to a breach (nlp/severity.py)."""

    fine_cues: list[str] = []
    payment_verbs: list[str] = []  # a fine only when the payment is owed ("agreed to pay")
    payment_obligations: list[str] = []  # what makes it owed
    not_fines: list[str] = []  # an amount that is one of these is no fine ("$80 billion in revenue")
    affected_cues: list[str] = []
    affected_nouns: list[str] = []  # what a count of affected counts (users, records)
    currencies: dict[CurrencyCode, Currency] = {}


class TaxonomyFile(Model):
    version: Literal[1] = 1
    is_incident: IsIncident
    privacy_context: list[TokenPattern] = []
    traps: list[Trap] = []
    types: list[Cued] = Field(min_length=1)
    responses: list[Cued] = Field(min_length=1)
    severity: SeverityCues = SeverityCues()

    @model_validator(mode="after")
    def _unique_ids(self) -> TaxonomyFile:
        for i, pattern in enumerate(self.privacy_context):
            _check_pattern(pattern, f"privacy_context[{i}]")
        for group, entries, field_name in (
            ("traps", self.traps, "patterns"),
            ("types", self.types, "cues"),
            ("responses", self.responses, "cues"),
        ):
            for i, entry in enumerate(entries):
                for j, pattern in enumerate(getattr(entry, field_name)):
                    _check_pattern(pattern, f"{group}[{i}].{field_name}[{j}]")
        known = {"context", *(t.id for t in self.types)}
        for i, trap in enumerate(self.traps):
            for j, name in enumerate(trap.cancels):
                if name not in known:
                    raise _FieldProblem(f"traps[{i}].cancels[{j}]", f"{name!r} is not context or a type id")
        _check_unique((t.id for t in self.traps), "traps", "id")
        _check_unique((t.id for t in self.types), "types", "id")
        _check_unique((r.id for r in self.responses), "responses", "id")
        return self


# -- incidents.zh.yaml ---------------------------------------------------------------------------------


Regex = Annotated[str, Field(min_length=1), AfterValidator(_usable_regex)]


class ChineseCued(Model):
    cues: list[Regex] = Field(min_length=1)
    # wording that looks like this type's cue but shows another type: it cancels this type's cues only
    traps: list[Regex] = []
    examples: list[str] = []
    counterexamples: list[str] = []


class ChineseSeverityCues(Model):
    """Per clause: a fine cue with a fine amount, a breach cue with a count of people or records."""

    fine_cues: Regex | None = None
    fine_amount: Regex | None = None
    affected_cues: Regex | None = None
    affected_amount: Regex | None = None


class ChineseTaxonomyFile(Model):
    """The Chinese wording of incidents.yaml's types and responses (regular expressions per sentence)."""

    version: Literal[1] = 1
    privacy_context: list[Regex] = Field(min_length=1)
    traps: list[Regex] = []
    negations: Regex
    normatives: Regex
    denials: Regex
    obligations: Regex
    orders: Regex
    background: Regex
    types: dict[str, ChineseCued]
    responses: dict[str, ChineseCued]
    severity: ChineseSeverityCues = ChineseSeverityCues()


WORD_ATTRIBUTES = ("LOWER", "ORTH", "LEMMA", "NORM", "TEXT")


def _check_pattern(pattern: TokenPattern, path: str) -> None:
    """Every word of a cue is a string: YAML reads an unquoted no, on, off, true or false as a boolean."""
    for k, token in enumerate(pattern):
        for attr in WORD_ATTRIBUTES:
            value = token.get(attr)
            words = value.get("IN", []) + value.get("NOT_IN", []) if isinstance(value, dict) else [value]
            for word in words:
                if value is not None and not isinstance(word, str):
                    raise _FieldProblem(
                        f"{path}[{k}].{attr}",
                        f"{word!r} is not a word: quote it (YAML reads no, on, off, true, false as booleans)",
                    )


# -- watchlists.yaml ----------------------------------------------------------------------------------


def _one_mailbox(value: str) -> str:
    """One e-mail address ("a@x.org" or "Name <a@x.org>"), nothing that could add a header."""
    from email.utils import parseaddr

    if re.search(r"[\x00-\x1f\x7f]", value):
        raise ValueError(f"{value!r} contains control characters")
    address = parseaddr(value)[1]
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


Mailbox = Annotated[str, AfterValidator(_one_mailbox)]
SearchTerm = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]


class Watchlist(Model):
    """Companies, incident types and search terms an analyst follows, and where their news goes.

    An incident matches when it satisfies every criterion given (any of the listed companies, any of the
    listed types, any of the terms in the article): companies [meta] with types [breach] is Meta's breaches.
    """

    id: Slug
    name: str = Field(min_length=1, max_length=200)
    companies: list[Slug] = []  # knowledge-base ids (companies.yaml), the accused company of the incident
    types: list[Slug] = []  # incident types (incidents.yaml)
    terms: list[SearchTerm] = []  # words or phrases in the title or text, case-insensitive
    # immediate: an e-mail per new incident (or per story, when several arrive together);
    # digest: a section of its own in the daily digest, which its recipients then also receive
    delivery: Literal["immediate", "digest"] = "digest"
    recipients: list[Mailbox] = []
    webhook: HttpUrl | None = None  # a JSON POST per new incident, whatever the delivery

    @model_validator(mode="after")
    def _has_criteria(self) -> Watchlist:
        if not (self.companies or self.types or self.terms):
            raise ValueError("a watchlist needs companies, types or terms (or several of them)")
        return self


class WatchlistsFile(Model):
    version: Literal[1] = 1
    watchlists: list[Watchlist] = []

    @model_validator(mode="after")
    def _unique_ids(self) -> WatchlistsFile:
        _check_unique((w.id for w in self.watchlists), "watchlists", "id")
        return self


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
    # a worker process beside `privwatch crawl` tags what it stores as it arrives (privwatch/crawl_tagging.py)
    tag_while_crawling: bool = True


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
    join_threshold: float = 0.3
    # the rare-word cosine an article needs with an article of the story in its language, if there is one
    min_text: float = Field(default=0.05, ge=0, le=1)
    # the rare-word cosine an article without an incident of its own needs with a story's article to join it
    coverage_threshold: float = Field(default=0.12, ge=0, le=1)
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


def _deep_merge(base: dict, extra: Mapping) -> dict:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# -- loading -------------------------------------------------------------------------------------------


class _FieldProblem(ValueError):
    """Raised inside a validator when the problem belongs to a nested path."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


def _check_unique(values, group: str, field_name: str) -> None:
    seen: dict[str, int] = {}
    for i, value in enumerate(values):
        if value in seen:
            raise _FieldProblem(
                f"{group}[{i}].{field_name}",
                f"duplicate {field_name} {value!r}: {group}[{seen[value]}] has it too",
            )
        seen[value] = i


def _path(loc: tuple) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


# libyaml's loader when PyYAML has it: companies.yaml takes 0.4 s to parse in pure Python, every command
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UniqueKeyLoader(SAFE_LOADER):
    """The safe loader, except that a key given twice in one mapping is an error: YAML would keep the last
    one, silently dropping the first (a setting, or a Chinese cue list keyed by incident type)."""

    def construct_mapping(self, node, deep=False):
        first: dict[str, Any] = {}
        for key_node, _value in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            mark = first.setdefault(key_node.value, key_node.start_mark)
            if mark is not key_node.start_mark:
                raise yaml.constructor.ConstructorError(
                    problem=f"duplicate key {key_node.value!r} (first on line {mark.line + 1})",
                    problem_mark=key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


def _read_yaml(path: Path) -> Any:
    if not path.parent.is_dir():
        raise ConfigError(f"config directory not found: {path.parent}")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: {where}invalid YAML: {problem}") from None


def _field_names(model: type[BaseModel], loc: tuple) -> list[str]:
    """The fields of the model that a validation error's location points into ([] when it is no model)."""
    annotation: Any = model
    for part in (*loc, None):
        while get_origin(annotation) in (Annotated, Union, UnionType):
            options = [a for a in get_args(annotation) if a is not type(None)]
            annotation = options[0] if get_origin(annotation) is Annotated or len(options) == 1 else None
        if part is None:
            break
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part) if isinstance(part, str) else None
            annotation = field.annotation if field else None
        elif get_origin(annotation) in (list, dict):
            annotation = get_args(annotation)[-1]
        else:
            return []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _close(name: Any, candidates) -> str | None:
    """The candidate a typo away from name: one letter missing, added, changed or two swapped (two such
    edits in a name of eight letters or more)."""
    from rapidfuzz.distance import OSA

    name = str(name)
    allowed = 2 if len(name) >= 8 else 1
    scored = sorted((OSA.distance(name, str(c)), str(c)) for c in candidates if str(c) != name)
    return scored[0][1] if scored and scored[0][0] <= allowed else None


def _entry_of(data: Any, loc: tuple) -> str:
    """' (in source 'szdaily')' when the error is inside an entry with an id of a top-level list."""
    if len(loc) < 3 or not isinstance(data, Mapping) or not isinstance(loc[1], int) or loc[2] == "id":
        return ""
    try:
        entry_id = data[loc[0]][loc[1]].get("id")
    except (KeyError, IndexError, TypeError, AttributeError):
        return ""
    group = str(loc[0])
    singular = group[:-3] + "y" if group.endswith("ies") else group.removesuffix("s")
    return f" (in {singular} {entry_id!r})" if isinstance(entry_id, str) else ""


def validate(model: type[BaseModel], data: Any, path: Path | str):
    """Validate data against model; any problem becomes a one-line ConfigError.

    A required field that is missing while an unknown field one typo away is present is one problem (the
    typo), said as such; an unknown field one typo away from a known one says which."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        error, explained = errors[0], 1
        message = error["msg"].removeprefix("Value error, ")
        loc = _path(error["loc"])
        ctx_error = (error.get("ctx") or {}).get("error")
        if isinstance(ctx_error, _FieldProblem):
            loc, message = _path((*error["loc"], ctx_error.path)), ctx_error.problem
        parent, name = error["loc"][:-1], error["loc"][-1] if error["loc"] else None
        if error["type"] == "missing":
            unknown = [
                e["loc"][-1] for e in errors if e["type"] == "extra_forbidden" and e["loc"][:-1] == parent
            ]
            typo = _close(name, unknown)
            if typo:
                message, explained = f'{message}; found "{typo}": did you mean "{name}"?', 2
        elif error["type"] == "extra_forbidden":
            known = _close(name, _field_names(model, parent))
            message = "unknown field (a typo?)" + (f'; did you mean "{known}"?' if known else "")
        more = f" (and {exc.error_count() - explained} more)" if exc.error_count() > explained else ""
        raise ConfigError(f"{path}: {loc}: {message}{_entry_of(data, error['loc'])}{more}") from None


class Config:
    """The config files of one config directory, each loaded and validated on first use."""

    def __init__(self, directory: Path | str | None = None, environ: Mapping[str, str] | None = None):
        self.directory = Path(directory) if directory else default_config_dir()
        self.environ = os.environ if environ is None else environ

    def _load(self, filename: str, model: type[BaseModel]):
        path = self.directory / filename
        return validate(model, _read_yaml(path), path)

    @cached_property
    def sources(self) -> list[Source]:
        return self._load("sources.yaml", SourcesFile).sources

    @cached_property
    def knowledge_base(self) -> CompaniesFile:
        return self._load("companies.yaml", CompaniesFile)

    @cached_property
    def regulators(self) -> list[Regulator]:
        path = self.directory / "regulators.yaml"
        regulators = self._load("regulators.yaml", RegulatorsFile).regulators
        companies = {
            name.strip().casefold(): company.id
            for company in self.knowledge_base.companies
            for name, _field in company.names()
        }
        for i, regulator in enumerate(regulators):
            for name, field_name in regulator.names():
                if name.strip().casefold() in companies:
                    owner = companies[name.strip().casefold()]
                    raise ConfigError(
                        f"{path}: regulators[{i}].{field_name}: {name!r} is also a name of company {owner!r}"
                    )
        return regulators

    @cached_property
    def taxonomy(self) -> TaxonomyFile:
        return self._load("incidents.yaml", TaxonomyFile)

    @cached_property
    def taxonomy_zh(self) -> ChineseTaxonomyFile:
        path = self.directory / "incidents.zh.yaml"
        cues = self._load("incidents.zh.yaml", ChineseTaxonomyFile)
        for group, known, entries in (
            ("types", self.taxonomy.types, cues.types),
            ("responses", self.taxonomy.responses, cues.responses),
        ):
            ids = {entry.id for entry in known}
            for name in entries:
                if name not in ids:
                    raise ConfigError(f"{path}: {group}.{name}: not a {group[:-1]} of incidents.yaml")
        return cues

    @cached_property
    def watchlists(self) -> list[Watchlist]:
        """config/watchlists.yaml (none when the file is absent), checked against the knowledge base and
        the taxonomy."""
        path = self.directory / "watchlists.yaml"
        if not path.exists():
            return []
        watchlists = self._load("watchlists.yaml", WatchlistsFile).watchlists
        known = (
            ("companies", "company id", self.knowledge_base.by_id, "companies.yaml"),
            ("types", "incident type", {t.id for t in self.taxonomy.types}, "incidents.yaml"),
        )
        for i, watchlist in enumerate(watchlists):
            for field_name, what, ids, filename in known:
                for j, value in enumerate(getattr(watchlist, field_name)):
                    if value not in ids:
                        close = difflib.get_close_matches(value, list(ids), n=1)
                        hint = f"; did you mean {close[0]!r}?" if close else ""
                        raise ConfigError(
                            f"{path}: watchlists[{i}].{field_name}[{j}]: unknown {what} {value!r} "
                            f"(not in {filename}){hint}"
                        )
        return watchlists

    @cached_property
    def settings(self) -> Settings:
        path = self.directory / "settings.yaml"
        data = _read_yaml(path) if path.exists() else {}
        if data is not None and not isinstance(data, Mapping):
            raise ConfigError(f"{path}: (top level): expected a mapping of settings")
        validate(Settings, data, path)
        merged = _deep_merge(data or {}, env_overrides(Settings, self.environ))
        return validate(Settings, merged, f"{path} (with {ENV_PREFIX}* environment variables)")

    def check(self) -> None:
        """Load every file now, so a bad one fails before any work starts."""
        files = "settings sources knowledge_base regulators taxonomy taxonomy_zh watchlists"
        for name in files.split():
            getattr(self, name)

    def digest(self, *filenames: str) -> str:
        """A short digest of some of the folder's files, as they are on disk now."""
        digest = hashlib.sha1()
        for filename in filenames:
            path = self.directory / filename
            digest.update(filename.encode() + b"\0")
            digest.update(path.read_bytes() if path.exists() else b"")
        return digest.hexdigest()[:8]

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(s.id for s in self.sources)
        raise ConfigError(f"{self.directory / 'sources.yaml'}: no source {source_id!r} (known: {known})")
