"""`privwatch schedule`: crawls, tagging and the digest at their times (privwatch/scheduler.py)."""

from __future__ import annotations

from pathlib import Path

import click

from privwatch.cli.options import db_option
from privwatch.cli.output import print_rows


@click.command()
@click.option("--list", "list_only", is_flag=True, help="Print each job and its next run, then exit.")
@click.option("--once", is_flag=True, help="Run every job once now, then exit.")
@db_option()
@click.pass_obj
def schedule(app, list_only: bool, once: bool, db: str | None) -> None:
    """Run crawls at each source's interval (tagging after each) and the daily digest, until stopped.

    Jobs persist in the job store named in settings.yaml (schedule.jobstore): a restart keeps their next
    run times; sources added to or removed from sources.yaml gain or lose their jobs. SIGINT or SIGTERM
    ends running crawls and exits 0.

    \b
    Example:
      privwatch schedule --list
    """
    import logging

    from privwatch import scheduler
    from storage.config_rows import sync_config

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = app.config
    path = str(Path(app.db_path(db)).resolve())
    database = app.open_db(db, must_exist=False)
    sync_config(database, config)
    database.close()
    jobs = scheduler.run(config, str(config.directory.resolve()), path, list_only=list_only, once=once)
    if list_only or once:
        print_rows(jobs, False, title="jobs")
