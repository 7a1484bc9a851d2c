"""The time written to every *_at column: UTC, ISO 8601, to the second."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
