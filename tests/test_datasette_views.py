"""The analyst views read from tables that triggers keep current (migration 0005): after any sequence of
writes they must hold exactly the rows the join views would compute (migration 0003's, with 0007's
accused organisations that the knowledge base lacks shown by name)."""

from __future__ import annotations

import random

import pytest

from storage import db as store
from storage.views import refill_materialized_views, refill_stories

from .datasette_fixtures import build_fixture_db

# The views as joins, the reference for what the materialized views must return.
REFERENCE = {
    "incidents": """
SELECT a.published, coalesce(c.name, ai.org_name) AS company, ai.incident_type,
    coalesce(m.response, u.response) AS response, ai.evidence, a.title, a.url,
    s.name AS source, ai.score, ai.article_id, ai.company_id, a.source_id,
    date(a.published, 'weekday 0', '-6 days') AS week
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
LEFT JOIN unlinked_orgs u ON u.article_id = ai.article_id AND u.name = ai.org_name
WHERE a.duplicate_of IS NULL""",
    "company_timeline": """
SELECT m.company_id, c.name AS company, a.published, m.role, m.response,
    (SELECT group_concat(incident_type, ', ') FROM (
        SELECT DISTINCT ai.incident_type FROM article_incidents ai
        WHERE ai.article_id = m.article_id AND ai.company_id = m.company_id
        ORDER BY ai.incident_type)) AS incident_types,
    m.evidence, a.title, a.url, a.source_id, m.article_id
FROM mentions m
JOIN articles a ON a.id = m.article_id
JOIN companies c ON c.id = m.company_id
WHERE a.duplicate_of IS NULL""",
    "weekly_counts": """
SELECT date(a.published, 'weekday 0', '-6 days') AS week, ai.incident_type,
    count(DISTINCT ai.article_id) AS articles, count(DISTINCT ai.company_id) AS companies,
    count(*) AS incidents
FROM article_incidents ai
JOIN articles a ON a.id = ai.article_id
WHERE a.duplicate_of IS NULL AND a.published IS NOT NULL
GROUP BY week, ai.incident_type""",
}


def rows(database, sql: str) -> list[tuple]:
    return sorted(database.execute(sql).fetchall(), key=repr)


def assert_views_match(database, when: str) -> None:
    for view, reference in REFERENCE.items():
        columns = [d[0] for d in database.execute(f"SELECT * FROM ({reference}) LIMIT 0").description]
        actual = rows(database, f"SELECT {', '.join(columns)} FROM {view}")
        assert actual == rows(database, reference), f"{view} differs from its 0003 definition {when}"


@pytest.fixture
def database(tmp_path):
    build_fixture_db(tmp_path / "fixture.db")
    database = store.open_db(tmp_path / "fixture.db")
    yield database
    database.close()


def test_views_keep_their_columns(database):
    assert [d[0] for d in database.execute("SELECT * FROM incidents LIMIT 0").description] == [
        "published", "company", "incident_type", "response", "evidence", "title", "url", "source", "score",
        "article_id", "company_id", "source_id", "week", "language", "fine_amount", "fine_currency",
        "fine_usd", "fine_text", "affected", "affected_text",
    ]  # fmt: skip
    assert [d[0] for d in database.execute("SELECT * FROM company_timeline LIMIT 0").description] == [
        "company_id", "company", "published", "role", "response", "incident_types", "evidence", "title",
        "url", "source_id", "article_id",
    ]  # fmt: skip
    assert [d[0] for d in database.execute("SELECT * FROM weekly_counts LIMIT 0").description] == [
        "week", "incident_type", "articles", "companies", "incidents"
    ]  # fmt: skip


def test_incidents_carry_the_language_the_tagger_found(database):
    differ = (
        "SELECT count(*) FROM incidents i JOIN articles a ON a.id = i.article_id "
        "WHERE i.language IS NOT a.language"
    )
    assert database.execute(differ).fetchone()[0] == 0
    article_id = database.execute("SELECT article_id FROM incidents LIMIT 1").fetchone()[0]
    # a re-tag sets the language it found with tagged_at (storage.db.replace_tags_many)
    database.execute(
        "UPDATE articles SET language = 'zh', tagged_at = '2026-12-05T00:00:00+00:00' WHERE id = ?",
        [article_id],
    )
    languages = {
        r[0] for r in database.execute("SELECT language FROM incidents WHERE article_id = ?", [article_id])
    }
    assert languages == {"zh"}
    assert database.execute(differ).fetchone()[0] == 0


def test_fixture_views_match_the_join_definitions(database):
    assert database.execute("SELECT count(*) FROM incidents").fetchone()[0] > 40
    assert_views_match(database, "after building the fixture")


def random_tags(rng: random.Random, companies: list[str], types: list[str]) -> store.ArticleTags:
    chosen = rng.sample(companies, rng.randint(0, 3))
    unknown = rng.sample(
        ["Acme Data Brokers", "Harbor Point Dental", "Lakeside Credit Union"], rng.randint(0, 2)
    )
    accused_unknown = {name: rng.choice(["apology", "denial", "remediation", "none"]) for name in unknown[:1]}
    return store.ArticleTags(
        mentions=[
            {
                "company_id": c,
                "role": rng.choice(["accused", "mentioned"]),
                "response": rng.choice([None, "apology", "denial", "remediation", "none"]),
                "count": rng.randint(1, 4),
                "evidence": f"sentence about {c}",
            }
            for c in chosen
        ],
        incidents=[
            {
                "incident_type": t,
                "company_id": rng.choice([*chosen, None]) if chosen else None,
                "score": rng.random(),
                "evidence": f"{t} sentence",
            }
            for t in rng.sample(types, rng.randint(0, 2))
        ]
        + [
            {"incident_type": t, "company_id": None, "org_name": name, "score": rng.random(), "evidence": "x"}
            for name in accused_unknown
            for t in rng.sample(types, 1)
        ],
        unlinked_orgs={name: rng.randint(1, 3) for name in unknown},
        unlinked_accused=accused_unknown,
        responses=[
            {"org_name": name, "response": response, "evidence": "said so"}
            for name, response in accused_unknown.items()
            if response != "none"
        ],
    )


def test_views_follow_every_kind_of_write(database):
    rng = random.Random(11)
    companies = [r[0] for r in database.execute("SELECT id FROM companies ORDER BY id LIMIT 12")]
    types = [r[0] for r in database.execute("SELECT id FROM incident_types")]
    ids = [r[0] for r in database.execute("SELECT id FROM articles")]
    for step in range(60):
        action = rng.choice(["new", "retag", "edit", "correct", "syndicate", "delete", "company", "source"])
        if action == "new":
            result = store.upsert_article(
                database,
                {
                    "url": f"https://t.example/{step}",
                    "source_id": rng.choice(["bbc", "szdaily", None]),
                    "title": f"Story {step}",
                    "published": rng.choice([None, f"2024-05-{1 + step % 28:02d}T08:00:00+00:00"]),
                    "body": f"Body of story {step} " * 3,
                },
            )
            ids.append(result.article_id)
            store.replace_tags(database, result.article_id, random_tags(rng, companies, types), "t")
        elif action == "retag":
            store.replace_tags(database, rng.choice(ids), random_tags(rng, companies, types), "t")
        elif action == "edit":
            article_id = rng.choice(ids)
            url = database.execute("SELECT url FROM articles WHERE id = ?", [article_id]).fetchone()
            if url:
                store.upsert_article(
                    database,
                    {"url": url[0], "title": f"Edited {step}", "body": f"new body {step}",
                     "published": f"2023-02-{1 + step % 28:02d}T00:00:00+00:00"},
                )  # fmt: skip
        elif action == "correct":
            # tags changed in place (a manual correction) rather than replaced
            with database.atomic():
                database.execute(
                    "UPDATE mentions SET response = ? WHERE rowid = (SELECT min(rowid) FROM mentions "
                    "WHERE article_id = ?)",
                    [rng.choice(["apology", "denial", None]), rng.choice(ids)],
                )
                database.execute(
                    "UPDATE OR IGNORE article_incidents SET article_id = ?, evidence = 'moved' "
                    "WHERE rowid = (SELECT max(rowid) FROM article_incidents)",
                    [rng.choice(ids)],
                )
                database.execute(
                    "UPDATE unlinked_orgs SET response = ? "
                    "WHERE rowid = (SELECT max(rowid) FROM unlinked_orgs WHERE role = 'accused')",
                    [rng.choice(["apology", "denial", None])],
                )
        elif action == "syndicate":
            # an earlier copy of a stored body turns the stored article into the duplicate
            source = database.execute(
                "SELECT body FROM articles WHERE body IS NOT NULL AND duplicate_of IS NULL "
                "ORDER BY random() LIMIT 1"
            ).fetchone()
            result = store.upsert_article(
                database,
                {"url": f"https://copy.example/{step}", "title": f"Copy {step}", "body": source[0],
                 "published": "2001-01-01T00:00:00+00:00"},
            )  # fmt: skip
            ids.append(result.article_id)
        elif action == "delete":
            victim = rng.choice(ids)
            store.delete_article(database, victim)
            ids.remove(victim)
        elif action == "company":
            company = rng.choice(companies)
            with database.atomic():
                database.execute("UPDATE companies SET name = name || '+' WHERE id = ?", [company])
        else:
            with database.atomic():
                database.execute("UPDATE sources SET name = name || '+' WHERE id = 'bbc'")
        assert_views_match(database, f"after step {step} ({action})")


def test_removing_a_company_or_source_updates_the_views(database):
    with database.atomic():
        database.execute("DELETE FROM companies WHERE id = 'tencent'")  # cascades to its tags
    assert_views_match(database, "after deleting a company")
    database.execute("PRAGMA foreign_keys = OFF")  # leaves rows pointing at what is gone
    with database.atomic():
        database.execute("DELETE FROM sources WHERE id = 'guardian'")
        database.execute("DELETE FROM companies WHERE id = 'ant-group'")
    assert_views_match(database, "after deleting companies and a source")
    with database.atomic():
        database.execute("INSERT INTO companies (id, name) VALUES ('ant-group', 'Ant (restored)')")
        database.execute("INSERT INTO sources (id, name, kind) VALUES ('guardian', 'Guardian', 'feed')")
    assert_views_match(database, "after restoring them")


MATERIALIZED = ("incidents_materialized", "company_timeline_materialized", "weekly_counts_materialized")
STORY_TABLES = ("stories", "story_responses", "story_companies")


def test_a_refill_writes_the_rows_the_triggers_keep(database):
    """storage/views.py's refills (the end of a bulk load without triggers) and the migrations' triggers
    are separate copies of the row definitions; they must agree."""

    def snapshot(tables: tuple[str, ...]) -> dict[str, list[tuple]]:
        return {table: rows(database, f"SELECT * FROM {table}") for table in tables}

    # the fixture's tags have no response set; each accused company's main response gives one
    database.execute(
        "INSERT INTO article_responses (article_id, company_id, response, evidence) "
        "SELECT article_id, company_id, response, evidence FROM mentions "
        "WHERE role = 'accused' AND response IN ('apology', 'denial', 'remediation')"
    )
    kept = snapshot(MATERIALIZED + STORY_TABLES)
    assert all(kept[table] for table in kept), "the fixture fills every table"
    with database.atomic():
        for table in MATERIALIZED:
            database.execute(f"DELETE FROM {table}")
        database.execute("UPDATE stories SET title = NULL, articles = 0, company = NULL")
        for table in STORY_TABLES[1:]:
            database.execute(f"DELETE FROM {table}")
        refill_materialized_views(database)
        refill_stories(database)
    assert snapshot(MATERIALIZED + STORY_TABLES) == kept
