# ruff: noqa: E501
"""0006: re-tagging an article refreshes its materialized rows once.

Under 0005 every mention or incident row deleted or inserted re-ran its article's refresh, each incident
row with a recount of the article's weeks: a re-tag cost 6.5 ms per article at 10,000 articles in four
weeks, growing with the size of a week. storage.replace_tags_many now lists the article in
tags_being_replaced while it swaps the rows (the row triggers skip listed articles), then its setting of
tagged_at refreshes the article once. Writers that do not list the article (raw SQL) still get the
per-row refresh.
"""

STATEMENTS = (
    "CREATE TABLE tags_being_replaced (article_id INTEGER PRIMARY KEY)",
    "DROP TRIGGER article_incidents_ai_materialized",
    """CREATE TRIGGER article_incidents_ai_materialized AFTER INSERT ON article_incidents WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
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
    "DROP TRIGGER article_incidents_ad_materialized",
    """CREATE TRIGGER article_incidents_ad_materialized AFTER DELETE ON article_incidents WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) BEGIN
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
    "DROP TRIGGER article_incidents_au_materialized",
    """CREATE TRIGGER article_incidents_au_materialized AFTER UPDATE ON article_incidents WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) OR NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
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
    "DROP TRIGGER mentions_ai_materialized",
    """CREATE TRIGGER mentions_ai_materialized AFTER INSERT ON mentions WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
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
    "DROP TRIGGER mentions_ad_materialized",
    """CREATE TRIGGER mentions_ad_materialized AFTER DELETE ON mentions WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) BEGIN
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
    "DROP TRIGGER mentions_au_materialized",
    """CREATE TRIGGER mentions_au_materialized AFTER UPDATE ON mentions WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) OR NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
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
    """CREATE TRIGGER articles_tagged_materialized AFTER UPDATE OF tagged_at ON articles WHEN NEW.tagged_at IS NOT NULL BEGIN
    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE article_id = NEW.id;
    DELETE FROM incidents_materialized WHERE article_id = NEW.id;
    INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title, url, source, score, article_id, company_id, source_id)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), c.name, ai.incident_type,
    m.response, ai.evidence, a.title, a.url, s.name, ai.score, ai.article_id, ai.company_id, a.source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
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
)
