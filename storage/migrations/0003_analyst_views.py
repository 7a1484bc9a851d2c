"""0003: the analyst views.

incidents, company_timeline and weekly_counts as joins over the tag tables (0005 materializes them).
"""

STATEMENTS = (
    """CREATE VIEW incidents AS
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
WHERE a.duplicate_of IS NULL""",
    """CREATE VIEW company_timeline AS
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
WHERE a.duplicate_of IS NULL""",
    """CREATE VIEW weekly_counts AS
SELECT
    date(a.published, 'weekday 0', '-6 days') AS week,
    ai.incident_type AS incident_type,
    count(DISTINCT ai.article_id) AS articles,
    count(DISTINCT ai.company_id) AS companies,
    count(*) AS incidents
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
WHERE a.duplicate_of IS NULL AND a.published IS NOT NULL
GROUP BY week, ai.incident_type
""",
)
