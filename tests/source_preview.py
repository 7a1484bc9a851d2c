"""What a source's spider makes of its stored fixture pages, offline: the article links it would follow
from the start page, and the article it would store from the article page."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawlers.runner import SPIDERS
from crawlers.runs import CrawlRunRecorder
from storage.db import CJK_OR_WORD
from storage.queries import CJK

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"
URL_COMMENT = re.compile(rb"<!--\s*url:\s*(\S+)\s*-->")


def fixture_files(source_id: str) -> tuple[Path, Path]:
    folder = FIXTURES / source_id
    start = next(p for p in (folder / "start.xml", folder / "start.html") if p.exists())
    return start, folder / "article.html"


def _response(url: str, body: bytes, meta: dict):
    kind = (
        XmlResponse
        if url.endswith((".xml", ".rss", ".atom")) or body.lstrip()[:5] == b"<?xml"
        else HtmlResponse
    )
    if kind is HtmlResponse and not body.lstrip()[:1] == b"<":
        kind = TextResponse
    request = Request(url, meta=meta)
    return kind(url=url, body=body, request=request, encoding=None)


async def _collect(results) -> list:
    return [result async for result in results]


def preview(source, db_path: str) -> dict:
    start_path, article_path = fixture_files(source.id)
    spider_class = SPIDERS[source.kind]
    # extracted in this process: a preview has one page, not worth a pool of workers
    settings = {
        "PRIVWATCH_DB": db_path,
        "PRIVWATCH_EXTRACT_WORKERS": 0,
        "EXTENSIONS": {"crawlers.runs.CrawlRunRecorder": 100},
    }
    crawler = get_crawler(spider_class, settings)
    spider = spider_class.from_crawler(crawler, sources=[source])
    recorder = crawler.get_extension(CrawlRunRecorder)
    recorder.spider_opened(spider)
    start_url = str(source.start_urls[0])
    results = list(
        spider.parse_start(_response(start_url, start_path.read_bytes(), {"source_id": source.id}))
    )
    links = [r.url for r in results if getattr(r, "meta", {}).get("article")]
    article_body = article_path.read_bytes()
    match = URL_COMMENT.search(article_body[:500])
    if not match:
        raise ValueError(f"{article_path}: the first line must be <!-- url: https://... -->")
    article_url = match.group(1).decode()
    response = _response(article_url, article_body, {"source_id": source.id})
    items = asyncio.run(_collect(spider.parse_article(response)))
    errors = list(recorder.runs.db.query("SELECT url, status, error FROM crawl_errors"))
    recorder.spider_closed(spider, "finished")
    article = dict(items[0]) if items else None
    if article:
        article.pop("fetched_at")
        article["body_start"], article["body_end"] = article["body"][:80], article["body"][-80:]
        body = article.pop("body")
        # a Chinese character counts as a word: Chinese puts no spaces between words
        article["body_words"] = len(CJK_OR_WORD.findall(body)) if CJK.search(body) else len(body.split())
    return {"source": source.id, "kind": source.kind, "links": links, "article": article, "errors": errors}
