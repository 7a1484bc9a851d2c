"""Section and channel pages -> article links (by the source's selectors or URL pattern), with pagination."""

from __future__ import annotations

from crawlers.extract import select
from crawlers.extract.urls import strip_tracking
from crawlers.spiders.base import SourceSpider


class ListingSpider(SourceSpider):
    name = "listing"
    kind = "listing"

    @staticmethod
    def links(response, expression: str | None) -> list[str]:
        """Absolute URLs an expression selects: href strings, <a> elements, or elements holding an <a>."""
        if not expression:
            return [response.urljoin(h) for h in response.xpath("//a/@href").getall()]
        urls = []
        for node in select(response.selector, expression):
            value = (
                node.get()
                if isinstance(node.root, str)
                else (node.attrib.get("href") or node.xpath(".//a/@href").get())
            )
            if value:
                urls.append(response.urljoin(value.strip()))
        return urls

    def article_links(self, response, source_id: str, expression: str | None) -> list[str]:
        return [
            url
            for url in dict.fromkeys(self.links(response, expression))
            if url.startswith("http") and self.looks_like_article(source_id, url)
        ]

    def parse_start(self, response):
        source = self.by_id[response.meta["source_id"]]
        page_number = response.meta.get("page_number", 1)
        article_urls = self.article_links(response, source.id, source.selectors.article_links)
        if not article_urls and source.selectors.article_links and source.article_url_pattern:
            # the site's markup may have changed under the selector: the URL pattern still finds articles
            article_urls = self.article_links(response, source.id, None)
            if article_urls:
                self.runs.selector_miss(source.id, ["article_links"], response.url)
        if article_urls:
            self.count(source.id, "usable_pages")
        else:
            self.record_error(response, "listing page has no article links", response.status)
        for url in article_urls:
            yield self.article_request(url, source.id)
        canonical = set(map(strip_tracking, article_urls))
        unseen = canonical - self.runs.stored(canonical)
        max_pages = self.settings.getint("PRIVWATCH_MAX_LISTING_PAGES", 5)
        # Older pages only hold older articles: stop paging once a page brings nothing new.
        if unseen and page_number < max_pages and source.selectors.next_page:
            for url in self.links(response, source.selectors.next_page)[:1]:
                yield self.page_request(url, source.id, self.parse_start, page_number=page_number + 1)
