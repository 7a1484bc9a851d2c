"""Downloader middlewares: retries that back off and honour Retry-After; skipping stored articles."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import partial

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.response import response_status_message

from crawlers.extract.urls import strip_tracking
from crawlers.frontier import Frontier, StoredUrlsInRedis, round_keys
from storage import db as store

logger = logging.getLogger(__name__)


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
            raise IgnoreRequest(f"already stored: {request.url}")
        return None
