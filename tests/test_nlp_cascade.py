"""The cascade (nlp/gate.py): the gate passes every incident of every gold set, an article it stops gets
company mentions only and would have been no incident under the full pipeline, and the figures on the
gold sets are those of full tagging."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config.models import Config
from nlp.evaluate import gold_incident, score
from nlp.gate import DEPTH_FULL, DEPTH_MENTIONS
from nlp.jsonl import read_jsonl
from nlp.pipeline import GATE_COMPONENT, build_pipelines, tag_articles, tag_depths

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "nlp-real" / "real.jsonl"
# every gold set: the NLP gold (English, Chinese), the story gold and the real-text check set beside the
# project when it is there
GOLD_SETS = sorted((ROOT / "tests" / "nlp_gold").glob("*.jsonl")) + ([REAL] if REAL.exists() else [])
# the dev splits, on which the gate's recall of the gold incidents is a test; on the blind splits and
# the check set it is a figure (`make bench`), since a test there would invite tuning on them
DEV_SETS = [p for p in GOLD_SETS if "dev" in p.name]
# the gold sets scored with the English pipeline (the Chinese one has no gate: it is rule-based)
SCORED_SETS = [p for p in GOLD_SETS if not p.name.startswith(("zh-", "stories-"))]


def gold_lines(path: Path) -> list[dict]:
    return read_jsonl(path, lambda record: None, "not a gold line")


@pytest.fixture(scope="module")
def config():
    return Config()


@pytest.fixture(scope="module")
def pipelines(config):
    return build_pipelines(config)


@pytest.mark.parametrize("gold", DEV_SETS, ids=lambda p: p.name)
def test_the_gate_passes_every_incident_of_the_dev_gold_sets(pipelines, gold):
    records = gold_lines(gold)
    depths = tag_depths(pipelines, records)
    stopped = [
        r["id"] for r, depth in zip(records, depths, strict=True) if gold_incident(r) and depth != DEPTH_FULL
    ]
    assert stopped == [], f"{gold.name}: the gate stops incident articles {stopped}"


@pytest.fixture(scope="module")
def cascade_and_full(nlp, full_nlp, config):
    """Per scored gold set: its records, the cascade's tags, and full tagging's (the full pipeline run
    only where the gate stopped an article: elsewhere the cascade runs that same pipeline)."""
    results = {}
    for gold in SCORED_SETS:
        records = gold_lines(gold)
        cascaded = list(tag_articles(nlp, records))
        stopped = [i for i, t in enumerate(cascaded) if t.depth == DEPTH_MENTIONS]
        full = list(cascaded)
        for i, tagged in zip(stopped, tag_articles(full_nlp, [records[i] for i in stopped]), strict=True):
            full[i] = tagged
        results[gold.name] = (records, cascaded, full)
    return results


def test_the_gate_stops_no_article_the_full_pipeline_finds_an_incident_in(cascade_and_full):
    stopped = 0
    for name, (_records, cascaded, full) in cascade_and_full.items():
        for c, f in zip(cascaded, full, strict=True):
            if c.depth == DEPTH_MENTIONS:
                stopped += 1
                assert not f.is_incident and not f.accused, (name, c.id, f.incident_types)
                # the knowledge base's companies the full pipeline names, the cascade names too
                known = {x["id"] for x in f.companies if x["id"]}
                assert known <= {x["id"] for x in c.companies if x["id"]}, (name, c.id)
    assert stopped, "no gold article is ordinary news: the comparison would prove nothing"


def test_the_cascade_keeps_the_figures_of_full_tagging_on_every_gold_set(cascade_and_full, config):
    types = [t.id for t in config.taxonomy.types]
    for name, (records, cascaded, full) in cascade_and_full.items():
        with_cascade = score(records, cascaded, config.knowledge_base, types).as_dict()
        without = score(records, full, config.knowledge_base, types).as_dict()
        for metric in ("is_incident", "types_micro", "accused_companies"):
            assert with_cascade[metric]["f1"] == without[metric]["f1"], (name, metric)
        assert with_cascade["response_accuracy"] == without["response_accuracy"], name
        # organisations the knowledge base lacks are what a stopped article loses, never a known company
        assert with_cascade["all_companies"]["f1"] >= without["all_companies"]["f1"] - 0.01, name


def test_an_article_the_gate_passes_gets_exactly_the_full_pipelines_tags(nlp, full_nlp):
    records = gold_lines(ROOT / "tests" / "nlp_gold" / "dev.jsonl")
    cascaded = list(tag_articles(nlp, records))
    full = list(tag_articles(full_nlp, records))
    passed = [(c, f) for c, f in zip(cascaded, full, strict=True) if c.depth == DEPTH_FULL]
    assert len(passed) >= len(records) // 2
    for c, f in passed:
        assert {**c.to_json(), "depth": None} == {**f.to_json(), "depth": None}, c.id


# -- what the gate lets through: one class of text per case, sentences written for it ----------------------

PASSES = {
    "a notice without the word privacy": (
        "Notice of a security incident",
        "Between 3 and 9 March the names and card numbers of clients of Harbour Lane Bakery could be "
        "opened by anyone who guessed the address of its order portal.",
    ),
    "a privacy authority named alone": (
        "Bakery fined",
        "The CNPD fined the family bakery 4,000 euros for filming its staff in the changing room.",
    ),
    "an inflected form of a lemma cue": (
        "Delivery app under fire",
        "Couriers say the Brisk Parcel app snooped on them during unpaid breaks for most of last year.",
    ),
    "what a phone shows its owner": (
        "Wallet app update questioned",
        "Researchers say the update let the Pocketa wallet app read customers' notifications.",
    ),
    "personal data in a headline only": (
        "Regional grocer says customer data was copied",
        "Westfold Grocers told shareholders on Tuesday that it had called in outside advisers.",
    ),
}
STOPS = {
    "quarterly results": (
        "Nimbus Motors beats forecasts",
        "Nimbus Motors said quarterly revenue rose 12 per cent to 4.1 billion dollars as deliveries of its "
        "compact electric van doubled. Shares closed 3 per cent higher on Thursday.",
    ),
    "a merger with common words near each other": (
        "Tencent weighs games deal",
        "Tencent is in talks to buy a stake in a French games studio, people familiar with the matter "
        "said. Talks are at an early stage and the details on price could still change.",
    ),
}


@pytest.mark.parametrize("case", PASSES, ids=list(PASSES))
def test_the_gate_passes_every_kind_of_privacy_text(nlp, case):
    title, body = PASSES[case]
    assert tag_depths(nlp, [{"title": title, "body": body}]) == [DEPTH_FULL]


@pytest.mark.parametrize("case", STOPS, ids=list(STOPS))
def test_ordinary_news_gets_company_mentions_only(nlp, case):
    title, body = STOPS[case]
    (tagged,) = tag_articles(nlp, [{"id": case, "title": title, "body": body}])
    assert tagged.depth == DEPTH_MENTIONS and not tagged.is_incident
    assert tagged.to_article_tags().depth == DEPTH_MENTIONS


def test_without_the_cascade_every_english_article_gets_the_whole_pipeline(full_nlp, nlp):
    assert GATE_COMPONENT not in full_nlp.component_names and GATE_COMPONENT in nlp.component_names
    assert full_nlp.meta["privwatch_version"] != nlp.meta["privwatch_version"]  # a switch re-tags as stale
    title, body = STOPS["quarterly results"]
    (tagged,) = tag_articles(full_nlp, [{"title": title, "body": body}])
    assert tagged.depth == DEPTH_FULL
    assert "Nimbus Motors" in {c["name"] for c in tagged.companies}  # the NER's organisations, too


def test_tag_stores_how_deep_each_article_was_tagged(run, db_path):
    from storage.db import open_db, upsert_article

    database = open_db(db_path)
    ids = {}
    for name, (title, body) in {"privacy": PASSES["a privacy authority named alone"], **STOPS}.items():
        article = {"url": f"https://example.com/{len(ids)}", "title": title, "body": body}
        ids[name] = upsert_article(database, {**article, "published": "2026-11-30"}).article_id
    database.conn.close()
    run("tag", "--db", str(db_path))
    database = open_db(db_path)
    depth = {name: database["articles"].get(i)["tag_depth"] for name, i in ids.items()}
    assert depth == {"privacy": "full", **dict.fromkeys(STOPS, "mentions")}
    merger = ids["a merger with common words near each other"]
    assert [r["company_id"] for r in database["mentions"].rows_where("article_id = ?", [merger])] == [
        "tencent"
    ]


def test_tag_file_lines_carry_the_depth(run, tmp_path):
    articles = tmp_path / "articles.jsonl"
    lines = [
        {"id": name, "title": title, "body": body} for name, (title, body) in {**PASSES, **STOPS}.items()
    ]
    articles.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / "tags.jsonl"
    run("tag-file", str(articles), str(out))
    depths = {t["id"]: t["depth"] for t in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert depths == {**dict.fromkeys(PASSES, "full"), **dict.fromkeys(STOPS, "mentions")}
