"""The forkserver that extraction workers fork from (crawlers/extraction_pool.py).

Forking the crawl itself, with its threads and running event loop, is not safe, so workers fork from a
forkserver whose preload, crawlers.extraction_warmup, imports crawlers.extract and extracts one page:
a worker, new or a replacement, is ready in milliseconds instead of spending the second an import of
trafilatura and the first page's lazy loads take. This module imports nothing heavy, so `privwatch crawl`
can start the server first thing and let it warm up while the crawl itself starts up."""

from __future__ import annotations

import multiprocessing
from multiprocessing import forkserver

PRELOAD = ["crawlers.extraction_warmup"]


def forkserver_context(start: bool = False) -> multiprocessing.context.BaseContext:
    """The context the workers fork from. With start, the server starts now (if it is not running)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    if start:
        forkserver.ensure_running()
    return context
