"""Item pipelines, one job each: validate, normalise, keep the body within budget, dedupe, store."""

from __future__ import annotations

import logging
import sqlite3
import unicodedata

from scrapy.exceptions import DropItem, NotConfigured
from twisted.internet import task

from crawlers.counters import ARTICLE_OUTCOME_COUNTERS, run_counter
from crawlers.items import storage_row
from crawlers.runs import crawl_runs
from storage import db as store
from storage.text import visible_line

logger = logging.getLogger(__name__)

MIN_BODY_WORDS = 20


class ValidatePipeline:
    """Drop what is not an article: no title, or no body worth the name."""

    def process_item(self, item):
        if not (item.get("title") or "").strip():
            raise DropItem(f"no title: {item.get('url')}")
        if store.word_count(item.get("body")) < MIN_BODY_WORDS:
            raise DropItem(f"no body: {item.get('url')}")
        return item


class NormalisePipeline:
    """Unicode NFC, no bidi marks or control characters, single spaces within lines, one blank line
    between paragraphs, clean author names."""

    @staticmethod
    def _line(text: str) -> str:
        return visible_line(unicodedata.normalize("NFC", text))

    def process_item(self, item):
        item["title"] = self._line(item["title"])
        paragraphs = [self._line(p) for p in item["body"].split("\n")]
        item["body"] = "\n\n".join(p for p in paragraphs if p)
        item["authors"] = [self._line(a) for a in item.get("authors") or [] if a.strip()]
        if item.get("section"):
            item["section"] = self._line(item["section"])
        return item


def cut_body(body: str, max_chars: int, max_paragraphs: int) -> tuple[str, bool]:
    """The body within its budget, cut after the last whole paragraph that fits, and whether it was cut.

    Paragraphs are separated by a blank line. When not even the first paragraph fits, it is cut at the
    last space within the budget (at the budget itself for text without spaces, such as Chinese)."""
    paragraphs = body.split("\n\n")
    if len(body) <= max_chars and len(paragraphs) <= max_paragraphs:
        return body, False
    kept, length = [], 0
    for paragraph in paragraphs[:max_paragraphs]:
        length += len(paragraph) + (2 if kept else 0)
        if length > max_chars:
            break
        kept.append(paragraph)
    if not kept:
        head = paragraphs[0][:max_chars]
        space = head.rfind(" ")
        return (head[:space] if space > 0 else head).rstrip(), True
    return "\n\n".join(kept), True


class BodyBudgetPipeline:
    """Cut a body longer than the budget (characters, paragraphs) at a paragraph boundary and flag the
    article truncated: a runaway page must not store megabytes that tagging and search then carry."""

    def __init__(self, max_chars: int, max_paragraphs: int):
        self.max_chars = max_chars
        self.max_paragraphs = max_paragraphs

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(
            settings.getint("PRIVWATCH_MAX_BODY_CHARS", 200_000),
            settings.getint("PRIVWATCH_MAX_BODY_PARAGRAPHS", 2000),
        )

    def process_item(self, item):
        item["body"], item["truncated"] = cut_body(item["body"], self.max_chars, self.max_paragraphs)
        return item


class DedupePipeline:
    """Mark each article with its body hash; drop a second copy of the same URL within one run.

    Copies of a body under another URL are not dropped: storage keeps them with duplicate_of set."""

    def __init__(self):
        self.seen_urls: set[str] = set()

    def process_item(self, item):
        if item["url"] in self.seen_urls:
            raise DropItem(f"already seen in this run: {item['url']}")
        self.seen_urls.add(item["url"])
        item["body_hash"] = store.body_hash(item["body"])
        return item


class SelectorMissPipeline:
    """Report the articles kept although the source's selectors matched nothing on their page: the
    general extractor found them, and the crawl run records the miss (the site may have changed)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if item.get("missed_selectors"):
            crawl_runs(self.crawler).selector_miss(item["source_id"], item["missed_selectors"], item["url"])
        return item


class StorePipeline:
    """Write articles through storage/ in batches; count new, updated and duplicate articles per source.

    A batch is written when it is full or, on a slow source, every flush_seconds: a stored article is
    what the tag worker beside the crawl sees (privwatch/cli/crawl_tagging.py), and what survives a kill."""

    def __init__(self, crawler, db_path: str, batch_size: int, flush_seconds: float = 0):
        self.crawler = crawler
        self.db_path = db_path
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.flusher = None
        self.batch: list[dict] = []
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        db_path = crawler.settings.get("PRIVWATCH_DB")
        if not db_path:
            raise NotConfigured("PRIVWATCH_DB is not set")
        settings = crawler.settings
        return cls(
            crawler,
            db_path,
            settings.getint("PRIVWATCH_STORE_BATCH", 50),
            settings.getfloat("PRIVWATCH_STORE_FLUSH_SECONDS", 5.0),
        )

    def open_spider(self):
        self.db = store.open_db(self.db_path, migrate=False)
        if self.flush_seconds > 0:
            self.flusher = task.LoopingCall(self.flush)
            self.flusher.start(self.flush_seconds, now=False)

    def process_item(self, item):
        self.batch.append(storage_row(item))
        if len(self.batch) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        try:
            results = store.upsert_articles(self.db, batch)
        except sqlite3.OperationalError as exc:
            # the database stayed locked past the busy timeout: each article is a crawl error, and the
            # next run fetches it again (only stored articles are skipped)
            runs = crawl_runs(self.crawler)
            for row in batch:
                runs.error(row["source_id"], row["url"], None, f"not stored: {exc}")
            return
        for row, result in zip(batch, results, strict=True):
            counter = ARTICLE_OUTCOME_COUNTERS.get(result.outcome)
            if counter:
                self.crawler.stats.inc_value(run_counter(row["source_id"], counter))

    def close_spider(self):
        if self.flusher is not None and self.flusher.running:
            self.flusher.stop()
        self.flush()
        self.db.close()
