"""`privwatch serve`'s Datasette: descriptions, canned queries, the dashboard, safety and docs/sql.md,
against the fixture database through Datasette's in-process client."""

from __future__ import annotations

import asyncio
import copy
import importlib.util
import re
import socket
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from datasette_dashboards import replace_opts_in_query
from parsel import Selector

from config.models import REPO_CONFIG_DIR, Config
from privwatch.digest.build import published_day
from privwatch.serve import DATASETTE_SETTINGS, ServedMetadata, build_datasette, render_metadata
from storage import db as store
from storage.migrations import migrations
from storage.tags import stored_tags

from .conftest import ROOT
from .datasette_fixtures import (
    DASHBOARD_ALL_TIME,
    SCRIPT_TITLE,
    SEED_ALIBABA,
    SEED_APOLOGY,
    SEED_CONSENT,
    SEED_DENIAL,
    SEED_PROFILING,
    SEED_TITLE,
    SEED_URL,
    build_fixture_db,
)

FOLDER = REPO_CONFIG_DIR / "datasette"
METADATA = render_metadata(FOLDER, Config())
QUERIES = METADATA["databases"]["privwatch"]["queries"]
DASHBOARD = METADATA["plugins"]["datasette-dashboards"]["privacy-controversies"]
QUERY_PARAMS = {
    "company_history": {"company": "Ant Group"},
    "most_accused": {"from": "2018-01-01", "to": "2018-01-31"},
    "search_incidents": {"q": "sesame credit"},
    "search_chinese": {"q": "芝麻信用"},
    "story": {"story": "1"},  # the seed story, the oldest
    "company_stories": {"company": "Alipay"},
    "watchlist": {"watchlist": "china-platforms"},
}


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    return build_fixture_db(tmp_path_factory.mktemp("datasette") / "fixture.db")


@pytest.fixture(scope="module")
def datasette(fixture):
    return build_datasette(fixture.path, Config())


def fetch(datasette, *urls: str):
    """GET each URL through Datasette's in-process client; a list of responses."""

    async def go():
        await datasette.invoke_startup()
        return [await datasette.client.get(url) for url in urls]

    return asyncio.run(go())


def get(datasette, url: str):
    response = fetch(datasette, url)[0]
    assert response.status_code == 200, f"{url}: {response.status_code}\n{response.text[:2000]}"
    return response


def rows(datasette, path: str, **params) -> list[dict]:
    from urllib.parse import urlencode

    return get(datasette, f"{path}.json?{urlencode({**params, '_shape': 'array'})}").json()


def load_plugin():
    spec = importlib.util.spec_from_file_location(
        "privwatch_cells_test", FOLDER / "plugins" / "privwatch_cells.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- descriptions ----------------------------------------------------------------------------------------


def test_every_table_view_and_column_is_described(db_path):
    tables = METADATA["databases"]["privwatch"]["tables"]
    assert METADATA["title"] and METADATA["databases"]["privwatch"]["description"]
    connection = sqlite3.connect(db_path)
    schema = connection.execute(
        "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    missing = []
    for name, kind in schema:
        described = tables.get(name) or {}
        if not str(described.get("description", "")).strip():
            missing.append(f"{kind} {name}")
        for column in (r[1] for r in connection.execute(f"PRAGMA table_info([{name}])")):
            if not str((described.get("columns") or {}).get(column, "")).strip():
                missing.append(f"{name}.{column}")
    assert not missing, f"described nowhere in config/datasette/metadata.yaml: {missing}"
    stale = set(tables) - {name for name, _ in schema}
    assert not stale, f"metadata.yaml describes tables that do not exist: {stale}"


def test_database_description_names_the_sources_it_holds_articles_from(datasette, fixture):
    description = datasette.metadata("description", database="fixture")
    with sqlite3.connect(fixture.path) as connection:
        held = connection.execute("SELECT count(DISTINCT source_id) FROM articles").fetchone()[0]
        configured = connection.execute("SELECT count(*) FROM sources").fetchone()[0]
    assert 0 < held < configured
    assert f"Sources with articles in this database ({held} of the {configured} configured)" in description
    assert "Shenzhen Daily (www.szdaily.com)" in description
    assert "CNBC" not in description  # configured, no article yet


def test_settings_are_tuned_and_the_memory_database_is_gone(datasette):
    for name, value in DATASETTE_SETTINGS.items():
        assert datasette.setting(name) == value, name
    assert datasette.setting("suggest_facets") is False
    assert [name for name in datasette.databases if name != "_internal"] == ["fixture"]


# -- analyst views ---------------------------------------------------------------------------------------


def test_incidents_view_is_newest_first_with_default_facets(datasette):
    page = get(datasette, "/fixture/incidents.json?_shape=objects").json()
    published = [r["published"] for r in page["rows"]]
    assert published == sorted(published, key=lambda p: p or "", reverse=True)
    assert set(page["facet_results"]) == {"incident_type", "company", "source", "response", "language"}
    companies = {r["value"]: r["count"] for r in page["facet_results"]["company"]["results"]}
    assert companies["Ant Group"] == 6 and companies["Tencent"] == 7
    types = {r["value"]: r["count"] for r in page["facet_results"]["incident_type"]["results"]}
    taxonomy = {"consent", "collection", "breach", "sharing", "surveillance", "profiling", "enforcement"}
    assert types["consent"] >= 2 and set(types) <= taxonomy
    assert len(page["rows"]) == 50 and page["next"]


def test_incidents_view_leaves_out_the_syndicated_copy(datasette, fixture):
    assert rows(datasette, "/fixture/incidents", article_id=fixture.seed_id)
    assert not rows(datasette, "/fixture/incidents", article_id=fixture.duplicate_id)


def test_company_ant_group_leads_to_the_seed_article_with_its_evidence(datasette, fixture):
    ant = get(datasette, "/fixture/incidents?company=Ant+Group").text
    link = f'href="/fixture/articles/{fixture.seed_id}#tags"'
    assert link in ant
    article = get(datasette, f"/fixture/articles/{fixture.seed_id}").text
    assert "Tags and evidence" in article
    for sentence in (SEED_CONSENT, SEED_PROFILING, SEED_APOLOGY, SEED_DENIAL, SEED_ALIBABA):
        assert str(escape(sentence)) in article, sentence[:40]
    for word in ("consent", "profiling", "surveillance", "apology", "denial", "mentioned", "SD-Agencies"):
        assert f"<td>{word}</td>" in article, word


def escape(text: str):
    from markupsafe import escape as markup_escape

    return markup_escape(text)


def test_titles_link_to_the_original(datasette):
    page = get(datasette, "/fixture/latest_incidents").text
    assert f'<a href="{SEED_URL}" rel="noopener noreferrer nofollow">{SEED_TITLE}</a>' in page


# -- canned queries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_canned_query_runs_and_finds_rows(datasette, name):
    assert not QUERIES[name].get("write"), "canned queries must not write"
    assert QUERIES[name].get("title") and QUERIES[name].get("description")
    assert rows(datasette, f"/fixture/{name}", **QUERY_PARAMS.get(name, {}))
    get(datasette, f"/fixture/{name}")  # the form, before any parameter is given


def test_latest_incidents_shows_what_an_analyst_needs(datasette):
    latest = rows(datasette, "/fixture/latest_incidents")
    assert list(latest[0])[:7] == ["date", "company", "type", "response", "evidence", "title", "source"]
    dates = [r["date"] for r in latest]
    assert dates == sorted(dates, key=lambda d: d or "", reverse=True)


@pytest.mark.parametrize("company", ["Ant Group", "ant-group", "alipay", "SESAME CREDIT", " Ant Financial "])
def test_company_history_accepts_names_ids_aliases_and_products(datasette, company):
    found = rows(datasette, "/fixture/company_history", company=company)
    assert {r["company"] for r in found} == {"Ant Group"}
    seed = [r for r in found if r["title"] == SEED_TITLE]
    assert seed and seed[0]["role"] == "accused" and seed[0]["incident_types"] == "consent, profiling"
    assert seed[0]["response"] == "apology"


def test_company_history_of_an_unknown_company_is_empty(datasette):
    assert rows(datasette, "/fixture/company_history", company="No Such Company") == []


def test_most_accused_counts_articles_in_the_period(datasette):
    january_2018 = rows(datasette, "/fixture/most_accused", **{"from": "2018-01-05", "to": "2018-01-05"})
    assert {(r["company"], r["articles"], r["incidents"]) for r in january_2018} == {
        ("Ant Group", 1, 2),
        ("Tencent", 1, 1),
    }
    everything = rows(datasette, "/fixture/most_accused", **{"from": "2000-01-01", "to": ""})
    assert sum(r["incidents"] for r in everything) > sum(r["incidents"] for r in january_2018)

    def incidents(found):
        return sum(r["incidents"] for r in found)

    ninety_days_to_april_2024 = rows(datasette, "/fixture/most_accused", **{"from": "", "to": "2024-04-30"})
    assert 0 < incidents(ninety_days_to_april_2024) < incidents(everything)
    # no dates: the last 90 days, in which the fixture has nothing
    assert rows(datasette, "/fixture/most_accused", **{"from": "", "to": ""}) == []


@pytest.fixture(scope="module")
def group_datasette(tmp_path_factory):
    """A database in which Ant Group and its parent Alibaba Group are each accused once, Ring LLC and
    its parent Amazon once each, and Tencent (no parent in the group) once."""
    path = tmp_path_factory.mktemp("groups") / "groups.db"
    build_fixture_db(path, synthetic=0)
    database = store.open_db(path)
    for number, (company_id, incident_type) in enumerate(
        [("alibaba", "sharing"), ("ring", "surveillance"), ("amazon", "surveillance")]
    ):
        result = store.upsert_article(
            database,
            {
                "url": f"https://news.example/groups/{number}",
                "source_id": "szdaily",
                "title": f"Group roll-up story {number}",
                "published": "2018-01-06T08:00:00+00:00",
                "body": f"A story written for the parent roll-up test, number {number}.",
            },
        )
        evidence = f"The regulator said {company_id} had broken the rules, in story {number}."
        store.replace_tags(
            database,
            result.article_id,
            store.ArticleTags(
                mentions=[
                    {
                        "company_id": company_id,
                        "role": "accused",
                        "response": "none",
                        "count": 1,
                        "evidence": evidence,
                    }
                ],
                incidents=[
                    {
                        "incident_type": incident_type,
                        "company_id": company_id,
                        "score": 0.9,
                        "evidence": evidence,
                    }
                ],
            ),  # fmt: skip
            "test",
        )
    database.close()
    return build_datasette(path, Config())


def test_most_accused_rolls_companies_up_to_their_parent_group_only_when_asked(group_datasette):
    period = {"from": "2018-01-01", "to": "2018-01-31"}
    by_company = rows(group_datasette, "/groups/most_accused", **period)
    assert {(r["company_id"], r["articles"], r["incidents"]) for r in by_company} == {
        ("ant-group", 1, 2),
        ("tencent", 1, 1),
        ("alibaba", 1, 1),
        ("ring", 1, 1),
        ("amazon", 1, 1),
    }
    by_group = rows(group_datasette, "/groups/most_accused", by="group", **period)
    assert {(r["company"], r["articles"], r["incidents"]) for r in by_group} == {
        ("Alibaba Group", 2, 3),
        ("Tencent", 1, 1),
        ("Amazon", 2, 2),
    }
    members = {r["company_id"]: set(r["members"].split(",")) for r in by_group}
    assert members["alibaba"] == {"Ant Group", "Alibaba Group"}
    assert members["amazon"] == {"Ring LLC", "Amazon"}


def test_timestamps_show_in_the_digest_s_zone_with_its_offset(datasette):
    """config/settings.yaml's digest.timezone is Asia/Shanghai: a moment stored in UTC shows as Shanghai's
    time, "+08:00", on the same calendar day the digest gives it."""
    assert Config().settings.digest.timezone == "Asia/Shanghai"
    stored = [r["published"] for r in rows(datasette, "/fixture/incidents", _size="max")]
    page = get(datasette, "/fixture/incidents?_size=max").text
    shown = [cell.css("span.timestamp::text").get() for cell in Selector(page).css("td.col-published")]
    assert len(shown) == len(stored) >= 40
    seed = stored.index("2018-01-05T00:53:00+00:00")
    assert shown[seed] == "2018-01-05 08:53 +08:00"
    late = [(utc, local) for utc, local in zip(stored, shown, strict=True) if utc and utc[11:13] >= "16"]
    assert late, "no time stored after 16:00 UTC, whose Shanghai date is the next day"
    for utc, local in zip(stored, shown, strict=True):
        if utc:
            assert local.endswith(" +08:00") and local[:10] == published_day(utc, ZoneInfo("Asia/Shanghai"))
    assert all(utc[:10] != local[:10] for utc, local in late)


def test_search_highlights_the_matched_words(datasette, fixture):
    found = rows(datasette, "/fixture/search_incidents", q="alipay")
    assert {r["article_id"] for r in found} == {fixture.seed_id}
    assert "Ant Financial’s ⟦Alipay⟧ kicked off" in found[0]["snippet"]
    page = get(datasette, "/fixture/search_incidents?q=alipay").text
    assert "<mark>Alipay</mark>" in page


def test_search_shows_no_snippet_the_evidence_already_holds(datasette, fixture):
    (seed,) = rows(datasette, "/fixture/search_incidents", q="sesame credit")
    assert seed["article_id"] == fixture.seed_id and seed["evidence"] == SEED_CONSENT
    assert seed["snippet"] is None  # "Sesame Credit" is in the evidence beside it


@pytest.mark.parametrize(
    "query", ['"unbalanced', "privacy OR", "NOT", "*", "a:b", "'", "(", "", "a - b", ')"(']
)
def test_search_never_fails_on_what_an_analyst_types(datasette, query):
    rows(datasette, "/fixture/search_incidents", q=query)


def test_fts_query_quotes_every_term():
    plugin = load_plugin()
    assert plugin.fts_query("facial recognition") == '"facial" AND "recognition"'
    assert plugin.fts_query('"facial recognition" fine*') == '"facial recognition" AND "fine"*'
    assert plugin.fts_query("breach OR leak fine") == '("breach" OR "leak") AND "fine"'
    assert plugin.fts_query('privacy NOT fine -"data broker"') == '("privacy") NOT "fine" NOT "data broker"'
    assert plugin.fts_query('OR a:b ( "x') == '"a:b" AND "x"'
    assert plugin.fts_query("") == plugin.fts_query(None) == plugin.fts_query("NOT breach") == '""'
    assert plugin.fts_exclusions("NOT breach -leak") == '"breach" OR "leak"'
    assert plugin.fts_exclusions("privacy NOT breach") == plugin.fts_exclusions("") == '""'


def test_unknown_organisations_skips_names_the_knowledge_base_knows(datasette, tmp_path, fixture):
    names = {r["name"]: r["articles"] for r in rows(datasette, "/fixture/unknown_organisations")}
    assert names == {"Acme Data Brokers Ltd": 7, "SD-Agencies": 1}
    with sqlite3.connect(fixture.path) as connection:
        connection.execute("INSERT INTO unlinked_orgs (name, article_id, count) VALUES ('Alipay', 1, 1)")
    try:
        assert "Alipay" not in {r["name"] for r in rows(datasette, "/fixture/unknown_organisations")}
    finally:
        with sqlite3.connect(fixture.path) as connection:
            connection.execute("DELETE FROM unlinked_orgs WHERE name = 'Alipay'")


def test_crawl_health_reports_runs_errors_and_extraction_shares(datasette):
    health = {r["source"]: r for r in rows(datasette, "/fixture/crawl_health")}
    assert health["bbc"]["last_status"] == "partial" and health["bbc"]["last_errors"] == 2
    assert health["bbc"]["errors_7d"] == 2 and health["bbc"]["last_error"] in ("HTTP 503", "timeout")
    assert health["szdaily"]["pct_with_body"] == 100.0
    assert health["bbc"]["pct_with_body"] < 100  # the page without text
    assert health["cnbc"]["last_run"] is None and health["cnbc"]["articles"] == 0


# -- the dashboard ---------------------------------------------------------------------------------------


def test_dashboard_page_and_every_chart_query(datasette):
    page = get(datasette, DASHBOARD_ALL_TIME).text
    assert "Privacy controversies" in page and "Ant Group" in page  # the company filter's options
    for slug in ("incidents-per-week", "top-accused", "by-source", "responses"):
        assert f'id="chart-{slug}"' in page
    assert "cdn" not in page.lower() and "https://unpkg" not in page  # vega comes from the plugin's static
    filters = [{}, {"date_start": "2024-01-01", "date_end": "2024-06-30", "company": "Ant Group"}]
    for options in filters:
        for slug, chart in DASHBOARD["charts"].items():
            if "query" in chart:
                sql = replace_opts_in_query(chart["query"], options)
                assert rows(datasette, "/fixture", sql=sql, **options), f"{slug} with {options}"


def test_dashboard_filters_narrow_the_counts(datasette):
    chart = DASHBOARD["charts"]["incidents-total"]["query"]
    everything = rows(datasette, "/fixture", sql=replace_opts_in_query(chart, {}))[0]["incidents"]
    options = {"date_start": "2018-01-01", "date_end": "2018-01-05", "company": "Ant Group"}
    seed_only = rows(datasette, "/fixture", sql=replace_opts_in_query(chart, options), **options)
    assert seed_only[0]["incidents"] == 2 < everything


def test_dashboard_bars_link_to_existing_pages(datasette):
    served = datasette.plugin_config("datasette-dashboards")["privacy-controversies"]
    query = served["charts"]["top-accused"]["query"]
    links = [r["link"] for r in rows(datasette, "/fixture", sql=replace_opts_in_query(query, {}))]
    assert "/fixture/incidents?company_id=ant-group" in links
    assert rows(datasette, "/fixture/incidents", company_id="ant-group")


def test_links_follow_the_database_file_name(datasette):
    page = get(datasette, DASHBOARD_ALL_TIME).text
    assert "/fixture/incidents" in page and "/privwatch/" not in page
    assert 'href="/fixture/incidents"' in get(datasette, "/").text


# -- safety ----------------------------------------------------------------------------------------------


PAGES_WITH_SCRAPED_TEXT = [
    "/fixture/incidents",
    "/fixture/incidents?company=Kochava",
    "/fixture/latest_incidents",
    "/fixture/company_history?company=kochava",
    "/fixture/search_incidents?q=location+records",
    "/fixture/articles",
    "/fixture/articles?_search=broker",
    "/fixture/company_timeline",
]


@pytest.mark.parametrize("url", [*PAGES_WITH_SCRAPED_TEXT, "ARTICLE"])
def test_scraped_markup_shows_as_text(datasette, fixture, url):
    url = f"/fixture/articles/{fixture.script_id}" if url == "ARTICLE" else url
    page = get(datasette, url).text
    for payload in ("<script>alert(", "<b>bold</b>", "<img src=x"):
        assert payload not in page, f"{url} renders scraped markup {payload!r}"
    shown = "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;"
    assert shown in page or "&lt;script&gt;alert(2)" in page or "&lt;script&gt;alert(3)" in page
    if "search" not in url and "timeline" not in url:
        assert str(escape(SCRIPT_TITLE)) in page


def test_snippet_highlighting_escapes_first():
    highlight = load_plugin().highlight
    assert str(highlight("a ⟦<b>x</b>⟧ b")) == "a <mark>&lt;b&gt;x&lt;/b&gt;</mark> b"
    assert str(highlight("unbalanced ⟦<i>")) == "unbalanced ⟦&lt;i&gt;"


def test_the_database_cannot_be_written(datasette, fixture):
    async def write():
        await datasette.invoke_startup()
        await datasette.get_database("fixture").execute_write("DELETE FROM articles")

    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        asyncio.run(write())
    refused = fetch(datasette, "/fixture.json?sql=DELETE+FROM+articles")[0]
    assert refused.status_code == 400
    with sqlite3.connect(fixture.path) as connection:
        assert connection.execute("SELECT count(*) FROM articles").fetchone()[0] == fixture.articles


def test_no_write_or_download_endpoints(datasette):
    assert fetch(datasette, "/fixture.db")[0].status_code in (403, 404)
    for response in fetch(datasette, "/fixture/latest_incidents", DASHBOARD_ALL_TIME):
        assert "<form" not in response.text or 'method="post"' not in response.text.lower()


# -- the command -----------------------------------------------------------------------------------------


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def test_serve_refuses_a_missing_database(run, tmp_path):
    assert "no such database" in one_line_error(run("serve", "--db", str(tmp_path / "nope.db"), expect=None))


def test_serve_refuses_a_file_that_is_not_a_database(run, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite " * 100)
    assert "not a readable SQLite database" in one_line_error(run("serve", "--db", str(junk), expect=None))


def test_serve_refuses_a_database_with_pending_migrations(run, tmp_path):
    old = tmp_path / "old.db"
    database = store.open_db(old, migrate=False)
    migrations.apply(database, stop_before=migrations._migrations[-1].name)
    database.close()
    error = one_line_error(run("serve", "--db", str(old), expect=None))
    assert "not applied" in error and "privwatch init" in error


def test_serve_refuses_a_busy_port(run, db_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        error = one_line_error(run("serve", "--db", str(db_path), "--port", str(port), expect=None))
    assert f"cannot listen on 127.0.0.1:{port}" in error


# -- docs/sql.md -----------------------------------------------------------------------------------------

SQL_DOC = ROOT / "docs" / "sql.md"


def sql_examples() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", SQL_DOC.read_text(encoding="utf-8"), flags=re.S)


def test_sql_doc_has_ten_examples():
    assert len(sql_examples()) >= 10


@pytest.mark.parametrize("number", range(len(sql_examples())))
def test_sql_doc_example_runs_and_finds_rows(fixture, number):
    sql = sql_examples()[number]
    connection = sqlite3.connect(f"file:{Path(fixture.path).resolve()}?mode=ro", uri=True)
    try:
        found = connection.execute(sql).fetchall()
    finally:
        connection.close()
    assert found, f"example {number + 1} finds nothing in the fixture database:\n{sql}"


def test_table_counts_share_one_time_budget(datasette, fixture, monkeypatch):
    import privwatch.serve as serve_module

    def counts():
        async def go():
            await datasette.invoke_startup()
            return await datasette.get_database("fixture").table_counts(10)

        return asyncio.run(go())

    # a budget no loaded machine overruns counts every table; none counts none
    monkeypatch.setattr(serve_module, "TABLE_COUNTS_BUDGET_MS", 60_000)
    assert counts()["articles"] == fixture.articles
    monkeypatch.setattr(serve_module, "TABLE_COUNTS_BUDGET_MS", 0)
    assert set(counts().values()) == {None}


def test_table_page_counts_are_bounded_and_other_queries_are_not(datasette, monkeypatch):
    from datasette.database import Database

    import privwatch.serve as serve_module

    calls = []
    original = Database.execute

    async def record(self, sql, params=None, **kwargs):
        calls.append((sql, kwargs.get("custom_time_limit")))
        return await original(self, sql, params, **kwargs)

    monkeypatch.setattr(Database, "execute", record)
    datasette.get_database("fixture").counts.kept.clear()  # counted by an earlier test: asked again here
    get(datasette, "/fixture/articles?_search=privacy")
    page_counts = [limit for sql, limit in calls if sql.startswith("select count(*) from articles where")]
    assert page_counts == [serve_module.COUNT_TIME_LIMIT_MS]
    calls.clear()
    get(datasette, "/fixture.json?sql=select+count(*)+from+articles")
    sql_box = [call for call in calls if call[0] == "select count(*) from articles"]
    assert sql_box == [("select count(*) from articles", None)]  # the SQL box keeps sql_time_limit_ms


def test_table_permission_checks_do_not_copy_the_metadata(datasette, monkeypatch):
    """Datasette 0.65.5 deep-copies the metadata for every table permission check, dozens per page."""
    from datasette.app import Datasette

    copies = []
    deepcopy = copy.deepcopy

    def record(value, memo=None):
        result = deepcopy(value, memo)
        if isinstance(value, dict) and "databases" in value and result is not value:
            copies.append(value)
        return result

    monkeypatch.setattr(copy, "deepcopy", record)
    get(datasette, "/fixture")
    resource = ("fixture", "articles")
    assert asyncio.run(datasette.permission_allowed(None, "view-table", resource, default=True))
    assert not copies
    stock = Datasette(files=[], metadata=dict(datasette.metadata()))
    asyncio.run(stock.permission_allowed(None, "view-table", resource))
    assert copies  # the same check on a plain dict copies it


def test_served_metadata_keeps_table_allow_rules():
    from datasette.app import Datasette

    tables = {"articles": {"allow": {"id": "analyst"}, "columns": {"title": "Headline."}}}
    metadata = ServedMetadata({"databases": {"fixture": {"tables": tables}}})
    before = copy.deepcopy(dict(metadata))
    served = Datasette(files=[], metadata=metadata)

    def allowed(actor, table):
        return asyncio.run(served.permission_allowed(actor, "view-table", ("fixture", table), default=True))

    assert [allowed(None, "articles"), allowed({"id": "analyst"}, "articles"), allowed(None, "sources")] == [
        False,
        True,
        True,
    ]
    assert dict(metadata) == before


def test_counts_are_kept_while_the_database_is_unchanged_and_counted_again_after_a_write(
    tmp_path, monkeypatch
):
    """The incidents view's row count and facet counts are computed once per state of the database
    file: the same view again reuses them, and a write (a crawl, a re-tag) makes them count afresh."""
    from datasette.database import Database

    fixture = build_fixture_db(tmp_path / "fixture.db")
    served = build_datasette(fixture.path, Config())
    counted = []
    original = Database.execute

    async def record(self, sql, params=None, **kwargs):
        if "count(*)" in sql:
            counted.append(sql)
        return await original(self, sql, params, **kwargs)

    monkeypatch.setattr(Database, "execute", record)
    url = "/fixture/incidents.json?_facet=incident_type&_size=1"

    def surveillance_count() -> int:
        facet = get(served, url).json()["facet_results"]["incident_type"]["results"]
        return next((r["count"] for r in facet if r["value"] == "surveillance"), 0)

    before = surveillance_count()
    assert counted, "the view counted nothing"
    counted.clear()
    assert surveillance_count() == before
    assert counted == []
    database = store.open_db(fixture.path)
    article_id = database.execute("SELECT min(id) FROM articles").fetchone()[0]
    evidence = "The firm watched its staff through their laptop cameras."
    incident = {
        "incident_type": "surveillance",
        "company_id": None,
        "org_name": "Harlow Freight",
        "score": 0.9,
    }
    tags = stored_tags(database, article_id)
    tags.incidents.append({**incident, "evidence": evidence})
    tags.unlinked_orgs["Harlow Freight"] = 1
    tags.unlinked_accused["Harlow Freight"] = "none"
    store.replace_tags(database, article_id, tags, "test")
    database.close()
    assert surveillance_count() == before + 1
    assert counted


def test_counts_that_depend_on_the_clock_are_never_kept(datasette):
    counts = datasette.get_database("fixture").counts
    assert counts.key("select count(*) from articles", None, False, None) is not None
    assert (
        counts.key(
            "select count(*) from articles where published > date('now', '-7 days')", None, False, None
        )
        is None
    )
    assert counts.key("select id, title from articles", None, False, None) is None
