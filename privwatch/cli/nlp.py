"""The NLP verbs: `privwatch nlp train`, `evaluate` and `evaluate-stories` (and `export-corrections`,
in privwatch/cli/corrections.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from privwatch.cli.corrections import export_corrections
from privwatch.cli.options import gold_argument, json_option, workers_option
from privwatch.cli.output import print_rows
from privwatch.tagging import tagging_pipelines


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

    scores = train_textcat(output or TEXTCAT_DIR, corpus or CORPUS, app.config, max_steps=max_steps)
    per_label = scores.get("cats_f_per_type") or {}
    rows = [
        {"label": k, "precision": round(v["p"], 3), "recall": round(v["r"], 3), "f1": round(v["f"], 3)}
        for k, v in per_label.items()
    ]
    print_rows(rows, False, title=f"dev scores (macro AUC {scores.get('cats_macro_auc', 0):.3f})")
    click.echo(f"saved to {output or TEXTCAT_DIR}")


@nlp_group.command("package")
@click.argument(
    "out_dir", metavar="OUT_DIR", required=False, type=click.Path(file_okay=False, path_type=Path)
)
@click.pass_obj
def nlp_package(app, out_dir: Path | None) -> None:
    """Save the tagging pipelines where spacy.load reads them on their own.

    OUT_DIR/en and OUT_DIR/zh hold the models and the config data (knowledge base, taxonomies).

    \b
    Example:
      privwatch nlp package build/pipelines && python -c 'import spacy; spacy.load("build/pipelines/en")'
    """
    from nlp.package import save_pipelines

    app.config.check()  # a broken config fails before the arguments are looked at
    if out_dir is None:
        raise click.UsageError("give the directory to save the pipelines in")
    for language, path in save_pipelines(tagging_pipelines(app.config), out_dir).items():
        click.echo(f"{language}: saved to {path}")


@nlp_group.command("evaluate")
@gold_argument("[GOLD.jsonl]...")
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
@json_option("Print JSON instead of tables.")
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
    gold_sets = {path: read_gold(path) for path in gold}
    pages_dir = None if no_news_pages else news_pages or NEWS_PAGES_DIR
    pages = read_news_pages(pages_dir) if pages_dir else []
    if news_pages and not pages:
        raise click.ClickException(
            f"{news_pages}: no zyte-dev/ground-truth.json or fundus-dev/expected.jsonl"
        )
    if not gold_sets and not pages:
        raise click.UsageError("give a gold file (no news pages found under ../shared/bench/extraction)")
    nlp = tagging_pipelines(app.config)
    type_ids = [t.id for t in app.config.taxonomy.types]
    summary: dict = {"nlp_version": nlp.meta["privwatch_version"], "gold": {}}
    for path, records in gold_sets.items():
        result = evaluate(nlp, records, app.config.knowledge_base, type_ids, n_process=workers)
        summary["gold"][str(path)] = {**result.as_dict(), **({"errors": result.errors} if errors else {})}
        if not as_json:
            languages = ", ".join(f"{n} {language}" for language, n in result.languages.most_common())
            print_rows(result.rows(), False, title=f"{path} ({result.articles} articles: {languages})")
            for language, part in result.by_language.items():
                print_rows(part.rows(), False, title=f"{path}, {language} only ({part.articles} articles)")
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

    return read_jsonl(path, check, "not a story gold line")


def _store_and_tag(app, nlp, records: list[dict], database, workers: int) -> dict[int, str]:
    """Store gold articles as a crawl would (one source per outlet, times in UTC), tag them and assign
    stories; returns article id -> gold id."""
    import re

    from nlp.pipeline import tag_articles
    from nlp.stories import update_stories
    from storage.config_rows import storage_rows
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
@gold_argument("GOLD.jsonl...")
@click.option(
    "--keep-db",
    metavar="PATH",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep the tagged gold articles and their stories in this new database (to browse or re-assign).",
)
@workers_option
@click.option("--errors", is_flag=True, help="Also list each predicted story with its gold stories.")
@json_option("Print JSON instead of tables.")
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
    nlp = tagging_pipelines(app.config)
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
                print_rows(rows, False, title=f"{path} ({found})")
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


nlp_group.add_command(export_corrections)
