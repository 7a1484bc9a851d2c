"""The privwatch command line: one click group, a verb per job."""

from __future__ import annotations

import json
import shlex
import sqlite3
import subprocess
import sys
from functools import cached_property
from pathlib import Path

import click
import redis
from rich.console import Console
from rich.table import Table

from config.models import REPO_CONFIG_DIR, Config, ConfigError
from privwatch.config_rows import storage_rows
from storage.db import load_config_rows


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
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            raise click.ClickException(f"database error: {exc}") from None
        except redis.RedisError as exc:
            raise click.ClickException(f"Redis: {exc}") from None


pass_app = click.make_pass_decorator(App)
db_option = click.option(
    "--db", "db", metavar="PATH", help="SQLite database (default: `database` in settings.yaml)."
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


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


@cli.command()
@db_option
@pass_app
def init(app: App, db: str | None) -> None:
    """Create or migrate the database and load sources, companies and incident types from config.

    Re-running it applies new migrations and updates the loaded rows; it never duplicates them.

    \b
    Example:
      privwatch init --db privwatch.db
    """
    from storage.db import load_config_rows, open_db, pending_migrations
    from storage.queries import applied_migrations

    path = app.db_path(db)
    rows = storage_rows(app.config)
    database = open_db(path, migrate=False)
    pending = pending_migrations(database)
    database = open_db(path)
    counts = load_config_rows(database, rows)
    click.echo(
        f"{path}: {len(applied_migrations(database))} migrations ({len(pending)} new); loaded "
        + ", ".join(f"{n} {table}" for table, n in counts.items())
    )


@cli.group()
def sources() -> None:
    """Inspect the news sources configured in config/sources.yaml.

    \b
    Example:
      privwatch sources list
    """


@sources.command("list")
@json_option
@pass_app
def sources_list(app: App, as_json: bool) -> None:
    """List every configured source with its kind, interval and start URLs.

    \b
    Example:
      privwatch sources list --json
    """
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "kind": s.kind,
            "every": s.every,
            "language": s.language,
            "start_urls": " ".join(str(u) for u in s.start_urls),
        }
        for s in app.config.sources
    ]
    print_rows(rows, as_json, title="sources")


@cli.group()
def companies() -> None:
    """Inspect the company knowledge base (config/companies.yaml).

    \b
    Example:
      privwatch companies list --search alipay
    """


@companies.command("list")
@click.option(
    "--search", "-s", metavar="TEXT", help="Only companies whose name, alias or product contains TEXT."
)
@json_option
@pass_app
def companies_list(app: App, search: str | None, as_json: bool) -> None:
    """List the companies of the knowledge base with their aliases and products.

    \b
    Example:
      privwatch companies list --search tencent
    """
    needle = search.casefold() if search else None
    rows = []
    for company in app.config.knowledge_base.companies:
        names = [n for n, _ in company.names()]
        if needle and not any(needle in n.casefold() for n in [company.id, *names]):
            continue
        rows.append(
            {
                "id": company.id,
                "name": company.name,
                "country": company.country,
                "sector": company.sector,
                "parent": company.parent,
                "also": ", ".join(names[1:]),
            }
        )
    print_rows(rows, as_json, title="companies")


@cli.group("db")
def db_group() -> None:
    """Inspect the database: row counts, schema and crawl errors.

    \b
    Example:
      privwatch db stats
    """


@db_group.command("stats")
@db_option
@json_option
@pass_app
def db_stats(app: App, db: str | None, as_json: bool) -> None:
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
@db_option
@pass_app
def db_schema(app: App, db: str | None) -> None:
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
@db_option
@json_option
@pass_app
def db_errors(app: App, source_id: str | None, limit: int, db: str | None, as_json: bool) -> None:
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


CRAWL_SUMMARY = ("source_id", "status", "pages", "new", "updated", "duplicates", "errors")


def print_crawl_summary(database, runs: list[dict]) -> None:
    """The finished runs as a table, then a line per blocked run and per warning (e.g. selectors that matched
    nothing, crawl limits that left pages out)."""
    from storage.queries import crawl_warnings_of_runs

    print_rows([{k: run[k] for k in CRAWL_SUMMARY} for run in runs], False, title="crawl")
    for run in runs:
        if run["status"] == "blocked":
            click.echo(f"{run['source_id']}: blocked: {run['error']}")
    for warning in crawl_warnings_of_runs(database, [run["id"] for run in runs]):
        click.echo(f"{warning['source_id']}: {warning['message']}")


def scrapy_log_settings(verbose: bool) -> dict:
    """Without -v, warnings and errors one line each; with it, Scrapy's log and full tracebacks."""
    return {"LOG_LEVEL": "INFO" if verbose else "WARNING", "PRIVWATCH_LOG_TRACEBACKS": verbose}


def redis_url(app: App) -> str:
    url = app.config.settings.redis.url
    if not url:
        raise click.ClickException(
            "no Redis server: set redis.url in settings.yaml or PRIVWATCH_REDIS_URL (docs/scaling.md)"
        )
    return url


def round_keys(app: App, round_id: str):
    from crawlers.frontier import RoundKeys

    return RoundKeys(app.config.settings.redis.key_prefix, round_id)


@cli.command()
@click.option(
    "--source", "-s", "source_ids", multiple=True, metavar="ID", help="Crawl only this source (repeatable)."
)
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(0, 64),
    help="Share the crawl among N local worker processes on the Redis frontier (default 1 when redis.url "
    "is set; 0: only workers started elsewhere with `privwatch worker`).",
)
@click.option("--verbose", "-v", is_flag=True, help="Show Scrapy's log, with the traceback of each failure.")
@click.option(
    "--tag/--no-tag",
    "tag",
    default=None,
    help="Tag the stored articles while crawling, in a worker process beside the crawl (default: "
    "crawl.tag_while_crawling in settings.yaml).",
)
@db_option
@pass_app
def crawl(
    app: App,
    source_ids: tuple[str, ...],
    workers: int | None,
    verbose: bool,
    tag: bool | None,
    db: str | None,
) -> None:
    """Crawl the configured sources into the database and print a summary per source.

    Articles already stored are not fetched again; each run writes a crawl_runs row per source and a
    crawl_errors row per failure. A source whose selectors matched nothing on some pages (its site
    changed) gets one crawl_warnings row per run and a line under the summary; its articles are kept
    through the general extractor. A source whose robots.txt forbids its start URLs ends `blocked`; what
    the crawl limits of settings.yaml left out is a warning line. Exits 1 when every source failed or was
    blocked. With redis.url set, the crawl is a
    round on a Redis frontier shared by worker processes here and on other machines (docs/scaling.md).
    With --tag (the default setting), a worker process tags what the crawl stores as it arrives, as
    `privwatch tag` would, and a last round when the crawl ends; if it fails, the articles stay stored
    untagged for `privwatch tag`, and the crawl's summary and exit status are the crawl's alone.

    \b
    Example:
      privwatch crawl --source szdaily --db privwatch.db
      privwatch crawl --workers 3   # with redis.url set
    """
    from crawlers.runner import crawl_settings, run_crawl
    from privwatch.crawl_tagging import CrawlTagger
    from privwatch.crawl_tagging import report as report_tagging

    config = app.config
    chosen = (
        [config.source(i) for i in source_ids] if source_ids else [s for s in config.sources if s.enabled]
    )
    if not chosen:
        raise click.ClickException("no sources to crawl")
    path = app.db_path(db)
    database = app.open_db(db, must_exist=False)
    load_config_rows(database, storage_rows(config))  # sources new to the YAML need their rows first
    tag = config.settings.crawl.tag_while_crawling if tag is None else tag
    tagger = CrawlTagger(str(config.directory), path).start() if tag else None
    try:
        if workers is not None or config.settings.redis.url:
            source_ids = [s.id for s in chosen]
            runs = crawl_round(app, database, source_ids, 1 if workers is None else workers, verbose)
        else:
            database.close()
            settings = crawl_settings(config.settings, path, scrapy_log_settings(verbose))
            runs = run_crawl(chosen, settings, on_stop=tagger.stop if tagger else None)
            database = app.open_db(db)
    except BaseException:
        if tagger:
            tagger.stop()
            tagger.finish()
        raise
    print_crawl_summary(database, runs)
    if tagger:
        report_tagging(tagger.finish())
    if runs and all(run["status"] in ("failed", "blocked") for run in runs):
        config_dir = ["--config-dir", str(app.config_dir)] if app.config_dir else []
        errors = shlex.join(["privwatch", *config_dir, "db", "errors", *(["--db", db] if db else [])])
        raise click.ClickException(f"every source failed or was blocked by robots.txt; `{errors}` lists why")


def crawl_round(app: App, database, source_ids: list[str], workers: int, verbose: bool) -> list[dict]:
    from crawlers.frontier import connect
    from privwatch.scaleout import CrawlRound, new_round_id

    url = redis_url(app)
    keys = round_keys(app, new_round_id())
    crawl_round = CrawlRound(connect(url), database, keys, source_ids)
    crawl_round.open()
    click.echo(
        f"crawl round {keys.round} with {workers} local workers; more can join from any machine with "
        f"`privwatch worker --round {keys.round}`",
        err=True,
    )
    command = [sys.executable, "-m", "privwatch", "--config-dir", str(app.config.directory)]
    command += ["worker", "--round", keys.round, *(["--verbose"] if verbose else [])]
    runs = crawl_round.run(command, workers)
    for worker_id, pages in sorted(crawl_round.worker_pages.items()):
        click.echo(f"worker {worker_id}: {pages} pages", err=True)
    return runs


@cli.command()
@click.option("--round", "round_id", help="The round `privwatch crawl` printed (default: the one running).")
@click.option("--verbose", "-v", is_flag=True, help="Show Scrapy's log, with the traceback of each failure.")
@pass_app
def worker(app: App, round_id: str | None, verbose: bool) -> None:
    """Crawl as one worker of a Redis crawl round; pages and articles go to Redis, not to a database.

    The round's sources are those `privwatch crawl` chose; this machine needs the same config/ and
    redis.url (or PRIVWATCH_REDIS_URL). It stops when the round has no work left.

    \b
    Example:
      privwatch worker --round 20261130T071500-ab12
    """
    from crawlers import frontier
    from crawlers.runner import crawl_settings, run_crawl

    url = redis_url(app)
    server = frontier.connect(url)
    if round_id is None:
        running = frontier.running_rounds(server, app.config.settings.redis.key_prefix)
        if len(running) != 1:
            found = f"rounds {', '.join(running)}: give --round" if running else "no crawl round"
            raise click.ClickException(f"{found} on {url}")
        round_id = running[0]
    keys = round_keys(app, round_id)
    source_ids = sorted(k.decode() for k in server.hkeys(keys.runs))
    if not source_ids:
        raise click.ClickException(f"no crawl round {round_id} on {url} (finished, or never started)")
    worker_id = frontier.new_worker_id()
    heartbeat = app.config.settings.redis.heartbeat_seconds
    overrides = {**scrapy_log_settings(verbose), **frontier.scrapy_settings(url, keys, worker_id, heartbeat)}
    run_crawl([app.config.source(i) for i in source_ids], crawl_settings(app.config.settings, "", overrides))
    server.delete(keys.alive(worker_id))


@cli.command()
@click.option("--wait", is_flag=True, help="Keep going until the workers of those rounds have finished.")
@db_option
@pass_app
def ingest(app: App, wait: bool, db: str | None) -> None:
    """Store what the workers of Redis crawl rounds without a coordinator sent, and finish those rounds.

    `privwatch crawl` stores its round's articles itself; if it died, this stores what its workers
    pushed (nothing twice) and closes the round's crawl runs once no work and no worker is left.

    \b
    Example:
      privwatch ingest --wait --db privwatch.db
    """
    import time

    from crawlers.frontier import connect
    from privwatch.scaleout import adopt_orphan_rounds

    server, database = connect(redis_url(app)), app.open_db(db)
    prefix = app.config.settings.redis.key_prefix
    stored, finished, going = adopt_orphan_rounds(server, database, prefix)
    while wait and going:
        time.sleep(1)
        more, done, going = adopt_orphan_rounds(server, database, prefix)
        stored, finished = stored + more, finished + done
    if finished:
        print_crawl_summary(database, finished)
    click.echo(f"ingested {stored} records" + (f"; {going} rounds still crawling" if going else ""))


@cli.command()
@click.argument("pages", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", help="The page's URL, when PAGES is one .html or .html.gz file.")
@click.option("--source", "source_id", metavar="ID", help="Use this source's selectors and time zone.")
@pass_app
def extract(app: App, pages: Path, url: str | None, source_id: str | None) -> None:
    """Extract articles from stored pages and print one JSON line per page.

    PAGES is a .jsonl file of {"path": ".html or .html.gz file", "url": ...} lines (paths relative to
    it), or one page with --url. Output keys: path, url, title, published, authors (people), credit
    (outlets, desks, agencies), body, language, extractor (and section, missed_selectors). The crawler
    uses the same extraction code.

    \b
    Example:
      privwatch extract page.html --url https://www.szdaily.com/content/2018-01/05/content_1.htm
    """
    from crawlers.extract import extract as extract_page
    from crawlers.extract import read_page
    from crawlers.sources import source_for_url

    fixed_source = app.config.source(source_id) if source_id else None
    if pages.suffix == ".jsonl":
        jobs = []
        for number, line in enumerate(pages.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                job = json.loads(line)
                jobs.append((pages.parent / job["path"], job.get("url") or ""))
            except (ValueError, KeyError, TypeError) as exc:
                raise click.ClickException(f'{pages}:{number}: not a {{"path", "url"}} line: {exc}') from None
    elif url:
        jobs = [(pages, url)]
    else:
        raise click.ClickException("give --url for a single page, or a .jsonl file of pages")
    failures = 0
    for path, page_url in jobs:
        try:
            source = fixed_source or source_for_url(app.config.sources, page_url)
            page = extract_page(read_page(path), page_url, source=source)
        except (OSError, ValueError) as exc:
            failures += 1
            click.echo(json.dumps({"path": str(path), "url": page_url, "error": str(exc)}))
            continue
        record = {"path": str(path), **page.as_dict(), "url": page_url or page.url, "canonical_url": page.url}
        record.pop("encoding", None)
        click.echo(json.dumps(record, ensure_ascii=False))
    if failures == len(jobs):
        raise click.ClickException("no page could be read")


@cli.command()
@click.option("--list", "list_only", is_flag=True, help="Print each job and its next run, then exit.")
@click.option("--once", is_flag=True, help="Run every job once now, then exit.")
@db_option
@pass_app
def schedule(app: App, list_only: bool, once: bool, db: str | None) -> None:
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

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = app.config
    path = str(Path(app.db_path(db)).resolve())
    database = app.open_db(db, must_exist=False)
    load_config_rows(database, storage_rows(config))
    database.close()
    jobs = scheduler.run(config, str(config.directory.resolve()), path, list_only=list_only, once=once)
    if list_only or once:
        print_rows(jobs, False, title="jobs")


@cli.command()
@click.option("--db", default="privwatch-demo.db", show_default=True, help="The demo database to write.")
@click.option("--port", default=8001, show_default=True, help="Datasette's port on 127.0.0.1.")
@click.option("--no-serve", is_flag=True, help="Stop after the database and the digest preview are written.")
@pass_app
def demo(app: App, db: str, port: int, no_serve: bool) -> None:
    """Run the whole product offline on the bundled snapshot, then browse it in Datasette.

    Serves the snapshot's three news sites on 127.0.0.1, crawls and tags them into DB, writes a digest
    preview (privwatch-demo-digest.eml and .html) and serves Datasette until Ctrl-C.

    \b
    Example:
      privwatch demo --port 8001
    """
    import tempfile

    from privwatch.demo import DemoError, prepare, serve_sites

    config = app.config
    db_path = Path(db).resolve()
    digest_path = Path("privwatch-demo-digest.eml").resolve()
    try:
        servers = serve_sites()
    except DemoError as exc:
        raise click.ClickException(str(exc)) from None
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
    except DemoError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        for site in servers.values():
            site.stop()
        work.cleanup()


@cli.command("docs")
@click.option("--check", is_flag=True, help="Fail if README.md's CLI reference is out of date.")
@click.option(
    "--readme", type=click.Path(dir_okay=False, path_type=Path), default="README.md", show_default=True
)
def docs(check: bool, readme: Path) -> None:
    """Regenerate the CLI reference in README.md from the commands' own help.

    \b
    Example:
      privwatch docs --check
    """
    from privwatch.reference import update_readme

    if not readme.exists():
        raise click.ClickException(f"{readme}: no such file")
    text = readme.read_text(encoding="utf-8")
    updated = update_readme(text, cli)
    if check:
        if updated != text:
            raise click.ClickException(f"{readme}: CLI reference is out of date; run `privwatch docs`")
        click.echo(f"{readme}: CLI reference is up to date")
        return
    readme.write_text(updated, encoding="utf-8")
    click.echo(f"{readme}: CLI reference written")


# -- verbs defined with their subsystem (each module imports its heavy dependencies inside the command) --
from privwatch.digest import digest  # noqa: E402

cli.add_command(digest)
from privwatch.alerts import alerts  # noqa: E402

cli.add_command(alerts)
from privwatch.serve import serve  # noqa: E402

cli.add_command(serve)
from privwatch.nlp_commands import nlp_group, tag, tag_file  # noqa: E402

cli.add_command(tag)
cli.add_command(tag_file)
cli.add_command(nlp_group)
from privwatch.corrections import correct, export_corrections  # noqa: E402

cli.add_command(correct)
nlp_group.add_command(export_corrections)


def main() -> None:
    cli(prog_name="privwatch")
