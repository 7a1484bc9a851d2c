"""Reliability: a page too big, too slow or too greedy to extract becomes a crawl_errors row and the crawl
goes on; a body longer than the budget is stored cut at a paragraph boundary and flagged truncated."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from crawlers.extraction_pool import SHARED_POOLS, PageExtractor
from storage.db import open_db

from ..test_crawl import only_sources
from .faultsrv import FaultServer
from .test_reliability_crawl import WORDS, crawl, listing, source, write_articles

MAX_BODY_CHARS = 200_000


def write_page(root: Path, path: str, title: str, content: str) -> str:
    (root / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
    (root / path.lstrip("/")).write_text(
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{content}"
        "</article></body></html>",
        encoding="utf-8",
    )
    return path


def inline_elements(count: int) -> str:
    """A paragraph of `count` tiny bold words: cheap to send, costly to extract."""
    return "<p>" + "<b>w</b>" * count + "</p>"


def crawl_site(tmp_path: Path, config_dir: Path, links: list[str], **crawl_settings):
    with FaultServer(tmp_path / "site") as server:
        listing(tmp_path / "site", links)
        only_sources(
            config_dir,
            [source(server, "pages", "listing", "/index.html", selectors={"article_links": "a.story"})],
            **crawl_settings,
        )
        db = tmp_path / "pages.db"
        result = crawl(config_dir, db)
    assert result.returncode == 0, result.stdout + result.stderr
    database = open_db(db)
    stored = {
        r["url"].removeprefix(server.base): r
        for r in database.query("SELECT url, body, truncated FROM articles")
    }
    errors = {
        r["url"].removeprefix(server.base): r["error"] for r in database.query("SELECT * FROM crawl_errors")
    }
    runs = [r["status"] for r in database.query("SELECT status FROM crawl_runs")]
    return stored, errors, runs


def test_a_page_of_a_million_elements_is_refused_and_a_long_body_is_cut(tmp_path, config_dir):
    site = tmp_path / "site"
    normal = write_articles(site, 3)
    hostile = write_page(site, "/news/hostile.html", "A million elements", inline_elements(1_000_000))
    assert (site / "news" / "hostile.html").stat().st_size > 8_000_000
    rng = random.Random(19)
    paragraphs = [f"Paragraph {n}: {' '.join(rng.choices(WORDS, k=12)).capitalize()}." for n in range(14_000)]
    content = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    long = write_page(site, "/news/long-report.html", "A very long report on consent", content)
    # a slow machine must not turn the long page into a time-budget error: that is another test
    stored, errors, runs = crawl_site(tmp_path, config_dir, [hostile, long, *normal], extract_timeout=120)

    assert set(stored) == {long, *normal}
    assert set(errors) == {hostile}
    assert errors[hostile] == "page has 2,000,014 tags, over the budget of 200,000"
    assert runs == ["partial"]
    assert all(stored[path]["truncated"] == 0 for path in normal)
    body = stored[long]["body"]
    kept = body.split("\n\n")
    assert stored[long]["truncated"] == 1
    assert kept == paragraphs[: len(kept)], "cut after a whole paragraph"
    assert len(body) <= MAX_BODY_CHARS < len(body) + 2 + len(paragraphs[len(kept)]), "no more than needed"


def test_a_page_over_the_time_budget_is_an_error_and_the_next_pages_are_stored(tmp_path, config_dir):
    site = tmp_path / "site"
    # 50,000 inline elements take about 15 s to extract (measured): far over a 3 s budget, yet under
    # the tag gate; one worker, so the pages after it need the worker that replaces the killed one
    slow = write_page(site, "/news/slow.html", "Slow to extract", inline_elements(50_000))
    normal = write_articles(site, 4)
    stored, errors, runs = crawl_site(
        tmp_path, config_dir, [slow, *normal], extract_timeout=3, extract_workers=1
    )

    assert errors == {slow: "extraction over its time budget (3 s)"}
    assert set(stored) == set(normal)
    assert runs == ["partial"]


def test_a_page_over_the_memory_budget_is_an_error_and_the_crawl_goes_on(tmp_path, config_dir):
    site = tmp_path / "site"
    greedy = write_page(site, "/news/greedy.html", "Greedy", inline_elements(1_000_000))
    normal = write_articles(site, 2)
    stored, errors, runs = crawl_site(
        tmp_path, config_dir, [greedy, *normal],
        max_page_tags=3_000_000, extract_memory_bytes=512 * 1024**2, extract_timeout=120,
    )  # fmt: skip

    assert errors == {greedy: "extraction over its memory budget (512 MiB)"}
    assert set(stored) == set(normal)
    assert runs == ["partial"]


def test_the_spiders_of_one_crawl_share_one_pool_until_the_last_one_closes():
    listing_spider, feed_spider = (
        PageExtractor(workers=1, timeout=30, memory_bytes=1024**3, max_tags=10_000) for _ in range(2)
    )
    page = (
        "<html><head><title>Pooled</title></head><body><article><h1>A shared pool</h1>"
        f"<p>{' '.join(WORDS)}.</p></article></body></html>"
    ).encode()

    async def extract_with(extractor):
        return await extractor.extract(page, "http://127.0.0.1/pooled.html", content_type=None, source=None)

    assert asyncio.run(extract_with(listing_spider)).title == "A shared pool"
    assert asyncio.run(extract_with(feed_spider)).title == "A shared pool"
    pool = listing_spider.pool
    assert pool is feed_spider.pool and pool.active
    listing_spider.close()
    assert pool.active and asyncio.run(extract_with(feed_spider)).body
    feed_spider.close()
    assert not pool.active and not SHARED_POOLS


def _first_page_loads_done() -> bool:
    import sys

    wordfreq = sys.modules.get("wordfreq")
    return wordfreq is not None and wordfreq.get_frequency_dict.cache_info().currsize > 0


def test_a_worker_forks_with_the_first_page_loads_already_done():
    """Workers fork from the forkserver after its warm-up extraction, so no worker spends its first page
    importing wordfreq and reading a word list (a fifth of a second each, measured)."""
    from pebble import ProcessPool

    from crawlers.forkserver import forkserver_context

    pool = ProcessPool(max_workers=1, context=forkserver_context())
    try:
        assert pool.schedule(_first_page_loads_done).result(timeout=60)
    finally:
        pool.stop()
        pool.join()
