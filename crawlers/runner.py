"""Run the spiders for a set of configured sources in this process (Scrapy's reactor runs once per process,
so a scheduler runs each crawl as a subprocess of `privwatch crawl`)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawlers.runs import CrawlRunRecorder
from crawlers.signals import crawl_stopping
from crawlers.spiders.feed import FeedSpider
from crawlers.spiders.listing import ListingSpider
from crawlers.spiders.sitemap import SitemapSpider

SPIDERS = {"listing": ListingSpider, "feed": FeedSpider, "sitemap": SitemapSpider}


def crawl_settings(app_settings, db_path: str, overrides: dict | None = None) -> Settings:
    """Scrapy settings: crawlers/settings.py, then settings.yaml's crawl section, then overrides."""
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    crawl = app_settings.crawl
    settings.setdict(
        {
            "USER_AGENT": crawl.user_agent.format(contact_url=crawl.contact_url),
            "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_per_domain,
            "DOWNLOAD_DELAY": crawl.download_delay,
            "DOWNLOAD_TIMEOUT": crawl.download_timeout,
            "DOWNLOAD_MAXSIZE": crawl.max_page_bytes,
            "ROBOTSTXT_OBEY": crawl.obey_robots,
            "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
            "RETRY_TIMES": crawl.retries,
            "PRIVWATCH_MAX_CHILD_SITEMAPS": crawl.max_child_sitemaps,
            "PRIVWATCH_MAX_SITEMAP_DEPTH": crawl.max_sitemap_depth,
            "PRIVWATCH_MAX_ARTICLES_PER_RUN": crawl.max_articles_per_run,
            "PRIVWATCH_MAX_BODY_CHARS": crawl.max_body_chars,
            "PRIVWATCH_MAX_BODY_PARAGRAPHS": crawl.max_body_paragraphs,
            "PRIVWATCH_MAX_PAGE_TAGS": crawl.max_page_tags,
            "PRIVWATCH_EXTRACT_TIMEOUT": crawl.extract_timeout,
            "PRIVWATCH_EXTRACT_MEMORY": crawl.extract_memory_bytes,
            "PRIVWATCH_EXTRACT_WORKERS": crawl.extract_workers,
            "PRIVWATCH_DB": db_path,
        },
        priority="cmdline",
    )
    settings.setdict(overrides or {}, priority="cmdline")
    return settings


class StoppableCrawlerProcess(CrawlerProcess):
    """Scrapy's process, whose first SIGINT or SIGTERM also cancels the downloads in flight
    (crawlers/handlers.py): the crawl ends within seconds, its runs and articles recorded. on_stop, if
    given, is called in the signal handler: what runs beside the crawl stops with it."""

    def __init__(self, settings: Settings, on_stop: Callable[[], None] | None = None):
        super().__init__(settings)
        self.on_stop = on_stop

    def _signal_shutdown(self, signum, frame) -> None:
        from twisted.internet import reactor

        super()._signal_shutdown(signum, frame)
        if self.on_stop:
            self.on_stop()
        for crawler in self.crawlers:
            reactor.callFromThread(crawler.signals.send_catch_log, signal=crawl_stopping)


class OneLineFormatter(logging.Formatter):
    """A log record in one line: its message's first line, and the exception's type and text when the
    message lacks them. Scrapy and Twisted log a traceback with each download failure, and Scrapy a dropped
    item whole; those are for -v."""

    def format(self, record: logging.LogRecord) -> str:
        error = record.exc_info[1] if record.exc_info else None
        without = {"exc_info": None, "exc_text": None, "stack_info": None}
        first, _, rest = super().format(logging.makeLogRecord({**record.__dict__, **without})).partition("\n")
        if "Traceback (most recent call last):" in rest:  # Twisted's "Unhandled error in Deferred"
            first += f" ({rest.strip().splitlines()[-1]})"
        if error is not None and str(error) not in first:
            first += f" ({type(error).__name__}: {error})"
        return first


def log_handler(settings: Settings) -> logging.Handler:
    """Scrapy's log on stderr at LOG_LEVEL: one line per failure, or tracebacks too with
    PRIVWATCH_LOG_TRACEBACKS (`privwatch crawl -v`)."""
    handler = logging.StreamHandler()
    formatter = logging.Formatter if settings.getbool("PRIVWATCH_LOG_TRACEBACKS") else OneLineFormatter
    handler.setFormatter(formatter(fmt=settings.get("LOG_FORMAT"), datefmt=settings.get("LOG_DATEFORMAT")))
    handler.setLevel(settings.get("LOG_LEVEL"))
    return handler


def run_crawl(sources, settings: Settings, on_stop: Callable[[], None] | None = None) -> list[dict]:
    """Crawl these sources (config Source models); return the finished crawl_runs rows. on_stop is called
    when a signal stops the crawl."""
    settings = settings.copy()
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    handler = log_handler(settings)
    logging.root.addHandler(handler)
    try:
        return _run(sources, settings, on_stop)
    finally:
        logging.root.removeHandler(handler)


def _run(sources, settings: Settings, on_stop: Callable[[], None] | None) -> list[dict]:
    process = StoppableCrawlerProcess(settings, on_stop)
    crawlers = []
    for kind, spider_class in SPIDERS.items():
        of_kind = [s for s in sources if s.kind == kind]
        if of_kind:
            crawler = process.create_crawler(spider_class)
            process.crawl(crawler, sources=of_kind)
            crawlers.append(crawler)
    process.start()
    return [row for crawler in crawlers for row in crawl_summary(crawler)]


def crawl_summary(crawler) -> list[dict]:
    """The crawl_runs rows a crawler finished; none when it stopped before its extensions were built."""
    try:
        recorder = crawler.get_extension(CrawlRunRecorder)
    except RuntimeError:
        return []
    return recorder.summary if recorder is not None else []
