"""`privwatch demo` on the bundled snapshot: the database, the digest preview and Datasette."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from itertools import pairwise
from pathlib import Path

import pytest

from benchmarks.sites import free_port
from storage.db import open_db
from storage.queries import search_articles

from .conftest import ROOT
from .test_browser_datasette import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    METADATA,
    click_each_bar,
    only_to,
)

PRIVWATCH = str(Path(sys.executable).parent / "privwatch")
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    work = tmp_path_factory.mktemp("demo")
    result = subprocess.run(
        [PRIVWATCH, "demo", "--no-serve", "--db", str(work / "demo.db")],
        cwd=work, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return work


def test_demo_stores_and_tags_the_snapshot(demo):
    database = open_db(demo / "demo.db")
    assert database["articles"].count >= 60
    assert database.execute("SELECT count(*) FROM articles WHERE tagged_at IS NULL").fetchone()[0] == 0
    incidents = database.execute("SELECT count(DISTINCT article_id || company_id) FROM incidents").fetchone()[
        0
    ]
    assert incidents >= 15
    types = {r[0] for r in database.execute("SELECT DISTINCT incident_type FROM incidents")}
    assert len(types) == 7, types
    assert [r["title"] for r in search_articles(database, "sesame")][:1] == [
        "Ant apologizes over misleading sign-up"
    ]
    assert database.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()[0] == 1


def test_demo_hikvision_story_has_no_second_incident_without_a_company(demo):
    database = open_db(demo / "demo.db")
    hikvision = database.execute(
        "SELECT article_id, incident_type, company_id, company FROM incidents WHERE article_id IN "
        "(SELECT article_id FROM incidents WHERE company_id = 'hikvision')"
    ).fetchall()
    assert hikvision and {company_id for _, _, company_id, _ in hikvision} == {"hikvision"}, hikvision
    twice = database.execute(
        "SELECT article_id, incident_type, group_concat(company) FROM incidents GROUP BY article_id, "
        "incident_type HAVING count(company_id) > 0 AND count(*) > count(company_id)"
    ).fetchall()
    assert twice == []


def test_demo_crawls_and_tags_the_chinese_outlet(demo):
    database = open_db(demo / "demo.db")
    chinese = list(database.query("SELECT * FROM articles WHERE language = 'zh' ORDER BY published"))
    assert len(chinese) >= 15
    assert all(a["author"] and a["published"] and "\ufffd" not in a["body"] for a in chinese)
    ant = next(a for a in chinese if "芝麻" in a["title"])
    # printed "2018年01月07日 09:10" in Asia/Shanghai
    assert ant["published"] == "2018-01-07T01:10:00+00:00" and ant["author"] == "陈思远; 林晓"
    # the hotel leak is a GBK page that declares iso-8859-1
    hotel = next(a for a in chinese if a["url"].endswith("content_35124315.htm"))
    assert hotel["title"].startswith("枫岚酒店")
    rows = list(
        database.query(
            "SELECT i.company_id, i.incident_type, i.response FROM incidents i "
            "JOIN articles a ON a.id = i.article_id WHERE a.language = 'zh'"
        )
    )
    assert ("ant-group", "consent", "apology") in {
        (r["company_id"], r["incident_type"], r["response"]) for r in rows
    }
    assert ("tencent", "denial") in {(r["company_id"], r["response"]) for r in rows}
    assert len({r["incident_type"] for r in rows}) >= 5


# The multi-outlet stories the snapshot is built to show (privwatch/demo/site/README.md, "Stories"): one event
# of one accused company, each article within 30 days of the one before, on two or more sites.
DEMO_STORIES = {
    "ant-group": [  # the seed story
        "ant-sesame-credit-default-consent.html",
        "content_3471234.htm",
        "content_21470538.htm",
        "pboc-summons-alipay-sesame-credit.html",
    ],
    "tencent": ["content_21468217.htm", "ant-sesame-credit-default-consent.html", "content_3471234.htm"],
    "coupang": [
        "content_31709625.htm",
        "coupang-breach-apology.html",
        "coupang-shares-breach.html",
        "content_35117836.htm",
        "coupang-ceo-resigns-police-raid.html",
    ],
    "didi": ["content_31694300.htm", "content_35104518.htm", "didi-fine-lifts-cloud.html"],
    "sk-telecom": ["content_31694913.htm", "skt-hack-probe-blames-carrier.html", "skt-pipc-record-fine.html"],
    "bytedance": ["content_31710851.htm", "tiktok-appeal-dpc-fine.html", "tiktok-china-servers-data.html"],
}


@pytest.mark.parametrize("company", DEMO_STORIES)
def test_demo_story_articles_accuse_the_same_company_across_outlets(demo, company):
    database = open_db(demo / "demo.db")
    articles = []
    for name in DEMO_STORIES[company]:
        found = list(
            database.query(
                "SELECT a.source_id, a.published, m.role, m.response FROM articles a "
                "LEFT JOIN mentions m ON m.article_id = a.id AND m.company_id = ? "
                "WHERE a.url LIKE ? AND a.duplicate_of IS NULL",
                [company, f"%/{name}"],
            )
        )
        assert len(found) == 1 and found[0]["role"] == "accused", (name, found)
        articles.append(found[0])
    assert len({a["source_id"] for a in articles}) >= 2
    published = [datetime.fromisoformat(a["published"]) for a in articles]
    assert published == sorted(published)
    assert all(later - earlier <= timedelta(days=30) for earlier, later in pairwise(published))
    if company == "ant-group":  # the story's timeline shows Ant's apology
        assert "apology" in {a["response"] for a in articles}


def test_demo_groups_each_multi_outlet_story_into_one_story(demo):
    database = open_db(demo / "demo.db")
    stories = {}
    for company, names in DEMO_STORIES.items():
        found = {
            r[0]
            for name in names
            for r in database.execute(
                "SELECT sa.story_id FROM articles a JOIN story_articles sa ON sa.article_id = a.id "
                "WHERE a.url LIKE ?",
                [f"%/{name}"],
            )
        }
        assert len(found) == 1, (company, found)
        stories[company] = found.pop()
    # Ant's and Tencent's halves of the seed story are one story: the seed article accuses both
    assert stories["ant-group"] == stories["tencent"]
    big = database.execute(
        "SELECT count(*) FROM stories WHERE articles >= 3 AND outlets >= 2 AND id IN "
        f"({', '.join(map(str, stories.values()))})"
    ).fetchone()[0]
    assert big >= 4
    seed = database.execute("SELECT * FROM stories WHERE id = ?", [stories["ant-group"]]).fetchone()
    columns = [d[0] for d in database.execute("SELECT * FROM stories LIMIT 0").description]
    seed = dict(zip(columns, seed, strict=True))
    # the earliest report that names both accused companies
    assert seed["title"].startswith("Ant Financial apologises for pre-ticked Sesame Credit box")
    assert "Ant Group: apology" in seed["latest_responses"] and "Tencent: denial" in seed["latest_responses"]


def test_demo_digest_shows_each_story_once(demo):
    message = message_from_bytes((demo / "privwatch-demo-digest.eml").read_bytes(), policy=policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    headings = [line for line in text.splitlines() if line.startswith("== New story: ")]
    database = open_db(demo / "demo.db")
    titles = [r[0] for r in database.execute("SELECT title FROM stories")]
    # the first stories in full, the rest counted and linked (the HTML part must stay under 100 KB)
    more = int(re.search(r"^ \* and (\d+) more stories on the stories page: ", text, re.M)[1])
    assert len(headings) + more == len(titles) and len(headings) == len(set(headings))
    assert {h[len("== New story: ") : -3] for h in headings} <= set(titles)


def test_demo_writes_a_digest_preview(demo):
    message = message_from_bytes((demo / "privwatch-demo-digest.eml").read_bytes(), policy=policy.default)
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Ant Group" in html and "Tencent" in html
    # the Chinese outlet's stories among the English ones (which are shown depends on their severity), with
    # their evidence as it is
    assert "深圳特区报" in html and re.search("[\u4e00-\u9fff]{20,}", html)
    preview = (demo / "privwatch-demo-digest.html").read_text(encoding="utf-8")
    assert preview.split() == html.split()


def test_demo_digest_html_part_is_under_100_kb_and_links_the_rest(demo):
    message = message_from_bytes((demo / "privwatch-demo-digest.eml").read_bytes(), policy=policy.default)
    html = message.get_body(preferencelist=("html",)).get_content()
    assert len(html.encode()) < 100_000  # Gmail clips an HTML part beyond about 102 KB
    more = re.search(r"and (\d+) more stories on <a href=\"([^\"]+)\"", html)
    assert more and int(more[1]) > 0 and more[2] == "http://127.0.0.1:8001/demo/stories"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_demo_digest_preview_starts_with_a_summary_whose_links_jump_to_their_sections(demo):
    from playwright.sync_api import sync_playwright

    preview = (demo / "privwatch-demo-digest.html").as_uri()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        problems: list[str] = []
        page.route("**/*", only_to(preview, problems))
        page.goto(preview)
        first = page.evaluate("document.body.firstElementChild.firstElementChild")
        assert page.evaluate("document.body.firstElementChild.firstElementChild.id") == "summary", first
        summary = page.locator("#summary")
        box = summary.bounding_box()
        assert box and box["y"] < 100 and box["y"] + box["height"] <= 900  # all of it on the first screen
        links = summary.locator("a[href^='#']")
        targets = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert len(targets) >= 10 and any(t.startswith("#story-") for t in targets)
        assert page.evaluate("ids => ids.every(id => document.getElementById(id.slice(1)))", targets)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "digest-demo-summary.png"))
        # a story further down: the click jumps to its section, now at the top of the screen
        story = [t for t in targets if t.startswith("#story-")][4]
        summary.locator(f"a[href='{story}']").first.click()
        page.wait_for_url(f"{preview}{story}")
        assert page.evaluate("window.scrollY") > 900
        heading = page.locator(story).bounding_box()
        assert heading and -2 <= heading["y"] < 50  # scrolled to the top, give or take sub-pixel rounding
        assert page.locator(story).evaluate("h => h.tagName") == "H2"
        page.screenshot(path=str(ARTIFACTS / "digest-demo-section.png"))
        browser.close()
    assert not problems


@contextmanager
def serving(db_path: Path):
    """`privwatch serve` on the database at a free port; yields its base URL once it answers."""
    port = free_port()
    server = subprocess.Popen([PRIVWATCH, "serve", "--db", str(db_path), "--port", str(port)])
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/dashboards", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_demo_database_serves_in_datasette(demo):
    with serving(demo / "demo.db"):
        pass


def test_demo_stories_that_state_a_fine_or_a_count_of_people_affected_carry_it_sorted_in_datasette(demo):
    """Issue 20: fines (with their currency) and records affected are read from the demo's stories that
    state them, and the incidents view sorts by them, the largest fine first."""
    import json

    database = open_db(demo / "demo.db")
    stated = database.execute(
        "SELECT count(DISTINCT article_id) FROM incidents "
        "WHERE fine_amount IS NOT NULL OR affected IS NOT NULL"
    ).fetchone()[0]
    assert stated >= 8
    fines = database.execute(
        "SELECT count(DISTINCT article_id) FROM incidents "
        "WHERE fine_amount IS NOT NULL AND fine_currency IS NOT NULL"
    ).fetchone()[0]
    counts = database.execute(
        "SELECT count(DISTINCT article_id) FROM incidents WHERE affected > 0"
    ).fetchone()[0]
    assert fines and counts
    # Didi's fine in the Chinese outlet's story, in yuan
    assert database.execute(
        "SELECT 1 FROM incidents WHERE company_id = 'didi' AND fine_currency = 'CNY' AND fine_amount > 8e9"
    ).fetchone()
    with serving(demo / "demo.db") as base:
        url = f"{base}/demo/incidents.json?_sort_desc=fine_usd&_shape=array&_size=20"
        with urllib.request.urlopen(url, timeout=30) as response:
            rows = json.load(response)
    fines_in_usd = [row["fine_usd"] for row in rows if row["fine_usd"] is not None]
    assert len(fines_in_usd) >= 5 and fines_in_usd == sorted(fines_in_usd, reverse=True)
    assert rows[0]["fine_usd"] == database.execute("SELECT max(fine_usd) FROM incidents").fetchone()[0]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_demo_stories_page_opens_the_seed_story_s_timeline(demo):
    """In a browser: the stories page lists the seed story; its timeline has its articles in date order
    across outlets and languages, and Ant's apology on the day it first appeared."""
    from playwright.sync_api import sync_playwright

    database = open_db(demo / "demo.db")
    story_id, title = database.execute(
        "SELECT sa.story_id, s.title FROM articles a JOIN story_articles sa ON sa.article_id = a.id "
        "JOIN stories s ON s.id = sa.story_id WHERE a.url LIKE '%/content_3471234.htm'"
    ).fetchone()
    with serving(demo / "demo.db") as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{base}/demo/stories")
        page.get_by_role("link", name=title, exact=True).click()
        page.wait_for_url(re.compile(rf"/demo/story\?story={story_id}$"))
        dates = page.locator("td.col-date").all_inner_texts()
        events = page.locator("td.col-what").all_inner_texts()
        outlets = set(page.locator("td.col-outlet").all_inner_texts())
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "datasette-demo-story.png"), full_page=True)
        browser.close()
    assert dates == sorted(dates) and len(dates) >= 6
    assert "Ant apologizes over misleading sign-up" in events and "Ant Group apologises" in events
    assert "Tencent denies" in events
    assert len(outlets) >= 4  # Shenzhen Daily, 深圳特区报, Pacific Tech Wire, Harbour Finance Daily


@pytest.fixture(scope="module")
def demo_in_browser(demo):
    """`privwatch serve` on the demo database, and a headless Chromium page at 1400×900 on it that may
    only talk to the server; yields the base URL, the page and the problems seen (requests elsewhere,
    javascript errors)."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with serving(demo / "demo.db") as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        problems: list[str] = []
        page.route("**/*", only_to(base, problems))
        page.on("pageerror", lambda error: problems.append(f"javascript error: {error}"))
        yield base, page, problems
        browser.close()


@pytest.fixture
def demo_page(demo_in_browser):
    """The demo in the browser for one test, which fails on a request outside the server or a javascript
    error."""
    base, page, problems = demo_in_browser
    problems.clear()
    yield base, page
    assert not problems


@pytest.mark.parametrize("chart", ["top-accused", "by-source", "incidents-per-week"])
def test_demo_dashboard_bar_click_opens_exactly_the_rows_the_bar_counts(demo_page, chart):
    base, page = demo_page
    # the second half of November 2026, the demo's busiest weeks, and then every date
    for filters in ("date_start=2026-11-16&date_end=2026-11-30", "date_start=2000-01-01&date_end=2030-12-31"):
        click_each_bar(page, f"{base}/-/dashboards/privacy-controversies?{filters}", chart, "demo", most=4)


def test_demo_canned_query_tabs_are_their_titles_and_no_link_names_the_database_on_github(demo_page):
    base, page = demo_page
    queries = METADATA["databases"]["privwatch"]["queries"]
    for path in [
        "/",
        "/demo",
        "/demo/incidents",
        "/-/dashboards/privacy-controversies",
        *(f"/demo/{q}" for q in queries),
    ]:
        page.goto(f"{base}{path}")
        if path.removeprefix("/demo/") in queries:
            assert page.title() == queries[path.removeprefix("/demo/")]["title"], path
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        assert hrefs and not [h for h in hrefs if "github.com" in h and "/demo" in h], path


def rows_on_first_screen(page) -> int:
    boxes = [row.bounding_box() for row in page.locator("table.rows-and-columns tbody tr").all()]
    return sum(1 for box in boxes if box and box["y"] + box["height"] <= 900)


def test_demo_incidents_view_opens_on_its_facets_and_ten_rows(demo_page):
    base, page = demo_page
    page.goto(f"{base}/demo/incidents")
    assert rows_on_first_screen(page) >= 10
    for facet in ("incident_type", "company", "source", "response", "language"):
        box = page.locator(f"#facet-{facet}").bounding_box()
        assert box and box["y"] + box["height"] <= 900, facet
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "datasette-demo-incidents.png"))
    # the column descriptions wait behind "About these columns"
    descriptions = page.locator("dl.column-descriptions")
    assert not descriptions.is_visible()
    page.get_by_text("About these columns").click()
    assert descriptions.is_visible()
    assert "The sentence of the article that carries this incident." in descriptions.inner_text()
    # each evidence sentence is whole in the page: one line each until "whole evidence sentences"
    cell = page.locator("td.col-evidence > .cell").first
    one_line = cell.bounding_box()["height"]
    page.get_by_label("whole evidence sentences").check()
    assert cell.bounding_box()["height"] > 1.5 * one_line


@pytest.mark.parametrize("view", ["company_timeline", "weekly_counts", "stories"])
def test_demo_views_open_on_their_rows(demo_page, view):
    base, page = demo_page
    page.goto(f"{base}/demo/{view}")
    assert rows_on_first_screen(page) >= 8


def test_demo_company_page_for_tencent_shows_its_incidents_and_a_chart(demo, demo_page):
    base, page = demo_page
    database = open_db(demo / "demo.db")
    accused_in = {r[0] for r in database.execute("SELECT title FROM incidents WHERE company_id = 'tencent'")}
    months = database.execute(
        "SELECT count(DISTINCT substr(published, 1, 7) || incident_type) FROM incidents "
        "WHERE company_id = 'tencent'"
    ).fetchone()[0]
    page.goto(f"{base}/demo/incidents?company_id=tencent")
    page.locator("td.col-company a", has_text="Tencent").first.click()
    page.wait_for_url(f"{base}/demo/companies/tencent")
    assert page.locator("h1").first.inner_text() == "Tencent"
    assert "WeChat" in page.locator("dl.company-names").inner_text()
    bars = page.locator("#company-chart [aria-roledescription='bar']")
    bars.first.wait_for(timeout=30_000)
    assert bars.count() == months >= 2  # one per month and type: January 2018 and October 2026
    box = page.locator("#company-chart svg").bounding_box()
    assert box and box["width"] > 600 and box["height"] > 150
    accused_rows = page.locator("table.company-articles tr.role-accused")
    assert set(accused_rows.locator("td.col-title").all_inner_texts()) == accused_in and len(accused_in) >= 3
    assert all(evidence for evidence in accused_rows.locator("td.col-evidence").all_inner_texts())
    stories = page.locator("table.company-stories td.col-title").all_inner_texts()
    assert any(title.startswith("Ant Financial apologises for pre-ticked Sesame") for title in stories)
    page.screenshot(path=str(ARTIFACTS / "datasette-demo-company.png"), full_page=True)
    # a bar opens that month's incidents of the company
    bars.first.click()
    page.wait_for_url(re.compile(r"/demo/incidents\?company_id=tencent&published__startswith=\d{4}-\d{2}$"))
    assert set(page.locator("td.col-company").all_inner_texts()) == {"Tencent"}


def test_demo_dashboard_opens_on_the_last_90_days(demo, demo_page):
    base, page = demo_page
    page.goto(f"{base}/")
    page.get_by_role("link", name="Privacy controversies dashboard").click()
    page.wait_for_url(re.compile(r"/-/dashboards/privacy-controversies\?date_start=\d{4}-\d{2}-\d{2}$"))
    start = page.locator("#date_start").input_value()
    assert start == page.url.rpartition("=")[2] and page.locator("#date_end").input_value() == ""
    today = datetime.now(UTC).date()  # the server's "today" is UTC's
    assert date.fromisoformat(start) in {today - timedelta(days=90), today - timedelta(days=91)}
    database = open_db(demo / "demo.db")
    recent = database.execute("SELECT count(*) FROM incidents WHERE published >= ?", [start]).fetchone()[0]
    total = page.locator("#chart-incidents-total p")
    total.wait_for(timeout=30_000)
    assert total.inner_text().strip() == str(recent)
    # clearing From widens it to every date
    page.locator("#date_start").fill("")
    page.locator("input[type=submit][value=Apply]").click()
    page.wait_for_url(re.compile(r"date_start=&"))
    page.locator("#chart-incidents-total p").wait_for(timeout=30_000)
    everything = database.execute("SELECT count(*) FROM incidents").fetchone()[0]
    assert page.locator("#chart-incidents-total p").inner_text().strip() == str(everything) != str(recent)
