"""A progress line on stderr while a crawl runs: without it `privwatch crawl` says nothing until the summary
table, which on real sites takes tens of seconds."""

from __future__ import annotations

import sys
from collections import Counter

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawlers.runs import crawl_runs


class CrawlProgress:
    """Every PRIVWATCH_PROGRESS_SECONDS (0: never), one line per spider: each source's pages fetched,
    articles extracted and errors so far. Redis workers count in Redis and print nothing."""

    def __init__(self, crawler, seconds: float):
        self.crawler = crawler
        self.seconds = seconds
        self.articles: Counter = Counter()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        seconds = crawler.settings.getfloat("PRIVWATCH_PROGRESS_SECONDS")
        if seconds <= 0:
            raise NotConfigured("PRIVWATCH_PROGRESS_SECONDS is 0")
        extension = cls(crawler, seconds)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        return extension

    def spider_opened(self, spider):
        self.loop = task.LoopingCall(self.report, spider)
        self.loop.start(self.seconds, now=False)

    def item_scraped(self, item, spider):
        self.articles[item.get("source_id")] += 1

    def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def line(self, counts: dict[str, Counter] | None) -> str | None:
        """The progress line for each source's run counters (None on a Redis worker: no line)."""
        if counts is None:
            return None
        parts = [
            f"{source_id} {_count(counter['pages'], 'page')}, {_count(self.articles[source_id], 'article')}"
            + (f", {_count(counter['errors'], 'error')}" if counter["errors"] else "")
            for source_id, counter in counts.items()
        ]
        return "crawling: " + "; ".join(parts)

    def report(self, spider) -> None:
        line = self.line(getattr(crawl_runs(self.crawler), "counts", None))
        if line:
            print(line, file=sys.stderr, flush=True)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
