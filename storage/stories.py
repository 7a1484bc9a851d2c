"""Reading and writing story membership (migration 0010). Which article joins which story is decided in
nlp/stories.py; the story rows themselves are derived from their members by the migration's triggers."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager

from sqlite_utils import Database

from storage.views import refresh_listed_stories

# An incident article as story assignment sees it: its time (published, else fetched), where it came
# from, its headline and opening, and its tags. `accused`: company ids, and "org:" + name for an
# organisation the knowledge base lacks.
OPENING_CHARS = 600
_ARTICLE_COLUMNS = f"""a.id, coalesce(a.published, a.fetched_at) AS at, a.language, a.duplicate_of, a.title,
    substr(a.body, 1, {OPENING_CHARS}) AS opening"""
_ARTICLE_ROWS = f"""
SELECT {_ARTICLE_COLUMNS},
    (SELECT json_group_array(DISTINCT coalesce(ai.company_id, 'org:' || ai.org_name))
        FROM article_incidents ai WHERE ai.article_id = a.id
        AND coalesce(ai.company_id, ai.org_name) IS NOT NULL) AS accused,
    (SELECT json_group_array(DISTINCT ai.incident_type) FROM article_incidents ai
        WHERE ai.article_id = a.id AND coalesce(ai.company_id, ai.org_name) IS NOT NULL) AS types,
    (SELECT json_group_array(DISTINCT evidence) FROM (
        SELECT ai.evidence FROM article_incidents ai WHERE ai.article_id = a.id AND ai.evidence IS NOT NULL
        UNION SELECT r.evidence FROM article_responses r WHERE r.article_id = a.id AND r.evidence IS NOT NULL
    )) AS evidence
FROM articles a
"""
_ACCUSES = (
    "EXISTS (SELECT 1 FROM article_incidents ai WHERE ai.article_id = {} "
    "AND coalesce(ai.company_id, ai.org_name) IS NOT NULL)"
)
# an incident article, or a syndicated copy of one (whatever the tagger made of the copy's own headline)
_IN_STORIES = f"({_ACCUSES.format('a.id')} OR {_ACCUSES.format('a.duplicate_of')})"


def _article(row: Mapping) -> dict:
    return {
        **row,
        "accused": sorted(json.loads(row["accused"])),
        "types": sorted(json.loads(row["types"])),
        "evidence": json.loads(row["evidence"]),
    }


def incident_articles(db: Database, article_ids: Iterable[int] | None = None) -> list[dict]:
    """The incident articles and their copies (every one, or those of `article_ids`) in the order stories
    take them: by time, then id."""
    where, params = _IN_STORIES, []
    if article_ids is not None:
        ids = sorted(set(article_ids))
        if not ids:
            return []
        where += " AND a.id IN (SELECT value FROM json_each(?))"
        params = [json.dumps(ids)]
    sql = f"{_ARTICLE_ROWS} WHERE {where} ORDER BY at IS NULL, at, a.id"
    return [_article(r) for r in db.query(sql, params)]


def coverage_candidates(
    db: Database, company_ids: Iterable[str], start: str, end: str, org_names: Iterable[str] = ()
) -> list[dict]:
    """Articles that name one of these companies, or of these organisations the knowledge base lacks (by
    name), without the tagger finding an incident in them (a follow-up, a reaction, a report the tagger
    missed), dated from `start` to `end`, in no story and not copies: they may join a story of those
    companies as its coverage. `accused` holds the companies and organisations they name."""
    ids = json.dumps(sorted(set(company_ids)))
    names = json.dumps(sorted(set(org_names)), ensure_ascii=False)
    sql = f"""
SELECT {_ARTICLE_COLUMNS},
    (SELECT json_group_array(DISTINCT named) FROM (
        SELECT m.company_id AS named FROM mentions m WHERE m.article_id = a.id AND m.company_id IS NOT NULL
        UNION SELECT 'org:' || u.name FROM unlinked_orgs u WHERE u.article_id = a.id
    )) AS accused,
    '[]' AS types, '[]' AS evidence
FROM articles a
WHERE (a.id IN (SELECT m.article_id FROM mentions m WHERE m.company_id IN (SELECT value FROM json_each(?)))
    OR a.id IN (SELECT u.article_id FROM unlinked_orgs u WHERE u.name IN (SELECT value FROM json_each(?))))
  AND coalesce(a.published, a.fetched_at) BETWEEN ? AND ?
  AND a.duplicate_of IS NULL AND NOT {_ACCUSES.format("a.id")}
  AND a.id NOT IN (SELECT article_id FROM story_articles)
ORDER BY at, a.id"""
    return [_article(r) for r in db.query(sql, [ids, names, start, end])]


def unassigned_incident_ids(db: Database) -> list[int]:
    """Incident articles and their copies in no story (new ones, and those a re-tag took out)."""
    # from the incident rows and the copies (both indexed), not from every article
    sql = """
SELECT ai.article_id FROM article_incidents ai WHERE coalesce(ai.company_id, ai.org_name) IS NOT NULL
UNION
SELECT a.id FROM articles a JOIN article_incidents ai ON ai.article_id = a.duplicate_of
WHERE a.duplicate_of IS NOT NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL
EXCEPT
SELECT article_id FROM story_articles"""
    return [r[0] for r in db.execute(sql)]


def article_times(db: Database, article_ids: Iterable[int]) -> list[str]:
    """The articles' dates (published, else fetched)."""
    ids = json.dumps(sorted(set(article_ids)))
    sql = "SELECT coalesce(published, fetched_at) FROM articles WHERE id IN (SELECT value FROM json_each(?))"
    return [r[0] for r in db.execute(sql, [ids])]


def stories_between(db: Database, start: str, end: str) -> dict[int, list[int]]:
    """Stories with an article dated from `start` to `end` (ISO strings): story id -> its article ids in
    time order."""
    sql = """
SELECT sa.story_id, a.id FROM story_articles sa JOIN articles a ON a.id = sa.article_id
WHERE sa.story_id IN (
    SELECT s.id FROM stories s WHERE s.last_seen >= ? AND s.first_seen <= ?
    UNION SELECT sa2.story_id FROM story_articles sa2 JOIN articles a2 ON a2.id = sa2.article_id
    WHERE a2.published IS NULL AND a2.fetched_at BETWEEN ? AND ?)
ORDER BY sa.story_id, coalesce(a.published, a.fetched_at), a.id"""
    stories: dict[int, list[int]] = {}
    for story_id, article_id in db.execute(sql, [start, end, start, end]):
        stories.setdefault(story_id, []).append(article_id)
    return stories


def company_names(db: Database) -> list[str]:
    """Every name, alias and product name of the knowledge base's companies."""
    return [r[0] for r in db.execute("SELECT alias FROM company_aliases")]


def memberships(db: Database) -> dict[int, int]:
    """article id -> story id, for every article in a story."""
    return dict(db.execute("SELECT article_id, story_id FROM story_articles").fetchall())


@contextmanager
def _batch(db: Database):
    """One transaction of story_articles writes whose stories are rewritten once each at the end (the
    per-row triggers pause while stories_to_refresh lists anything; 0 is no story)."""
    with db.atomic():
        db.execute("INSERT OR IGNORE INTO stories_to_refresh (story_id) VALUES (0)")
        yield
        refresh_listed_stories(db)


def _list_stories_of(db: Database, article_ids: str) -> None:
    db.execute(
        "INSERT OR IGNORE INTO stories_to_refresh (story_id) SELECT story_id FROM story_articles "
        "WHERE article_id IN (SELECT value FROM json_each(?))",
        [article_ids],
    )


def leave_stories(db: Database, article_ids: Iterable[int]) -> int:
    """Take articles out of their stories (a story left empty goes)."""
    ids = json.dumps(sorted(set(article_ids)))
    with _batch(db):
        _list_stories_of(db, ids)
        return db.execute(
            "DELETE FROM story_articles WHERE article_id IN (SELECT value FROM json_each(?))", [ids]
        ).rowcount


def write_assignments(
    db: Database, assignments: Sequence[tuple[int | str, int, float | None]]
) -> dict[str, int]:
    """Write (story, article id, score) assignments in order, in one transaction. A story is a stored
    story's id, or a string naming a story this batch opens. Returns the opened stories' ids by name."""
    opened: dict[str, int] = {}
    with _batch(db):
        _list_stories_of(db, json.dumps([article_id for _, article_id, _ in assignments]))
        for story, article_id, score in assignments:
            if isinstance(story, str):
                if story not in opened:
                    opened[story] = db.execute("INSERT INTO stories DEFAULT VALUES").lastrowid
                story = opened[story]
            db.execute(
                "INSERT OR REPLACE INTO story_articles (article_id, story_id, score) VALUES (?, ?, ?)",
                [article_id, story, score],
            )
            db.execute("INSERT OR IGNORE INTO stories_to_refresh (story_id) VALUES (?)", [story])
    return opened


def replace_all_stories(db: Database, stories: Mapping[int, Sequence[tuple[int, float | None]]]) -> None:
    """Replace every story with these (story id -> [(article id, score)]), in one transaction."""
    with _batch(db):
        db.execute("DELETE FROM story_articles")
        db.execute("DELETE FROM stories")
        for story_id, members in sorted(stories.items()):
            db.execute("INSERT INTO stories (id) VALUES (?)", [story_id])
            db.execute("INSERT INTO stories_to_refresh (story_id) VALUES (?)", [story_id])
            db.conn.executemany(
                "INSERT INTO story_articles (article_id, story_id, score) VALUES (?, ?, ?)",
                [(article_id, story_id, score) for article_id, score in members],
            )
