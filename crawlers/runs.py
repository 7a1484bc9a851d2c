"""Crawl-run bookkeeping: one crawl_runs row per source per run, a crawl_errors row per failure, and a
crawl_warnings row per source and run whose selectors matched nothing on some pages, or whose crawl limits
(child sitemaps per index, sitemap depth, article pages per run) left something out.

A run's counters (pages, usable_pages, errors, new ...) are Scrapy stats under `run_counter(source, name)`:
components count with `crawler.stats.inc_value`, and the recorder reads them when the spider closes."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from scrapy import signals
from scrapy.exceptions import NotConfigured

from config.sources import Selectors
from crawlers.counters import run_counter, run_counts
from crawlers.frontier import Frontier, RedisCrawlRuns, round_keys
from storage import db as store

logger = logging.getLogger(__name__)


def run_status(counts: Mapping[str, int], reason: str) -> str:
    """blocked: robots.txt forbade listing, feed or sitemap pages (its start URLs, or the sitemaps its
    robots.txt names), and none gave article links;
    failed: no listing, feed or sitemap page gave article links, and something went wrong;
    partial: errors, or the crawl stopped early; ok otherwise. A page robots.txt forbids has its error row
    but is no failure of the run: a feed that links to one would make every run of its source partial."""
    if counts.get("blocked_pages") and not counts.get("usable_pages"):
        return "blocked"
    trouble = counts.get("errors", 0) > counts.get("forbidden", 0) or reason != "finished"
    if trouble and not counts.get("usable_pages"):
        return "failed"
    return "partial" if trouble else "ok"


SELECTOR_MISS = "selector_miss"
LIMITS = "limits"
# counter -> (what it counts, singular and plural; the crawl setting of settings.yaml that set the limit)
LIMIT_COUNTERS = {
    "sitemaps_cut": (("child sitemap", "child sitemaps"), "max_child_sitemaps"),
    "sitemaps_too_deep": (("sitemap too deep", "sitemaps too deep"), "max_sitemap_depth"),
    "articles_cut": (("article page", "article pages"), "max_articles_per_run"),
}


def record_limits(db, run_id: int, counts: Mapping[str, int]) -> None:
    """One "limits" warning for the run when its crawl limits left something out, with what and how much."""
    cut = {counter: counts[counter] for counter in LIMIT_COUNTERS if counts.get(counter)}
    if not cut:
        return
    parts = []
    for counter, n in cut.items():
        (one, many), setting = LIMIT_COUNTERS[counter]
        parts.append(f"{n:,} {one if n == 1 else many} ({setting})")
    message = "crawl limits left out " + ", ".join(parts)
    store.record_crawl_warning(db, run_id, LIMITS, pages=sum(cut.values()), message=message, detail=cut)


def close_run(db, run_id: int, counts: Mapping[str, int], reason: str) -> dict:
    """Record the run's limits warning, then finish it with its status; the finished crawl_runs row."""
    record_limits(db, run_id, counts)
    status = run_status(counts, reason)
    if reason != "finished":
        error = f"crawl ended: {reason}"
    elif status == "blocked":
        error = "robots.txt forbids the pages its crawl starts from"
    else:
        error = None
    return store.finish_crawl_run(db, run_id, status, error)


@dataclass
class SelectorMisses:
    """The pages of one source's run where some of its selectors matched nothing, yet the general
    extractor found the article (or its URL pattern the article links): one selector_miss warning."""

    pages: int = 0
    by_selector: Counter = field(default_factory=Counter)  # selector -> pages it missed on
    example_url: str | None = None

    def add(self, selectors: Iterable[str], url: str | None) -> None:
        self.pages += 1
        self.by_selector.update(selectors)
        self.example_url = self.example_url or url

    @property
    def message(self) -> str:
        names = [name for name in Selectors.model_fields if name in self.by_selector]
        pages = f"{self.pages} page" + ("" if self.pages == 1 else "s")
        return f"selectors missed on {pages} ({', '.join(names)}); generic extraction used"

    def record(self, db, run_id: int) -> None:
        store.record_crawl_warning(
            db,
            run_id,
            SELECTOR_MISS,
            pages=self.pages,
            message=self.message,
            detail=dict(self.by_selector),
            example_url=self.example_url,
        )


class CrawlRuns:
    """The crawl_runs rows, error rows and warnings of the sources one spider crawls; their counters are
    the crawler's stats.

    A run failed when none of its listing, feed or sitemap pages gave article links ("usable_pages")."""

    def __init__(self, db_path: str, source_ids: list[str], stats):
        self.db = store.open_db(db_path)
        self.stats = stats
        for source_id in source_ids:
            store.close_interrupted_runs(self.db, source_id)
        self.run_ids = {source_id: store.start_crawl_run(self.db, source_id) for source_id in source_ids}
        self.selector_misses: dict[str, SelectorMisses] = {}
        self.articles_admitted: dict[str, set[str]] = {}

    @property
    def counts(self) -> dict[str, Counter]:
        return {source_id: run_counts(self.stats, source_id) for source_id in self.run_ids}

    def stored(self, urls) -> set[str]:
        return store.stored_urls(self.db, urls)

    def admit_article(self, source_id: str, url: str, limit: int) -> bool:
        """Whether this article page is among the first `limit` of the source's run (asking again for one
        admitted is no new page)."""
        admitted = self.articles_admitted.setdefault(source_id, set())
        if url in admitted or len(admitted) < limit:
            admitted.add(url)
            return True
        return False

    def selector_miss(self, source_id: str, selectors: list[str], url: str | None) -> None:
        self.selector_misses.setdefault(source_id, SelectorMisses()).add(selectors, url)

    def error(self, source_id: str | None, url: str | None, status: int | None, error: str) -> None:
        logger.warning("crawl error %s %s: %s", status or "-", url, error)
        run_id = self.run_ids.get(source_id) if source_id else None
        if run_id is None and self.run_ids:
            run_id = next(iter(self.run_ids.values()))
        if run_id is not None:
            store.record_crawl_error(self.db, run_id, url, status, error[:2000])
            self.stats.inc_value(run_counter(source_id, "errors"))

    def finish(self, reason: str) -> list[dict]:
        rows = []
        for source_id, run_id in self.run_ids.items():
            counts = run_counts(self.stats, source_id)
            store.add_crawl_counts(
                self.db,
                run_id,
                **{k: counts[k] for k in ("pages", "new", "updated", "duplicates") if counts[k]},
            )
            if source_id in self.selector_misses:
                self.selector_misses[source_id].record(self.db, run_id)
            rows.append(close_run(self.db, run_id, counts, reason))
        self.db.close()
        return rows


class CrawlRunRecorder:
    """Opens the crawl runs when a spider starts, counts fetched pages, closes the runs at the end.

    The spider and the components that record errors, misses or admitted articles find the runs here,
    through `crawler.get_extension(CrawlRunRecorder).runs`; `summary` is the finished crawl_runs rows."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.db_path = crawler.settings.get("PRIVWATCH_DB")
        self.on_redis = round_keys(crawler.settings) is not None
        if not (self.db_path or self.on_redis):
            raise NotConfigured("PRIVWATCH_DB is not set")
        self.runs: CrawlRuns | RedisCrawlRuns | None = None
        self.summary: list[dict] = []

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        crawler.signals.connect(extension.request_dropped, signal=signals.request_dropped)
        return extension

    def spider_opened(self, spider):
        if self.on_redis:
            frontier = Frontier.of(self.crawler)
            self.runs = RedisCrawlRuns(frontier.server, frontier.keys, frontier.worker)
        else:
            source_ids = [s.id for s in getattr(spider, "sources", [])]
            self.runs = CrawlRuns(self.db_path, source_ids, self.crawler.stats)

    def response_received(self, response, request, spider):
        if response.status < 400 and request.meta.get("source_id"):
            self.crawler.stats.inc_value(run_counter(request.meta["source_id"], "pages"))

    def request_dropped(self, request, spider):
        # the duplicate filter drops a redirect back to a URL already fetched: that is a redirect loop
        chain = request.meta.get("redirect_urls")
        if chain:
            loop = " -> ".join([*chain, request.url])
            self.runs.error(request.meta.get("source_id"), chain[0], None, f"redirect loop: {loop}")

    def spider_closed(self, spider, reason):
        self.summary = self.runs.finish(reason)


def crawl_runs(crawler) -> CrawlRuns | RedisCrawlRuns:
    """The runs a crawler records (open once its spider is)."""
    return crawler.get_extension(CrawlRunRecorder).runs
