"""How privwatch shows a stored moment to a reader: the digest and the Datasette cells write local times
alike, to the minute, in the zone of `digest.timezone`."""

from datetime import datetime
from zoneinfo import ZoneInfo


def local_minute(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
