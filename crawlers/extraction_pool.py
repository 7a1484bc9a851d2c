"""Extraction off the reactor, within a budget per page.

Extraction (lxml, then trafilatura) would otherwise run in the crawl's only thread, and its cost grows
with the number of elements, faster than linearly for runs of inline elements (measured: 20,000 `<b>` in
a paragraph take 4 s, 50,000 take 15 s, 150,000 six minutes; an 8 MB page of 1M elements held the crawl
for 51 s at 1.5 GB). So the crawler extracts each page in a worker process of a pebble ProcessPool:

- a page with more tags (`<`) than PRIVWATCH_MAX_PAGE_TAGS is refused before any parse: counting is
  cheap, and the cost of everything after it is at least linear in elements;
- a page still extracting after PRIVWATCH_EXTRACT_TIMEOUT seconds has its worker killed; pebble starts
  another, and the other pages go on;
- a worker's address space is capped (RLIMIT_AS) at PRIVWATCH_EXTRACT_MEMORY bytes, so a page that needs
  more fails in its worker instead of taking the machine's memory.

Each refusal is an OverBudget whose message is the one-line reason the spider records in crawl_errors.
Workers fork from a warm forkserver (crawlers/forkserver.py), which the crawl starts before it loads its
spiders; the pool's workers start with the first page, and the pool stops when the last spider using it
closes.
With PRIVWATCH_EXTRACT_WORKERS = 0 pages are extracted in the calling process (offline previews): the
tag gate applies there, the time and memory limits do not.
"""

from __future__ import annotations

import asyncio
import mmap
import os
import resource
from dataclasses import dataclass

from pebble import ProcessExpired, ProcessPool

from crawlers.extract import Extracted, extract
from crawlers.forkserver import forkserver_context

# pages handed to the pool per worker before the crawl fetches no more: enough to keep workers busy
PENDING_PER_WORKER = 4
# a worker that cannot find this much more memory after a failed page ran out of its budget
HEADROOM_DIVISOR = 8


class OverBudget(Exception):
    """A page refused or abandoned for exceeding an extraction budget; the message says which."""


def _limit_worker_memory(max_bytes: int) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, hard))


def _out_of_memory() -> bool:
    """Whether this worker is at its address-space limit: lxml reports a failed allocation as a parse
    error ("unknown error"), not as MemoryError."""
    limit, _ = resource.getrlimit(resource.RLIMIT_AS)
    if limit == resource.RLIM_INFINITY:
        return False
    try:
        mmap.mmap(-1, limit // HEADROOM_DIVISOR).close()
    except OSError:
        return True
    return False


def extract_in_worker(page: bytes, url: str, content_type: str | None, source) -> Extracted:
    """extract() in a pool worker: any failure for want of memory comes back as MemoryError."""
    try:
        return extract(page, url, content_type=content_type, source=source)
    except MemoryError:
        raise
    except Exception:
        if _out_of_memory():
            raise MemoryError from None
        raise


@dataclass
class SharedPool:
    pool: ProcessPool
    users: int = 0


# The spiders of one crawl (listing, feed, sitemap: one process) share a pool, so a crawl has
# min(2, cores) workers rather than that many per kind of source: (workers, memory_bytes) -> pool.
SHARED_POOLS: dict[tuple[int, int], SharedPool] = {}


class PageExtractor:
    """The crawler's extract(): budgeted, in worker processes (see the module docstring)."""

    def __init__(self, *, workers: int, timeout: float, memory_bytes: int, max_tags: int):
        self.workers = workers
        self.timeout = timeout
        self.memory_bytes = memory_bytes
        self.max_tags = max_tags
        self.pool: ProcessPool | None = None
        # pages given to the pool and not yet back; past the most, article requests wait for room
        self.pending = 0
        self.most_pending = PENDING_PER_WORKER * workers
        self._room: asyncio.Condition | None = None

    @classmethod
    def from_settings(cls, settings) -> PageExtractor:
        workers = settings.get("PRIVWATCH_EXTRACT_WORKERS")
        workers = min(2, os.cpu_count() or 1) if workers is None else int(workers)
        if workers:
            forkserver_context(start=True)
        return cls(
            workers=workers,
            timeout=settings.getfloat("PRIVWATCH_EXTRACT_TIMEOUT", 10.0),
            memory_bytes=settings.getint("PRIVWATCH_EXTRACT_MEMORY", 1024**3),
            max_tags=settings.getint("PRIVWATCH_MAX_PAGE_TAGS", 200_000),
        )

    def _started_pool(self) -> ProcessPool:
        if self.pool is None:
            key = (self.workers, self.memory_bytes)
            if key not in SHARED_POOLS:
                pool = ProcessPool(
                    max_workers=self.workers,
                    initializer=_limit_worker_memory,
                    initargs=(self.memory_bytes,),
                    context=forkserver_context(),
                )
                SHARED_POOLS[key] = SharedPool(pool)
            SHARED_POOLS[key].users += 1
            self.pool = SHARED_POOLS[key].pool
        return self.pool

    def check_tags(self, page: bytes) -> None:
        tags = page.count(b"<")
        if tags > self.max_tags:
            raise OverBudget(f"page has {tags:,} tags, over the budget of {self.max_tags:,}")

    async def extract(self, page: bytes, url: str, *, content_type: str | None, source) -> Extracted:
        self.check_tags(page)
        if not self.workers:
            return extract(page, url, content_type=content_type, source=source)
        future = self._started_pool().schedule(
            extract_in_worker, args=(page, url, content_type, source), timeout=self.timeout
        )
        self.pending += 1
        try:
            return await asyncio.wrap_future(future)
        except TimeoutError:
            raise OverBudget(f"extraction over its time budget ({self.timeout:g} s)") from None
        except MemoryError:
            mib = self.memory_bytes / 2**20
            raise OverBudget(f"extraction over its memory budget ({mib:,.0f} MiB)") from None
        except ProcessExpired as exc:
            raise OverBudget(f"extraction worker died (exit code {exc.exitcode})") from None
        finally:
            self.pending -= 1
            room = self._room_condition()
            async with room:
                room.notify_all()

    def _room_condition(self) -> asyncio.Condition:
        if self._room is None:
            self._room = asyncio.Condition()
        return self._room

    async def wait_for_room(self) -> None:
        """Return when the pool has room for another page: fetching faster than pages are extracted
        would only pile responses up in memory (and, on the Redis frontier, fetches a killed crawl
        process must redo)."""
        if self.workers:
            room = self._room_condition()
            async with room:
                await room.wait_for(lambda: self.pending < self.most_pending)

    def close(self) -> None:
        if self.pool is None:
            return
        key = (self.workers, self.memory_bytes)
        SHARED_POOLS[key].users -= 1
        if not SHARED_POOLS[key].users:
            del SHARED_POOLS[key]
            self.pool.stop()
            self.pool.join()
        self.pool = None
