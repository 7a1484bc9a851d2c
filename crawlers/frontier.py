"""Scale-out crawling: many crawler processes share one crawl frontier in Redis (scrapy-redis).

One crawl *round* is started by `privwatch crawl --workers N` on the machine that holds the SQLite
database; workers anywhere join it with `privwatch worker --round ID`. scrapy-redis' scheduler and
RFPDupeFilter hold the round's queue and seen-requests set, so no URL is fetched twice in a round.

What scrapy-redis does not give is "nothing lost when a worker dies": its queue forgets a request the
moment a worker pops it. `ReliableQueue` moves a popped request into that worker's in-flight hash, and
it leaves only when it is done (`Frontier.ack`): its callback's requests are queued and its item is
pushed. A worker keeps a heartbeat key alive; the in-flight hash of a worker whose heartbeat expired
goes back into the queue (`requeue_dead_workers`), so another worker fetches those pages again.

Workers never touch SQLite: articles and crawl errors go to one Redis list that the single writer
(`privwatch.scaleout.Ingest`) moves into the database.

Keys, all under `{prefix}:{round}:`:
  {spider}:requests            scrapy-redis priority queue (sorted set)
  {spider}:dupefilter          scrapy-redis RFPDupeFilter fingerprints (set)
  {spider}:inflight:{worker}   requests a worker popped and has not finished (hash token -> score|data)
  alive:{worker}               heartbeat, "host:pid", expires after the heartbeat timeout
  counts:{source}              the run counters of the source's Scrapy stats (crawlers/counters.py):
                               pages, usable_pages (listing/feed/sitemap pages with links) ... (hash)
  selector_misses:{source}     pages where the source's selectors matched nothing: pages, one count per
                               selector, example_url (hash; the coordinator records one crawl warning)
  articles_admitted:{source}   article URLs admitted within max_articles_per_run (set)
  worker_pages                 pages fetched per worker (hash)
  runs                         source id -> crawl_runs id (hash, written by the coordinator)
  coordinator                  the coordinator's heartbeat (its pid; expires 10 s after it stops)
  stored_urls                  URLs already in the database, so workers skip them (set)
  items                        articles and errors waiting for the writer (list; JSON records)
  items:ingesting              the batch the writer is storing (list)
"""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
import warnings
import weakref
from dataclasses import dataclass

import redis
from scrapy import Request, signals
from scrapy.core.engine import ExecutionEngine
from scrapy.exceptions import DontCloseSpider, NotConfigured, ScrapyDeprecationWarning
from scrapy.statscollectors import MemoryStatsCollector
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawlers import settings as base
from crawlers.counters import parse_run_counter
from crawlers.signals import errback_done

logger = logging.getLogger(__name__)
# scrapy-redis 0.9 still passes spider= to the stats collector, which Scrapy 2.13+ warns about per request
warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")

TOKEN = "privwatch_inflight"
IDLE_POLL_SECONDS = 0.5

# Pop the best request and park it in the worker's in-flight hash in one step. A token already parked
# is a call redis-py sent again after a lost connection: it gets the request parked the first time
# (popping another would overwrite that one, which no queue would hold any more).
POP_SCRIPT = """
local parked = redis.call('HGET', KEYS[2], ARGV[1])
if parked then return string.sub(parked, string.find(parked, '|', 1, true) + 1) end
local best = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #best == 0 then return false end
redis.call('ZREM', KEYS[1], best[1])
redis.call('HSET', KEYS[2], ARGV[1], best[2] .. '|' .. best[1])
return best[1]
"""
# Mark a request seen and queue it in one step: a worker killed between the two would leave a request
# the dupefilter calls seen but no queue holds, and nobody would fetch it. ARGV[1] = '' skips the filter
# (dont_filter); ARGV[4] is the in-flight token of the request it replaces (a retry or redirect), or '':
# that one is done either way.
PUSH_SCRIPT = """
local queued = 0
if ARGV[1] == '' or redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
  queued = 1
end
if ARGV[4] ~= '' then redis.call('HDEL', KEYS[3], ARGV[4]) end
return queued
"""
# Admit an article URL within the source's limit per round (ARGV[2]); one admitted before stays admitted.
ADMIT_SCRIPT = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
return 1
"""
# Put every request of a dead worker's in-flight hash back into the queue.
REQUEUE_SCRIPT = """
local entries = redis.call('HGETALL', KEYS[1])
for i = 2, #entries, 2 do
  local sep = string.find(entries[i], '|', 1, true)
  redis.call('ZADD', KEYS[2], string.sub(entries[i], 1, sep - 1), string.sub(entries[i], sep + 1))
end
redis.call('DEL', KEYS[1])
return #entries / 2
"""


@dataclass(frozen=True)
class RoundKeys:
    prefix: str
    round: str

    @property
    def base(self) -> str:
        return f"{self.prefix}:{self.round}"

    def queue(self, spider: str) -> str:
        return f"{self.base}:{spider}:requests"

    def dupefilter(self, spider: str) -> str:
        return f"{self.base}:{spider}:dupefilter"

    def inflight(self, spider: str, worker: str) -> str:
        return f"{self.base}:{spider}:inflight:{worker}"

    def alive(self, worker: str) -> str:
        return f"{self.base}:alive:{worker}"

    def counts(self, source_id: str) -> str:
        return f"{self.base}:counts:{source_id}"

    def selector_misses(self, source_id: str) -> str:
        return f"{self.base}:selector_misses:{source_id}"

    def articles_admitted(self, source_id: str) -> str:
        return f"{self.base}:articles_admitted:{source_id}"

    @property
    def coordinator(self) -> str:
        return f"{self.base}:coordinator"

    @property
    def worker_pages(self) -> str:
        return f"{self.base}:worker_pages"

    @property
    def runs(self) -> str:
        return f"{self.base}:runs"

    @property
    def stored_urls(self) -> str:
        return f"{self.base}:stored_urls"

    @property
    def items(self) -> str:
        return f"{self.base}:items"

    @property
    def ingesting(self) -> str:
        return f"{self.base}:items:ingesting"


def new_worker_id() -> str:
    host = socket.gethostname().replace(":", "-") or "host"
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def connect(url: str) -> redis.Redis:
    server = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10, retry_on_timeout=True)
    server.ping()
    return server


def scrapy_settings(url: str, keys: RoundKeys, worker: str, heartbeat_seconds: float) -> dict:
    """Scrapy settings that put a crawler on the round's shared frontier."""
    return {
        "REDIS_URL": url,
        "SCHEDULER": "crawlers.frontier.ReliableScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawlers.frontier.ReliableQueue",
        "SCHEDULER_QUEUE_KEY": keys.queue("%(spider)s"),
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter("%(spider)s"),
        "SCHEDULER_PERSIST": True,  # the other workers are still using the round's queue
        "STATS_CLASS": "crawlers.frontier.RoundStatsCollector",
        "PRIVWATCH_REDIS_PREFIX": keys.prefix,
        "PRIVWATCH_ROUND": keys.round,
        "PRIVWATCH_WORKER_ID": worker,
        "PRIVWATCH_HEARTBEAT_SECONDS": heartbeat_seconds,
        "ITEM_PIPELINES": {
            **base.ITEM_PIPELINES,
            "crawlers.pipelines.StorePipeline": None,
            "crawlers.frontier.PushItemPipeline": 900,
        },
        "SPIDER_MIDDLEWARES": {"crawlers.frontier.AckAfterCallbackMiddleware": 50},
        "EXTENSIONS": {**base.EXTENSIONS, "crawlers.frontier.FrontierExtension": 110},
    }


def round_keys(settings) -> RoundKeys | None:
    if not (settings.get("REDIS_URL") and settings.get("PRIVWATCH_ROUND")):
        return None
    return RoundKeys(settings.get("PRIVWATCH_REDIS_PREFIX", "privwatch"), settings.get("PRIVWATCH_ROUND"))


def running_rounds(server: redis.Redis, prefix: str) -> list[str]:
    runs = RoundKeys(prefix, "*").runs
    return sorted(key.decode()[len(prefix) + 1 : -len(":runs")] for key in server.scan_iter(match=runs))


def requeue_dead_workers(server: redis.Redis, keys: RoundKeys, spider: str | None = None) -> int:
    """Move the in-flight requests of workers without a heartbeat back to their queue."""
    requeue = server.register_script(REQUEUE_SCRIPT)
    moved = 0
    pattern = keys.inflight(spider or "*", "*")
    for key in server.scan_iter(match=pattern, count=500):
        name = key.decode()
        spider_name, _, worker = name[len(keys.base) + 1 :].partition(":inflight:")
        if not server.exists(keys.alive(worker)):
            moved += requeue(keys=[name, keys.queue(spider_name)])
    return moved


def work_left(server: redis.Redis, keys: RoundKeys, spider: str) -> bool:
    """Requests still queued, or in flight at some worker (which may queue more)."""
    if server.zcard(keys.queue(spider)):
        return True
    return any(server.hlen(k) for k in server.scan_iter(match=keys.inflight(spider, "*"), count=500))


class ReliableScheduler(Scheduler):
    """scrapy-redis' scheduler whose dupefilter check and queue push are one Redis step."""

    def enqueue_request(self, request: Request) -> bool:
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        if not self.queue.push(request, fingerprint, self.df.key):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True


class ReliableQueue(PriorityQueue):
    """scrapy-redis' priority queue where a popped request stays in the worker's in-flight hash until
    it is acknowledged; a retry or redirect pushed back acknowledges the request it came from."""

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        worker = spider.settings.get("PRIVWATCH_WORKER_ID")
        self.inflight_key = round_keys(spider.settings).inflight(spider.name, worker)
        self._pop = server.register_script(POP_SCRIPT)
        self._push = server.register_script(PUSH_SCRIPT)

    def push(self, request: Request, fingerprint: str = "", dupefilter_key: str = "") -> bool:
        """Queue the request unless its fingerprint is already in the dupefilter set; False if it was."""
        token = request.meta.pop(TOKEN, None) or ""
        data = self._encode_request(request)
        keys = [dupefilter_key or self.key, self.key, self.inflight_key]
        return bool(self._push(keys=keys, args=[fingerprint, -request.priority, data, token]))

    def pop(self, timeout: int = 0) -> Request | None:
        token = uuid.uuid4().hex
        data = self._pop(keys=[self.key, self.inflight_key], args=[token])
        if not data:
            return None
        request = self._decode_request(data)
        request.meta[TOKEN] = token
        return request


class Frontier:
    """A crawler's handle on the round: acknowledging finished requests, heartbeat, requeueing."""

    _by_crawler: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def __init__(self, crawler, keys: RoundKeys):
        settings = crawler.settings
        self.server = connect(settings.get("REDIS_URL"))
        self.keys = keys
        self.worker = settings.get("PRIVWATCH_WORKER_ID")
        self.heartbeat_seconds = settings.getfloat("PRIVWATCH_HEARTBEAT_SECONDS", 30.0)
        self.spider_name = crawler.spidercls.name

    @classmethod
    def of(cls, crawler) -> Frontier:
        """The crawler's frontier; NotConfigured when the crawl is not on Redis."""
        keys = round_keys(crawler.settings)
        if keys is None:
            raise NotConfigured("not a Redis crawl")
        if crawler not in cls._by_crawler:
            cls._by_crawler[crawler] = cls(crawler, keys)
        return cls._by_crawler[crawler]

    @property
    def inflight_key(self) -> str:
        return self.keys.inflight(self.spider_name, self.worker)

    def ack(self, request: Request | None) -> None:
        token = request.meta.pop(TOKEN, None) if request is not None else None
        if token:
            self.server.hdel(self.inflight_key, token)

    def beat(self) -> None:
        self.server.set(
            self.keys.alive(self.worker), f"{socket.gethostname()}:{os.getpid()}", ex=self.timeout
        )

    @property
    def timeout(self) -> int:
        return max(1, round(self.heartbeat_seconds))

    def release_own(self) -> int:
        """Give back what this worker still holds (a worker stopped before its requests finished)."""
        return self.server.register_script(REQUEUE_SCRIPT)(
            keys=[self.inflight_key, self.keys.queue(self.spider_name)]
        )


class FrontierExtension:
    """Keeps a worker's heartbeat, acknowledges finished requests, and keeps an idle worker open while
    other workers still have work that may queue more requests."""

    def __init__(self, crawler):
        self.frontier = Frontier.of(crawler)
        self.heartbeat = task.LoopingCall(self.frontier.beat)
        # An idle engine asks its scheduler for work only on this heartbeat (5 s by default): with a
        # shared queue, work another worker queued would wait that long. The poll itself is one ZCARD.
        ExecutionEngine._SLOT_HEARTBEAT_INTERVAL = IDLE_POLL_SECONDS

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler)
        connect_signal = crawler.signals.connect
        connect_signal(extension.spider_opened, signal=signals.spider_opened)
        connect_signal(extension.spider_idle, signal=signals.spider_idle)
        connect_signal(extension.spider_closed, signal=signals.spider_closed)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            connect_signal(extension.item_done, signal=signal)
        connect_signal(extension.request_done, signal=signals.request_dropped)
        connect_signal(extension.request_done, signal=errback_done)
        return extension

    def spider_opened(self, spider):
        self.frontier.beat()
        self.heartbeat.start(self.frontier.timeout / 3, now=False)

    def item_done(self, item, response=None, **kwargs):
        if response is not None:
            self.frontier.ack(response.request)

    def request_done(self, request, **kwargs):
        self.frontier.ack(request)

    def spider_idle(self, spider):
        frontier = self.frontier
        requeue_dead_workers(frontier.server, frontier.keys, spider.name)
        if work_left(frontier.server, frontier.keys, spider.name):
            raise DontCloseSpider

    def spider_closed(self, spider, reason):
        if self.heartbeat.running:
            self.heartbeat.stop()
        released = self.frontier.release_own()
        if released:
            spider.logger.info("gave %d unfinished requests back to the round", released)


class AckAfterCallbackMiddleware:
    """Spider middleware: a response that gave no item is done once its callback's requests are queued.
    (A response that gave an item is done when the item has been pushed: see FrontierExtension.)"""

    def __init__(self, frontier: Frontier):
        self.frontier = frontier

    @classmethod
    def from_crawler(cls, crawler):
        return cls(Frontier.of(crawler))

    def process_spider_output(self, response, result):
        items = 0
        for output in result:
            items += not isinstance(output, Request)
            yield output
        if not items:
            self.frontier.ack(response.request)

    async def process_spider_output_async(self, response, result):
        items = 0
        async for output in result:
            items += not isinstance(output, Request)
            yield output
        if not items:
            self.frontier.ack(response.request)

    def process_spider_exception(self, response, exception):
        self.frontier.ack(response.request)


class PushItemPipeline:
    """The last pipeline of a Redis worker: the article goes to the round's item list for the writer."""

    def __init__(self, frontier: Frontier):
        self.frontier = frontier

    @classmethod
    def from_crawler(cls, crawler):
        return cls(Frontier.of(crawler))

    def process_item(self, item):
        record = {"type": "article", "round": self.frontier.keys.round, **dict(item)}
        self.frontier.server.rpush(self.frontier.keys.items, json.dumps(record, ensure_ascii=False))
        return item


class RedisCrawlRuns:
    """CrawlRuns for a Redis worker: error rows through the item list, selector misses and admitted
    articles in the round's keys (its counters: RoundStatsCollector). The coordinator opens and finishes
    the crawl_runs rows."""

    def __init__(self, server: redis.Redis, keys: RoundKeys, worker: str):
        self.server = server
        self.keys = keys
        self.worker = worker
        self.stored = StoredUrlsInRedis(server, keys).stored
        self._admit = server.register_script(ADMIT_SCRIPT)

    def admit_article(self, source_id: str, url: str, limit: int) -> bool:
        """Whether this article page is among the first `limit` of the source in the round, all workers
        together (a page requeued from a dead worker was admitted already)."""
        return bool(self._admit(keys=[self.keys.articles_admitted(source_id)], args=[url, limit]))

    def selector_miss(self, source_id: str, selectors: list[str], url: str | None) -> None:
        key = self.keys.selector_misses(source_id)
        pipe = self.server.pipeline(transaction=False)
        pipe.hincrby(key, "pages", 1)
        for name in selectors:
            pipe.hincrby(key, SELECTOR_FIELD + name, 1)
        if url:
            pipe.hsetnx(key, "example_url", url)
        pipe.execute()

    def error(self, source_id: str | None, url: str | None, status: int | None, error: str) -> None:
        logger.warning("crawl error %s %s: %s", status or "-", url, error)
        record = {
            "type": "error", "round": self.keys.round, "source_id": source_id, "url": url,
            "status": status, "error": error[:2000],
        }  # fmt: skip
        self.server.rpush(self.keys.items, json.dumps(record, ensure_ascii=False))

    def finish(self, reason: str) -> list[dict]:
        return []


class RoundStatsCollector(MemoryStatsCollector):
    """A Redis worker's Scrapy stats: a run counter also goes to the round's hash of its source, where
    the counts of all workers add up for the coordinator; fetched pages also count for the worker."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.frontier = Frontier.of(crawler)

    def inc_value(self, key: str, count: int = 1, start: int = 0, spider=None) -> None:
        super().inc_value(key, count, start)
        parsed = parse_run_counter(key)
        if parsed is None:
            return
        source_id, counter = parsed
        keys = self.frontier.keys
        pipe = self.frontier.server.pipeline(transaction=False)
        pipe.hincrby(keys.counts(source_id), counter, count)
        if counter == "pages":
            pipe.hincrby(keys.worker_pages, self.frontier.worker, count)
        pipe.execute()


SELECTOR_FIELD = "selector:"


def selector_misses(
    server: redis.Redis, keys: RoundKeys, source_id: str
) -> tuple[int, dict[str, int], str | None]:
    """What RedisCrawlRuns.selector_miss counted for a source in this round: pages, {selector: pages},
    an example URL."""
    fields = {k.decode(): v.decode() for k, v in server.hgetall(keys.selector_misses(source_id)).items()}
    by_selector = {
        name.removeprefix(SELECTOR_FIELD): int(value)
        for name, value in fields.items()
        if name.startswith(SELECTOR_FIELD)
    }
    return int(fields.get("pages", 0)), by_selector, fields.get("example_url")


class StoredUrlsInRedis:
    """Which URLs are stored, from the round's set (seeded by the coordinator, grown by the writer)."""

    def __init__(self, server: redis.Redis, keys: RoundKeys):
        self.server = server
        self.key = keys.stored_urls

    def stored(self, urls) -> set[str]:
        urls = list(urls)
        if not urls:
            return set()
        return {url for url, found in zip(urls, self.server.smismember(self.key, urls), strict=True) if found}
