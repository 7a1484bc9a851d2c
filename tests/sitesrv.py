"""The local HTTP server tests crawl: the demo's snapshot server plus a request log, extra headers,
scripted faults and delays."""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from privwatch.demo import SnapshotServer


class SiteServer(SnapshotServer):
    def __init__(
        self,
        root: Path,
        headers: dict[str, dict[str, str]] | None = None,
        faults: dict[str, list[tuple[int, dict[str, str]]]] | None = None,
        delays: dict[str, float] | None = None,
    ):
        """headers: extra response headers per path; faults: per path, (status, headers) answers given
        (one per request) before the file itself is served; delays: seconds to wait before answering."""
        super().__init__(root)
        self.headers = headers or {}
        self.faults = {path: list(answers) for path, answers in (faults or {}).items()}
        self.delays = delays or {}
        self.requests: list[str] = []
        self.lock = threading.Lock()

    def counts(self) -> Counter:
        with self.lock:
            return Counter(self.requests)

    def handle(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        with self.lock:
            self.requests.append(path)
            fault = self.faults[path].pop(0) if self.faults.get(path) else None
        if path in self.delays:
            time.sleep(self.delays[path])
        if fault:
            status, headers = fault
            handler.send_response(status)
            for name, value in {"Content-Length": "0", **headers}.items():
                handler.send_header(name, value)
            handler.end_headers()
            return
        self.serve(handler, path)

    def serve(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        self.send_file(handler, path, self.headers.get(path))
