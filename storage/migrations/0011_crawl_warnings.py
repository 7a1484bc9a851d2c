"""0011: crawl warnings.

One row per run and kind: a warning sums up what went wrong on many pages of a run that still worked.
"""

STATEMENTS = (
    """CREATE TABLE crawl_warnings (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    pages INTEGER NOT NULL DEFAULT 0,
    detail TEXT,
    example_url TEXT,
    message TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (run_id, kind)
)""",
    """CREATE INDEX idx_crawl_warnings_at ON crawl_warnings(kind, at)
""",
)
