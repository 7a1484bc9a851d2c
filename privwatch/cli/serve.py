"""`privwatch serve`: the database in Datasette, read-only (privwatch/serve.py)."""

from __future__ import annotations

import gc
from pathlib import Path

import click

from privwatch.cli.options import db_option


@click.command()
@db_option()
@click.option("--host", metavar="HOST", help="Address to listen on (default: serve.host, 127.0.0.1).")
@click.option(
    "--port", type=click.IntRange(1, 65535), metavar="PORT", help="Port (default: serve.port, 8001)."
)
@click.pass_obj
def serve(app, db: str | None, host: str | None, port: int | None) -> None:
    """Browse the database in Datasette: incidents, search, canned queries and a dashboard, read-only.

    Opens the database read-only with config/datasette/ (metadata.yaml, plugins/, templates/): every
    table and column described, incidents newest first with facets, canned queries, full-text search
    and the "Privacy controversies" dashboard at /-/dashboards. Listens on 127.0.0.1 unless told
    otherwise: to serve beyond this machine, set up password auth first (docs/datasette.md).

    \b
    Example:
      privwatch serve --db privwatch.db --port 8001
    """
    from privwatch.serve import build_datasette, check_address, check_database, is_loopback

    settings = app.config.settings
    path = Path(app.db_path(db))
    host = host or settings.serve.host
    port = port or settings.serve.port
    check_database(path)
    datasette = build_datasette(path, app.config)
    check_address(host, port)
    if not is_loopback(host):
        click.echo(
            f"warning: listening on {host}, beyond this machine: anyone who can reach it reads the whole "
            "database unless password auth is set up (docs/datasette.md)",
            err=True,
        )
    import uvicorn

    click.echo(f"privwatch: serving {path} read-only at http://{host}:{port}/ (Ctrl-C stops)")
    app = datasette.app()
    # what is loaded by now lives as long as the server: out of the collector's sight, a page of hundreds
    # of rows no longer pays for a full collection that walks all of it
    gc.freeze()
    uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="on")
