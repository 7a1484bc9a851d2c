"""A local HTTP server for tests: serves a fixture site from a folder on 127.0.0.1 and logs requests.

Placeholder hosts in .xml and .txt files (e.g. FEEDSITE, SITEMAPSITE) become the server's own
host:port, so feeds and sitemaps can carry absolute URLs.
"""

from __future__ import annotations

import mimetypes
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

PLACEHOLDERS = ("FEEDSITE", "SITEMAPSITE", "SZDAILY")
TYPES = {".htm": "text/html", ".html": "text/html", ".xml": "application/xml", ".txt": "text/plain"}


class SiteServer:
    def __init__(
        self,
        root: Path,
        headers: dict[str, dict[str, str]] | None = None,
        faults: dict[str, list[tuple[int, dict[str, str]]]] | None = None,
        delays: dict[str, float] | None = None,
    ):
        """headers: extra response headers per path; faults: per path, (status, headers) answers given
        (one per request) before the file itself is served."""
        self.root = Path(root)
        self.headers = headers or {}
        self.faults = {path: list(answers) for path, answers in (faults or {}).items()}
        self.delays = delays or {}
        self.requests: list[str] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                path = unquote(urlsplit(self.path).path)
                with server.lock:
                    server.requests.append(path)
                server.serve(self, path)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):  # clients that hang up are part of the tests
                pass

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def counts(self) -> Counter:
        with self.lock:
            return Counter(self.requests)

    def serve(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        if path in self.delays:
            time.sleep(self.delays[path])
        with self.lock:
            fault = self.faults[path].pop(0) if self.faults.get(path) else None
        if fault:
            status, headers = fault
            handler.send_response(status)
            for name, value in {"Content-Length": "0", **headers}.items():
                handler.send_header(name, value)
            handler.end_headers()
            return
        target = (self.root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(self.root.resolve()) or not target.is_file():
            handler.send_error(404)
            return
        body = target.read_bytes()
        if target.suffix in (".xml", ".txt"):
            netloc = self.base.removeprefix("http://").encode()
            for placeholder in PLACEHOLDERS:
                body = body.replace(placeholder.encode(), netloc)
        content_type = (
            TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        )
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in self.headers.get(path, {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
