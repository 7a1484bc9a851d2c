"""`privwatch crawl` tags what it stores while it crawls (privwatch/cli/crawl_tagging.py), against a generated
site on 127.0.0.1 with one privacy-incident page."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.sites import listing_source, write_site
from config.models import Config
from nlp.pipeline import pipeline_version

from .conftest import ROOT
from .sitesrv import SiteServer
from .test_crawl import PRIVWATCH, only_sources

SETTING = "PRIVWATCH_CRAWL_TAG_WHILE_CRAWLING"
# a held page is answered after this long at the latest, so that a failing test ends instead of hanging
HOLD_LIMIT = 120
INCIDENT_PAGE = "/news/alipay-consent-box.html"
INCIDENT_HTML = """<html><head><title>Ant Group apologises over pre-ticked consent box | Bench News</title>
<meta property='og:title' content='Ant Group apologises over pre-ticked consent box in Alipay'>
<meta property='article:published_time' content='2026-11-20T09:00:00+08:00'></head>
<body><nav><a href='/'>Home</a></nav><article>
<h1>Ant Group apologises over pre-ticked consent box in Alipay</h1>
<p>Ant Group apologised on Wednesday for automatically enrolling Alipay users in its Sesame Credit scoring
service through a pre-ticked consent box hidden at the bottom of the app's annual spending report, a default
that users said shared their personal data without clear consent.</p>
<p>The company said the design was wrong, removed the pre-selected box from the page and promised that no
user would be enrolled in the credit service without agreeing first.</p></article></body></html>"""


class HeldPageServer(SiteServer):
    """Answers the `held` page only once `release` is set: until then the crawl cannot end."""

    def __init__(self, root: Path, held: str):
        super().__init__(root)
        self.held = held
        self.release = threading.Event()

    def handle(self, handler, path: str) -> None:
        if path == self.held:
            self.release.wait(HOLD_LIMIT)
        super().handle(handler, path)


def incident_site(root: Path, count: int) -> list[str]:
    """`count` ordinary articles and the incident page, all linked from /index.html; their paths."""
    paths = write_site(root, count)
    (root / INCIDENT_PAGE.lstrip("/")).write_text(INCIDENT_HTML, encoding="utf-8")
    paths.insert(0, INCIDENT_PAGE)
    links = "".join(f'<li><a class="story" href="{p}">{p}</a></li>' for p in paths)
    (root / "index.html").write_text(f"<html><body><ul>{links}</ul></body></html>", encoding="utf-8")
    return paths


def setting_as_shipped() -> dict[str, str]:
    """The environment without the test suite's switch: crawl.tag_while_crawling as settings.yaml has it."""
    return {k: v for k, v in os.environ.items() if k != SETTING}


def start_crawl(config_dir: Path, db: Path, *args: str, command: list[str] | None = None, env=None):
    command = command or [PRIVWATCH]
    return subprocess.Popen(
        [*command, "--config-dir", str(config_dir), "crawl", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or setting_as_shipped(),
    )


def read(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return connection.execute(sql, params).fetchall()


def tagged(db: Path) -> int:
    return read(db, "SELECT count(*) FROM articles WHERE tagged_at IS NOT NULL")[0][0]


def wait_for(condition, crawl: subprocess.Popen) -> bool:
    """Whether `condition` came true while the crawl still ran (checked until the held page's limit)."""
    deadline = time.monotonic() + HOLD_LIMIT - 10
    while time.monotonic() < deadline and crawl.poll() is None:
        if condition():
            return crawl.poll() is None
        time.sleep(0.2)
    return False


def prepared(tmp_path: Path, config_dir: Path, server: SiteServer) -> Path:
    only_sources(config_dir, [listing_source(server.base)], download_timeout=HOLD_LIMIT + 60)
    db = tmp_path / "privwatch.db"
    subprocess.run([PRIVWATCH, "--config-dir", str(config_dir), "init", "--db", str(db)], check=True)
    return db


@dataclass
class HeldCrawl:
    """A `privwatch crawl` running against a HeldPageServer, and its output once finished."""

    server: HeldPageServer
    db: Path
    process: subprocess.Popen
    out: str = ""
    err: str = ""

    def finish(self, timeout: float = 300) -> None:
        self.out, self.err = self.process.communicate(timeout=timeout)


@contextmanager
def held_crawl(tmp_path: Path, config_dir: Path, articles: int, *args: str, env=None):
    """A crawl of `articles` ordinary pages and the incident page whose last page is held until the block
    ends; then the page is answered and the crawl finished (unless the block finished it)."""
    paths = incident_site(tmp_path / "site", articles)
    with HeldPageServer(tmp_path / "site", held=paths[-1]) as server:
        db = prepared(tmp_path, config_dir, server)
        crawl = HeldCrawl(server, db, start_crawl(config_dir, db, *args, env=env))
        try:
            yield crawl
        finally:
            server.release.set()
            if crawl.process.returncode is None:
                crawl.finish()


# the worker tags in one process, or in a pool of its own (forked: the worker itself was spawned)
@pytest.mark.parametrize("tag_workers", ["1", "2"])
def test_the_crawl_tags_its_articles_while_it_runs_and_every_one_by_its_end(
    tmp_path, config_dir, tag_workers
):
    # more articles than the store pipeline writes at once (50): the first ones are in the database
    # while the held page keeps the crawl running
    env = {**setting_as_shipped(), "PRIVWATCH_CRAWL_TAG_WORKERS": tag_workers}
    with held_crawl(tmp_path, config_dir, 60, env=env) as crawl:
        db, server = crawl.db, crawl.server
        tagged_while_crawling = wait_for(lambda: tagged(db) > 0, crawl.process)
    out, err = crawl.out, crawl.err
    assert crawl.process.returncode == 0, out + err
    assert tagged_while_crawling, "no article was tagged while the crawl waited for its last page"
    version = pipeline_version(Config(config_dir))
    versions = "SELECT count(*), count(tagged_at), min(nlp_version), max(nlp_version) FROM articles"
    assert read(db, versions) == [(61, 61, version, version)]
    incidents = read(
        db,
        "SELECT DISTINCT company_id, incident_type FROM article_incidents JOIN articles ON articles.id = "
        "article_id WHERE url = ?",
        server.url(INCIDENT_PAGE),
    )
    assert ("ant-group", "consent") in incidents
    assert {company for company, _ in incidents} == {"ant-group"}
    assert "while crawling, tagged 61 articles" in out
    assert "tagging while crawling failed" not in err


def test_a_slow_sources_articles_are_stored_before_its_batch_is_full(tmp_path, config_dir):
    # fewer articles than the store pipeline's batch (50): written every PRIVWATCH_STORE_FLUSH_SECONDS
    # while the held page keeps the crawl running, not only when the crawl ends
    with held_crawl(tmp_path, config_dir, 5, "--no-tag") as crawl:
        db = crawl.db
        stored_while_crawling = wait_for(
            lambda: read(db, "SELECT count(*) FROM articles")[0][0] > 0, crawl.process
        )
    assert crawl.process.returncode == 0, crawl.out + crawl.err
    assert stored_while_crawling, "no article was stored while the crawl waited for its last page"
    assert read(db, "SELECT count(*) FROM articles") == [(6,)]


def test_no_tag_leaves_the_crawled_articles_untagged(tmp_path, config_dir):
    incident_site(tmp_path / "site", 3)
    with SiteServer(tmp_path / "site") as server:
        db = prepared(tmp_path, config_dir, server)
        out, err = start_crawl(config_dir, db, "--no-tag").communicate(timeout=300)
    assert read(db, "SELECT count(*), count(tagged_at) FROM articles") == [(4, 0)]
    assert "tagged" not in out, out + err


BROKEN_PIPELINE = """
import nlp.pipeline


def no_base_model():
    raise nlp.pipeline.PipelineError("no spaCy base model installed (removed by the test)")


# the tag worker is spawned: it runs this file again (not main()) before its own code, so it is broken too
nlp.pipeline.base_model_name = no_base_model

if __name__ == "__main__":
    from privwatch.cli import main

    main()
"""


def test_a_failing_tag_worker_leaves_the_crawl_whole_and_its_articles_for_privwatch_tag(tmp_path, config_dir):
    incident_site(tmp_path / "site", 3)
    broken = tmp_path / "broken_pipeline.py"
    broken.write_text(BROKEN_PIPELINE, encoding="utf-8")
    env = setting_as_shipped()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    with SiteServer(tmp_path / "site") as server:
        db = prepared(tmp_path, config_dir, server)
        crawl = start_crawl(config_dir, db, command=[sys.executable, str(broken)], env=env)
        out, err = crawl.communicate(timeout=300)
    assert crawl.returncode == 0, out + err
    assert "│ bench" in out and "│ ok" in out
    failures = [line for line in err.splitlines() if "tagging while crawling failed" in line]
    assert len(failures) == 1 and "no spaCy base model installed" in failures[0], err
    assert read(db, "SELECT count(*), count(tagged_at) FROM articles") == [(4, 0)]
    tag = subprocess.run(
        [PRIVWATCH, "--config-dir", str(config_dir), "tag", "--db", str(db)], capture_output=True, text=True
    )
    assert tag.returncode == 0, tag.stderr
    assert read(db, "SELECT count(*), count(tagged_at) FROM articles") == [(4, 4)]


def spawned_children(pid: int) -> list[int]:
    """The processes `pid` started with multiprocessing's spawn: its tag worker (the extraction pool
    forks from a forkserver)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rpartition(")")[2].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if parent == pid and b"spawn_main" in command:
            children.append(int(stat.parent.name))
    return children


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sigterm_to_the_crawl_stops_its_tag_worker(tmp_path, config_dir):
    with held_crawl(tmp_path, config_dir, 60) as crawl:
        db = crawl.db
        assert wait_for(lambda: tagged(db) > 0, crawl.process), "the tag worker never tagged"
        workers = spawned_children(crawl.process.pid)
        # the crawl alone, not its process group: it must pass the stop on to its worker
        crawl.process.send_signal(signal.SIGTERM)
        crawl.finish(timeout=HOLD_LIMIT - 30)
    out, err = crawl.out, crawl.err
    assert len(workers) == 1 and not alive(workers[0])
    assert "stopped with the crawl" in out, out + err
    assert "│ bench" in out
    # the held page was never stored; whatever was stored and not tagged waits for `privwatch tag`
    stored, tagged_count = read(db, "SELECT count(*), count(tagged_at) FROM articles")[0]
    assert 0 < tagged_count <= stored < 61
