"""XML sitemaps: robots.txt `Sitemap:` lines, sitemap indexes, url sets and Google News sitemaps."""

from __future__ import annotations

import gzip
import zlib
from urllib.parse import urlsplit

from lxml import etree

from crawlers.extract.dates import parse_date
from crawlers.spiders.base import SourceSpider

MAX_SITEMAP_BYTES = 50 * 1024 * 1024
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element, name: str):
    for child in element.iter():
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return None


def sitemap_body(body: bytes) -> bytes:
    """Sitemaps may be served gzipped without a Content-Encoding header."""
    if body[:2] == b"\x1f\x8b":
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        body = decompressor.decompress(body, MAX_SITEMAP_BYTES)
        if decompressor.unconsumed_tail:
            raise ValueError("gzipped sitemap larger than the size limit")
    return body


def parse_sitemap(body: bytes) -> tuple[str, list[dict]]:
    """('index' | 'urlset', entries): entries have loc, and for news sitemaps title and published."""
    root = etree.fromstring(sitemap_body(body), parser=PARSER)
    if root is None:
        raise ValueError("not XML")
    kind = _local(root.tag).lower()
    if kind not in ("sitemapindex", "urlset"):
        raise ValueError(f"not a sitemap (root element <{_local(root.tag)}>)")
    entries = []
    for element in root:
        if _local(element.tag) not in ("sitemap", "url"):
            continue
        loc = _child(element, "loc")
        if not loc:
            continue
        entry = {"loc": loc, "lastmod": _child(element, "lastmod")}
        news = next((c for c in element if _local(c.tag) == "news"), None)
        if news is not None:
            entry["news"] = True
            entry["title"] = _child(news, "title")
            entry["published"] = parse_date(_child(news, "publication_date"))
        entries.append(entry)
    return ("index" if kind == "sitemapindex" else "urlset"), entries


def newest_first(entries: list[dict]) -> list[dict]:
    """Index entries by <lastmod>, newest first; those without one after them, in document order."""
    stamped = [(parse_date(entry.get("lastmod")) or "", entry) for entry in entries]
    return [entry for _, entry in sorted(stamped, key=lambda pair: pair[0], reverse=True)]  # sort is stable


class SitemapSpider(SourceSpider):
    name = "sitemap"
    kind = "sitemap"

    def child_sitemaps(self, response, urls: list[str], depth: int):
        """Requests for child sitemaps at this depth (a start sitemap's children are at 1), within the limits
        of depth and of children per index; what the limits cut is counted for the run's "limits" warning."""
        source_id = response.meta["source_id"]
        if depth > self.settings.getint("PRIVWATCH_MAX_SITEMAP_DEPTH", 3):
            self.count(source_id, "sitemaps_too_deep", len(urls))
            return
        most = self.settings.getint("PRIVWATCH_MAX_CHILD_SITEMAPS", 50)
        if len(urls) > most:
            self.count(source_id, "sitemaps_cut", len(urls) - most)
        for url in urls[:most]:
            yield self.page_request(response.urljoin(url), source_id, self.parse_start, sitemap_depth=depth)

    def parse_start(self, response):
        source_id = response.meta["source_id"]
        if urlsplit(response.url).path.endswith("/robots.txt"):
            # robots.txt lists sitemaps but is no index: they sit at the depth of a start sitemap
            sitemaps = [
                line.split(":", 1)[1].strip()
                for line in response.text.splitlines()
                if line.lower().startswith("sitemap:")
            ]
            yield from self.child_sitemaps(response, sitemaps, depth=0)
            return
        try:
            kind, entries = parse_sitemap(response.body)
        except (ValueError, etree.XMLSyntaxError, zlib.error, gzip.BadGzipFile) as exc:
            self.record_error(response, f"not a sitemap: {exc}", response.status)
            return
        self.count(source_id, "usable_pages")
        if kind == "index":
            depth = response.meta.get("sitemap_depth", 0) + 1
            yield from self.child_sitemaps(response, [entry["loc"] for entry in newest_first(entries)], depth)
            return
        for entry in entries:
            url = response.urljoin(entry["loc"])
            if self.looks_like_article(source_id, url) and (
                entry.get("news") or self.is_article_url(source_id, url)
            ):
                hints = {"title": entry.get("title"), "published": entry.get("published")}
                yield self.article_request(url, source_id, entry=hints)

    def is_article_url(self, source_id: str, url: str) -> bool:
        """Without news markup, follow URLs that match the source's pattern, or sit below a section."""
        if self.url_patterns.get(source_id):
            return True
        segments = [s for s in urlsplit(url).path.split("/") if s]
        return len(segments) >= 2
