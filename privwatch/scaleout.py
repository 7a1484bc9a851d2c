"""Crawl rounds on Redis: the coordinator that opens a round, starts local workers and finishes the
round's crawl_runs rows, and the single writer that moves the workers' items into SQLite.

The frontier itself (scrapy-redis queue, in-flight hashes, heartbeats) is crawlers/frontier.py."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime

import redis

from crawlers.counters import ARTICLE_OUTCOME_COUNTERS
from crawlers.frontier import RoundKeys, requeue_dead_workers, running_rounds, selector_misses, work_left
from crawlers.items import storage_row
from crawlers.runner import SPIDERS
from crawlers.runs import SelectorMisses, close_run
from storage import db as store
from storage.queries import all_stored_urls, crawl_error_recorded

logger = logging.getLogger(__name__)

COORDINATOR_TIMEOUT = (
    10  # seconds without a coordinator's heartbeat before `privwatch ingest` adopts its round
)


def new_round_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:4]}"


class Ingest:
    """The one SQLite writer of a Redis crawl round (`privwatch crawl` while the round runs, or
    `privwatch ingest` after its coordinator died).

    Each step moves up to `batch_size` records from the item list to a side list, writes them in one
    transaction, then drops the side list. A writer that dies mid-batch leaves the side list behind and
    the next one writes it first: articles are upserted by URL, and a crawl error already recorded is
    not recorded again, so nothing is lost or stored twice."""

    def __init__(self, server: redis.Redis, db, prefix: str, batch_size: int = 200):
        self.server = server
        self.db = db
        self.prefix = prefix
        self.batch_size = batch_size
        self.run_ids: dict[tuple[str, str | None], int | None] = {}

    def drain(self, round_id: str) -> int:
        keys = RoundKeys(self.prefix, round_id)
        total = 0
        while stored := self.step(keys):
            total += stored
        return total

    def step(self, keys: RoundKeys) -> int:
        taken = self.server.lrange(keys.ingesting, 0, -1)
        recovering = bool(taken)
        if not taken:
            pipe = self.server.pipeline(transaction=False)
            for _ in range(self.batch_size):
                pipe.lmove(keys.items, keys.ingesting, "LEFT", "RIGHT")
            pipe.execute()
            # what the side list holds, not what the moves answered: redis-py sends the moves again after a
            # lost connection, and the records the first sending moved are in the side list too
            taken = self.server.lrange(keys.ingesting, 0, -1)
        if not taken:
            return 0
        records = []
        for raw in taken:
            try:
                records.append(json.loads(raw))
            except ValueError:
                logger.error("not a crawl record, skipped: %r", raw[:200])
        self.write(records, recovering)
        self.server.delete(keys.ingesting)
        return len(taken)

    def write(self, records: list[dict], recovering: bool) -> None:
        articles = [r for r in records if r.get("type") == "article"]
        results = store.upsert_articles(self.db, [storage_row(r) for r in articles])
        counts: dict[int, Counter] = defaultdict(Counter)
        stored_urls: dict[str, set[str]] = defaultdict(set)
        for record, result in zip(articles, results, strict=True):
            run_id = self.run_id(record["round"], record.get("source_id"))
            if run_id is not None and result.outcome in ARTICLE_OUTCOME_COUNTERS:
                counts[run_id][ARTICLE_OUTCOME_COUNTERS[result.outcome]] += 1
            stored_urls[record["round"]].update([record["url"], *(record.get("fetched_urls") or [])])
        for run_id, counter in counts.items():
            store.add_crawl_counts(self.db, run_id, **counter)
        for round_id, urls in stored_urls.items():
            self.server.sadd(RoundKeys(self.prefix, round_id).stored_urls, *urls)
        for record in records:
            if record.get("type") != "error":
                continue
            run_id = self.run_id(record["round"], record.get("source_id"))
            url, error = record.get("url"), str(record.get("error"))
            if run_id is None or (recovering and crawl_error_recorded(self.db, run_id, url, error)):
                continue
            store.record_crawl_error(self.db, run_id, url, record.get("status"), error)

    def run_id(self, round_id: str, source_id: str | None) -> int | None:
        key = (round_id, source_id)
        if key not in self.run_ids:
            runs_key = RoundKeys(self.prefix, round_id).runs
            runs = {k.decode(): int(v) for k, v in self.server.hgetall(runs_key).items()}
            if source_id in runs:
                self.run_ids[key] = runs[source_id]
            elif source_id is None:
                self.run_ids[key] = next(iter(runs.values()), None)
            else:
                # a round whose coordinator is gone: the run stays 'running' until the source's next
                # crawl closes it as interrupted
                run_id = store.start_crawl_run(self.db, source_id)
                self.server.hsetnx(runs_key, source_id, run_id)
                self.run_ids[key] = int(self.server.hget(runs_key, source_id))
        return self.run_ids[key]


class CrawlRound:
    """One crawl of some sources by workers sharing a Redis frontier, written to one database."""

    def __init__(self, server: redis.Redis, db, keys: RoundKeys, source_ids: list[str]):
        self.server = server
        self.db = db
        self.keys = keys
        self.source_ids = source_ids
        self.ingest = Ingest(server, db, keys.prefix)
        self.worker_pages: dict[str, int] = {}

    def beat(self) -> None:
        self.server.set(self.keys.coordinator, os.getpid(), ex=COORDINATOR_TIMEOUT)

    def open(self) -> None:
        """crawl_runs rows (their ids also tell workers which sources to crawl) and the stored URLs."""
        self.beat()
        for source_id in self.source_ids:
            store.close_interrupted_runs(self.db, source_id)
        runs = {source_id: store.start_crawl_run(self.db, source_id) for source_id in self.source_ids}
        seeding = self.keys.stored_urls + ":seeding"
        self.server.delete(seeding)
        for urls in all_stored_urls(self.db):
            self.server.sadd(seeding, *urls)
        pipe = self.server.pipeline()
        if self.server.exists(seeding):
            pipe.rename(seeding, self.keys.stored_urls)
        pipe.hset(self.keys.runs, mapping=runs)
        pipe.execute()

    def work_left(self) -> bool:
        return any(work_left(self.server, self.keys, spider) for spider in SPIDERS)

    def started(self) -> bool:
        return any(self.server.exists(self.keys.dupefilter(spider)) for spider in SPIDERS)

    def workers_alive(self) -> int:
        return sum(1 for _ in self.server.scan_iter(match=self.keys.alive("*"), count=500))

    def run(self, worker_command: list[str], workers: int, poll_seconds: float = 0.5) -> list[dict]:
        """Start `workers` local worker processes and write what every worker of the round (local or
        remote) sends until no work is left; returns the finished crawl_runs rows."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        processes = [subprocess.Popen(worker_command, env=env) for _ in range(workers)]
        reason = "finished"
        try:
            while True:
                self.beat()
                self.ingest.drain(self.keys.round)
                requeue_dead_workers(self.server, self.keys)
                if all(p.poll() is not None for p in processes):
                    if (workers or self.started()) and not self.work_left():
                        break
                    if workers and not self.workers_alive():
                        reason = "workers stopped with work left"
                        break
                time.sleep(poll_seconds)
        except KeyboardInterrupt:
            reason = "shutdown"
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
        finally:
            for process in processes:
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
        return self.conclude(reason)

    def conclude(self, reason: str) -> list[dict]:
        """Store what is left, finish the crawl_runs rows, drop the round's keys."""
        self.ingest.drain(self.keys.round)
        rows = self.finish(reason)
        self.worker_pages = {
            k.decode(): int(v) for k, v in self.server.hgetall(self.keys.worker_pages).items()
        }
        self.close()
        return rows

    def finish(self, reason: str) -> list[dict]:
        rows = []
        for source, run in self.server.hgetall(self.keys.runs).items():
            run_id, counts_key = int(run), self.keys.counts(source.decode())
            counts = {k.decode(): int(v) for k, v in self.server.hgetall(counts_key).items()}
            if counts.get("pages"):
                store.add_crawl_counts(self.db, run_id, pages=counts["pages"])
            pages, by_selector, example_url = selector_misses(self.server, self.keys, source.decode())
            if pages:
                SelectorMisses(pages, Counter(by_selector), example_url).record(self.db, run_id)
            counts["errors"] = self.db["crawl_runs"].get(run_id)["errors"]
            rows.append(close_run(self.db, run_id, counts, reason))
        return rows

    def close(self) -> None:
        """The round's keys go (its item list is empty by now)."""
        keys = list(self.server.scan_iter(match=self.keys.base + ":*", count=1000))
        for start in range(0, len(keys), 500):
            self.server.unlink(*keys[start : start + 500])


def adopt_orphan_rounds(server: redis.Redis, db, prefix: str) -> tuple[int, list[dict], int]:
    """Rounds whose coordinator is gone: store what their workers sent, and conclude those with no work
    left and no live worker. Returns (records stored, crawl_runs rows finished, rounds still going)."""
    stored, rows, going = 0, [], 0
    for round_id in running_rounds(server, prefix):
        crawl_round = CrawlRound(server, db, RoundKeys(prefix, round_id), [])
        if server.exists(crawl_round.keys.coordinator):
            continue
        requeue_dead_workers(server, crawl_round.keys)
        stored += crawl_round.ingest.drain(round_id)
        if crawl_round.work_left() or crawl_round.workers_alive():
            going += 1
        else:
            rows += crawl_round.conclude("finished after its coordinator stopped")
    return stored, rows, going
