"""`privwatch demo`: the whole product offline on the bundled snapshot.

The snapshot (privwatch/demo/site/) holds four small news sites. Each is served on 127.0.0.1 with its own
robots.txt; the demo points four sources at them, runs the real crawl (tagging as it goes), writes a digest
preview, then serves Datasette until Ctrl-C.
"""

from __future__ import annotations

import mimetypes
import shutil
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from config.errors import PrivwatchError

SNAPSHOT = Path(__file__).resolve().parent / "demo" / "site"
# Feeds, sitemaps and robots.txt name their own host with a placeholder, replaced by the server's address.
PLACEHOLDERS = ("FEEDSITE", "SITEMAPSITE", "SZDAILY")
CONTENT_TYPES = {".htm": "text/html", ".html": "text/html", ".xml": "application/xml", ".txt": "text/plain"}


class SnapshotServer:
    """Serves one folder of stored pages on 127.0.0.1 (a free port unless given)."""

    def __init__(self, root: Path, port: int = 0):
        self.root = Path(root).resolve()
        server = self

        class Handler(BaseHTTPRequestHandler):
            # headers and body go out as two writes: with Nagle on, each response waits for a delayed ACK
            disable_nagle_algorithm = True
            protocol_version = "HTTP/1.1"  # keep-alive: a crawler reuses its connections

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.handle(self, unquote(urlsplit(self.path).path))

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            # socketserver's default backlog of 5 drops the SYNs of a crawl's parallel connections under
            # load; the client retries them after 1, 3, 7 s, and a robots.txt fetch that times out stops
            # the crawl at that host
            request_queue_size = 128

            def handle_error(self, request, client_address):  # a client hanging up is not our error
                pass

        self.httpd = Server(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def handle(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        self.send_file(handler, path)

    def send_file(
        self, handler: BaseHTTPRequestHandler, path: str, headers: dict[str, str] | None = None
    ) -> None:
        target = (self.root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(self.root) or not target.is_file():
            handler.send_error(404)
            return
        body = target.read_bytes()
        if target.suffix in (".xml", ".txt"):
            netloc = self.base.removeprefix("http://").encode()
            for placeholder in PLACEHOLDERS:
                body = body.replace(placeholder.encode(), netloc)
        content_type = CONTENT_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
        handler.send_response(200)
        handler.send_header("Content-Type", content_type or "application/octet-stream")
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    def start(self) -> SnapshotServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> SnapshotServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def demo_sources(servers: dict[str, SnapshotServer], szdaily: dict, sztqb: dict) -> list[dict]:
    """The four demo sources, pointed at the local servers; Shenzhen Daily and Shenzhen Special Zone Daily
    keep their real selectors."""
    sz, feed, sitemap = servers["szdaily"], servers["feedsite"], servers["sitemapsite"]
    tq = servers["sztqb"]
    local = {"allowed_domains": ["127.0.0.1"], "every": "1h"}
    return [
        {**szdaily, **local, "url": sz.url("/"),
         "start_urls": [sz.url(f"/node_{n}.htm") for n in (3036, 3040, 3044, 3048)]},
        {**sztqb, **local, "url": tq.url("/"),
         "start_urls": [tq.url(f"/node_{n}.htm") for n in (1311, 1312)]},
        {"id": "pacific-tech-wire", "name": "Pacific Tech Wire", "kind": "feed", "url": feed.url("/"),
         "start_urls": [feed.url("/")], "language": "en", "timezone": "Asia/Hong_Kong", **local},
        {"id": "harbour-finance-daily", "name": "Harbour Finance Daily", "kind": "sitemap",
         "url": sitemap.url("/"), "start_urls": [sitemap.url("/robots.txt")], "language": "en",
         "timezone": "Asia/Hong_Kong", **local},
    ]  # fmt: skip


def write_demo_config(
    config_dir: Path, target: Path, servers: dict[str, SnapshotServer], db_path: Path
) -> None:
    shutil.copytree(config_dir, target)
    sources = yaml.safe_load((config_dir / "sources.yaml").read_text(encoding="utf-8"))
    by_id = {s["id"]: s for s in sources["sources"]}
    sources["sources"] = demo_sources(servers, by_id["szdaily"], by_id["sztqb"])
    (target / "sources.yaml").write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
    settings = yaml.safe_load((config_dir / "settings.yaml").read_text(encoding="utf-8")) or {}
    settings["database"] = str(db_path)
    settings.setdefault("crawl", {}).update(autothrottle=False, download_delay=0)
    settings.setdefault("digest", {}).update(recipients=["analysts@example.org"])
    (target / "settings.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")


def write_html_part(eml: Path, html_path: Path) -> None:
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    part = message.get_body(preferencelist=("html",))
    if part is not None:
        html_path.write_text(part.get_content(), encoding="utf-8")


class DemoError(PrivwatchError):
    """A demo step failed; the message says which."""


def run_step(config_dir: Path, *args: str, echo) -> None:
    echo(f"$ privwatch {' '.join(args)}")
    command = [sys.executable, "-m", "privwatch", "--config-dir", str(config_dir), *args]
    result = subprocess.run(command, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    echo(result.stdout.rstrip())
    if result.returncode:
        raise DemoError(f"`privwatch {args[0]}` failed (exit {result.returncode})")


def prepare(config_dir: Path, work: Path, db_path: Path, digest_path: Path, servers, echo) -> Path:
    """Crawl the snapshot, tag it and write the digest preview; returns the demo's config folder (in
    `work`)."""
    for stale in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        stale.unlink(missing_ok=True)
    demo_config = work / "config"
    write_demo_config(config_dir, demo_config, servers, db_path)
    run_step(demo_config, "init", "--db", str(db_path), echo=echo)
    # tagged while crawling, as settings.yaml ships; the tag step after it finds little or nothing left
    run_step(demo_config, "crawl", "--tag", "--db", str(db_path), echo=echo)
    run_step(demo_config, "tag", "--db", str(db_path), echo=echo)
    # A digest's period ends at the current second and excludes it (what is tagged in that second belongs
    # to the next digest): let the clock leave the second the tagging ended in.
    time.sleep(1.05 - time.time() % 1)
    run_step(demo_config, "digest", "--db", str(db_path), "--dry-run", "--out", str(digest_path), echo=echo)
    write_html_part(digest_path, digest_path.with_suffix(".html"))
    return demo_config


def serve_sites(snapshot: Path = SNAPSHOT) -> dict[str, SnapshotServer]:
    names = ("szdaily", "sztqb", "feedsite", "sitemapsite")
    missing = [n for n in names if not (snapshot / n).is_dir()]
    if missing:
        raise DemoError(f"{snapshot}: the snapshot lacks {', '.join(missing)}")
    return {name: SnapshotServer(snapshot / name).start() for name in names}
