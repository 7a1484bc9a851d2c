"""Extraction quality and speed: privwatch's extraction (as `privwatch extract` runs it) against plain
trafilatura on the shared benchmark pages.

Prints, side by side: body token-F1 (per page, averaged), title exact match, publication time exact
(within 60 s) and same day, authors F1 (the byline's people, or what it credits when it names nobody, as
the Fundus gold lists them), then one line `BENCH {json}`: extract_vs_trafilatura, the pages/s
ratio privwatch/trafilatura (above 1 when privwatch is faster; both run in this process over the same
page files, best of two alternating runs), and extraction_quality, the scores above.
Usage: python -m benchmarks.extraction [--shared DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import trafilatura

from config.models import Config
from crawlers.extract import extract, read_page
from crawlers.sources import source_for_url
from nlp.evaluate import NEWS_PAGES_DIR, read_news_pages

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r"\w+", re.UNICODE)


def token_f1(predicted: str | None, gold: str | None) -> float:
    p, g = Counter(TOKEN.findall((predicted or "").lower())), Counter(TOKEN.findall((gold or "").lower()))
    overlap = sum((p & g).values())
    if not p or not g or not overlap:
        return float(not p and not g)
    precision, recall = overlap / sum(p.values()), overlap / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def set_f1(predicted: list[str], gold: list[str]) -> float:
    p = {" ".join(a.lower().split()) for a in predicted or []}
    g = {" ".join(a.lower().split()) for a in gold or []}
    if not p and not g:
        return 1.0
    overlap = len(p & g)
    if not overlap:
        return 0.0
    precision, recall = overlap / len(p), overlap / len(g)
    return 2 * precision * recall / (precision + recall)


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def score(predictions: dict[str, dict], pages: list[dict]) -> dict:
    body, title, exact, day, authors = [], [], [], [], []
    for page in pages:
        predicted = predictions.get(str(page["path"]), {})
        if page.get("body"):
            body.append(token_f1(predicted.get("body"), page["body"]))
        if page.get("title"):
            title.append(" ".join((predicted.get("title") or "").split()) == " ".join(page["title"].split()))
        gold_time = _moment(page.get("published"))
        if gold_time:
            got = predicted.get("published")
            got_time = _moment(got) if got and "T" in got else None
            exact.append(bool(got_time) and abs((got_time - gold_time).total_seconds()) <= 60)
            day.append(
                bool(got)
                and str(got)[:10] == gold_time.astimezone(UTC).date().isoformat()
                or (bool(got_time) and got_time.astimezone(UTC).date() == gold_time.astimezone(UTC).date())
            )
        if page.get("authors") is not None:
            # the gold lists whom the byline credits: its people, or the outlet or agency when it names none
            byline = predicted.get("authors") or predicted.get("credit") or []
            authors.append(set_f1(byline, page["authors"]))

    def mean(values):
        return round(sum(values) / len(values), 4) if values else None

    return {
        "body_f1": mean(body),
        "title_exact": mean(title),
        "time_exact": mean(exact),
        "same_day": mean(day),
        "authors_f1": mean(authors),
        "pages": len(pages),
    }


def run_privwatch(pages: list[dict]) -> tuple[dict[str, dict], float]:
    """What `privwatch extract` does per page (the source's selectors and time zone, then extraction),
    in this process like trafilatura's side."""
    sources = Config().sources
    results = {}
    started = time.perf_counter()
    for page in pages:
        try:
            source = source_for_url(sources, page["url"])
            results[str(page["path"])] = extract(
                read_page(page["path"]), page["url"], source=source
            ).as_dict()
        except (OSError, ValueError):
            results[str(page["path"])] = {}
    return results, time.perf_counter() - started


def run_trafilatura(pages: list[dict]) -> tuple[dict[str, dict], float]:
    results = {}
    started = time.perf_counter()
    for page in pages:
        html = read_page(page["path"])
        document = trafilatura.bare_extraction(html, url=page["url"], with_metadata=True)
        if document is None:
            results[str(page["path"])] = {}
            continue
        authors = [a.strip() for a in re.split(r";|,| and ", document.author or "") if a.strip()]
        results[str(page["path"])] = {
            "title": document.title,
            "body": document.text,
            "published": document.date,
            "authors": authors,
        }
    return results, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=NEWS_PAGES_DIR)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    pages = read_news_pages(args.shared)
    if not pages:
        sys.exit(f"no benchmark pages under {args.shared}")
    # alternating runs, each side's best: a busy neighbour on the machine hurts both sides alike
    ours, ours_seconds = run_privwatch(pages)
    theirs, theirs_seconds = run_trafilatura(pages)
    ours_seconds = min(ours_seconds, run_privwatch(pages)[1])
    theirs_seconds = min(theirs_seconds, run_trafilatura(pages)[1])
    report = {}
    for name in ("zyte", "fundus"):
        subset = [p for p in pages if p["set"] == name]
        report[name] = {"privwatch": score(ours, subset), "trafilatura": score(theirs, subset)}
    report["extract_vs_trafilatura"] = round(theirs_seconds / ours_seconds, 3) if ours_seconds else None
    if args.json:
        print(json.dumps(report))
        return
    for name in ("zyte", "fundus"):
        print(f"\n{name}-dev ({report[name]['privwatch']['pages']} pages)")
        print(f"  {'metric':<12} {'privwatch':>10} {'trafilatura':>12}")
        for metric in ("body_f1", "title_exact", "time_exact", "same_day", "authors_f1"):
            ours_value, theirs_value = report[name]["privwatch"][metric], report[name]["trafilatura"][metric]
            print(f"  {metric:<12} {ours_value!s:>10} {theirs_value!s:>12}")
    print(f"\npages/s ratio privwatch/trafilatura: {report['extract_vs_trafilatura']}")
    quality = {name: report[name] for name in ("zyte", "fundus")}
    bench = {"extract_vs_trafilatura": report["extract_vs_trafilatura"], "extraction_quality": quality}
    print("BENCH " + json.dumps(bench))


if __name__ == "__main__":
    main()
