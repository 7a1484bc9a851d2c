"""sources.yaml: the news sources, each a kind of start page (feed, sitemap, section pages) and optional
selectors; adding a source is one entry here and one stored fixture page (docs/how-to-add-a-source.md)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, HttpUrl, field_validator, model_validator

from config.fields import (
    Interval,
    LanguageCode,
    Model,
    Slug,
    TimeZoneName,
    check_unique,
    interval_seconds,
    usable_regex,
)

# -- sources.yaml --------------------------------------------------------------------------------------


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
            usable_regex(match.group(1) if match.group(1) is not None else match.group(2))
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
        return value if value is None else usable_regex(value)

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
        check_unique((s.id for s in self.sources), "sources", "id")
        return self
