"""`privwatch digest`: the daily digest e-mail (privwatch/digest/)."""

from __future__ import annotations

from pathlib import Path

import click

from privwatch.cli.options import DateTimeParam, db_option


@click.command()
@click.option(
    "--since",
    type=DateTimeParam(),
    metavar="DT",
    help="Start of the period (default: the end of the last digest sent, or 24 h before --until). "
    "A time without an offset is in digest.timezone.",
)
@click.option("--until", type=DateTimeParam(), metavar="DT", help="End of the period (default: now).")
@click.option(
    "--to",
    "to",
    multiple=True,
    metavar="ADDR",
    help="Send to ADDR instead of digest.recipients (repeatable).",
)
@click.option(
    "--dry-run", is_flag=True, help="Write the message to --out instead of sending; records nothing."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    metavar="FILE.eml",
    help="Where --dry-run writes the message.",
)
@click.option("--force", is_flag=True, help="Send even if a digest already covers the period.")
@db_option()
@click.pass_obj
def digest(app, since, until, to, dry_run, out, force, db) -> None:
    """E-mail the new privacy incidents by company, with evidence, spikes and links.

    The period runs from the end of the last digest sent (or the last 24 h) to now. Articles count when
    they were tagged in the period; an empty period is sent only when digest.send_empty is on. A sent
    digest is recorded and its period is not sent again unless --force. SMTP settings come from
    settings.yaml (smtp.*), login from PRIVWATCH_SMTP_USER and PRIVWATCH_SMTP_PASSWORD; a real send
    needs digest.datasette_url to be an address the recipients can open (not 127.0.0.1).

    \b
    Example:
      privwatch digest --dry-run --out digest.eml
    """
    from privwatch.digest.send import digest_addresses, send_digest

    config = app.config  # a broken config fails before the options are checked
    if dry_run and out is None:
        raise click.ClickException("--dry-run writes the message to a file: give --out FILE.eml")
    if out is not None and not dry_run:
        raise click.ClickException("--out goes with --dry-run (a sent digest is not also written to a file)")
    sender, recipients = digest_addresses(config, to, dry_run=dry_run)
    database_path = app.db_path(db)
    run = send_digest(config, app.open_db(db), database_path, sender, recipients, since=since,
                      until=until, dry_run=dry_run, out=out, force=force)  # fmt: skip
    click.echo(run.summary)
    if run.refused:
        click.echo(f"warning: the server refused {', '.join(run.refused)}", err=True)
