"""`privwatch serve` in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright) opens the home page, the incidents view, a canned query and the dashboard, checks what a
person sees, follows the dashboard to the seed story, and saves screenshots under test-artifacts/.

The browser may only talk to the server: any other request (a CDN, say) is refused and fails the test.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from benchmarks.sites import free_port

from .conftest import ROOT
from .datasette_fixtures import (
    DASHBOARD_ALL_TIME,
    SCRIPT_TITLE,
    SEED_CONSENT,
    SEED_DENIAL,
    SEED_TITLE,
    build_fixture_db,
)

CHROMIUM = Path("/usr/bin/chromium")
METADATA = yaml.safe_load((ROOT / "config" / "datasette" / "metadata.yaml").read_text(encoding="utf-8"))
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`privwatch serve` on the fixture database at a free port; yields its base URL."""
    fixture = build_fixture_db(tmp_path_factory.mktemp("browser") / "fixture.db")
    port = free_port()
    command = [str(Path(sys.executable).parent / "privwatch"), "serve", "--db", str(fixture.path)]
    process = subprocess.Popen(
        [*command, "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            pytest.fail(f"privwatch serve exited {process.returncode}: {process.stdout.read()}")
        try:
            httpx.get(f"{base}/-/versions.json", timeout=2)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("privwatch serve did not answer within 60 s")
            time.sleep(0.2)
    yield base, fixture
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def only_to(base: str, problems: list[str]):
    """A route handler for the browser: requests to the server at `base` go through; any other is refused
    and noted in `problems`."""

    def route_request(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            problems.append(f"request outside the server: {route.request.url}")
            route.abort()

    return route_request


@pytest.fixture(scope="module")
def browser_page(server, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    base, _ = server
    ARTIFACTS.mkdir(exist_ok=True)
    profile = tmp_path_factory.mktemp("chromium-profile")
    problems: list[str] = []
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        context.route("**/*", only_to(base, problems))
        page = context.new_page()
        page.on(
            "dialog", lambda dialog: (problems.append(f"a dialog opened: {dialog.message}"), dialog.dismiss())
        )
        page.on("pageerror", lambda error: problems.append(f"javascript error: {error}"))
        yield page, problems
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"datasette-{name}.png"), full_page=True)


def test_home_page(server, browser_page):
    base, _ = server
    page, problems = browser_page
    page.goto(f"{base}/")
    assert "data-privacy controversies" in page.locator("h1").first.inner_text()
    assert page.get_by_role("link", name="Privacy controversies dashboard").is_visible()
    assert page.get_by_role("link", name="fixture").first.is_visible()
    shot(page, "home")
    assert not problems


def test_incidents_view(server, browser_page):
    base, _ = server
    page, problems = browser_page
    page.goto(f"{base}/fixture/incidents")
    assert page.locator("h1").first.inner_text().startswith("incidents")
    company_facet = page.locator("#facet-company")
    assert re.search(r"Ant Group\s+6", company_facet.inner_text())
    assert re.search(r"Tencent\s+7", company_facet.inner_text())
    for facet in ("incident_type", "source", "response"):
        assert page.locator(f"#facet-{facet}").is_visible()
    dates = page.locator("td.col-published").all_inner_texts()
    assert dates[:5] == sorted(dates[:5], reverse=True) and len(dates) == 50
    # a title holding markup shows as the text it is, and no script ran
    assert page.get_by_text(SCRIPT_TITLE).count() >= 1
    shot(page, "incidents")
    assert not problems


def test_search_canned_query_highlights_matches(server, browser_page):
    base, _ = server
    page, problems = browser_page
    page.goto(f"{base}/fixture/search_incidents?q=alipay+OR+%22sesame+credit%22")
    assert page.locator("h1").first.inner_text() == "Search incidents"
    assert page.title() == "Search incidents"
    assert "Alipay" in page.locator("td.col-snippet mark").all_inner_texts()
    title_link = page.get_by_role("link", name=SEED_TITLE).first
    assert title_link.get_attribute("href").startswith("http://www.szdaily.com/content/2018-01/05/")
    # one row per article; the url column hides beside the linked title
    assert page.locator("tbody tr").count() == 1
    assert page.locator("th.col-url").count() == 1 and not page.locator("th.col-url").is_visible()
    shot(page, "search")
    page.goto(f"{base}/fixture/search_incidents?q=leaks")
    snippet = page.locator("td.col-snippet").first.inner_text()
    assert snippet.startswith("<script>alert('pwned')</script> Data")
    assert not problems


def wait_for_charts(page) -> dict[str, int]:
    """Wait until every vega chart has drawn marks; returns the number of marks per chart."""
    marks = {}
    for slug in ("incidents-per-week", "active-stories", "top-accused", "by-source", "responses"):
        chart = page.locator(f"#chart-{slug} svg.marks")
        chart.wait_for(state="visible", timeout=30_000)
        box = chart.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, f"{slug} is not drawn: {box}"
        marks[slug] = page.locator(
            f"#chart-{slug} [aria-roledescription='bar'], #chart-{slug} [aria-roledescription='arc mark']"
        ).count()
    return marks


def test_dashboard_draws_its_charts(server, browser_page):
    base, fixture = server
    page, problems = browser_page
    page.goto(f"{base}{DASHBOARD_ALL_TIME}")
    assert page.locator("h1").first.inner_text() == "Privacy controversies"
    marks = wait_for_charts(page)
    assert all(count > 0 for count in marks.values()), marks
    assert (
        page.locator(
            "#chart-top-accused [aria-roledescription='bar'][aria-label*='company: Ant Group']"
        ).count()
        == 1
    )
    with sqlite3.connect(fixture.path) as connection:
        total = connection.execute("SELECT count(*) FROM incidents").fetchone()[0]
    assert page.locator("#chart-incidents-total").inner_text().strip() == str(total)
    page.wait_for_timeout(500)  # let the transitions finish before the screenshot
    shot(page, "dashboard")
    assert not problems


def test_dashboard_filters_by_company_and_dates(server, browser_page):
    base, _ = server
    page, problems = browser_page
    page.goto(f"{base}/-/dashboards/privacy-controversies")
    page.locator("#date_start").fill("2018-01-01")
    page.locator("#date_end").fill("2018-01-31")
    page.locator("#company").select_option("Ant Group")
    page.get_by_role("button", name="Apply").or_(page.locator("input[type=submit][value=Apply]")).click()
    page.wait_for_url(re.compile(r"company=Ant\+Group"))
    wait_for_charts(page)
    assert page.locator("#chart-incidents-total").inner_text().strip() == "2"
    shot(page, "dashboard-filtered")
    assert not problems


def test_from_the_dashboard_to_the_seed_story(server, browser_page):
    """Dashboard -> incidents -> Ant Group -> the article with its evidence."""
    base, fixture = server
    page, problems = browser_page
    page.goto(f"{base}/-/dashboards/privacy-controversies")
    page.locator("#card-browse").get_by_role("link", name="Incidents", exact=True).click()
    page.wait_for_url(f"{base}/fixture/incidents")
    page.locator("#facet-company").get_by_role("link", name="Ant Group").click()
    page.wait_for_url(re.compile(r"company=Ant\+Group"))
    companies = set(page.locator("td.col-company").all_inner_texts())
    assert companies == {"Ant Group"}
    seed_row = page.locator("tr", has=page.get_by_role("link", name=SEED_TITLE))
    assert seed_row.locator("td.col-evidence").first.inner_text() in (SEED_CONSENT,) or seed_row.count() == 2
    seed_row.first.locator("td.col-article_id a").click()
    page.wait_for_url(re.compile(rf"/fixture/articles/{fixture.seed_id}"))
    tags = page.locator("table.article-tags")
    assert tags.is_visible()
    assert SEED_CONSENT in tags.inner_text() and SEED_DENIAL in tags.inner_text()
    assert SEED_TITLE in page.locator("body").inner_text()
    shot(page, "seed-article")
    assert not problems


def bar_count(page, bar) -> int:
    """The incidents a bar says it counts (its label, as a screen reader reads it)."""
    return int(re.search(r"[Ii]ncidents: (\d+)", bar.get_attribute("aria-label")).group(1))


def rows_shown(page) -> int:
    """The rows a table page says it found ("N rows where ...")."""
    return int(re.match(r"([\d,]+) rows?", page.locator("h3").first.inner_text()).group(1).replace(",", ""))


@pytest.mark.parametrize(
    ("chart", "filters"),
    [
        ("top-accused", "date_start=2018-01-01&date_end=2018-01-31"),
        ("top-accused", "date_start=2024-02-01&date_end=2024-03-15"),
        ("incidents-per-week", "date_start=2024-02-01&date_end=2024-03-15&company=Google"),
        ("by-source", "date_start=2024-01-01&date_end=2024-02-29"),
    ],
)
def test_a_dashboard_bar_opens_exactly_the_rows_it_counts(server, browser_page, chart, filters):
    """Each bar of the filtered chart is clicked in turn; the incidents page it opens has its count."""
    base, _ = server
    page, problems = browser_page
    for url in click_each_bar(page, f"{base}/-/dashboards/privacy-controversies?{filters}", chart, "fixture"):
        assert "published__gte=" in url
    assert not problems


def click_each_bar(page, dashboard: str, chart: str, database: str, most: int | None = None) -> list[str]:
    """Click each bar of the chart (the first `most`) in turn, checking that the incidents page it opens
    finds and shows the number the bar says; the URLs opened."""
    opened = []
    page.goto(dashboard)
    wait_for_charts(page)
    count = page.locator(f"#chart-{chart} [aria-roledescription='bar']").count()
    assert count > 0
    for number in range(count if most is None else min(count, most)):
        if number:
            page.goto(dashboard)
            wait_for_charts(page)
        bar = page.locator(f"#chart-{chart} [aria-roledescription='bar']").nth(number)
        expected = bar_count(page, bar)
        bar.click()
        page.wait_for_url(re.compile(rf"/{database}/incidents\?"))
        shown = min(expected, 50)  # Datasette's page size
        assert rows_shown(page) == expected and page.locator("tbody tr").count() == shown, page.url
        opened.append(page.url)
    return opened


def test_weekly_bars_stay_readable_over_a_short_range(server, browser_page):
    base, _ = server
    page, problems = browser_page
    page.goto(f"{base}/-/dashboards/privacy-controversies?date_start=2024-02-01&date_end=2024-03-15")
    wait_for_charts(page)
    bars = page.locator("#chart-incidents-per-week [aria-roledescription='bar']")
    widths = [bars.nth(i).bounding_box()["width"] for i in range(bars.count())]
    assert widths and min(widths) > 20, widths  # a band per week, not a day-wide hairline
    axis = page.locator("#chart-incidents-per-week [aria-roledescription='axis'] text")
    labels = [axis.nth(i).text_content() for i in range(axis.count())]
    assert "2024-02-05" in labels
    shot(page, "dashboard-weeks")
    assert not problems


def test_canned_query_tabs_are_their_titles_and_no_link_names_the_database_on_github(server, browser_page):
    base, _ = server
    page, problems = browser_page
    queries = METADATA["databases"]["privwatch"]["queries"]
    pages = ["/", "/fixture", "/fixture/incidents", DASHBOARD_ALL_TIME, *(f"/fixture/{q}" for q in queries)]
    for path in pages:
        page.goto(f"{base}{path}")
        if path.removeprefix("/fixture/") in queries:
            assert page.title() == queries[path.removeprefix("/fixture/")]["title"]
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        assert hrefs and not [h for h in hrefs if "github.com" in h and "fixture" in h], path
    assert not problems


def test_a_bar_of_the_dashboard_opens_that_company_s_incidents(server, browser_page):
    base, _ = server
    page, problems = browser_page
    page.goto(f"{base}{DASHBOARD_ALL_TIME}")
    wait_for_charts(page)
    page.locator("#chart-top-accused [aria-roledescription='bar'][aria-label*='company: Ant Group']").click()
    page.wait_for_url(re.compile(r"/fixture/incidents\?company_id=ant-group"))
    assert set(page.locator("td.col-company").all_inner_texts()) == {"Ant Group"}
    assert not problems


def test_the_stories_page_and_a_bar_of_active_stories_open_a_story_s_timeline(server, browser_page):
    base, fixture = server
    page, problems = browser_page
    with sqlite3.connect(fixture.path) as connection:
        story_id, title = connection.execute(
            "SELECT story_id, title FROM story_articles JOIN stories ON stories.id = story_id "
            "WHERE article_id = ?",
            [fixture.seed_id],
        ).fetchone()
    page.goto(f"{base}/fixture/stories")
    for facet in ("company", "type", "response"):
        assert page.locator(f"#facet-{facet}").is_visible(), facet
    page.locator("#facet-company").get_by_role("link", name="Ant Group").click()
    page.wait_for_url(re.compile(r"company=Ant\+Group"))
    page.get_by_role("link", name=title, exact=True).click()
    page.wait_for_url(re.compile(rf"/fixture/story\?story={story_id}$"))
    assert page.locator("td.col-what").first.inner_text() == title
    assert "syndicated copy" in page.locator("td.col-event").all_inner_texts()
    shot(page, "story")
    # the dashboard's bar of the seed story in January 2018 opens the same timeline
    page.goto(f"{base}/-/dashboards/privacy-controversies?date_start=2018-01-01&date_end=2018-01-31")
    wait_for_charts(page)
    page.locator("#chart-active-stories [aria-roledescription='bar']").first.click()
    page.wait_for_url(re.compile(rf"/fixture/story\?story={story_id}$"))
    assert not problems


def test_searching_chinese_words_finds_the_chinese_story(server, browser_page):
    base, fixture = server
    from storage import db as store

    database = store.open_db(fixture.path)
    story = store.upsert_article(
        database,
        {
            "url": "http://sztqb.sznews.com/content/2018-01/05/content_20911234.htm",
            "source_id": "sztqb",
            "title": "支付宝年度账单默认勾选芝麻信用协议 蚂蚁致歉",
            "published": "2018-01-05T00:53:00+00:00",
            "language": "zh",
            "body": "不少用户查看支付宝年度账单时发现，《芝麻服务协议》已被默认勾选。芝麻信用当晚致歉。",
        },
    )
    database.close()
    page, problems = browser_page
    page.goto(f"{base}/fixture/search_chinese?q=芝麻信用")
    assert page.locator("h1").first.inner_text() == "Search Chinese articles"
    assert "芝麻信用" in page.locator("td.col-snippet mark").all_inner_texts()
    assert page.get_by_role("link", name="支付宝年度账单默认勾选芝麻信用协议 蚂蚁致歉").count() >= 1
    assert page.locator(f"td.col-article_id a[href*='/articles/{story.article_id}']").count() == 1
    shot(page, "search-chinese")
    assert not problems
