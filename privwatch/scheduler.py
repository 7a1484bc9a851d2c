"""APScheduler runs each source's crawl at its interval (then tags what it found), the digest daily, and
every night re-tags the articles a new NLP version or an edited knowledge base made stale.

Each crawl runs as a `privwatch crawl` subprocess because Scrapy's reactor cannot restart in one process;
tagging and the digest run as subprocesses too, so a crash or a leak in one job never takes the scheduler
down. Jobs live in a persistent SQLite job store: a restart keeps their next run times.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from storage import db as store
from storage import queries
from storage.watchlists import owed_count

logger = logging.getLogger("privwatch.scheduler")

CRAWL_PREFIX = "crawl:"
DIGEST_JOB = "digest"
RETAG_JOB = "retag-stale"


class Children:
    """The subprocesses jobs are running, so that a stop can end them: no orphans survive the scheduler."""

    def __init__(self):
        self.lock = threading.Lock()
        self.running: set[subprocess.Popen] = set()
        self.stopping = threading.Event()

    def run(self, command: list[str], timeout: float) -> subprocess.CompletedProcess:
        if self.stopping.is_set():
            return subprocess.CompletedProcess(command, -signal.SIGTERM, "", "scheduler stopping")
        # a session of its own: the terminal's Ctrl-C reaches the scheduler, which then ends the child
        child = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        with self.lock:
            self.running.add(child)
        try:
            stdout, stderr = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._end(child, grace=5)
            stdout, stderr = child.communicate()
            stderr += f"\ntimed out after {timeout:.0f} s"
        finally:
            with self.lock:
                self.running.discard(child)
        return subprocess.CompletedProcess(command, child.returncode, stdout, stderr)

    @staticmethod
    def _end(child: subprocess.Popen, grace: float) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(child.pid, sig)
            except ProcessLookupError:
                return
            try:
                child.wait(timeout=grace)
                return
            except subprocess.TimeoutExpired:
                continue

    def stop_all(self, grace: float) -> None:
        self.stopping.set()
        with self.lock:
            running = list(self.running)
        for child in running:
            self._end(child, grace)


CHILDREN = Children()


def privwatch(config_dir: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "privwatch", "--config-dir", config_dir, *args]


def _last_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:500] if lines else ""


def crawl_and_tag(source_id: str, config_dir: str, db_path: str, timeout: float = 3600) -> None:
    """The job of one source: crawl it in a subprocess (tagging as it goes, by default), then tag what is
    left untagged."""
    logger.info("job crawl:%s start", source_id)
    database = store.open_db(db_path)
    last_run = queries.last_crawl_run_id(database)
    # counted from before the crawl: its tag worker tags most of what it stores (crawl.tag_while_crawling)
    tagged_before, failed_before = queries.tagged_count(database), queries.tag_error_count(database)
    result = CHILDREN.run(privwatch(config_dir, "crawl", "--source", source_id, "--db", db_path), timeout)
    runs = queries.crawl_runs_after(database, last_run, source_id)
    if not runs and not CHILDREN.stopping.is_set():
        # the crawl died before it could record itself: record the failure so it shows in crawl health
        run_id = store.start_crawl_run(database, source_id)
        error = _last_line(result.stderr) or f"crawl exited {result.returncode}"
        runs = [store.finish_crawl_run(database, run_id, "failed", error)]
    for warning in queries.crawl_warnings_of_runs(database, [r["id"] for r in runs]):
        logger.warning("job crawl:%s %s", source_id, warning["message"])
    new = sum(r["new"] for r in runs)
    if new and not CHILDREN.stopping.is_set():
        # the leftovers: what the crawl's tag worker did not reach, or all of it when it was off or failed
        tag = CHILDREN.run(privwatch(config_dir, "tag", "--db", db_path), timeout)
        if tag.returncode:
            logger.error("job crawl:%s tag failed: %s", source_id, _last_line(tag.stderr))
    elif owed_count(database) and not CHILDREN.stopping.is_set():
        # `privwatch tag` sends the alerts owed; with nothing to tag, what a failure left owed goes now
        _command_job(
            f"alerts after crawl:{source_id}", privwatch(config_dir, "alerts", "--db", db_path), timeout
        )
    tagged = queries.tagged_count(database) - tagged_before
    if failed := queries.tag_error_count(database) - failed_before:
        logger.warning("job crawl:%s %d articles not tagged (see tag_errors)", source_id, failed)
    database.close()
    status = ",".join(sorted({r["status"] for r in runs})) or "stopped"
    logger.info(
        "job crawl:%s end status=%s pages=%d new=%d duplicates=%d errors=%d tagged=%d",
        source_id,
        status,
        sum(r["pages"] for r in runs),
        new,
        sum(r["duplicates"] for r in runs),
        sum(r["errors"] for r in runs),
        tagged,
    )


def _command_job(job_id: str, command: list[str], timeout: float) -> None:
    logger.info("job %s start", job_id)
    result = CHILDREN.run(command, timeout)
    outcome = "ok" if result.returncode == 0 else "failed"
    logger.info(
        "job %s end status=%s %s",
        job_id,
        outcome,
        _last_line(result.stdout if not result.returncode else result.stderr),
    )


def send_digest(config_dir: str, db_path: str, timeout: float = 600) -> None:
    _command_job(DIGEST_JOB, privwatch(config_dir, "digest", "--db", db_path), timeout)


def retag_stale(config_dir: str, db_path: str, timeout: float = 6 * 3600) -> None:
    """Re-tag the articles tagged by another NLP version (the digest keeps such bulk re-tags out)."""
    _command_job(RETAG_JOB, privwatch(config_dir, "tag", "--stale", "--db", db_path), timeout)


class Scheduler(BackgroundScheduler):
    """APScheduler's background scheduler, minus one surprise: its thread wakes up once more on shutdown
    and would run (and lose) every due job even when paused. Only a running scheduler processes jobs."""

    def _process_jobs(self):
        if self.state != STATE_RUNNING:
            return None
        return super()._process_jobs()


def build_scheduler(settings) -> BackgroundScheduler:
    return Scheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{settings.schedule.jobstore}")},
        job_defaults={
            "coalesce": True,  # missed runs collapse into one
            "max_instances": 1,  # a crawl slower than its interval never overlaps itself
            "misfire_grace_time": settings.schedule.misfire_grace_seconds,
        },
        timezone=ZoneInfo(settings.timezone),
    )


def daily_trigger(time: str, timezone: str) -> CronTrigger:
    hour, minute, *second = (int(part) for part in time.split(":"))
    return CronTrigger(
        hour=hour, minute=minute, second=second[0] if second else 0, timezone=ZoneInfo(timezone)
    )


def reconcile(scheduler: BackgroundScheduler, config, config_dir: str, db_path: str) -> list[str]:
    """Make the stored jobs match the config: new sources get jobs (running now), removed ones lose them,
    changed intervals are rescheduled; unchanged jobs keep their next run time."""
    settings = config.settings
    changes = []
    existing = {job.id: job for job in scheduler.get_jobs()}
    wanted = set()
    now = datetime.now(ZoneInfo(settings.timezone))
    timeout = settings.schedule.crawl_timeout_seconds
    for source in config.sources:
        if not source.enabled:
            continue
        job_id = CRAWL_PREFIX + source.id
        wanted.add(job_id)
        args = [source.id, config_dir, db_path, timeout]
        job = existing.get(job_id)
        if job is None:
            scheduler.add_job(
                crawl_and_tag, IntervalTrigger(seconds=source.every_seconds), id=job_id, name=source.name,
                args=args, next_run_time=now,
            )  # fmt: skip
            changes.append(f"added {job_id} every {source.every}")
            continue
        if job.trigger.interval != timedelta(seconds=source.every_seconds):
            job.reschedule(IntervalTrigger(seconds=source.every_seconds))
            changes.append(f"rescheduled {job_id} every {source.every}")
        if list(job.args) != args:
            job.modify(args=args)
    for job_id in existing:
        if job_id.startswith(CRAWL_PREFIX) and job_id not in wanted:
            scheduler.remove_job(job_id)
            changes.append(f"removed {job_id}")
    daily = (
        (DIGEST_JOB, send_digest, "daily digest", settings.digest.time, settings.digest.timezone),
        (
            RETAG_JOB,
            retag_stale,
            "nightly re-tag of stale tags",
            settings.schedule.retag_time,
            settings.timezone,
        ),
    )
    for job_id, func, name, time, timezone in daily:
        trigger = daily_trigger(time, timezone)
        job = existing.get(job_id)
        if job is None:
            scheduler.add_job(func, trigger, id=job_id, name=name, args=[config_dir, db_path])
            changes.append(f"added {job_id} at {time} {timezone}")
        elif str(job.trigger) != str(trigger) or list(job.args) != [config_dir, db_path]:
            job.modify(args=[config_dir, db_path])
            job.reschedule(trigger)
            changes.append(f"rescheduled {job_id} at {time} {timezone}")
    return changes


def describe_jobs(scheduler: BackgroundScheduler) -> list[dict]:
    return [
        {
            "job": job.id,
            "name": job.name,
            "trigger": str(job.trigger),
            "next_run": job.next_run_time.isoformat(timespec="seconds") if job.next_run_time else "paused",
        }
        for job in sorted(scheduler.get_jobs(), key=lambda j: j.id)
    ]


def run(config, config_dir: str, db_path: str, *, list_only: bool = False, once: bool = False) -> list[dict]:
    """Run the scheduler in the foreground until SIGINT or SIGTERM (or, with once/list_only, return)."""
    scheduler = build_scheduler(config.settings)
    scheduler.start(paused=True)
    try:
        for change in reconcile(scheduler, config, config_dir, db_path):
            logger.info("%s", change)
        if list_only:
            return describe_jobs(scheduler)
        if once:
            for job in sorted(scheduler.get_jobs(), key=lambda j: j.id):
                job.func(*job.args, **job.kwargs)
            return describe_jobs(scheduler)
        stop = threading.Event()
        previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
        scheduler.resume()
        logger.info("scheduler running %d jobs; Ctrl-C stops", len(scheduler.get_jobs()))
        while not stop.wait(1):
            pass
        logger.info("stopping: no new jobs, ending running crawls")
        scheduler.pause()
        CHILDREN.stop_all(config.settings.schedule.stop_timeout_seconds)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        return describe_jobs(scheduler)
    finally:
        scheduler.shutdown(wait=True)
