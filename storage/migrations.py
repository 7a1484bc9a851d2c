"""The database schema, as named, append-only migrations.

Never edit a migration that has shipped: add a new one below it. Each migration is applied once per
database and recorded in sqlite-utils' `_sqlite_migrations` table.
"""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("privwatch")

TABLES = (
    "sources",
    "articles",
    "companies",
    "company_aliases",
    "mentions",
    "incident_types",
    "article_incidents",
    "unlinked_orgs",
    "crawl_runs",
    "crawl_errors",
    "crawl_warnings",
    "digests",
    "article_urls",
    "stories",
    "story_articles",
    "story_responses",
    "story_companies",
    "watchlists",
    "alerts",
    "tag_errors",
    "corrections",
    "tagger_tags",
)
VIEWS = ("incidents", "company_timeline", "weekly_counts", "watchlist_incidents")


def _run(db: Database, statements: str) -> None:
    # executescript() would commit the migration's transaction half way; run statement by statement.
    for statement in statements.split(";\n"):
        if statement.strip():
            db.execute(statement)


@migrations(name="0001_core_tables")
def core_tables(db: Database) -> None:
    _run(
        db,
        """
CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('listing', 'feed', 'sitemap')),
    url TEXT,
    language TEXT,
    every TEXT
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
CREATE INDEX idx_articles_source ON articles(source_id);
CREATE INDEX idx_articles_published ON articles(published);
CREATE INDEX idx_articles_body_hash ON articles(body_hash);
CREATE INDEX idx_articles_tagged_at ON articles(tagged_at);
CREATE INDEX idx_articles_duplicate_of ON articles(duplicate_of);
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
CREATE INDEX idx_company_aliases_company ON company_aliases(company_id);
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
CREATE INDEX idx_mentions_company ON mentions(company_id, role);
CREATE TABLE article_incidents (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    incident_type TEXT NOT NULL REFERENCES incident_types(id),
    company_id TEXT REFERENCES companies(id) ON DELETE CASCADE,
    score REAL,
    evidence TEXT
);
CREATE UNIQUE INDEX idx_article_incidents_key
    ON article_incidents(article_id, incident_type, coalesce(company_id, ''));
CREATE INDEX idx_article_incidents_company ON article_incidents(company_id, incident_type);
CREATE INDEX idx_article_incidents_type ON article_incidents(incident_type);
CREATE TABLE unlinked_orgs (
    name TEXT NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    count INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (name, article_id)
);
CREATE INDEX idx_unlinked_orgs_article ON unlinked_orgs(article_id);
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
CREATE INDEX idx_crawl_runs_source ON crawl_runs(source_id, started);
CREATE TABLE crawl_errors (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
    url TEXT,
    status INTEGER,
    error TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX idx_crawl_errors_run ON crawl_errors(run_id);
CREATE TABLE digests (
    id INTEGER PRIMARY KEY,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    recipients TEXT NOT NULL,
    items INTEGER NOT NULL,
    message_id TEXT
);
CREATE INDEX idx_digests_period ON digests(period_start, period_end)
""",
    )


@migrations(name="0002_articles_fts")
def articles_fts(db: Database) -> None:
    db["articles"].enable_fts(["title", "body"], create_triggers=True, tokenize="porter")


@migrations(name="0003_analyst_views")
def analyst_views(db: Database) -> None:
    _run(
        db,
        """
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
GROUP BY week, ai.incident_type
""",
    )


@migrations(name="0004_article_urls")
def article_urls(db: Database) -> None:
    """Every URL that led to a stored article (feed links, redirects), so it is not fetched again."""
    _run(
        db,
        """
CREATE TABLE article_urls (
    url TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);
CREATE INDEX idx_article_urls_article ON article_urls(article_id)
""",
    )


# -- 0005: the analyst views read from indexed tables that triggers keep current ----------------------
# At a million articles the 0003 views are joins that every facet, count and chart re-runs over all tagged
# articles (seconds per page). The tables below hold the same rows, rewritten per article whenever its tags,
# the article or a company's or source's name change, with an index per facet and sort. The views keep
# their names and columns (incidents gains `week`); weekly_counts leaves out dates SQLite cannot parse
# (0003 grouped them under an empty week; stored dates are ISO 8601).
# Each filter column's index (company, company_id, type, source, response) carries the other facet columns:
# a filtered page counts and facets from that index alone, even for a company with 30,000 incidents.

INCIDENT_COLUMNS = (
    "published, week, company, incident_type, response, evidence, title, url, source, score, article_id, "
    "company_id, source_id"
)
TIMELINE_COLUMNS = (
    "company_id, company, published, role, response, incident_types, evidence, title, url, source_id, "
    "article_id"
)
WEEKLY_COLUMNS = "week, incident_type, articles, companies, incidents"


SEVERITY_NAMES = "fine_amount, fine_currency, fine_usd, fine_text, affected, affected_text"


def _incident_columns(language: bool, severity: bool = False) -> str:
    return INCIDENT_COLUMNS + (", language" if language else "") + (f", {SEVERITY_NAMES}" if severity else "")


def _incident_rows(
    article_condition: str, unlinked: bool = False, language: bool = False, severity: bool = False
) -> str:
    """The 0003 incidents view's rows (plus the week) for the articles matching the condition on `ai`.

    With `unlinked` (0007 on), an incident of an organisation the knowledge base lacks shows its name
    and its response from unlinked_orgs; with `language` (0009 on, with `unlinked`), rows end with the
    article's language, and with `severity` (0017 on, with both), then with the incident's fine and count
    of people affected."""
    if not unlinked:
        return f"""SELECT a.published, date(a.published, 'weekday 0', '-6 days'), c.name, ai.incident_type,
    m.response, ai.evidence, a.title, a.url, s.name, ai.score, ai.article_id, ai.company_id, a.source_id
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
WHERE a.duplicate_of IS NULL AND {article_condition.format(column="ai.article_id")}"""
    return f"""SELECT a.published, date(a.published, 'weekday 0', '-6 days'), coalesce(c.name, ai.org_name),
    ai.incident_type, coalesce(m.response, u.response), ai.evidence, a.title, a.url, s.name, ai.score,
    ai.article_id, ai.company_id, a.source_id{", a.language" if language else ""}{
        "".join(", ai." + name for name in SEVERITY_NAMES.split(", ")) if severity else ""
    }
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL AND {article_condition.format(column="ai.article_id")}"""


def _timeline_rows(article_condition: str) -> str:
    """The 0003 company_timeline view's rows for the articles matching the condition on `m`.

    The unary + keeps SQLite off the company index for the incident types: a big company has tens of
    thousands of incident rows, an article a handful."""
    return f"""SELECT m.company_id, c.name, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND +ai.company_id = m.company_id
        ORDER BY ai.incident_type)),
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL AND {article_condition.format(column="m.article_id")}"""


def _weekly_rows(week_condition: str) -> str:
    """The weekly_counts rows of the weeks matching the condition, from incidents_materialized."""
    return f"""SELECT week, incident_type, count(DISTINCT article_id), count(DISTINCT company_id), count(*)
FROM incidents_materialized
WHERE week IS NOT NULL AND {week_condition}
GROUP BY week, incident_type"""


def _refresh(
    article_condition: str,
    weeks: bool,
    unlinked: bool = False,
    language: bool = False,
    severity: bool = False,
) -> str:
    """Statements that rewrite the materialized rows of the articles matching `{column} ...`.

    With `weeks`, also the weekly counts of the weeks those articles were in before and are in after
    (only changes to incident rows or to articles move those counts, not names or responses)."""
    articles = article_condition.format(column="article_id")
    dirty = "\n    INSERT INTO weekly_counts_dirty (week) SELECT week FROM incidents_materialized WHERE "
    dirty += f"{articles};"
    statements = f"""{dirty if weeks else ""}
    DELETE FROM incidents_materialized WHERE {articles};
    INSERT INTO incidents_materialized ({_incident_columns(language, severity)})
{_incident_rows(article_condition, unlinked, language, severity)};
    DELETE FROM company_timeline_materialized WHERE {articles};
    INSERT INTO company_timeline_materialized ({TIMELINE_COLUMNS})
{_timeline_rows(article_condition)};"""
    if weeks:
        touched = "week IN (SELECT week FROM weekly_counts_dirty)"
        statements += f"""{dirty}
    DELETE FROM weekly_counts_materialized WHERE {touched};
    INSERT INTO weekly_counts_materialized ({WEEKLY_COLUMNS})
{_weekly_rows(touched)};
    DELETE FROM weekly_counts_dirty;"""
    return statements


def _articles_of_company(company: str) -> str:
    return (
        "{column} IN (SELECT article_id FROM mentions WHERE company_id = " + company + " UNION "
        "SELECT article_id FROM article_incidents WHERE company_id = " + company + ")"
    )


def _trigger(name: str, event: str, statements: str, when: str = "") -> str:
    return f"CREATE TRIGGER {name} AFTER {event}{f' WHEN {when}' if when else ''} BEGIN{statements}\nEND"


def _article_and_company_triggers(
    unlinked: bool = False, language: bool = False, severity: bool = False
) -> list[str]:
    """The triggers that refresh an article's materialized rows when the article or a company changes."""
    columns = (
        "id",
        "published",
        "title",
        "url",
        "source_id",
        "duplicate_of",
        *(["language"] if language else []),
    )
    versions = {"unlinked": unlinked, "language": language, "severity": severity}
    return [
        _trigger(
            "articles_au_materialized",
            f"UPDATE OF {', '.join(columns)} ON articles",
            _refresh("{column} IN (OLD.id, NEW.id)", weeks=True, **versions),
            when=" OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns),
        ),
        _trigger(
            "articles_ad_materialized",
            "DELETE ON articles",
            _refresh("{column} = OLD.id", weeks=True, **versions),
        ),
        _trigger(
            "companies_ai_materialized",
            "INSERT ON companies",
            _refresh(_articles_of_company("NEW.id"), False, **versions),
        ),
        _trigger(
            "companies_au_materialized",
            "UPDATE OF id, name ON companies",
            _refresh(_articles_of_company("OLD.id"), False, **versions)
            + _refresh(_articles_of_company("NEW.id"), False, **versions),
            when="OLD.id IS NOT NEW.id OR OLD.name IS NOT NEW.name",
        ),
        _trigger(
            "companies_ad_materialized",
            "DELETE ON companies",
            _refresh(_articles_of_company("OLD.id"), False, **versions),
        ),
    ]


def _refresh_triggers() -> list[str]:
    triggers = []
    for table, weeks in (("article_incidents", True), ("mentions", False)):
        triggers += [
            _trigger(
                f"{table}_ai_materialized", f"INSERT ON {table}", _refresh("{column} = NEW.article_id", weeks)
            ),
            _trigger(
                f"{table}_ad_materialized", f"DELETE ON {table}", _refresh("{column} = OLD.article_id", weeks)
            ),
            _trigger(
                f"{table}_au_materialized",
                f"UPDATE ON {table}",
                _refresh("{column} IN (OLD.article_id, NEW.article_id)", weeks),
            ),
        ]
    triggers += _article_and_company_triggers()
    source_name = (
        "\n    UPDATE incidents_materialized SET source = (SELECT name FROM sources WHERE id = source_id) "
        "WHERE source_id IN ({ids});"
    )
    triggers += [
        _trigger("sources_ai_materialized", "INSERT ON sources", source_name.format(ids="NEW.id")),
        _trigger(
            "sources_au_materialized",
            "UPDATE OF id, name ON sources",
            source_name.format(ids="OLD.id, NEW.id"),
            when="OLD.id IS NOT NEW.id OR OLD.name IS NOT NEW.name",
        ),
        _trigger("sources_ad_materialized", "DELETE ON sources", source_name.format(ids="OLD.id")),
    ]
    return triggers


@migrations(name="0005_materialized_analyst_views")
def materialized_analyst_views(db: Database) -> None:
    _run(
        db,
        f"""
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
);
CREATE INDEX idx_incidents_materialized_article ON incidents_materialized(article_id);
CREATE INDEX idx_incidents_materialized_published ON incidents_materialized(published);
CREATE INDEX idx_incidents_materialized_company
    ON incidents_materialized(company, published, incident_type, source, response, company_id);
CREATE INDEX idx_incidents_materialized_company_id
    ON incidents_materialized(company_id, published, incident_type, source, response, company);
CREATE INDEX idx_incidents_materialized_type
    ON incidents_materialized(incident_type, published, company, source, response);
CREATE INDEX idx_incidents_materialized_source
    ON incidents_materialized(source, published, company, incident_type, response);
CREATE INDEX idx_incidents_materialized_response
    ON incidents_materialized(response, published, company, incident_type, source);
CREATE INDEX idx_incidents_materialized_week
    ON incidents_materialized(week, incident_type, article_id, company_id);
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
CREATE INDEX idx_company_timeline_materialized_article ON company_timeline_materialized(article_id);
CREATE INDEX idx_company_timeline_materialized_published ON company_timeline_materialized(published);
CREATE INDEX idx_company_timeline_materialized_company
    ON company_timeline_materialized(company_id, published);
CREATE TABLE weekly_counts_materialized (
    week TEXT NOT NULL,
    incident_type TEXT NOT NULL,
    articles INTEGER NOT NULL,
    companies INTEGER NOT NULL,
    incidents INTEGER NOT NULL,
    PRIMARY KEY (week, incident_type)
);
CREATE TABLE weekly_counts_dirty (
    week TEXT
);
CREATE INDEX idx_unlinked_orgs_review ON unlinked_orgs(name, article_id, count);
DROP VIEW incidents;
CREATE VIEW incidents AS
SELECT published, company, incident_type, response, evidence, title, url, source, score, article_id,
    company_id, source_id, week
FROM incidents_materialized;
DROP VIEW company_timeline;
CREATE VIEW company_timeline AS
SELECT {TIMELINE_COLUMNS}
FROM company_timeline_materialized;
DROP VIEW weekly_counts;
CREATE VIEW weekly_counts AS
SELECT {WEEKLY_COLUMNS}
FROM weekly_counts_materialized
""",
    )
    refill_materialized_views(db, unlinked=False, language=False, severity=False)
    for trigger in _refresh_triggers():
        db.execute(trigger)


# -- 0006: re-tagging an article refreshes its materialized rows once ----------------------------------
# Under 0005 every mention or incident row deleted or inserted re-ran its article's refresh, each incident
# row with a recount of the article's weeks: a re-tag cost 6.5 ms per article at 10,000 articles in four
# weeks, growing with the size of a week. storage.replace_tags_many now lists the article in
# tags_being_replaced while it swaps the rows (the row triggers skip listed articles), then its setting of
# tagged_at refreshes the article once. Writers that do not list the article (raw SQL) still get the
# per-row refresh.


def _not_being_replaced(article_id: str) -> str:
    return f"NOT EXISTS (SELECT 1 FROM tags_being_replaced WHERE article_id = {article_id})"


@migrations(name="0006_refresh_once_per_retag")
def refresh_once_per_retag(db: Database) -> None:
    statements = ["CREATE TABLE tags_being_replaced (article_id INTEGER PRIMARY KEY)"]
    new, old = _not_being_replaced("NEW.article_id"), _not_being_replaced("OLD.article_id")
    for table, weeks in (("article_incidents", True), ("mentions", False)):
        for suffix, event, condition, when in (
            ("ai", "INSERT", "{column} = NEW.article_id", new),
            ("ad", "DELETE", "{column} = OLD.article_id", old),
            ("au", "UPDATE", "{column} IN (OLD.article_id, NEW.article_id)", f"{old} OR {new}"),
        ):
            name = f"{table}_{suffix}_materialized"
            statements += [
                f"DROP TRIGGER {name}",
                _trigger(name, f"{event} ON {table}", _refresh(condition, weeks), when=when),
            ]
    statements.append(_tagged_trigger())
    for statement in statements:
        db.execute(statement)


def _tagged_trigger(unlinked: bool = False, language: bool = False, severity: bool = False) -> str:
    """Setting tagged_at after a re-tag refreshes the article's materialized rows once."""
    return _trigger(
        "articles_tagged_materialized",
        "UPDATE OF tagged_at ON articles",
        _refresh("{column} = NEW.id", weeks=True, unlinked=unlinked, language=language, severity=severity),
        when="NEW.tagged_at IS NOT NULL",
    )


def refill_materialized_views(
    db: Database, unlinked: bool = True, language: bool = True, severity: bool = True
) -> None:
    """Rewrite the materialized tables from the stored tables: their first fill, and the last step of a
    bulk load that dropped the triggers for speed (benchmarks/datasette.py). `unlinked`, `language` and
    `severity`: the rows as 0007, 0009 and 0017 define them (the default; earlier migrations ran them before
    those existed)."""
    _run(
        db,
        f"""
DELETE FROM incidents_materialized;
INSERT INTO incidents_materialized ({_incident_columns(language, severity)})
{_incident_rows("1", unlinked, language, severity)};
DELETE FROM company_timeline_materialized;
INSERT INTO company_timeline_materialized ({TIMELINE_COLUMNS})
{_timeline_rows("1")};
DELETE FROM weekly_counts_materialized;
INSERT INTO weekly_counts_materialized ({WEEKLY_COLUMNS})
{_weekly_rows("1")}
""",
    )


# -- 0007: responses as a set, unknown organisations as accused, the detected language -------------------
# The tagger now reports every response of an accused company (apology and remediation), each with its
# evidence sentence, and may accuse an organisation the knowledge base lacks. article_responses holds the
# set (mentions.response stays the strongest, for the views); an unknown accused organisation carries its
# incidents by name (article_incidents.org_name) and its role and main response in unlinked_orgs. The
# incidents rows show such an organisation under its name, so the materialized rows' triggers are
# re-created with that definition, and unlinked_orgs gets triggers like mentions'.


@migrations(name="0007_responses_and_unlinked_accused")
def responses_and_unlinked_accused(db: Database) -> None:
    statements = [
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
    ]
    statements += [f"DROP TRIGGER {name}" for name in _ROW_TRIGGERS if not name.startswith("unlinked_orgs")]
    statements += _row_triggers(language=False)
    for statement in statements:
        db.execute(statement)
    refill_materialized_views(db, language=False, severity=False)


# the triggers that keep the materialized rows (0007 on): per row table, then per article and company
_ROW_TRIGGERS = [
    f"{table}_{suffix}_materialized"
    for table in ("article_incidents", "mentions", "unlinked_orgs")
    for suffix in ("ai", "ad", "au")
] + [
    "articles_au_materialized",
    "articles_ad_materialized",
    "companies_ai_materialized",
    "companies_au_materialized",
    "companies_ad_materialized",
    "articles_tagged_materialized",
]


def _row_triggers(language: bool, severity: bool = False) -> list[str]:
    """CREATE statements of _ROW_TRIGGERS, rows as 0007 defines them (0009 with `language`, 0017 with
    `severity`)."""
    new, old = _not_being_replaced("NEW.article_id"), _not_being_replaced("OLD.article_id")
    statements = []
    # unlinked_orgs marks the weeks like article_incidents: an article's cascade may reach it first
    for table, weeks in (("article_incidents", True), ("mentions", False), ("unlinked_orgs", True)):
        for suffix, event, condition, when in (
            ("ai", "INSERT", "{column} = NEW.article_id", new),
            ("ad", "DELETE", "{column} = OLD.article_id", old),
            ("au", "UPDATE", "{column} IN (OLD.article_id, NEW.article_id)", f"{old} OR {new}"),
        ):
            refresh = _refresh(condition, weeks, unlinked=True, language=language, severity=severity)
            statements.append(
                _trigger(f"{table}_{suffix}_materialized", f"{event} ON {table}", refresh, when=when)
            )
    return statements + [
        *_article_and_company_triggers(unlinked=True, language=language, severity=severity),
        _tagged_trigger(unlinked=True, language=language, severity=severity),
    ]


# -- 0008: search in Chinese ----------------------------------------------------------------------------
# articles_fts (porter, unicode61) keeps a run of Chinese characters between two punctuation marks as one
# token, so no Chinese word can be found in it. Chinese articles get a second index with FTS5's trigram
# tokenizer: any run of three characters or more matches where it occurs, whatever the segmentation
# (jieba-segmented text in a search column was the other choice: a query would have to be segmented the
# same way, which Datasette's search box cannot do). Only articles stored as Chinese are indexed, so the
# English crawl pays nothing; a re-tag that changes an article's language moves it in or out.


@migrations(name="0008_chinese_search")
def chinese_search(db: Database) -> None:
    statements = [
        """CREATE VIRTUAL TABLE articles_fts_zh USING fts5(
    title, body, content='articles', content_rowid='id', tokenize='trigram'
)""",
        """INSERT INTO articles_fts_zh (rowid, title, body)
SELECT id, title, body FROM articles WHERE language = 'zh'""",
        """CREATE TRIGGER articles_ai_fts_zh AFTER INSERT ON articles WHEN NEW.language = 'zh' BEGIN
    INSERT INTO articles_fts_zh (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);
END""",
        """CREATE TRIGGER articles_ad_fts_zh AFTER DELETE ON articles WHEN OLD.language = 'zh' BEGIN
    INSERT INTO articles_fts_zh (articles_fts_zh, rowid, title, body)
    VALUES ('delete', OLD.id, OLD.title, OLD.body);
END""",
        """CREATE TRIGGER articles_au_fts_zh AFTER UPDATE OF title, body, language ON articles
WHEN OLD.language = 'zh' OR NEW.language = 'zh' BEGIN
    INSERT INTO articles_fts_zh (articles_fts_zh, rowid, title, body)
    SELECT 'delete', OLD.id, OLD.title, OLD.body WHERE OLD.language = 'zh';
    INSERT INTO articles_fts_zh (rowid, title, body)
    SELECT NEW.id, NEW.title, NEW.body WHERE NEW.language = 'zh';
END""",
    ]
    for statement in statements:
        db.execute(statement)


# -- 0009: the incidents rows carry the article's language ---------------------------------------------
# Analysts facet and filter the incidents view by language (Chinese and English sources side by side): the
# materialized rows gain the article's language, and their triggers are re-created to fill it.


@migrations(name="0009_incidents_language")
def incidents_language(db: Database) -> None:
    statements = [
        "ALTER TABLE incidents_materialized ADD COLUMN language TEXT",
        """CREATE INDEX idx_incidents_materialized_language
    ON incidents_materialized(language, published, company, incident_type, source, response)""",
        *(f"DROP TRIGGER {name}" for name in _ROW_TRIGGERS),
        *_row_triggers(language=True),
        "DROP VIEW incidents",
        """CREATE VIEW incidents AS
SELECT published, company, incident_type, response, evidence, title, url, source, score, article_id,
    company_id, source_id, week, language
FROM incidents_materialized""",
    ]
    for statement in statements:
        db.execute(statement)
    refill_materialized_views(db, severity=False)


# -- 0010: stories ----------------------------------------------------------------------------------------
# A story is one controversy of one accused company (or set) followed across articles, outlets and days.
# Its title is the headline of the earliest article that names the most of its accused companies (the
# first report that tells the whole story); first_article_id is its first report.
# Which article belongs to which story is decided by nlp/stories.py and written to story_articles; the
# story's row (title, dates, counts, accused, types, responses) and its story_responses (each response of
# each accused company, with the article it first appeared in) are derived from the members' articles and
# tags by the statements below, which triggers run whenever a member, its article or its tags change, so
# they stay right under re-tags, edits, deletes and raw SQL. A story left without articles is deleted.
# story_companies (story x accused company, with the story's last_seen) finds a company's latest stories
# through an index. The stories page facets on one value per story, read from an index each (company: the
# one most of its articles accuse; type: the most frequent, the event's over a follow-up's enforcement;
# response: that company's latest): Datasette's array facets over the JSON lists deduplicate whole rows
# and took 350 ms at a million articles. The lists stay, for display and `accused__arraycontains`.


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


def _story_triggers() -> list[str]:
    of_article = "SELECT story_id FROM story_articles WHERE article_id = {}"
    new, old = _not_being_replaced("NEW.article_id"), _not_being_replaced("OLD.article_id")
    # a batch write lists its stories in stories_to_refresh and refreshes each once at the end
    one_by_one = "NOT EXISTS (SELECT 1 FROM stories_to_refresh)"
    triggers = [
        _trigger(
            "story_articles_ai", "INSERT ON story_articles", _refresh_stories("NEW.story_id"), one_by_one
        ),
        _trigger(
            "story_articles_ad", "DELETE ON story_articles", _refresh_stories("OLD.story_id"), one_by_one
        ),
        _trigger(
            "story_articles_au",
            "UPDATE ON story_articles",
            _refresh_stories("OLD.story_id, NEW.story_id"),
            one_by_one,
        ),
        _trigger(
            "articles_au_stories",
            "UPDATE OF title, published, source_id, language, duplicate_of, tagged_at ON articles",
            _refresh_stories(of_article.format("NEW.id")),
        ),
        _trigger(
            "companies_au_stories",
            "UPDATE OF name ON companies",
            _refresh_stories(
                "SELECT DISTINCT sa.story_id FROM story_articles sa JOIN article_incidents ai "
                "ON ai.article_id = sa.article_id WHERE ai.company_id = NEW.id"
            ),
        ),
    ]
    for table in ("article_incidents", "article_responses"):
        for suffix, event, ids, when in (
            ("ai", "INSERT", of_article.format("NEW.article_id"), new),
            ("ad", "DELETE", of_article.format("OLD.article_id"), old),
            (
                "au",
                "UPDATE",
                f"{of_article.format('OLD.article_id')} UNION {of_article.format('NEW.article_id')}",
                f"{old} OR {new}",
            ),
        ):
            refresh = _refresh_stories(ids)
            triggers.append(_trigger(f"{table}_{suffix}_stories", f"{event} ON {table}", refresh, when))
    return triggers


@migrations(name="0010_stories")
def stories(db: Database) -> None:
    _run(
        db,
        """
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
CREATE INDEX idx_stories_last_seen ON stories(last_seen);
CREATE INDEX idx_stories_first_seen ON stories(first_seen);
CREATE TABLE story_articles (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    score REAL
);
CREATE INDEX idx_story_articles_story ON story_articles(story_id);
CREATE TABLE stories_to_refresh (story_id INTEGER PRIMARY KEY);
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
CREATE INDEX idx_story_responses_story ON story_responses(story_id, company, first_seen);
CREATE TABLE story_companies (
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    company_id TEXT,
    org_name TEXT,
    company TEXT,
    last_seen TEXT
);
CREATE INDEX idx_story_companies_story ON story_companies(story_id);
CREATE INDEX idx_story_companies_company ON story_companies(company_id, last_seen);
CREATE INDEX idx_stories_company ON stories(company, last_seen);
CREATE INDEX idx_stories_type ON stories(type, last_seen);
CREATE INDEX idx_stories_response ON stories(response, last_seen)
""",
    )
    for trigger in _story_triggers():
        db.execute(trigger)


@migrations(name="0011_crawl_warnings")
def crawl_warnings(db: Database) -> None:
    # one row per run and kind: a warning sums up what went wrong on many pages of a run that still worked
    _run(
        db,
        """
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
CREATE INDEX idx_crawl_warnings_at ON crawl_warnings(kind, at)
""",
    )


@migrations(name="0012_article_credit")
def article_credit(db: Database) -> None:
    # who a byline credits besides people: outlets, desks, agencies (articles.author holds people only)
    _run(db, "ALTER TABLE articles ADD COLUMN credit TEXT")


# -- 0013: watchlists and alerts ----------------------------------------------------------------------------
# A watchlist (config/watchlists.yaml, loaded with the other config rows) is stored so that SQL can match
# it: its feed, its digest section and its alerts all read the watchlist_incidents view, one definition.
# companies, types, terms and term_patterns are JSON lists ('[]' when not given); an incident matches when
# it meets every criterion given. A term matches as a GLOB pattern over ' ' || lower(title || ' ' || body)
# || ' ', built by storage/watchlists.py so that a Latin word only matches whole ("meta" is not in
# "metadata"). A watchlist removed from the YAML stays as a row with active = 0: its alerts keep their
# watchlist. added_at is when it was first loaded (or loaded again after a removal): only articles stored
# since then are alerted.
# alerts holds one row per watchlist x article x channel (email, webhook), written when the match is found
# and updated when it is sent: `owed` until the server or webhook accepted it, then `sent`; `dropped` when
# there is no longer anywhere to send it or the article no longer matches. A sender claims owed rows
# (claim, claimed_at) before sending, so two runs at once never send the same alert.


@migrations(name="0013_alerts")
def alerts(db: Database) -> None:
    _run(
        db,
        """
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
CREATE UNIQUE INDEX idx_alerts_key ON alerts(watchlist_id, article_id, channel);
CREATE INDEX idx_alerts_status ON alerts(status, watchlist_id);
CREATE INDEX idx_alerts_article ON alerts(article_id);
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
        AND ' ' || lower(coalesce(a.title, '') || ' ' || coalesce(a.body, '')) || ' ' GLOB t.value))
""",
    )


# -- 0014: articles the tagger failed on ---------------------------------------------------------------------
# One row per article and pipeline version that raised even when tagged alone (`privwatch tag` goes on with
# the rest). Untagged and stale runs skip an article with a row for their version, so one bad article is not
# retried every run; a new version (a new model, edited data) tries it again.


@migrations(name="0014_tag_errors")
def tag_errors(db: Database) -> None:
    _run(
        db,
        """
CREATE TABLE tag_errors (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    nlp_version TEXT NOT NULL,
    error TEXT NOT NULL,
    failed_at TEXT NOT NULL,
    PRIMARY KEY (article_id, nlp_version)
)
""",
    )


# -- 0015: truncated bodies ---------------------------------------------------------------------------------
# The crawler stores at most a budget of characters and paragraphs of a body (crawl.max_body_chars,
# max_body_paragraphs); an article whose body was cut there has truncated = 1.


@migrations(name="0015_article_truncated")
def article_truncated(db: Database) -> None:
    _run(
        db,
        "ALTER TABLE articles ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1))",
    )


# -- 0016: blocked crawl runs ----------------------------------------------------------------------------
# A source whose robots.txt forbids its start URLs ends its run 'blocked'. SQLite cannot alter a CHECK
# constraint, so crawl_runs is rebuilt from its own CREATE statement with the wider CHECK (columns a later
# migration may have added survive), its rows copied with their ids, and the indexes, triggers and views
# that name it recreated. storage.db.open_db migrates with foreign keys off: dropping the old table deletes
# no crawl_errors or crawl_warnings row, and their REFERENCES crawl_runs then name the rebuilt table.

RUN_STATUSES_BEFORE_0016 = "CHECK (status IN ('running', 'ok', 'partial', 'failed'))"
RUN_STATUSES = "CHECK (status IN ('running', 'ok', 'partial', 'failed', 'blocked'))"


@migrations(name="0016_blocked_runs")
def blocked_runs(db: Database) -> None:
    (table_sql,) = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'crawl_runs'"
    ).fetchone()
    if RUN_STATUSES_BEFORE_0016 not in table_sql:
        raise RuntimeError(f"crawl_runs has an unexpected status constraint: {table_sql}")
    # the rename below checks every view and trigger, and those naming crawl_runs would name a missing table
    dependents = db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name != 'crawl_runs' "
        "AND (tbl_name = 'crawl_runs' OR (type IN ('view', 'trigger') AND sql LIKE '%crawl_runs%'))"
    ).fetchall()
    for kind, name, _ in dependents:
        if kind in ("view", "trigger"):
            db.execute(f'DROP {kind.upper()} "{name}"')
    rebuilt = table_sql.replace(RUN_STATUSES_BEFORE_0016, RUN_STATUSES).replace(
        "CREATE TABLE crawl_runs", "CREATE TABLE crawl_runs_0016", 1
    )
    _run(
        db,
        f"""{rebuilt};
INSERT INTO crawl_runs_0016 SELECT * FROM crawl_runs;
DROP TABLE crawl_runs;
ALTER TABLE crawl_runs_0016 RENAME TO crawl_runs
""",
    )
    for _, _, sql in dependents:
        db.execute(sql)


# -- 0017: how big an incident is ----------------------------------------------------------------------------
# The tagger reads a fine (amount, ISO currency, the words that state it) and a count of the people or records
# affected from the sentences about each accused company (nlp/severity.py); they are columns of that
# company's incident rows, with the fine in US dollars at the rough rates of incidents.yaml (fine_usd, to
# rank fines in different currencies). The materialized incidents rows carry them, so the incidents view
# shows and sorts them; their triggers are re-created to fill them.

SEVERITY_COLUMNS = (
    ("fine_amount", "REAL"),
    ("fine_currency", "TEXT"),
    ("fine_usd", "REAL"),
    ("fine_text", "TEXT"),
    ("affected", "INTEGER"),
    ("affected_text", "TEXT"),
)


@migrations(name="0017_incident_severity")
def incident_severity(db: Database) -> None:
    statements = [
        *(
            f"ALTER TABLE {table} ADD COLUMN {name} {kind}"
            for table in ("article_incidents", "incidents_materialized")
            for name, kind in SEVERITY_COLUMNS
        ),
        """CREATE INDEX idx_incidents_materialized_fine
    ON incidents_materialized(fine_usd, affected, published)""",
        "CREATE INDEX idx_incidents_materialized_affected ON incidents_materialized(affected, published)",
        *(f"DROP TRIGGER {name}" for name in _ROW_TRIGGERS),
        *_row_triggers(language=True, severity=True),
        "DROP VIEW incidents",
        f"""CREATE VIEW incidents AS
SELECT published, company, incident_type, response, evidence, title, url, source, score, article_id,
    company_id, source_id, week, language, {", ".join(name for name, _ in SEVERITY_COLUMNS)}
FROM incidents_materialized""",
    ]
    for statement in statements:
        db.execute(statement)
    refill_materialized_views(db)


# -- 0018: an analyst's corrections of the tagger ------------------------------------------------------------
# `privwatch correct` records that a company is not accused (or is), that an article has or lacks an
# incident type, or what a company's response is. Corrections are stored apart from the tags and applied
# when tags are stored (storage/corrections.py, called by storage.db.replace_tags_many): the tag tables then
# hold the corrected tags, so the materialized views, their triggers, the stories and the digest read them
# with no change, and a re-tag (`privwatch tag --all`) applies them again to the tagger's new output. The
# tagger's own output of an article with corrections is kept in tagger_tags (JSON of storage.db.ArticleTags),
# so adding or undoing a correction rewrites the article's tags from it at once; an article without an
# active correction has no tagger_tags row and its stored tags are the tagger's. A filter in the view
# definitions was the other choice: every view, trigger and digest query would have needed it.
# A correction names its company by KB id (company_id) or, for an organisation the knowledge base lacks,
# by name (org_name); a type correction with neither is about every accused company of the article.
# Undoing sets undone_at: the row stays, as a record of who changed what.


@migrations(name="0018_corrections")
def corrections(db: Database) -> None:
    _run(
        db,
        """
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
CREATE INDEX idx_corrections_article ON corrections(article_id, undone_at);
CREATE TABLE tagger_tags (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    tags TEXT NOT NULL,
    stored_at TEXT NOT NULL
)
""",
    )


# -- 0019: how deep an article was tagged ------------------------------------------------------------------
# 'full': the whole pipeline; 'mentions': the cascade's gate found no privacy cue (nlp/gate.py), so the
# article has its knowledge-base company mentions only. NULL until tagged; every
# article tagged before it had the whole pipeline.


@migrations(name="0019_tag_depth")
def tag_depth(db: Database) -> None:
    _run(
        db,
        """
ALTER TABLE articles ADD COLUMN tag_depth TEXT CHECK (tag_depth IN ('full', 'mentions'));
UPDATE articles SET tag_depth = 'full' WHERE tagged_at IS NOT NULL
""",
    )
