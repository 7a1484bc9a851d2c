"""One tag run over stored articles, shared by `privwatch tag` and the tag worker of `privwatch crawl`
(privwatch/cli/crawl_tagging.py): the articles to tag read in batches, the pipeline over them, their tags and
tag_errors rows written WRITE_BATCH at a time, then stories and the watchlists' alerts.

Nothing here prints: `privwatch tag` shows a progress bar and the summary line, the tag worker sends its
totals to the crawl, which prints them under the crawl's summary."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from config.errors import PrivwatchError

log = logging.getLogger("privwatch.tag")

WRITE_BATCH = 50  # tagged articles per transaction (a commit each was 40% of the writing)


@dataclass
class TagRun:
    """What one or more tag runs did, under one pipeline version."""

    version: str
    articles: int = 0
    incidents: int = 0
    incident_articles: int = 0
    mentions: int = 0
    unlinked: int = 0
    mentions_only: int = 0  # articles the cascade's gate left at company mentions (nlp/gate.py)
    failed: int = 0
    tagged_ids: list[int] = field(default_factory=list)

    def add(self, other: TagRun) -> None:
        for name in (
            "articles",
            "incidents",
            "incident_articles",
            "mentions",
            "unlinked",
            "mentions_only",
            "failed",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.tagged_ids += other.tagged_ids

    def summary(self) -> str:
        failures = f"; {self.failed} articles failed (see tag_errors)" if self.failed else ""
        incidents = incidents_in_articles(self.incidents, self.incident_articles)
        return (
            f"tagged {self.articles} articles: {incidents}, {self.mentions} company mentions, "
            f"{self.unlinked} unknown organisations; {self.mentions_only} with no privacy cue got company "
            f"mentions only{failures} ({self.version})"
        )


def incidents_in_articles(incidents: int, articles: int) -> str:
    """The one wording of incident counts (CLI, digest, Datasette): an incident is an article x accused
    company x type row, so one article can hold several."""
    from privwatch.digest.text import count_of

    return f"{count_of(incidents, 'incident')} in {count_of(articles, 'article')}"


class PipelineUnavailable(PrivwatchError):
    """The tagging pipelines cannot be built (no base model installed, a bad config or model file)."""


def tagging_pipelines(config):
    """The tagging pipelines of the config; PipelineUnavailable (one line) when they cannot be built.

    Without a saved text classifier (nlp/model/textcat) one is trained first, in a few seconds: building
    a pipeline never trains (nlp/pipeline.py), the app does, so a fresh checkout tags at once.
    """
    from nlp.pipeline import TEXTCAT_DIR, PipelineError, build_pipelines, textcat_ready
    from nlp.train import train_textcat

    if not textcat_ready(TEXTCAT_DIR):
        log.warning("no trained text classifier in %s: training one now", TEXTCAT_DIR)
        train_textcat(TEXTCAT_DIR)
    try:
        return build_pipelines(config)
    except (PipelineError, OSError) as exc:
        raise PipelineUnavailable(f"cannot build the NLP pipeline: {exc}") from None


def tag_stored(
    database,
    nlp,
    *,
    everything: bool = False,
    since: str | None = None,
    stale_for: str | None = None,
    batch_size: int = 200,
    workers: int = 1,
    on_written: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TagRun:
    """Tag the stored articles `privwatch tag` chooses (untagged by default; see storage.queries
    articles_to_tag) and write their tags, and a tag_errors row for each article the pipeline fails on.
    on_written gets the number of articles each write settled; should_stop, asked after each write,
    ends the run early (what is written stays)."""
    from nlp.gate import DEPTH_MENTIONS
    from nlp.pipeline import TagFailure, tag_articles
    from storage.db import record_tag_errors, replace_tags_many
    from storage.queries import articles_to_tag

    run = TagRun(nlp.meta["privwatch_version"])
    which = {"everything": everything, "since": since, "stale_for": stale_for}

    def records():
        for batch in articles_to_tag(database, **which, failed_under=run.version, batch_size=batch_size):
            yield from batch

    pending: list = []
    failed: list[tuple[int, str]] = []

    def write_pending() -> None:
        replace_tags_many(database, pending, run.version)
        record_tag_errors(database, failed, run.version)
        if on_written:
            on_written(len(pending) + len(failed))
        run.failed += len(failed)
        pending.clear()
        failed.clear()

    def fail(failure: TagFailure) -> None:
        log.warning("article %s not tagged: %s", failure.id, failure.error)
        failed.append((failure.id, failure.error))

    for tagged in tag_articles(nlp, records(), n_process=workers, on_error=fail):
        tags = tagged.to_article_tags()
        pending.append((tagged.id, tags))
        run.tagged_ids.append(tagged.id)
        run.articles += 1
        run.incidents += len(tags.incidents)
        run.incident_articles += bool(tags.incidents)
        run.mentions += len(tags.mentions)
        run.unlinked += len(tags.unlinked_orgs)
        run.mentions_only += tags.depth == DEPTH_MENTIONS
        if len(pending) >= WRITE_BATCH:
            write_pending()
            if should_stop and should_stop():
                break
    write_pending()
    return run


def assign_stories(config, database, retagged: list[int], rebuild: bool) -> int:
    """Stories after a tag run: rebuilt from nothing after a re-tag of everything (returns how many
    stories), else the new and re-tagged incident articles join or open stories (returns how many
    articles were placed)."""
    from nlp.stories import rebuild_stories, update_stories

    settings = config.settings.stories
    if rebuild:
        return rebuild_stories(database, settings)
    return update_stories(database, settings, retagged)
