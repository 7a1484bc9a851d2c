"""0001: the core tables.

Sources, articles, the knowledge base (companies, aliases, incident types), an article's tags
(mentions, incidents, unknown organisations), crawl runs and their errors, and the digests sent.
"""

STATEMENTS = (
    """CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('listing', 'feed', 'sitemap')),
    url TEXT,
    language TEXT,
    every TEXT
)""",
    """CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    source_id TEXT REFERENCES sources(id),
    title TEXT,
    author TEXT,
    published TEXT,
    updated TEXT,
    section TEXT,
    language TEXT,
    body TEXT,
    body_hash TEXT,
    word_count INTEGER,
    extractor TEXT,
    fetched_at TEXT NOT NULL,
    duplicate_of INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    tagged_at TEXT,
    nlp_version TEXT
)""",
    "CREATE INDEX idx_articles_source ON articles(source_id)",
    "CREATE INDEX idx_articles_published ON articles(published)",
    "CREATE INDEX idx_articles_body_hash ON articles(body_hash)",
    "CREATE INDEX idx_articles_tagged_at ON articles(tagged_at)",
    "CREATE INDEX idx_articles_duplicate_of ON articles(duplicate_of)",
    """CREATE TABLE companies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent_id TEXT REFERENCES companies(id) ON DELETE SET NULL,
    country TEXT,
    sector TEXT,
    tickers TEXT
)""",
    """CREATE TABLE company_aliases (
    alias TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
    company_id TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    kind TEXT NOT NULL
)""",
    "CREATE INDEX idx_company_aliases_company ON company_aliases(company_id)",
    """CREATE TABLE incident_types (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    description TEXT
)""",
    """CREATE TABLE mentions (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    company_id TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('accused', 'mentioned')),
    response TEXT CHECK (response IN ('apology', 'denial', 'remediation', 'none')),
    count INTEGER NOT NULL DEFAULT 1,
    evidence TEXT,
    PRIMARY KEY (article_id, company_id)
)""",
    "CREATE INDEX idx_mentions_company ON mentions(company_id, role)",
    """CREATE TABLE article_incidents (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    incident_type TEXT NOT NULL REFERENCES incident_types(id),
    company_id TEXT REFERENCES companies(id) ON DELETE CASCADE,
    score REAL,
    evidence TEXT
)""",
    """CREATE UNIQUE INDEX idx_article_incidents_key
    ON article_incidents(article_id, incident_type, coalesce(company_id, ''))""",
    "CREATE INDEX idx_article_incidents_company ON article_incidents(company_id, incident_type)",
    "CREATE INDEX idx_article_incidents_type ON article_incidents(incident_type)",
    """CREATE TABLE unlinked_orgs (
    name TEXT NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    count INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (name, article_id)
)""",
    "CREATE INDEX idx_unlinked_orgs_article ON unlinked_orgs(article_id)",
    """CREATE TABLE crawl_runs (
    id INTEGER PRIMARY KEY,
    source_id TEXT REFERENCES sources(id),
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed')),
    pages INTEGER NOT NULL DEFAULT 0,
    new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    error TEXT
)""",
    "CREATE INDEX idx_crawl_runs_source ON crawl_runs(source_id, started)",
    """CREATE TABLE crawl_errors (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
    url TEXT,
    status INTEGER,
    error TEXT NOT NULL,
    at TEXT NOT NULL
)""",
    "CREATE INDEX idx_crawl_errors_run ON crawl_errors(run_id)",
    """CREATE TABLE digests (
    id INTEGER PRIMARY KEY,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    recipients TEXT NOT NULL,
    items INTEGER NOT NULL,
    message_id TEXT
)""",
    """CREATE INDEX idx_digests_period ON digests(period_start, period_end)
""",
)
