"""Storage speed: articles/s of storage.db.upsert_articles against raw sqlite3 executemany, same rows, same
machine, same run, batches of 50 rows per transaction on every side.

- store_vs_sqlite: against executemany into the same schema, a database made by privwatch's migrations
  (the articles table's indexes, the FTS5 table and its triggers, the triggers of the materialized views),
  with the same pragmas (WAL, synchronous NORMAL, foreign keys) and the exact column values privwatch
  stores, body hash and word count computed before the clock starts. The gap is what privwatch's storage
  layer costs over raw SQL: fingerprinting and counting each body, the URL and body-hash lookups that
  tell new, updated, unchanged and duplicate apart, one statement per row.
- store_vs_bare_table: against executemany into a bare table (five columns, a UNIQUE url, no FTS, no
  triggers), the figure this benchmark reported first; it also counts what the schema costs.

Each side runs three times on a fresh database, alternating; each side's best run counts.
"""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from storage import db as store

WORDS = "privacy data users consent regulator fined breach leak app company platform personal".split()
BATCH = 50
ROUNDS = 3


def synthetic_articles(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    return [
        {
            "url": f"https://news.example/{i}",
            "title": " ".join(rng.choices(WORDS, k=8)),
            "body": "\n\n".join(" ".join(rng.choices(WORDS, k=60)) for _ in range(6)),
            "published": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T08:00:00+00:00",
            "language": "en",
        }
        for i in range(count)
    ]


def stored_rows(rows: list[dict]) -> list[dict]:
    """The articles rows privwatch writes for these (all new, none duplicate), computed up front."""
    fetched_at = store.utcnow()
    return [
        {
            **{k: row.get(k) for k in store.ARTICLE_FIELDS},
            "body_hash": store.body_hash(row["body"]),
            "word_count": store.word_count(row["body"]),
            "fetched_at": fetched_at,
            "duplicate_of": None,
        }
        for row in rows
    ]


def _executemany(conn: sqlite3.Connection, sql: str, rows: list[dict]) -> float:
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        with conn:
            conn.executemany(sql, rows[start : start + BATCH])
    elapsed = time.perf_counter() - started
    conn.close()
    return len(rows) / elapsed


def bare_table(path: Path, rows: list[dict]) -> float:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(
        "CREATE TABLE articles (url TEXT UNIQUE, title TEXT, body TEXT, published TEXT, language TEXT)"
    )
    sql = "INSERT INTO articles VALUES (:url, :title, :body, :published, :language)"
    return _executemany(conn, sql, rows)


def same_schema(path: Path, rows: list[dict]) -> float:
    store.open_db(path).close()  # privwatch's migrations make the schema
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")  # as store.open_db; WAL is the file's mode already
    columns = list(rows[0])
    sql = f"INSERT INTO articles ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    return _executemany(conn, sql, rows)


def privwatch_store(path: Path, rows: list[dict]) -> float:
    database = store.open_db(path)
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        store.upsert_articles(database, rows[start : start + BATCH])
    elapsed = time.perf_counter() - started
    database.close()
    return len(rows) / elapsed


def best_rates(sides: dict[str, Callable[[Path], float]]) -> dict[str, float]:
    rates: dict[str, list[float]] = {name: [] for name in sides}
    with tempfile.TemporaryDirectory() as tmp:
        for round_number in range(ROUNDS):
            for name, run in sides.items():
                rates[name].append(run(Path(tmp) / f"{name}-{round_number}.db"))
    return {name: max(values) for name, values in rates.items()}


def main(count: int = 5000) -> dict:
    articles = synthetic_articles(count)
    rows = stored_rows(articles)
    rates = best_rates(
        {
            "bare_table": lambda path: bare_table(path, articles),
            "same_schema": lambda path: same_schema(path, rows),
            "privwatch": lambda path: privwatch_store(path, articles),
        }
    )
    ours, schema, bare = rates["privwatch"], rates["same_schema"], rates["bare_table"]
    result = {
        "store_rows_per_s": round(ours),
        "sqlite_rows_per_s": round(schema),
        "store_vs_sqlite": round(ours / schema, 3),
        "bare_table_rows_per_s": round(bare),
        "store_vs_bare_table": round(ours / bare, 3),
    }
    print(
        f"storage: privwatch {ours:,.0f} articles/s; raw sqlite3 executemany into the same schema "
        f"{schema:,.0f} rows/s, into a bare table {bare:,.0f} rows/s"
    )
    print("BENCH " + json.dumps(result))
    return result


if __name__ == "__main__":
    main()
