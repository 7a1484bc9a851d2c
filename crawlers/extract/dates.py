"""Publication times: aware datetimes become UTC ISO 8601; naive ones take the source's time zone;
day-only dates stay dates."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

HAS_TIME = re.compile(r"\d{1,2}:\d{2}|T\d{2}")
HAS_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
# "2018-01-05  08:53", "2018/1/5 8:53", "2018年1月5日 08:53"
DATE_LINE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?:\s*日)?"
    r"(?:[\sT]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)


def to_utc_iso(moment: datetime, timezone: str = "UTC") -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_date(text: str | None, timezone: str = "UTC", *, day_first: bool = False) -> str | None:
    """An ISO 8601 UTC timestamp ("...+00:00"), a bare date ("YYYY-MM-DD") when the text has no time,
    or None when the text holds no recognisable date."""
    if not text:
        return None
    text = " ".join(str(text).split())
    if not text or not HAS_YEAR.search(text):
        return None
    match = DATE_LINE.search(text)
    if match:
        try:
            if match["H"] is None:
                return date(int(match["y"]), int(match["m"]), int(match["d"])).isoformat()
            moment = datetime(
                int(match["y"]),
                int(match["m"]),
                int(match["d"]),
                int(match["H"]),
                int(match["M"]),
                int(match["S"] or 0),
            )
        except ValueError:
            return None
        zone = re.search(r"(Z|[+-]\d{2}:?\d{2})\s*$", text[match.end() : match.end() + 8])
        if zone:
            iso = moment.isoformat() + ("+00:00" if zone[1] == "Z" else zone[1])
            return to_utc_iso(datetime.fromisoformat(iso))
        return to_utc_iso(moment, timezone)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = dateutil_parser.parse(text, fuzzy=True, dayfirst=day_first)
        except (ValueError, OverflowError, TypeError):
            return None
    if not HAS_TIME.search(text):
        return moment.date().isoformat()
    return to_utc_iso(moment, timezone)


def is_full_timestamp(value: str | None) -> bool:
    return bool(value) and "T" in value
