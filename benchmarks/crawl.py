"""Crawl speed: pages/s of `privwatch crawl` (extraction, pipelines, storage) against a bare Scrapy spider
with the same settings that fetches the same pages and keeps nothing, on a local 2,000-page site."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks.sites import listing_source, write_site
from config.models import REPO_CONFIG_DIR
from privwatch.demo import SnapshotServer

BARE_SPIDER = """
import sys
import scrapy
from scrapy.crawler import CrawlerProcess
from crawlers.runner import crawl_settings
from config.models import Config

class Bare(scrapy.Spider):
    name = "bare"
    start_urls = [sys.argv[2]]
    def parse(self, response):
        for href in response.css("a.story::attr(href)").getall():
            yield response.follow(href, self.parse_article)
    def parse_article(self, response):
        response.css("h1::text").get()

# privwatch's own Scrapy settings, without privwatch's middlewares, extensions and pipelines
settings = crawl_settings(Config(sys.argv[1]).settings, "unused.db", {"LOG_LEVEL": "WARNING"})
for name in ("ITEM_PIPELINES", "EXTENSIONS", "DOWNLOADER_MIDDLEWARES"):
    settings.set(name, {}, priority="cmdline")
process = CrawlerProcess(settings)
process.crawl(Bare)
process.start()
"""


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def privwatch_config(tmp: Path, base: str, db: Path, articles: int) -> Path:
    config = tmp / "config"
    shutil.copytree(REPO_CONFIG_DIR, config)
    (config / "sources.yaml").write_text(yaml.safe_dump({"version": 1, "sources": [listing_source(base)]}))
    settings = yaml.safe_load((config / "settings.yaml").read_text())
    settings["crawl"].update(
        autothrottle=False, download_delay=0, concurrent_per_domain=4, max_articles_per_run=articles
    )
    settings["database"] = str(db)
    (config / "settings.yaml").write_text(yaml.safe_dump(settings))
    return config


def main(pages: int = 2000) -> dict:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        write_site(tmp / "site", pages)
        with SnapshotServer(tmp / "site") as server:
            db = tmp / "bench.db"
            config = privwatch_config(tmp, server.base, db, pages)
            bare_script = tmp / "bare.py"
            bare_script.write_text(BARE_SPIDER)
            privwatch = [sys.executable, "-m", "privwatch", "--config-dir", str(config)]
            bare_times, our_times = [], []
            for _ in range(3):  # alternate, best of three: neither side gets the warm caches alone
                bare_times.append(
                    timed([sys.executable, str(bare_script), str(config), server.url("/index.html")])
                )
                for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
                    leftover.unlink(missing_ok=True)
                subprocess.run([*privwatch, "init", "--db", str(db)], check=True, capture_output=True)
                our_times.append(timed([*privwatch, "crawl", "--no-tag", "--db", str(db)]))
            bare, ours = min(bare_times), min(our_times)
    fetched = pages + 2  # articles, the listing page and robots.txt
    result = {
        "crawl_pages_per_s": round(fetched / ours, 1),
        "scrapy_pages_per_s": round(fetched / bare, 1),
        "crawl_vs_scrapy": round(bare / ours, 3),
    }
    ours_rate, bare_rate = result["crawl_pages_per_s"], result["scrapy_pages_per_s"]
    print(f"crawl: privwatch {ours_rate} pages/s, bare Scrapy {bare_rate} pages/s")
    print("BENCH " + json.dumps(result))
    return result


if __name__ == "__main__":
    main()
