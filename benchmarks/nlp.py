"""Tagging throughput: the privwatch pipeline against a bare spaCy NER-only pipeline on the same texts.

Three corpora, each article's title and body, repeats numbered in their titles so that no two texts are
the same (privwatch tags an exact copy once):
- the dev gold set, repeated to a few hundred articles (two thirds of it incidents): tag_vs_spacy;
- the dev gold set's incident articles only, repeated likewise: tag_vs_spacy_incidents, what an article
  that needs the whole pipeline costs;
- the realistic mix of benchmarks/mix.py, 5% incidents among ordinary news (real pages of
  ../shared/bench/extraction and generated finance and tech articles), one process: tag_mix_vs_spacy,
  what a news flow costs, and tag_gate_passed (tag_gate_passed_share), how many of its articles the
  cascade's gate let through to the whole pipeline (TaggedArticle.depth "full"), with
  tag_gate_missed_incidents, the mix's incidents it stopped (0 expected).
The bare side is the base model loaded with enable=["tok2vec", "ner"] and run with
nlp.pipe(n_process=N), whose workers send back the Docs; the privwatch side is `privwatch tag`'s tagging
(nlp.pipeline.tag_articles, whose workers send back only the tags, plus the conversion to storage tags).
Both are warmed up untimed, and each side's best of a few alternating rounds counts. The gold and
incident ratios are the lowest over the process counts run (1 and 2 by default), so a regression in
either setting shows; the *_by_processes figures have each one, *_articles_per_s privwatch's rates.
Prints tables and one line `BENCH {json}`; also Chinese articles/s (zh_tag_articles_per_s) and the gate's
recall of the incident articles of every gold set (tag_gate_recall, tag_gate_recall_min).
Usage: python -m benchmarks.nlp [--repeat N] [--mix-size N] [--processes 1 2] [--rounds N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import spacy
from spacy.language import Language

from benchmarks.mix import mix_articles, repeated
from nlp.evaluate import gold_incident, read_gold
from nlp.gate import DEPTH_FULL
from nlp.jsonl import read_jsonl
from nlp.pipeline import (
    article_text,
    base_model_name,
    build_pipeline,
    build_pipelines,
    tag_articles,
    tag_depths,
)

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "nlp_gold" / "dev.jsonl"
CHINESE_GOLD = ROOT / "tests" / "nlp_gold" / "zh-dev.jsonl"
REAL_GOLD = ROOT.parent / "shared" / "nlp-real" / "real.jsonl"


def load_articles(repeat: int, gold: Path = GOLD, incidents_only: bool = False) -> list[dict]:
    records = read_gold(gold)
    records = [
        {"id": r["id"], "title": r["title"], "body": r["body"]}
        for r in records
        if r["is_incident"] or not incidents_only
    ]
    return repeated(records, repeat * len(records))


def _rate(run, count: int) -> float:
    started = time.perf_counter()
    done = run()
    elapsed = time.perf_counter() - started
    assert done == count, (done, count)
    return count / elapsed


def measure(
    articles: list[dict], processes: int, batch_size: int, rounds: int, bare: Language, tagger: Language
) -> dict:
    texts = [article_text(a["title"], a["body"]) for a in articles]
    # warm both up outside the timed runs: the bare model has nothing to fill beyond its first batches;
    # the tagger has word caches (POS/lemma by word and tag, linked names), which a long-running tagger
    # has long filled, so it tags every article once; worker processes inherit them from this process.
    # The tagger's warm-up tells which articles the gate let through.
    for _ in bare.pipe(texts[: 2 * batch_size]):
        pass
    fully_tagged = set()
    for tagged in tag_articles(tagger, articles):
        tagged.to_article_tags()
        if tagged.depth == DEPTH_FULL:
            fully_tagged.add(tagged.id)

    def run_bare() -> int:
        return sum(1 for _ in bare.pipe(texts, batch_size=batch_size, n_process=processes))

    def run_privwatch() -> int:
        count = 0
        for tagged in tag_articles(tagger, articles, n_process=processes, batch_size=batch_size):
            tagged.to_article_tags()
            count += 1
        return count

    # alternate the two sides and keep each side's best round, so neither pays for a noisy neighbour
    bare_rates, privwatch_rates = [], []
    for _ in range(rounds):
        bare_rates.append(_rate(run_bare, len(texts)))
        privwatch_rates.append(_rate(run_privwatch, len(articles)))
    bare_rate, privwatch_rate = max(bare_rates), max(privwatch_rates)
    return {
        "processes": processes,
        "articles": len(articles),
        "bare_ner_articles_per_s": round(bare_rate, 2),
        "privwatch_articles_per_s": round(privwatch_rate, 2),
        "ratio": round(privwatch_rate / bare_rate, 3),
        "fully_tagged": fully_tagged,
    }


def chinese_rate(repeat: int, rounds: int) -> dict:
    """Chinese articles/s (one process) beside English on the same machine: the Chinese gold set through
    the routing tagger (language detection, then the Chinese pipeline). No bare baseline: spaCy has no
    Chinese NER in its package registry builds that install offline."""
    articles = load_articles(repeat, CHINESE_GOLD)
    tagger = build_pipelines()
    for tagged in tag_articles(tagger, articles):
        tagged.to_article_tags()

    def run() -> int:
        return sum(1 for tagged in tag_articles(tagger, articles) if tagged.to_article_tags() is not None)

    return {"zh_tag_articles_per_s": round(max(_rate(run, len(articles)) for _ in range(rounds)), 2)}


def print_table(title: str, runs: list[dict]) -> None:
    print(f"{title} ({runs[0]['articles']} articles)")
    print(f"{'processes':>9}  {'bare NER art/s':>14}  {'privwatch art/s':>15}  {'ratio':>6}")
    for r in runs:
        bare, privwatch = r["bare_ner_articles_per_s"], r["privwatch_articles_per_s"]
        print(f"{r['processes']:>9}  {bare:>14}  {privwatch:>15}  {r['ratio']:>6}")


def gate_recall(pipelines) -> dict[str, float]:
    """Per gold set (tests/nlp_gold, and ../shared/nlp-real when present): the share of its incident articles
    the cascade's gate passes to the whole pipeline (issue 18 asks for 1.0 on every one)."""
    sets = sorted((ROOT / "tests" / "nlp_gold").glob("*.jsonl")) + [p for p in [REAL_GOLD] if p.exists()]
    recall = {}
    for path in sets:
        incidents = [r for r in read_jsonl(path, lambda r: None, "not a gold line") if gold_incident(r)]
        depths = tag_depths(pipelines, incidents)
        recall[path.name] = round(depths.count(DEPTH_FULL) / len(incidents), 3) if incidents else 1.0
    return recall


def by_processes(runs: list[dict], key: str) -> dict:
    return {str(r["processes"]): r[key] for r in runs}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="how many times the gold articles repeat")
    parser.add_argument("--mix-size", type=int, default=400, help="articles in the 5%% incident mix")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print only the BENCH line")
    args = parser.parse_args(argv)
    bare = spacy.load(base_model_name(), enable=["tok2vec", "ner"])
    tagger = build_pipeline()

    def runs(articles: list[dict], processes: list[int]) -> list[dict]:
        return [measure(articles, n, args.batch_size, args.rounds, bare, tagger) for n in processes]

    gold_runs = runs(load_articles(args.repeat), args.processes)
    incident_runs = runs(load_articles(args.repeat, incidents_only=True), args.processes)
    mix = mix_articles(args.mix_size)
    [mix_run] = runs(mix, [1])
    incidents = {a["id"] for a in mix if a["is_incident"]}
    passed = mix_run["fully_tagged"]
    result = {
        "tag_vs_spacy": min(r["ratio"] for r in gold_runs),
        "tag_vs_spacy_by_processes": by_processes(gold_runs, "ratio"),
        "tag_articles_per_s": by_processes(gold_runs, "privwatch_articles_per_s"),
        "spacy_ner_articles_per_s": by_processes(gold_runs, "bare_ner_articles_per_s"),
        "tag_mix_vs_spacy": mix_run["ratio"],
        "tag_mix_articles_per_s": mix_run["privwatch_articles_per_s"],
        "spacy_ner_mix_articles_per_s": mix_run["bare_ner_articles_per_s"],
        "tag_mix_articles": len(mix),
        "tag_mix_incidents": len(incidents),
        "tag_gate_passed": len(passed),
        "tag_gate_passed_share": round(len(passed) / len(mix), 3),
        "tag_gate_missed_incidents": len(incidents - passed),
        "tag_vs_spacy_incidents": min(r["ratio"] for r in incident_runs),
        "tag_vs_spacy_incidents_by_processes": by_processes(incident_runs, "ratio"),
        "tag_incidents_articles_per_s": by_processes(incident_runs, "privwatch_articles_per_s"),
        "tag_base_model": base_model_name(),
        "tag_cpus": os.cpu_count(),
        **chinese_rate(args.repeat, args.rounds),
    }
    result["tag_gate_recall"] = gate_recall(build_pipelines())
    result["tag_gate_recall_min"] = min(result["tag_gate_recall"].values())
    if not args.json:
        print_table("dev gold set", gold_runs)
        print_table("dev gold incidents only", incident_runs)
        print_table(f"mix, {len(incidents)} incidents", [mix_run])
        missed = result["tag_gate_missed_incidents"]
        print(f"gate passed {len(passed)} of {len(mix)} mix articles; incidents gated out: {missed}")
        print(f"Chinese articles/s (1 process): {result['zh_tag_articles_per_s']}")
        below = {name: r for name, r in result["tag_gate_recall"].items() if r < 1}
        print(
            f"gate recall of the gold incidents: {below or 'all 1.0'} ({len(result['tag_gate_recall'])} sets)"
        )
    print("BENCH " + json.dumps(result))
    return result


if __name__ == "__main__":
    main()
