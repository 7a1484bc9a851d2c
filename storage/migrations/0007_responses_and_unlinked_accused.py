# ruff: noqa: E501
"""0007: responses as a set, unknown organisations as accused, the detected language.

The tagger now reports every response of an accused company (apology and remediation), each with its
evidence sentence, and may accuse an organisation the knowledge base lacks. article_responses holds the
set (mentions.response stays the strongest, for the views); an unknown accused organisation carries its
incidents by name (article_incidents.org_name) and its role and main response in unlinked_orgs. The
incidents rows show such an organisation under its name, so the materialized rows' triggers are
re-created with that definition, and unlinked_orgs gets triggers like mentions'.
"""

STATEMENTS = (
    "ALTER TABLE article_incidents ADD COLUMN org_name TEXT",
    "DROP INDEX idx_article_incidents_key",
    """CREATE UNIQUE INDEX idx_article_incidents_key
    ON article_incidents(article_id, incident_type, coalesce(company_id, ''), coalesce(org_name, ''))""",
    """ALTER TABLE unlinked_orgs ADD COLUMN role TEXT NOT NULL DEFAULT 'mentioned'
    CHECK (role IN ('accused', 'mentioned'))""",
    """ALTER TABLE unlinked_orgs ADD COLUMN response TEXT
    CHECK (response IN ('apology', 'denial', 'remediation', 'none'))""",
    """CREATE TABLE article_responses (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    company_id TEXT REFERENCES companies(id) ON DELETE CASCADE,
    org_name TEXT,
    response TEXT NOT NULL CHECK (response IN ('apology', 'denial', 'remediation')),
    evidence TEXT,
    CHECK ((company_id IS NULL) <> (org_name IS NULL))
)""",
    """CREATE UNIQUE INDEX idx_article_responses_key
    ON article_responses(article_id, coalesce(company_id, ''), coalesce(org_name, ''), response)""",
    "CREATE INDEX idx_article_responses_company ON article_responses(company_id, response)",
    "DROP TRIGGER article_incidents_ai_materialized",
    "DROP TRIGGER article_incidents_ad_materialized",
    "DROP TRIGGER article_incidents_au_materialized",
    "DROP TRIGGER mentions_ai_materialized",
    "DROP TRIGGER mentions_ad_materialized",
    "DROP TRIGGER mentions_au_materialized",
    "DROP TRIGGER articles_au_materialized",
    "DROP TRIGGER articles_ad_materialized",
    "DROP TRIGGER companies_ai_materialized",
    "DROP TRIGGER companies_au_materialized",
    "DROP TRIGGER companies_ad_materialized",
    "DROP TRIGGER articles_tagged_materialized",
    """CREATE TRIGGER article_incidents_ai_materialized AFTER INSERT ON article_incidents WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = NEW.article_id;
    DELETE FROM incidents_materialized WHERE article_id = NEW.article_id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
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
END""",
    """CREATE TRIGGER article_incidents_ad_materialized AFTER DELETE ON article_incidents WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = OLD.article_id;
    DELETE FROM incidents_materialized WHERE article_id = OLD.article_id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
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
END""",
    """CREATE TRIGGER article_incidents_au_materialized AFTER UPDATE ON article_incidents WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) OR NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    DELETE FROM incidents_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
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
END""",
    """CREATE TRIGGER mentions_ai_materialized AFTER INSERT ON mentions WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
    DELETE FROM incidents_materialized WHERE article_id = NEW.article_id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
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
END""",
    """CREATE TRIGGER mentions_ad_materialized AFTER DELETE ON mentions WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) BEGIN
    DELETE FROM incidents_materialized WHERE article_id = OLD.article_id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
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
END""",
    """CREATE TRIGGER mentions_au_materialized AFTER UPDATE ON mentions WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) OR NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
    DELETE FROM incidents_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
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
END""",
    """CREATE TRIGGER unlinked_orgs_ai_materialized AFTER INSERT ON unlinked_orgs WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = NEW.article_id;
    DELETE FROM incidents_materialized WHERE article_id = NEW.article_id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
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
END""",
    """CREATE TRIGGER unlinked_orgs_ad_materialized AFTER DELETE ON unlinked_orgs WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = OLD.article_id;
    DELETE FROM incidents_materialized WHERE article_id = OLD.article_id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
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
END""",
    """CREATE TRIGGER unlinked_orgs_au_materialized AFTER UPDATE ON unlinked_orgs WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) OR NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    DELETE FROM incidents_materialized WHERE article_id IN (OLD.article_id, NEW.article_id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
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
END""",
    """CREATE TRIGGER articles_au_materialized AFTER UPDATE OF id, published, title, url, source_id, duplicate_of ON articles WHEN OLD.id IS NOT NEW.id OR OLD.published IS NOT NEW.published OR OLD.title IS NOT NEW.title OR OLD.url IS NOT NEW.url OR OLD.source_id IS NOT NEW.source_id OR OLD.duplicate_of IS NOT NEW.duplicate_of BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id IN (OLD.id, NEW.id);
    DELETE FROM incidents_materialized WHERE article_id IN (OLD.id, NEW.id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
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
END""",
    """CREATE TRIGGER articles_ad_materialized AFTER DELETE ON articles BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = OLD.id;
    DELETE FROM incidents_materialized WHERE article_id = OLD.id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
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
END""",
    """CREATE TRIGGER companies_ai_materialized AFTER INSERT ON companies BEGIN
    DELETE FROM incidents_materialized WHERE article_id IN (SELECT article_id FROM mentions WHERE company_id = NEW.id UNION SELECT article_id FROM article_incidents WHERE company_id = NEW.id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
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
END""",
    """CREATE TRIGGER companies_au_materialized AFTER UPDATE OF id, name ON companies WHEN OLD.id IS NOT NEW.id OR OLD.name IS NOT NEW.name BEGIN
    DELETE FROM incidents_materialized WHERE article_id IN (SELECT article_id FROM mentions WHERE company_id = OLD.id UNION SELECT article_id FROM article_incidents WHERE company_id = OLD.id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
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
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
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
END""",
    """CREATE TRIGGER companies_ad_materialized AFTER DELETE ON companies BEGIN
    DELETE FROM incidents_materialized WHERE article_id IN (SELECT article_id FROM mentions WHERE company_id = OLD.id UNION SELECT article_id FROM article_incidents WHERE company_id = OLD.id);
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
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
END""",
    """CREATE TRIGGER articles_tagged_materialized AFTER UPDATE OF tagged_at ON articles WHEN NEW.tagged_at IS NOT NULL BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = NEW.id;
    DELETE FROM incidents_materialized WHERE article_id = NEW.id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
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
END""",
    "DELETE FROM incidents_materialized",
    """INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
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
)
