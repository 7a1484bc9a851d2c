"""One digest run: check the addresses, build, render, then send and record (or write a dry run)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from privwatch.digest.build import build_digest
from privwatch.digest.mail import compose_message, deliver, parse_address
from privwatch.digest.period import DigestError, aware, resolve_period
from privwatch.digest.render import render, subject_line
from privwatch.digest.text import count_of, one_line

if TYPE_CHECKING:
    from sqlite_utils import Database

    from config.models import Config
    from config.settings import Settings


def is_local_url(url: str) -> bool:
    """Does the URL name this machine (localhost, a loopback or unspecified address), so that nobody who
    reads the digest elsewhere can open it?"""
    host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return not host
    return address.is_loopback or address.is_unspecified


@dataclass
class DigestRun:
    """What a run did, as one line, and the recipients the SMTP server refused while accepting others."""

    summary: str
    refused: list[str] = field(default_factory=list)


def digest_addresses(config: Config, to: Sequence[str], *, dry_run: bool) -> tuple[Address, list[Address]]:
    """The sender and the recipients: --to, else digest.recipients and the digest watchlists' recipients;
    DigestError (one line) for a bad address, or for none to send to."""
    settings: Settings = config.settings
    recipients = [
        parse_address(a, "--to" if to else "digest.recipients") for a in (to or settings.digest.recipients)
    ]
    if not to:  # a digest watchlist's recipients receive the digest that holds its section
        unique: dict[str, Address] = {}
        for found in recipients + [
            parse_address(a, f"watchlists.yaml: {w.id}: recipients")
            for w in config.watchlists
            if w.delivery == "digest"
            for a in w.recipients
        ]:
            unique.setdefault(found.addr_spec.casefold(), found)
        recipients = list(unique.values())
    if not recipients and not dry_run:
        raise DigestError(
            "no recipients: set digest.recipients (settings.yaml or PRIVWATCH_DIGEST_RECIPIENTS) or give --to"
        )
    return parse_address(settings.digest.sender, "digest.sender"), recipients


def send_digest(
    config: Config,
    database: Database,
    database_path: str,
    sender: Address,
    recipients: list[Address],
    *,
    since: datetime | None,
    until: datetime | None,
    dry_run: bool,
    out: Path | None,
    force: bool,
    now: datetime | None = None,
) -> DigestRun:
    """Build the period's digest and send and record it, or with dry_run write it to `out`; nothing when
    a recorded digest covers the period (unless force) or it is empty and digest.send_empty is off."""
    from nlp.stories import update_stories
    from storage.db import record_digest
    from storage.digests import digest_covering, last_period_end

    settings: Settings = config.settings
    zone = ZoneInfo(settings.digest.timezone)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    period = resolve_period(aware(since, zone), aware(until, zone), last_period_end(database), now)
    label = period.label(zone)
    datasette_url = settings.digest.datasette_url
    if not dry_run and is_local_url(datasette_url):
        raise DigestError(
            f"digest.datasette_url is {datasette_url}, which only this machine can open: set it in "
            "settings.yaml (or PRIVWATCH_DIGEST_DATASETTE_URL) to where the recipients reach Datasette"
        )

    covering = digest_covering(database, period.start_iso, period.end_iso)
    if covering and not force and not dry_run:
        return DigestRun(
            f"nothing sent: digest #{covering['id']} (sent {covering['sent_at']}) already covers {label}; "
            "--force sends it again"
        )
    # articles tagged by an older privwatch, or stored by other means, join their stories first
    update_stories(database, settings.stories)
    digest = build_digest(
        database,
        period,
        zone=zone,
        datasette_url=datasette_url,
        database_path=database_path,
    )
    if digest.empty and not settings.digest.send_empty and not dry_run:
        return DigestRun(f"nothing new in {label}: no digest sent (digest.send_empty is off)")

    heading = one_line(settings.digest.subject)
    text, html = render(digest, heading=heading, zone=zone)
    message = compose_message(
        subject=subject_line(heading, digest, zone),
        sender=sender,
        recipients=recipients,
        text=text,
        html=html,
        now=now,
    )
    summary = (
        f"{label}: {count_of(digest.incident_count, 'incident')} "
        f"in {count_of(digest.article_count, 'article')}, "
        f"{count_of(len(digest.stories), 'story', 'stories')} ({digest.new_stories} new), "
        f"{count_of(len(digest.spikes), 'spike')}"
    )
    if dry_run:
        try:
            out.write_bytes(message.as_bytes())
        except OSError as exc:
            raise DigestError(f"{out}: cannot write: {exc.strerror or exc}") from None
        notes = []
        if covering:
            notes.append(f"digest #{covering['id']} already covers this period")
        if digest.empty and not settings.digest.send_empty:
            notes.append("empty, and digest.send_empty is off")
        extra = f" ({'; '.join(notes)}: a real run would send nothing)" if notes else ""
        if is_local_url(datasette_url):  # fine for a preview; a real run refuses it
            extra += f"; its links point at the local Datasette {datasette_url} (digest.datasette_url)"
        return DigestRun(f"wrote {out}: {summary}; not sent, not recorded{extra}")

    envelope_to = [a.addr_spec for a in recipients]
    refused = deliver(message, settings.smtp, sender.addr_spec, envelope_to)
    delivered = [a for a in envelope_to if a not in refused]
    digest_id = record_digest(
        database, period.start_iso, period.end_iso, delivered, digest.items, message["Message-ID"]
    )
    return DigestRun(f"sent digest #{digest_id} to {', '.join(delivered)}: {summary}", sorted(refused))
