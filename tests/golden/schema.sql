CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    watchlist_id TEXT NOT NULL REFERENCES watchlists(id),
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    status TEXT NOT NULL DEFAULT 'owed' CHECK (status IN ('owed', 'sent', 'dropped')),
    queued_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    error TEXT,
    sent_at TEXT,
    sent_to TEXT,
    message_id TEXT,
    claim TEXT,
    claimed_at TEXT
);

CREATE TABLE article_incidents (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    incident_type TEXT NOT NULL REFERENCES incident_types(id),
    company_id TEXT REFERENCES companies(id) ON DELETE CASCADE,
    score REAL,
    evidence TEXT
, org_name TEXT, fine_amount REAL, fine_currency TEXT, fine_usd REAL, fine_text TEXT, affected INTEGER, affected_text TEXT);

CREATE TABLE article_responses (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    company_id TEXT REFERENCES companies(id) ON DELETE CASCADE,
    org_name TEXT,
    response TEXT NOT NULL CHECK (response IN ('apology', 'denial', 'remediation')),
    evidence TEXT,
    CHECK ((company_id IS NULL) <> (org_name IS NULL))
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
, credit TEXT, truncated INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1)), tag_depth TEXT CHECK (tag_depth IN ('full', 'mentions')));

CREATE VIRTUAL TABLE "articles_fts" USING FTS5 (
    "title", "body",
    tokenize='porter',
    content="articles"
);

CREATE TABLE 'articles_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;

CREATE TABLE 'articles_fts_data'(id INTEGER PRIMARY KEY, block BLOB);

CREATE TABLE 'articles_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);

CREATE TABLE 'articles_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;

CREATE VIRTUAL TABLE articles_fts_zh USING fts5(
    title, body, content='articles', content_rowid='id', tokenize='trigram'
);

CREATE TABLE 'articles_fts_zh_config'(k PRIMARY KEY, v) WITHOUT ROWID;

CREATE TABLE 'articles_fts_zh_data'(id INTEGER PRIMARY KEY, block BLOB);

CREATE TABLE 'articles_fts_zh_docsize'(id INTEGER PRIMARY KEY, sz BLOB);

CREATE TABLE 'articles_fts_zh_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;

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

CREATE TABLE company_timeline_materialized (
    company_id TEXT NOT NULL,
    company TEXT,
    published TEXT,
    role TEXT NOT NULL,
    response TEXT,
    incident_types TEXT,
    evidence TEXT,
    title TEXT,
    url TEXT,
    source_id TEXT,
    article_id INTEGER NOT NULL
);

CREATE TABLE corrections (
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
);

CREATE TABLE crawl_errors (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
    url TEXT,
    status INTEGER,
    error TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE "crawl_runs" (
    id INTEGER PRIMARY KEY,
    source_id TEXT REFERENCES sources(id),
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed', 'blocked')),
    pages INTEGER NOT NULL DEFAULT 0,
    new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    error TEXT
);

CREATE TABLE crawl_warnings (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    pages INTEGER NOT NULL DEFAULT 0,
    detail TEXT,
    example_url TEXT,
    message TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (run_id, kind)
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

CREATE TABLE incidents_materialized (
    published TEXT,
    week TEXT,
    company TEXT,
    incident_type TEXT NOT NULL,
    response TEXT,
    evidence TEXT,
    title TEXT,
    url TEXT,
    source TEXT,
    score REAL,
    article_id INTEGER NOT NULL,
    company_id TEXT,
    source_id TEXT
, language TEXT, fine_amount REAL, fine_currency TEXT, fine_usd REAL, fine_text TEXT, affected INTEGER, affected_text TEXT);

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

CREATE TABLE stories (
    id INTEGER PRIMARY KEY,
    title TEXT,
    first_article_id INTEGER,
    first_seen TEXT,
    last_seen TEXT,
    articles INTEGER NOT NULL DEFAULT 0,
    originals INTEGER NOT NULL DEFAULT 0,
    outlets INTEGER NOT NULL DEFAULT 0,
    languages TEXT,
    accused TEXT,
    company_ids TEXT,
    types TEXT,
    responses TEXT,
    latest_responses TEXT,
    company TEXT,
    type TEXT,
    response TEXT
);

CREATE TABLE stories_to_refresh (story_id INTEGER PRIMARY KEY);

CREATE TABLE story_articles (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    score REAL
);

CREATE TABLE story_companies (
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    company_id TEXT,
    org_name TEXT,
    company TEXT,
    last_seen TEXT
);

CREATE TABLE story_responses (
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    company_id TEXT,
    org_name TEXT,
    company TEXT,
    response TEXT NOT NULL,
    first_seen TEXT,
    article_id INTEGER,
    evidence TEXT
);

CREATE TABLE tag_errors (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    nlp_version TEXT NOT NULL,
    error TEXT NOT NULL,
    failed_at TEXT NOT NULL,
    PRIMARY KEY (article_id, nlp_version)
);

CREATE TABLE tagger_tags (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    tags TEXT NOT NULL,
    stored_at TEXT NOT NULL
);

CREATE TABLE tags_being_replaced (article_id INTEGER PRIMARY KEY);

CREATE TABLE unlinked_orgs (
    name TEXT NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    count INTEGER NOT NULL DEFAULT 1, role TEXT NOT NULL DEFAULT 'mentioned'
    CHECK (role IN ('accused', 'mentioned')), response TEXT
    CHECK (response IN ('apology', 'denial', 'remediation', 'none')),
    PRIMARY KEY (name, article_id)
);

CREATE TABLE watchlists (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    delivery TEXT NOT NULL CHECK (delivery IN ('immediate', 'digest')),
    companies TEXT NOT NULL DEFAULT '[]',
    types TEXT NOT NULL DEFAULT '[]',
    terms TEXT NOT NULL DEFAULT '[]',
    term_patterns TEXT NOT NULL DEFAULT '[]',
    active INTEGER NOT NULL DEFAULT 1,
    added_at TEXT NOT NULL
);

CREATE TABLE weekly_counts_dirty (
    week TEXT
);

CREATE TABLE weekly_counts_materialized (
    week TEXT NOT NULL,
    incident_type TEXT NOT NULL,
    articles INTEGER NOT NULL,
    companies INTEGER NOT NULL,
    incidents INTEGER NOT NULL,
    PRIMARY KEY (week, incident_type)
);

CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name"
    ON "_sqlite_migrations" ("migration_set", "name");

CREATE INDEX idx_alerts_article ON alerts(article_id);

CREATE UNIQUE INDEX idx_alerts_key ON alerts(watchlist_id, article_id, channel);

CREATE INDEX idx_alerts_status ON alerts(status, watchlist_id);

CREATE INDEX idx_article_incidents_company ON article_incidents(company_id, incident_type);

CREATE UNIQUE INDEX idx_article_incidents_key
    ON article_incidents(article_id, incident_type, coalesce(company_id, ''), coalesce(org_name, ''));

CREATE INDEX idx_article_incidents_type ON article_incidents(incident_type);

CREATE INDEX idx_article_responses_company ON article_responses(company_id, response);

CREATE UNIQUE INDEX idx_article_responses_key
    ON article_responses(article_id, coalesce(company_id, ''), coalesce(org_name, ''), response);

CREATE INDEX idx_article_urls_article ON article_urls(article_id);

CREATE INDEX idx_articles_body_hash ON articles(body_hash);

CREATE INDEX idx_articles_duplicate_of ON articles(duplicate_of);

CREATE INDEX idx_articles_published ON articles(published);

CREATE INDEX idx_articles_source ON articles(source_id);

CREATE INDEX idx_articles_tagged_at ON articles(tagged_at);

CREATE INDEX idx_company_aliases_company ON company_aliases(company_id);

CREATE INDEX idx_company_timeline_materialized_article ON company_timeline_materialized(article_id);

CREATE INDEX idx_company_timeline_materialized_company
    ON company_timeline_materialized(company_id, published);

CREATE INDEX idx_company_timeline_materialized_published ON company_timeline_materialized(published);

CREATE INDEX idx_corrections_article ON corrections(article_id, undone_at);

CREATE INDEX idx_crawl_errors_run ON crawl_errors(run_id);

CREATE INDEX idx_crawl_runs_source ON crawl_runs(source_id, started);

CREATE INDEX idx_crawl_warnings_at ON crawl_warnings(kind, at);

CREATE INDEX idx_digests_period ON digests(period_start, period_end);

CREATE INDEX idx_incidents_materialized_affected ON incidents_materialized(affected, published);

CREATE INDEX idx_incidents_materialized_article ON incidents_materialized(article_id);

CREATE INDEX idx_incidents_materialized_company
    ON incidents_materialized(company, published, incident_type, source, response, company_id);

CREATE INDEX idx_incidents_materialized_company_id
    ON incidents_materialized(company_id, published, incident_type, source, response, company);

CREATE INDEX idx_incidents_materialized_fine
    ON incidents_materialized(fine_usd, affected, published);

CREATE INDEX idx_incidents_materialized_language
    ON incidents_materialized(language, published, company, incident_type, source, response);

CREATE INDEX idx_incidents_materialized_published ON incidents_materialized(published);

CREATE INDEX idx_incidents_materialized_response
    ON incidents_materialized(response, published, company, incident_type, source);

CREATE INDEX idx_incidents_materialized_source
    ON incidents_materialized(source, published, company, incident_type, response);

CREATE INDEX idx_incidents_materialized_type
    ON incidents_materialized(incident_type, published, company, source, response);

CREATE INDEX idx_incidents_materialized_week
    ON incidents_materialized(week, incident_type, article_id, company_id);

CREATE INDEX idx_mentions_company ON mentions(company_id, role);

CREATE INDEX idx_stories_company ON stories(company, last_seen);

CREATE INDEX idx_stories_first_seen ON stories(first_seen);

CREATE INDEX idx_stories_last_seen ON stories(last_seen);

CREATE INDEX idx_stories_response ON stories(response, last_seen);

CREATE INDEX idx_stories_type ON stories(type, last_seen);

CREATE INDEX idx_story_articles_story ON story_articles(story_id);

CREATE INDEX idx_story_companies_company ON story_companies(company_id, last_seen);

CREATE INDEX idx_story_companies_story ON story_companies(story_id);

CREATE INDEX idx_story_responses_story ON story_responses(story_id, company, first_seen);

CREATE INDEX idx_unlinked_orgs_article ON unlinked_orgs(article_id);

CREATE INDEX idx_unlinked_orgs_review ON unlinked_orgs(name, article_id, count);

CREATE TRIGGER article_incidents_ad_materialized AFTER DELETE ON article_incidents WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = OLD.article_id;
    DELETE FROM incidents_materialized WHERE article_id = OLD.article_id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND ai.article_id = OLD.article_id;
    DELETE FROM company_timeline_materialized WHERE article_id = OLD.article_id;
    INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND m.article_id = OLD.article_id;
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = OLD.article_id;
    DELETE FROM weekly_counts_materialized WHERE week IN (SELECT week FROM weekly_counts_dirty);
    INSERT INTO weekly_counts_materialized (week, incident_type, articles, companies, incidents)
SELECT week, incident_type, count(DISTINCT article_id), count(DISTINCT company_id), count(*)
FROM incidents_materialized
WHERE week IS NOT NULL AND week IN (SELECT week FROM weekly_counts_dirty)
GROUP BY week, incident_type;
    DELETE FROM weekly_counts_dirty;
END;

CREATE TRIGGER article_incidents_ad_stories AFTER DELETE ON article_incidents WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) BEGIN
DELETE FROM stories WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id) AND NOT EXISTS (SELECT 1 FROM story_articles sa
    WHERE sa.story_id = stories.id);
DELETE FROM story_responses WHERE story_id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id);
INSERT INTO story_responses (story_id, company_id, org_name, company, response, first_seen, article_id,
    evidence)
SELECT story_id, company_id, org_name, company, response, published, article_id, evidence FROM (
    SELECT sa.story_id, r.company_id, r.org_name, coalesce(c.name, r.org_name) AS company, r.response,
        a.published, r.article_id, r.evidence,
        row_number() OVER (PARTITION BY sa.story_id, coalesce(r.company_id, ''), coalesce(r.org_name, ''),
            r.response ORDER BY a.published IS NULL, a.published, a.id) AS nth
    FROM story_articles sa
    JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
    JOIN article_responses r ON r.article_id = sa.article_id
    LEFT JOIN companies c ON c.id = r.company_id
    WHERE sa.story_id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id))
WHERE nth = 1;
UPDATE stories SET
    title = (SELECT a.title FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, (SELECT count(DISTINCT coalesce(ai.company_id, ai.org_name))
            FROM article_incidents ai WHERE ai.article_id = a.id) DESC,
            a.published IS NULL, a.published, a.id LIMIT 1),
    first_article_id = (SELECT a.id FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, a.published IS NULL, a.published, a.id LIMIT 1),
    first_seen = (SELECT min(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    last_seen = (SELECT max(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    articles = (SELECT count(*) FROM story_articles sa WHERE sa.story_id = stories.id),
    originals = (SELECT count(*) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL),
    outlets = (SELECT count(DISTINCT coalesce(a.source_id, '')) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    languages = (SELECT json_group_array(language) FROM (SELECT DISTINCT a.language FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        AND a.language IS NOT NULL ORDER BY 1)),
    accused = (SELECT json_group_array(name) FROM (SELECT DISTINCT coalesce(c.name, ai.org_name) AS name
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    company_ids = (SELECT json_group_array(company_id) FROM (SELECT DISTINCT ai.company_id
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL AND ai.company_id IS NOT NULL ORDER BY 1)),
    types = (SELECT json_group_array(incident_type) FROM (SELECT DISTINCT ai.incident_type
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    responses = (SELECT json_group_array(response) FROM (SELECT DISTINCT response FROM story_responses r
        WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
            WHERE l.story_id = r.story_id AND l.company IS r.company) ORDER BY 1)),
    latest_responses = (SELECT group_concat(company || ': ' || kinds, '; ') FROM (
        SELECT company, group_concat(response, ', ') AS kinds FROM (
            SELECT r.company, r.response FROM story_responses r
            WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
                WHERE l.story_id = r.story_id AND l.company IS r.company)
            ORDER BY r.company, r.response)
        GROUP BY company ORDER BY company)),
    company = (SELECT coalesce(c.name, ai.org_name) FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL
        GROUP BY coalesce(ai.company_id, ai.org_name)
        ORDER BY count(DISTINCT ai.article_id) DESC, coalesce(c.name, ai.org_name) LIMIT 1),
    type = (SELECT ai.incident_type FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL GROUP BY ai.incident_type
        ORDER BY ai.incident_type = 'enforcement', count(*) DESC, ai.incident_type LIMIT 1)
WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id);
UPDATE stories SET response = (SELECT r.response FROM story_responses r
    WHERE r.story_id = stories.id AND r.company IS stories.company
    ORDER BY r.first_seen DESC, CASE r.response WHEN 'remediation' THEN 0 WHEN 'apology' THEN 1 ELSE 2 END
    LIMIT 1)
WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id);
DELETE FROM story_companies WHERE story_id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id);
INSERT INTO story_companies (story_id, company_id, org_name, company, last_seen)
SELECT DISTINCT sa.story_id, ai.company_id, CASE WHEN ai.company_id IS NULL THEN ai.org_name END,
    coalesce(c.name, ai.org_name), st.last_seen
FROM story_articles sa
JOIN stories st ON st.id = sa.story_id
JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
JOIN article_incidents ai ON ai.article_id = sa.article_id
LEFT JOIN companies c ON c.id = ai.company_id
WHERE sa.story_id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id) AND coalesce(ai.company_id, ai.org_name) IS NOT NULL;
END;

CREATE TRIGGER article_incidents_ai_materialized AFTER INSERT ON article_incidents WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = NEW.article_id;
    DELETE FROM incidents_materialized WHERE article_id = NEW.article_id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND ai.article_id = NEW.article_id;
    DELETE FROM company_timeline_materialized WHERE article_id = NEW.article_id;
    INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND m.article_id = NEW.article_id;
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = NEW.article_id;
    DELETE FROM weekly_counts_materialized WHERE week IN (SELECT week FROM weekly_counts_dirty);
    INSERT INTO weekly_counts_materialized (week, incident_type, articles, companies, incidents)
SELECT week, incident_type, count(DISTINCT article_id), count(DISTINCT company_id), count(*)
FROM incidents_materialized
WHERE week IS NOT NULL AND week IN (SELECT week FROM weekly_counts_dirty)
GROUP BY week, incident_type;
    DELETE FROM weekly_counts_dirty;
END;

CREATE TRIGGER article_incidents_ai_stories AFTER INSERT ON article_incidents WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
DELETE FROM stories WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.article_id) AND NOT EXISTS (SELECT 1 FROM story_articles sa
    WHERE sa.story_id = stories.id);
DELETE FROM story_responses WHERE story_id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.article_id);
INSERT INTO story_responses (story_id, company_id, org_name, company, response, first_seen, article_id,
    evidence)
SELECT story_id, company_id, org_name, company, response, published, article_id, evidence FROM (
    SELECT sa.story_id, r.company_id, r.org_name, coalesce(c.name, r.org_name) AS company, r.response,
        a.published, r.article_id, r.evidence,
        row_number() OVER (PARTITION BY sa.story_id, coalesce(r.company_id, ''), coalesce(r.org_name, ''),
            r.response ORDER BY a.published IS NULL, a.published, a.id) AS nth
    FROM story_articles sa
    JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
    JOIN article_responses r ON r.article_id = sa.article_id
    LEFT JOIN companies c ON c.id = r.company_id
    WHERE sa.story_id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.article_id))
WHERE nth = 1;
UPDATE stories SET
    title = (SELECT a.title FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, (SELECT count(DISTINCT coalesce(ai.company_id, ai.org_name))
            FROM article_incidents ai WHERE ai.article_id = a.id) DESC,
            a.published IS NULL, a.published, a.id LIMIT 1),
    first_article_id = (SELECT a.id FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, a.published IS NULL, a.published, a.id LIMIT 1),
    first_seen = (SELECT min(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    last_seen = (SELECT max(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    articles = (SELECT count(*) FROM story_articles sa WHERE sa.story_id = stories.id),
    originals = (SELECT count(*) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL),
    outlets = (SELECT count(DISTINCT coalesce(a.source_id, '')) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    languages = (SELECT json_group_array(language) FROM (SELECT DISTINCT a.language FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        AND a.language IS NOT NULL ORDER BY 1)),
    accused = (SELECT json_group_array(name) FROM (SELECT DISTINCT coalesce(c.name, ai.org_name) AS name
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    company_ids = (SELECT json_group_array(company_id) FROM (SELECT DISTINCT ai.company_id
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL AND ai.company_id IS NOT NULL ORDER BY 1)),
    types = (SELECT json_group_array(incident_type) FROM (SELECT DISTINCT ai.incident_type
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    responses = (SELECT json_group_array(response) FROM (SELECT DISTINCT response FROM story_responses r
        WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
            WHERE l.story_id = r.story_id AND l.company IS r.company) ORDER BY 1)),
    latest_responses = (SELECT group_concat(company || ': ' || kinds, '; ') FROM (
        SELECT company, group_concat(response, ', ') AS kinds FROM (
            SELECT r.company, r.response FROM story_responses r
            WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
                WHERE l.story_id = r.story_id AND l.company IS r.company)
            ORDER BY r.company, r.response)
        GROUP BY company ORDER BY company)),
    company = (SELECT coalesce(c.name, ai.org_name) FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL
        GROUP BY coalesce(ai.company_id, ai.org_name)
        ORDER BY count(DISTINCT ai.article_id) DESC, coalesce(c.name, ai.org_name) LIMIT 1),
    type = (SELECT ai.incident_type FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL GROUP BY ai.incident_type
        ORDER BY ai.incident_type = 'enforcement', count(*) DESC, ai.incident_type LIMIT 1)
WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.article_id);
UPDATE stories SET response = (SELECT r.response FROM story_responses r
    WHERE r.story_id = stories.id AND r.company IS stories.company
    ORDER BY r.first_seen DESC, CASE r.response WHEN 'remediation' THEN 0 WHEN 'apology' THEN 1 ELSE 2 END
    LIMIT 1)
WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.article_id);
DELETE FROM story_companies WHERE story_id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.article_id);
INSERT INTO story_companies (story_id, company_id, org_name, company, last_seen)
SELECT DISTINCT sa.story_id, ai.company_id, CASE WHEN ai.company_id IS NULL THEN ai.org_name END,
    coalesce(c.name, ai.org_name), st.last_seen
FROM story_articles sa
JOIN stories st ON st.id = sa.story_id
JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
JOIN article_incidents ai ON ai.article_id = sa.article_id
LEFT JOIN companies c ON c.id = ai.company_id
WHERE sa.story_id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.article_id) AND coalesce(ai.company_id, ai.org_name) IS NOT NULL;
END;

CREATE TRIGGER article_incidents_au_materialized AFTER UPDATE ON article_incidents WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) OR NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    DELETE FROM incidents_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND ai.article_id IN (OLD.article_id, NEW.article_id);
    DELETE FROM company_timeline_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND m.article_id IN (OLD.article_id, NEW.article_id);
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    DELETE FROM weekly_counts_materialized WHERE week IN (SELECT week FROM weekly_counts_dirty);
    INSERT INTO weekly_counts_materialized (week, incident_type, articles, companies, incidents)
SELECT week, incident_type, count(DISTINCT article_id), count(DISTINCT company_id), count(*)
FROM incidents_materialized
WHERE week IS NOT NULL AND week IN (SELECT week FROM weekly_counts_dirty)
GROUP BY week, incident_type;
    DELETE FROM weekly_counts_dirty;
END;

CREATE TRIGGER article_incidents_au_stories AFTER UPDATE ON article_incidents WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) OR NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
DELETE FROM stories WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id UNION SELECT story_id FROM story_articles WHERE article_id = NEW.article_id) AND NOT EXISTS (SELECT 1 FROM story_articles sa
    WHERE sa.story_id = stories.id);
DELETE FROM story_responses WHERE story_id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id UNION SELECT story_id FROM story_articles WHERE article_id = NEW.article_id);
INSERT INTO story_responses (story_id, company_id, org_name, company, response, first_seen, article_id,
    evidence)
SELECT story_id, company_id, org_name, company, response, published, article_id, evidence FROM (
    SELECT sa.story_id, r.company_id, r.org_name, coalesce(c.name, r.org_name) AS company, r.response,
        a.published, r.article_id, r.evidence,
        row_number() OVER (PARTITION BY sa.story_id, coalesce(r.company_id, ''), coalesce(r.org_name, ''),
            r.response ORDER BY a.published IS NULL, a.published, a.id) AS nth
    FROM story_articles sa
    JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
    JOIN article_responses r ON r.article_id = sa.article_id
    LEFT JOIN companies c ON c.id = r.company_id
    WHERE sa.story_id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id UNION SELECT story_id FROM story_articles WHERE article_id = NEW.article_id))
WHERE nth = 1;
UPDATE stories SET
    title = (SELECT a.title FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, (SELECT count(DISTINCT coalesce(ai.company_id, ai.org_name))
            FROM article_incidents ai WHERE ai.article_id = a.id) DESC,
            a.published IS NULL, a.published, a.id LIMIT 1),
    first_article_id = (SELECT a.id FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, a.published IS NULL, a.published, a.id LIMIT 1),
    first_seen = (SELECT min(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    last_seen = (SELECT max(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    articles = (SELECT count(*) FROM story_articles sa WHERE sa.story_id = stories.id),
    originals = (SELECT count(*) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL),
    outlets = (SELECT count(DISTINCT coalesce(a.source_id, '')) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    languages = (SELECT json_group_array(language) FROM (SELECT DISTINCT a.language FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        AND a.language IS NOT NULL ORDER BY 1)),
    accused = (SELECT json_group_array(name) FROM (SELECT DISTINCT coalesce(c.name, ai.org_name) AS name
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    company_ids = (SELECT json_group_array(company_id) FROM (SELECT DISTINCT ai.company_id
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL AND ai.company_id IS NOT NULL ORDER BY 1)),
    types = (SELECT json_group_array(incident_type) FROM (SELECT DISTINCT ai.incident_type
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    responses = (SELECT json_group_array(response) FROM (SELECT DISTINCT response FROM story_responses r
        WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
            WHERE l.story_id = r.story_id AND l.company IS r.company) ORDER BY 1)),
    latest_responses = (SELECT group_concat(company || ': ' || kinds, '; ') FROM (
        SELECT company, group_concat(response, ', ') AS kinds FROM (
            SELECT r.company, r.response FROM story_responses r
            WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
                WHERE l.story_id = r.story_id AND l.company IS r.company)
            ORDER BY r.company, r.response)
        GROUP BY company ORDER BY company)),
    company = (SELECT coalesce(c.name, ai.org_name) FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL
        GROUP BY coalesce(ai.company_id, ai.org_name)
        ORDER BY count(DISTINCT ai.article_id) DESC, coalesce(c.name, ai.org_name) LIMIT 1),
    type = (SELECT ai.incident_type FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL GROUP BY ai.incident_type
        ORDER BY ai.incident_type = 'enforcement', count(*) DESC, ai.incident_type LIMIT 1)
WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id UNION SELECT story_id FROM story_articles WHERE article_id = NEW.article_id);
UPDATE stories SET response = (SELECT r.response FROM story_responses r
    WHERE r.story_id = stories.id AND r.company IS stories.company
    ORDER BY r.first_seen DESC, CASE r.response WHEN 'remediation' THEN 0 WHEN 'apology' THEN 1 ELSE 2 END
    LIMIT 1)
WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id UNION SELECT story_id FROM story_articles WHERE article_id = NEW.article_id);
DELETE FROM story_companies WHERE story_id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id UNION SELECT story_id FROM story_articles WHERE article_id = NEW.article_id);
INSERT INTO story_companies (story_id, company_id, org_name, company, last_seen)
SELECT DISTINCT sa.story_id, ai.company_id, CASE WHEN ai.company_id IS NULL THEN ai.org_name END,
    coalesce(c.name, ai.org_name), st.last_seen
FROM story_articles sa
JOIN stories st ON st.id = sa.story_id
JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
JOIN article_incidents ai ON ai.article_id = sa.article_id
LEFT JOIN companies c ON c.id = ai.company_id
WHERE sa.story_id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id UNION SELECT story_id FROM story_articles WHERE article_id = NEW.article_id) AND coalesce(ai.company_id, ai.org_name) IS NOT NULL;
END;

CREATE TRIGGER article_responses_ad_stories AFTER DELETE ON article_responses WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) BEGIN
DELETE FROM stories WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id) AND NOT EXISTS (SELECT 1 FROM story_articles sa
    WHERE sa.story_id = stories.id);
DELETE FROM story_responses WHERE story_id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id);
INSERT INTO story_responses (story_id, company_id, org_name, company, response, first_seen, article_id,
    evidence)
SELECT story_id, company_id, org_name, company, response, published, article_id, evidence FROM (
    SELECT sa.story_id, r.company_id, r.org_name, coalesce(c.name, r.org_name) AS company, r.response,
        a.published, r.article_id, r.evidence,
        row_number() OVER (PARTITION BY sa.story_id, coalesce(r.company_id, ''), coalesce(r.org_name, ''),
            r.response ORDER BY a.published IS NULL, a.published, a.id) AS nth
    FROM story_articles sa
    JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
    JOIN article_responses r ON r.article_id = sa.article_id
    LEFT JOIN companies c ON c.id = r.company_id
    WHERE sa.story_id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id))
WHERE nth = 1;
UPDATE stories SET
    title = (SELECT a.title FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, (SELECT count(DISTINCT coalesce(ai.company_id, ai.org_name))
            FROM article_incidents ai WHERE ai.article_id = a.id) DESC,
            a.published IS NULL, a.published, a.id LIMIT 1),
    first_article_id = (SELECT a.id FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, a.published IS NULL, a.published, a.id LIMIT 1),
    first_seen = (SELECT min(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    last_seen = (SELECT max(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    articles = (SELECT count(*) FROM story_articles sa WHERE sa.story_id = stories.id),
    originals = (SELECT count(*) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL),
    outlets = (SELECT count(DISTINCT coalesce(a.source_id, '')) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    languages = (SELECT json_group_array(language) FROM (SELECT DISTINCT a.language FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        AND a.language IS NOT NULL ORDER BY 1)),
    accused = (SELECT json_group_array(name) FROM (SELECT DISTINCT coalesce(c.name, ai.org_name) AS name
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    company_ids = (SELECT json_group_array(company_id) FROM (SELECT DISTINCT ai.company_id
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL AND ai.company_id IS NOT NULL ORDER BY 1)),
    types = (SELECT json_group_array(incident_type) FROM (SELECT DISTINCT ai.incident_type
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    responses = (SELECT json_group_array(response) FROM (SELECT DISTINCT response FROM story_responses r
        WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
            WHERE l.story_id = r.story_id AND l.company IS r.company) ORDER BY 1)),
    latest_responses = (SELECT group_concat(company || ': ' || kinds, '; ') FROM (
        SELECT company, group_concat(response, ', ') AS kinds FROM (
            SELECT r.company, r.response FROM story_responses r
            WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
                WHERE l.story_id = r.story_id AND l.company IS r.company)
            ORDER BY r.company, r.response)
        GROUP BY company ORDER BY company)),
    company = (SELECT coalesce(c.name, ai.org_name) FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL
        GROUP BY coalesce(ai.company_id, ai.org_name)
        ORDER BY count(DISTINCT ai.article_id) DESC, coalesce(c.name, ai.org_name) LIMIT 1),
    type = (SELECT ai.incident_type FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL GROUP BY ai.incident_type
        ORDER BY ai.incident_type = 'enforcement', count(*) DESC, ai.incident_type LIMIT 1)
WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id);
UPDATE stories SET response = (SELECT r.response FROM story_responses r
    WHERE r.story_id = stories.id AND r.company IS stories.company
    ORDER BY r.first_seen DESC, CASE r.response WHEN 'remediation' THEN 0 WHEN 'apology' THEN 1 ELSE 2 END
    LIMIT 1)
WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id);
DELETE FROM story_companies WHERE story_id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id);
INSERT INTO story_companies (story_id, company_id, org_name, company, last_seen)
SELECT DISTINCT sa.story_id, ai.company_id, CASE WHEN ai.company_id IS NULL THEN ai.org_name END,
    coalesce(c.name, ai.org_name), st.last_seen
FROM story_articles sa
JOIN stories st ON st.id = sa.story_id
JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
JOIN article_incidents ai ON ai.article_id = sa.article_id
LEFT JOIN companies c ON c.id = ai.company_id
WHERE sa.story_id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id) AND coalesce(ai.company_id, ai.org_name) IS NOT NULL;
END;

CREATE TRIGGER article_responses_ai_stories AFTER INSERT ON article_responses WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
DELETE FROM stories WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.article_id) AND NOT EXISTS (SELECT 1 FROM story_articles sa
    WHERE sa.story_id = stories.id);
DELETE FROM story_responses WHERE story_id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.article_id);
INSERT INTO story_responses (story_id, company_id, org_name, company, response, first_seen, article_id,
    evidence)
SELECT story_id, company_id, org_name, company, response, published, article_id, evidence FROM (
    SELECT sa.story_id, r.company_id, r.org_name, coalesce(c.name, r.org_name) AS company, r.response,
        a.published, r.article_id, r.evidence,
        row_number() OVER (PARTITION BY sa.story_id, coalesce(r.company_id, ''), coalesce(r.org_name, ''),
            r.response ORDER BY a.published IS NULL, a.published, a.id) AS nth
    FROM story_articles sa
    JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
    JOIN article_responses r ON r.article_id = sa.article_id
    LEFT JOIN companies c ON c.id = r.company_id
    WHERE sa.story_id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.article_id))
WHERE nth = 1;
UPDATE stories SET
    title = (SELECT a.title FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, (SELECT count(DISTINCT coalesce(ai.company_id, ai.org_name))
            FROM article_incidents ai WHERE ai.article_id = a.id) DESC,
            a.published IS NULL, a.published, a.id LIMIT 1),
    first_article_id = (SELECT a.id FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, a.published IS NULL, a.published, a.id LIMIT 1),
    first_seen = (SELECT min(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    last_seen = (SELECT max(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    articles = (SELECT count(*) FROM story_articles sa WHERE sa.story_id = stories.id),
    originals = (SELECT count(*) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL),
    outlets = (SELECT count(DISTINCT coalesce(a.source_id, '')) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    languages = (SELECT json_group_array(language) FROM (SELECT DISTINCT a.language FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        AND a.language IS NOT NULL ORDER BY 1)),
    accused = (SELECT json_group_array(name) FROM (SELECT DISTINCT coalesce(c.name, ai.org_name) AS name
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    company_ids = (SELECT json_group_array(company_id) FROM (SELECT DISTINCT ai.company_id
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL AND ai.company_id IS NOT NULL ORDER BY 1)),
    types = (SELECT json_group_array(incident_type) FROM (SELECT DISTINCT ai.incident_type
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    responses = (SELECT json_group_array(response) FROM (SELECT DISTINCT response FROM story_responses r
        WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
            WHERE l.story_id = r.story_id AND l.company IS r.company) ORDER BY 1)),
    latest_responses = (SELECT group_concat(company || ': ' || kinds, '; ') FROM (
        SELECT company, group_concat(response, ', ') AS kinds FROM (
            SELECT r.company, r.response FROM story_responses r
            WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
                WHERE l.story_id = r.story_id AND l.company IS r.company)
            ORDER BY r.company, r.response)
        GROUP BY company ORDER BY company)),
    company = (SELECT coalesce(c.name, ai.org_name) FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL
        GROUP BY coalesce(ai.company_id, ai.org_name)
        ORDER BY count(DISTINCT ai.article_id) DESC, coalesce(c.name, ai.org_name) LIMIT 1),
    type = (SELECT ai.incident_type FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL GROUP BY ai.incident_type
        ORDER BY ai.incident_type = 'enforcement', count(*) DESC, ai.incident_type LIMIT 1)
WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.article_id);
UPDATE stories SET response = (SELECT r.response FROM story_responses r
    WHERE r.story_id = stories.id AND r.company IS stories.company
    ORDER BY r.first_seen DESC, CASE r.response WHEN 'remediation' THEN 0 WHEN 'apology' THEN 1 ELSE 2 END
    LIMIT 1)
WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.article_id);
DELETE FROM story_companies WHERE story_id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.article_id);
INSERT INTO story_companies (story_id, company_id, org_name, company, last_seen)
SELECT DISTINCT sa.story_id, ai.company_id, CASE WHEN ai.company_id IS NULL THEN ai.org_name END,
    coalesce(c.name, ai.org_name), st.last_seen
FROM story_articles sa
JOIN stories st ON st.id = sa.story_id
JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
JOIN article_incidents ai ON ai.article_id = sa.article_id
LEFT JOIN companies c ON c.id = ai.company_id
WHERE sa.story_id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.article_id) AND coalesce(ai.company_id, ai.org_name) IS NOT NULL;
END;

CREATE TRIGGER article_responses_au_stories AFTER UPDATE ON article_responses WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) OR NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
DELETE FROM stories WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id UNION SELECT story_id FROM story_articles WHERE article_id = NEW.article_id) AND NOT EXISTS (SELECT 1 FROM story_articles sa
    WHERE sa.story_id = stories.id);
DELETE FROM story_responses WHERE story_id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id UNION SELECT story_id FROM story_articles WHERE article_id = NEW.article_id);
INSERT INTO story_responses (story_id, company_id, org_name, company, response, first_seen, article_id,
    evidence)
SELECT story_id, company_id, org_name, company, response, published, article_id, evidence FROM (
    SELECT sa.story_id, r.company_id, r.org_name, coalesce(c.name, r.org_name) AS company, r.response,
        a.published, r.article_id, r.evidence,
        row_number() OVER (PARTITION BY sa.story_id, coalesce(r.company_id, ''), coalesce(r.org_name, ''),
            r.response ORDER BY a.published IS NULL, a.published, a.id) AS nth
    FROM story_articles sa
    JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
    JOIN article_responses r ON r.article_id = sa.article_id
    LEFT JOIN companies c ON c.id = r.company_id
    WHERE sa.story_id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id UNION SELECT story_id FROM story_articles WHERE article_id = NEW.article_id))
WHERE nth = 1;
UPDATE stories SET
    title = (SELECT a.title FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, (SELECT count(DISTINCT coalesce(ai.company_id, ai.org_name))
            FROM article_incidents ai WHERE ai.article_id = a.id) DESC,
            a.published IS NULL, a.published, a.id LIMIT 1),
    first_article_id = (SELECT a.id FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, a.published IS NULL, a.published, a.id LIMIT 1),
    first_seen = (SELECT min(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    last_seen = (SELECT max(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    articles = (SELECT count(*) FROM story_articles sa WHERE sa.story_id = stories.id),
    originals = (SELECT count(*) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL),
    outlets = (SELECT count(DISTINCT coalesce(a.source_id, '')) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    languages = (SELECT json_group_array(language) FROM (SELECT DISTINCT a.language FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        AND a.language IS NOT NULL ORDER BY 1)),
    accused = (SELECT json_group_array(name) FROM (SELECT DISTINCT coalesce(c.name, ai.org_name) AS name
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    company_ids = (SELECT json_group_array(company_id) FROM (SELECT DISTINCT ai.company_id
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL AND ai.company_id IS NOT NULL ORDER BY 1)),
    types = (SELECT json_group_array(incident_type) FROM (SELECT DISTINCT ai.incident_type
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    responses = (SELECT json_group_array(response) FROM (SELECT DISTINCT response FROM story_responses r
        WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
            WHERE l.story_id = r.story_id AND l.company IS r.company) ORDER BY 1)),
    latest_responses = (SELECT group_concat(company || ': ' || kinds, '; ') FROM (
        SELECT company, group_concat(response, ', ') AS kinds FROM (
            SELECT r.company, r.response FROM story_responses r
            WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
                WHERE l.story_id = r.story_id AND l.company IS r.company)
            ORDER BY r.company, r.response)
        GROUP BY company ORDER BY company)),
    company = (SELECT coalesce(c.name, ai.org_name) FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL
        GROUP BY coalesce(ai.company_id, ai.org_name)
        ORDER BY count(DISTINCT ai.article_id) DESC, coalesce(c.name, ai.org_name) LIMIT 1),
    type = (SELECT ai.incident_type FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL GROUP BY ai.incident_type
        ORDER BY ai.incident_type = 'enforcement', count(*) DESC, ai.incident_type LIMIT 1)
WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id UNION SELECT story_id FROM story_articles WHERE article_id = NEW.article_id);
UPDATE stories SET response = (SELECT r.response FROM story_responses r
    WHERE r.story_id = stories.id AND r.company IS stories.company
    ORDER BY r.first_seen DESC, CASE r.response WHEN 'remediation' THEN 0 WHEN 'apology' THEN 1 ELSE 2 END
    LIMIT 1)
WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id UNION SELECT story_id FROM story_articles WHERE article_id = NEW.article_id);
DELETE FROM story_companies WHERE story_id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id UNION SELECT story_id FROM story_articles WHERE article_id = NEW.article_id);
INSERT INTO story_companies (story_id, company_id, org_name, company, last_seen)
SELECT DISTINCT sa.story_id, ai.company_id, CASE WHEN ai.company_id IS NULL THEN ai.org_name END,
    coalesce(c.name, ai.org_name), st.last_seen
FROM story_articles sa
JOIN stories st ON st.id = sa.story_id
JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
JOIN article_incidents ai ON ai.article_id = sa.article_id
LEFT JOIN companies c ON c.id = ai.company_id
WHERE sa.story_id IN (SELECT story_id FROM story_articles WHERE article_id = OLD.article_id UNION SELECT story_id FROM story_articles WHERE article_id = NEW.article_id) AND coalesce(ai.company_id, ai.org_name) IS NOT NULL;
END;

CREATE TRIGGER "articles_ad" AFTER DELETE ON "articles" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "body") VALUES('delete', old.rowid, old."title", old."body");
END;

CREATE TRIGGER articles_ad_fts_zh AFTER DELETE ON articles WHEN OLD.language = 'zh' BEGIN
    INSERT INTO articles_fts_zh (articles_fts_zh, rowid, title, body)
    VALUES ('delete', OLD.id, OLD.title, OLD.body);
END;

CREATE TRIGGER articles_ad_materialized AFTER DELETE ON articles BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = OLD.id;
    DELETE FROM incidents_materialized WHERE article_id = OLD.id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND ai.article_id = OLD.id;
    DELETE FROM company_timeline_materialized WHERE article_id = OLD.id;
    INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND m.article_id = OLD.id;
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = OLD.id;
    DELETE FROM weekly_counts_materialized WHERE week IN (SELECT week FROM weekly_counts_dirty);
    INSERT INTO weekly_counts_materialized (week, incident_type, articles, companies, incidents)
SELECT week, incident_type, count(DISTINCT article_id), count(DISTINCT company_id), count(*)
FROM incidents_materialized
WHERE week IS NOT NULL AND week IN (SELECT week FROM weekly_counts_dirty)
GROUP BY week, incident_type;
    DELETE FROM weekly_counts_dirty;
END;

CREATE TRIGGER "articles_ai" AFTER INSERT ON "articles" BEGIN
  INSERT INTO "articles_fts" (rowid, "title", "body") VALUES (new.rowid, new."title", new."body");
END;

CREATE TRIGGER articles_ai_fts_zh AFTER INSERT ON articles WHEN NEW.language = 'zh' BEGIN
    INSERT INTO articles_fts_zh (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);
END;

CREATE TRIGGER "articles_au" AFTER UPDATE OF "title", "body" ON "articles"
WHEN OLD."title" IS NOT NEW."title" OR OLD."body" IS NOT NEW."body" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "body") VALUES('delete', old.rowid, old."title", old."body");
  INSERT INTO "articles_fts" (rowid, "title", "body") VALUES (new.rowid, new."title", new."body");
END;

CREATE TRIGGER articles_au_fts_zh AFTER UPDATE OF title, body, language ON articles
WHEN OLD.language = 'zh' OR NEW.language = 'zh' BEGIN
    INSERT INTO articles_fts_zh (articles_fts_zh, rowid, title, body)
    SELECT 'delete', OLD.id, OLD.title, OLD.body WHERE OLD.language = 'zh';
    INSERT INTO articles_fts_zh (rowid, title, body)
    SELECT NEW.id, NEW.title, NEW.body WHERE NEW.language = 'zh';
END;

CREATE TRIGGER articles_au_materialized AFTER UPDATE OF id, published, title, url, source_id, duplicate_of, language ON articles WHEN OLD.id IS NOT NEW.id OR OLD.published IS NOT NEW.published OR OLD.title IS NOT NEW.title OR OLD.url IS NOT NEW.url OR OLD.source_id IS NOT NEW.source_id OR OLD.duplicate_of IS NOT NEW.duplicate_of OR OLD.language IS NOT NEW.language BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id IN (OLD.id, NEW.id);
    DELETE FROM incidents_materialized WHERE article_id IN (OLD.id, NEW.id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND ai.article_id IN (OLD.id, NEW.id);
    DELETE FROM company_timeline_materialized WHERE article_id IN (OLD.id, NEW.id);
    INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND m.article_id IN (OLD.id, NEW.id);
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id IN (OLD.id, NEW.id);
    DELETE FROM weekly_counts_materialized WHERE week IN (SELECT week FROM weekly_counts_dirty);
    INSERT INTO weekly_counts_materialized (week, incident_type, articles, companies, incidents)
SELECT week, incident_type, count(DISTINCT article_id), count(DISTINCT company_id), count(*)
FROM incidents_materialized
WHERE week IS NOT NULL AND week IN (SELECT week FROM weekly_counts_dirty)
GROUP BY week, incident_type;
    DELETE FROM weekly_counts_dirty;
END;

CREATE TRIGGER articles_au_stories AFTER UPDATE OF title, published, source_id, language, duplicate_of, tagged_at ON articles BEGIN
DELETE FROM stories WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.id) AND NOT EXISTS (SELECT 1 FROM story_articles sa
    WHERE sa.story_id = stories.id);
DELETE FROM story_responses WHERE story_id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.id);
INSERT INTO story_responses (story_id, company_id, org_name, company, response, first_seen, article_id,
    evidence)
SELECT story_id, company_id, org_name, company, response, published, article_id, evidence FROM (
    SELECT sa.story_id, r.company_id, r.org_name, coalesce(c.name, r.org_name) AS company, r.response,
        a.published, r.article_id, r.evidence,
        row_number() OVER (PARTITION BY sa.story_id, coalesce(r.company_id, ''), coalesce(r.org_name, ''),
            r.response ORDER BY a.published IS NULL, a.published, a.id) AS nth
    FROM story_articles sa
    JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
    JOIN article_responses r ON r.article_id = sa.article_id
    LEFT JOIN companies c ON c.id = r.company_id
    WHERE sa.story_id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.id))
WHERE nth = 1;
UPDATE stories SET
    title = (SELECT a.title FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, (SELECT count(DISTINCT coalesce(ai.company_id, ai.org_name))
            FROM article_incidents ai WHERE ai.article_id = a.id) DESC,
            a.published IS NULL, a.published, a.id LIMIT 1),
    first_article_id = (SELECT a.id FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, a.published IS NULL, a.published, a.id LIMIT 1),
    first_seen = (SELECT min(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    last_seen = (SELECT max(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    articles = (SELECT count(*) FROM story_articles sa WHERE sa.story_id = stories.id),
    originals = (SELECT count(*) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL),
    outlets = (SELECT count(DISTINCT coalesce(a.source_id, '')) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    languages = (SELECT json_group_array(language) FROM (SELECT DISTINCT a.language FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        AND a.language IS NOT NULL ORDER BY 1)),
    accused = (SELECT json_group_array(name) FROM (SELECT DISTINCT coalesce(c.name, ai.org_name) AS name
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    company_ids = (SELECT json_group_array(company_id) FROM (SELECT DISTINCT ai.company_id
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL AND ai.company_id IS NOT NULL ORDER BY 1)),
    types = (SELECT json_group_array(incident_type) FROM (SELECT DISTINCT ai.incident_type
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    responses = (SELECT json_group_array(response) FROM (SELECT DISTINCT response FROM story_responses r
        WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
            WHERE l.story_id = r.story_id AND l.company IS r.company) ORDER BY 1)),
    latest_responses = (SELECT group_concat(company || ': ' || kinds, '; ') FROM (
        SELECT company, group_concat(response, ', ') AS kinds FROM (
            SELECT r.company, r.response FROM story_responses r
            WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
                WHERE l.story_id = r.story_id AND l.company IS r.company)
            ORDER BY r.company, r.response)
        GROUP BY company ORDER BY company)),
    company = (SELECT coalesce(c.name, ai.org_name) FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL
        GROUP BY coalesce(ai.company_id, ai.org_name)
        ORDER BY count(DISTINCT ai.article_id) DESC, coalesce(c.name, ai.org_name) LIMIT 1),
    type = (SELECT ai.incident_type FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL GROUP BY ai.incident_type
        ORDER BY ai.incident_type = 'enforcement', count(*) DESC, ai.incident_type LIMIT 1)
WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.id);
UPDATE stories SET response = (SELECT r.response FROM story_responses r
    WHERE r.story_id = stories.id AND r.company IS stories.company
    ORDER BY r.first_seen DESC, CASE r.response WHEN 'remediation' THEN 0 WHEN 'apology' THEN 1 ELSE 2 END
    LIMIT 1)
WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.id);
DELETE FROM story_companies WHERE story_id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.id);
INSERT INTO story_companies (story_id, company_id, org_name, company, last_seen)
SELECT DISTINCT sa.story_id, ai.company_id, CASE WHEN ai.company_id IS NULL THEN ai.org_name END,
    coalesce(c.name, ai.org_name), st.last_seen
FROM story_articles sa
JOIN stories st ON st.id = sa.story_id
JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
JOIN article_incidents ai ON ai.article_id = sa.article_id
LEFT JOIN companies c ON c.id = ai.company_id
WHERE sa.story_id IN (SELECT story_id FROM story_articles WHERE article_id = NEW.id) AND coalesce(ai.company_id, ai.org_name) IS NOT NULL;
END;

CREATE TRIGGER articles_tagged_materialized AFTER UPDATE OF tagged_at ON articles WHEN NEW.tagged_at IS NOT NULL BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = NEW.id;
    DELETE FROM incidents_materialized WHERE article_id = NEW.id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND ai.article_id = NEW.id;
    DELETE FROM company_timeline_materialized WHERE article_id = NEW.id;
    INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND m.article_id = NEW.id;
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = NEW.id;
    DELETE FROM weekly_counts_materialized WHERE week IN (SELECT week FROM weekly_counts_dirty);
    INSERT INTO weekly_counts_materialized (week, incident_type, articles, companies, incidents)
SELECT week, incident_type, count(DISTINCT article_id), count(DISTINCT company_id), count(*)
FROM incidents_materialized
WHERE week IS NOT NULL AND week IN (SELECT week FROM weekly_counts_dirty)
GROUP BY week, incident_type;
    DELETE FROM weekly_counts_dirty;
END;

CREATE TRIGGER companies_ad_materialized AFTER DELETE ON companies BEGIN
    DELETE FROM incidents_materialized WHERE article_id IN (SELECT article_id FROM mentions WHERE company_id = OLD.id UNION SELECT article_id FROM article_incidents WHERE company_id = OLD.id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND ai.article_id IN (SELECT article_id FROM mentions WHERE company_id = OLD.id UNION SELECT article_id FROM article_incidents WHERE company_id = OLD.id);
    DELETE FROM company_timeline_materialized WHERE article_id IN (SELECT article_id FROM mentions WHERE company_id = OLD.id UNION SELECT article_id FROM article_incidents WHERE company_id = OLD.id);
    INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND m.article_id IN (SELECT article_id FROM mentions WHERE company_id = OLD.id UNION SELECT article_id FROM article_incidents WHERE company_id = OLD.id);
END;

CREATE TRIGGER companies_ai_materialized AFTER INSERT ON companies BEGIN
    DELETE FROM incidents_materialized WHERE article_id IN (SELECT article_id FROM mentions WHERE company_id = NEW.id UNION SELECT article_id FROM article_incidents WHERE company_id = NEW.id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND ai.article_id IN (SELECT article_id FROM mentions WHERE company_id = NEW.id UNION SELECT article_id FROM article_incidents WHERE company_id = NEW.id);
    DELETE FROM company_timeline_materialized WHERE article_id IN (SELECT article_id FROM mentions WHERE company_id = NEW.id UNION SELECT article_id FROM article_incidents WHERE company_id = NEW.id);
    INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND m.article_id IN (SELECT article_id FROM mentions WHERE company_id = NEW.id UNION SELECT article_id FROM article_incidents WHERE company_id = NEW.id);
END;

CREATE TRIGGER companies_au_materialized AFTER UPDATE OF id, name ON companies WHEN OLD.id IS NOT NEW.id OR OLD.name IS NOT NEW.name BEGIN
    DELETE FROM incidents_materialized WHERE article_id IN (SELECT article_id FROM mentions WHERE company_id = OLD.id UNION SELECT article_id FROM article_incidents WHERE company_id = OLD.id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND ai.article_id IN (SELECT article_id FROM mentions WHERE company_id = OLD.id UNION SELECT article_id FROM article_incidents WHERE company_id = OLD.id);
    DELETE FROM company_timeline_materialized WHERE article_id IN (SELECT article_id FROM mentions WHERE company_id = OLD.id UNION SELECT article_id FROM article_incidents WHERE company_id = OLD.id);
    INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND m.article_id IN (SELECT article_id FROM mentions WHERE company_id = OLD.id UNION SELECT article_id FROM article_incidents WHERE company_id = OLD.id);
    DELETE FROM incidents_materialized WHERE article_id IN (SELECT article_id FROM mentions WHERE company_id = NEW.id UNION SELECT article_id FROM article_incidents WHERE company_id = NEW.id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND ai.article_id IN (SELECT article_id FROM mentions WHERE company_id = NEW.id UNION SELECT article_id FROM article_incidents WHERE company_id = NEW.id);
    DELETE FROM company_timeline_materialized WHERE article_id IN (SELECT article_id FROM mentions WHERE company_id = NEW.id UNION SELECT article_id FROM article_incidents WHERE company_id = NEW.id);
    INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND m.article_id IN (SELECT article_id FROM mentions WHERE company_id = NEW.id UNION SELECT article_id FROM article_incidents WHERE company_id = NEW.id);
END;

CREATE TRIGGER companies_au_stories AFTER UPDATE OF name ON companies BEGIN
DELETE FROM stories WHERE id IN (SELECT DISTINCT sa.story_id FROM story_articles sa JOIN article_incidents ai ON ai.article_id = sa.article_id WHERE ai.company_id = NEW.id) AND NOT EXISTS (SELECT 1 FROM story_articles sa
    WHERE sa.story_id = stories.id);
DELETE FROM story_responses WHERE story_id IN (SELECT DISTINCT sa.story_id FROM story_articles sa JOIN article_incidents ai ON ai.article_id = sa.article_id WHERE ai.company_id = NEW.id);
INSERT INTO story_responses (story_id, company_id, org_name, company, response, first_seen, article_id,
    evidence)
SELECT story_id, company_id, org_name, company, response, published, article_id, evidence FROM (
    SELECT sa.story_id, r.company_id, r.org_name, coalesce(c.name, r.org_name) AS company, r.response,
        a.published, r.article_id, r.evidence,
        row_number() OVER (PARTITION BY sa.story_id, coalesce(r.company_id, ''), coalesce(r.org_name, ''),
            r.response ORDER BY a.published IS NULL, a.published, a.id) AS nth
    FROM story_articles sa
    JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
    JOIN article_responses r ON r.article_id = sa.article_id
    LEFT JOIN companies c ON c.id = r.company_id
    WHERE sa.story_id IN (SELECT DISTINCT sa.story_id FROM story_articles sa JOIN article_incidents ai ON ai.article_id = sa.article_id WHERE ai.company_id = NEW.id))
WHERE nth = 1;
UPDATE stories SET
    title = (SELECT a.title FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, (SELECT count(DISTINCT coalesce(ai.company_id, ai.org_name))
            FROM article_incidents ai WHERE ai.article_id = a.id) DESC,
            a.published IS NULL, a.published, a.id LIMIT 1),
    first_article_id = (SELECT a.id FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, a.published IS NULL, a.published, a.id LIMIT 1),
    first_seen = (SELECT min(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    last_seen = (SELECT max(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    articles = (SELECT count(*) FROM story_articles sa WHERE sa.story_id = stories.id),
    originals = (SELECT count(*) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL),
    outlets = (SELECT count(DISTINCT coalesce(a.source_id, '')) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    languages = (SELECT json_group_array(language) FROM (SELECT DISTINCT a.language FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        AND a.language IS NOT NULL ORDER BY 1)),
    accused = (SELECT json_group_array(name) FROM (SELECT DISTINCT coalesce(c.name, ai.org_name) AS name
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    company_ids = (SELECT json_group_array(company_id) FROM (SELECT DISTINCT ai.company_id
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL AND ai.company_id IS NOT NULL ORDER BY 1)),
    types = (SELECT json_group_array(incident_type) FROM (SELECT DISTINCT ai.incident_type
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    responses = (SELECT json_group_array(response) FROM (SELECT DISTINCT response FROM story_responses r
        WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
            WHERE l.story_id = r.story_id AND l.company IS r.company) ORDER BY 1)),
    latest_responses = (SELECT group_concat(company || ': ' || kinds, '; ') FROM (
        SELECT company, group_concat(response, ', ') AS kinds FROM (
            SELECT r.company, r.response FROM story_responses r
            WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
                WHERE l.story_id = r.story_id AND l.company IS r.company)
            ORDER BY r.company, r.response)
        GROUP BY company ORDER BY company)),
    company = (SELECT coalesce(c.name, ai.org_name) FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL
        GROUP BY coalesce(ai.company_id, ai.org_name)
        ORDER BY count(DISTINCT ai.article_id) DESC, coalesce(c.name, ai.org_name) LIMIT 1),
    type = (SELECT ai.incident_type FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL GROUP BY ai.incident_type
        ORDER BY ai.incident_type = 'enforcement', count(*) DESC, ai.incident_type LIMIT 1)
WHERE id IN (SELECT DISTINCT sa.story_id FROM story_articles sa JOIN article_incidents ai ON ai.article_id = sa.article_id WHERE ai.company_id = NEW.id);
UPDATE stories SET response = (SELECT r.response FROM story_responses r
    WHERE r.story_id = stories.id AND r.company IS stories.company
    ORDER BY r.first_seen DESC, CASE r.response WHEN 'remediation' THEN 0 WHEN 'apology' THEN 1 ELSE 2 END
    LIMIT 1)
WHERE id IN (SELECT DISTINCT sa.story_id FROM story_articles sa JOIN article_incidents ai ON ai.article_id = sa.article_id WHERE ai.company_id = NEW.id);
DELETE FROM story_companies WHERE story_id IN (SELECT DISTINCT sa.story_id FROM story_articles sa JOIN article_incidents ai ON ai.article_id = sa.article_id WHERE ai.company_id = NEW.id);
INSERT INTO story_companies (story_id, company_id, org_name, company, last_seen)
SELECT DISTINCT sa.story_id, ai.company_id, CASE WHEN ai.company_id IS NULL THEN ai.org_name END,
    coalesce(c.name, ai.org_name), st.last_seen
FROM story_articles sa
JOIN stories st ON st.id = sa.story_id
JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
JOIN article_incidents ai ON ai.article_id = sa.article_id
LEFT JOIN companies c ON c.id = ai.company_id
WHERE sa.story_id IN (SELECT DISTINCT sa.story_id FROM story_articles sa JOIN article_incidents ai ON ai.article_id = sa.article_id WHERE ai.company_id = NEW.id) AND coalesce(ai.company_id, ai.org_name) IS NOT NULL;
END;

CREATE TRIGGER mentions_ad_materialized AFTER DELETE ON mentions WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) BEGIN
    DELETE FROM incidents_materialized WHERE article_id = OLD.article_id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND ai.article_id = OLD.article_id;
    DELETE FROM company_timeline_materialized WHERE article_id = OLD.article_id;
    INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND m.article_id = OLD.article_id;
END;

CREATE TRIGGER mentions_ai_materialized AFTER INSERT ON mentions WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
    DELETE FROM incidents_materialized WHERE article_id = NEW.article_id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND ai.article_id = NEW.article_id;
    DELETE FROM company_timeline_materialized WHERE article_id = NEW.article_id;
    INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND m.article_id = NEW.article_id;
END;

CREATE TRIGGER mentions_au_materialized AFTER UPDATE ON mentions WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) OR NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
    DELETE FROM incidents_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND ai.article_id IN (OLD.article_id, NEW.article_id);
    DELETE FROM company_timeline_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND m.article_id IN (OLD.article_id, NEW.article_id);
END;

CREATE TRIGGER sources_ad_materialized AFTER DELETE ON sources BEGIN
    UPDATE incidents_materialized SET source = (SELECT name FROM sources WHERE id = source_id) WHERE source_id IN (OLD.id);
END;

CREATE TRIGGER sources_ai_materialized AFTER INSERT ON sources BEGIN
    UPDATE incidents_materialized SET source = (SELECT name FROM sources WHERE id = source_id) WHERE source_id IN (NEW.id);
END;

CREATE TRIGGER sources_au_materialized AFTER UPDATE OF id, name ON sources WHEN OLD.id IS NOT NEW.id OR OLD.name IS NOT NEW.name BEGIN
    UPDATE incidents_materialized SET source = (SELECT name FROM sources WHERE id = source_id) WHERE source_id IN (OLD.id, NEW.id);
END;

CREATE TRIGGER story_articles_ad AFTER DELETE ON story_articles WHEN NOT EXISTS (SELECT 1 FROM stories_to_refresh) BEGIN
DELETE FROM stories WHERE id IN (OLD.story_id) AND NOT EXISTS (SELECT 1 FROM story_articles sa
    WHERE sa.story_id = stories.id);
DELETE FROM story_responses WHERE story_id IN (OLD.story_id);
INSERT INTO story_responses (story_id, company_id, org_name, company, response, first_seen, article_id,
    evidence)
SELECT story_id, company_id, org_name, company, response, published, article_id, evidence FROM (
    SELECT sa.story_id, r.company_id, r.org_name, coalesce(c.name, r.org_name) AS company, r.response,
        a.published, r.article_id, r.evidence,
        row_number() OVER (PARTITION BY sa.story_id, coalesce(r.company_id, ''), coalesce(r.org_name, ''),
            r.response ORDER BY a.published IS NULL, a.published, a.id) AS nth
    FROM story_articles sa
    JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
    JOIN article_responses r ON r.article_id = sa.article_id
    LEFT JOIN companies c ON c.id = r.company_id
    WHERE sa.story_id IN (OLD.story_id))
WHERE nth = 1;
UPDATE stories SET
    title = (SELECT a.title FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, (SELECT count(DISTINCT coalesce(ai.company_id, ai.org_name))
            FROM article_incidents ai WHERE ai.article_id = a.id) DESC,
            a.published IS NULL, a.published, a.id LIMIT 1),
    first_article_id = (SELECT a.id FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, a.published IS NULL, a.published, a.id LIMIT 1),
    first_seen = (SELECT min(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    last_seen = (SELECT max(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    articles = (SELECT count(*) FROM story_articles sa WHERE sa.story_id = stories.id),
    originals = (SELECT count(*) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL),
    outlets = (SELECT count(DISTINCT coalesce(a.source_id, '')) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    languages = (SELECT json_group_array(language) FROM (SELECT DISTINCT a.language FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        AND a.language IS NOT NULL ORDER BY 1)),
    accused = (SELECT json_group_array(name) FROM (SELECT DISTINCT coalesce(c.name, ai.org_name) AS name
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    company_ids = (SELECT json_group_array(company_id) FROM (SELECT DISTINCT ai.company_id
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL AND ai.company_id IS NOT NULL ORDER BY 1)),
    types = (SELECT json_group_array(incident_type) FROM (SELECT DISTINCT ai.incident_type
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    responses = (SELECT json_group_array(response) FROM (SELECT DISTINCT response FROM story_responses r
        WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
            WHERE l.story_id = r.story_id AND l.company IS r.company) ORDER BY 1)),
    latest_responses = (SELECT group_concat(company || ': ' || kinds, '; ') FROM (
        SELECT company, group_concat(response, ', ') AS kinds FROM (
            SELECT r.company, r.response FROM story_responses r
            WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
                WHERE l.story_id = r.story_id AND l.company IS r.company)
            ORDER BY r.company, r.response)
        GROUP BY company ORDER BY company)),
    company = (SELECT coalesce(c.name, ai.org_name) FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL
        GROUP BY coalesce(ai.company_id, ai.org_name)
        ORDER BY count(DISTINCT ai.article_id) DESC, coalesce(c.name, ai.org_name) LIMIT 1),
    type = (SELECT ai.incident_type FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL GROUP BY ai.incident_type
        ORDER BY ai.incident_type = 'enforcement', count(*) DESC, ai.incident_type LIMIT 1)
WHERE id IN (OLD.story_id);
UPDATE stories SET response = (SELECT r.response FROM story_responses r
    WHERE r.story_id = stories.id AND r.company IS stories.company
    ORDER BY r.first_seen DESC, CASE r.response WHEN 'remediation' THEN 0 WHEN 'apology' THEN 1 ELSE 2 END
    LIMIT 1)
WHERE id IN (OLD.story_id);
DELETE FROM story_companies WHERE story_id IN (OLD.story_id);
INSERT INTO story_companies (story_id, company_id, org_name, company, last_seen)
SELECT DISTINCT sa.story_id, ai.company_id, CASE WHEN ai.company_id IS NULL THEN ai.org_name END,
    coalesce(c.name, ai.org_name), st.last_seen
FROM story_articles sa
JOIN stories st ON st.id = sa.story_id
JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
JOIN article_incidents ai ON ai.article_id = sa.article_id
LEFT JOIN companies c ON c.id = ai.company_id
WHERE sa.story_id IN (OLD.story_id) AND coalesce(ai.company_id, ai.org_name) IS NOT NULL;
END;

CREATE TRIGGER story_articles_ai AFTER INSERT ON story_articles WHEN NOT EXISTS (SELECT 1 FROM stories_to_refresh) BEGIN
DELETE FROM stories WHERE id IN (NEW.story_id) AND NOT EXISTS (SELECT 1 FROM story_articles sa
    WHERE sa.story_id = stories.id);
DELETE FROM story_responses WHERE story_id IN (NEW.story_id);
INSERT INTO story_responses (story_id, company_id, org_name, company, response, first_seen, article_id,
    evidence)
SELECT story_id, company_id, org_name, company, response, published, article_id, evidence FROM (
    SELECT sa.story_id, r.company_id, r.org_name, coalesce(c.name, r.org_name) AS company, r.response,
        a.published, r.article_id, r.evidence,
        row_number() OVER (PARTITION BY sa.story_id, coalesce(r.company_id, ''), coalesce(r.org_name, ''),
            r.response ORDER BY a.published IS NULL, a.published, a.id) AS nth
    FROM story_articles sa
    JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
    JOIN article_responses r ON r.article_id = sa.article_id
    LEFT JOIN companies c ON c.id = r.company_id
    WHERE sa.story_id IN (NEW.story_id))
WHERE nth = 1;
UPDATE stories SET
    title = (SELECT a.title FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, (SELECT count(DISTINCT coalesce(ai.company_id, ai.org_name))
            FROM article_incidents ai WHERE ai.article_id = a.id) DESC,
            a.published IS NULL, a.published, a.id LIMIT 1),
    first_article_id = (SELECT a.id FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, a.published IS NULL, a.published, a.id LIMIT 1),
    first_seen = (SELECT min(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    last_seen = (SELECT max(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    articles = (SELECT count(*) FROM story_articles sa WHERE sa.story_id = stories.id),
    originals = (SELECT count(*) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL),
    outlets = (SELECT count(DISTINCT coalesce(a.source_id, '')) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    languages = (SELECT json_group_array(language) FROM (SELECT DISTINCT a.language FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        AND a.language IS NOT NULL ORDER BY 1)),
    accused = (SELECT json_group_array(name) FROM (SELECT DISTINCT coalesce(c.name, ai.org_name) AS name
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    company_ids = (SELECT json_group_array(company_id) FROM (SELECT DISTINCT ai.company_id
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL AND ai.company_id IS NOT NULL ORDER BY 1)),
    types = (SELECT json_group_array(incident_type) FROM (SELECT DISTINCT ai.incident_type
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    responses = (SELECT json_group_array(response) FROM (SELECT DISTINCT response FROM story_responses r
        WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
            WHERE l.story_id = r.story_id AND l.company IS r.company) ORDER BY 1)),
    latest_responses = (SELECT group_concat(company || ': ' || kinds, '; ') FROM (
        SELECT company, group_concat(response, ', ') AS kinds FROM (
            SELECT r.company, r.response FROM story_responses r
            WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
                WHERE l.story_id = r.story_id AND l.company IS r.company)
            ORDER BY r.company, r.response)
        GROUP BY company ORDER BY company)),
    company = (SELECT coalesce(c.name, ai.org_name) FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL
        GROUP BY coalesce(ai.company_id, ai.org_name)
        ORDER BY count(DISTINCT ai.article_id) DESC, coalesce(c.name, ai.org_name) LIMIT 1),
    type = (SELECT ai.incident_type FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL GROUP BY ai.incident_type
        ORDER BY ai.incident_type = 'enforcement', count(*) DESC, ai.incident_type LIMIT 1)
WHERE id IN (NEW.story_id);
UPDATE stories SET response = (SELECT r.response FROM story_responses r
    WHERE r.story_id = stories.id AND r.company IS stories.company
    ORDER BY r.first_seen DESC, CASE r.response WHEN 'remediation' THEN 0 WHEN 'apology' THEN 1 ELSE 2 END
    LIMIT 1)
WHERE id IN (NEW.story_id);
DELETE FROM story_companies WHERE story_id IN (NEW.story_id);
INSERT INTO story_companies (story_id, company_id, org_name, company, last_seen)
SELECT DISTINCT sa.story_id, ai.company_id, CASE WHEN ai.company_id IS NULL THEN ai.org_name END,
    coalesce(c.name, ai.org_name), st.last_seen
FROM story_articles sa
JOIN stories st ON st.id = sa.story_id
JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
JOIN article_incidents ai ON ai.article_id = sa.article_id
LEFT JOIN companies c ON c.id = ai.company_id
WHERE sa.story_id IN (NEW.story_id) AND coalesce(ai.company_id, ai.org_name) IS NOT NULL;
END;

CREATE TRIGGER story_articles_au AFTER UPDATE ON story_articles WHEN NOT EXISTS (SELECT 1 FROM stories_to_refresh) BEGIN
DELETE FROM stories WHERE id IN (OLD.story_id, NEW.story_id) AND NOT EXISTS (SELECT 1 FROM story_articles sa
    WHERE sa.story_id = stories.id);
DELETE FROM story_responses WHERE story_id IN (OLD.story_id, NEW.story_id);
INSERT INTO story_responses (story_id, company_id, org_name, company, response, first_seen, article_id,
    evidence)
SELECT story_id, company_id, org_name, company, response, published, article_id, evidence FROM (
    SELECT sa.story_id, r.company_id, r.org_name, coalesce(c.name, r.org_name) AS company, r.response,
        a.published, r.article_id, r.evidence,
        row_number() OVER (PARTITION BY sa.story_id, coalesce(r.company_id, ''), coalesce(r.org_name, ''),
            r.response ORDER BY a.published IS NULL, a.published, a.id) AS nth
    FROM story_articles sa
    JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
    JOIN article_responses r ON r.article_id = sa.article_id
    LEFT JOIN companies c ON c.id = r.company_id
    WHERE sa.story_id IN (OLD.story_id, NEW.story_id))
WHERE nth = 1;
UPDATE stories SET
    title = (SELECT a.title FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, (SELECT count(DISTINCT coalesce(ai.company_id, ai.org_name))
            FROM article_incidents ai WHERE ai.article_id = a.id) DESC,
            a.published IS NULL, a.published, a.id LIMIT 1),
    first_article_id = (SELECT a.id FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, a.published IS NULL, a.published, a.id LIMIT 1),
    first_seen = (SELECT min(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    last_seen = (SELECT max(a.published) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    articles = (SELECT count(*) FROM story_articles sa WHERE sa.story_id = stories.id),
    originals = (SELECT count(*) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL),
    outlets = (SELECT count(DISTINCT coalesce(a.source_id, '')) FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    languages = (SELECT json_group_array(language) FROM (SELECT DISTINCT a.language FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id
        AND a.language IS NOT NULL ORDER BY 1)),
    accused = (SELECT json_group_array(name) FROM (SELECT DISTINCT coalesce(c.name, ai.org_name) AS name
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    company_ids = (SELECT json_group_array(company_id) FROM (SELECT DISTINCT ai.company_id
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL AND ai.company_id IS NOT NULL ORDER BY 1)),
    types = (SELECT json_group_array(incident_type) FROM (SELECT DISTINCT ai.incident_type
        FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1)),
    responses = (SELECT json_group_array(response) FROM (SELECT DISTINCT response FROM story_responses r
        WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
            WHERE l.story_id = r.story_id AND l.company IS r.company) ORDER BY 1)),
    latest_responses = (SELECT group_concat(company || ': ' || kinds, '; ') FROM (
        SELECT company, group_concat(response, ', ') AS kinds FROM (
            SELECT r.company, r.response FROM story_responses r
            WHERE r.story_id = stories.id AND r.first_seen IS (SELECT max(l.first_seen) FROM story_responses l
                WHERE l.story_id = r.story_id AND l.company IS r.company)
            ORDER BY r.company, r.response)
        GROUP BY company ORDER BY company)),
    company = (SELECT coalesce(c.name, ai.org_name) FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL
        GROUP BY coalesce(ai.company_id, ai.org_name)
        ORDER BY count(DISTINCT ai.article_id) DESC, coalesce(c.name, ai.org_name) LIMIT 1),
    type = (SELECT ai.incident_type FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL GROUP BY ai.incident_type
        ORDER BY ai.incident_type = 'enforcement', count(*) DESC, ai.incident_type LIMIT 1)
WHERE id IN (OLD.story_id, NEW.story_id);
UPDATE stories SET response = (SELECT r.response FROM story_responses r
    WHERE r.story_id = stories.id AND r.company IS stories.company
    ORDER BY r.first_seen DESC, CASE r.response WHEN 'remediation' THEN 0 WHEN 'apology' THEN 1 ELSE 2 END
    LIMIT 1)
WHERE id IN (OLD.story_id, NEW.story_id);
DELETE FROM story_companies WHERE story_id IN (OLD.story_id, NEW.story_id);
INSERT INTO story_companies (story_id, company_id, org_name, company, last_seen)
SELECT DISTINCT sa.story_id, ai.company_id, CASE WHEN ai.company_id IS NULL THEN ai.org_name END,
    coalesce(c.name, ai.org_name), st.last_seen
FROM story_articles sa
JOIN stories st ON st.id = sa.story_id
JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
JOIN article_incidents ai ON ai.article_id = sa.article_id
LEFT JOIN companies c ON c.id = ai.company_id
WHERE sa.story_id IN (OLD.story_id, NEW.story_id) AND coalesce(ai.company_id, ai.org_name) IS NOT NULL;
END;

CREATE TRIGGER unlinked_orgs_ad_materialized AFTER DELETE ON unlinked_orgs WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = OLD.article_id;
    DELETE FROM incidents_materialized WHERE article_id = OLD.article_id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND ai.article_id = OLD.article_id;
    DELETE FROM company_timeline_materialized WHERE article_id = OLD.article_id;
    INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND m.article_id = OLD.article_id;
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = OLD.article_id;
    DELETE FROM weekly_counts_materialized WHERE week IN (SELECT week FROM weekly_counts_dirty);
    INSERT INTO weekly_counts_materialized (week, incident_type, articles, companies, incidents)
SELECT week, incident_type, count(DISTINCT article_id), count(DISTINCT company_id), count(*)
FROM incidents_materialized
WHERE week IS NOT NULL AND week IN (SELECT week FROM weekly_counts_dirty)
GROUP BY week, incident_type;
    DELETE FROM weekly_counts_dirty;
END;

CREATE TRIGGER unlinked_orgs_ai_materialized AFTER INSERT ON unlinked_orgs WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = NEW.article_id;
    DELETE FROM incidents_materialized WHERE article_id = NEW.article_id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND ai.article_id = NEW.article_id;
    DELETE FROM company_timeline_materialized WHERE article_id = NEW.article_id;
    INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND m.article_id = NEW.article_id;
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = NEW.article_id;
    DELETE FROM weekly_counts_materialized WHERE week IN (SELECT week FROM weekly_counts_dirty);
    INSERT INTO weekly_counts_materialized (week, incident_type, articles, companies, incidents)
SELECT week, incident_type, count(DISTINCT article_id), count(DISTINCT company_id), count(*)
FROM incidents_materialized
WHERE week IS NOT NULL AND week IN (SELECT week FROM weekly_counts_dirty)
GROUP BY week, incident_type;
    DELETE FROM weekly_counts_dirty;
END;

CREATE TRIGGER unlinked_orgs_au_materialized AFTER UPDATE ON unlinked_orgs WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) OR NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    DELETE FROM incidents_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd, ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND ai.article_id IN (OLD.article_id, NEW.article_id);
    DELETE FROM company_timeline_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND m.article_id IN (OLD.article_id, NEW.article_id);
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    DELETE FROM weekly_counts_materialized WHERE week IN (SELECT week FROM weekly_counts_dirty);
    INSERT INTO weekly_counts_materialized (week, incident_type, articles, companies, incidents)
SELECT week, incident_type, count(DISTINCT article_id), count(DISTINCT company_id), count(*)
FROM incidents_materialized
WHERE week IS NOT NULL AND week IN (SELECT week FROM weekly_counts_dirty)
GROUP BY week, incident_type;
    DELETE FROM weekly_counts_dirty;
END;

CREATE VIEW company_timeline AS
SELECT company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id
FROM company_timeline_materialized;

CREATE VIEW incidents AS
SELECT published, company, incident_type, response, evidence, title, url, source, score, article_id,
    company_id, source_id, week, language, fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text
FROM incidents_materialized;

CREATE VIEW watchlist_incidents AS
SELECT w.id AS watchlist_id, w.name AS watchlist, i.published, i.company, i.incident_type, i.response,
    i.evidence, i.title, i.url, i.source, i.score, i.article_id, i.company_id, i.source_id, i.language
FROM watchlists w
JOIN incidents_materialized i
WHERE w.active = 1
  AND (w.companies = '[]' OR i.company_id IN (SELECT value FROM json_each(w.companies)))
  AND (w.types = '[]' OR i.incident_type IN (SELECT value FROM json_each(w.types)))
  AND (w.term_patterns = '[]' OR EXISTS (
      SELECT 1 FROM articles a JOIN json_each(w.term_patterns) t
      WHERE a.id = i.article_id
        AND ' ' || lower(coalesce(a.title, '') || ' ' || coalesce(a.body, '')) || ' ' GLOB t.value));

CREATE VIEW weekly_counts AS
SELECT week, incident_type, articles, companies, incidents
FROM weekly_counts_materialized;
