"""Scale-out crawl speed: pages/s of `privwatch crawl --workers N` (N = 1, 2, 3 worker processes sharing a
Redis frontier, one SQLite writer) against plain `privwatch crawl` in one process, on the same local site
in the same run. Also pages/s per worker. On a 2-core machine the third worker shares a core.

Every figure includes process start-up, and an idle worker looks at the shared queue again only on
Scrapy's 5-second engine heartbeat: a site of a few thousand pages understates steady-state speed.
Usage: python -m benchmarks.scaleout [--articles N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

from benchmarks.crawl import privwatch_config
from benchmarks.redissrv import redis_server
from benchmarks.sites import write_site
from privwatch.demo import SnapshotServer


def timed_crawl(config: Path, db: Path, env: dict, *args: str) -> tuple[float, str]:
    privwatch = [sys.executable, "-m", "privwatch", "--config-dir", str(config)]
    subprocess.run([*privwatch, "init", "--db", str(db)], check=True, capture_output=True)
    started = time.perf_counter()
    done = subprocess.run(
        [*privwatch, "crawl", "--no-tag", "--db", str(db), *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started, done.stderr


def main(articles: int = 6000) -> dict:
    pages = articles + 1
    result: dict = {}
    with tempfile.TemporaryDirectory() as tmp_name, redis_server() as url:
        tmp = Path(tmp_name)
        write_site(tmp / "site", articles)
        with SnapshotServer(tmp / "site") as server:
            config = privwatch_config(tmp, server.base, tmp / "unused.db", articles)
            env = {k: v for k, v in os.environ.items() if k != "PRIVWATCH_REDIS_URL"}
            local_s, _ = timed_crawl(config, tmp / "local.db", env)
            local = pages / local_s
            print(f"one process, no Redis: {local:,.1f} pages/s ({local_s:.1f} s)")
            result["scale_local_pages_per_s"] = round(local, 1)
            for workers in (1, 2, 3):
                redis.Redis.from_url(url).flushall()
                elapsed, log = timed_crawl(
                    config,
                    tmp / f"w{workers}.db",
                    {**env, "PRIVWATCH_REDIS_URL": url},
                    "--workers",
                    str(workers),
                )
                per_worker = [
                    int(line.split()[-2]) / elapsed for line in log.splitlines() if line.startswith("worker ")
                ]
                rate = pages / elapsed
                shares = ", ".join(f"{r:.1f}" for r in per_worker)
                print(f"{workers} Redis workers: {rate:,.1f} pages/s ({elapsed:.1f} s); per worker {shares}")
                result[f"scale_{workers}_workers_pages_per_s"] = round(rate, 1)
                result[f"scale_{workers}_workers_vs_local"] = round(rate / local, 3)
    print("BENCH " + json.dumps(result))
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=6000)
    main(parser.parse_args().articles)
