"""The options and parameter types more than one verb takes, each defined once."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

DB_HELP = "SQLite database (default: `database` in settings.yaml)."


def db_option(default: str | None = None, *, help: str = DB_HELP, metavar: str | None = "PATH"):
    """--db: the database a verb reads or writes (settings.yaml's `database` unless a default is given)."""
    return click.option(
        "--db", "db", metavar=metavar, default=default, show_default=default is not None, help=help
    )


def json_option(help: str = "Print JSON instead of a table."):
    return click.option("--json", "as_json", is_flag=True, help=help)


workers_option = click.option(
    "--workers",
    "-w",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes that run the spaCy pipeline (one per core is the most that helps).",
)


def gold_argument(metavar: str):
    """GOLD: the gold files (JSON lines) an evaluation scores against."""
    return click.argument(
        "gold", metavar=metavar, nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path)
    )


verbose_option = click.option(
    "--verbose", "-v", is_flag=True, help="Show Scrapy's log, with the traceback of each failure."
)


def iso_date(_ctx, _param, value: str | None) -> str | None:
    """An option callback: a YYYY-MM-DD date, as that text."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2024-05-31") from None


class DateTimeParam(click.ParamType):
    """An ISO 8601 date or date-time; a naive one is read later in digest.timezone."""

    name = "datetime"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(
                f"{value!r} is not a date or time like 2025-03-20 or 2025-03-20T07:30+08:00", param, ctx
            )
