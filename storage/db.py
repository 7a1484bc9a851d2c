"""The storage API: the only place that writes to the privwatch database."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlite_utils import Database

from storage.corrections import corrected_tags
from storage.migrations import migrations

# the tag rows live below storage/corrections.py, which builds on them; callers keep importing these
# from here
from storage.tags import ArticleTags, write_tags
from storage.text import visible_line, visible_text
from storage.timestamps import utcnow

BUSY_TIMEOUT_MS = 30_000

UpsertOutcome = Literal["new", "updated", "unchanged", "duplicate"]

# fields shown on one line: bidi marks and controls go, whitespace runs become one space (storage/text.py)
ARTICLE_LINES = ("title", "author", "credit", "section")

ARTICLE_FIELDS = (
    "url",
    "source_id",
    "title",
    "author",
    "credit",
    "published",
    "updated",
    "section",
    "language",
    "body",
    "extractor",
)


class WriterDatabase(Database):
    """sqlite-utils' Database whose atomic() blocks take the write lock when they begin.

    A crawl's store pipeline and the tag worker beside it (privwatch/cli/crawl_tagging.py) write at once. A
    transaction opened with a plain BEGIN that reads first (is this URL stored?) and then writes must
    upgrade its lock, and in WAL mode SQLite refuses that at once, without waiting out the busy timeout,
    when the other process committed in between ("database is locked"). BEGIN IMMEDIATE queues for the
    lock instead.
    """

    @contextmanager
    def atomic(self):
        if self.conn.in_transaction:  # a nested block: sqlite-utils' savepoint
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                self.rollback()
                raise


def open_db(path: str | Path, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the database with WAL, foreign keys and a busy timeout; migrate it."""
    db = WriterDatabase(str(path))
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    if str(path) != ":memory:":
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
    if migrate and migrations.pending(db):
        # Foreign keys are off while migrating (PRAGMA foreign_keys cannot change inside the transaction):
        # a migration that rebuilds a table others reference, SQLite's way to change a constraint, must not
        # fire their ON DELETE actions when it drops the old table.
        db.execute("PRAGMA foreign_keys = OFF")
        # BEGIN IMMEDIATE takes the write lock first, so two processes opening a new database at once
        # do not both apply the same migration: the second waits, then finds nothing pending
        db.execute("BEGIN IMMEDIATE")
        try:
            migrations.apply(db)
        except BaseException:
            db.rollback()
            raise
        else:
            db.commit()
        finally:
            db.execute("PRAGMA foreign_keys = ON")
    return db


def pending_migrations(db: Database) -> list[str]:
    return [m.name for m in migrations.pending(db)]


def body_hash(body: str | None) -> str | None:
    """A fingerprint of the body that survives what syndication changes: whitespace, case, Unicode form,
    and a headline, standfirst or credit line added around the text (only paragraphs of 20 words or
    more count, when there are any)."""
    if not body:
        return None
    paragraphs = [p.split() for p in unicodedata.normalize("NFKC", body).casefold().split("\n")]
    long_ones = [" ".join(words) for words in paragraphs if len(words) >= 20]
    text = "\n".join(long_ones or [" ".join(words) for words in paragraphs if words])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


CJK_OR_WORD = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+"
)


# ASCII word characters (what \w matches below U+0080) kept, every other byte turned into a space
ASCII_WORDS_ONLY = (
    bytes(b if chr(b).isalnum() or chr(b) == "_" else ord(" ") for b in range(128)) + b" " * 128
)


def word_count(body: str | None) -> int:
    """Words, counting each Chinese, Japanese or Korean character as one (they are written unspaced)."""
    if not body:
        return 0
    if body.isascii():
        # the same count as the regex, several times faster: every stored body is counted
        return len(body.encode("ascii").translate(ASCII_WORDS_ONLY).split())
    return len(CJK_OR_WORD.findall(body))


# -- configuration -----------------------------------------------------------------------------------


@dataclass
class ConfigRows:
    sources: list[dict] = field(default_factory=list)
    companies: list[dict] = field(default_factory=list)
    aliases: list[dict] = field(default_factory=list)
    incident_types: list[dict] = field(default_factory=list)
    watchlists: list[dict] = field(default_factory=list)


def load_config_rows(db: Database, rows: ConfigRows) -> dict[str, int]:
    """Upsert sources, companies, aliases and incident types; aliases are replaced wholesale.

    Rows that disappeared from the config are kept when stored data still refers to them (sources,
    companies; watchlists, made inactive); the alias table is the config's alone.
    """
    from storage.watchlists import sync_watchlists

    with db.atomic():
        db.execute("PRAGMA defer_foreign_keys = ON")
        db["sources"].upsert_all(rows.sources, pk="id")
        companies = [
            {**c, "name": visible_line(c["name"]), "tickers": json.dumps(c.get("tickers") or [])}
            for c in rows.companies
        ]
        db["companies"].upsert_all(companies, pk="id")
        db.execute("DELETE FROM company_aliases")
        db["company_aliases"].insert_all(rows.aliases)
        db["incident_types"].upsert_all(rows.incident_types, pk="id")
        sync_watchlists(db, rows.watchlists, utcnow())
    return {
        "sources": len(rows.sources),
        "companies": len(rows.companies),
        "company_aliases": len(rows.aliases),
        "incident_types": len(rows.incident_types),
        "watchlists": len(rows.watchlists),
    }


# -- articles -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpsertResult:
    outcome: UpsertOutcome
    article_id: int
    duplicate_of: int | None = None


def stored_urls(db: Database, urls: Iterable[str]) -> set[str]:
    """Which of these URLs are stored articles, or led to one."""
    urls = list(urls)
    found: set[str] = set()
    for start in range(0, len(urls), 500):
        chunk = urls[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(
            r[0]
            for r in db.execute(
                f"SELECT url FROM articles WHERE url IN ({marks}) "
                f"UNION SELECT url FROM article_urls WHERE url IN ({marks})",
                chunk + chunk,
            )
        )
    return found


def upsert_article(db: Database, article: Mapping) -> UpsertResult:
    """Store an article keyed by its canonical URL and say what happened.

    `fetched_urls` may list other URLs that led to the same article (feed links, redirects).

    new: a URL not seen before; updated: a stored URL whose body changed (its tags are then stale, so
    tagged_at is cleared); unchanged: stored with the same body; duplicate: a new URL whose body is
    already stored under another URL (kept, with duplicate_of pointing at the first copy).
    """
    with db.atomic():
        return _upsert_article(db, article)


def upsert_articles(db: Database, articles: Sequence[Mapping]) -> list[UpsertResult]:
    """upsert_article for a batch, in one transaction."""
    with db.atomic():
        return [_upsert_article(db, a) for a in articles]


def _upsert_article(db: Database, article: Mapping) -> UpsertResult:
    result = _store_article(db, article)
    other_urls = set(article.get("fetched_urls") or []) - {article["url"]}
    for url in sorted(other_urls):
        db.execute(
            "INSERT OR REPLACE INTO article_urls (url, article_id) VALUES (?, ?)", [url, result.article_id]
        )
    return result


def _insert_article(db: Database, row: dict) -> int:
    # plain INSERT: sqlite-utils' insert() re-reads the table's schema on every call
    columns = ", ".join(row)
    marks = ", ".join(f":{k}" for k in row)
    return db.execute(f"INSERT INTO articles ({columns}) VALUES ({marks})", row).lastrowid


def _store_article(db: Database, article: Mapping) -> UpsertResult:
    row = {k: article.get(k) for k in ARTICLE_FIELDS}
    row.update({k: visible_line(row[k]) for k in ARTICLE_LINES}, body=visible_text(row["body"]))
    row["truncated"] = 1 if article.get("truncated") else 0
    if not row["url"]:
        raise ValueError("an article needs a url")
    row["body_hash"] = article.get("body_hash") or body_hash(row["body"])
    existing = db.execute("SELECT id, body_hash FROM articles WHERE url = ?", [row["url"]]).fetchone()
    if existing and existing[1] == row["body_hash"]:
        return UpsertResult("unchanged", existing[0])
    # counted only for rows that get written: a re-crawl finds most articles unchanged
    row["word_count"] = word_count(row["body"])
    row["fetched_at"] = article.get("fetched_at") or utcnow()
    if existing:
        article_id = existing[0]
        row["tagged_at"] = None
        row["nlp_version"] = None
        assignments = ", ".join(f"{k} = ?" for k in row)
        db.execute(f"UPDATE articles SET {assignments} WHERE id = ?", [*row.values(), article_id])
        # a new text: the pipeline that failed on the old one tries it
        db.execute("DELETE FROM tag_errors WHERE article_id = ?", [article_id])
        return UpsertResult("updated", article_id)
    original = None
    if row["body_hash"]:
        found = db.execute(
            "SELECT id, published FROM articles WHERE body_hash = ? AND duplicate_of IS NULL "
            "ORDER BY id LIMIT 1",
            [row["body_hash"]],
        ).fetchone()
        if found and _published_earlier(row["published"], found[1]):
            # the copy we stored first is the later one: the new article is the original
            article_id = _insert_article(db, {**row, "duplicate_of": None})
            db.execute(
                "UPDATE articles SET duplicate_of = ? WHERE id = ? OR duplicate_of = ?",
                [article_id, found[0], found[0]],
            )
            return UpsertResult("new", article_id)
        original = found[0] if found else None
    row["duplicate_of"] = original
    article_id = _insert_article(db, row)
    return UpsertResult("duplicate" if original else "new", article_id, original)


def _published_earlier(candidate: str | None, stored: str | None) -> bool:
    """Whether one publication time is known to be earlier than another (ISO 8601 strings in UTC)."""
    return bool(candidate and stored) and candidate[:19] < stored[:19]


def delete_article(db: Database, article_id: int) -> None:
    with db.atomic():
        db.execute("DELETE FROM articles WHERE id = ?", [article_id])


# -- tags ---------------------------------------------------------------------------------------------


def replace_tags(db: Database, article_id: int, tags: ArticleTags, nlp_version: str) -> None:
    """Replace every tag of an article (mentions, incidents, responses, unlinked organisations) in one
    transaction."""
    replace_tags_many(db, [(article_id, tags)], nlp_version)


def replace_tags_many(db: Database, tagged: Iterable[tuple[int, ArticleTags]], nlp_version: str) -> None:
    """replace_tags for a batch of (article_id, tags), in one transaction (`privwatch tag`: a commit per
    article was 40% of its write time). An article's active corrections are applied to its tags, which
    are then kept as the tagger's output (storage/corrections.py)."""
    tagged_at = utcnow()
    with db.atomic():
        for article_id, tags in tagged:
            write_tags(db, article_id, corrected_tags(db, article_id, tags))
            db.execute(
                "DELETE FROM tag_errors WHERE article_id = ? AND nlp_version = ?", [article_id, nlp_version]
            )
            db.execute(
                "UPDATE articles SET tagged_at = ?, nlp_version = ?, language = coalesce(?, language), "
                "tag_depth = ? WHERE id = ?",
                [tagged_at, nlp_version, tags.language, tags.depth, article_id],
            )


def record_tag_errors(db: Database, failed: Iterable[tuple[int, str]], nlp_version: str) -> None:
    """A tag_errors row per (article_id, error) the pipeline of nlp_version failed on; a later failure
    of the same article and version replaces the row."""
    failed_at = utcnow()
    with db.atomic():
        db["tag_errors"].upsert_all(
            (
                {"article_id": article_id, "nlp_version": nlp_version, "error": error, "failed_at": failed_at}
                for article_id, error in failed
            ),
            pk=("article_id", "nlp_version"),
        )


# -- crawl runs -----------------------------------------------------------------------------------------


def start_crawl_run(db: Database, source_id: str | None) -> int:
    with db.atomic():
        return (
            db["crawl_runs"]
            .insert({"source_id": source_id, "started": utcnow(), "status": "running"})
            .last_pk
        )


def close_interrupted_runs(db: Database, source_id: str) -> int:
    """Runs of this source still 'running' when a new one starts were killed: mark them failed."""
    with db.atomic():
        return db.execute(
            "UPDATE crawl_runs SET status = 'failed', finished = ?, error = 'interrupted: the crawl ended "
            "without finishing its run' WHERE source_id = ? AND status = 'running'",
            [utcnow(), source_id],
        ).rowcount


def record_crawl_error(db: Database, run_id: int, url: str | None, status: int | None, error: str) -> None:
    with db.atomic():
        db["crawl_errors"].insert(
            {"run_id": run_id, "url": url, "status": status, "error": error, "at": utcnow()}
        )
        db.execute("UPDATE crawl_runs SET errors = errors + 1 WHERE id = ?", [run_id])


def record_crawl_warning(
    db: Database,
    run_id: int,
    kind: str,
    *,
    pages: int,
    message: str,
    detail: Mapping | None = None,
    example_url: str | None = None,
) -> None:
    """The run's one warning of this kind (recording it again replaces it): e.g. selector_miss, with the
    pages where the source's selectors matched nothing, `detail` {selector: pages} and one such page."""
    row = {
        "run_id": run_id,
        "kind": kind,
        "pages": pages,
        "detail": json.dumps(dict(detail), sort_keys=True) if detail is not None else None,
        "example_url": example_url,
        "message": message,
        "at": utcnow(),
    }
    columns = ", ".join(row)
    updates = ", ".join(f"{k} = excluded.{k}" for k in row if k not in ("run_id", "kind"))
    with db.atomic():
        db.execute(
            f"INSERT INTO crawl_warnings ({columns}) VALUES ({', '.join(f':{k}' for k in row)}) "
            f"ON CONFLICT (run_id, kind) DO UPDATE SET {updates}",
            row,
        )


def add_crawl_counts(db: Database, run_id: int, **counts: int) -> None:
    """Add to a running crawl's pages/new/updated/duplicates counters."""
    allowed = {"pages", "new", "updated", "duplicates"}
    unknown = set(counts) - allowed
    if unknown:
        raise ValueError(f"unknown crawl counters: {sorted(unknown)}")
    if not counts:
        return
    assignments = ", ".join(f"{k} = {k} + ?" for k in counts)
    with db.atomic():
        db.execute(f"UPDATE crawl_runs SET {assignments} WHERE id = ?", [*counts.values(), run_id])


def finish_crawl_run(db: Database, run_id: int, status: str, error: str | None = None) -> dict:
    with db.atomic():
        db.execute(
            "UPDATE crawl_runs SET finished = ?, status = ?, error = ? WHERE id = ?",
            [utcnow(), status, error, run_id],
        )
    return db["crawl_runs"].get(run_id)


# -- digests ------------------------------------------------------------------------------------------


def record_digest(
    db: Database, period_start: str, period_end: str, recipients: list[str], items: int, message_id: str
) -> int:
    with db.atomic():
        return (
            db["digests"]
            .insert(
                {
                    "period_start": period_start,
                    "period_end": period_end,
                    "sent_at": utcnow(),
                    "recipients": json.dumps(recipients),
                    "items": items,
                    "message_id": message_id,
                }
            )
            .last_pk
        )
