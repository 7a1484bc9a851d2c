"""The database verbs: `privwatch init` and `privwatch db` (stats, schema, crawl errors)."""

from __future__ import annotations

import json

import click

from privwatch.cli.options import db_option, json_option
from privwatch.cli.output import print_rows


@click.command()
@db_option()
@click.pass_obj
def init(app, db: str | None) -> None:
    """Create or migrate the database and load sources, companies and incident types from config.

    Re-running it applies new migrations and updates the loaded rows; it never duplicates them.

    \b
    Example:
      privwatch init --db privwatch.db
    """
    from storage.config_rows import sync_config
    from storage.db import open_db, pending_migrations
    from storage.queries import applied_migrations

    path = app.db_path(db)
    database = open_db(path, migrate=False)
    pending = pending_migrations(database)
    database = open_db(path)
    counts = sync_config(database, app.config)
    click.echo(
        f"{path}: {len(applied_migrations(database))} migrations ({len(pending)} new); loaded "
        + ", ".join(f"{n} {table}" for table, n in counts.items())
    )


@click.group("db")
def db_group() -> None:
    """Inspect the database: row counts, schema and crawl errors.

    \b
    Example:
      privwatch db stats
    """


@db_group.command("stats")
@db_option()
@json_option()
@click.pass_obj
def db_stats(app, db: str | None, as_json: bool) -> None:
    """Print the row count of every table and view.

    \b
    Example:
      privwatch db stats --db privwatch.db
    """
    from storage.queries import table_counts, view_counts

    database = app.open_db(db)
    counts = {**table_counts(database), **view_counts(database)}
    if as_json:
        click.echo(json.dumps(counts, indent=2))
    else:
        print_rows([{"table": k, "rows": v} for k, v in counts.items()], False, title=app.db_path(db))


@db_group.command("schema")
@db_option()
@click.pass_obj
def db_schema(app, db: str | None) -> None:
    """Print the database schema as SQL (tables, indexes, triggers, views).

    \b
    Example:
      privwatch db schema --db privwatch.db > tests/golden/schema.sql
    """
    from storage.queries import schema_sql

    click.echo(schema_sql(app.open_db(db)), nl=False)


@db_group.command("errors")
@click.option("--source", "-s", "source_id", metavar="ID", help="Only this source's errors.")
@click.option("--limit", "-n", type=click.IntRange(1), default=20, show_default=True, help="How many rows.")
@db_option()
@json_option()
@click.pass_obj
def db_errors(app, source_id: str | None, limit: int, db: str | None, as_json: bool) -> None:
    """List the newest crawl errors (table crawl_errors): source, URL, HTTP status, error and when.

    \b
    Example:
      privwatch db errors --source szdaily --limit 5
    """
    from storage.queries import recent_crawl_errors

    rows = recent_crawl_errors(app.open_db(db), source_id, limit)
    if not rows and not as_json:
        click.echo("no crawl errors" + (f" for source {source_id}" if source_id else ""))
        return
    print_rows(rows, as_json, title="crawl errors, newest first")
