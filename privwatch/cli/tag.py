"""`privwatch tag` (stored articles) and `privwatch tag-file` (JSON lines, outside the database)."""

from __future__ import annotations

import json
import sys

import click

from privwatch.cli.options import db_option, iso_date, workers_option
from privwatch.cli.output import open_lines
from privwatch.tagging import tagging_pipelines


@click.command("tag")
@click.option("--all", "everything", is_flag=True, help="Re-tag every article, not only untagged ones.")
@click.option(
    "--since",
    metavar="DATE",
    callback=iso_date,
    help="(Re-)tag the articles published on or after DATE (YYYY-MM-DD).",
)
@click.option(
    "--stale",
    is_flag=True,
    help="Also re-tag articles tagged by another NLP version (a new model, or edited companies, "
    "regulators or incidents YAML).",
)
@workers_option
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=200,
    show_default=True,
    help="Articles read from the database per batch.",
)
@db_option()
@click.pass_obj
def tag(
    app, everything: bool, since: str | None, stale: bool, workers: int, batch_size: int, db: str | None
) -> None:
    """Tag untagged articles with companies, incident types, roles, responses and evidence.

    Each article's old tags are replaced (mentions, article_incidents, article_responses,
    unlinked_orgs) and its tagged_at, nlp_version and language are set; then the watchlists' immediate
    alerts owed are sent (`privwatch alerts`). --all re-tags everything;
    --since re-tags recent articles; --stale re-tags those whose nlp_version is not the pipeline's.
    The pipeline reads the title and the body up to settings.yaml's nlp.tag_budget_chars. An article it
    fails on gets a tag_errors row and the rest are tagged; later untagged and --stale runs skip it
    until the pipeline's version changes (--all and --since try it again). Exits 1 when every article
    failed.

    \b
    Example:
      privwatch tag --workers 2 --db privwatch.db
      privwatch tag --stale
    """
    from nlp.pipeline import pipeline_version
    from privwatch.cli.alerts import alerts_after_tag
    from privwatch.tagging import assign_stories, tag_stored
    from storage.config_rows import sync_config
    from storage.queries import count_articles_to_tag

    if sum((everything, bool(since), stale)) > 1:
        raise click.UsageError("give one of --all, --since and --stale")
    database = app.open_db(db)
    # the knowledge base may have grown since `privwatch init`: mentions need its companies as rows
    sync_config(database, app.config)
    # cheap (nothing is loaded): the built pipeline's own version only differs while its classifier is new
    expected = pipeline_version(app.config)
    which = {"everything": everything, "since": since, "stale_for": expected if stale else None}
    total = count_articles_to_tag(database, **which, failed_under=expected)
    if not total:
        click.echo("nothing to tag")
        _echo_stories(assign_stories(app.config, database, retagged=[], rebuild=False), rebuilt=False)
        alerts_after_tag(app.config, database, app.db_path(db))
        return
    nlp = tagging_pipelines(app.config)
    with click.progressbar(length=total, label="tagging", file=sys.stderr, show_pos=True) as bar:
        run = tag_stored(
            database, nlp, **which, batch_size=batch_size, workers=workers, on_written=bar.update
        )
    click.echo(run.summary())
    _echo_stories(assign_stories(app.config, database, run.tagged_ids, everything), rebuilt=everything)
    alerts_after_tag(app.config, database, app.db_path(db))
    if run.failed and not run.articles:
        # like a crawl whose every source failed: the pipeline itself, not one article, may be broken
        raise click.ClickException(f"every article failed: {run.failed} (see tag_errors)")


def _echo_stories(count: int, rebuilt: bool) -> None:
    if rebuilt:
        click.echo(f"stories rebuilt: {count}")
    elif count:
        click.echo(f"articles placed in stories: {count}")


def _article_lines(in_path: str, strict: bool) -> tuple[list[tuple[int, dict]], int]:
    """(line number, article record) of each good line of a JSON-lines file, and how many bad lines
    there were, each reported on stderr as IN:LINE: reason; with strict the first bad line stops
    everything."""
    from nlp.jsonl import article_record, numbered_records

    records, bad = [], 0
    with open_lines(in_path, "rb") as handle:
        for number, record in numbered_records(handle, article_record):
            if not isinstance(record, Exception):
                records.append((number, record))
                continue
            problem = f"{in_path}:{number}: {record}"
            if strict:
                raise click.ClickException(problem)
            click.echo(problem, err=True)
            bad += 1
    return records, bad


@click.command("tag-file")
@click.argument("in_path", metavar="IN.jsonl")
@click.argument("out_path", metavar="OUT.jsonl")
@click.option(
    "--strict",
    is_flag=True,
    help="Stop at the first bad line, before anything is tagged, instead of tagging the good lines.",
)
@workers_option
@click.pass_obj
def tag_file(app, in_path: str, out_path: str, strict: bool, workers: int) -> None:
    """Tag articles from a JSON-lines file, outside the database, into another JSON-lines file.

    IN lines: {"id", "title", "body", "language"?} (other keys are ignored; "language" is the
    declared one, the text's own decides when it is clear). OUT lines: {"id", "is_incident",
    "incident_types", "response" (the main accused company's), "companies": [{"id", "name", "role",
    "response" (the strongest), "responses" (all of them), "types", "evidence"}], "evidence": {type:
    sentence}, "language"}. `name` is the knowledge base's canonical name; an organisation the
    knowledge base lacks has "id": null. A text in a language without a pipeline gets its knowledge-base
    companies only, all mentioned. The pipeline reads the title and the body up to settings.yaml's
    nlp.tag_budget_chars. "-" reads stdin or writes stdout. A bad line (not UTF-8, not JSON, not such
    an object, over 20 MB) or an article the pipeline fails on is reported on stderr as IN:LINE: reason
    and left out; the good lines are tagged, and the exit status is 1 when any line was left out.

    \b
    Example:
      privwatch tag-file articles.jsonl tags.jsonl 2> bad-lines.txt
      privwatch tag-file --strict articles.jsonl tags.jsonl
    """
    from nlp.pipeline import TagFailure, tag_articles
    from privwatch.tagging import incidents_in_articles

    app.config.check()  # a broken config fails before any input is read
    records, bad = _article_lines(in_path, strict)
    nlp = tagging_pipelines(app.config)
    tagged_count = incidents = incident_articles = 0
    # tagged under their place in the file: ids are the input's, and need not be unique or present
    numbered = ({**record, "id": place} for place, (_, record) in enumerate(records))

    def fail(failure: TagFailure) -> None:
        nonlocal bad
        bad += 1
        problem = f"{in_path}:{records[failure.id][0]}: tagging failed: {failure.error}"
        if strict:
            raise click.ClickException(problem)
        click.echo(problem, err=True)

    with open_lines(out_path, "w") as out:
        for tagged in tag_articles(nlp, numbered, n_process=workers, on_error=fail):
            tagged.id = records[tagged.id][1]["id"]
            out.write(json.dumps(tagged.to_json(), ensure_ascii=False) + "\n")
            tagged_count += 1
            rows = len(tagged.to_article_tags().incidents)
            incidents += rows
            incident_articles += bool(rows)
    click.echo(
        f"tagged {tagged_count} articles ({incidents_in_articles(incidents, incident_articles)}) "
        f"into {out_path}",
        err=out_path == "-",
    )
    if bad:
        # the good lines are tagged, but a script must not take a partial result for a whole one
        lines = f"{bad} bad line" + ("s" if bad > 1 else "")
        raise click.ClickException(f"{in_path}: {lines} left out (listed above)")
