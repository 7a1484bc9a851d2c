"""The tag worker of `privwatch crawl`: a process beside the crawl that tags what the crawl stores, in
rounds, so an article's incidents are in the database a few seconds after the article is, not after the
whole crawl.

Decisions:
- It polls the database (every POLL_SECONDS, one indexed count) rather than hearing from the crawl's store
  pipeline: the plain Scrapy crawl and the Redis round's coordinator store articles in different places,
  and the database is the one thing both share. SQLite's WAL and busy timeout let the crawl and the worker
  write at once.
- A round is one run of `privwatch tag` over the untagged articles (privwatch/tagging.py): tags,
  tag_errors rows, stories, alerts. The spaCy pipeline (seconds to load) is built at the first round that
  finds something to tag, so a crawl that stores nothing never loads it.
- A separate process (spawned: a fresh interpreter, no copy of Scrapy's reactor or of an open SQLite
  connection): spaCy holds the GIL, and in the crawl's process it would starve the reactor.
- When the crawl ends the worker does a last round and exits; the crawl waits for it. When the crawl is
  stopped (SIGINT, SIGTERM) the worker stops after the write in progress, and what it has not tagged waits
  for the next `privwatch tag`, as it does when the worker fails: the crawl's articles and exit status
  never depend on it. A worker whose crawl died stops at its next poll.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from dataclasses import dataclass

import click

from config.errors import PrivwatchError
from config.models import Config

POLL_SECONDS = 2.0
# after a stop, the write in progress gets this long before the worker is killed (its transaction then
# rolls back: those articles stay untagged)
STOP_GRACE_SECONDS = 30.0


@dataclass
class WorkerOutcome:
    """What the tag worker reports to the crawl: its totals, or why it failed."""

    run: object | None = None  # privwatch.tagging.TagRun
    stories: int = 0
    stopped: bool = False
    error: str | None = None


def tag_in_rounds(config_dir: str, db_path: str, crawl_ended, results, poll_seconds: float) -> None:
    """The worker process: a round whenever untagged articles are stored, a last one once crawl_ended is
    set; its WorkerOutcome goes to `results` (a pipe's sending end)."""
    stop_asked = []

    def ask_stop(*_):
        stop_asked.append(True)

    signal.signal(signal.SIGINT, ask_stop)
    signal.signal(signal.SIGTERM, ask_stop)
    parent = multiprocessing.parent_process()

    def should_stop() -> bool:
        return bool(stop_asked) or (parent is not None and not parent.is_alive())

    outcome = WorkerOutcome()
    try:
        rounds = Rounds(config_dir, db_path, should_stop)
        while not should_stop():
            ended = crawl_ended.wait(poll_seconds)
            if should_stop():
                break
            rounds.tag_new()
            if ended:
                break
        outcome.run, outcome.stories = rounds.total, rounds.stories
        outcome.stopped = should_stop()
    except Exception as exc:  # noqa: BLE001 - any failure is reported to the crawl, which goes on
        outcome.error = one_line(exc)
    results.send(outcome)
    results.close()


def one_line(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, PrivwatchError) else f"{type(exc).__name__}: {exc}"
    return " ".join(text.split()) or type(exc).__name__


class Rounds:
    """The worker's state between rounds: the config, its database connection, the pipeline once built."""

    def __init__(self, config_dir: str, db_path: str, should_stop):
        from storage.db import open_db

        self.config = Config(config_dir)
        self.config.check()
        self.db_path = db_path
        self.database = open_db(db_path, migrate=False)
        self.should_stop = should_stop
        self.nlp = None
        self.total = None
        self.stories = 0

    def tag_new(self) -> None:
        from nlp.pipeline import pipeline_version
        from privwatch.cli.alerts import alerts_after_tag
        from privwatch.tagging import assign_stories, tag_stored, tagging_pipelines
        from storage.queries import count_articles_to_tag

        if not count_articles_to_tag(self.database, failed_under=pipeline_version(self.config)):
            return
        self.nlp = self.nlp or tagging_pipelines(self.config)
        workers = self.config.settings.crawl.tag_workers or min(2, os.cpu_count() or 1)
        run = tag_stored(self.database, self.nlp, workers=workers, should_stop=self.should_stop)
        if self.total is None:
            self.total = run
        else:
            self.total.add(run)
        self.stories += assign_stories(self.config, self.database, run.tagged_ids, rebuild=False)
        alerts_after_tag(self.config, self.database, self.db_path)


class CrawlTagger:
    """The crawl's side of the tag worker: start it, tell it the crawl ended or was stopped, wait for it."""

    def __init__(self, config_dir: str, db_path: str, poll_seconds: float = POLL_SECONDS):
        context = multiprocessing.get_context("spawn")
        self.crawl_ended = context.Event()
        self.results, sender = context.Pipe(duplex=False)
        self.process = context.Process(
            target=tag_in_rounds,
            args=(config_dir, db_path, self.crawl_ended, sender, poll_seconds),
            name="privwatch-tag-worker",
        )
        self.sender = sender
        self.stop_sent_at: float | None = None

    def start(self) -> CrawlTagger:
        self.process.start()
        self.sender.close()  # the worker holds the only sending end: a dead worker reads as EOF
        return self

    def stop(self) -> None:
        """The crawl was asked to stop: so is the worker. Safe in a signal handler (a bare kill)."""
        if self.stop_sent_at is None:
            self.stop_sent_at = time.monotonic()
        try:
            os.kill(self.process.pid, signal.SIGTERM)
        except (ProcessLookupError, TypeError):
            pass

    def finish(self) -> WorkerOutcome:
        """Let the worker do its last round (none when stopped) and wait for it; a SIGINT or SIGTERM while
        waiting stops it."""
        stops = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, lambda *_: self.stop()) for sig in stops}
        try:
            if self.stop_sent_at is None:
                self.crawl_ended.set()
            while self.process.is_alive():
                self.process.join(1)
                stopped_for = time.monotonic() - (self.stop_sent_at or time.monotonic())
                if stopped_for > STOP_GRACE_SECONDS:
                    self.process.kill()
                    self.process.join()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        try:
            outcome = self.results.recv() if self.results.poll() else None
        except EOFError:
            outcome = None
        self.results.close()
        if outcome is None:
            return WorkerOutcome(error=f"the tag worker died (exit status {self.process.exitcode})")
        outcome.stopped = outcome.stopped or self.stop_sent_at is not None
        return outcome


def report(outcome: WorkerOutcome) -> None:
    """The worker's lines under the crawl's summary; a failure is one line on stderr, the crawl stands."""
    if outcome.error:
        click.echo(
            f"tagging while crawling failed: {outcome.error} (the crawl's articles are stored: "
            "`privwatch tag` tags those left untagged)",
            err=True,
        )
        return
    done = f"while crawling, {outcome.run.summary()}" if outcome.run else "nothing tagged while crawling"
    if outcome.stopped:
        done += "; stopped with the crawl: `privwatch tag` tags the rest"
    click.echo(done)
    if outcome.stories:
        click.echo(f"articles placed in stories: {outcome.stories}")
