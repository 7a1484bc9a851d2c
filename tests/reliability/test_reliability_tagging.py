"""Reliability: one article never stops tagging. A 1.4 MB article is tagged within the budget beside a
normal one; an article the pipeline raises on becomes a tag_errors row, the others are tagged, and later
runs of the same version leave it alone; the scheduler's crawl -> tag -> digest cycle goes on after it;
tag-file reports each bad line by number and tags the good ones."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from spacy.language import Language

from nlp import jsonl, pipeline
from storage.db import open_db, upsert_articles

from ..conftest import FIXTURES
from ..sitesrv import SiteServer
from ..test_schedule import PRIVWATCH, configure, szdaily_source

# the pipeline raises on a text holding this (the synthetic failure): a registered component put first
MARKER = "Quillfeather-failure-marker"
NORMAL = {
    "title": "Ride app apologises for sharing trip records",
    "body": "Meituan apologised on Monday after an investigation found that its ride-hailing app had shared "
    "passengers' trip records with advertisers without asking them.\n\n"
    "The company said it had stopped the transfers and would delete the copies its partners held.",
}
FAILING = {
    "title": "Night market stalls move to the pier",
    "body": f"The district moved forty food stalls to the old pier on Sunday. {MARKER}\n\n"
    # a privacy word: the cascade's gate passes the article to the pipeline that fails on the marker
    "Stall holders said the new spot drew more visitors after dark and asked about their privacy.",
}


def long_body(paragraphs: int = 14_000) -> str:
    """About 1.4 MB: a company at the top, ferry notes, and a company only past the budget."""
    notes = (
        f"Note {n}: the ferry from pier {n % 40} leaves at {6 + n % 12} o'clock on weekdays and is back "
        "before dusk, weather allowing."
        for n in range(paragraphs)
    )
    return "\n\n".join(
        [
            "ByteDance opened a new office beside the harbour on Monday, the district said.",
            *notes,
            "Tencent said on Friday that it had never kept the chat histories of its users.",
        ]
    )


@Language.component("test_fails_on_marker")
def fails_on_marker(doc):
    if MARKER in doc.text:
        raise ValueError(f"synthetic failure on {MARKER}")
    return doc


@pytest.fixture
def failing_pipeline(monkeypatch):
    """`privwatch tag` and `tag-file` build pipelines that raise on the marker (in worker processes too:
    they are forked with it)."""
    build = pipeline.build_pipelines

    def build_failing(*args, **kwargs):
        pipelines = build(*args, **kwargs)
        pipelines.default.add_pipe("test_fails_on_marker", first=True)
        return pipelines

    monkeypatch.setattr(pipeline, "build_pipelines", build_failing)


def store(db_path, articles: dict[str, dict]) -> dict[str, int]:
    database = open_db(db_path)
    rows = [
        {"url": f"https://harbour.invalid/{key}", "source_id": "szdaily", "language": "en",
         "published": "2026-11-02T08:00:00+00:00", **article}
        for key, article in articles.items()
    ]  # fmt: skip
    results = upsert_articles(database, rows)
    database.close()
    return {key: result.article_id for key, result in zip(articles, results, strict=True)}


def companies(database, table: str, article_id: int) -> set[str]:
    rows = database.query(f"SELECT company_id FROM {table} WHERE article_id = ?", [article_id])
    return {r["company_id"] for r in rows}


def test_reliability_a_long_article_is_tagged_within_the_budget_beside_a_normal_one(run, db_path):
    body = long_body()
    assert len(body) > 1_300_000
    long = {"title": "Harbour district publishes its ferry notes", "body": body}
    ids = store(db_path, {"long": long, "normal": NORMAL})
    result = run("tag", "--db", str(db_path))
    assert "tagged 2 articles" in result.stdout and "failed" not in result.stdout
    database = open_db(db_path)
    assert database.execute("SELECT count(*) FROM articles WHERE tagged_at IS NULL").fetchone()[0] == 0
    assert database["tag_errors"].count == 0
    # the top of the long article is read, its end (past 100,000 characters) is not
    assert companies(database, "mentions", ids["long"]) == {"bytedance"}
    assert companies(database, "incidents", ids["normal"]) == {"meituan"}
    # the stored article keeps its whole body
    assert database["articles"].get(ids["long"])["body"] == body


@pytest.mark.parametrize("workers", [1, 2])
def test_reliability_a_failing_article_is_recorded_and_the_others_are_tagged(
    run, db_path, failing_pipeline, monkeypatch, workers
):
    after = {**NORMAL, "title": "Meituan says sorry over shared trip records"}
    ids = store(db_path, {"before": NORMAL, "failing": FAILING, "after": after})
    result = run("tag", "--workers", str(workers), "--db", str(db_path))
    assert "tagged 2 articles" in result.stdout and "1 articles failed (see tag_errors)" in result.stdout
    database = open_db(db_path)
    errors = list(database["tag_errors"].rows)
    assert [(e["article_id"], MARKER in e["error"]) for e in errors] == [(ids["failing"], True)]
    tagged = {r[0] for r in database.execute("SELECT id FROM articles WHERE tagged_at IS NOT NULL")}
    assert tagged == {ids["before"], ids["after"]}
    assert errors[0]["nlp_version"] == database["articles"].get(ids["before"])["nlp_version"]

    # the next run of the same version leaves it alone (the pipeline would fail on it again)
    assert "nothing to tag" in run("tag", "--workers", str(workers), "--db", str(db_path)).stdout
    assert list(database["tag_errors"].rows) == errors
    if workers > 1:
        return
    # a run whose every article fails says so in its exit status: the pipeline itself may be broken
    store(db_path, {"failing-again": {**FAILING, "title": "Pier stalls stay open late"}})
    failed = run("tag", "--db", str(db_path), expect=1)
    assert "every article failed: 1 (see tag_errors)" in failed.output
    # a new version, with the failing component gone, tries them again
    monkeypatch.undo()
    monkeypatch.setattr(pipeline, "NLP_VERSION", "99.0.0")
    assert "tagged 2 articles" in run("tag", "--db", str(db_path)).stdout
    assert database["articles"].get(ids["failing"])["tagged_at"]


def test_reliability_the_scheduled_cycle_goes_on_after_a_failing_article_and_a_long_page(
    run, config_dir, tmp_path, failing_pipeline, smtp_server
):
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "sites" / "szdaily", site)
    long_page(site)
    db_path = tmp_path / "cycle.db"
    with SiteServer(site) as server:
        configure(config_dir, tmp_path, [szdaily_source(server, every="1h")])
        run("init", "--db", str(db_path))
        failing = store(db_path, {"failing": FAILING, "normal": NORMAL})["failing"]
        assert "1 articles failed" in run("tag", "--db", str(db_path)).stdout
        result = subprocess.run(
            [PRIVWATCH, "--config-dir", str(config_dir), "schedule", "--once", "--db", str(db_path)],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    log = result.stderr
    assert "job crawl:szdaily end status=ok" in log and "tag failed" not in log, log
    assert "job digest end status=ok" in log and len(smtp_server.envelopes) == 1, log
    database = open_db(db_path)
    untagged = [r[0] for r in database.execute("SELECT id FROM articles WHERE tagged_at IS NULL")]
    assert untagged == [failing]
    crawled = database.execute("SELECT count(*) FROM articles WHERE source_id = 'szdaily'").fetchone()[0]
    assert crawled >= 7
    long_id = database.execute("SELECT id FROM articles WHERE url LIKE '%content_9990001.htm'").fetchone()[0]
    assert companies(database, "mentions", long_id) == {"bytedance"}
    # crawled beside the ordinary pages: stored within the body budget and flagged, then tagged
    long = database["articles"].get(long_id)
    assert long["truncated"] == 1 and len(long["body"]) <= 200_000 and long["tagged_at"]
    whole = database.execute(
        "SELECT count(*) FROM articles "
        "WHERE source_id = 'szdaily' AND truncated = 0 AND tagged_at IS NOT NULL"
    ).fetchone()[0]
    assert whole == crawled - 2  # all but the long page and the failing article


def long_page(site) -> None:
    """A 1.4 MB article page on the Shenzhen Daily fixture site, linked from its Business_Markets page."""
    template = (site / "content" / "2018-01" / "11" / "content_3473010.htm").read_text(encoding="utf-8")
    paragraphs = "".join(f"<p>{p}</p>\n" for p in long_body().split("\n\n"))
    content = f"<!--enpcontent-->{paragraphs}<!--/enpcontent-->"
    page = re.sub(r"<!--enpcontent-->.*<!--/enpcontent-->", lambda _: content, template, flags=re.S)
    page = page.replace("Regulator summons Alipay, Sesame Credit over user data", "Harbour ferry notes")
    target = site / "content" / "2018-01" / "12" / "content_9990001.htm"
    target.parent.mkdir(parents=True)
    target.write_text(page, encoding="utf-8")
    listing = site / "node_3036.htm"
    table = 'id="newslist" class="newslist">'
    link = '<a href="/content/2018-01/12/content_9990001.htm">Harbour ferry notes</a>'
    row = f'<tr><td class="list_title">{link}</td></tr>'
    text = listing.read_text(encoding="utf-8")
    assert table in text
    listing.write_text(text.replace(table, table + row, 1), encoding="utf-8")


def test_reliability_tag_file_reports_each_bad_line_and_tags_the_good_ones(
    run, tmp_path, failing_pipeline, monkeypatch
):
    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 2_000_000)
    lines = [
        json.dumps({"id": "normal", **NORMAL}).encode(),
        json.dumps({"id": "number-title", "title": 1234, "body": "A title that is a number."}).encode(),
        b'{"id": "latin-1", "title": "Caf\xe9 chain loses loyalty data", "body": "Cards were copied."}',
        json.dumps({"id": "oversized", "title": "Too long", "body": "word " * 500_000}).encode(),
        json.dumps({"id": "failing", **FAILING}).encode(),
        json.dumps({"id": "long", "title": "Harbour ferry notes", "body": long_body(9_000)}).encode(),
        json.dumps({"id": "last", **NORMAL, "title": "Meituan says sorry"}).encode(),
    ]
    assert len(lines[3]) > 2_000_000 > len(lines[5]) > 100_000
    articles = tmp_path / "hostile.jsonl"
    articles.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "tags.jsonl"
    result = run("tag-file", str(articles), str(out), expect=1)
    assert "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        f"{articles}:2: not an article: its title is a number, not a string",
        f"{articles}:3: not UTF-8: byte 0xe9 at column 32",
        f"{articles}:4: line over 2,000,000 bytes",
        f"{articles}:5: tagging failed: ValueError: synthetic failure on {MARKER}",
        f"Error: {articles}: 4 bad lines left out (listed above)",
    ]
    tagged = {line["id"]: line for line in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert list(tagged) == ["normal", "long", "last"]
    assert [c["id"] for c in tagged["long"]["companies"]] == ["bytedance"]
