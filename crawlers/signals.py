"""Signals privwatch's crawlers send besides Scrapy's own."""

# A spider errback has dealt with a failed request (recorded its error): the request is finished.
errback_done = object()

# The crawl was asked to stop (SIGINT, SIGTERM): downloads in flight are cancelled (crawlers/handlers.py).
crawl_stopping = object()
