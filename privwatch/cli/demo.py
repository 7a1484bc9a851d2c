"""`privwatch demo`: the whole product offline on the bundled snapshot (privwatch/demo.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from privwatch.cli.options import db_option


@click.command()
@db_option("privwatch-demo.db", help="The demo database to write.", metavar=None)
@click.option("--port", default=8001, show_default=True, help="Datasette's port on 127.0.0.1.")
@click.option("--no-serve", is_flag=True, help="Stop after the database and the digest preview are written.")
@click.pass_obj
def demo(app, db: str, port: int, no_serve: bool) -> None:
    """Run the whole product offline on the bundled snapshot, then browse it in Datasette.

    Serves the snapshot's three news sites on 127.0.0.1, crawls and tags them into DB, writes a digest
    preview (privwatch-demo-digest.eml and .html) and serves Datasette until Ctrl-C.

    \b
    Example:
      privwatch demo --port 8001
    """
    import tempfile

    from privwatch.demo import prepare, serve_sites

    config = app.config
    db_path = Path(db).resolve()
    digest_path = Path("privwatch-demo-digest.eml").resolve()
    servers = serve_sites()
    work = tempfile.TemporaryDirectory(prefix="privwatch-demo-")
    try:
        demo_config = prepare(config.directory, Path(work.name), db_path, digest_path, servers, click.echo)
        click.echo(f"database: {db_path}")
        click.echo(f"digest preview: {digest_path} and {digest_path.with_suffix('.html')}")
        if no_serve:
            return
        click.echo(f"Datasette: http://127.0.0.1:{port}/  (Ctrl-C stops the demo)")
        click.echo(f"Atom feeds: http://127.0.0.1:{port}/-/feeds/incidents.atom, /-/feeds/watchlists/ID.atom")
        command = [sys.executable, "-m", "privwatch", "--config-dir", str(demo_config),
                   "serve", "--db", str(db_path), "--port", str(port)]  # fmt: skip
        server = subprocess.Popen(command)
        try:
            server.wait()
        except KeyboardInterrupt:
            server.terminate()
            server.wait(timeout=20)
    finally:
        for site in servers.values():
            site.stop()
        work.cleanup()
