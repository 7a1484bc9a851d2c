"""0018: an analyst's corrections of the tagger.

`privwatch correct` records that a company is not accused (or is), that an article has or lacks an
incident type, or what a company's response is. Corrections are stored apart from the tags and applied
when tags are stored (storage/corrections.py, called by storage.db.replace_tags_many): the tag tables then
hold the corrected tags, so the materialized views, their triggers, the stories and the digest read them
with no change, and a re-tag (`privwatch tag --all`) applies them again to the tagger's new output. The
tagger's own output of an article with corrections is kept in tagger_tags (JSON of storage.db.ArticleTags),
so adding or undoing a correction rewrites the article's tags from it at once; an article without an
active correction has no tagger_tags row and its stored tags are the tagger's. A filter in the view
definitions was the other choice: every view, trigger and digest query would have needed it.
A correction names its company by KB id (company_id) or, for an organisation the knowledge base lacks,
by name (org_name); a type correction with neither is about every accused company of the article.
Undoing sets undone_at: the row stays, as a record of who changed what.
"""

STATEMENTS = (
    """CREATE TABLE corrections (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    company_id TEXT REFERENCES companies(id) ON DELETE CASCADE,
    org_name TEXT,
    field TEXT NOT NULL CHECK (field IN ('accused', 'type', 'response')),
    value TEXT,
    action TEXT NOT NULL CHECK (action IN ('remove', 'add', 'set')),
    note TEXT,
    by TEXT,
    created_at TEXT NOT NULL,
    undone_at TEXT,
    CHECK (company_id IS NULL OR org_name IS NULL)
)""",
    "CREATE INDEX idx_corrections_article ON corrections(article_id, undone_at)",
    """CREATE TABLE tagger_tags (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    tags TEXT NOT NULL,
    stored_at TEXT NOT NULL
)
""",
)
