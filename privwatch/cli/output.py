"""How verbs print rows and where they read and write JSON lines ("-" for stdin and stdout)."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager

import click
from rich.console import Console
from rich.table import Table


def print_rows(rows: list[dict], as_json: bool, title: str | None = None) -> None:
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console = Console(width=None if Console().is_terminal else 200)
    table = Table(title=title, show_lines=False)
    for column in rows[0] if rows else []:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    console.print(table)


@contextmanager
def open_lines(path: str, mode: str):
    """A file to read as bytes ("rb") or write as UTF-8 text ("w"); "-" is stdin or stdout."""
    if path == "-":
        yield sys.stdin.buffer if mode == "rb" else sys.stdout
        return
    try:
        with open(path, mode, encoding=None if "b" in mode else "utf-8") as handle:
            yield handle
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror or exc}") from None
