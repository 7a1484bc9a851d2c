"""The counters of a source's crawl run as Scrapy stats: the spider, its middlewares, pipelines and the run
recorder count with `crawler.stats.inc_value(run_counter(source_id, name))`; a Redis worker's stats
collector (crawlers/frontier.py) also adds them to the round's hashes, where the coordinator reads them."""

from __future__ import annotations

from collections import Counter

RUN_COUNTER_PREFIX = "privwatch/runs/"
# storage's outcome of an upserted article -> the run counter it adds to (crawl_runs has these columns)
ARTICLE_OUTCOME_COUNTERS = {"new": "new", "updated": "updated", "duplicate": "duplicates"}


def run_counter(source_id: str | None, counter: str) -> str:
    """The Scrapy stats key of one counter of a source's run."""
    return f"{RUN_COUNTER_PREFIX}{source_id}/{counter}"


def parse_run_counter(key: str) -> tuple[str, str] | None:
    """(source id, counter) of a run counter's stats key; None for any other stat."""
    if not key.startswith(RUN_COUNTER_PREFIX):
        return None
    source_id, _, counter = key[len(RUN_COUNTER_PREFIX) :].rpartition("/")
    return source_id, counter


def run_counts(stats, source_id: str) -> Counter:
    """The counters of a source's run from the crawler's stats."""
    counts = Counter()
    for key, value in stats.get_stats().items():
        parsed = parse_run_counter(key)
        if parsed and parsed[0] == source_id:
            counts[parsed[1]] = value
    return counts
