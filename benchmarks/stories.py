"""Story assignment's share of a tag run: the time `privwatch tag` spends placing 10,000 tagged articles in
stories, over the time it spends tagging them, in the same run.

The articles are our gold sets' (every tests/nlp_gold/*.jsonl: English and Chinese, incidents and not), tagged
once by the real pipeline (one process) to measure the tagging rate, then stored again and again to reach
--articles, each repeat's dates moved on by --shift-days and its titles numbered, so that repeats are
distinct articles whose stories grow and overlap in time the way a crawl's do. Story assignment then runs
as after a tag run (nlp.stories.update_stories over every unassigned incident article) and is timed;
tagging time is --articles over the measured rate. Prints `BENCH {json}`: stories_vs_tagging (the ratio;
the issue's goal is at most 0.10), stories_seconds, tag_articles_per_s, stories.

    python -m benchmarks.stories                   # 10,000 articles
    python -m benchmarks.stories --articles 2000   # a quick run
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from config.models import Config
from nlp.jsonl import read_jsonl
from nlp.pipeline import build_pipelines, tag_articles
from nlp.stories import update_stories
from storage import db as store
from storage.config_rows import sync_config

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "nlp_gold"


def gold_articles() -> list[dict]:
    articles = []
    for path in sorted(GOLD.glob("*.jsonl")):
        articles += [{**record, "id": f"{path.stem}/{record['id']}"} for record in read_jsonl(path)]
    return articles


def moved(published: str | None, days: int) -> str:
    moment = datetime.fromisoformat(published or "2024-01-01")
    return (moment + timedelta(days=days)).isoformat()


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--shift-days", type=int, default=20, help="how far each repeat's dates move")
    args = parser.parse_args(argv)
    config = Config()
    records = gold_articles()
    nlp = build_pipelines(config)
    texts = [{"id": i, "title": r.get("title"), "body": r["body"], "language": r.get("language")}
             for i, r in enumerate(records)]  # fmt: skip
    list(tag_articles(nlp, texts[:20]))  # warm-up: model loading, word caches
    started = time.perf_counter()
    tags = [t.to_article_tags() for t in tag_articles(nlp, texts)]
    tag_rate = len(texts) / (time.perf_counter() - started)
    version = nlp.meta["privwatch_version"]

    with tempfile.TemporaryDirectory() as scratch:
        database = store.open_db(Path(scratch) / "stories.db")
        sync_config(database, config)
        stored = 0
        repeat = 0
        while stored < args.articles:
            batch = records[: args.articles - stored]
            rows = [
                {
                    "url": f"https://bench.example/{repeat}/{r['id']}",
                    "title": f"{r.get('title') or ''} ({repeat})",
                    "body": f"{r['body']}\n({repeat})",
                    "published": moved(r.get("published"), repeat * args.shift_days),
                    "language": r.get("language"),
                }
                for r in batch
            ]
            results = store.upsert_articles(database, rows)
            store.replace_tags_many(
                database, [(res.article_id, tags[i]) for i, res in enumerate(results)], version
            )
            stored += len(batch)
            repeat += 1
        started = time.perf_counter()
        assigned = update_stories(database, config.settings.stories)
        seconds = time.perf_counter() - started
        stories = database.execute("SELECT count(*) FROM stories").fetchone()[0]
        database.close()
    tagging_seconds = args.articles / tag_rate
    result = {
        "stories_vs_tagging": round(seconds / tagging_seconds, 4),
        "stories_seconds": round(seconds, 2),
        "stories_articles": args.articles,
        "stories_assigned": assigned,
        "stories": stories,
        "tag_articles_per_s_1_process": round(tag_rate, 2),
    }
    print(
        f"{args.articles:,} articles: tagging {tagging_seconds:.0f} s at {tag_rate:.1f} articles/s "
        "(1 process); "
        f"story assignment {seconds:.1f} s for {assigned:,} articles in {stories:,} stories: "
        f"{result['stories_vs_tagging']:.1%} of the tagging time"
    )
    print("BENCH " + json.dumps(result))
    return result


if __name__ == "__main__":
    main()
