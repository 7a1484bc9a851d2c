"""Downloader middlewares: robots.txt as RFC 9309 reads it; retries that back off and honour Retry-After;
skipping stored articles; a per-source budget of article pages; offsite redirects that leave a trace.

A request one of them drops raises IgnoreRequest, which reaches the request's errback (the spider records
a crawl_errors row); the ordinary skips have their own subclasses, which the errback leaves unrecorded."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import partial

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawlers.counters import run_counter
from crawlers.extract.urls import strip_tracking
from crawlers.frontier import Frontier, StoredUrlsInRedis, round_keys
from crawlers.runs import crawl_runs
from storage import db as store

logger = logging.getLogger(__name__)


class ForbiddenByRobots(IgnoreRequest):
    """robots.txt disallows the URL."""


class AlreadyStored(IgnoreRequest):
    """An article stored by an earlier run: an ordinary skip, not an error."""


class OverArticleLimit(IgnoreRequest):
    """The source's article pages for this run are used up: counted, not an error."""


class OffsiteRedirect(IgnoreRequest):
    """A page redirected outside the source's allowed domains."""


def retry_after_seconds(value: bytes | str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class UnreachableRobots:
    """The rules of a host whose robots.txt could not be read: nothing may be fetched (RFC 9309 2.3.1.4)."""

    def __init__(self, reason: str):
        self.reason = reason

    def allowed(self, url, user_agent) -> bool:
        return False


class RobotsPolicyMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with what RFC 9309 asks and Scrapy 2.19 does not do:

    - a robots.txt that cannot be read (a network error, 429 or 5xx after retries) disallows the whole
      host for this crawl, and each page it stops is a crawl error; Scrapy allowed everything. A 4xx
      other than 429 still means "no rules".
    - every request that waited for a host's robots.txt gets its rules: Scrapy awaits the one shared
      Deferred through asFuture, whose callback returns None, so each waiter after the first got None
      (no rules) and disallowed pages were fetched whenever several requests met an unread robots.txt."""

    async def robot_parser(self, request):
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        waiter = Deferred()

        def pass_on(result):
            waiter.callback(result)
            return result

        pending.addBoth(pass_on)
        return await maybe_deferred_to_future(waiter)

    async def _parse_robots(self, response, netloc, request) -> None:
        if response.status == 429 or response.status >= 500:
            self._unreachable(netloc, f"HTTP {response.status}")
        else:
            await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc, netloc) -> None:
        if isinstance(exc, IgnoreRequest):  # another middleware chose not to fetch it: no rules, as Scrapy
            super()._robots_error(exc, netloc)
        else:
            self._unreachable(netloc, f"{type(exc).__name__}: {exc}".strip().rstrip(":"))

    def _unreachable(self, netloc: str, reason: str) -> None:
        logger.warning("robots.txt of %s unreachable (%s): nothing is fetched from it", netloc, reason)
        pending = self._parsers[netloc]
        self._parsers[netloc] = rules = UnreachableRobots(reason)
        pending.callback(rules)

    def process_request_2(self, rp, request) -> None:
        if isinstance(rp, UnreachableRobots):
            raise IgnoreRequest(f"robots.txt unreachable ({rp.reason}): not fetched")
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as exc:
            raise ForbiddenByRobots(str(exc)) from exc


class RetryWithBackoffMiddleware(RetryMiddleware):
    """Scrapy's retry, waiting base * 2**attempt seconds (or the server's Retry-After) before each retry."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("PRIVWATCH_RETRY_BACKOFF_BASE", 1.0)
        self.max_delay = settings.getfloat("PRIVWATCH_RETRY_MAX_DELAY", 120.0)

    def _delay(self, request, response=None) -> float:
        attempt = request.meta.get("retry_times", 0)
        delay = self.backoff_base * (2**attempt)
        if response is not None:
            delay = retry_after_seconds(response.headers.get(b"Retry-After")) or delay
        return min(delay, self.max_delay)

    async def process_response(self, request, response):
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await asyncio.sleep(self._delay(request, response))
        return retry

    async def process_exception(self, request, exception):
        if request.meta.get("dont_retry") or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await asyncio.sleep(self._delay(request))
        return retry


class SkipStoredArticlesMiddleware:
    """Article requests whose URL is already stored are not fetched again (incremental crawling)."""

    def __init__(self, stored: Callable[[set[str]], set[str]]):
        self.stored = stored

    @classmethod
    def from_crawler(cls, crawler):
        if crawler.settings.getbool("PRIVWATCH_REFETCH"):
            raise NotConfigured
        if round_keys(crawler.settings):
            frontier = Frontier.of(crawler)
            return cls(StoredUrlsInRedis(frontier.server, frontier.keys).stored)
        db_path = crawler.settings.get("PRIVWATCH_DB")
        if not db_path:
            raise NotConfigured
        return cls(partial(store.stored_urls, store.open_db(db_path, migrate=False)))

    def process_request(self, request):
        if not request.meta.get("article"):
            return None
        if self.stored({request.url, strip_tracking(request.url)}):
            raise AlreadyStored(f"already stored: {request.url}")
        return None


class ArticleLimitMiddleware:
    """At most PRIVWATCH_MAX_ARTICLES_PER_RUN article pages per source and run, whatever the spider that
    found them; placed after SkipStoredArticlesMiddleware, so stored articles do not use the budget and
    the next run fetches the next ones. What it drops is counted per source ("articles_cut")."""

    def __init__(self, crawler, limit: int):
        self.crawler = crawler
        self.limit = limit

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.getint("PRIVWATCH_MAX_ARTICLES_PER_RUN", 1000))

    def process_request(self, request):
        source_id = request.meta.get("source_id")
        # a retry or a redirect comes back through here: the page it continues was counted already
        if not request.meta.get("article") or {"retry_times", "redirect_times"} & request.meta.keys():
            return None
        # on Redis, the round's runs: the limit holds for all its workers together
        if not crawl_runs(self.crawler).admit_article(source_id, request.url, self.limit):
            self.crawler.stats.inc_value(run_counter(source_id, "articles_cut"))
            raise OverArticleLimit(f"over the limit of {self.limit} article pages per run")
        return None


class OffsiteRedirectsMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter, which drops a request as it is scheduled without calling its errback:
    a redirect it drops goes to the errback too, so the page that redirected away leaves a crawl error
    (offsite links are only skipped: a listing page holds many)."""

    def request_scheduled(self, request, spider) -> None:
        try:
            self.process_request(request)
        except IgnoreRequest:
            chain = request.meta.get("redirect_urls")
            if chain and request.errback:
                hops = " -> ".join([*chain, request.url])
                failure = Failure(OffsiteRedirect(f"redirected offsite: {hops}"))
                failure.request = request
                request.errback(failure)
            raise


class ExtractionBackpressureMiddleware:
    """An article request waits until the spider's extraction pool has room for its page
    (crawlers/extraction_pool.py): downloads go no faster than extraction."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request):
        extractor = getattr(self.crawler.spider, "extractor", None)
        if request.meta.get("article") and extractor is not None:
            await extractor.wait_for_room()
        return None
