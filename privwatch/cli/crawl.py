"""The crawl verbs: `privwatch crawl`, `worker` and `ingest` (Redis crawl rounds), and `extract`."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import click

from privwatch.cli.options import db_option, verbose_option
from privwatch.cli.output import print_rows

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


def redis_url(app) -> str:
    url = app.config.settings.redis.url
    if not url:
        raise click.ClickException(
            "no Redis server: set redis.url in settings.yaml or PRIVWATCH_REDIS_URL (docs/scaling.md)"
        )
    return url


def round_keys(app, round_id: str):
    from crawlers.frontier import RoundKeys

    return RoundKeys(app.config.settings.redis.key_prefix, round_id)


@click.command()
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
@verbose_option
@click.option(
    "--tag/--no-tag",
    "tag",
    default=None,
    help="Tag the stored articles while crawling, in a worker process beside the crawl (default: "
    "crawl.tag_while_crawling in settings.yaml).",
)
@db_option()
@click.pass_obj
def crawl(
    app,
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
    from crawlers.forkserver import forkserver_context

    config = app.config
    local = workers is None and not config.settings.redis.url
    if local and config.settings.crawl.extract_workers != 0:
        forkserver_context(start=True)  # it warms up while the crawl starts up

    from crawlers.runner import crawl_settings, run_crawl
    from privwatch.cli.crawl_tagging import CrawlTagger
    from privwatch.cli.crawl_tagging import report as report_tagging
    from storage.config_rows import sync_config

    chosen = (
        [config.source(i) for i in source_ids] if source_ids else [s for s in config.sources if s.enabled]
    )
    if not chosen:
        raise click.ClickException("no sources to crawl")
    path = app.db_path(db)
    database = app.open_db(db, must_exist=False)
    sync_config(database, config)  # sources new to the YAML need their rows first
    tag = config.settings.crawl.tag_while_crawling if tag is None else tag
    tagger = CrawlTagger(str(config.directory), path).start() if tag else None
    try:
        if not local:
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


def crawl_round(app, database, source_ids: list[str], workers: int, verbose: bool) -> list[dict]:
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


@click.command()
@click.option("--round", "round_id", help="The round `privwatch crawl` printed (default: the one running).")
@verbose_option
@click.pass_obj
def worker(app, round_id: str | None, verbose: bool) -> None:
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


@click.command()
@click.option("--wait", is_flag=True, help="Keep going until the workers of those rounds have finished.")
@db_option()
@click.pass_obj
def ingest(app, wait: bool, db: str | None) -> None:
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


@click.command()
@click.argument("pages", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", help="The page's URL, when PAGES is one .html or .html.gz file.")
@click.option("--source", "source_id", metavar="ID", help="Use this source's selectors and time zone.")
@click.pass_obj
def extract(app, pages: Path, url: str | None, source_id: str | None) -> None:
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
    from nlp.jsonl import read_jsonl

    fixed_source = app.config.source(source_id) if source_id else None
    if pages.suffix == ".jsonl":
        jobs = [
            (pages.parent / job["path"], job.get("url") or "")
            for job in read_jsonl(pages, lambda job: pages.parent / job["path"], 'not a {"path", "url"} line')
        ]
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
