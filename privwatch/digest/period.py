"""The period a digest covers: half-open, [since, until), in UTC (see privwatch/digest/__init__.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from config.display import local_minute
from config.errors import PrivwatchError

DEFAULT_PERIOD = timedelta(hours=24)


class DigestError(PrivwatchError):
    """A digest cannot be built or sent; the message is one line."""


def utc_iso(moment: datetime) -> str:
    """The form storage writes times in, so periods compare as text with tagged_at and fetched_at."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Period:
    start: datetime  # aware, UTC
    end: datetime
    origin: str = "given"  # "given" (--since), "last digest" (its end), or "default" (24 h, no digest yet)

    @property
    def start_iso(self) -> str:
        return utc_iso(self.start)

    @property
    def end_iso(self) -> str:
        return utc_iso(self.end)

    def label(self, zone: ZoneInfo) -> str:
        return f"{local_minute(self.start, zone)} to {local_minute(self.end, zone)} ({zone.key})"

    @property
    def new_means(self) -> str:
        """What makes an article new in this digest, for its readers."""
        if self.origin == "last digest":
            return "tagged by privwatch since the last digest"
        if self.origin == "default":
            hours = DEFAULT_PERIOD.total_seconds() / 3600
            return f"tagged by privwatch in the last {hours:.0f} hours (no digest was sent before)"
        return "tagged by privwatch in this period"


def resolve_period(
    since: datetime | None, until: datetime | None, last_end: str | None, now: datetime
) -> Period:
    """The period a run covers: the given bounds, else from the last digest's end (or 24 h) to now.

    Right after a digest the derived period is empty (start == end): the recorded digest covers it, so
    the run sends nothing and says so, instead of failing.
    """
    end = (until or now).astimezone(UTC)
    if since is not None:
        start = since.astimezone(UTC)
        if start >= end:
            raise DigestError(f"--since {utc_iso(start)} is not before the period's end {utc_iso(end)}")
        return Period(start, end)
    if last_end:
        return Period(min(datetime.fromisoformat(last_end).astimezone(UTC), end), end, "last digest")
    return Period(end - DEFAULT_PERIOD, end, "default")


def aware(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zone)
