"""Download handlers: Scrapy's HTTP/1.1 handler, whose downloads in flight end when the crawl is stopped.

Scrapy's graceful stop (the first SIGINT or SIGTERM) schedules nothing new but waits for every download in
flight, up to DOWNLOAD_TIMEOUT (30 s) on a stalled server, and the run is only recorded once they are
done. A scheduler or service manager stopping privwatch waits seconds, not half a minute: the downloads
in flight are cancelled, each becomes a crawl_errors row, and the spiders close as usual (runs recorded,
stored articles flushed)."""

from __future__ import annotations

import asyncio

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from crawlers.signals import crawl_stopping


class DownloadCancelled(Exception):
    """A download in flight when the crawl was asked to stop."""


class StoppableHTTPDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.in_flight: set[asyncio.Task] = set()
        self.stopping = False
        crawler.signals.connect(self.cancel_in_flight, signal=crawl_stopping)

    async def download_request(self, request):
        if self.stopping:
            raise DownloadCancelled("the crawl was stopped before this page was fetched")
        task = asyncio.ensure_future(super().download_request(request))
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)
        try:
            return await task
        except asyncio.CancelledError:
            if not self.stopping:
                raise
            # not CancelledError itself: that would cancel the engine's own task, not just this request
            raise DownloadCancelled("the crawl was stopped while this page was downloading") from None

    def cancel_in_flight(self) -> None:
        self.stopping = True
        for task in list(self.in_flight):
            task.cancel()
