import scrapy


class ArticleItem(scrapy.Item):
    """One extracted article, on its way through the pipelines to storage."""

    url = scrapy.Field()  # canonical
    fetched_urls = scrapy.Field()  # the URLs requested on the way (feed link, redirects)
    source_id = scrapy.Field()
    title = scrapy.Field()
    authors = scrapy.Field()
    credit = scrapy.Field()
    published = scrapy.Field()
    updated = scrapy.Field()
    section = scrapy.Field()
    language = scrapy.Field()
    body = scrapy.Field()
    body_hash = scrapy.Field()
    truncated = scrapy.Field()  # the body was cut to the body budget
    extractor = scrapy.Field()
    missed_selectors = scrapy.Field()  # the source's selectors that matched nothing on the page
    fetched_at = scrapy.Field()


def storage_row(item) -> dict:
    """The article as storage.db.upsert_articles takes it (authors and credits joined into one field each)."""
    row = {k: v for k, v in dict(item).items() if k in ArticleItem.fields and k != "missed_selectors"}
    row["author"] = "; ".join(row.pop("authors", None) or []) or None
    row["credit"] = "; ".join(row.get("credit") or []) or None
    return row
