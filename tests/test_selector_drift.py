"""Selector drift: a site whose markup changes mid-crawl (tests/fixtures/sites/driftsite). The articles in
the new markup are kept through the general extractor, listing pages in it through article_url_pattern,
and the crawl records one selector_miss warning per source and run, which the crawl summary, the
crawl_health query and the digest's footer show."""

from __future__ import annotations

import email
import json
import re
import shutil
from email import policy

import pytest
import yaml
from click.testing import CliRunner

from config.models import REPO_CONFIG_DIR
from config.sources import Source
from crawlers.extract import extract
from privwatch.cli import cli
from storage.db import open_db

from .sitesrv import SiteServer
from .test_crawl import SITES, crawl, only_sources

DRIFT_SITE = SITES / "driftsite"
# the selectors fit the site's old markup
DRIFT_SOURCE = {
    "id": "ledger",
    "name": "Lakeside Ledger",
    "kind": "listing",
    "timezone": "UTC",
    "article_url_pattern": r"/stories/\d{4}/[a-z0-9-]+\.html",
    "selectors": {
        "article_links": "ul.headlines a",
        "next_page": "a.older",
        "title": "h1.story-title",
        "published": "p.dateline",
        "body": "div.story-text p",
    },
}
OLD_MARKUP = {"/stories/2024/council-plate-cameras.html", "/stories/2024/gym-fingerprint-entry.html"}
NEW_MARKUP = {
    "/stories/2024/grocer-app-location.html",
    "/stories/2024/school-tablet-telemetry.html",
    "/stories/2024/insurer-claims-portal.html",
}
MISS_LINE = "ledger: selectors missed on 4 pages (article_links, title, body); generic extraction used"


def drift_source(server: SiteServer) -> dict:
    return {
        **DRIFT_SOURCE,
        "url": server.url("/"),
        "start_urls": [server.url("/news/index.html")],
        "allowed_domains": ["127.0.0.1"],
    }


@pytest.mark.parametrize("path", sorted(OLD_MARKUP | NEW_MARKUP))
def test_extract_reports_the_selectors_that_missed_and_keeps_the_article(path):
    source = Source.model_validate({**DRIFT_SOURCE, "url": "http://127.0.0.1/", "start_urls": ["http://127.0.0.1/"],
                                    "allowed_domains": ["127.0.0.1"]})  # fmt: skip
    page = extract((DRIFT_SITE / path.lstrip("/")).read_bytes(), "http://127.0.0.1" + path, source=source)
    headline = re.search(r"<h1[^>]*>(.+?)</h1>", (DRIFT_SITE / path.lstrip("/")).read_text(encoding="utf-8"))
    assert page.title == headline.group(1) and len(page.body.split()) > 100
    if path in OLD_MARKUP:
        assert (page.missed_selectors, page.extractor) == ([], "selectors")
    else:
        assert (page.missed_selectors, page.extractor) == (["title", "body"], "trafilatura")


@pytest.fixture(scope="module")
def drifted(tmp_path_factory):
    """One crawl of the drift site; its database, config folder, output and the server's base URL."""
    tmp = tmp_path_factory.mktemp("drift")
    config_dir = tmp / "config"
    shutil.copytree(REPO_CONFIG_DIR, config_dir)
    db = tmp / "drift.db"
    with SiteServer(DRIFT_SITE) as server:
        only_sources(config_dir, [drift_source(server)], retries=1)
        result = crawl(config_dir, db)
        base = server.base
    return {"db": db, "config_dir": config_dir, "result": result, "base": base}


def articles_by_path(db, base: str) -> dict[str, dict]:
    database = open_db(db)
    return {r["url"].removeprefix(base): r for r in database.query("SELECT * FROM articles")}


def test_drift_stores_every_article_the_new_markup_through_the_general_extractor(drifted):
    articles = articles_by_path(drifted["db"], drifted["base"])
    assert set(articles) == OLD_MARKUP | NEW_MARKUP
    assert {p: a["extractor"] for p, a in articles.items() if p in OLD_MARKUP} == dict.fromkeys(
        OLD_MARKUP, "selectors"
    )
    assert {p: a["extractor"] for p, a in articles.items() if p in NEW_MARKUP} == dict.fromkeys(
        NEW_MARKUP, "trafilatura"
    )
    grocer = articles["/stories/2024/grocer-app-location.html"]
    assert grocer["title"] == "Marketfresh app kept tracking shoppers after they left the store"
    assert grocer["published"] == "2024-05-06T08:15:00+00:00"
    assert grocer["body"].startswith("The loyalty app of the grocery chain Marketfresh")
    assert grocer["body"].endswith("the stray location records would be deleted.")
    assert "About us" not in grocer["body"] and "14 Quay Street" not in grocer["body"]


def test_drift_records_one_selector_miss_row_for_the_source_and_run(drifted):
    database = open_db(drifted["db"])
    runs = list(database.query("SELECT * FROM crawl_runs"))
    assert [(r["source_id"], r["status"], r["errors"], r["new"]) for r in runs] == [("ledger", "ok", 0, 5)]
    warnings = list(database.query("SELECT * FROM crawl_warnings"))
    assert len(warnings) == 1
    warning = warnings[0]
    assert warning["run_id"] == runs[0]["id"] and warning["kind"] == "selector_miss"
    assert warning["pages"] == 4  # the new listing page and the three new article pages
    assert json.loads(warning["detail"]) == {"article_links": 1, "title": 3, "body": 3}
    assert warning["example_url"].removeprefix(drifted["base"]) in NEW_MARKUP | {"/news/page-2.html"}


def test_drift_is_named_in_the_crawl_summary(drifted):
    assert MISS_LINE in drifted["result"].stdout.splitlines()


def test_crawl_health_shows_selectors_that_missed_in_the_last_24_hours(drifted, tmp_path):
    metadata = yaml.safe_load((REPO_CONFIG_DIR / "datasette" / "metadata.yaml").read_text(encoding="utf-8"))
    sql = metadata["databases"]["privwatch"]["queries"]["crawl_health"]["sql"]
    health = {r["source"]: r for r in open_db(drifted["db"]).query(sql)}
    assert health["ledger"]["selector_miss_24h"] == MISS_LINE.removeprefix("ledger: ")
    assert health["ledger"]["selector_miss_example"].startswith(drifted["base"])
    older = tmp_path / "older.db"
    shutil.copy(drifted["db"], older)
    database = open_db(older)
    database.execute("UPDATE crawl_warnings SET at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-2 days')")
    database.conn.commit()
    assert next(database.query(sql))["selector_miss_24h"] is None


def test_digest_footer_names_the_source_whose_selectors_missed(drifted, tmp_path):
    out = tmp_path / "digest.eml"
    args = ["--config-dir", str(drifted["config_dir"]), "digest", "--dry-run", "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--db", str(drifted["db"])])
    assert result.exit_code == 0, result.output
    message = email.message_from_bytes(out.read_bytes(), policy=policy.default)
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content()
    footer = text.split("\n--\n", 1)[1]
    assert "Lakeside Ledger (ledger): " + MISS_LINE.removeprefix("ledger: ") in " ".join(footer.split())
    assert "Lakeside Ledger (ledger): " + MISS_LINE.removeprefix("ledger: ") in html
