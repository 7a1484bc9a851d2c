"""Immediate alerts: the new incidents of the watchlists (config/watchlists.yaml), by e-mail and webhook.

Decisions an analyst or operator may want to know:

- **When**: after every `privwatch tag` (the scheduler tags after each crawl that stored something, and
  runs `privwatch alerts` after one that did not while alerts are owed), and whenever `privwatch alerts`
  runs. Each run first records the new matches as owed, then sends everything owed: what it just found,
  and what an earlier run could not deliver.
- **What is new**: an article (not a syndicated copy) with an incident that matches the watchlist
  (storage's watchlist_incidents view), stored (`fetched_at`) after the watchlist was added and within the
  last `alerts.window_days`: a watchlist added today or a re-tag of the archive mails no old news.
- **Channels**: an `immediate` watchlist with recipients gets e-mail; a watchlist with a webhook gets a
  JSON POST, whatever its delivery (a `digest` watchlist's e-mail is its section of the daily digest).
- **One message per new incident, or per story**: the articles of one story (nlp/stories.py) found in
  the same run share one e-mail and one POST; other articles get one each. A later article of the same
  story is a new alert.
- **Never twice, never lost**: every alert is a row of `alerts` (watchlist x article x channel), written
  as owed before anything is sent and marked sent as soon as the server or the webhook accepted it. A
  failure (after `smtp.retries` or `alerts.webhook_retries` more attempts with exponential backoff) is
  recorded on the row (attempts, error) and the alert stays owed for the next run. Runs at the same time
  claim their rows first, so they never send the same alert. An alert that can no longer be sent (its
  watchlist lost the channel, or a re-tag means the article no longer matches) is recorded as dropped.
- **Safety**: the e-mail is built like the digest (privwatch/digest/): autoescaped HTML, only http(s)
  URLs linked, every header value on one line, so a title can neither inject markup nor add a header.
  The webhook's `text` escapes &, < and > (Slack reads <...> as a link), and only the webhook's scheme
  and host are recorded (a Slack or Teams webhook URL's path is its secret).
"""

from __future__ import annotations

import http.client
import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from privwatch.digest.build import datasette_feed_url, datasette_story_url, watched_article
from privwatch.digest.mail import compose_message, deliver, parse_address, with_retries
from privwatch.digest.model import WatchedArticle
from privwatch.digest.period import DigestError, utc_iso
from privwatch.digest.render import render_templates
from privwatch.digest.text import count_of, one_line

if TYPE_CHECKING:
    from sqlite_utils import Database

    from config.models import Config
    from config.watchlists import Watchlist

EMAIL, WEBHOOK = "email", "webhook"
USER_AGENT = "privwatch-alerts/0.1"


@dataclass
class AlertGroup:
    """One message: the new articles of one watchlist on one channel, one story's or a single one."""

    watchlist: Watchlist
    channel: str
    alert_ids: list[int | None]  # None in a dry run for matches not recorded yet
    articles: list[WatchedArticle] = field(default_factory=list)
    story_id: int | None = None
    story_title: str | None = None
    story_url: str | None = None

    @property
    def accused(self) -> list[str]:
        return list(dict.fromkeys(name for item in self.articles for name in item.accused))

    @property
    def types(self) -> list[str]:
        return sorted({t for item in self.articles for t in item.article.types})


@dataclass
class AlertRun:
    """What a run did: messages sent per channel, failures (one line each, still owed), dropped alerts."""

    sent: dict[str, int] = field(default_factory=lambda: {EMAIL: 0, WEBHOOK: 0})
    failures: list[str] = field(default_factory=list)
    dropped: int = 0
    written: list[Path] = field(default_factory=list)  # a dry run's files

    def summary(self) -> str:
        parts = [count_of(self.sent[EMAIL], "alert e-mail"), count_of(self.sent[WEBHOOK], "webhook post")]
        if self.dropped:
            parts.append(f"{self.dropped} dropped")
        return "alerts: sent " + ", ".join(parts)


def channels(watchlist: Watchlist) -> list[str]:
    """Where a watchlist's alerts go."""
    wanted = [EMAIL] if watchlist.delivery == "immediate" and watchlist.recipients else []
    return wanted + ([WEBHOOK] if watchlist.webhook else [])


def webhook_origin(url: str) -> str:
    """scheme://host[:port] of a webhook: what may be recorded and shown of it."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


# -- what is owed -------------------------------------------------------------------------------------


def _owed_rows(db: Database, config: Config, now: datetime, *, dry_run: bool) -> list[dict]:
    """Record the new matches as owed and claim every owed alert; in a dry run, list them instead."""
    from storage import watchlists as store

    stored_since = utc_iso(now - timedelta(days=config.settings.alerts.window_days))
    stamp = utc_iso(now)
    new = {
        (watchlist.id, channel): store.new_matches(db, watchlist.id, channel, stored_since)
        for watchlist in config.watchlists
        for channel in channels(watchlist)
    }
    if dry_run:
        rows = store.owed_alerts(db)
        return rows + [
            {"id": None, "watchlist_id": w, "article_id": a, "channel": c}
            for (w, c), ids in new.items()
            for a in ids
        ]
    for (watchlist_id, channel), article_ids in new.items():
        store.queue_alerts(db, watchlist_id, channel, article_ids, stamp)
    stale = utc_iso(now - timedelta(seconds=store.CLAIM_TIMEOUT_SECONDS))
    return store.claim_owed(db, secrets.token_hex(8), stamp, stale)


def _groups(
    db: Database, config: Config, rows: list[dict], database_path: str
) -> tuple[list[AlertGroup], dict[str, list[int]]]:
    """The messages to send, and the alerts to drop (by reason)."""
    from storage.watchlists import matching_incidents

    settings = config.settings
    zone = ZoneInfo(settings.digest.timezone)
    base_url = settings.digest.datasette_url
    by_id = {w.id: w for w in config.watchlists}
    wanted: dict[tuple[str, str], dict[int, int | None]] = {}
    dropped: dict[str, list[int]] = {}
    for row in rows:
        watchlist = by_id.get(row["watchlist_id"])
        if watchlist is None or row["channel"] not in channels(watchlist):
            means = "e-mail" if row["channel"] == EMAIL else "to a webhook"
            reason = (
                "its watchlist is no longer in watchlists.yaml"
                if watchlist is None
                else f"its watchlist no longer sends {means}"
            )
            dropped.setdefault(reason, []).append(row["id"])
            continue
        wanted.setdefault((watchlist.id, row["channel"]), {})[row["article_id"]] = row["id"]
    groups = []
    for (watchlist_id, channel), alert_of in wanted.items():
        incidents: dict[int, list[dict]] = {}
        for incident in matching_incidents(db, watchlist_id, list(alert_of)):
            incidents.setdefault(incident["article_id"], []).append(incident)
        by_story: dict[object, AlertGroup] = {}
        for article_id, alert_id in alert_of.items():
            found = incidents.get(article_id)
            if not found:
                dropped.setdefault("the article no longer matches its watchlist", []).append(alert_id)
                continue
            first = found[0]
            key = first["story_id"] if first["story_id"] is not None else f"article {article_id}"
            group = by_story.get(key)
            if group is None:
                group = by_story[key] = AlertGroup(by_id[watchlist_id], channel, [])
                if first["story_id"] is not None:
                    group.story_id, group.story_title = first["story_id"], first["story_title"]
                    group.story_url = datasette_story_url(base_url, database_path, first["story_id"])
            group.articles.append(watched_article(found, zone, base_url, database_path))
            group.alert_ids.append(alert_id)
        groups.extend(by_story.values())
    return groups, {reason: [i for i in ids if i is not None] for reason, ids in dropped.items()}


# -- the messages -------------------------------------------------------------------------------------


def subject_line(prefix: str, group: AlertGroup) -> str:
    """E.g. "privwatch alert [Data breaches]: Tencent: <headline> (and 2 more articles)"; one line."""
    first = group.articles[0]
    who = f"{', '.join(first.accused[:3])}: " if first.accused else ""
    more = len(group.articles) - 1
    tail = f" (and {count_of(more, 'more article')})" if more else ""
    return one_line(f"{prefix} [{group.watchlist.name}]: {who}{first.article.title}{tail}")


def render_email(group: AlertGroup, config: Config, now: datetime):
    settings = config.settings
    sender = parse_address(settings.alerts.sender or settings.digest.sender, "alerts.sender")
    recipients = [
        parse_address(a, f"watchlist {group.watchlist.id}: recipients") for a in group.watchlist.recipients
    ]
    context = {
        "group": group,
        "heading": one_line(f"{settings.alerts.subject}: {group.watchlist.name}"),
        "feed_url": datasette_feed_url(settings.digest.datasette_url, group.watchlist.id),
    }
    text, html = render_templates("alert", context)
    return compose_message(
        subject=subject_line(one_line(settings.alerts.subject), group),
        sender=sender,
        recipients=recipients,
        text=text,
        html=html,
        now=now,
        kind="alert",
    )


def slack_escape(text: str) -> str:
    """Text for a chat webhook's `text`: Slack reads &, < and > as markup (links, mentions)."""
    return one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webhook_payload(group: AlertGroup, config: Config) -> dict:
    """The JSON a webhook receives: `text` for chat bridges (Slack, Teams, Matrix), the rest for code."""
    prefix = one_line(config.settings.alerts.subject)
    lines = [subject_line(prefix, group)]
    for item in group.articles:
        sentence = item.article.evidence[0].sentence if item.article.evidence else ""
        lines.append(f"{item.article.title} ({item.article.source}, {item.article.published}): “{sentence}”")
        lines.append(item.article.datasette_url)
    return {
        "text": "\n".join(slack_escape(line) for line in lines),
        "watchlist": {"id": group.watchlist.id, "name": group.watchlist.name},
        "story": (
            {"id": group.story_id, "title": group.story_title, "url": group.story_url}
            if group.story_id is not None
            else None
        ),
        "articles": [
            {
                "article_id": item.article.article_id,
                "title": item.article.title,
                "url": item.article.raw_url,
                "source": item.article.source,
                "published": item.article.published_at or None,
                "datasette_url": item.article.datasette_url,
                "accused": item.accused,
                "types": item.article.types,
                "evidence": [{"types": e.types, "sentence": e.sentence} for e in item.article.evidence],
            }
            for item in group.articles
        ],
    }


# -- sending ------------------------------------------------------------------------------------------


def post_json(url: str, payload: dict, *, timeout: float, attempts: int) -> None:
    """POST the payload; retries connection trouble, timeouts, 408, 429 and 5xx with backoff, fails at
    once on other answers (DeliveryError, one line)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
    )
    where = f"webhook {webhook_origin(url)}"

    def post() -> None:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(65536)  # what the webhook says back is not ours to keep

    def verdict(exc: Exception) -> tuple[bool, str] | None:
        if isinstance(exc, urllib.error.HTTPError):
            transient = exc.code >= 500 or exc.code in (408, 429)
            return transient, f"{where}: HTTP {exc.code} {one_line(exc.reason)}"
        if isinstance(exc, urllib.error.URLError):
            return True, f"{where}: {one_line(exc.reason)}"
        if isinstance(exc, (OSError, http.client.HTTPException)):
            return True, f"{where}: {one_line(f'{type(exc).__name__}: {exc}')}"
        return None

    with_retries(post, attempts, verdict)


def _send(group: AlertGroup, config: Config, now: datetime) -> tuple[str, str | None]:
    """Deliver one message; what to record as sent_to, and the e-mail's Message-ID."""
    settings = config.settings
    if group.channel == EMAIL:
        message = render_email(group, config, now)
        envelope_to = [a.addr_spec for a in message["To"].addresses]
        refused = deliver(message, settings.smtp, message["From"].addresses[0].addr_spec, envelope_to)
        return json.dumps([a for a in envelope_to if a not in refused]), message["Message-ID"]
    url = str(group.watchlist.webhook)
    alerts = settings.alerts
    post_json(
        url,
        webhook_payload(group, config),
        timeout=alerts.webhook_timeout,
        attempts=alerts.webhook_retries + 1,
    )
    return webhook_origin(url), None


def _write_dry_run(groups: list[AlertGroup], config: Config, out: Path, now: datetime) -> list[Path]:
    try:
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for number, group in enumerate(groups, 1):
            stem = out / f"alert-{number:03d}-{group.watchlist.id}-{group.channel}"
            if group.channel == EMAIL:
                path = stem.with_suffix(".eml")
                path.write_bytes(render_email(group, config, now).as_bytes())
            else:
                path = stem.with_suffix(".json")
                payload = json.dumps(webhook_payload(group, config), ensure_ascii=False, indent=2)
                path.write_text(payload + "\n", encoding="utf-8")
            written.append(path)
    except OSError as exc:
        raise DigestError(f"{out}: cannot write: {exc.strerror or exc}") from None
    return written


def send_owed_alerts(
    config: Config,
    db: Database,
    database_path: str,
    *,
    dry_run: bool = False,
    out: Path | None = None,
    now: datetime | None = None,
) -> AlertRun:
    """Record the new matches as owed and send every owed alert (see the module docstring)."""
    from storage import watchlists as store

    now = (now or datetime.now(UTC)).replace(microsecond=0)
    run = AlertRun()
    groups, dropped = _groups(db, config, _owed_rows(db, config, now, dry_run=dry_run), database_path)
    if dry_run:
        run.written = _write_dry_run(groups, config, out, now)
        return run
    for reason, alert_ids in dropped.items():
        store.record_dropped(db, alert_ids, utc_iso(now), reason)
        run.dropped += len(alert_ids)
    for group in groups:
        try:
            sent_to, message_id = _send(group, config, now)
        except DigestError as exc:
            store.record_failure(db, group.alert_ids, utc_iso(datetime.now(UTC)), str(exc))
            run.failures.append(f"{group.watchlist.id} ({group.channel}): {exc}")
            continue
        store.record_sent(db, group.alert_ids, utc_iso(datetime.now(UTC)), sent_to, message_id)
        run.sent[group.channel] += 1
    return run


def send_after_tag(config: Config, database: Database, database_path: str) -> AlertRun | None:
    """The end of a tag run: send what is owed; None when no watchlist sends alerts and none is owed."""
    if not any(channels(w) for w in config.watchlists):
        from storage.watchlists import owed_count

        if not owed_count(database):
            return None
    return send_owed_alerts(config, database, database_path)
