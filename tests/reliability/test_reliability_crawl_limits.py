"""Reliability: sitemap indexes too wide or too deep, and more article links than a run may fetch, stop at
their limits and say how much they left out; a gzip bomb, a page robots.txt forbids and an offsite
redirect each leave a crawl_errors row; a source whose robots.txt forbids its start pages is `blocked`."""

from __future__ import annotations

import email
import json
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from email import policy
from pathlib import Path
from typing import NamedTuple

import yaml
from click.testing import CliRunner

from config.models import REPO_CONFIG_DIR
from privwatch.cli import cli
from storage.db import open_db

from ..test_crawl import only_sources
from .faultsrv import FaultServer
from .test_reliability_crawl import crawl, listing, source, write_articles

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
CHILDREN = 10_000


def sitemap_index(root: Path, count: int) -> list[str]:
    """/sitemap-index.xml of `count` child sitemaps, child n last modified n days after 2000-01-01; only
    the newest 50 exist, each listing one article. The paths of those 50, newest first."""
    first_day = date(2000, 1, 1)
    entries = "".join(
        f"<sitemap><loc>/sitemaps/part-{n:05d}.xml</loc>"
        f"<lastmod>{first_day + timedelta(days=n)}</lastmod></sitemap>"
        for n in range(count)
    )
    (root / "sitemaps").mkdir(parents=True)
    (root / "sitemap-index.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="{SITEMAP_NS}">{entries}</sitemapindex>',
        encoding="utf-8",
    )
    newest = []
    for rank, article in enumerate(write_articles(root, 50)):
        path = f"/sitemaps/part-{count - 1 - rank:05d}.xml"
        (root / path.lstrip("/")).write_text(
            f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{SITEMAP_NS}">'
            f"<url><loc>{article}</loc></url></urlset>",
            encoding="utf-8",
        )
        newest.append(path)
    return newest


def listing_source(server, source_id: str, start: str) -> dict:
    return source(server, source_id, "listing", start, selectors={"article_links": "a.story"})


def warnings_of(db: Path) -> dict[str, dict]:
    return {
        r["source_id"]: r
        for r in open_db(db).query(
            "SELECT r.source_id, w.* FROM crawl_warnings w JOIN crawl_runs r ON r.id = w.run_id "
            "WHERE w.kind = 'limits'"
        )
    }


def runs_of(db: Path) -> dict[str, dict]:
    return {r["source_id"]: r for r in open_db(db).query("SELECT * FROM crawl_runs ORDER BY id")}


def crawl_health(db: Path) -> dict[str, dict]:
    metadata = yaml.safe_load((REPO_CONFIG_DIR / "datasette" / "metadata.yaml").read_text(encoding="utf-8"))
    sql = metadata["databases"]["privwatch"]["queries"]["crawl_health"]["sql"]
    return {r["source"]: r for r in open_db(db).query(sql)}


class Crawled(NamedTuple):
    results: list  # the finished `privwatch crawl` processes, one per run
    db: Path
    requests: list[Counter]  # per run: path -> requests the server saw
    base: str  # the server's base URL


def crawl_alone(
    tmp_path, config_dir, site: Path, make_source: Callable[[FaultServer], dict], runs: int = 1, **settings
) -> Crawled:
    """Serve the site and crawl the one source make_source(server) gives, `runs` times, with these crawl
    settings."""
    results, requests = [], []
    with FaultServer(site) as server:
        only_sources(config_dir, [make_source(server)], retries=1, **settings)
        db = tmp_path / "crawl.db"
        for _ in range(runs):
            before = server.counts()
            results.append(crawl(config_dir, db))
            requests.append(server.counts() - before)
    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
    return Crawled(results, db, requests, server.base)


def errors_by_path(db: Path, base: str) -> dict[str, str]:
    return {r["url"].removeprefix(base): r["error"] for r in open_db(db).query("SELECT * FROM crawl_errors")}


def test_reliability_sitemap_index_of_10000_children_follows_the_newest_50(tmp_path, config_dir):
    site = tmp_path / "site"
    newest = sitemap_index(site, CHILDREN)
    [result], db, [requests], _ = crawl_alone(
        tmp_path, config_dir, site, lambda server: source(server, "wide", "sitemap", "/sitemap-index.xml")
    )
    assert {p for p in requests if p.startswith("/sitemaps/")} == set(newest)
    assert open_db(db)["articles"].count == 50
    run = runs_of(db)["wide"]
    assert (run["status"], run["errors"], run["new"]) == ("ok", 0, 50)
    warning = warnings_of(db)["wide"]
    assert json.loads(warning["detail"]) == {"sitemaps_cut": CHILDREN - 50}
    line = "wide: crawl limits left out 9,950 child sitemaps (max_child_sitemaps)"
    assert line in result.stdout.splitlines(), result.stdout
    assert crawl_health(db)["wide"]["limits_24h"] == line.removeprefix("wide: ")


def test_reliability_ever_new_sitemap_indexes_stop_at_the_depth_limit(tmp_path, config_dir):
    site = tmp_path / "site"
    site.mkdir()
    [result], db, [requests], _ = crawl_alone(
        tmp_path, config_dir, site, lambda server: source(server, "deep", "sitemap", "/faults/chain-0.xml")
    )
    # the start index and three levels below it (max_sitemap_depth 3); the fourth level is left out
    assert {p for p in requests if "chain" in p} == {f"/faults/chain-{n}.xml" for n in range(4)}
    assert json.loads(warnings_of(db)["deep"]["detail"]) == {"sitemaps_too_deep": 1}
    assert "deep: crawl limits left out 1 sitemap too deep (max_sitemap_depth)" in result.stdout


def test_reliability_article_pages_per_run_are_capped_and_stored_ones_do_not_count(tmp_path, config_dir):
    site = tmp_path / "site"
    articles = write_articles(site, 30)
    listing(site, articles)
    (first, second), db, requests, _ = crawl_alone(
        tmp_path,
        config_dir,
        site,
        lambda server: listing_source(server, "busy", "/index.html"),
        runs=2,
        max_articles_per_run=12,
    )
    fetched_first, fetched_second = ({p for p in run if p in articles} for run in requests)
    assert len(fetched_first) == 12 and len(fetched_second) == 12 and not fetched_first & fetched_second
    assert open_db(db)["articles"].count == 24
    assert "busy: crawl limits left out 18 article pages (max_articles_per_run)" in first.stdout
    assert "busy: crawl limits left out 6 article pages (max_articles_per_run)" in second.stdout
    assert [r["status"] for r in open_db(db).query("SELECT status FROM crawl_runs")] == ["ok", "ok"]
    assert open_db(db)["crawl_errors"].count == 0


def test_reliability_gzip_bomb_leaves_an_error_row(tmp_path, config_dir):
    site = tmp_path / "site"
    good = write_articles(site, 2)
    listing(site, [*good, "/faults/bomb.html"])
    _, db, _, base = crawl_alone(
        tmp_path,
        config_dir,
        site,
        lambda server: listing_source(server, "bombed", "/index.html"),
        max_page_bytes=5 * 1024 * 1024,
    )
    errors = errors_by_path(db, base)
    assert set(errors) == {"/faults/bomb.html"}
    assert "DOWNLOAD_MAXSIZE" in errors["/faults/bomb.html"] and "decompress" in errors["/faults/bomb.html"]
    run = runs_of(db)["bombed"]
    assert (run["status"], run["errors"], run["new"]) == ("partial", 1, 2)


def test_reliability_robots_blocked_source_is_blocked_and_forbidden_pages_leave_rows(tmp_path, config_dir):
    site = tmp_path / "site"
    good = write_articles(site, 2)
    (site / "closed").mkdir()
    (site / "closed" / "index.html").write_text(
        "<html><body><a class='story' href='/news/story-0000.html'>x</a></body></html>"
    )
    (site / "closed" / "draft.html").write_text("<html><body><h1>Not for crawlers</h1></body></html>")
    listing(site, [*good, "/closed/draft.html"])
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /closed/\n")
    with FaultServer(site) as server:
        only_sources(
            config_dir,
            [
                listing_source(server, "closed", "/closed/index.html"),
                listing_source(server, "open", "/index.html"),
            ],
            retries=1,
        )
        db = tmp_path / "robots.db"
        result = crawl(config_dir, db)
        requests = server.counts()
        only_sources(config_dir, [listing_source(server, "closed", "/closed/index.html")], retries=1)
        only_closed = crawl(config_dir, db)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not [p for p in requests if p.startswith("/closed/")]
    runs = runs_of(db)
    assert runs["open"]["status"] == "ok" and runs["open"]["new"] == 2
    assert runs["closed"]["status"] == "blocked"
    assert runs["closed"]["error"] == "robots.txt forbids the pages its crawl starts from"
    assert errors_by_path(db, server.base) == {
        "/closed/index.html": "forbidden by robots.txt",
        "/closed/draft.html": "forbidden by robots.txt",
    }
    table = [[cell.strip() for cell in line.split("│")[1:-1]] for line in result.stdout.splitlines()]
    statuses = {cells[0]: cells[1] for cells in table if len(cells) > 2}
    assert statuses == {"closed": "blocked", "open": "ok"}, result.stdout
    assert "closed: blocked: robots.txt forbids the pages its crawl starts from" in result.stdout
    health = crawl_health(db)
    assert (health["closed"]["last_status"], health["closed"]["last_run_error"]) == (
        "blocked",
        "robots.txt forbids the pages its crawl starts from",
    )
    assert (health["open"]["last_status"], health["open"]["last_run_error"]) == ("ok", None)
    assert only_closed.returncode == 1, "a crawl whose every source is blocked fails"
    assert "every source failed or was blocked" in only_closed.stderr

    out = tmp_path / "digest.eml"
    digest = CliRunner().invoke(
        cli, ["--config-dir", str(config_dir), "digest", "--dry-run", "--out", str(out), "--db", str(db)]
    )
    assert digest.exit_code == 0, digest.output
    message = email.message_from_bytes(out.read_bytes(), policy=policy.default)
    footer = message.get_body(("plain",)).get_content().replace("\r\n", "\n").split("\n--\n", 1)[1]
    assert "closed (closed): robots.txt forbids the pages its crawl starts from" in " ".join(footer.split())
    assert "open (open)" not in footer
    assert "closed (closed): robots.txt forbids" in message.get_body(("html",)).get_content()


def test_reliability_offsite_redirect_leaves_an_error_row(tmp_path, config_dir):
    site = tmp_path / "site"
    good = write_articles(site, 2)
    listing(site, [*good, "/news/moved.html"])

    def redirecting_offsite(server: FaultServer) -> dict:
        server.faults["/news/moved.html"] = [(302, {"Location": offsite(server.base)})]
        return listing_source(server, "moving", "/index.html")

    def offsite(base: str) -> str:  # localhost is the same server under a name outside the allowed domains
        return base.replace("127.0.0.1", "localhost") + "/news/story-0001.html"

    _, db, _, base = crawl_alone(tmp_path, config_dir, site, redirecting_offsite)
    errors = list(open_db(db).query("SELECT url, error FROM crawl_errors"))
    chain = f"{base}/news/moved.html -> {offsite(base)}"
    assert errors == [{"url": offsite(base), "error": f"redirected offsite: {chain}"}]
    run = runs_of(db)["moving"]
    assert (run["status"], run["errors"], run["new"]) == ("partial", 1, 2)
