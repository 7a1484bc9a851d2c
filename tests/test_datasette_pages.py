"""Company pages, first screens, the companies index and the dashboard's opening period, against the fixture
database through Datasette's in-process client (test_browser_datasette.py and test_demo.py look at them in a
browser)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from parsel import Selector

from config.models import Config
from privwatch.serve import build_datasette
from storage.db import open_db, upsert_article

from .datasette_fixtures import DASHBOARD_ALL_TIME, SCRIPT_TITLE, SEED_DENIAL, SEED_TITLE, build_fixture_db
from .test_datasette import METADATA, fetch, get, rows

TABLES = METADATA["databases"]["privwatch"]["tables"]


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    return build_fixture_db(tmp_path_factory.mktemp("pages") / "fixture.db")


@pytest.fixture(scope="module")
def datasette(fixture):
    return build_datasette(fixture.path, Config())


def query(fixture, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(fixture.path) as connection:
        return connection.execute(sql, params).fetchall()


def page(datasette, url: str) -> Selector:
    return Selector(get(datasette, url).text)


def follow(datasette, url: str) -> str:
    """Where a link ends up: its path after at most one redirect."""
    response = fetch(datasette, url)[0]
    if response.status_code in (301, 302):
        response = fetch(datasette, response.headers["location"])[0]
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.url.path


# -- a company's page ------------------------------------------------------------------------------------


def test_a_company_page_shows_its_names_and_products(datasette):
    tencent = page(datasette, "/fixture/companies/tencent")
    assert tencent.css("h1::text").get() == "Tencent"
    names = dict(
        zip(
            tencent.css("dl.company-names dt::text").getall(),
            tencent.css("dl.company-names dd::text").getall(),
            strict=True,
        )
    )
    assert "WeChat" in names["Products"].split(", ") and "微信" in names["Products"].split(", ")
    assert "腾讯" in names["Chinese names"].split(", ")
    assert "Tencent" not in names["Also known as"].split(", ")  # its name is the heading, not an alias
    ant = page(datasette, "/fixture/companies/ant-group")
    assert ant.css("p.company-meta a::attr(href)").get() == "/fixture/companies/alibaba"  # part of Alibaba


def test_a_company_page_charts_its_incidents_per_month(datasette, fixture):
    tencent = page(datasette, "/fixture/companies/tencent")
    chart = json.loads(tencent.css("#company-chart-spec::text").get())
    per_month: dict[str, int] = {}
    for row in chart["rows"]:
        per_month[row["month"][:7]] = per_month.get(row["month"][:7], 0) + row["incidents"]
    expected = query(
        fixture,
        "SELECT substr(published, 1, 7), count(*) FROM incidents WHERE company_id = 'tencent' "
        "AND published IS NOT NULL GROUP BY 1",
    )
    assert per_month == dict(expected) and len(per_month) >= 3
    assert chart["types"] == [r[0] for r in query(fixture, "SELECT id FROM incident_types ORDER BY rowid")]
    # the time axis runs from its first month (January 2018, the seed story) to this month
    start, end = (datetime.fromtimestamp(ms / 1000, UTC) for ms in chart["domain"])
    assert (start.year, start.month, start.day) == (2018, 1, 1) and end > datetime.now(UTC)
    # a bar opens that month's incidents of the company
    bar = next(row for row in chart["rows"] if row["month"].startswith("2024-01"))
    path, _, query_string = bar["link"].partition("?")
    opened = get(datasette, f"{path}.json?{query_string}&_shape=array").json()
    assert {(r["company_id"], r["published"][:7]) for r in opened} == {("tencent", "2024-01")}
    assert len(opened) == per_month["2024-01"]


def test_a_company_page_lists_its_articles_newest_first_with_types_responses_and_evidence(datasette, fixture):
    tencent = page(datasette, "/fixture/companies/tencent")
    table = tencent.css("table.company-articles tbody tr")
    titles = [row.css("td.col-title").xpath("string()").get() for row in table]
    expected = query(fixture, "SELECT title FROM company_timeline WHERE company_id = 'tencent'")
    assert sorted(titles) == sorted(t for (t,) in expected)
    dates = [row.css("td.col-published::text").get() for row in table]
    dated = [d for d in dates if d != "no date"]
    assert dated == sorted(dated, reverse=True) and dates[: len(dated)] == dated
    seed = next(row for row in table if row.css("td.col-title").xpath("string()").get() == SEED_TITLE)
    assert seed.css("td.col-types::text").get() == "surveillance"
    assert seed.css("td.col-responses::text").get() == "denial"
    assert seed.css("td.col-evidence::text").get() == SEED_DENIAL
    assert seed.css("td.col-title a::attr(href)").get().startswith("http://www.szdaily.com/")
    seed_story_sql = "SELECT story_id FROM story_articles WHERE article_id = ?"
    [(seed_story,)] = query(fixture, seed_story_sql, fixture.seed_id)
    assert seed.css("td.col-story a::attr(href)").get() == f"/fixture/story?story={seed_story}"
    assert seed.css("td.col-article_id a::attr(href)").get() == f"/fixture/articles/{fixture.seed_id}#tags"
    summary = tencent.css("p.company-summary").xpath("string()").get()
    accused_sql = "SELECT count(DISTINCT article_id) FROM incidents WHERE company_id = 'tencent'"
    [(accused,)] = query(fixture, accused_sql)
    assert f"Accused in {accused} articles, 2018-01-05 to " in " ".join(summary.split())


def test_a_company_page_lists_its_stories_and_the_companies_accused_beside_it(datasette, fixture):
    tencent = page(datasette, "/fixture/companies/tencent")
    stories = {
        row.css("td.col-title a::text").get(): row.css("td.col-title a::attr(href)").get()
        for row in tencent.css("table.company-stories tbody tr")
    }
    expected = query(
        fixture,
        "SELECT st.id, st.title FROM story_companies sc JOIN stories st ON st.id = sc.story_id "
        "WHERE sc.company_id = 'tencent'",
    )
    assert stories == {title: f"/fixture/story?story={story_id}" for story_id, title in expected}
    last_seen = tencent.css("table.company-stories td.col-last_seen::text").getall()
    assert last_seen == sorted(last_seen, reverse=True)
    # the seed article accuses Ant Group beside Tencent
    beside = tencent.css("#accused-beside + p a")
    assert [(a.css("::text").get(), a.attrib["href"]) for a in beside] == [
        ("Ant Group", "/fixture/companies/ant-group")
    ]


def test_a_company_page_escapes_scraped_text(datasette):
    html = get(datasette, "/fixture/companies/kochava").text
    assert "<script>alert(" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(3)&lt;/script&gt; Kochava exposed location records." in html
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in html


def test_a_company_no_article_names_has_a_page_that_says_so(datasette):
    coupang = page(datasette, "/fixture/companies/coupang")
    assert coupang.css("h1::text").get() == "Coupang"
    assert "No article accuses Coupang yet." in coupang.css("p.company-summary").xpath("string()").get()
    assert not coupang.css("#company-chart")


def test_an_unknown_company_has_no_page(datasette):
    assert fetch(datasette, "/fixture/companies/no-such-company")[0].status_code == 404


# -- links to company pages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/fixture/incidents",
        "/fixture/company_timeline",
        "/fixture/stories",
        "/fixture/story_companies",
        "/fixture/latest_incidents",
        "/fixture/company_history?company=Tencent",
        "/fixture/search_incidents?q=sesame+credit",
        "/fixture/most_accused?from=2018-01-01&to=2024-12-31",
        "/fixture/company_index",
    ],
)
def test_every_company_name_in_views_and_queries_opens_its_page(datasette, url):
    cells = page(datasette, url).css("td.col-company, td.col-accused a, td.col-companies a")
    opened: dict[str, str] = {}
    for cell in cells:
        name = cell.xpath("string()").get().strip()
        links = cell.css("a::attr(href)").getall() or ([cell.attrib["href"]] if "href" in cell.attrib else [])
        assert len(links) == 1, f"{url}: {name!r} has no link to its page"
        if links[0] not in opened:
            company_page = follow(datasette, links[0])
            opened[links[0]] = page(datasette, company_page).css("h1::text").get()
        assert opened[links[0]] == name, f"{url}: {name!r} opens the page of {opened[links[0]]!r}"
    assert opened, url


@pytest.mark.parametrize(
    ("name", "company_id"),
    [("Tencent", "tencent"), ("tencent", "tencent"), ("WECHAT", "tencent"), ("Alipay", "ant-group"),
     ("蚂蚁集团", "ant-group"), ("ant-group", "ant-group"), ("  Sesame Credit ", "ant-group")],
)  # fmt: skip
def test_a_name_alias_product_or_id_opens_the_company_page(datasette, name, company_id):
    response = fetch(datasette, f"/fixture/-/company?name={name}")[0]
    assert response.status_code == 302
    assert response.headers["location"] == f"/fixture/companies/{company_id}"


def test_a_name_the_knowledge_base_lacks_opens_its_incidents(datasette):
    response = fetch(datasette, "/fixture/-/company?name=Acme Data Brokers Ltd")[0]
    assert response.headers["location"] == "/fixture/incidents?company=Acme+Data+Brokers+Ltd"


def test_the_company_index_lists_the_companies_articles_name_with_their_incidents(datasette, fixture):
    listed = {r["company_id"]: r for r in rows(datasette, "/fixture/company_index")}
    named = {r[0] for r in query(fixture, "SELECT DISTINCT company_id FROM mentions")}
    assert set(listed) == named and "coupang" not in listed
    for company_id, incidents, latest in query(
        fixture, "SELECT company_id, count(*), max(published) FROM incidents WHERE company_id IS NOT NULL "
        "GROUP BY company_id"
    ):  # fmt: skip
        assert (listed[company_id]["incidents"], listed[company_id]["latest_incident"]) == (incidents, latest)
    assert listed["apple"]["incidents"] == 0  # only ever mentioned
    counts = [r["incidents"] for r in rows(datasette, "/fixture/company_index")]
    assert counts == sorted(counts, reverse=True)
    assert [r["company"] for r in rows(datasette, "/fixture/company_index", name="sesame")] == ["Ant Group"]


# -- first screens ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", ["incidents", "company_timeline", "weekly_counts", "stories", "articles"])
def test_column_descriptions_wait_behind_about_these_columns(datasette, table):
    html = get(datasette, f"/fixture/{table}").text
    details = Selector(html).css("details.about-columns")
    assert details.css("summary::text").get() == "About these columns"
    # Datasette's own list of descriptions follows it, complete; the page's CSS shows it only when open
    descriptions = details.xpath("following-sibling::*[1]")
    assert descriptions.attrib["class"] == "column-descriptions"
    shown = dict(
        zip(descriptions.css("dt::text").getall(), descriptions.css("dd::text").getall(), strict=True)
    )
    assert shown == {column: " ".join(text.split()) for column, text in TABLES[table]["columns"].items()}
    assert ".about-columns:not([open]) + dl.column-descriptions { display: none; }" in html


def test_a_long_value_keeps_its_whole_text_in_the_cell_title(datasette, fixture):
    cells = page(datasette, "/fixture/incidents?company_id=kochava").css("td.col-evidence")
    assert cells.attrib["title"] == "<script>alert(3)</script> Kochava exposed location records."
    assert cells.css("div.cell::text").get() == "<script>alert(3)</script> Kochava exposed location records."
    title = page(datasette, "/fixture/incidents?company_id=kochava").css("td.col-title")
    assert title.attrib["title"] == SCRIPT_TITLE  # the link's text, without its markup
    # an article's page shows its whole text once: no copy of the body in a title
    assert not page(datasette, f"/fixture/articles/{fixture.seed_id}").css("td[title]")


def test_the_home_page_links_to_the_dashboard_incidents_companies_and_search(datasette):
    links = page(datasette, "/").css("ul.start-here a::attr(href)").getall()
    for path in (
        "/-/dashboards/privacy-controversies",
        "/fixture/incidents",
        "/fixture/company_index",
        "/fixture/search_incidents",
    ):
        assert path in links
        follow(datasette, path)


def test_the_dashboard_opens_on_the_last_90_days_ready_to_widen(datasette):
    before = (datetime.now(UTC) - timedelta(days=90)).date().isoformat()
    response = fetch(datasette, "/-/dashboards/privacy-controversies")[0]
    after = (datetime.now(UTC) - timedelta(days=90)).date().isoformat()
    assert response.status_code == 302
    location = response.headers["location"]
    assert location in {f"/-/dashboards/privacy-controversies?date_start={day}" for day in (before, after)}
    form = page(datasette, location)
    assert form.css("#date_start::attr(value)").get() == location.rpartition("=")[2]
    assert form.css("#date_end::attr(value)").get() == ""
    # From cleared is every date, and stays cleared
    assert fetch(datasette, DASHBOARD_ALL_TIME)[0].status_code == 200
    # the one dashboard is what /-/dashboards opens
    assert fetch(datasette, "/-/dashboards")[0].headers["location"] == "/-/dashboards/privacy-controversies"


# -- an article's page -------------------------------------------------------------------------------------


def test_an_article_cut_to_the_body_budget_says_so_on_its_page(tmp_path):
    path = tmp_path / "fixture.db"
    build_fixture_db(path, synthetic=0)
    database = open_db(path)
    article = {"url": "https://news.example/long-report", "source_id": "guardian", "title": "A long report"}
    body = "The first paragraphs of a very long report on consent screens."
    cut = upsert_article(database, {**article, "body": body, "truncated": True}).article_id
    short = {"url": "https://news.example/short", "body": "A short note on consent.", "truncated": False}
    whole = upsert_article(database, {**article, **short}).article_id
    database.close()
    served = build_datasette(path, Config())
    notice = "p.message-info:contains('longer than the body budget')"
    assert page(served, f"/fixture/articles/{cut}").css(notice)
    assert not page(served, f"/fixture/articles/{whole}").css(notice)
