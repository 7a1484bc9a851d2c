"""0004: every URL that led to a stored article.

Feed links and redirects, so an article is not fetched again.
"""

STATEMENTS = (
    """CREATE TABLE article_urls (
    url TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
)""",
    """CREATE INDEX idx_article_urls_article ON article_urls(article_id)
""",
)
