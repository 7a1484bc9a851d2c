CREATE TABLE article_incidents (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    incident_type TEXT NOT NULL REFERENCES incident_types(id),
    company_id TEXT REFERENCES companies(id) ON DELETE CASCADE,
    score REAL,
    evidence TEXT
);

CREATE TABLE article_urls (
    url TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);

CREATE TABLE articles (
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
);

CREATE VIRTUAL TABLE "articles_fts" USING FTS5 (
    "title", "body",
    tokenize='porter',
    content="articles"
);

CREATE TABLE 'articles_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;

CREATE TABLE 'articles_fts_data'(id INTEGER PRIMARY KEY, block BLOB);

CREATE TABLE 'articles_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);

CREATE TABLE 'articles_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;

CREATE TABLE companies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent_id TEXT REFERENCES companies(id) ON DELETE SET NULL,
    country TEXT,
    sector TEXT,
    tickers TEXT
);

CREATE TABLE company_aliases (
    alias TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
    company_id TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    kind TEXT NOT NULL
);

CREATE TABLE crawl_errors (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
    url TEXT,
    status INTEGER,
    error TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE crawl_runs (
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
);

CREATE TABLE digests (
    id INTEGER PRIMARY KEY,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    recipients TEXT NOT NULL,
    items INTEGER NOT NULL,
    message_id TEXT
);

CREATE TABLE incident_types (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    description TEXT
);

CREATE TABLE mentions (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    company_id TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('accused', 'mentioned')),
    response TEXT CHECK (response IN ('apology', 'denial', 'remediation', 'none')),
    count INTEGER NOT NULL DEFAULT 1,
    evidence TEXT,
    PRIMARY KEY (article_id, company_id)
);

CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('listing', 'feed', 'sitemap')),
    url TEXT,
    language TEXT,
    every TEXT
);

CREATE TABLE unlinked_orgs (
    name TEXT NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    count INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (name, article_id)
);

CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name"
    ON "_sqlite_migrations" ("migration_set", "name");

CREATE INDEX idx_article_incidents_company ON article_incidents(company_id, incident_type);

CREATE UNIQUE INDEX idx_article_incidents_key
    ON article_incidents(article_id, incident_type, coalesce(company_id, ''));

CREATE INDEX idx_article_incidents_type ON article_incidents(incident_type);

CREATE INDEX idx_article_urls_article ON article_urls(article_id);

CREATE INDEX idx_articles_body_hash ON articles(body_hash);

CREATE INDEX idx_articles_duplicate_of ON articles(duplicate_of);

CREATE INDEX idx_articles_published ON articles(published);

CREATE INDEX idx_articles_source ON articles(source_id);

CREATE INDEX idx_articles_tagged_at ON articles(tagged_at);

CREATE INDEX idx_company_aliases_company ON company_aliases(company_id);

CREATE INDEX idx_crawl_errors_run ON crawl_errors(run_id);

CREATE INDEX idx_crawl_runs_source ON crawl_runs(source_id, started);

CREATE INDEX idx_digests_period ON digests(period_start, period_end);

CREATE INDEX idx_mentions_company ON mentions(company_id, role);

CREATE INDEX idx_unlinked_orgs_article ON unlinked_orgs(article_id);

CREATE TRIGGER "articles_ad" AFTER DELETE ON "articles" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "body") VALUES('delete', old.rowid, old."title", old."body");
END;

CREATE TRIGGER "articles_ai" AFTER INSERT ON "articles" BEGIN
  INSERT INTO "articles_fts" (rowid, "title", "body") VALUES (new.rowid, new."title", new."body");
END;

CREATE TRIGGER "articles_au" AFTER UPDATE ON "articles" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "body") VALUES('delete', old.rowid, old."title", old."body");
  INSERT INTO "articles_fts" (rowid, "title", "body") VALUES (new.rowid, new."title", new."body");
END;

CREATE VIEW company_timeline AS
SELECT
    m.company_id AS company_id,
    c.name AS company,
    a.published AS published,
    m.role AS role,
    m.response AS response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND ai.company_id = m.company_id
        ORDER BY ai.incident_type)) AS incident_types,
    m.evidence AS evidence,
    a.title AS title,
    a.url AS url,
    a.source_id AS source_id,
    m.article_id AS article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL;

CREATE VIEW incidents AS
SELECT
    a.published AS published,
    c.name AS company,
    ai.incident_type AS incident_type,
    m.response AS response,
    ai.evidence AS evidence,
    a.title AS title,
    a.url AS url,
    s.name AS source,
    ai.score AS score,
    ai.article_id AS article_id,
    ai.company_id AS company_id,
    a.source_id AS source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
WHERE a.duplicate_of IS NULL;

CREATE VIEW weekly_counts AS
SELECT
    date(a.published, 'weekday 0', '-6 days') AS week,
    ai.incident_type AS incident_type,
    count(DISTINCT ai.article_id) AS articles,
    count(DISTINCT ai.company_id) AS companies,
    count(*) AS incidents
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
WHERE a.duplicate_of IS NULL AND a.published IS NOT NULL
GROUP BY week, ai.incident_type;
