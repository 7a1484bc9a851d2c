"""The materialized analyst views and the stories at run time: the refills a bulk load ends with and the
batched story refresh.

Triggers keep both current row by row (the migrations in storage/migrations/ create them); the statements
here produce the same rows for every article or story at once, as the newest migration defines them
(0017 for the materialized rows, 0010 for the stories). A migration that changes those definitions changes
them here too.
"""

from __future__ import annotations

from sqlite_utils import Database

REFILL_MATERIALIZED_VIEWS = (
    "DELETE FROM incidents_materialized",
    """INSERT INTO incidents_materialized (published, week, company, incident_type, response, evidence, title,
    url, source, score, article_id, company_id, source_id, language, fine_amount, fine_currency, fine_usd,
    fine_text, affected, affected_text)
SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id, a.language, ai.fine_amount, ai.fine_currency, ai.fine_usd,
    ai.fine_text, ai.affected, ai.affected_text
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL""",
    "DELETE FROM company_timeline_materialized",
    # the unary + keeps SQLite off the company index for the incident types: a big company has tens of
    # thousands of incident rows, an article a handful
    """INSERT INTO company_timeline_materialized (company_id, company, published, role, response,
    incident_types, evidence, title, url, source_id, article_id)
SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL""",
    "DELETE FROM weekly_counts_materialized",
    """INSERT INTO weekly_counts_materialized (week, incident_type, articles, companies, incidents)
SELECT week, incident_type, count(DISTINCT article_id), count(DISTINCT company_id), count(*)
FROM incidents_materialized
WHERE week IS NOT NULL
GROUP BY week, incident_type""",
)


def refill_materialized_views(db: Database) -> None:
    """Rewrite the materialized tables from the stored tables: the last step of a bulk load that dropped the
    triggers for speed (benchmarks/datasette.py)."""
    for statement in REFILL_MATERIALIZED_VIEWS:
        db.execute(statement)


def refill_stories(db: Database) -> None:
    """Rewrite every story's derived columns and responses: the last step of a bulk load that dropped the
    triggers for speed (benchmarks/datasette.py)."""
    _run(db, _refresh_stories("SELECT id FROM stories"))


def refresh_listed_stories(db: Database) -> None:
    """Rewrite the stories listed in stories_to_refresh, once each, and empty the list: the end of a batch
    of story_articles writes (each row's trigger would rewrite its whole story again: minutes for a
    story of thousands of articles)."""
    _run(db, _refresh_stories("SELECT story_id FROM stories_to_refresh"))
    db.execute("DELETE FROM stories_to_refresh")


def _run(db: Database, statements: str) -> None:
    # executescript() would commit the caller's transaction half way; run statement by statement
    for statement in statements.split(";\n"):
        if statement.strip():
            db.execute(statement)


def _refresh_stories(story_ids: str) -> str:
    """Statements that rewrite the derived columns and responses of the stories whose ids `story_ids` (a
    SQL list or subquery) gives, and delete those of them left without articles."""
    members = "story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id"
    # accused: the members' incident rows with a company or an unknown organisation; copies (duplicate_of)
    # count as articles and outlets, while title and tags come from originals (a copy has the same tags)
    accused = (
        "story_articles sa JOIN articles a ON a.id = sa.article_id "
        "JOIN article_incidents ai ON ai.article_id = sa.article_id "
        "LEFT JOIN companies c ON c.id = ai.company_id "
        "WHERE sa.story_id = stories.id AND a.duplicate_of IS NULL "
        "AND coalesce(ai.company_id, ai.org_name) IS NOT NULL"
    )
    return f"""
DELETE FROM stories WHERE id IN ({story_ids}) AND NOT EXISTS (SELECT 1 FROM story_articles sa
    WHERE sa.story_id = stories.id);
DELETE FROM story_responses WHERE story_id IN ({story_ids});
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
    WHERE sa.story_id IN ({story_ids}))
WHERE nth = 1;
UPDATE stories SET
    title = (SELECT a.title FROM {members}
        ORDER BY a.duplicate_of IS NOT NULL, (SELECT count(DISTINCT coalesce(ai.company_id, ai.org_name))
            FROM article_incidents ai WHERE ai.article_id = a.id) DESC,
            a.published IS NULL, a.published, a.id LIMIT 1),
    first_article_id = (SELECT a.id FROM {members}
        ORDER BY a.duplicate_of IS NOT NULL, a.published IS NULL, a.published, a.id LIMIT 1),
    first_seen = (SELECT min(a.published) FROM {members}),
    last_seen = (SELECT max(a.published) FROM {members}),
    articles = (SELECT count(*) FROM story_articles sa WHERE sa.story_id = stories.id),
    originals = (SELECT count(*) FROM {members} AND a.duplicate_of IS NULL),
    outlets = (SELECT count(DISTINCT coalesce(a.source_id, '')) FROM {members}),
    languages = (SELECT json_group_array(language) FROM (SELECT DISTINCT a.language FROM {members}
        AND a.language IS NOT NULL ORDER BY 1)),
    accused = (SELECT json_group_array(name) FROM (SELECT DISTINCT coalesce(c.name, ai.org_name) AS name
        FROM {accused} ORDER BY 1)),
    company_ids = (SELECT json_group_array(company_id) FROM (SELECT DISTINCT ai.company_id
        FROM {accused} AND ai.company_id IS NOT NULL ORDER BY 1)),
    types = (SELECT json_group_array(incident_type) FROM (SELECT DISTINCT ai.incident_type
        FROM {accused} ORDER BY 1)),
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
    company = (SELECT coalesce(c.name, ai.org_name) FROM {accused}
        GROUP BY coalesce(ai.company_id, ai.org_name)
        ORDER BY count(DISTINCT ai.article_id) DESC, coalesce(c.name, ai.org_name) LIMIT 1),
    type = (SELECT ai.incident_type FROM {accused} GROUP BY ai.incident_type
        ORDER BY ai.incident_type = 'enforcement', count(*) DESC, ai.incident_type LIMIT 1)
WHERE id IN ({story_ids});
UPDATE stories SET response = (SELECT r.response FROM story_responses r
    WHERE r.story_id = stories.id AND r.company IS stories.company
    ORDER BY r.first_seen DESC, CASE r.response WHEN 'remediation' THEN 0 WHEN 'apology' THEN 1 ELSE 2 END
    LIMIT 1)
WHERE id IN ({story_ids});
DELETE FROM story_companies WHERE story_id IN ({story_ids});
INSERT INTO story_companies (story_id, company_id, org_name, company, last_seen)
SELECT DISTINCT sa.story_id, ai.company_id, CASE WHEN ai.company_id IS NULL THEN ai.org_name END,
    coalesce(c.name, ai.org_name), st.last_seen
FROM story_articles sa
JOIN stories st ON st.id = sa.story_id
JOIN articles a ON a.id = sa.article_id AND a.duplicate_of IS NULL
JOIN article_incidents ai ON ai.article_id = sa.article_id
LEFT JOIN companies c ON c.id = ai.company_id
WHERE sa.story_id IN ({story_ids}) AND coalesce(ai.company_id, ai.org_name) IS NOT NULL;"""
