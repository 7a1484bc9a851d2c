"""A throwaway redis-server on 127.0.0.1 (a free port, no persistence) for benchmarks and tests."""

from __future__ import annotations

import shutil
import subprocess
import time
from contextlib import contextmanager

import redis

from benchmarks.sites import free_port


class RedisServerMissing(RuntimeError):
    pass


@contextmanager
def redis_server(timeout: float = 20):
    """Yields the server's redis:// URL; the server stops on exit."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    try:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise RedisServerMissing("redis-server is not installed (apt-get install redis-server)") from None
    client = redis.Redis(port=port)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RedisServerMissing(f"redis-server did not start on port {port}") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
