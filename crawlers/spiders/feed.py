"""RSS and Atom feeds through feedparser; an HTML page's <link rel="alternate"> feeds are discovered."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

import feedparser

from crawlers.extract.dates import parse_date
from crawlers.spiders.base import SourceSpider

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
MAX_DISCOVERED_FEEDS = 5


def entry_hints(entry) -> dict:
    """What a feed says about an article, to complete what the page itself lacks."""
    published = None
    for key in ("published_parsed", "updated_parsed"):
        if entry.get(key):
            stamp = datetime.fromtimestamp(calendar.timegm(entry[key]), UTC)
            published = stamp.isoformat(timespec="seconds")
            break
    if published is None:
        published = parse_date(entry.get("published") or entry.get("updated"))
    authors = [a.get("name") for a in entry.get("authors", []) if a.get("name")]
    tags = [t.get("term") for t in entry.get("tags", []) if t.get("term")]
    return {
        "title": entry.get("title"),
        "published": published,
        "authors": authors,
        "section": tags[0] if tags else None,
    }


class FeedSpider(SourceSpider):
    name = "feed"
    kind = "feed"

    def parse_start(self, response):
        source_id = response.meta["source_id"]
        head = response.body[:2048].lstrip().lower()
        if b"<html" in head or b"<!doctype html" in head:
            yield from self.discover(response)
            return
        parsed = feedparser.parse(response.body)
        if not parsed.entries:
            problem = parsed.get("bozo_exception") or "no entries"
            self.record_error(response, f"not a feed: {problem}", response.status)
            return
        self.count(source_id, "usable_pages")
        for entry in parsed.entries:
            link = entry.get("link")
            if not link:
                continue
            url = response.urljoin(link)
            if self.looks_like_article(source_id, url):
                yield self.article_request(url, source_id, entry=entry_hints(entry))

    def discover(self, response):
        feeds = [
            response.urljoin(link.attrib["href"])
            for link in response.xpath("//link[@rel='alternate'][@href]")
            if (link.attrib.get("type") or "").lower() in FEED_TYPES
        ]
        if not feeds:
            self.record_error(response, "HTML page without a feed link", response.status)
        for url in list(dict.fromkeys(feeds))[:MAX_DISCOVERED_FEEDS]:
            yield self.page_request(url, response.meta["source_id"], self.parse_start)
