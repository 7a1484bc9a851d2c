# ruff: noqa: E501
"""0005: the analyst views read from indexed tables that triggers keep current.

At a million articles the 0003 views are joins that every facet, count and chart re-runs over all tagged
articles (seconds per page). The tables below hold the same rows, rewritten per article whenever its tags,
the article or a company's or source's name change, with an index per facet and sort. The views keep
their names and columns (incidents gains `week`); weekly_counts leaves out dates SQLite cannot parse
(0003 grouped them under an empty week; stored dates are ISO 8601).
Each filter column's index (company, company_id, type, source, response) carries the other facet columns:
a filtered page counts and facets from that index alone, even for a company with 30,000 incidents.
"""

STATEMENTS = (
    """CREATE TABLE incidents_materialized (
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
)""",
    "CREATE INDEX idx_incidents_materialized_article ON incidents_materialized(article_id)",
    "CREATE INDEX idx_incidents_materialized_published ON incidents_materialized(published)",
    """CREATE INDEX idx_incidents_materialized_company
    ON incidents_materialized(company, published, incident_type, source, response, company_id)""",
    """CREATE INDEX idx_incidents_materialized_company_id
    ON incidents_materialized(company_id, published, incident_type, source, response, company)""",
    """CREATE INDEX idx_incidents_materialized_type
    ON incidents_materialized(incident_type, published, company, source, response)""",
    """CREATE INDEX idx_incidents_materialized_source
    ON incidents_materialized(source, published, company, incident_type, response)""",
    """CREATE INDEX idx_incidents_materialized_response
    ON incidents_materialized(response, published, company, incident_type, source)""",
    """CREATE INDEX idx_incidents_materialized_week
    ON incidents_materialized(week, incident_type, article_id, company_id)""",
    """CREATE TABLE company_timeline_materialized (
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
)""",
    "CREATE INDEX idx_company_timeline_materialized_article ON company_timeline_materialized(article_id)",
    "CREATE INDEX idx_company_timeline_materialized_published ON company_timeline_materialized(published)",
    """CREATE INDEX idx_company_timeline_materialized_company
    ON company_timeline_materialized(company_id, published)""",
    """CREATE TABLE weekly_counts_materialized (
    week TEXT NOT NULL,
    incident_type TEXT NOT NULL,
    articles INTEGER NOT NULL,
    companies INTEGER NOT NULL,
    incidents INTEGER NOT NULL,
    PRIMARY KEY (week, incident_type)
)""",
    """CREATE TABLE weekly_counts_dirty (
    week TEXT
)""",
    "CREATE INDEX idx_unlinked_orgs_review ON unlinked_orgs(name, article_id, count)",
    "DROP VIEW incidents",
    """CREATE VIEW incidents AS
SELECT published, company, incident_type, response, evidence, title, url, source, score, article_id,
    company_id, source_id, week
FROM incidents_materialized""",
    "DROP VIEW company_timeline",
    """CREATE VIEW company_timeline AS
SELECT company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id
FROM company_timeline_materialized""",
    "DROP VIEW weekly_counts",
    """CREATE VIEW weekly_counts AS
SELECT week, incident_type, articles, companies, incidents
FROM weekly_counts_materialized
""",
    "DELETE FROM incidents_materialized",
    """INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), c.name, ai.incident_type,
    m.response, ai.evidence, a.title, a.url, s.name, ai.score, ai.article_id, ai.company_id, a.source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
WHERE a.duplicate_of IS NULL AND 1""",
    "DELETE FROM company_timeline_materialized",
    """INSERT INTO company_timeline_materialized (company_id, company, published, role, response, incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND 1""",
    "DELETE FROM weekly_counts_materialized",
    """INSERT INTO weekly_counts_materialized (week, incident_type, articles, companies, incidents)
SELECT week, incident_type, count(DISTINCT article_id), count(DISTINCT company_id), count(*)
FROM incidents_materialized
WHERE week IS NOT NULL AND 1
GROUP BY week, incident_type
""",
    """CREATE TRIGGER article_incidents_ai_materialized AFTER INSERT ON article_incidents BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = NEW.article_id;
    DELETE FROM incidents_materialized WHERE article_id = NEW.article_id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), c.name, ai.incident_type,
    m.response, ai.evidence, a.title, a.url, s.name, ai.score, ai.article_id, ai.company_id, a.source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
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
END""",
    """CREATE TRIGGER article_incidents_ad_materialized AFTER DELETE ON article_incidents BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = OLD.article_id;
    DELETE FROM incidents_materialized WHERE article_id = OLD.article_id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), c.name, ai.incident_type,
    m.response, ai.evidence, a.title, a.url, s.name, ai.score, ai.article_id, ai.company_id, a.source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
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
END""",
    """CREATE TRIGGER article_incidents_au_materialized AFTER UPDATE ON article_incidents BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    DELETE FROM incidents_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), c.name, ai.incident_type,
    m.response, ai.evidence, a.title, a.url, s.name, ai.score, ai.article_id, ai.company_id, a.source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
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
END""",
    """CREATE TRIGGER mentions_ai_materialized AFTER INSERT ON mentions BEGIN
    DELETE FROM incidents_materialized WHERE article_id = NEW.article_id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), c.name, ai.incident_type,
    m.response, ai.evidence, a.title, a.url, s.name, ai.score, ai.article_id, ai.company_id, a.source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
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
END""",
    """CREATE TRIGGER mentions_ad_materialized AFTER DELETE ON mentions BEGIN
    DELETE FROM incidents_materialized WHERE article_id = OLD.article_id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), c.name, ai.incident_type,
    m.response, ai.evidence, a.title, a.url, s.name, ai.score, ai.article_id, ai.company_id, a.source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
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
END""",
    """CREATE TRIGGER mentions_au_materialized AFTER UPDATE ON mentions BEGIN
    DELETE FROM incidents_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), c.name, ai.incident_type,
    m.response, ai.evidence, a.title, a.url, s.name, ai.score, ai.article_id, ai.company_id, a.source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
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
END""",
    """CREATE TRIGGER articles_au_materialized AFTER UPDATE OF id, published, title, url, source_id, duplicate_of ON articles WHEN OLD.id IS NOT NEW.id OR OLD.published IS NOT NEW.published OR OLD.title IS NOT NEW.title OR OLD.url IS NOT NEW.url OR OLD.source_id IS NOT NEW.source_id OR OLD.duplicate_of IS NOT NEW.duplicate_of BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id IN (OLD.id, NEW.id);
    DELETE FROM incidents_materialized WHERE article_id IN (OLD.id, NEW.id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), c.name, ai.incident_type,
    m.response, ai.evidence, a.title, a.url, s.name, ai.score, ai.article_id, ai.company_id, a.source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
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
END""",
    """CREATE TRIGGER articles_ad_materialized AFTER DELETE ON articles BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = OLD.id;
    DELETE FROM incidents_materialized WHERE article_id = OLD.id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), c.name, ai.incident_type,
    m.response, ai.evidence, a.title, a.url, s.name, ai.score, ai.article_id, ai.company_id, a.source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
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
END""",
    """CREATE TRIGGER companies_ai_materialized AFTER INSERT ON companies BEGIN
    DELETE FROM incidents_materialized WHERE article_id IN (SELECT article_id FROM mentions WHERE company_id = NEW.id UNION SELECT article_id FROM article_incidents WHERE company_id = NEW.id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), c.name, ai.incident_type,
    m.response, ai.evidence, a.title, a.url, s.name, ai.score, ai.article_id, ai.company_id, a.source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
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
END""",
    """CREATE TRIGGER companies_au_materialized AFTER UPDATE OF id, name ON companies WHEN OLD.id IS NOT NEW.id OR OLD.name IS NOT NEW.name BEGIN
    DELETE FROM incidents_materialized WHERE article_id IN (SELECT article_id FROM mentions WHERE company_id = OLD.id UNION SELECT article_id FROM article_incidents WHERE company_id = OLD.id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), c.name, ai.incident_type,
    m.response, ai.evidence, a.title, a.url, s.name, ai.score, ai.article_id, ai.company_id, a.source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
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
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), c.name, ai.incident_type,
    m.response, ai.evidence, a.title, a.url, s.name, ai.score, ai.article_id, ai.company_id, a.source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
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
END""",
    """CREATE TRIGGER companies_ad_materialized AFTER DELETE ON companies BEGIN
    DELETE FROM incidents_materialized WHERE article_id IN (SELECT article_id FROM mentions WHERE company_id = OLD.id UNION SELECT article_id FROM article_incidents WHERE company_id = OLD.id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), c.name, ai.incident_type,
    m.response, ai.evidence, a.title, a.url, s.name, ai.score, ai.article_id, ai.company_id, a.source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
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
END""",
    """CREATE TRIGGER sources_ai_materialized AFTER INSERT ON sources BEGIN
    UPDATE incidents_materialized SET source = (SELECT name FROM sources WHERE id = source_id) WHERE source_id IN (NEW.id);
END""",
    """CREATE TRIGGER sources_au_materialized AFTER UPDATE OF id, name ON sources WHEN OLD.id IS NOT NEW.id OR OLD.name IS NOT NEW.name BEGIN
    UPDATE incidents_materialized SET source = (SELECT name FROM sources WHERE id = source_id) WHERE source_id IN (OLD.id, NEW.id);
END""",
    """CREATE TRIGGER sources_ad_materialized AFTER DELETE ON sources BEGIN
    UPDATE incidents_materialized SET source = (SELECT name FROM sources WHERE id = source_id) WHERE source_id IN (OLD.id);
END""",
)
