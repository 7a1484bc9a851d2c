"""Signals privwatch's crawlers send besides Scrapy's own."""

# A spider errback has dealt with a failed request (recorded its error): the request is finished.
errback_done = object()
