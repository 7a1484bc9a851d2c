"""Storage speed: articles/s of storage.db.upsert_articles (dedupe checks, FTS triggers, WAL) against raw
sqlite3 executemany into a bare table, same rows, same machine, same run."""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from storage import db as store

WORDS = "privacy data users consent regulator fined breach leak app company platform personal".split()


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


def bare_sqlite(path: Path, rows: list[dict]) -> float:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(
        "CREATE TABLE articles (url TEXT UNIQUE, title TEXT, body TEXT, published TEXT, language TEXT)"
    )
    started = time.perf_counter()
    for start in range(0, len(rows), 50):
        with conn:
            conn.executemany(
                "INSERT INTO articles VALUES (:url, :title, :body, :published, :language)",
                rows[start : start + 50],
            )
    elapsed = time.perf_counter() - started
    conn.close()
    return len(rows) / elapsed


def privwatch_store(path: Path, rows: list[dict]) -> float:
    database = store.open_db(path)
    started = time.perf_counter()
    for start in range(0, len(rows), 50):
        store.upsert_articles(database, rows[start : start + 50])
    elapsed = time.perf_counter() - started
    database.close()
    return len(rows) / elapsed


def main(count: int = 5000) -> dict:
    rows = synthetic_articles(count)
    with tempfile.TemporaryDirectory() as tmp:
        bare = bare_sqlite(Path(tmp) / "bare.db", rows)
        ours = privwatch_store(Path(tmp) / "privwatch.db", rows)
    result = {
        "store_rows_per_s": round(ours),
        "sqlite_rows_per_s": round(bare),
        "store_vs_sqlite": round(ours / bare, 3),
    }
    print(f"storage: privwatch {ours:,.0f} articles/s, bare sqlite3 executemany {bare:,.0f} rows/s")
    print("BENCH " + json.dumps(result))
    return result


if __name__ == "__main__":
    main()
