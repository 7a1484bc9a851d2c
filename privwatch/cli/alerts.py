"""`privwatch alerts`, and the alerts `privwatch tag` sends after each run (privwatch/alerts.py)."""

from __future__ import annotations

from pathlib import Path

import click

from privwatch.cli.options import db_option
from privwatch.digest.text import count_of


def report(run) -> None:
    """Print what a run did (privwatch.alerts.AlertRun): a summary line, and a warning line per failure."""
    if any(run.sent.values()) or run.dropped:
        click.echo(run.summary())
    for failure in run.failures:
        click.echo(f"warning: alert not sent, still owed: {failure}", err=True)


def alerts_after_tag(config, database, database_path: str) -> None:
    """The end of `privwatch tag` and of each round of the crawl's tag worker: send what is owed; a failure
    is a warning, the tagging stands."""
    from privwatch.alerts import send_after_tag

    run = send_after_tag(config, database, database_path)
    if run is not None:
        report(run)


@click.command("alerts")
@click.option(
    "--dry-run", is_flag=True, help="Write the alerts owed to --out instead of sending; records nothing."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Where --dry-run writes them: an .eml file per e-mail, a .json file per webhook post.",
)
@db_option()
@click.pass_obj
def alerts(app, dry_run: bool, out: Path | None, db: str | None) -> None:
    """Send the watchlists' immediate alerts still owed, by e-mail and webhook.

    The alerts owed are the new incidents that match a watchlist, and what earlier runs could not send.
    `privwatch tag` sends them after every run; run this by hand after fixing a mail server or webhook.
    Watchlists are in config/watchlists.yaml; every alert is recorded in the alerts table and sent once.
    Exits 1 when an alert could not be sent (it stays owed for the next run).

    \b
    Example:
      privwatch alerts --dry-run --out alerts/
    """
    from privwatch.alerts import send_owed_alerts
    from storage.config_rows import sync_config

    config = app.config
    if dry_run and out is None:
        raise click.UsageError("--dry-run writes the alerts to files: give --out DIR")
    if out is not None and not dry_run:
        raise click.UsageError("--out goes with --dry-run (sent alerts are not also written to files)")
    database = app.open_db(db)
    sync_config(database, config)  # watchlists edited since the last run count now
    run = send_owed_alerts(config, database, app.db_path(db), dry_run=dry_run, out=out)
    if dry_run:
        click.echo(f"wrote {count_of(len(run.written), 'alert message')} to {out}: not sent, not recorded")
        return
    report(run)
    if not any(run.sent.values()) and not run.dropped and not run.failures:
        click.echo("alerts: nothing owed")
    if run.failures:
        raise click.ClickException(
            f"{count_of(len(run.failures), 'alert message')} not sent; see the alerts table"
        )
