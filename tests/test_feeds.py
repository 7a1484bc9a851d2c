"""The Atom feeds of `privwatch serve` (config/datasette/plugins/privwatch_feeds.py): all incidents and one
per watchlist, read back with feedparser from the fixture database through Datasette's in-process client."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import feedparser
import pytest
import yaml

from config.models import REPO_CONFIG_DIR, Config
from privwatch.serve import build_datasette
from storage import db as store

from .datasette_fixtures import SCRIPT_TITLE, SEED_CONSENT, SEED_TITLE, build_fixture_db
from .test_datasette import fetch, get


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("feeds")
    config_dir = tmp / "config"
    shutil.copytree(REPO_CONFIG_DIR, config_dir)
    path = config_dir / "watchlists.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["watchlists"] += [
        {"id": "ant-consent", "name": "Ant & consent <b>", "companies": ["ant-group"], "types": ["consent"]},
        {"id": "quiet", "name": "Quiet", "terms": ["no article says this"]},
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    fixture = build_fixture_db(tmp / "fixture.db", config_dir)
    return SimpleNamespace(fixture=fixture, datasette=build_datasette(fixture.path, Config(config_dir)))


def feed(served, url: str):
    response = get(served.datasette, url)
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def newest_articles(served, sql: str, *params) -> list[int]:
    """Article ids in the order the feed must list them: newest publication first, undated last."""
    database = store.open_db(served.fixture.path)
    rows = database.execute(
        f"SELECT article_id FROM ({sql}) GROUP BY article_id "
        "ORDER BY max(published) IS NULL, max(published) DESC, article_id DESC LIMIT 50",
        params,
    ).fetchall()
    database.close()
    return [row[0] for row in rows]


def article_ids(parsed) -> list[int]:
    return [int(entry.link.rsplit("/", 1)[1]) for entry in parsed.entries]


def test_the_incidents_feed_lists_the_newest_incidents_with_evidence_and_article_pages(served):
    parsed = feed(served, "/-/feeds/incidents.atom")
    assert parsed.feed.title == "privwatch: privacy incidents"
    assert parsed.feed.links[0].href == "http://localhost/-/feeds/incidents.atom"
    assert article_ids(parsed) == newest_articles(served, "SELECT article_id, published FROM incidents")
    assert len(parsed.entries) == 42  # every article with an incident, copies left out
    first = parsed.entries[0]
    assert first.link == f"http://localhost/fixture/articles/{article_ids(parsed)[0]}"
    assert first.summary_detail.type == "text/plain" and first.summary
    dated = [e.published_parsed for e in parsed.entries if "published" in e]
    assert dated == sorted(dated, reverse=True) and "published" not in parsed.entries[-1]  # undated last
    assert len({e.id for e in parsed.entries}) == len(parsed.entries)
    assert all(e.title and e.author and e.updated for e in parsed.entries)


def test_a_watchlist_feed_lists_its_matches_with_the_matching_evidence(served):
    parsed = feed(served, "/-/feeds/watchlists/ant-consent.atom")
    assert parsed.feed.title == "privwatch watchlist: Ant & consent <b>"
    expected = newest_articles(
        served, "SELECT article_id, published FROM watchlist_incidents WHERE watchlist_id = ?", "ant-consent"
    )
    assert expected and article_ids(parsed) == expected
    seed = next(e for e in parsed.entries if e.title == SEED_TITLE)
    assert seed.summary == SEED_CONSENT  # the consent sentence, not Tencent's denial
    assert {t.term for t in seed.tags} == {"consent", "ant-group"}
    assert any(
        link.rel == "related" and link.href.startswith("http://www.szdaily.com/") for link in seed.links
    )
    alternate = next(link for link in parsed.feed.links if link.rel == "alternate")
    assert alternate.href == "http://localhost/fixture/watchlist?watchlist=ant-consent"
    assert get(served.datasette, "/fixture/watchlist.json?watchlist=ant-consent&_shape=array").json()


def test_a_feed_keeps_hostile_titles_as_text(served):
    parsed = feed(served, "/-/feeds/watchlists/breaches.atom")
    hostile = next(e for e in parsed.entries if "Data broker leaks" in e.title)
    assert hostile.title == SCRIPT_TITLE
    assert hostile.summary == "<script>alert(3)</script> Kochava exposed location records."


def test_a_watchlist_without_matches_has_a_valid_empty_feed_and_an_unknown_one_is_404(served):
    assert feed(served, "/-/feeds/watchlists/quiet.atom").entries == []
    missing = fetch(served.datasette, "/-/feeds/watchlists/no-such-list.atom")[0]
    assert missing.status_code == 404 and "no-such-list" in missing.text


def test_the_watchlists_table_links_each_watchlist_to_its_feed(served):
    page = get(served.datasette, "/fixture/watchlists").text
    assert 'href="/-/feeds/watchlists/china-platforms.atom"' in page
    assert 'href="/fixture/watchlist?watchlist=china-platforms"' in page
