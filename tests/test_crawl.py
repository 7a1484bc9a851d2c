"""`privwatch crawl` end to end against the fixture sites served on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import shlex
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import yaml

from benchmarks.sites import free_port
from crawlers.progress import CrawlProgress
from crawlers.runner import OneLineFormatter
from storage.db import open_db

from .conftest import FIXTURES
from .sitesrv import SiteServer

SITES = FIXTURES / "sites"
FIXTURE_SITES = ("szdaily", "feedsite", "sitemapsite")
PRIVWATCH = str(Path(sys.executable).parent / "privwatch")


def site_articles(site: str) -> set[str]:
    root = SITES / site
    patterns = {
        "szdaily": "content/**/*.htm",
        "feedsite": "articles/**/*.html",
        "sitemapsite": "news/**/*.html",
    }
    return {"/" + p.relative_to(root).as_posix() for p in root.glob(patterns[site])}


@contextmanager
def fixture_site_servers() -> Iterator[dict[str, SiteServer]]:
    """The three fixture sites, each on its own local server, by site name."""
    with ExitStack() as stack:
        yield {site: stack.enter_context(SiteServer(SITES / site)) for site in FIXTURE_SITES}


def local_sources(config_dir: Path, servers: dict[str, SiteServer]) -> None:
    """Point the sources at the local servers: Shenzhen Daily keeps its real selectors."""
    data = yaml.safe_load((config_dir / "sources.yaml").read_text(encoding="utf-8"))
    szdaily = next(s for s in data["sources"] if s["id"] == "szdaily")
    sz = servers["szdaily"]
    szdaily.update(
        url=sz.url("/"),
        start_urls=[sz.url("/node_3036.htm"), sz.url("/node_3040.htm"), sz.url("/node_3044.htm")],
        allowed_domains=["127.0.0.1"],
    )
    common = {"allowed_domains": ["127.0.0.1"], "language": "en", "every": "1h", "timezone": "Asia/Hong_Kong"}
    feed, sitemap = servers["feedsite"], servers["sitemapsite"]
    data["sources"] = [
        szdaily,
        {"id": "feedsite", "name": "Pacific Tech Wire", "kind": "feed", "url": feed.url("/"),
         "start_urls": [feed.url("/")], **common},
        {"id": "sitemapsite", "name": "Harbour Finance Daily", "kind": "sitemap", "url": sitemap.url("/"),
         "start_urls": [sitemap.url("/robots.txt")], **common},
    ]  # fmt: skip
    (config_dir / "sources.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    settings = yaml.safe_load((config_dir / "settings.yaml").read_text(encoding="utf-8"))
    settings["crawl"].update(autothrottle=False, download_delay=0, retries=1, download_timeout=10)
    (config_dir / "settings.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")


def only_sources(config_dir: Path, sources: list[dict], **crawl_settings) -> None:
    """Configure these sources alone, crawled without delays and with these crawl settings."""
    data = yaml.safe_load((config_dir / "sources.yaml").read_text(encoding="utf-8"))
    data["sources"] = sources
    (config_dir / "sources.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    settings = yaml.safe_load((config_dir / "settings.yaml").read_text(encoding="utf-8"))
    settings["crawl"].update(autothrottle=False, download_delay=0, **crawl_settings)
    (config_dir / "settings.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")


def crawl(config_dir: Path, db: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [PRIVWATCH, "--config-dir", str(config_dir), "crawl", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """Two crawls of the three fixture sites; the servers' request logs of each."""
    tmp = tmp_path_factory.mktemp("crawl")
    config_dir = tmp / "config"
    import shutil

    from config.models import REPO_CONFIG_DIR

    shutil.copytree(REPO_CONFIG_DIR, config_dir)
    with fixture_site_servers() as servers:
        local_sources(config_dir, servers)
        db = tmp / "crawl.db"
        subprocess.run([PRIVWATCH, "--config-dir", str(config_dir), "init", "--db", str(db)], check=True)
        first = crawl(config_dir, db)
        first_requests = {name: s.counts() for name, s in servers.items()}
        second = crawl(config_dir, db)
        second_requests = {name: s.counts() - first_requests[name] for name, s in servers.items()}
        yield {
            "db": db,
            "servers": servers,
            "first": first,
            "second": second,
            "first_requests": first_requests,
            "second_requests": second_requests,
        }


def stored_paths(db_path: Path, server: SiteServer) -> list[str]:
    database = open_db(db_path)
    urls = [r["url"] for r in database.query("SELECT url FROM articles")]
    return sorted(u.removeprefix(server.base) for u in urls if u.startswith(server.base))


def test_crawl_stores_every_fixture_article_once(crawled):
    for site, server in crawled["servers"].items():
        expected = site_articles(site) - {"/private/leaked-draft.html"}
        stored = stored_paths(crawled["db"], server)
        assert len(stored) == len(set(stored))
        assert set(stored) == expected, site
    assert "szdaily" in crawled["first"].stdout and "feedsite" in crawled["first"].stdout


def test_second_crawl_stores_nothing_and_fetches_no_article(crawled):
    database = open_db(crawled["db"])
    runs = list(database.query("SELECT * FROM crawl_runs ORDER BY id"))
    assert len(runs) == 6 and all(r["status"] == "ok" for r in runs), runs
    assert [r["new"] + r["duplicates"] for r in runs[3:]] == [0, 0, 0]
    assert sum(r["new"] + r["duplicates"] for r in runs[:3]) == database["articles"].count
    for site, requests in crawled["second_requests"].items():
        articles = site_articles(site)
        assert not [path for path in requests if path in articles], site
        assert requests, f"{site}: the second crawl should still read its listing, feed or sitemap pages"


def test_syndicated_copy_points_at_the_original(crawled):
    database = open_db(crawled["db"])
    rows = {
        r["url"].split("/")[-1]: r
        for r in database.query(
            "SELECT id, url, duplicate_of FROM articles WHERE body_hash = "
            "(SELECT body_hash FROM articles WHERE url LIKE '%syndicated-ant.html')"
        )
    }
    seed, copy = rows["content_3471234.htm"], rows["syndicated-ant.html"]
    assert copy["duplicate_of"] == seed["id"] and seed["duplicate_of"] is None


def test_robots_disallowed_paths_are_never_requested(crawled):
    assert "/private/leaked-draft.html" not in crawled["first_requests"]["feedsite"]
    assert not any(p.startswith("/search") for p in crawled["first_requests"]["szdaily"])
    assert crawled["first_requests"]["feedsite"]["/robots.txt"] >= 1


def test_crawled_articles_are_extracted_right(crawled):
    database = open_db(crawled["db"])
    seed = next(database.query("SELECT * FROM articles WHERE url LIKE '%content_3471234.htm'"))
    assert seed["title"] == "Ant apologizes over misleading sign-up"
    assert seed["published"] == "2018-01-05T00:53:00+00:00"
    assert seed["section"] == "Business_Markets" and seed["source_id"] == "szdaily"
    assert seed["body"].startswith("ANT Financial, the Internet") and seed["body"].endswith("(SD-Agencies)")
    gbk = next(database.query("SELECT * FROM articles WHERE url LIKE '%gbk-story.html'"))
    assert "\ufffd" not in gbk["body"] and any(
        "\u4e00" <= ch <= "\u9fff" for ch in gbk["title"] + gbk["body"]
    )
    dated = list(database.query("SELECT url, published FROM articles WHERE url NOT LIKE '%no-date%'"))
    assert all(r["published"] for r in dated), [r["url"] for r in dated if not r["published"]]
    undated = next(database.query("SELECT published FROM articles WHERE url LIKE '%no-date.html'"))
    assert undated["published"] is None
    tracked = list(database.query("SELECT url FROM articles WHERE url LIKE '%utm_%'"))
    assert tracked == []


def test_every_crawl_run_is_recorded(crawled):
    database = open_db(crawled["db"])
    for run in database.query("SELECT * FROM crawl_runs"):
        assert run["finished"] and run["pages"] > 0
    # the one error of each feedsite run: its feed links to a page its robots.txt forbids
    errors = [
        (r["source_id"], r["url"].rsplit("/", 2)[-2:], r["error"])
        for r in database.query(
            "SELECT r.source_id, e.url, e.error FROM crawl_errors e JOIN crawl_runs r ON r.id = e.run_id"
        )
    ]
    assert errors == [("feedsite", ["private", "leaked-draft.html"], "forbidden by robots.txt")] * 2


def test_failures_are_recorded_and_the_rest_of_the_crawl_goes_on(tmp_path, config_dir):
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    articles = sorted((SITES / "feedsite" / "articles").glob("20*/*/*.html"))[:2]
    for number, page in enumerate(articles, 1):
        (site / "news" / f"a{number}.html").write_bytes(page.read_bytes())
    links = "".join(
        f'<li><a href="/news/{name}">{name}</a></li>' for name in ("a1.html", "gone.html", "a2.html")
    )
    (site / "index.html").write_text(f"<html><body><ul class='list'>{links}</ul></body></html>")
    (site / "notafeed.xml").write_text("this is not a feed <<<")
    faults = {"/news/a1.html": [(503, {"Retry-After": "1"})]}
    with SiteServer(site, faults=faults) as server:
        common = {"allowed_domains": ["127.0.0.1"], "url": server.url("/")}
        only_sources(config_dir, [
            {"id": "flaky", "name": "Flaky", "kind": "listing", "start_urls": [server.url("/index.html")],
             "selectors": {"article_links": "ul.list a"}, **common},
            {"id": "brokenfeed", "name": "Broken feed", "kind": "feed",
             "start_urls": [server.url("/notafeed.xml")], **common},
        ], retries=2)  # fmt: skip
        db = tmp_path / "faults.db"
        crawl(config_dir, db)
        requests = server.counts()
    database = open_db(db)
    assert requests["/news/a1.html"] == 2, "a 503 with Retry-After is retried"
    assert database["articles"].count == 2
    assert {r["url"].rsplit("/", 1)[-1] for r in database.query("SELECT url FROM article_urls")} == {
        "a1.html",
        "a2.html",
    }
    errors = {
        r["url"].rsplit("/", 1)[-1]: r
        for r in database.query("SELECT * FROM crawl_errors JOIN crawl_runs r ON r.id = run_id")
    }
    assert errors["gone.html"]["status"] == 404 and errors["gone.html"]["source_id"] == "flaky"
    assert (
        errors["notafeed.xml"]["error"].startswith("not a feed")
        and errors["notafeed.xml"]["source_id"] == "brokenfeed"
    )
    statuses = {
        r["source_id"]: r["status"] for r in database.query("SELECT source_id, status FROM crawl_runs")
    }
    assert statuses == {"flaky": "partial", "brokenfeed": "failed"}


@pytest.mark.parametrize(
    "robots, fetched",
    [
        ("rules", {"/index.html", "/news/a1.html", "/news/a2.html"}),
        ("missing", {"/index.html", "/news/a1.html", "/news/a2.html", "/private/a1.html", "/private/a2.html",
                     "/private/index.html", "/private/more.html"}),
        ("server error", set()),
    ],
)  # fmt: skip
def test_robots_txt_is_read_as_rfc_9309_says(tmp_path, config_dir, robots, fetched):
    """Rules bind every request that waited for them; no robots.txt (404) means no rules; a robots.txt the
    server cannot give (5xx) means nothing may be fetched. Each page robots.txt stopped is a crawl error;
    the run stays ok when its other listing page gave article links."""
    site = tmp_path / "site"
    for folder in ("news", "private"):
        (site / folder).mkdir(parents=True)
    articles = sorted((SITES / "feedsite" / "articles").glob("20*/*/*.html"))[:2]
    for number, page in enumerate(articles, 1):
        for folder in ("news", "private"):
            (site / folder / f"a{number}.html").write_bytes(page.read_bytes())
    links = "".join(f'<li><a href="/{f}/a{n}.html">x</a></li>' for f in ("news", "private") for n in (1, 2))
    listings = ("index.html", "private/index.html", "private/more.html")
    for listing in listings:
        (site / listing).write_text(f"<html><body><ul class='list'>{links}</ul></body></html>")
    if robots != "missing":
        (site / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    faults = {"/robots.txt": [(503, {})] * 3} if robots == "server error" else {}
    # the listing pages all ask for robots.txt while it is still on its way
    with SiteServer(site, faults=faults, delays={"/robots.txt": 0.5}) as server:
        only_sources(config_dir, [
            {"id": "polite", "name": "Polite", "kind": "listing", "url": server.url("/"),
             "start_urls": [server.url(f"/{p}") for p in listings],
             "selectors": {"article_links": "ul.list a"}, "allowed_domains": ["127.0.0.1"]},
        ], retries=1)  # fmt: skip
        db = tmp_path / "robots.db"
        command = [PRIVWATCH, "--config-dir", str(config_dir), "crawl", "--db", str(db)]
        result = subprocess.run(command, capture_output=True, text=True)
        requests = server.counts()
    assert result.returncode == (1 if robots == "server error" else 0), result.stderr
    assert set(requests) - {"/robots.txt"} == fetched
    database = open_db(db)
    errors = [r["error"] for r in database.query("SELECT error FROM crawl_errors")]
    if robots == "server error":
        assert len(errors) == 3 and all(e.startswith("robots.txt unreachable (HTTP 503)") for e in errors)
    elif robots == "rules":
        forbidden = {
            r["url"].removeprefix(server.base): r["error"]
            for r in database.query("SELECT * FROM crawl_errors")
        }
        assert forbidden == dict.fromkeys(
            {"/private/index.html", "/private/more.html", "/private/a1.html", "/private/a2.html"},
            "forbidden by robots.txt",
        )
        assert [r["status"] for r in database.query("SELECT status FROM crawl_runs")] == ["ok"]
    else:
        assert errors == []


def test_an_unreachable_source_says_each_failure_in_one_line_and_tracebacks_need_v(tmp_path, config_dir):
    base = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    only_sources(config_dir, [
        {"id": "offline", "name": "Offline Gazette", "kind": "listing", "url": base + "/",
         "start_urls": [base + "/news/"], "allowed_domains": ["127.0.0.1"],
         "selectors": {"article_links": "ul a"}},
    ], retries=0)  # fmt: skip
    db = tmp_path / "offline.db"
    command = [PRIVWATCH, "--config-dir", str(config_dir), "crawl", "--db", str(db)]
    quiet = subprocess.run(command, capture_output=True, text=True, timeout=300)
    verbose = subprocess.run([*command, "-v"], capture_output=True, text=True, timeout=300)
    assert quiet.returncode == verbose.returncode == 1, quiet.stderr
    assert "Traceback" not in quiet.stderr and "Traceback" in verbose.stderr
    *failures, last = quiet.stderr.strip().splitlines()
    assert any("robots.txt of 127.0.0.1" in line and "unreachable" in line for line in failures), failures
    assert all(
        " ERROR: " in line or " WARNING: " in line or line.startswith("crawling: ") for line in failures
    )
    errors_command = f"privwatch --config-dir {config_dir} db errors --db {db}"
    assert last == f"Error: every source failed or was blocked by robots.txt; `{errors_command}` lists why"
    assert "offline" in quiet.stdout and "failed" in quiet.stdout  # the summary table

    listed = [PRIVWATCH, *shlex.split(errors_command)[1:], "--json"]
    rows = json.loads(subprocess.run(listed, capture_output=True, text=True, timeout=60, check=True).stdout)
    assert {(row["source_id"], row["url"]) for row in rows} == {("offline", base + "/news/")}
    assert all("robots.txt unreachable" in row["error"] for row in rows) and len(rows) == 2


def test_without_v_a_log_record_is_one_line_that_keeps_its_error():
    formatter = OneLineFormatter("%(levelname)s: %(message)s")

    def record(level: int, message: str, error: Exception | None = None) -> logging.LogRecord:
        exc_info = (type(error), error, None) if error else None
        return logging.LogRecord("scrapy", level, __file__, 1, message, (), exc_info)

    refused = ConnectionRefusedError("nobody listens")
    assert formatter.format(
        record(logging.ERROR, "Error downloading <GET http://127.0.0.1:9/>", refused)
    ) == ("ERROR: Error downloading <GET http://127.0.0.1:9/> (ConnectionRefusedError: nobody listens)")
    dropped = "Dropped: a copy of an article already stored\n{'title': 'Harbour fares rise', 'body': '...'}"
    assert (
        formatter.format(record(logging.WARNING, dropped))
        == "WARNING: Dropped: a copy of an article already stored"
    )
    deferred = (
        "Unhandled error in Deferred:\nTraceback (most recent call last):\n  File x\nValueError: odd page"
    )
    assert formatter.format(record(logging.CRITICAL, deferred)) == (
        "CRITICAL: Unhandled error in Deferred: (ValueError: odd page)"
    )


def test_crawl_progress_line_counts_each_sources_pages_articles_and_errors():
    progress = CrawlProgress(crawler=None, seconds=10)
    counts = {"szdaily": Counter(pages=12, errors=1), "feedsite": Counter(pages=1)}
    for source_id in ("szdaily", "szdaily", "feedsite"):
        progress.item_scraped({"source_id": source_id}, spider=None)
    assert (
        progress.line(counts) == "crawling: szdaily 12 pages, 2 articles, 1 error; feedsite 1 page, 1 article"
    )
    assert progress.line(None) is None  # a Redis worker counts in Redis
