"""What an analyst trips over in `privwatch serve` (issue 20), through Datasette's in-process client on the
fixture database served as demo.db: links and labels, search syntax and one row per article, dashboard bars
that open exactly what they count, evidence shown whole. test_browser_datasette.py looks at the same in a
browser."""

from __future__ import annotations

import shutil
from urllib.parse import urlencode

import pytest
from datasette_dashboards import replace_opts_in_query
from parsel import Selector

from config.models import Config
from privwatch.serve import build_datasette
from storage import db as store

from .datasette_fixtures import NLP_VERSION, SEED_CONSENT, SEED_TITLE, build_fixture_db
from .test_datasette import DASHBOARD, METADATA, QUERIES, QUERY_PARAMS, fetch, get, rows

DB = "demo"
TABLES = METADATA["databases"]["privwatch"]["tables"]
# A sentence longer than truncate_cells_html (300 characters), written for this test.
LONG_EVIDENCE = (
    "Investigators found that the loyalty app had quietly copied every member's address book, precise "
    "location history and purchase receipts to a marketing partner for three years, even for members who "
    "had switched off personalised offers, and that the partner then resold segments of that data to "
    "insurers, landlords and debt collectors across four countries."
)
# The dashboard's filters as analysts set them: none, one month of 2018, a company over half of 2024.
DASHBOARD_FILTERS = [
    {},
    {"date_start": "2018-01-01", "date_end": "2018-01-31"},
    {"date_start": "2024-01-01", "date_end": "2024-06-30", "company": "Ant Group"},
    {"date_start": "2024-02-01", "date_end": "2024-03-15"},
    {"date_start": "", "company": "Tencent"},
]


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    """The fixture database, called demo.db, with one article whose evidence is longer than a cell."""
    folder = tmp_path_factory.mktemp("analyst")
    built = build_fixture_db(folder / "fixture.db")
    path = folder / f"{DB}.db"
    shutil.copy(built.path, path)
    database = store.open_db(path)
    article = store.upsert_article(
        database,
        {
            "url": "https://news.example/theverge/2024/loyalty-app",
            "source_id": "theverge",
            "title": "Loyalty app shared members' data for years",
            "published": "2024-05-02T09:00:00+00:00",
            "language": "en",
            "body": LONG_EVIDENCE + "\nThe company did not respond.",
        },
    )
    store.replace_tags(
        database,
        article.article_id,
        store.ArticleTags(
            mentions=[{"company_id": "uber", "role": "accused", "response": "none", "count": 1,
                       "evidence": "The company did not respond."}],
            incidents=[{"incident_type": "sharing", "company_id": "uber", "score": 0.9,
                        "evidence": LONG_EVIDENCE}],
        ),
        NLP_VERSION,
    )  # fmt: skip
    database.close()
    return path


@pytest.fixture(scope="module")
def datasette(fixture):
    return build_datasette(fixture, Config())


def page(datasette, url: str) -> Selector:
    return Selector(get(datasette, url).text)


def query_url(name: str) -> str:
    params = QUERY_PARAMS.get(name)
    return f"/{DB}/{name}" + (f"?{urlencode(params)}" if params else "")


def every_page(fixture) -> list[str]:
    """Home, database, every table and view shown, every canned query (with parameters), the dashboard,
    an article's and a company's page."""
    shown = [name for name, table in TABLES.items() if not table.get("hidden")]
    return [
        "/",
        f"/{DB}",
        *(f"/{DB}/{name}" for name in shown),
        *(query_url(name) for name in QUERIES),
        "/-/dashboards/privacy-controversies?date_start=",
        f"/{DB}/articles/1",
        f"/{DB}/companies/ant-group",
    ]


# -- links and labels ------------------------------------------------------------------------------------


def test_no_link_points_at_a_github_url_holding_the_database_name(datasette, fixture):
    about = set()
    for url in every_page(fixture):
        html = get(datasette, url).text
        hrefs = Selector(html).css("a::attr(href)").getall()
        about.update(href for href in hrefs if "github.com" in href)
        assert not [h for h in hrefs if "github.com" in h and DB in h], url
        # every link into the database follows its name
        assert not [h for h in hrefs if h.startswith(("/privwatch/", "/privwatch?"))], url
        assert "/privwatch/" not in html.replace("github.com/privwatch/", ""), url
    assert about == {"https://github.com/privwatch/privwatch"}


def test_links_into_the_database_follow_its_name(datasette):
    home = page(datasette, "/").css("ul.start-here a::attr(href)").getall()
    assert f"/{DB}/incidents" in home and f"/{DB}/search_incidents" in home
    dashboard = get(datasette, "/-/dashboards/privacy-controversies?date_start=").text
    assert f"/{DB}/stories" in dashboard and f"/{DB}/crawl_health" in dashboard


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_canned_query_page_is_titled_by_its_title(datasette, name):
    assert QUERIES[name].get("title") and QUERIES[name].get("description")
    for url in (f"/{DB}/{name}", query_url(name)):
        assert page(datasette, url).css("title::text").get() == QUERIES[name]["title"]


def metadata_texts(value, key=""):
    """Every string of metadata.yaml that Datasette shows as text (not SQL, HTML or the dashboard's
    Markdown card)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in ("sql", "query", "description_html", "display"):
                yield from metadata_texts(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from metadata_texts(v, key)
    elif isinstance(value, str):
        yield value


def test_no_description_shows_markdown_literally(datasette, fixture):
    assert not [text for text in metadata_texts(METADATA) if "`" in text]
    for url in every_page(fixture):
        html = get(datasette, url).text
        visible = Selector(html).xpath(
            "//body//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::pre)"
            " and not(ancestor::textarea)]"
        )
        assert not [t for t in visible.getall() if "`" in t], url


def test_dates_stay_on_one_line(datasette):
    latest = get(datasette, f"/{DB}/latest_incidents").text
    dates = Selector(latest).css("td.col-date span.timestamp::text").getall()
    given = [r["date"] for r in rows(datasette, f"/{DB}/latest_incidents") if r["date"]]
    # shown in the display zone (test_datasette.py checks the conversion)
    assert len(dates) == len(given) >= 40 and all(d.endswith(" +08:00") for d in dates)
    assert ".rows-and-columns .timestamp { white-space: nowrap; }" in latest
    assert Selector(get(datasette, f"/{DB}/incidents").text).css("td.col-published span.timestamp")


# -- reading ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/{DB}/incidents?company_id=uber",
        f"/{DB}/latest_incidents",
        f"/{DB}/article_incidents?_sort_desc=article_id",
    ],
)
def test_evidence_is_shown_whole_and_wrapped(datasette, url):
    html = get(datasette, url).text
    cells = [" ".join(Selector(text=c).xpath("string()").get().split()) for c in
             Selector(html).css("td.col-evidence").getall()]  # fmt: skip
    assert LONG_EVIDENCE in cells
    assert not [c for c in cells if c.endswith("…")]
    assert ".rows-and-columns td.col-evidence { min-width: 22em; }" in html  # wraps, not squeezed


def test_the_url_column_hides_where_the_title_links_to_it(datasette):
    for url in (f"/{DB}/incidents", f"/{DB}/latest_incidents", f"/{DB}/search_incidents?q=alipay"):
        html = get(datasette, url).text
        assert ".rows-and-columns:has(td.col-title a[href]) .col-url { display: none; }" in html
        titles = Selector(html).css("td.col-title a::attr(href)").getall()
        urls = Selector(html).css("td.col-url a::attr(href)").getall()
        assert titles and titles == urls  # the hidden column holds nothing the links lack


# -- search ----------------------------------------------------------------------------------------------


def search(datasette, q: str) -> list[dict]:
    return rows(datasette, f"/{DB}/search_incidents", q=q)


def test_search_gives_one_row_per_article_with_its_tags(datasette, fixture):
    found = search(datasette, "sesame credit OR chat")
    assert len(found) == len({r["article_id"] for r in found}) == 1
    (seed,) = found
    assert seed["title"] == SEED_TITLE and seed["evidence"] == SEED_CONSENT
    assert seed["companies"] == '["Ant Group","Tencent"]'
    assert seed["types"] == "consent, surveillance, profiling"  # the taxonomy's order
    assert seed["responses"] == "apology, denial"
    breach = search(datasette, "breach")
    assert len(breach) == len({r["article_id"] for r in breach}) > 1


def article_ids(datasette, q: str) -> set[int]:
    return {r["article_id"] for r in search(datasette, q)}


def test_or_finds_articles_with_either_word(datasette):
    breach, loyalty = article_ids(datasette, "breach"), article_ids(datasette, "loyalty")
    assert len(breach) > 1 and len(loyalty) == 1 and not loyalty & breach
    assert article_ids(datasette, "breach OR loyalty") == breach | loyalty
    assert article_ids(datasette, "breach or loyalty") == set()  # lower-case "or" is a word to find


def test_not_and_minus_leave_articles_out(datasette):
    hackers, meta = article_ids(datasette, "hackers"), article_ids(datasette, "meta")
    assert hackers & meta and hackers - meta
    assert (
        article_ids(datasette, "hackers NOT meta")
        == article_ids(datasette, "hackers -meta")
        == hackers - meta
    )
    # only words to leave out: the newest articles with incidents that have none of them
    without = article_ids(datasette, "NOT breach")
    assert without and not without & article_ids(datasette, "breach")
    assert article_ids(datasette, "-breach") == without


def test_a_quoted_phrase_matches_as_written(datasette, fixture):
    assert article_ids(datasette, '"checked by default"') == {1}
    assert article_ids(datasette, '"default checked"') == set()
    assert article_ids(datasette, "default checked") == {1}


@pytest.mark.parametrize("q", ['breach "', "breach (", '"', "(", "breach OR", "NOT", "-", 'OR ( NOT "'])
def test_stray_syntax_never_errors(datasette, q):
    response = fetch(datasette, f"/{DB}/search_incidents.json?{urlencode({'q': q})}")[0]
    assert response.status_code == 200, response.text
    expected = article_ids(datasette, "breach") if q.startswith("breach") else set()
    assert {r[8] for r in response.json()["rows"]} == expected


def test_the_search_page_documents_its_syntax(datasette):
    description = " ".join(
        page(datasette, f"/{DB}/search_incidents").css(".metadata-description ::text").getall()
    )
    for example in ("breach OR leak", "NOT fine", "-fine", '"quote a phrase"', "encrypt*"):
        assert example in description


# -- the dashboard ---------------------------------------------------------------------------------------


def count_behind(datasette, link: str) -> int:
    path, _, args = link.partition("?")
    assert path == f"/{DB}/incidents", link
    return get(datasette, f"{path}.json?{args}&_size=1").json()["filtered_table_rows_count"]


@pytest.mark.parametrize("filters", DASHBOARD_FILTERS, ids=lambda f: urlencode(f) or "no-filter")
def test_a_bar_opens_exactly_the_incidents_it_counts(datasette, filters):
    served = datasette.plugin_config("datasette-dashboards")["privacy-controversies"]["charts"]
    linked = [slug for slug, chart in DASHBOARD["charts"].items() if "AS link" in chart.get("query", "")]
    assert {"incidents-per-week", "top-accused", "by-source", "responses"} <= set(linked)
    bars = 0
    for slug in linked:
        if slug in ("active-stories", "largest-this-week"):  # their bars open a story, an article
            continue
        sql = replace_opts_in_query(served[slug]["query"], filters)
        for bar in rows(datasette, f"/{DB}", sql=sql, **filters):
            assert count_behind(datasette, bar["link"]) == bar["incidents"], (slug, bar)
            bars += 1
    assert bars


def test_a_filtered_bar_keeps_the_dates(datasette):
    served = datasette.plugin_config("datasette-dashboards")["privacy-controversies"]["charts"]
    january = {"date_start": "2018-01-01", "date_end": "2018-01-31"}
    sql = replace_opts_in_query(served["top-accused"]["query"], january)
    ant = next(bar for bar in rows(datasette, f"/{DB}", sql=sql, **january) if bar["company"] == "Ant Group")
    assert ant["link"] == (
        f"/{DB}/incidents?company_id=ant-group&published__gte=2018-01-01&published__lt=2018-02-01"
    )
    everything = count_behind(datasette, f"/{DB}/incidents?company_id=ant-group")
    assert count_behind(datasette, ant["link"]) == ant["incidents"] == 2 < everything


def test_weekly_bars_are_bands_labelled_by_week(datasette):
    chart = DASHBOARD["charts"]["incidents-per-week"]
    x = chart["display"]["encoding"]["x"]
    assert x["field"] == "week" and x["type"] == "ordinal"  # a band scale: one bar per week, never a hairline
    assert "x2" not in chart["display"]["encoding"]
    weeks = rows(datasette, f"/{DB}", sql=replace_opts_in_query(chart["query"], {}))
    assert all(r["week"][:4].isdigit() and len(r["week"]) == 10 for r in weeks)
