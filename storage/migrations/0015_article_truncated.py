"""0015: truncated bodies.

The crawler stores at most a budget of characters and paragraphs of a body (crawl.max_body_chars,
max_body_paragraphs); an article whose body was cut there has truncated = 1.
"""

STATEMENTS = (
    "ALTER TABLE articles ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1))",
)
