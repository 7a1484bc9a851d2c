"""Scale-out crawling on Redis: worker processes share one scrapy-redis frontier against a real
redis-server on 127.0.0.1, and one writer stores what they find."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
import yaml

from benchmarks.redissrv import RedisServerMissing
from benchmarks.redissrv import redis_server as redis_server_at_free_port
from benchmarks.sites import free_port, listing_source, write_site
from crawlers.frontier import RoundKeys
from privwatch.scaleout import CrawlRound, Ingest
from storage.db import open_db

from .sitesrv import SiteServer
from .test_crawl import fixture_site_servers, local_sources, only_sources, site_articles, stored_paths
from .test_selector_drift import DRIFT_SITE, MISS_LINE, NEW_MARKUP, OLD_MARKUP, drift_source

PRIVWATCH = str(Path(sys.executable).parent / "privwatch")
ARTICLES = 2999  # and the index page: a 3,000-page site


@pytest.fixture(scope="module")
def redis_server():
    try:
        with redis_server_at_free_port() as url:
            yield url
    except RedisServerMissing as exc:
        pytest.fail(str(exc))


@pytest.fixture
def redis_url(redis_server):
    """A fresh Redis database per test."""
    redis.Redis.from_url(redis_server).flushall()
    return redis_server


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("site")
    return root, write_site(root, ARTICLES)


def configure(config_dir: Path, base: str, heartbeat: float = 30, max_articles: int = ARTICLES) -> None:
    data = {"version": 1, "sources": [listing_source(base)]}
    (config_dir / "sources.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    settings = yaml.safe_load((config_dir / "settings.yaml").read_text(encoding="utf-8"))
    settings["crawl"].update(autothrottle=False, download_delay=0, max_articles_per_run=max_articles)
    settings["redis"] = {"heartbeat_seconds": heartbeat}
    (config_dir / "settings.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")


def crawl_command(config_dir: Path, db: Path, workers: int) -> list[str]:
    return [PRIVWATCH, "--config-dir", str(config_dir), "crawl", "--db", str(db), "--workers", str(workers)]


def stored(db: Path) -> tuple[Counter, dict]:
    database = open_db(db)
    urls = Counter(r[0] for r in database.execute("SELECT url FROM articles"))
    run = dict(next(database.query("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")))
    database.close()
    return urls, run


def crawl_big_site(config_dir, db: Path, redis_url: str, root: Path, **configured):
    """`privwatch crawl --workers 3` of the big site: the finished process and the server's requests."""
    with SiteServer(root) as server:
        configure(config_dir, server.base, **configured)
        result = subprocess.run(
            crawl_command(config_dir, db, 3),
            env={**os.environ, "PRIVWATCH_REDIS_URL": redis_url},
            capture_output=True,
            text=True,
            timeout=600,
        )
        requests = server.counts()
    assert result.returncode == 0, result.stderr[-3000:]
    return result, requests


def test_scale_three_redis_workers_fetch_every_page_once(tmp_path, config_dir, redis_url, big_site):
    root, paths = big_site
    db = tmp_path / "scale.db"
    result, requests = crawl_big_site(config_dir, db, redis_url, root)
    # every worker reads robots.txt for itself; every other page is fetched once across the workers
    pages = {path: n for path, n in requests.items() if path != "/robots.txt"}
    assert set(pages) == {"/index.html", *paths}
    assert [p for p, n in pages.items() if n > 1] == []
    worker_lines = [line for line in result.stderr.splitlines() if line.startswith("worker ")]
    assert len(worker_lines) == 3 and all(int(line.split()[-2]) > 0 for line in worker_lines), result.stderr
    urls, run = stored(db)
    assert len(urls) == ARTICLES and max(urls.values()) == 1
    assert (run["status"], run["pages"], run["new"], run["errors"]) == ("ok", ARTICLES + 1, ARTICLES, 0)
    assert list(redis.Redis.from_url(redis_url).scan_iter()) == []  # the round cleaned up after itself


def test_scale_article_limit_holds_for_the_whole_round(tmp_path, config_dir, redis_url, big_site):
    root, paths = big_site
    db = tmp_path / "limited.db"
    result, requests = crawl_big_site(config_dir, db, redis_url, root, max_articles=500)
    assert len(set(requests) & set(paths)) == 500, "three workers share one budget of article pages"
    urls, run = stored(db)
    assert len(urls) == 500 and (run["status"], run["errors"]) == ("ok", 0)
    assert "crawl limits left out 2,499 article pages (max_articles_per_run)" in result.stdout


def test_scale_redis_workers_started_elsewhere_join_the_running_round(
    tmp_path, config_dir, redis_url, big_site
):
    root, paths = big_site
    db = tmp_path / "remote.db"
    client = redis.Redis.from_url(redis_url)
    env = {**os.environ, "PRIVWATCH_REDIS_URL": redis_url}
    with SiteServer(root) as server:
        configure(config_dir, server.base)
        coordinator = subprocess.Popen(
            crawl_command(config_dir, db, 0), env=env, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 60
        while not list(client.scan_iter(match="privwatch:*:runs")):
            assert time.monotonic() < deadline and coordinator.poll() is None, "the round never opened"
            time.sleep(0.05)
        # as on other machines: same config, the Redis URL, no database
        workers = [
            subprocess.Popen([PRIVWATCH, "--config-dir", str(config_dir), "worker"], env=env, cwd=tmp_path)
            for _ in range(2)
        ]
        try:
            assert [w.wait(timeout=600) for w in workers] == [0, 0]
            _, stderr = coordinator.communicate(timeout=120)
        finally:
            for process in [coordinator, *workers]:
                if process.poll() is None:
                    process.kill()
        requests = server.counts()
    assert coordinator.returncode == 0, stderr[-3000:]
    assert sorted(p for p, n in requests.items() if p != "/robots.txt" for _ in range(n)) == sorted(
        ["/index.html", *paths]
    )
    urls, run = stored(db)
    assert len(urls) == ARTICLES and max(urls.values()) == 1
    assert (run["status"], run["new"]) == ("ok", ARTICLES)
    assert len([line for line in stderr.splitlines() if line.startswith("worker ")]) == 2


def alive_workers(client: redis.Redis) -> dict[str, int]:
    return {
        key.decode(): int(client.get(key).decode().rsplit(":", 1)[1])
        for key in client.scan_iter(match="privwatch:*:alive:*")
    }


def test_scale_redis_worker_killed_halfway_loses_nothing(tmp_path, config_dir, redis_url, big_site):
    root, paths = big_site
    db = tmp_path / "killed.db"
    client = redis.Redis.from_url(redis_url)
    with SiteServer(root) as server:
        configure(config_dir, server.base, heartbeat=2)
        coordinator = subprocess.Popen(
            crawl_command(config_dir, db, 3),
            env={**os.environ, "PRIVWATCH_REDIS_URL": redis_url},
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 300
            while len(server.requests) < (ARTICLES + 1) // 2 or len(alive_workers(client)) < 3:
                assert time.monotonic() < deadline and coordinator.poll() is None, "crawl never got halfway"
                time.sleep(0.05)
            victim_key, victim = sorted(alive_workers(client).items())[0]
            os.kill(victim, signal.SIGKILL)
            _, stderr = coordinator.communicate(timeout=600)
        finally:
            if coordinator.poll() is None:
                coordinator.kill()
        requests = server.counts()
    assert coordinator.returncode == 0, stderr[-3000:]
    victim_id = victim_key.rsplit(":", 1)[1]
    assert victim_id in stderr  # it had fetched pages before it died
    urls, run = stored(db)
    missing = {f"{server.base}{path}" for path in paths} - set(urls)
    # a failure says whether the pages it lost were fetched at all, and what the processes said
    fetched = {url: requests[url.removeprefix(server.base)] for url in sorted(missing)}
    assert not missing and max(urls.values()) == 1, (fetched, dict(run), stderr[-3000:])
    assert {p for p in requests if p != "/robots.txt"} == {"/index.html", *paths}
    assert run["new"] == ARTICLES and run["status"] == "ok"
    # only what the dead worker had in flight was fetched twice
    assert sum(n - 1 for p, n in requests.items() if p != "/robots.txt") <= 64


def test_redis_ingest_adopts_a_round_whose_coordinator_died(tmp_path, config_dir, redis_url):
    db = tmp_path / "ingest.db"
    privwatch = [PRIVWATCH, "--config-dir", str(config_dir)]
    subprocess.run([*privwatch, "init", "--db", str(db)], check=True, capture_output=True)
    client = redis.Redis.from_url(redis_url)
    database = open_db(db)
    CrawlRound(client, database, RoundKeys("privwatch", "r1"), ["szdaily"]).open()
    database.close()
    client.delete("privwatch:r1:coordinator")  # the coordinator died; one worker is still crawling
    client.set("privwatch:r1:alive:w1", "elsewhere:1", ex=60)
    body = "\n\n".join(["Regulators said the app collected personal data without consent from users."] * 5)
    records = [
        {"type": "article", "round": "r1", "source_id": "szdaily", "url": f"https://x.example/{i}",
         "fetched_urls": [f"https://x.example/{i}?from=feed"], "title": f"Story {i}",
         "authors": ["A. Writer"], "body": f"{body} {i}", "language": "en"}
        for i in range(3)
    ] + [{"type": "error", "round": "r1", "source_id": "szdaily", "url": "https://x.example/gone",
          "status": 404, "error": "HTTP 404"}, "not json"]  # fmt: skip
    client.rpush("privwatch:r1:items", *[json.dumps(r) if isinstance(r, dict) else r for r in records])
    client.rpush("privwatch:r1:items", json.dumps(records[0]))  # a requeued page sent its article again
    env = {**os.environ, "PRIVWATCH_REDIS_URL": redis_url}

    def ingest() -> str:
        result = subprocess.run(
            [*privwatch, "ingest", "--db", str(db)], env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def stored_rows() -> tuple[list, list, str]:
        database = open_db(db)
        articles = [tuple(r) for r in database.execute("SELECT url, author FROM articles ORDER BY url")]
        errors = [tuple(r) for r in database.execute("SELECT url, status FROM crawl_errors")]
        status = database.execute("SELECT status FROM crawl_runs").fetchone()[0]
        database.close()
        return articles, errors, status

    assert ingest() == "ingested 6 records; 1 rounds still crawling"
    articles = [(f"https://x.example/{i}", "A. Writer") for i in range(3)]
    errors = [("https://x.example/gone", 404)]
    assert stored_rows() == (articles, errors, "running")
    assert client.llen("privwatch:r1:items") == 0 and not client.exists("privwatch:r1:items:ingesting")
    assert client.sismember("privwatch:r1:stored_urls", "https://x.example/1?from=feed")
    # a writer that died after its commit, before dropping its side list: nothing is stored twice; the
    # last worker has gone, so the round is finished and its keys dropped
    client.rpush("privwatch:r1:items:ingesting", json.dumps(records[1]), json.dumps(records[3]))
    client.delete("privwatch:r1:alive:w1")
    assert ingest().endswith("ingested 2 records")
    assert stored_rows() == (articles, errors, "failed")  # an error, and no listing page gave links
    assert list(client.scan_iter()) == []


def test_redis_crawl_needs_a_reachable_server(tmp_path, config_dir):
    db = tmp_path / "no.db"
    env = {k: v for k, v in os.environ.items() if k != "PRIVWATCH_REDIS_URL"}
    missing = subprocess.run(crawl_command(config_dir, db, 2), env=env, capture_output=True, text=True)
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines()[-1].startswith("Error: no Redis server: set redis.url")
    env["PRIVWATCH_REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    down = subprocess.run(crawl_command(config_dir, db, 2), env=env, capture_output=True, text=True)
    assert down.returncode == 1 and "Traceback" not in down.stderr
    assert down.stderr.strip().splitlines()[-1].startswith("Error: Redis: ")


def test_redis_round_crawls_every_source_kind_like_one_process(tmp_path, config_dir, redis_url):
    """Listing pages, a feed and a news sitemap on the shared frontier; a second round fetches no article."""
    env = {**os.environ, "PRIVWATCH_REDIS_URL": redis_url}
    db = tmp_path / "kinds.db"
    said = []  # each round's output (the workers' warnings and errors): a failure shows them
    with fixture_site_servers() as servers:
        local_sources(config_dir, servers)
        for round_number in (1, 2):
            before = {name: s.counts() for name, s in servers.items()}
            result = subprocess.run(crawl_command(config_dir, db, 2), env=env, capture_output=True, text=True)
            said.append(result.stderr[-3000:])
            assert result.returncode == 0, result.stderr[-3000:]
            if round_number == 2:
                for site, server in servers.items():
                    fetched = server.counts() - before[site]
                    assert fetched and not [p for p in fetched if p in site_articles(site)], site
        for site, server in servers.items():
            stored = stored_paths(db, server)
            wanted = site_articles(site) - {"/private/leaked-draft.html"}
            assert sorted(stored) == sorted(wanted), f"{site}: what each round said:\n" + "\n---\n".join(said)
    database = open_db(db)
    runs = list(database.query("SELECT source_id, status, new, duplicates FROM crawl_runs ORDER BY id"))
    assert len(runs) == 6 and all(r["status"] == "ok" for r in runs), runs
    assert [r["new"] + r["duplicates"] for r in runs[3:]] == [0, 0, 0]


def test_redis_round_records_selector_drift_once_per_source_like_one_process(tmp_path, config_dir, redis_url):
    env = {**os.environ, "PRIVWATCH_REDIS_URL": redis_url}
    db = tmp_path / "drift.db"
    with SiteServer(DRIFT_SITE) as server:
        only_sources(config_dir, [drift_source(server)], retries=1)
        result = subprocess.run(crawl_command(config_dir, db, 2), env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-3000:]
        assert sorted(stored_paths(db, server)) == sorted(OLD_MARKUP | NEW_MARKUP)
    assert MISS_LINE in result.stdout.splitlines()
    database = open_db(db)
    warnings = list(
        database.query("SELECT w.*, r.status FROM crawl_warnings w JOIN crawl_runs r ON r.id = run_id")
    )
    assert [(w["kind"], w["pages"], w["status"]) for w in warnings] == [("selector_miss", 4, "ok")]
    assert json.loads(warnings[0]["detail"]) == {"article_links": 1, "title": 3, "body": 3}


def test_redis_frontier_marks_a_request_seen_and_queues_it_in_one_step(redis_url):
    """The dupefilter and the queue change together: no request can be 'seen' yet in no queue (a worker
    killed in between would lose it), and a retry or redirect releases the request it came from."""
    from scrapy import Request, Spider
    from scrapy.utils.test import get_crawler

    from crawlers.frontier import TOKEN, ReliableScheduler, scrapy_settings

    class Listing(Spider):
        name = "listing"

    keys = RoundKeys("privwatch", "unit")
    crawler = get_crawler(Listing, scrapy_settings(redis_url, keys, "w1", 30))
    crawler.spider = Listing.from_crawler(crawler)
    scheduler = ReliableScheduler.from_crawler(crawler)
    scheduler.open(crawler.spider)
    client = redis.Redis.from_url(redis_url)
    queued = lambda: client.zcard(keys.queue("listing"))  # noqa: E731
    in_flight = lambda: client.hlen(keys.inflight("listing", "w1"))  # noqa: E731

    assert scheduler.enqueue_request(Request("http://127.0.0.1/a.html")) is True
    assert queued() == 1 and client.scard(keys.dupefilter("listing")) == 1
    assert scheduler.enqueue_request(Request("http://127.0.0.1/a.html")) is False
    assert queued() == 1

    popped = scheduler.next_request()
    assert TOKEN in popped.meta and (queued(), in_flight()) == (0, 1)
    assert scheduler.enqueue_request(popped.replace(url="http://127.0.0.1/a.html#top")) is False
    assert in_flight() == 0  # a redirect to a page already queued: the request it came from is done

    assert scheduler.enqueue_request(Request("http://127.0.0.1/a.html", dont_filter=True)) is True
    failed = scheduler.next_request()
    assert TOKEN in failed.meta and in_flight() == 1
    assert scheduler.enqueue_request(failed.replace(dont_filter=True)) is True  # its retry
    assert (queued(), in_flight()) == (1, 0)


def test_redis_calls_sent_again_after_a_lost_connection_lose_nothing(
    tmp_path, config_dir, redis_url, monkeypatch
):
    """redis-py sends a command again when the connection drops before its answer: a pop sent twice
    parks one request, and moves to the writer's side list sent twice are all stored."""
    from crawlers.frontier import POP_SCRIPT

    client = redis.Redis.from_url(redis_url)
    keys = RoundKeys("privwatch", "again")
    queue, in_flight = keys.queue("listing"), keys.inflight("listing", "w1")
    client.zadd(queue, {b"request-a": 0, b"request-b": 0})
    pop = client.register_script(POP_SCRIPT)
    first = pop(keys=[queue, in_flight], args=["token-1"])
    assert pop(keys=[queue, in_flight], args=["token-1"]) == first == b"request-a"
    assert client.zrange(queue, 0, -1) == [b"request-b"] and client.hlen(in_flight) == 1

    db = tmp_path / "again.db"
    subprocess.run([PRIVWATCH, "--config-dir", str(config_dir), "init", "--db", str(db)], check=True)
    database = open_db(db)
    CrawlRound(client, database, keys, ["szdaily"]).open()
    body = "\n\n".join(["The clinic said patients' records had been copied by an intruder last month."] * 4)
    records = [
        {"type": "article", "round": "again", "source_id": "szdaily", "url": f"https://x.example/{i}",
         "title": f"Story {i}", "body": f"{body} {i}", "language": "en"}
        for i in range(5)
    ]  # fmt: skip
    client.rpush(keys.items, *[json.dumps(r) for r in records])

    class SentTwice:
        """A pipeline whose first sending was carried out but its answer lost, so it is sent again."""

        def __init__(self, pipe):
            self.pipe, self.moves = pipe, []

        def lmove(self, *args):
            self.moves.append(args)

        def execute(self):
            for _ in range(2):
                for args in self.moves:
                    self.pipe.lmove(*args)
                answer = self.pipe.execute()
            return answer

    pipeline = client.pipeline
    monkeypatch.setattr(
        client, "pipeline", lambda transaction=False: SentTwice(pipeline(transaction=transaction))
    )
    ingest = Ingest(client, database, "privwatch", batch_size=2)
    assert ingest.drain("again") == 5
    stored_urls = [r[0] for r in database.execute("SELECT url FROM articles ORDER BY url")]
    database.close()
    assert stored_urls == [r["url"] for r in records]
