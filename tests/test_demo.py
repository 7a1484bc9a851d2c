"""`privwatch demo` on the bundled snapshot: the database, the digest preview and Datasette."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from benchmarks.sites import free_port
from storage.db import open_db
from storage.queries import search_articles

PRIVWATCH = str(Path(sys.executable).parent / "privwatch")


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


def test_demo_crawls_and_tags_the_chinese_outlet(demo):
    database = open_db(demo / "demo.db")
    chinese = list(database.query("SELECT * FROM articles WHERE language = 'zh' ORDER BY published"))
    assert len(chinese) >= 15
    assert all(a["author"] and a["published"] and "\ufffd" not in a["body"] for a in chinese)
    ant = next(a for a in chinese if "芝麻" in a["title"])
    # printed "2026年11月04日 09:10" in Asia/Shanghai
    assert ant["published"] == "2026-11-04T01:10:00+00:00" and ant["author"] == "陈思远; 林晓"
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


def test_demo_writes_a_digest_preview(demo):
    message = message_from_bytes((demo / "privwatch-demo-digest.eml").read_bytes(), policy=policy.default)
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Ant Group" in html and "Tencent" in html
    # the Chinese outlet's evidence as it is, under the same company headings as English items
    assert "芝麻信用" in html and "微信" in html
    preview = (demo / "privwatch-demo-digest.html").read_text(encoding="utf-8")
    assert preview.split() == html.split()


def test_demo_database_serves_in_datasette(demo):
    port = free_port()
    server = subprocess.Popen([PRIVWATCH, "serve", "--db", str(demo / "demo.db"), "--port", str(port)])
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
    finally:
        server.terminate()
        server.wait(timeout=30)
