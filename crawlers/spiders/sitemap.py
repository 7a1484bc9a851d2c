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


class SitemapSpider(SourceSpider):
    name = "sitemap"
    kind = "sitemap"

    def parse_start(self, response):
        source_id = response.meta["source_id"]
        if urlsplit(response.url).path.endswith("/robots.txt"):
            for line in response.text.splitlines():
                if line.lower().startswith("sitemap:"):
                    yield self.page_request(line.split(":", 1)[1].strip(), source_id, self.parse_start)
            return
        try:
            kind, entries = parse_sitemap(response.body)
        except (ValueError, etree.XMLSyntaxError, zlib.error, gzip.BadGzipFile) as exc:
            self.record_error(response, f"not a sitemap: {exc}", response.status)
            return
        self.runs.count(source_id, "usable_pages")
        if kind == "index":
            for entry in entries:
                yield self.page_request(response.urljoin(entry["loc"]), source_id, self.parse_start)
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
