from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from privwatch.cli import OPERATIONS, cli
from privwatch.cli.docs import root_context, walk
from storage import db as store

from .conftest import ROOT

COMMANDS = [(ctx.command_path, command, ctx) for ctx, command in walk(cli, root_context(cli))]


@pytest.mark.parametrize("path,command,ctx", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_verb_has_one_line_help_and_an_example(path, command, ctx):
    summary = command.get_short_help_str(limit=200)
    assert summary and not summary.endswith("..."), f"{path}: needs a one-line description"
    help_text = command.get_help(ctx)
    example = help_text.split("Example:", 1)
    assert len(example) == 2, f"{path}: --help needs an 'Example:' section"
    assert example[1].strip().startswith("privwatch"), f"{path}: the example should be a privwatch command"


@pytest.mark.parametrize("path", [c[0] for c in COMMANDS])
def test_every_verb_is_in_the_readme_reference(path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"### `{path}`" in readme, f"{path} is missing from README.md: run `make readme`"


def test_readme_reference_is_current(run):
    result = run("docs", "--check", "--readme", str(ROOT / "README.md"), expect=None)
    assert result.exit_code == 0, result.output


def test_readme_starts_with_the_two_commands():
    lines = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line.strip()]
    commands = [line.split("#")[0].strip() for line in lines[:12] if line.strip().startswith("make ")]
    assert commands[:2] == ["make demo", "make test"]


def test_console_script_runs():
    bin_dir = Path(sys.executable).parent
    result = subprocess.run([bin_dir / "privwatch", "--help"], capture_output=True, text=True, check=True)
    assert "Usage: privwatch" in result.stdout


@pytest.mark.parametrize("package", ["crawlers", "nlp", "storage", "privwatch"])
def test_generic_package_names_import_from_this_repository(package):
    module = importlib.import_module(package)
    assert Path(module.__file__).resolve().is_relative_to(ROOT), f"{package} imported from {module.__file__}"


def test_ruff_is_clean():
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_help_lists_the_daily_verbs_apart_from_operations(run):
    help_text = run("--help").output
    daily, operations = help_text.split("Daily use:")[1].split("Operations and development:")
    daily_verbs = {line.split()[0] for line in daily.splitlines() if line.startswith("  ")}
    operations_verbs = {line.split()[0] for line in operations.splitlines() if line.startswith("  ")}
    assert {"crawl", "tag", "digest", "serve", "schedule", "alerts", "sources", "companies"} <= daily_verbs
    assert operations_verbs == set(OPERATIONS)
    assert daily_verbs | operations_verbs == set(cli.commands)


def test_db_errors_lists_crawl_errors_newest_first(run, db_path):
    database = store.open_db(db_path)
    first = store.start_crawl_run(database, "szdaily")
    store.record_crawl_error(database, first, "http://127.0.0.1:9/a", None, "ConnectionRefusedError: refused")
    second = store.start_crawl_run(database, "theregister")
    store.record_crawl_error(database, second, "http://127.0.0.1:9/b", 503, "HTTP 503")
    store.record_crawl_error(database, second, "http://127.0.0.1:9/c", 404, "HTTP 404")
    database.close()

    rows = json.loads(run("db", "errors", "--db", str(db_path), "--json").output)
    assert [(r["source_id"], r["url"], r["status"], r["error"]) for r in rows] == [
        ("theregister", "http://127.0.0.1:9/c", 404, "HTTP 404"),
        ("theregister", "http://127.0.0.1:9/b", 503, "HTTP 503"),
        ("szdaily", "http://127.0.0.1:9/a", None, "ConnectionRefusedError: refused"),
    ]
    assert all(r["at"] for r in rows)
    one = json.loads(run("db", "errors", "--source", "szdaily", "--db", str(db_path), "--json").output)
    assert [r["url"] for r in one] == ["http://127.0.0.1:9/a"]
    newest = json.loads(run("db", "errors", "-n", "1", "--db", str(db_path), "--json").output)
    assert [r["url"] for r in newest] == ["http://127.0.0.1:9/c"]
    table = run("db", "errors", "--db", str(db_path)).output
    assert "crawl errors, newest first" in table and "HTTP 503" in table


def test_db_errors_of_a_clean_database_says_so(run, db_path):
    assert run("db", "errors", "--db", str(db_path)).output == "no crawl errors\n"
