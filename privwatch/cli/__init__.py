"""The privwatch command line: one click group, a verb per job, each family of verbs in its own module.

Domain code raises config.errors.PrivwatchError subclasses with one-line messages; PrivwatchGroup.invoke
is the one place that turns them (and database and Redis errors) into one-line CLI errors. The verbs take
the App from the click context (ctx.obj), so their modules never import this one; each imports its heavy
dependencies inside its commands, so that every verb starts fast.
"""

from __future__ import annotations

import sqlite3
import sys
from functools import cached_property
from pathlib import Path

import click

from config.errors import PrivwatchError
from config.models import REPO_CONFIG_DIR, Config
from privwatch.cli.alerts import alerts
from privwatch.cli.config_lists import companies, sources
from privwatch.cli.corrections import correct
from privwatch.cli.crawl import crawl, extract, ingest, worker
from privwatch.cli.db import db_group, init
from privwatch.cli.demo import demo
from privwatch.cli.digest import digest
from privwatch.cli.docs import docs
from privwatch.cli.nlp import nlp_group
from privwatch.cli.schedule import schedule
from privwatch.cli.serve import serve
from privwatch.cli.tag import tag, tag_file


class App:
    """What every command shares: the config directory and the database path override."""

    def __init__(self, config_dir: Path | None):
        self.config_dir = config_dir

    @cached_property
    def config(self) -> Config:
        config = Config(self.config_dir)
        if self.config_dir is None and config.directory == REPO_CONFIG_DIR:
            click.echo(f"no ./config here: using the packaged config in {REPO_CONFIG_DIR}", err=True)
        config.check()
        return config

    def db_path(self, override: str | None) -> str:
        settings = self.config.settings  # a broken config fails every verb, even with --db given
        return override or settings.database

    def open_db(self, override: str | None, *, must_exist: bool = True):
        from storage.db import open_db

        path = self.db_path(override)
        if must_exist and path != ":memory:" and not Path(path).exists():
            raise click.ClickException(f"{path}: no such database (run `privwatch init --db {path}` first)")
        return open_db(path)


# verbs for running and developing privwatch rather than for reading the news; --help lists them apart
OPERATIONS = ("init", "db", "docs", "demo", "extract", "ingest", "worker", "tag-file", "nlp")


class PrivwatchGroup(click.Group):
    """Turns domain errors into one-line click errors (exit 1) instead of tracebacks; --help lists the
    daily verbs first, then the operations and development ones."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        commands = [(name, command) for name, command in commands if command and not command.hidden]
        limit = formatter.width - 6 - max((len(name) for name, _ in commands), default=0)
        for title, operations in (("Daily use", False), ("Operations and development", True)):
            rows = [
                (name, command.get_short_help_str(limit))
                for name, command in commands
                if (name in OPERATIONS) == operations
            ]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PrivwatchError as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            raise click.ClickException(f"database error: {exc}") from None
        except Exception as exc:
            # redis is imported by the verbs that use it (a tenth of a second every other verb saves): if
            # it is not loaded, no Redis error was raised
            redis = sys.modules.get("redis")
            if redis is not None and isinstance(exc, redis.RedisError):
                raise click.ClickException(f"Redis: {exc}") from None
            raise


@click.group(cls=PrivwatchGroup)
@click.option(
    "--config-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="PRIVWATCH_CONFIG_DIR",
    help="Folder with sources.yaml, companies.yaml, incidents.yaml, settings.yaml (default: ./config if it "
    "exists, else the packaged defaults, with a note on stderr).",
)
@click.version_option(package_name="privwatch")
@click.pass_context
def cli(ctx: click.Context, config_dir: Path | None) -> None:
    """Monitor the news for data-privacy controversies: crawl, tag, browse, digest.

    \b
    Example:
      privwatch init && privwatch sources list
    """
    ctx.obj = App(config_dir)


def main() -> None:
    cli(prog_name="privwatch")


for verb in (init, sources, companies, db_group, crawl, worker, ingest, extract, schedule, demo, docs, digest,
             alerts, serve, tag, tag_file, nlp_group, correct):  # fmt: skip
    cli.add_command(verb)
