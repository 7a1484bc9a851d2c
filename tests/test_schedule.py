"""`privwatch schedule` against the local fixture sites, with intervals of seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from storage.db import open_db

from .conftest import FIXTURES
from .sitesrv import SiteServer

PRIVWATCH = str(Path(sys.executable).parent / "privwatch")
SZDAILY = FIXTURES / "sites" / "szdaily"


def configure(
    config_dir: Path, tmp_path: Path, sources: list[dict], digest_at: datetime | None = None
) -> None:
    data = yaml.safe_load((config_dir / "sources.yaml").read_text(encoding="utf-8"))
    data["sources"] = sources
    (config_dir / "sources.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    settings = yaml.safe_load((config_dir / "settings.yaml").read_text(encoding="utf-8"))
    settings["crawl"].update(autothrottle=False, download_delay=0, retries=0, download_timeout=30)
    settings["schedule"].update(jobstore=str(tmp_path / "jobs.db"), stop_timeout_seconds=5)
    settings["timezone"] = "UTC"
    digest_at = digest_at or datetime.now(UTC) + timedelta(hours=12)
    settings["digest"].update(time=digest_at.strftime("%H:%M:%S"), timezone="UTC")
    (config_dir / "settings.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")


def szdaily_source(server: SiteServer, source_id: str = "szdaily", every: str = "3s", **extra) -> dict:
    config = yaml.safe_load((FIXTURES.parent.parent / "config" / "sources.yaml").read_text(encoding="utf-8"))
    source = next(s for s in config["sources"] if s["id"] == "szdaily")
    source.update(
        id=source_id,
        url=server.url("/"),
        start_urls=[server.url("/node_3036.htm")],
        allowed_domains=["127.0.0.1"],
        every=every,
        **extra,
    )
    return source


def start(config_dir: Path, db: Path) -> subprocess.Popen:
    # the output goes to a file: a pipe nobody reads until the end fills up, and the scheduler (and the
    # crawls it starts) would block writing their logs
    log = (db.parent / f"{db.stem}-schedule.log").open("w")
    process = subprocess.Popen(
        [PRIVWATCH, "--config-dir", str(config_dir), "schedule", "--db", str(db)],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    process.log_path = Path(log.name)
    log.close()
    return process


def wait_for(condition, timeout: float, what: str, process: subprocess.Popen | None = None) -> None:
    """Polls condition; a timeout shows the end of the scheduler's log, which says why."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    said = process.log_path.read_text(encoding="utf-8", errors="replace")[-6000:] if process else ""
    raise AssertionError(f"timed out waiting for {what}" + (f"; the scheduler said:\n{said}" if said else ""))


def count(db: Path, table: str, where: str = "1") -> int:
    """Rows so far, read without migrating: the scheduler's jobs own the database's schema."""
    if not db.exists():
        return 0
    database = open_db(db, migrate=False)
    try:
        if not database[table].exists():
            return 0
        return database.execute(f"SELECT count(*) FROM [{table}] WHERE {where}").fetchone()[0]
    finally:
        database.close()


def processes_mentioning(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    return process.log_path.read_text(encoding="utf-8", errors="replace")


def list_jobs(config_dir: Path, db: Path) -> str:
    result = subprocess.run(
        [PRIVWATCH, "--config-dir", str(config_dir), "schedule", "--list", "--db", str(db)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_scheduled_jobs_crawl_and_tag_and_the_digest_fires(config_dir, tmp_path):
    db = tmp_path / "sched.db"
    with SiteServer(SZDAILY) as server:
        digest_at = datetime.now(UTC) + timedelta(seconds=25)
        configure(config_dir, tmp_path, [szdaily_source(server)], digest_at=digest_at)
        process = start(config_dir, db)
        try:
            wait_for(lambda: count(db, "articles") >= 6, 120, "articles", process)
            wait_for(lambda: count(db, "articles", "tagged_at IS NOT NULL") >= 6, 120, "tagging", process)
            wait_for(lambda: datetime.now(UTC) > digest_at + timedelta(seconds=8), 120, "the digest time")
        finally:
            output = stop(process)
    assert process.returncode == 0, output
    assert "job crawl:szdaily start" in output and "job crawl:szdaily end status=ok" in output
    assert "job digest start" in output, output
    database = open_db(db)
    seed = next(database.query("SELECT id, tagged_at FROM articles WHERE url LIKE '%content_3471234.htm'"))
    assert seed["tagged_at"]
    assert {
        r["company_id"] for r in database.query("SELECT company_id FROM mentions WHERE role = 'accused'")
    } >= {
        "ant-group",
        "tencent",
    }


def test_schedule_a_slow_crawl_never_overlaps_itself(config_dir, tmp_path):
    db = tmp_path / "slow.db"
    with SiteServer(SZDAILY, delays={"/node_3036.htm": 4.0}) as server:
        configure(config_dir, tmp_path, [szdaily_source(server, "slow", every="1s")])
        process = start(config_dir, db)
        try:
            wait_for(lambda: count(db, "crawl_runs", "finished IS NOT NULL") >= 2, 120, "two runs", process)
        finally:
            output = stop(process)
    assert process.returncode == 0, output
    runs = list(open_db(db).query("SELECT started, finished FROM crawl_runs ORDER BY started"))
    for earlier, later in zip(runs, runs[1:], strict=False):
        assert earlier["finished"] and later["started"] >= earlier["finished"], runs


def test_schedule_restart_keeps_jobs_and_removed_sources_lose_theirs(config_dir, tmp_path):
    db = tmp_path / "restart.db"
    with SiteServer(SZDAILY) as server:
        sources = [szdaily_source(server, "alpha", every="1h"), szdaily_source(server, "beta", every="2h")]
        configure(config_dir, tmp_path, sources)
        first = list_jobs(config_dir, db)
        second = list_jobs(config_dir, db)
        assert first == second, "a restart must keep next run times and add no job"
        assert first.count("crawl:alpha") == 1 and first.count("crawl:beta") == 1 and "digest" in first
        assert first.count("retag-stale") == 1
        configure(config_dir, tmp_path, sources[:1])
        third = list_jobs(config_dir, db)
    assert "crawl:beta" not in third and third.count("crawl:alpha") == 1


def test_schedule_sigterm_during_a_crawl_leaves_no_child_and_exits_0(config_dir, tmp_path):
    db = tmp_path / "sigterm.db"
    with SiteServer(SZDAILY, delays={"/node_3036.htm": 30.0}) as server:
        configure(config_dir, tmp_path, [szdaily_source(server, "stuck", every="1h")])
        process = start(config_dir, db)
        marker = str(db)
        crawl_children = lambda: [p for p in processes_mentioning(marker) if p != process.pid]  # noqa: E731
        try:
            wait_for(lambda: crawl_children(), 60, "the crawl subprocess")
        finally:
            output = stop(process)
    assert process.returncode == 0, output
    time.sleep(0.5)
    assert crawl_children() == [], "a crawl subprocess outlived the scheduler"


@pytest.mark.parametrize("flag", ["--once"])
def test_schedule_once_runs_every_job_now(config_dir, tmp_path, flag):
    db = tmp_path / "once.db"
    with SiteServer(SZDAILY) as server:
        configure(config_dir, tmp_path, [szdaily_source(server, every="1h")])
        result = subprocess.run(
            [PRIVWATCH, "--config-dir", str(config_dir), "schedule", flag, "--db", str(db)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert open_db(db)["articles"].count >= 6
    assert "job crawl:szdaily end status=ok" in result.stderr
