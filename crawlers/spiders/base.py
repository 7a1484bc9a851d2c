"""What every source spider shares: its sources, article requests, extraction and error rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from crawlers.counters import run_counter
from crawlers.extract.metadata import sort_names
from crawlers.extraction_pool import OverBudget, PageExtractor
from crawlers.items import ArticleItem
from crawlers.middlewares import AlreadyStored, ForbiddenByRobots, OverArticleLimit
from crawlers.runs import crawl_runs
from crawlers.signals import errback_done

HTML_TYPES = (b"text/html", b"application/xhtml+xml", b"text/plain")


class SourceSpider(scrapy.Spider):
    """A spider for every source of one kind in config/sources.yaml (pass `sources=[Source, ...]`)."""

    kind: str = ""
    # Scrapy starts CONCURRENT_ITEMS asyncio tasks for every callback's output; an article page yields one
    # item and the pipelines are synchronous, so the default 100 only costs event-loop time (~15% of a crawl)
    custom_settings = {"CONCURRENT_ITEMS": 8}

    def __init__(self, sources=(), *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sources = list(sources)
        self.by_id = {s.id: s for s in self.sources}
        self.allowed_domains = sorted({d for s in self.sources for d in s.allowed_domains})
        self.url_patterns = {
            s.id: re.compile(s.article_url_pattern) if s.article_url_pattern else None for s in self.sources
        }

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.extractor = PageExtractor.from_settings(crawler.settings)
        crawler.signals.connect(spider.extractor.close, signal=signals.spider_closed)
        return spider

    async def start(self):
        for source in self.sources:
            for url in source.start_urls:
                yield self.page_request(str(url), source.id, self.parse_start)

    def parse_start(self, response):
        raise NotImplementedError

    def page_request(self, url: str, source_id: str, callback, **meta) -> scrapy.Request:
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, meta={"source_id": source_id, **meta}
        )

    def article_request(self, url: str, source_id: str, **meta) -> scrapy.Request:
        return self.page_request(url, source_id, self.parse_article, article=True, **meta)

    def looks_like_article(self, source_id: str, url: str) -> bool:
        pattern = self.url_patterns.get(source_id)
        return pattern.search(url) is not None if pattern else True

    @property
    def runs(self):
        """The runs of this crawl: crawl errors, selector misses, stored URLs (crawlers/runs.py)."""
        return crawl_runs(self.crawler)

    def count(self, source_id: str | None, counter: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(run_counter(source_id, counter), n)

    def record_error(self, response_or_request, error: str, status: int | None = None) -> None:
        meta = response_or_request.meta
        self.runs.error(meta.get("source_id"), response_or_request.url, status, error)

    def on_error(self, failure):
        request = failure.request
        if failure.check(HttpError):
            response = failure.value.response
            self.record_error(request, f"HTTP {response.status}", response.status)
        elif failure.check(AlreadyStored, OverArticleLimit):
            pass
        elif failure.check(ForbiddenByRobots):
            self.record_error(request, "forbidden by robots.txt")
            self.count(request.meta.get("source_id"), "forbidden")
            if not request.meta.get("article"):  # a listing, feed or sitemap page
                self.count(request.meta.get("source_id"), "blocked_pages")
        elif failure.check(IgnoreRequest):
            # every other dropped request is a failure: a redirect loop or one offsite, a robots.txt that
            # could not be read, a body over DOWNLOAD_MAXSIZE once decompressed
            message = str(failure.value)
            if message == "max redirections reached":
                message = f"redirect loop: {message}"
            self.record_error(request, message[:500])
        else:
            error = failure.value
            text = f"{type(error).__name__}: {error}".strip().rstrip(":")
            self.record_error(request, text[:500])
        self.crawler.signals.send_catch_log(signal=errback_done, request=request)

    async def parse_article(self, response):
        content_type = response.headers.get(b"Content-Type", b"") or b""
        if content_type and not content_type.lower().startswith(HTML_TYPES):
            self.record_error(
                response, f"not an HTML page: {content_type.decode('latin-1')}", response.status
            )
            return
        source = self.by_id[response.meta["source_id"]]
        try:
            page = await self.extractor.extract(
                response.body, response.url, content_type=content_type.decode("latin-1"), source=source
            )
        except OverBudget as exc:
            self.record_error(response, str(exc), response.status)
            return
        except Exception as exc:  # a broken page must not stop the crawl
            self.record_error(response, f"extraction failed: {type(exc).__name__}: {exc}", response.status)
            return
        hints = response.meta.get("entry") or {}
        feed_byline = sort_names(hints.get("authors") or [])
        published = page.published
        if hints.get("published") and (not published or "T" not in published):
            published = hints["published"]
        yield ArticleItem(
            url=page.url,
            fetched_urls=[*response.meta.get("redirect_urls", []), response.url],
            source_id=source.id,
            title=page.title or hints.get("title"),
            authors=page.authors or feed_byline.people,
            credit=page.credit or feed_byline.credit,
            published=published,
            updated=page.updated,
            section=page.section or hints.get("section"),
            language=page.language or source.language,
            body=page.body,
            extractor=page.extractor,
            missed_selectors=page.missed_selectors,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
