"""Reliability: sitemap indexes too wide or too deep, and more article links than a run may fetch, stop at
their limits and say how much they left out; a gzip bomb, a page robots.txt forbids and an offsite
redirect each leave a crawl_errors row; a source whose robots.txt forbids its start pages is `blocked`."""

from __future__ import annotations

import email
import json
from datetime import date, timedelta
from email import policy
from pathlib import Path

from click.testing import CliRunner

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


def errors_by_path(db: Path, base: str) -> dict[str, str]:
    return {r["url"].removeprefix(base): r["error"] for r in open_db(db).query("SELECT * FROM crawl_errors")}


def test_reliability_sitemap_index_of_10000_children_follows_the_newest_50(tmp_path, config_dir):
    site = tmp_path / "site"
    newest = sitemap_index(site, CHILDREN)
    with FaultServer(site) as server:
        only_sources(config_dir, [source(server, "wide", "sitemap", "/sitemap-index.xml")], retries=1)
        db = tmp_path / "wide.db"
        result = crawl(config_dir, db)
        requests = server.counts()
    assert result.returncode == 0, result.stdout + result.stderr
    assert {p for p in requests if p.startswith("/sitemaps/")} == set(newest)
    assert open_db(db)["articles"].count == 50
    run = runs_of(db)["wide"]
    assert (run["status"], run["errors"], run["new"]) == ("ok", 0, 50)
    warning = warnings_of(db)["wide"]
    assert json.loads(warning["detail"]) == {"sitemaps_cut": CHILDREN - 50}
    line = "wide: crawl limits left out 9,950 child sitemaps (max_child_sitemaps)"
    assert line in result.stdout.splitlines(), result.stdout


def test_reliability_ever_new_sitemap_indexes_stop_at_the_depth_limit(tmp_path, config_dir):
    site = tmp_path / "site"
    site.mkdir()
    with FaultServer(site) as server:
        only_sources(config_dir, [source(server, "deep", "sitemap", "/faults/chain-0.xml")], retries=1)
        db = tmp_path / "deep.db"
        result = crawl(config_dir, db)
        requests = server.counts()
    assert result.returncode == 0, result.stdout + result.stderr
    # the start index and three levels below it (max_sitemap_depth 3); the fourth level is left out
    assert {p for p in requests if "chain" in p} == {f"/faults/chain-{n}.xml" for n in range(4)}
    assert json.loads(warnings_of(db)["deep"]["detail"]) == {"sitemaps_too_deep": 1}
    assert "deep: crawl limits left out 1 sitemap too deep (max_sitemap_depth)" in result.stdout


def test_reliability_article_pages_per_run_are_capped_and_stored_ones_do_not_count(tmp_path, config_dir):
    site = tmp_path / "site"
    articles = write_articles(site, 30)
    listing(site, articles)
    with FaultServer(site) as server:
        only_sources(
            config_dir, [listing_source(server, "busy", "/index.html")], retries=1, max_articles_per_run=12
        )
        db = tmp_path / "busy.db"
        first = crawl(config_dir, db)
        after_first = server.counts()
        second = crawl(config_dir, db)
        after_second = server.counts()
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    fetched_first = {p for p in after_first if p in articles}
    fetched_second = {p for p in after_second - after_first if p in articles}
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
    with FaultServer(site) as server:
        only_sources(
            config_dir,
            [listing_source(server, "bombed", "/index.html")],
            retries=1,
            max_page_bytes=5 * 1024 * 1024,
        )
        db = tmp_path / "bomb.db"
        result = crawl(config_dir, db)
    assert result.returncode == 0, result.stdout + result.stderr
    errors = errors_by_path(db, server.base)
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
    with FaultServer(site) as server:
        # localhost is the same server under a name outside the source's allowed domains
        offsite = server.base.replace("127.0.0.1", "localhost") + "/news/story-0001.html"
        server.faults["/news/moved.html"] = [(302, {"Location": offsite})]
        only_sources(config_dir, [listing_source(server, "moving", "/index.html")], retries=1)
        db = tmp_path / "offsite.db"
        result = crawl(config_dir, db)
    assert result.returncode == 0, result.stdout + result.stderr
    errors = list(open_db(db).query("SELECT url, error FROM crawl_errors"))
    assert errors == [
        {"url": offsite, "error": f"redirected offsite: {server.url('/news/moved.html')} -> {offsite}"}
    ]
    run = runs_of(db)["moving"]
    assert (run["status"], run["errors"], run["new"]) == ("partial", 1, 2)
