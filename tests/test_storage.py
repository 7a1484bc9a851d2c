from __future__ import annotations

import json
import sqlite3

import pytest

from storage import db as store
from storage.migrations import TABLES, VIEWS, migrations
from storage.queries import applied_migrations, schema_sql, search_articles, table_counts

from .conftest import GOLDEN
from .migration_fingerprints import GOLDEN_NAME, fingerprints


def article(url: str, body: str = "Ant Financial apologised for a pre-ticked box.", **extra) -> dict:
    return {"url": url, "source_id": None, "title": "Ant apologizes", "body": body, **extra}


@pytest.fixture
def database(db_path):
    database = store.open_db(db_path)
    yield database
    database.close()


def test_init_creates_every_table_and_view(database):
    names = {r[0]: r[1] for r in database.execute("SELECT name, type FROM sqlite_master")}
    for table in (*TABLES, "articles_fts"):
        assert names.get(table) == "table", table
    for view in VIEWS:
        assert names.get(view) == "view", view
    assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert applied_migrations(database) == [m.name for m in migrations._migrations]


def test_second_init_changes_neither_schema_nor_counts(run, db_path):
    first = store.open_db(db_path)
    schema, counts = schema_sql(first), table_counts(first)
    first.close()
    assert counts["companies"] >= 60 and counts["company_aliases"] > counts["companies"]
    assert counts["sources"] >= 6 and counts["incident_types"] == 7
    result = run("init", "--db", str(db_path))
    assert "(0 new)" in result.output
    again = store.open_db(db_path)
    assert schema_sql(again) == schema
    assert table_counts(again) == counts


def test_schema_matches_golden_file(database):
    """A new database, built by the migrations, has the golden schema."""
    golden = (GOLDEN / "schema.sql").read_text(encoding="utf-8")
    assert schema_sql(database) == golden, "schema changed: run `make golden` and review the diff"


def test_migrations_are_named_and_append_only():
    names = [m.name for m in migrations._migrations]
    assert names == sorted(names)
    assert all(name[:4].isdigit() and name[4] == "_" for name in names)


def test_shipped_migrations_run_the_sql_they_shipped_with():
    recorded = json.loads((GOLDEN / GOLDEN_NAME).read_text(encoding="utf-8"))
    current = fingerprints()
    gone = [name for name in recorded if name not in current]
    assert not gone, f"shipped migrations {gone} are gone or renamed: databases record them by name"
    changed = [name for name in recorded if current[name] != recorded[name]]
    assert not changed, (
        f"shipped migrations {changed} no longer run the SQL they shipped with: a shipped migration is "
        "frozen, add a new one instead"
    )
    new = [name for name in current if name not in recorded]
    assert not new, f"migrations {new} are not recorded: run `python tests/make_golden.py` (make golden)"


def test_fts_follows_insert_update_and_delete(database):
    first = store.upsert_article(database, article("https://a.example/1", "Sesame Credit enrolment scandal"))
    assert [r["id"] for r in search_articles(database, "sesame")] == [first.article_id]

    updated = store.upsert_article(database, article("https://a.example/1", "WeChat chat history denial"))
    assert updated.outcome == "updated"
    assert search_articles(database, "sesame") == []
    assert [r["id"] for r in search_articles(database, "wechat")] == [first.article_id]

    store.delete_article(database, first.article_id)
    assert search_articles(database, "wechat") == []
    database.execute(
        "INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')"
    )  # raises if out of sync


def test_tagging_an_article_leaves_its_search_index_alone(database):
    stored = store.upsert_article(database, article("https://a.example/1", "Sesame Credit enrolment scandal"))

    def index_writes() -> int:
        # FTS5 writes a new segment to its shadow table for every indexed change
        return database.execute("SELECT count(*), sum(length(block)) FROM articles_fts_data").fetchone()

    before = index_writes()
    tags = store.ArticleTags(language="en", depth="full")
    for version in ("test-1", "test-2"):
        store.replace_tags(database, stored.article_id, tags, version)
    assert index_writes() == before
    store.upsert_article(database, article("https://a.example/1", "WeChat chat history denial"))
    assert index_writes() != before
    assert [r["id"] for r in search_articles(database, "wechat")] == [stored.article_id]


def test_chinese_articles_are_found_by_any_run_of_three_characters(database):
    body = "用户打开支付宝年度账单时发现，芝麻信用服务协议已被默认勾选。"
    chinese = store.upsert_article(database, article("https://a.example/zh", body, language="zh"))
    english = store.upsert_article(
        database, article("https://a.example/en", "Sesame Credit 芝麻信用", language="en")
    )
    assert [r["id"] for r in search_articles(database, '"芝麻信用"')] == [chinese.article_id]
    assert [r["id"] for r in search_articles(database, '"默认勾选"')] == [chinese.article_id]
    assert search_articles(database, '"微信聊天"') == []
    # the tagger finds the English article is Chinese after all, and the Chinese one English
    database.execute("UPDATE articles SET language = 'zh' WHERE id = ?", [english.article_id])
    database.execute("UPDATE articles SET language = 'en' WHERE id = ?", [chinese.article_id])
    assert [r["id"] for r in search_articles(database, '"芝麻信用"')] == [english.article_id]
    store.delete_article(database, english.article_id)
    assert search_articles(database, '"芝麻信用"') == []
    database.execute("INSERT INTO articles_fts_zh(articles_fts_zh) VALUES('integrity-check')")


def test_upserting_the_same_url_twice_keeps_one_row(database):
    results = [store.upsert_article(database, article("https://a.example/same")) for _ in range(2)]
    assert [r.outcome for r in results] == ["new", "unchanged"]
    assert results[0].article_id == results[1].article_id
    assert database["articles"].count == 1


def test_same_body_at_another_url_is_a_duplicate(database):
    body = "Tencent denied storing WeChat chat histories on its servers."
    original = store.upsert_article(database, article("https://a.example/orig", body))
    copy = store.upsert_article(database, article("https://b.example/copy", "  " + body.upper() + "\n"))
    assert copy.outcome == "duplicate" and copy.duplicate_of == original.article_id
    row = database["articles"].get(copy.article_id)
    assert row["duplicate_of"] == original.article_id and row["word_count"] == 9


def test_changed_body_clears_tags_timestamp(database):
    first = store.upsert_article(database, article("https://a.example/t"))
    store.replace_tags(database, first.article_id, store.ArticleTags(), "test-1")
    assert database["articles"].get(first.article_id)["tagged_at"]
    store.upsert_article(database, article("https://a.example/t", "A new body"))
    assert database["articles"].get(first.article_id)["tagged_at"] is None


def test_replace_tags_replaces_rather_than_adds(database):
    stored = store.upsert_article(database, article("https://a.example/tags"))
    tags = store.ArticleTags(
        mentions=[
            {
                "company_id": "ant-group",
                "role": "accused",
                "response": "apology",
                "count": 3,
                "evidence": "e1",
            },
            {"company_id": "alibaba", "role": "mentioned", "response": None, "count": 1, "evidence": None},
        ],
        incidents=[
            {"incident_type": "consent", "company_id": "ant-group", "score": 0.9, "evidence": "box"},
            {"incident_type": "profiling", "company_id": None, "score": 0.6, "evidence": "score"},
        ],
        unlinked_orgs={"Zhejiang Widgets": 2},
    )
    for _ in range(2):
        store.replace_tags(database, stored.article_id, tags, "test-1")
    counts = table_counts(database)
    assert (counts["mentions"], counts["article_incidents"], counts["unlinked_orgs"]) == (2, 2, 1)
    incidents = list(database.query("SELECT company, incident_type, response FROM incidents ORDER BY 2"))
    assert incidents == [
        {"company": "Ant Group", "incident_type": "consent", "response": "apology"},
        {"company": None, "incident_type": "profiling", "response": None},
    ]
    timeline = list(
        database.query("SELECT company_id, role, incident_types FROM company_timeline ORDER BY 1")
    )
    assert timeline == [
        {"company_id": "alibaba", "role": "mentioned", "incident_types": None},
        {"company_id": "ant-group", "role": "accused", "incident_types": "consent"},
    ]


def test_tags_must_name_known_companies(database):
    stored = store.upsert_article(database, article("https://a.example/fk"))
    bad = store.ArticleTags(mentions=[{"company_id": "no-such-co", "role": "accused", "count": 1}])
    with pytest.raises(sqlite3.IntegrityError):
        store.replace_tags(database, stored.article_id, bad, "test-1")
    assert database["mentions"].count == 0


def test_crawl_runs_and_errors_are_recorded(database):
    run_id = store.start_crawl_run(database, "szdaily")
    store.add_crawl_counts(database, run_id, pages=3, new=2, duplicates=1)
    store.record_crawl_error(database, run_id, "https://x/404", 404, "HTTP 404")
    row = store.finish_crawl_run(database, run_id, "partial")
    assert (row["pages"], row["new"], row["duplicates"], row["errors"], row["status"]) == (
        3,
        2,
        1,
        1,
        "partial",
    )
    assert row["finished"] >= row["started"]
    with pytest.raises(ValueError):
        store.add_crawl_counts(database, run_id, bogus=1)


def test_digest_is_recorded(database):
    store.record_digest(
        database, "2024-01-01T00:00:00+00:00", "2024-01-02T00:00:00+00:00", ["a@x.org"], 4, "<m@x>"
    )
    row = next(database.query("SELECT * FROM digests"))
    assert json.loads(row["recipients"]) == ["a@x.org"] and row["items"] == 4


def test_the_earlier_publication_is_the_original_whatever_the_crawl_order(database):
    body = "Alipay users were enrolled in Sesame Credit through a box ticked by default."
    copy = store.upsert_article(
        database, article("https://b.example/copy", body, published="2018-01-06T02:00:00+00:00")
    )
    first = store.upsert_article(
        database, article("https://a.example/orig", body, published="2018-01-05T00:53:00+00:00")
    )
    assert first.outcome == "new" and copy.outcome == "new"
    assert database["articles"].get(copy.article_id)["duplicate_of"] == first.article_id
    assert database["articles"].get(first.article_id)["duplicate_of"] is None


def test_blocked_runs_migration_keeps_runs_their_errors_and_warnings(tmp_path):
    db_path = tmp_path / "before-0016.db"
    old = store.open_db(db_path, migrate=False)
    migrations.apply(old, stop_before="0016_blocked_runs")
    old.conn.commit()
    old.execute("PRAGMA foreign_keys = ON")
    run_id = store.start_crawl_run(old, None)
    store.record_crawl_error(old, run_id, "https://a.example/gone", 404, "HTTP 404")
    store.record_crawl_warning(old, run_id, "selector_miss", pages=2, message="selectors missed on 2 pages")
    with pytest.raises(sqlite3.IntegrityError):
        store.finish_crawl_run(old, run_id, "blocked")
    old.close()

    database = store.open_db(db_path)
    assert [(r["id"], r["status"], r["errors"]) for r in database.query("SELECT * FROM crawl_runs")] == [
        (run_id, "running", 1)
    ]
    assert database["crawl_errors"].count == 1 and database["crawl_warnings"].count == 1
    assert database.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.finish_crawl_run(database, run_id, "blocked")["status"] == "blocked"
    with pytest.raises(sqlite3.IntegrityError):
        store.finish_crawl_run(database, run_id, "stuck")
    database.execute("DELETE FROM crawl_runs")
    database.conn.commit()
    assert database["crawl_errors"].count == 0, "crawl_errors still follow their run"


def test_a_transaction_that_reads_then_writes_queues_for_the_lock(tmp_path):
    """The crawl's store pipeline and the tag worker write at once: a transaction that reads first must
    wait for the other writer, not fail with "database is locked" because the other one committed in
    between (WAL refuses such a lock upgrade without waiting)."""
    import threading

    path = tmp_path / "two-writers.db"
    store.open_db(path).execute("CREATE TABLE notes (who TEXT)")
    crawl = store.open_db(path, migrate=False)

    def tag_worker_writes():
        tagger = store.open_db(path, migrate=False)
        with tagger.atomic():
            tagger.execute("INSERT INTO notes VALUES ('tagger')")

    with crawl.atomic():
        crawl.execute("SELECT count(*) FROM notes").fetchone()
        other = threading.Thread(target=tag_worker_writes)
        other.start()
        other.join(timeout=1)  # with a plain BEGIN the other writer commits here, and the insert below fails
        crawl.execute("INSERT INTO notes VALUES ('crawl')")
    other.join()
    assert sorted(r[0] for r in crawl.execute("SELECT who FROM notes")) == ["crawl", "tagger"]


def test_articles_the_store_pipeline_cannot_write_become_crawl_errors(monkeypatch):
    from types import SimpleNamespace

    from crawlers.pipelines import StorePipeline

    errors = []
    runs = SimpleNamespace(error=lambda *args: errors.append(args))
    recorder = SimpleNamespace(runs=runs)  # the CrawlRunRecorder extension, as crawl_runs() finds it
    pipeline = StorePipeline(SimpleNamespace(get_extension=lambda _: recorder), ":memory:", batch_size=2)

    def locked(db, rows):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "upsert_articles", locked)
    pipeline.batch = [{"source_id": "szdaily", "url": f"https://example.com/{n}"} for n in range(2)]
    pipeline.flush()
    assert [(e[0], e[1]) for e in errors] == [
        ("szdaily", "https://example.com/0"),
        ("szdaily", "https://example.com/1"),
    ]
    assert all("not stored: database is locked" in e[3] for e in errors) and pipeline.batch == []
