"""Reliability: a crawl through every kind of fault completes, records each fault, stores every good
article; a crawl killed halfway and run again stores every article exactly once."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from storage.db import open_db

from ..conftest import FIXTURES
from ..test_crawl import only_sources
from .faultsrv import FaultServer

PRIVWATCH = str(Path(sys.executable).parent / "privwatch")
FAULTS = [
    "500.html",
    "503.html",
    "slow.html",
    "reset.html",
    "truncated.html",
    "huge.html",
    "loop.html",
    "report.pdf",
]
WORDS = (
    "regulator company users data privacy app consent platform market shares quarter revenue customers "
    "breach investigation fine court ruling service launch growth network security update report"
).split()


def write_articles(root: Path, count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    paths = []
    for number in range(count):
        body = "".join(f"<p>{' '.join(rng.choices(WORDS, k=40)).capitalize()}.</p>" for _ in range(4))
        path = f"/news/story-{number:04d}.html"
        (root / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (root / path.lstrip("/")).write_text(
            f"<html><head><title>Story {number}</title>"
            f"<meta property='og:title' content='Story number {number}'>"
            f"<meta property='article:published_time' content='2026-11-{1 + number % 28:02d}T08:00:00+08:00'>"
            f"</head><body><article><h1>Story number {number}</h1>{body}</article></body></html>",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def listing(root: Path, links: list[str]) -> None:
    items = "".join(f'<li><a class="story" href="{link}">{link}</a></li>' for link in links)
    (root / "index.html").write_text(f"<html><body><ul>{items}</ul></body></html>", encoding="utf-8")


def source(server, source_id: str, kind: str, start: str, **extra) -> dict:
    return {"id": source_id, "name": source_id, "kind": kind, "url": server.url("/"),
            "start_urls": [server.url(start)], "allowed_domains": ["127.0.0.1"], **extra}  # fmt: skip


def crawl(config_dir: Path, db: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PRIVWATCH, "--config-dir", str(config_dir), "crawl", "--db", str(db)],
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def test_reliability_crawl_survives_every_fault(tmp_path, config_dir):
    site = tmp_path / "site"
    good = write_articles(site, 6)
    wrong_charset = "/news/wrong-charset.html"
    story = "腾讯否认存储微信用户聊天记录，称不会保留用户的聊天内容。" * 6
    (site / "news" / "wrong-charset.html").write_bytes(
        f"<html><head><meta charset='iso-8859-1'><title>腾讯否认</title></head>"
        f"<body><article><h1>腾讯否认存储聊天记录</h1><p>{story}</p></article></body></html>".encode()
    )
    listing(site, good + [wrong_charset] + [f"/faults/{name}" for name in FAULTS])
    headers = {wrong_charset: {"Content-Type": "text/html; charset=iso-8859-1"}}
    with FaultServer(site, stall_seconds=8, headers=headers) as server:
        only_sources(
            config_dir,
            [
                source(server, "faulty", "listing", "/index.html", selectors={"article_links": "a.story"}),
                source(server, "notxml", "feed", "/faults/notxml.xml"),
            ],
            retries=1, download_timeout=3, max_page_bytes=10 * 1024 * 1024,
        )  # fmt: skip
        db = tmp_path / "faults.db"
        started = time.monotonic()
        result = crawl(config_dir, db)
        elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    assert elapsed < 120
    database = open_db(db)
    stored = {r["url"].removeprefix(server.base) for r in database.query("SELECT url FROM articles")}
    assert stored == set(good) | {wrong_charset}, "every good article is stored, no fault is"
    chinese = next(database.query("SELECT body FROM articles WHERE url LIKE '%wrong-charset.html'"))["body"]
    assert "腾讯否认存储微信用户聊天记录" in chinese
    errors = {
        r["url"].rsplit("/", 1)[-1]: r for r in database.query("SELECT url, status, error FROM crawl_errors")
    }
    assert set(errors) == set(FAULTS) | {"notxml.xml"}, errors
    assert errors["500.html"]["status"] == 500 and errors["503.html"]["status"] == 503
    assert "redirect" in errors["loop.html"]["error"].lower()
    assert errors["report.pdf"]["error"].startswith("not an HTML page")
    assert errors["notxml.xml"]["error"].startswith("not a feed")
    runs = {r["source_id"]: r["status"] for r in database.query("SELECT source_id, status FROM crawl_runs")}
    assert runs == {"faulty": "partial", "notxml": "failed"}


def test_reliability_kill_9_halfway_then_rerun_stores_each_article_once(tmp_path, config_dir):
    site = tmp_path / "site"
    articles = write_articles(site, 400)
    listing(site, articles)
    with FaultServer(site) as server:
        only_sources(
            config_dir,
            [source(server, "big", "listing", "/index.html", selectors={"article_links": "a.story"})],
        )
        db = tmp_path / "kill.db"
        subprocess.run([PRIVWATCH, "--config-dir", str(config_dir), "init", "--db", str(db)], check=True)
        process = subprocess.Popen(
            [PRIVWATCH, "--config-dir", str(config_dir), "crawl", "--db", str(db)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while open_db(db)["articles"].count < 100 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        assert process.poll() is None, "the crawl finished before it could be killed: use more pages"
        process.send_signal(signal.SIGKILL)
        process.wait()
        halfway = open_db(db)["articles"].count
        assert 0 < halfway < len(articles)
        result = crawl(config_dir, db)
    assert result.returncode == 0, result.stderr
    database = open_db(db)
    urls = [r["url"].removeprefix(server.base) for r in database.query("SELECT url FROM articles")]
    assert sorted(urls) == sorted(articles)
    interrupted = list(database.query("SELECT status, error FROM crawl_runs ORDER BY id"))
    assert interrupted[0]["status"] == "failed" and "interrupted" in interrupted[0]["error"]
    assert interrupted[-1]["status"] == "ok"


def test_reliability_broken_config_is_one_line(tmp_path, config_dir):
    (config_dir / "companies.yaml").write_text(
        "companies:\n  - id: Not A Slug\n    name: x\n", encoding="utf-8"
    )
    result = subprocess.run(
        [PRIVWATCH, "--config-dir", str(config_dir), "crawl", "--db", str(tmp_path / "x.db")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "companies.yaml: companies[0].id" in result.stderr
    assert "Traceback" not in result.stderr
    assert FIXTURES.exists()


def test_reliability_a_catastrophic_url_pattern_is_refused_before_any_crawl(tmp_path, config_dir):
    # `/news/` + 32 "a" + "!" against (a+)+$ would hold the crawl's only thread for days
    with FaultServer(tmp_path) as server:
        only_sources(
            config_dir,
            [source(server, "hungry", "listing", "/index.html", article_url_pattern=r"/news/(a+)+$")],
        )
        result = subprocess.run(
            [PRIVWATCH, "--config-dir", str(config_dir), "crawl", "--db", str(tmp_path / "x.db")],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "article_url_pattern" in result.stderr and "nested quantifiers" in result.stderr
    assert server.counts() == {}
