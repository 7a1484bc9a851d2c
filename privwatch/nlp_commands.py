"""The NLP verbs of the privwatch command line: tag, tag-file, nlp train, nlp evaluate.

They are registered on the `cli` group in privwatch/cli.py. They take the App from the click context
(ctx.obj) rather than importing cli.py, so either module can be imported first.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import click

db_option = click.option(
    "--db", "db", metavar="PATH", help="SQLite database (default: `database` in settings.yaml)."
)
workers_option = click.option(
    "--workers",
    "-w",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes that run the spaCy pipeline (one per core is the most that helps).",
)


def _print_rows(rows: list[dict], as_json: bool, title: str | None = None) -> None:
    from privwatch.cli import print_rows

    print_rows(rows, as_json, title=title)


def pipelines_for(app):
    """The tagging pipelines of the app's config; a ClickException when they cannot be built."""
    from nlp.pipeline import PipelineError, build_pipelines

    try:
        return build_pipelines(app.config)
    except (PipelineError, OSError) as exc:
        raise click.ClickException(f"cannot build the NLP pipeline: {exc}") from None


def _iso_date(_ctx, _param, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2024-05-31") from None


@contextmanager
def _open_lines(path: str, mode: str):
    """A file to read as bytes ("rb") or write as UTF-8 text ("w"); "-" is stdin or stdout."""
    if path == "-":
        yield sys.stdin.buffer if mode == "rb" else sys.stdout
        return
    try:
        with open(path, mode, encoding=None if "b" in mode else "utf-8") as handle:
            yield handle
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror or exc}") from None


@click.command("tag")
@click.option("--all", "everything", is_flag=True, help="Re-tag every article, not only untagged ones.")
@click.option(
    "--since",
    metavar="DATE",
    callback=_iso_date,
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
@db_option
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
    from privwatch.alerts import alerts_after_tag
    from privwatch.config_rows import storage_rows
    from privwatch.tagging import assign_stories, tag_stored
    from storage.db import load_config_rows
    from storage.queries import count_articles_to_tag

    if sum((everything, bool(since), stale)) > 1:
        raise click.UsageError("give one of --all, --since and --stale")
    database = app.open_db(db)
    # the knowledge base may have grown since `privwatch init`: mentions need its companies as rows
    load_config_rows(database, storage_rows(app.config))
    # cheap (nothing is loaded): the built pipeline's own version only differs while its classifier is new
    expected = pipeline_version(app.config)
    which = {"everything": everything, "since": since, "stale_for": expected if stale else None}
    total = count_articles_to_tag(database, **which, failed_under=expected)
    if not total:
        click.echo("nothing to tag")
        _echo_stories(assign_stories(app.config, database, retagged=[], rebuild=False), rebuilt=False)
        alerts_after_tag(app, database, db)
        return
    nlp = pipelines_for(app)
    with click.progressbar(length=total, label="tagging", file=sys.stderr, show_pos=True) as bar:
        run = tag_stored(
            database, nlp, **which, batch_size=batch_size, workers=workers, on_written=bar.update
        )
    click.echo(run.summary())
    _echo_stories(assign_stories(app.config, database, run.tagged_ids, everything), rebuilt=everything)
    alerts_after_tag(app, database, db)
    if run.failed and not run.articles:
        # like a crawl whose every source failed: the pipeline itself, not one article, may be broken
        raise click.ClickException(f"every article failed: {run.failed} (see tag_errors)")


def _echo_stories(count: int, rebuilt: bool) -> None:
    if rebuilt:
        click.echo(f"stories rebuilt: {count}")
    elif count:
        click.echo(f"articles placed in stories: {count}")


# a longer line is reported, never read whole: tag-file's input may come from anywhere
MAX_LINE_BYTES = 20 * 1024 * 1024
ARTICLE_TEXT_KEYS = ("title", "body", "language")


def _raw_lines(handle, limit: int):
    """(number, line) of a binary stream, line without its end; None for a line over limit bytes, whose
    rest is read and dropped in pieces of at most limit bytes."""
    number = 0
    while line := handle.readline(limit + 1):
        number += 1
        content = line[:-1].removesuffix(b"\r") if line.endswith(b"\n") else line
        if len(content) <= limit:
            yield number, content
            continue
        while not line.endswith(b"\n") and (line := handle.readline(limit)):
            pass
        yield number, None


def _article_record(line: bytes) -> dict:
    """The article record of one JSON line; ValueError says what is wrong with it."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8: byte 0x{line[exc.start]:02x} at column {exc.start + 1}") from None
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    except RecursionError:
        raise ValueError("not JSON: nested too deeply") from None
    if not isinstance(record, dict):
        raise ValueError(f"not an article: {_json_kind(record)}, not an object")
    for key in ARTICLE_TEXT_KEYS:
        if record.get(key) is not None and not isinstance(record[key], str):
            raise ValueError(f"not an article: its {key} is {_json_kind(record[key])}, not a string")
    return {"id": record.get("id"), **{key: record.get(key) for key in ARTICLE_TEXT_KEYS}}


def _json_kind(value) -> str:
    kinds = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array"}
    return kinds.get(type(value), "an object")


def _article_lines(in_path: str, strict: bool) -> tuple[list[tuple[int, dict]], int]:
    """(line number, article record) of each good line of a JSON-lines file, and how many bad lines
    there were, each reported on stderr as IN:LINE: reason; with strict the first bad line stops
    everything."""
    records, bad = [], 0
    with _open_lines(in_path, "rb") as handle:
        for number, line in _raw_lines(handle, MAX_LINE_BYTES):
            try:
                if line is None:
                    raise ValueError(f"line over {MAX_LINE_BYTES:,} bytes")
                if not line.strip():
                    continue
                records.append((number, _article_record(line)))
            except ValueError as exc:
                problem = f"{in_path}:{number}: {exc}"
                if strict:
                    raise click.ClickException(problem) from None
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
    nlp = pipelines_for(app)
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

    with _open_lines(out_path, "w") as out:
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


@click.group("nlp")
def nlp_group() -> None:
    """Train and evaluate the NLP pipeline (text classifier, gold-set scores).

    \b
    Example:
      privwatch nlp evaluate tests/nlp_gold/dev.jsonl
    """


@nlp_group.command("train")
@click.option(
    "--corpus",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Labelled JSON lines (default: nlp/corpus/incidents.jsonl).",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the classifier goes (default: nlp/model/textcat).",
)
@click.option(
    "--max-steps",
    type=click.IntRange(50, 100_000),
    default=None,
    help="Training steps (default: nlp/textcat.cfg's).",
)
@click.pass_obj
def nlp_train(app, corpus: Path | None, output: Path | None, max_steps: int | None) -> None:
    """Train the sentence classifier (textcat_multilabel) on the labelled incident corpus.

    Labels: the incident types and responses of config/incidents.yaml. Prints the dev scores.

    \b
    Example:
      privwatch nlp train --output nlp/model/textcat
    """
    from nlp.pipeline import TEXTCAT_DIR
    from nlp.train import CORPUS, train_textcat

    try:
        scores = train_textcat(output or TEXTCAT_DIR, corpus or CORPUS, app.config, max_steps=max_steps)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    per_label = scores.get("cats_f_per_type") or {}
    rows = [
        {"label": k, "precision": round(v["p"], 3), "recall": round(v["r"], 3), "f1": round(v["f"], 3)}
        for k, v in per_label.items()
    ]
    _print_rows(rows, False, title=f"dev scores (macro AUC {scores.get('cats_macro_auc', 0):.3f})")
    click.echo(f"saved to {output or TEXTCAT_DIR}")


@nlp_group.command("evaluate")
@click.argument(
    "gold", metavar="[GOLD.jsonl]...", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--news-pages",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Real news pages to count false alarms on (default: ../shared/bench/extraction when present).",
)
@click.option("--no-news-pages", is_flag=True, help="Skip the false-alarm check on real news pages.")
@workers_option
@click.option("--errors", is_flag=True, help="Also list the articles the tagger got wrong.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.pass_obj
def nlp_evaluate(
    app,
    gold: tuple[Path, ...],
    news_pages: Path | None,
    no_news_pages: bool,
    workers: int,
    errors: bool,
    as_json: bool,
) -> None:
    """Score the tagger on gold sets (P/R/F1 per incident type, is_incident, companies, responses) and
    count its false alarms on real news pages.

    GOLD lines: {"id", "title", "body", "is_incident", "incident_types", "companies": [{"name",
    "role", "response"}]}. Company names resolve through the knowledge base (alias, then fuzzy). The
    news pages are the gold bodies of the real pages in ../shared/bench/extraction (Zyte's and
    Fundus' extraction benchmarks): every one tagged as an incident is listed as a false alarm.

    \b
    Example:
      privwatch nlp evaluate tests/nlp_gold/dev.jsonl tests/nlp_gold/test.jsonl
      privwatch nlp evaluate ../shared/nlp-real/real.jsonl --no-news-pages --json
    """
    from nlp.evaluate import NEWS_PAGES_DIR, evaluate, news_false_alarms, read_gold, read_news_pages

    app.config.check()  # a broken config fails before any input is read
    try:
        gold_sets = {path: read_gold(path) for path in gold}
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    pages_dir = None if no_news_pages else news_pages or NEWS_PAGES_DIR
    pages = read_news_pages(pages_dir) if pages_dir else []
    if news_pages and not pages:
        raise click.ClickException(
            f"{news_pages}: no zyte-dev/ground-truth.json or fundus-dev/expected.jsonl"
        )
    if not gold_sets and not pages:
        raise click.UsageError("give a gold file (no news pages found under ../shared/bench/extraction)")
    nlp = pipelines_for(app)
    type_ids = [t.id for t in app.config.taxonomy.types]
    summary: dict = {"nlp_version": nlp.meta["privwatch_version"], "gold": {}}
    for path, records in gold_sets.items():
        result = evaluate(nlp, records, app.config.knowledge_base, type_ids, n_process=workers)
        summary["gold"][str(path)] = {**result.as_dict(), **({"errors": result.errors} if errors else {})}
        if not as_json:
            languages = ", ".join(f"{n} {language}" for language, n in result.languages.most_common())
            _print_rows(result.rows(), False, title=f"{path} ({result.articles} articles: {languages})")
            for language, part in result.by_language.items():
                _print_rows(part.rows(), False, title=f"{path}, {language} only ({part.articles} articles)")
            for error in result.errors if errors else ():
                click.echo(json.dumps(error, ensure_ascii=False))
    if pages:
        alarms = news_false_alarms(nlp, pages, n_process=workers)
        summary["news_pages"] = {"dir": str(pages_dir), **alarms}
        if not as_json:
            click.echo(
                f"real news pages ({pages_dir}): "
                f"{len(alarms['incidents'])} of {alarms['pages']} tagged as incidents"
            )
            for alarm in alarms["incidents"]:
                click.echo(
                    f"  {alarm['url']}  {','.join(alarm['types'])}  accused: {'; '.join(alarm['accused'])}"
                )
    elif not no_news_pages:
        summary["news_pages"] = None
        if not as_json:
            click.echo(f"real news pages: skipped ({pages_dir} is absent)")
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))


def _read_story_gold(path: Path) -> list[dict]:
    from nlp.jsonl import read_jsonl

    def check(record: dict) -> None:
        missing = {"id", "story", "outlet", "published", "body"} - set(record)
        if missing:
            raise ValueError(f"missing {', '.join(sorted(missing))}")

    try:
        return read_jsonl(path, check, "not a story gold line")
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _store_and_tag(app, nlp, records: list[dict], database, workers: int) -> dict[int, str]:
    """Store gold articles as a crawl would (one source per outlet, times in UTC), tag them and assign
    stories; returns article id -> gold id."""
    import re

    from nlp.pipeline import tag_articles
    from nlp.stories import update_stories
    from privwatch.config_rows import storage_rows
    from storage.db import load_config_rows, replace_tags_many, upsert_articles

    rows = storage_rows(app.config)
    outlets = {
        r["outlet"]: re.sub(r"\W+", "-", r["outlet"].casefold()).strip("-") or "outlet" for r in records
    }
    rows.sources = [{"id": f"gold-{slug}", "name": name, "kind": "feed"} for name, slug in outlets.items()]
    load_config_rows(database, rows)
    articles = []
    for record in records:
        published = datetime.fromisoformat(record["published"])
        if published.tzinfo:
            published = published.astimezone(UTC)
        articles.append(
            {
                "url": f"https://gold.invalid/{record['id']}",
                "source_id": f"gold-{outlets[record['outlet']]}",
                "title": record.get("title"),
                "published": published.isoformat(),
                "language": record.get("language"),
                "body": record["body"],
            }
        )
    results = upsert_articles(database, articles)
    gold_of = {r.article_id: record["id"] for r, record in zip(results, records, strict=True)}
    texts = [{"id": r.article_id, "title": a["title"], "body": a["body"], "language": a["language"]}
             for r, a in zip(results, articles, strict=True)]  # fmt: skip
    version = nlp.meta["privwatch_version"]
    tagged = [(t.id, t.to_article_tags()) for t in tag_articles(nlp, texts, n_process=workers)]
    replace_tags_many(database, tagged, version)
    update_stories(database, app.config.settings.stories)
    return gold_of


@nlp_group.command("evaluate-stories")
@click.argument(
    "gold", metavar="GOLD.jsonl...", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--keep-db",
    metavar="PATH",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep the tagged gold articles and their stories in this new database (to browse or re-assign).",
)
@workers_option
@click.option("--errors", is_flag=True, help="Also list each predicted story with its gold stories.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.pass_obj
def nlp_evaluate_stories(app, gold: tuple[Path, ...], keep_db: Path | None, workers: int, errors: bool,
                         as_json: bool) -> None:  # fmt: skip
    """Score story assignment on gold stories: B-cubed precision, recall and F1.

    GOLD lines: {"id", "story" (null for an article in no story), "outlet", "published" (ISO 8601),
    "title", "body", "language"?}. Each file's articles go into a fresh database as a crawl would store
    them (one source per outlet; a copy of another's body becomes its duplicate), are tagged by the
    pipeline and assigned to stories in time order. `all` scores every gold story article (one the
    tagger missed stands alone); `tagged` only those the tagger put in a story.

    \b
    Example:
      privwatch nlp evaluate-stories tests/nlp_gold/stories-dev.jsonl tests/nlp_gold/stories-test.jsonl
    """
    import tempfile

    from nlp.stories import b_cubed
    from storage.db import open_db
    from storage.stories import memberships

    app.config.check()  # a broken config fails before any input is read
    if not gold:
        raise click.UsageError("give a story gold file")
    gold_sets = {path: _read_story_gold(path) for path in gold}
    if keep_db and len(gold) > 1:
        raise click.UsageError("--keep-db takes one gold file")
    if keep_db and keep_db.exists():
        raise click.UsageError(f"{keep_db} exists: give a new path")
    nlp = pipelines_for(app)
    summary = {}
    with tempfile.TemporaryDirectory() as scratch:
        for path, records in gold_sets.items():
            db_path = keep_db or Path(scratch) / f"{path.stem}.db"
            database = open_db(db_path)
            gold_of = _store_and_tag(app, nlp, records, database, workers)
            story_of = {gold_of[a]: str(s) for a, s in memberships(database).items()}
            database.close()
            labels = {r["id"]: r["story"] for r in records}
            tagged = {i: label for i, label in labels.items() if i in story_of or label is None}
            result = {
                "all": b_cubed(labels, story_of),
                "tagged": b_cubed(tagged, story_of),
                "gold_stories": len({s for s in labels.values() if s is not None}),
                "predicted_stories": len(set(story_of.values())),
                "missed_articles": sorted(
                    i for i, s in labels.items() if s is not None and i not in story_of
                ),
                "false_articles": sorted(i for i, s in labels.items() if s is None and i in story_of),
            }
            if errors:
                grouped: dict[str, list[str]] = {}
                for item, story in sorted(story_of.items()):
                    grouped.setdefault(story, []).append(f"{item}={labels[item]}")
                result["predicted"] = sorted(grouped.values())
            summary[str(path)] = result
            if not as_json:
                rows = [{"scored": name, **result[name]} for name in ("all", "tagged")]
                found = f"{result['gold_stories']} gold stories, {result['predicted_stories']} found"
                _print_rows(rows, False, title=f"{path} ({found})")
                click.echo(
                    f"  gold story articles in no story: {', '.join(result['missed_articles']) or '-'}"
                )
                click.echo(
                    f"  articles of no gold story in a story: {', '.join(result['false_articles']) or '-'}"
                )
                for members in result.get("predicted", []):
                    click.echo("  " + " ".join(members))
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
