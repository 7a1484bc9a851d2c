"""0014: articles the tagger failed on.

One row per article and pipeline version that raised even when tagged alone (`privwatch tag` goes on with
the rest). Untagged and stale runs skip an article with a row for their version, so one bad article is not
retried every run; a new version (a new model, edited data) tries it again.
"""

STATEMENTS = (
    """CREATE TABLE tag_errors (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    nlp_version TEXT NOT NULL,
    error TEXT NOT NULL,
    failed_at TEXT NOT NULL,
    PRIMARY KEY (article_id, nlp_version)
)
""",
)
