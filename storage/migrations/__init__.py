"""The database schema, as named, append-only migrations: one module per migration, named as the migration.

Never edit a migration that has shipped: add a new module after the last one. Each migration is applied
once per database and recorded by name in sqlite-utils' `_sqlite_migrations` table. A migration holds the
SQL it runs, as literal statements (STATEMENTS) or, where it must read the database first, a `migrate(db)`
function; it imports nothing of the runtime code (storage/views.py keeps the materialized views and the
stories at run time), so a later change there cannot change what an old migration makes of a new database.
tests/golden/migrations.json holds a fingerprint of each migration's statements (tests/test_migrations.py).
"""

from __future__ import annotations

import pkgutil
from collections.abc import Callable, Sequence
from importlib import import_module

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

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

MIGRATION_NAMES = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name[:4].isdigit()))


def _executing(statements: Sequence[str]) -> Callable[[Database], None]:
    def migrate(db: Database) -> None:
        # one by one: executescript() would commit the migration's transaction half way
        for statement in statements:
            db.execute(statement)

    return migrate


def _registered() -> Migrations:
    registered = Migrations("privwatch")
    for name in MIGRATION_NAMES:
        module = import_module(f"{__name__}.{name}")
        registered(name=name)(getattr(module, "migrate", None) or _executing(module.STATEMENTS))
    return registered


migrations = _registered()
