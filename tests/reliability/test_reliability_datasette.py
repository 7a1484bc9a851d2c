"""Reliability: Datasette keeps answering while a crawl and the tagger write thousands of articles."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

from benchmarks.sites import free_port, listing_source, write_site
from storage.db import open_db

from .faultsrv import FaultServer

PRIVWATCH = str(Path(sys.executable).parent / "privwatch")
ARTICLES = 5000
PAGES = [
    "/{db}/articles.json?_size=5&_sort_desc=id",
    "/{db}/incidents.json?_size=10",
    "/{db}.json?sql=select+count(*)+from+articles",
    "/{db}/articles.json?_search=privacy&_size=5",
]


class Poller(threading.Thread):
    """Requests Datasette pages in a loop and keeps every answer that is not a 200."""

    def __init__(self, base: str, db_name: str):
        super().__init__(daemon=True)
        self.urls = [base + page.format(db=db_name) for page in PAGES]
        self.stop = threading.Event()
        self.answers = 0
        self.failures: list[str] = []

    def run(self):
        while not self.stop.is_set():
            for url in self.urls:
                try:
                    with urllib.request.urlopen(url, timeout=30) as response:
                        body = response.read().decode("utf-8", "replace")
                        if "database is locked" in body:
                            self.failures.append(f"{url}: database is locked")
                except urllib.error.HTTPError as exc:
                    self.failures.append(f"{url}: HTTP {exc.code} {exc.read()[:200]!r}")
                except OSError as exc:
                    self.failures.append(f"{url}: {exc}")
                self.answers += 1


def test_reliability_datasette_answers_during_crawl_and_tag(tmp_path, config_dir):
    site = tmp_path / "site"
    write_site(site, ARTICLES)
    with FaultServer(site) as server:
        data = {"version": 1, "sources": [listing_source(server.base)]}
        (config_dir / "sources.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
        settings = yaml.safe_load((config_dir / "settings.yaml").read_text(encoding="utf-8"))
        settings["crawl"].update(autothrottle=False, download_delay=0, max_articles_per_run=ARTICLES)
        (config_dir / "settings.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
        db = tmp_path / "busy.db"
        privwatch = [PRIVWATCH, "--config-dir", str(config_dir)]
        subprocess.run([*privwatch, "init", "--db", str(db)], check=True, capture_output=True)
        port = free_port()
        datasette = subprocess.Popen([*privwatch, "serve", "--db", str(db), "--port", str(port)])
        poller = Poller(f"http://127.0.0.1:{port}", db.stem)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=5).read()
                    break
                except OSError:
                    assert time.monotonic() < deadline, "Datasette did not start"
                    time.sleep(0.5)
            poller.start()
            crawl = subprocess.run([*privwatch, "crawl", "--db", str(db)], capture_output=True, text=True)
            assert crawl.returncode == 0, crawl.stderr
            tag = subprocess.run([*privwatch, "tag", "--db", str(db)], capture_output=True, text=True)
            assert tag.returncode == 0, tag.stderr
        finally:
            poller.stop.set()
            poller.join(timeout=60)
            datasette.terminate()
            datasette.wait(timeout=30)
    assert poller.answers > 20, "too few requests to prove anything"
    assert poller.failures == []
    database = open_db(db)
    assert database["articles"].count == ARTICLES
    assert database.execute("SELECT count(*) FROM articles WHERE tagged_at IS NULL").fetchone()[0] == 0
