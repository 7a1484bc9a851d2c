"""Publication times: aware datetimes become UTC ISO 8601; naive ones take the source's time zone;
day-only dates stay dates."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

HAS_TIME = re.compile(r"\d{1,2}:\d{2}|T\d{2}")
HAS_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
# "2018-01-05  08:53", "2018/1/5 8:53", "2018年1月5日 08:53"
DATE_LINE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?:\s*日)?"
    r"(?:[\sT]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)


# "今天 08:53", "昨天 21:15", "3小时前": listing pages print recent times relative to the day of the crawl
RELATIVE_DAY = re.compile(r"(今天|今日|昨天|昨日|前天)\s*(\d{1,2})[:：](\d{2})")
DAYS_BACK = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
AGO = re.compile(r"(\d+)\s*(分钟|小时|天)前|刚刚")


def to_utc_iso(moment: datetime, timezone: str = "UTC") -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_date(
    text: str | None, timezone: str = "UTC", *, day_first: bool = False, now: datetime | None = None
) -> str | None:
    """An ISO 8601 UTC timestamp ("...+00:00"), a bare date ("YYYY-MM-DD") when the text has no time,
    or None when the text holds no recognisable date. A time relative to today ("昨天 21:15") counts from
    now (default: the current time) in the time zone."""
    if not text:
        return None
    text = " ".join(str(text).split())
    if not text:
        return None
    if not HAS_YEAR.search(text):
        return _relative(text, timezone, now or datetime.now(UTC))
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


def _relative(text: str, timezone: str, now: datetime) -> str | None:
    local = now.astimezone(ZoneInfo(timezone))
    day = RELATIVE_DAY.search(text)
    if day:
        when = local.date() - timedelta(days=DAYS_BACK[day[1]])
        moment = datetime(when.year, when.month, when.day, int(day[2]), int(day[3]))
        return to_utc_iso(moment, timezone)
    ago = AGO.search(text)
    if not ago:
        return None
    if ago[0] == "刚刚":
        return to_utc_iso(now)
    amount, unit = int(ago[1]), ago[2]
    if unit == "天":
        return (local.date() - timedelta(days=amount)).isoformat()
    return to_utc_iso(now - timedelta(minutes=amount if unit == "分钟" else 60 * amount))


def is_full_timestamp(value: str | None) -> bool:
    return bool(value) and "T" in value
