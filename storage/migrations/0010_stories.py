# ruff: noqa: E501
"""0010: stories.

A story is one controversy of one accused company (or set) followed across articles, outlets and days.
Its title is the headline of the earliest article that names the most of its accused companies (the
first report that tells the whole story); first_article_id is its first report.
Which article belongs to which story is decided by nlp/stories.py and written to story_articles; the
story's row (title, dates, counts, accused, types, responses) and its story_responses (each response of
each accused company, with the article it first appeared in) are derived from the members' articles and
tags by the statements below, which triggers run whenever a member, its article or its tags change, so
they stay right under re-tags, edits, deletes and raw SQL. A story left without articles is deleted.
story_companies (story x accused company, with the story's last_seen) finds a company's latest stories
through an index. The stories page facets on one value per story, read from an index each (company: the
one most of its articles accuse; type: the most frequent, the event's over a follow-up's enforcement;
response: that company's latest): Datasette's array facets over the JSON lists deduplicate whole rows
and took 350 ms at a million articles. The lists stay, for display and `accused__arraycontains`.
"""

STATEMENTS = (
    """CREATE TABLE stories (
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
)""",
    "CREATE INDEX idx_stories_last_seen ON stories(last_seen)",
    "CREATE INDEX idx_stories_first_seen ON stories(first_seen)",
    """CREATE TABLE story_articles (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    score REAL
)""",
    "CREATE INDEX idx_story_articles_story ON story_articles(story_id)",
    "CREATE TABLE stories_to_refresh (story_id INTEGER PRIMARY KEY)",
    """CREATE TABLE story_responses (
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    company_id TEXT,
    org_name TEXT,
    company TEXT,
    response TEXT NOT NULL,
    first_seen TEXT,
    article_id INTEGER,
    evidence TEXT
)""",
    "CREATE INDEX idx_story_responses_story ON story_responses(story_id, company, first_seen)",
    """CREATE TABLE story_companies (
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    company_id TEXT,
    org_name TEXT,
    company TEXT,
    last_seen TEXT
)""",
    "CREATE INDEX idx_story_companies_story ON story_companies(story_id)",
    "CREATE INDEX idx_story_companies_company ON story_companies(company_id, last_seen)",
    "CREATE INDEX idx_stories_company ON stories(company, last_seen)",
    "CREATE INDEX idx_stories_type ON stories(type, last_seen)",
    """CREATE INDEX idx_stories_response ON stories(response, last_seen)
""",
    """CREATE TRIGGER story_articles_ai AFTER INSERT ON story_articles WHEN NOT EXISTS (SELECT 1 FROM stories_to_refresh) BEGIN
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
END""",
    """CREATE TRIGGER story_articles_ad AFTER DELETE ON story_articles WHEN NOT EXISTS (SELECT 1 FROM stories_to_refresh) BEGIN
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
END""",
    """CREATE TRIGGER story_articles_au AFTER UPDATE ON story_articles WHEN NOT EXISTS (SELECT 1 FROM stories_to_refresh) BEGIN
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
END""",
    """CREATE TRIGGER articles_au_stories AFTER UPDATE OF title, published, source_id, language, duplicate_of, tagged_at ON articles BEGIN
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
END""",
    """CREATE TRIGGER companies_au_stories AFTER UPDATE OF name ON companies BEGIN
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
END""",
    """CREATE TRIGGER article_incidents_ai_stories AFTER INSERT ON article_incidents WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
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
END""",
    """CREATE TRIGGER article_incidents_ad_stories AFTER DELETE ON article_incidents WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) BEGIN
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
END""",
    """CREATE TRIGGER article_incidents_au_stories AFTER UPDATE ON article_incidents WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) OR NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
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
END""",
    """CREATE TRIGGER article_responses_ai_stories AFTER INSERT ON article_responses WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
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
END""",
    """CREATE TRIGGER article_responses_ad_stories AFTER DELETE ON article_responses WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) BEGIN
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
END""",
    """CREATE TRIGGER article_responses_au_stories AFTER UPDATE ON article_responses WHEN NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = OLD.article_id) OR NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = NEW.article_id) BEGIN
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
END""",
)
