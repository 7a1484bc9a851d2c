"""Read-only queries over the privwatch database."""

from __future__ import annotations

import json
import re

from sqlite_utils import Database

from storage.migrations import TABLES, VIEWS

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def schema_sql(db: Database) -> str:
    """The schema as stable SQL text (tables, indexes, triggers, views; sorted), for golden comparison."""
    rows = db.execute(
        "SELECT type, name, sql FROM sqlite_master "
        "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE '\\_sqlite_migrations%' ESCAPE '\\' "
        "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'trigger' THEN 2 ELSE 3 END, name"
    ).fetchall()
    statements = [re.sub(r"[ \t]+\n", "\n", sql.strip()) + ";" for _, _, sql in rows]
    return "\n\n".join(statements) + "\n"


def applied_migrations(db: Database) -> list[str]:
    if not db["_sqlite_migrations"].exists():
        return []
    return [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]


def table_counts(db: Database) -> dict[str, int]:
    return {name: db[name].count for name in TABLES}


def view_counts(db: Database) -> dict[str, int]:
    return {name: db.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in VIEWS}


def sources(db: Database) -> list[dict]:
    return list(
        db.query(
            """SELECT s.id, s.name, s.kind, s.every, s.url,
                      (SELECT count(*) FROM articles a WHERE a.source_id = s.id) AS articles,
                      (SELECT max(started) FROM crawl_runs r WHERE r.source_id = s.id) AS last_crawl
               FROM sources s ORDER BY s.id"""
        )
    )


def companies(db: Database, search: str | None = None) -> list[dict]:
    where, params = "", []
    if search:
        where = (
            "WHERE c.id IN (SELECT company_id FROM company_aliases WHERE alias LIKE :q) "
            "OR c.name LIKE :q OR c.id LIKE :q"
        )
        params = {"q": f"%{search}%"}
    return list(
        db.query(
            f"""SELECT c.id, c.name, c.country, c.sector, c.parent_id,
                       (SELECT count(*) FROM company_aliases ca WHERE ca.company_id = c.id) AS aliases,
                       (SELECT count(*) FROM mentions m WHERE m.company_id = c.id AND m.role = 'accused')
                           AS accused
                FROM companies c {where} ORDER BY c.name COLLATE NOCASE""",
            params,
        )
    )


def search_articles(db: Database, query: str, limit: int = 20) -> list[dict]:
    """Articles matching an FTS5 query, best first; a query in Chinese searches the Chinese articles'
    trigram index (each term of three characters or more matches where it occurs)."""
    index = "articles_fts_zh" if CJK.search(query) else "articles_fts"
    return list(
        db.query(
            f"""SELECT a.id, a.title, a.url FROM {index} f JOIN articles a ON a.rowid = f.rowid
               WHERE {index} MATCH ? ORDER BY rank LIMIT ?""",
            [query, limit],
        )
    )


def last_crawl_run_id(db: Database) -> int:
    return db.execute("SELECT coalesce(max(id), 0) FROM crawl_runs").fetchone()[0]


def crawl_runs_after(db: Database, after_id: int, source_id: str | None = None) -> list[dict]:
    """Crawl runs recorded after run `after_id` (of one source, when given)."""
    where, params = "id > ?", [after_id]
    if source_id:
        where, params = where + " AND source_id = ?", [*params, source_id]
    return list(db.query(f"SELECT * FROM crawl_runs WHERE {where} ORDER BY id", params))


def crawl_warnings_of_runs(db: Database, run_ids: list[int]) -> list[dict]:
    """The warnings of these crawl runs with their source, in run order: source_id, kind, pages, message."""
    return list(
        db.query(
            """SELECT r.source_id, w.run_id, w.kind, w.pages, w.detail, w.example_url, w.message
               FROM crawl_warnings w JOIN crawl_runs r ON r.id = w.run_id
               WHERE w.run_id IN (SELECT value FROM json_each(:ids)) ORDER BY w.run_id, w.kind""",
            {"ids": json.dumps(run_ids)},
        )
    )


def recent_crawl_errors(db: Database, source_id: str | None = None, limit: int = 20) -> list[dict]:
    """The newest crawl errors first (of one source, when given): source_id, url, status, error, at."""
    where, params = ("WHERE r.source_id = ?", [source_id]) if source_id else ("", [])
    return list(
        db.query(
            f"""SELECT r.source_id, e.url, e.status, e.error, e.at, e.run_id
                FROM crawl_errors e JOIN crawl_runs r ON r.id = e.run_id
                {where} ORDER BY e.at DESC, e.id DESC LIMIT ?""",
            [*params, limit],
        )
    )


def tagged_count(db: Database) -> int:
    return db.execute("SELECT count(*) FROM articles WHERE tagged_at IS NOT NULL").fetchone()[0]


# -- articles to tag (used by `privwatch tag`) ----------------------------------------------------------


def _to_tag_filter(
    everything: bool, since: str | None, stale_for: str | None, failed_under: str | None
) -> tuple[str, list]:
    """WHERE clause for the articles `privwatch tag` should (re)tag: untagged, all, published since, or
    untagged plus those tagged by an NLP version other than `stale_for`; the untagged and stale ones
    without those the pipeline version `failed_under` failed on (tag_errors)."""
    if since:
        return "coalesce(published, fetched_at) >= ?", [since]
    if everything:
        return "1", []
    where, params = "tagged_at IS NULL", []
    if stale_for:
        where, params = "(tagged_at IS NULL OR nlp_version IS NOT ?)", [stale_for]
    if failed_under:
        where += " AND id NOT IN (SELECT article_id FROM tag_errors WHERE nlp_version = ?)"
        params.append(failed_under)
    return where, params


def count_articles_to_tag(
    db: Database,
    *,
    everything: bool = False,
    since: str | None = None,
    stale_for: str | None = None,
    failed_under: str | None = None,
) -> int:
    where, params = _to_tag_filter(everything, since, stale_for, failed_under)
    return db.execute(f"SELECT count(*) FROM articles WHERE {where}", params).fetchone()[0]


def articles_to_tag(
    db: Database,
    *,
    everything: bool = False,
    since: str | None = None,
    stale_for: str | None = None,
    failed_under: str | None = None,
    batch_size: int = 200,
):
    """Yield lists of {"id", "title", "body", "language"} in id order, batch by batch.

    Untagged articles by default; every article with everything=True; articles published (or, without
    a date, fetched) on or after `since` (an ISO date) when given; with stale_for (the current NLP
    version), untagged articles and those tagged under any other version. With failed_under (the current
    version), untagged and stale articles that version failed on are left out: --all and --since, chosen
    by hand, try them again. Batches are keyset-paginated by id, so tagging (which sets tagged_at) while
    iterating neither skips nor repeats an article.
    """
    where, params = _to_tag_filter(everything, since, stale_for, failed_under)
    last_id = 0
    while True:
        rows = db.execute(
            f"SELECT id, title, body, language FROM articles WHERE ({where}) AND id > ? ORDER BY id LIMIT ?",
            [*params, last_id, batch_size],
        ).fetchall()
        if not rows:
            return
        yield [{"id": r[0], "title": r[1], "body": r[2], "language": r[3]} for r in rows]
        last_id = rows[-1][0]


def tag_error_count(db: Database) -> int:
    return db.execute("SELECT count(*) FROM tag_errors").fetchone()[0]


def all_stored_urls(db: Database, chunk: int = 10_000):
    """Every URL that is a stored article or led to one, in lists of up to `chunk`."""
    cursor = db.execute("SELECT url FROM articles UNION ALL SELECT url FROM article_urls")
    while rows := cursor.fetchmany(chunk):
        yield [r[0] for r in rows]


def crawl_error_recorded(db: Database, run_id: int, url: str | None, error: str) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM crawl_errors WHERE run_id = ? AND url IS ? AND error = ? LIMIT 1",
            [run_id, url, error],
        ).fetchone()
        is not None
    )
