"""Run the spiders for a set of configured sources in this process (Scrapy's reactor runs once per process,
so a scheduler runs each crawl as a subprocess of `privwatch crawl`)."""

from __future__ import annotations

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

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


def run_crawl(sources, settings: Settings) -> list[dict]:
    """Crawl these sources (config Source models); return the finished crawl_runs rows."""
    process = CrawlerProcess(settings)
    crawlers = []
    for kind, spider_class in SPIDERS.items():
        of_kind = [s for s in sources if s.kind == kind]
        if of_kind:
            crawler = process.create_crawler(spider_class)
            process.crawl(crawler, sources=of_kind)
            crawlers.append(crawler)
    process.start()
    return [row for crawler in crawlers for row in getattr(crawler.spider, "crawl_summary", [])]
