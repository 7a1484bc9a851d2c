"""Wall time of the whole pipeline at scale: crawl + extract + store + tag of a 10,000-article local site
whose pages are the realistic mix of benchmarks/mix.py (5% privacy incidents among ordinary news). The
crawl tags as it stores (crawl.tag_while_crawling), so its seconds include most of the tagging, and
`privwatch tag` after it tags what is left.
Usage: python -m benchmarks.demo_10k [--articles N]"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.crawl import privwatch_config
from benchmarks.mix import mix_articles
from benchmarks.sites import write_site
from privwatch.demo import SnapshotServer


def main(articles: int = 10_000) -> dict:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        write_site(tmp / "site", articles, articles=mix_articles(articles))
        with SnapshotServer(tmp / "site") as server:
            db = tmp / "10k.db"
            privwatch = [
                sys.executable,
                "-m",
                "privwatch",
                "--config-dir",
                str(privwatch_config(tmp, server.base, db, articles)),
            ]
            subprocess.run([*privwatch, "init", "--db", str(db)], check=True, capture_output=True)
            started = time.perf_counter()
            subprocess.run([*privwatch, "crawl", "--db", str(db)], check=True, capture_output=True)
            crawled = time.perf_counter()
            subprocess.run(
                [*privwatch, "tag", "--db", str(db), "--workers", "2"], check=True, capture_output=True
            )
            finished = time.perf_counter()
    result = {
        "demo_10k_seconds": round(finished - started, 1),
        "demo_10k_crawl_seconds": round(crawled - started, 1),
        "demo_10k_tag_seconds": round(finished - crawled, 1),
    }
    crawl_s, tag_s = result["demo_10k_crawl_seconds"], result["demo_10k_tag_seconds"]
    print(f"{articles} articles: crawl {crawl_s} s + tag {tag_s} s")
    print("BENCH " + json.dumps(result))
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000, help="pages of the site")
    main(parser.parse_args().articles)
