"""Imported by the extraction forkserver only (crawlers/forkserver.py): one extraction of a small page
loads what extraction otherwise loads on each worker's first page (wordfreq and its English word list,
courlan's list of domain suffixes, patterns that trafilatura and htmldate compile on first use), about a
fifth of a second per worker. Workers fork from the server with all of it in memory."""

from __future__ import annotations

import contextlib

from crawlers.extraction_pool import extract_in_worker

# no byline, so the plain-text byline search (and its word list) runs, as it does on many real pages
SAMPLE_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour ferry timetable changes | Example News</title>
<meta property="og:title" content="Harbour ferry timetable changes">
<meta property="article:published_time" content="2026-01-05T08:30:00+00:00"></head>
<body><header><nav><a href="/">Home</a> <a href="/city">City</a></nav></header>
<article><h1>Harbour ferry timetable changes</h1>
<p><strong>MARTA LINDQVIST</strong></p>
<p>January 5, 2026 08:30</p>
<p>The harbour ferry will run every twenty minutes on weekdays from next month, the operator said on
Monday, after a trial of the shorter interval on the morning route drew more passengers than expected.</p>
<p>Evening services keep their hourly timetable. Tickets bought for the old timetable remain valid, and
the operator said the change needs no new boats, only a second crew on the busiest shifts.</p>
</article><footer><p>&copy; 2026 Example News</p></footer></body></html>"""

# the forkserver stops at any error but an ImportError in its preload: a failed warm-up costs speed only
with contextlib.suppress(Exception):
    extract_in_worker(SAMPLE_PAGE, "https://news.example.com/city/2026/01/05/ferry.html", "text/html", None)
