"""A fixture server that misbehaves on purpose: errors, slowness, broken connections, huge and truncated
pages, redirect loops, wrong content types and charsets, a gzip bomb, a sitemap index that always points at
a new one. Everything else is served from a folder."""

from __future__ import annotations

import functools
import gzip
import re
import socket
import struct
import time
from http.server import BaseHTTPRequestHandler

from tests.sitesrv import SiteServer

HUGE_BYTES = 20 * 1024 * 1024
CHAIN = re.compile(r"chain-(\d+)\.xml")


@functools.cache
def gzip_bomb() -> bytes:
    """HUGE_BYTES of zeros, gzipped: about 20 KB on the wire."""
    return gzip.compress(b"\0" * HUGE_BYTES, compresslevel=9)


def _reset(handler: BaseHTTPRequestHandler) -> None:
    # SO_LINGER with a zero timeout makes close() send RST: the client sees "connection reset"
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


def _send(handler, status: int, content_type: str, body: bytes, headers: dict | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


class FaultServer(SiteServer):
    """Paths under /faults/ misbehave; `stall_seconds` should exceed the crawler's download timeout."""

    def __init__(self, root, stall_seconds: float = 6.0, **kwargs):
        super().__init__(root, **kwargs)
        self.stall_seconds = stall_seconds

    def serve(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        fault = path.removeprefix("/faults/") if path.startswith("/faults/") else None
        if fault == "500.html":
            _send(handler, 500, "text/html", b"<h1>Internal error</h1>")
        elif fault == "503.html":
            _send(handler, 503, "text/html", b"busy", {"Retry-After": "1"})
        elif fault == "slow.html":
            time.sleep(self.stall_seconds)
            _send(handler, 200, "text/html", b"<html><body><p>too late</p></body></html>")
        elif fault == "reset.html":
            _reset(handler)
        elif fault == "truncated.html":
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", "100000")
            handler.end_headers()
            handler.wfile.write(b"<html><body><h1>Cut short</h1><p>This page promised far more bytes")
            handler.wfile.flush()
            _reset(handler)
        elif fault == "huge.html":
            paragraph = b"<p>" + b"padding words " * 70 + b"</p>\n"
            body = (
                b"<html><body><h1>Huge</h1>" + paragraph * (HUGE_BYTES // len(paragraph)) + b"</body></html>"
            )
            _send(handler, 200, "text/html", body)
        elif fault == "loop.html":
            handler.send_response(302)
            handler.send_header("Location", "/faults/loop.html")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        elif fault == "report.pdf":
            _send(handler, 200, "application/pdf", b"%PDF-1.4\n" + b"0" * 2000)
        elif fault == "notxml.xml":
            _send(handler, 200, "application/rss+xml", b"Not a feed at all {{{ <<< garbage")
        elif fault == "bomb.html":
            _send(handler, 200, "text/html", gzip_bomb(), {"Content-Encoding": "gzip"})
        elif fault and CHAIN.fullmatch(fault):
            child = f"/faults/chain-{int(CHAIN.fullmatch(fault)[1]) + 1}.xml"
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{child}</loc></sitemap></sitemapindex>"
            )
            _send(handler, 200, "application/xml", body.encode())
        else:
            super().serve(handler, path)
