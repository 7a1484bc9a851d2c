"""The daily digest: content, rendering, safety, and delivery to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import ipaddress
import json
import re
import ssl
import time
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from benchmarks.sites import free_port
from privwatch.digest import mail as digest_mail
from privwatch.digest.build import build_digest, find_spikes
from privwatch.digest.model import Severity
from privwatch.digest.period import resolve_period
from privwatch.digest.render import render
from privwatch.digest.send import is_local_url
from storage import db as store

from .digest_fixtures import (
    ANT_CONSENT,
    TENCENT_SURVEILLANCE,
    seed_story,
    spike_articles,
    tagged_article,
)

RECIPIENTS = ["analyst@example.org", "lead@example.org"]
DATASETTE_URL = "https://privwatch.example.org"


# -- helpers ------------------------------------------------------------------------------------------


def next_second() -> None:
    """Digest periods end at whole seconds and tagged_at has seconds: let the clock pass the tagging."""
    time.sleep(1.05 - time.time() % 1)


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain text and the HTML (unescaped back to text) of a digest."""
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    markup = message.get_body(("html",)).get_content()
    return text.replace("\r\n", "\n"), markup.replace("\r\n", "\n")


def visible_text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def one_line_output(result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


class ElementCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def elements(markup: str) -> list[tuple[str, dict]]:
    collector = ElementCollector()
    collector.feed(markup)
    return collector.tags


class Inbox:
    """An aiosmtpd handler that keeps every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [parse(e.original_content or e.content) for e in self.envelopes]


def start_server(**smtp_parameters):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **smtp_parameters)
    controller.start()
    return controller, inbox


def point_settings_at(monkeypatch, port: int, tls: str = "none", retries: int = 0) -> None:
    monkeypatch.setenv("PRIVWATCH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PRIVWATCH_SMTP_PORT", str(port))
    monkeypatch.setenv("PRIVWATCH_SMTP_TLS", tls)
    monkeypatch.setenv("PRIVWATCH_SMTP_TIMEOUT", "5")
    monkeypatch.setenv("PRIVWATCH_SMTP_RETRIES", str(retries))
    monkeypatch.setenv("PRIVWATCH_DIGEST_RECIPIENTS", ",".join(RECIPIENTS))
    monkeypatch.setenv("PRIVWATCH_DIGEST_DATASETTE_URL", DATASETTE_URL)  # a real send refuses a local one
    monkeypatch.delenv("PRIVWATCH_SMTP_USER", raising=False)
    monkeypatch.delenv("PRIVWATCH_SMTP_PASSWORD", raising=False)


def digest_rows(path: Path) -> list[dict]:
    database = store.open_db(path)
    try:
        return list(database.query("SELECT * FROM digests ORDER BY id"))
    finally:
        database.close()


def make_db(run, directory: Path, name: str = "privwatch.db", fill=None) -> Path:
    path = directory / name
    run("init", "--db", str(path))
    if fill:
        database = store.open_db(path)
        fill(database)
        database.close()
        next_second()
    return path


def edit_companies(config_dir: Path, changes: dict[str, str]) -> None:
    """Rename companies of the copied knowledge base: {company id: new name}."""
    path = config_dir / "companies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for company in data["companies"]:
        if company["id"] in changes:
            company["name"] = changes[company["id"]]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def seeded_db(run, tmp_path) -> Path:
    return make_db(run, tmp_path, fill=seed_story)


# -- the done-when check: a dry run on the seed story ---------------------------------------------------


def test_digest_dry_run_of_the_seed_story_holds_both_accused_companies_in_both_parts(
    run, seeded_db, tmp_path
):
    out = tmp_path / "d.eml"
    result = run("digest", "--dry-run", "--out", str(out), "--db", str(seeded_db))
    assert "not sent, not recorded" in one_line_output(result)

    message = parse(out.read_bytes())
    for header in ("Date", "Message-ID", "From", "To", "Subject"):
        assert message[header], header
    text, markup = parts(message)
    shown = visible_text(markup)
    for part in (text, shown):
        assert "Ant Group" in part and "Tencent" in part
        for incident_type in ("consent", "profiling", "surveillance"):
            assert incident_type in part
        assert "apology" in part and "denial" in part
    # the strongest sentence of each accused company
    for sentence in (ANT_CONSENT, TENCENT_SURVEILLANCE):
        assert sentence in shown
        assert sentence in " ".join(text.split())  # the text part wraps long lines
    # Alibaba is only mentioned: no section of its own; a dry run records nothing
    assert "Alibaba" not in text and "Alibaba" not in shown
    assert digest_rows(seeded_db) == []


def test_digest_shows_the_seed_story_once_with_both_companies(run, seeded_db, tmp_path):
    out = tmp_path / "d.eml"
    run("digest", "--dry-run", "--out", str(out), "--db", str(seeded_db))
    text, markup = parts(parse(out.read_bytes()))
    assert text.count("== New story: Ant apologizes over misleading sign-up ==") == 1
    assert "3 incidents in 1 article: 1 story (1 new)." in text
    assert "accused: Ant Group, Tencent; types: consent, profiling, surveillance" in text
    assert "responses: Ant Group: apology; Tencent: denial" in text
    # published years before the period it is new in: it says when privwatch first saw it
    assert re.search(r"Shenzhen Daily \(published 2018-01-05, first seen \d{4}-\d\d-\d\d\)", text)
    assert "story:        http://127.0.0.1:8001/privwatch/story?story=1" in text
    assert 'href="http://127.0.0.1:8001/privwatch/story?story=1"' in markup


# -- delivery -------------------------------------------------------------------------------------------


def test_digest_arrives_over_smtp_as_multipart_alternative_and_is_recorded(run, seeded_db, smtp_server):
    result = run("digest", "--db", str(seeded_db))
    assert one_line_output(result).startswith("sent digest #1 to analyst@example.org, lead@example.org")

    [envelope] = smtp_server.envelopes
    assert envelope.mail_from == "privwatch@localhost"
    assert envelope.rcpt_tos == RECIPIENTS
    [message] = smtp_server.messages
    text, markup = parts(message)
    assert "Ant Group" in text and "Ant Group" in markup
    assert message["To"] == ", ".join(RECIPIENTS)
    assert message["From"] == "privwatch <privwatch@localhost>"
    # a long subject may be folded right after "Subject:"; unfolded, it is one line
    assert message["Subject"].strip().startswith("privwatch: privacy controversies ")
    assert message["Subject"].endswith(": 3 incidents (Ant Group, Tencent)")
    assert email.utils.parsedate_to_datetime(message["Date"]).tzinfo is not None

    [row] = digest_rows(seeded_db)
    assert json.loads(row["recipients"]) == RECIPIENTS
    assert row["items"] == 3
    assert row["message_id"] == message["Message-ID"]
    start = dt.datetime.fromisoformat(row["period_start"])
    end = dt.datetime.fromisoformat(row["period_end"])
    assert end - start == dt.timedelta(hours=24)
    assert row["sent_at"] >= row["period_end"]


def test_digest_second_run_sends_nothing_and_says_so_unless_forced(run, seeded_db, smtp_server):
    run("digest", "--db", str(seeded_db))
    [row] = digest_rows(seeded_db)

    again = one_line_output(run("digest", "--db", str(seeded_db)))
    assert again.startswith("nothing sent: digest #1") or again.startswith("nothing new")
    assert len(smtp_server.envelopes) == 1

    period = ("--since", row["period_start"], "--until", row["period_end"])
    same = one_line_output(run("digest", *period, "--db", str(seeded_db)))
    assert same.startswith("nothing sent: digest #1") and "--force" in same
    inner_end = dt.datetime.fromisoformat(row["period_end"]) - dt.timedelta(minutes=1)
    inside = ("--since", row["period_start"], "--until", inner_end.isoformat())
    assert "nothing sent" in run("digest", *inside, "--db", str(seeded_db)).output
    assert len(smtp_server.envelopes) == 1 and len(digest_rows(seeded_db)) == 1

    forced = one_line_output(run("digest", *period, "--force", "--db", str(seeded_db)))
    assert forced.startswith("sent digest #2")
    assert len(smtp_server.envelopes) == 2 and len(digest_rows(seeded_db)) == 2


def test_digest_default_period_starts_where_the_last_digest_ended(run, seeded_db, smtp_server):
    run("digest", "--db", str(seeded_db))
    database = store.open_db(seeded_db)
    tagged_article(
        database,
        "https://news.example/later",
        "Later breach",
        "2025-03-01",
        [("breach", "didi", "DiDi leaked trip records.")],
    )
    database.close()
    next_second()
    result = one_line_output(run("digest", "--db", str(seeded_db)))
    assert result.startswith("sent digest #2") and "1 incident in 1 article," in result
    first, second = digest_rows(seeded_db)
    assert second["period_start"] == first["period_end"]
    text, _ = parts(smtp_server.messages[-1])
    assert "DiDi Global" in text and "Ant Group" not in text


def test_digest_login_is_used_when_credentials_are_set(run, seeded_db, monkeypatch):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    controller, inbox = start_server(authenticator=authenticator, auth_require_tls=False)
    try:
        point_settings_at(monkeypatch, controller.port)
        monkeypatch.setenv("PRIVWATCH_SMTP_USER", "digest-bot")
        monkeypatch.setenv("PRIVWATCH_SMTP_PASSWORD", "s3cret")
        run("digest", "--db", str(seeded_db))
    finally:
        controller.stop()
    assert logins == [(b"digest-bot", b"s3cret")]
    assert len(inbox.envelopes) == 1 and len(digest_rows(seeded_db)) == 1


def test_digest_refused_login_exits_1_with_one_line_and_records_nothing(run, seeded_db, monkeypatch):
    def refuse(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=False, handled=False)  # handled=False: aiosmtpd replies 535

    controller, inbox = start_server(authenticator=refuse, auth_require_tls=False)
    try:
        point_settings_at(monkeypatch, controller.port, retries=3)
        monkeypatch.setenv("PRIVWATCH_SMTP_USER", "digest-bot")
        monkeypatch.setenv("PRIVWATCH_SMTP_PASSWORD", "wrong")
        slept = []
        monkeypatch.setattr(digest_mail, "time", SimpleNamespace(sleep=slept.append))
        result = run("digest", "--db", str(seeded_db), expect=1)
    finally:
        controller.stop()
    line = one_line_output(result)
    assert line.startswith("Error: SMTP 127.0.0.1:") and "535" in line
    assert "wrong" not in line
    assert slept == []  # a refused login is permanent: no retries
    assert inbox.envelopes == [] and digest_rows(seeded_db) == []


def test_digest_retries_with_backoff_then_fails_without_recording(run, seeded_db, monkeypatch):
    point_settings_at(monkeypatch, free_port(), retries=2)  # nothing listens there
    slept = []
    monkeypatch.setattr(digest_mail, "time", SimpleNamespace(sleep=slept.append))
    result = run("digest", "--db", str(seeded_db), expect=1)
    *retries, line = result.stderr.strip().splitlines()
    assert "gave up after 3 attempts" in line and "ConnectionRefusedError" in line
    assert [r.split("; ")[-1] for r in retries] == [
        "retrying in 2 s (retry 1 of 2)",
        "retrying in 4 s (retry 2 of 2)",
    ]
    assert slept == [digest_mail.BACKOFF_SECONDS, digest_mail.BACKOFF_SECONDS * 2]
    assert result.stdout == "" and digest_rows(seeded_db) == []


class BusyInbox(Inbox):
    """Answers DATA with 421 (busy, try later) the first `busy` times, then accepts."""

    def __init__(self, busy: int) -> None:
        super().__init__()
        self.busy = busy

    async def handle_DATA(self, server, session, envelope):
        if self.busy:
            self.busy -= 1
            return "421 busy, try again later"
        return await super().handle_DATA(server, session, envelope)


def test_digest_says_each_smtp_retry_on_stderr_and_then_sends(run, seeded_db, monkeypatch):
    inbox = BusyInbox(busy=2)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        point_settings_at(monkeypatch, controller.port, retries=3)
        slept = []
        monkeypatch.setattr(digest_mail, "time", SimpleNamespace(sleep=slept.append))
        result = run("digest", "--db", str(seeded_db))
    finally:
        controller.stop()
    where = f"SMTP 127.0.0.1:{controller.port} (none): SMTPDataError: 421 busy, try again later"
    assert result.stderr.splitlines() == [
        f"{where}; retrying in 2 s (retry 1 of 3)",
        f"{where}; retrying in 4 s (retry 2 of 3)",
    ]
    assert result.stdout.startswith("sent digest #1") and len(inbox.envelopes) == 1


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_digest_over_tls_verifies_the_certificate_and_logs_in(run, seeded_db, monkeypatch, tmp_path, tls):
    cert_path, key_path = self_signed_certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_path, key_path)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append(auth_data.login)
        return AuthResult(success=True)

    tls_parameters = (
        {"tls_context": server_context, "require_starttls": True}
        if tls == "starttls"
        else {"ssl_context": server_context, "auth_require_tls": False}  # aiosmtpd sees STARTTLS only
    )
    controller, inbox = start_server(authenticator=authenticator, **tls_parameters)
    try:
        point_settings_at(monkeypatch, controller.port, tls=tls)
        monkeypatch.setenv("PRIVWATCH_SMTP_USER", "digest-bot")
        monkeypatch.setenv("PRIVWATCH_SMTP_PASSWORD", "s3cret")
        # the server's certificate is not trusted yet: verification fails, permanently, with one line
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-ca.pem"))
        refused = run("digest", "--db", str(seeded_db), expect=1)
        assert "CERTIFICATE_VERIFY_FAILED" in one_line_output(refused) and digest_rows(seeded_db) == []

        monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
        run("digest", "--db", str(seeded_db))
    finally:
        controller.stop()
    assert logins == [b"digest-bot"]
    assert len(inbox.envelopes) == 1 and len(digest_rows(seeded_db)) == 1


# -- content ----------------------------------------------------------------------------------------------


def tencent_chats(database, n: int, published: str, accused: dict | None = None) -> None:
    tagged_article(
        database,
        f"https://news.example/wechat-{n}",
        f"WeChat passed chat logs to an advertising partner, report {n}",
        published,
        [("sharing", "tencent", "WeChat passed users' chat logs to an advertising partner without consent.")],
        accused=accused,
        source_id=["szdaily", "guardian", "bbc"][n % 3],
    )


def test_digest_groups_by_story_new_stories_and_updates_with_links(run, tmp_path):
    def earlier(database):
        seed_story(database)
        tencent_chats(database, 1, "2025-03-17T08:00:00+00:00")
        tagged_article(
            database, "https://news.example/didi-0", "DiDi riders' trip records leaked online", "2025-03-16",
            [("breach", "didi", "DiDi said trip records of riders were leaked online by a contractor.")],
        )  # fmt: skip

    path = make_db(run, tmp_path, "newsroom.db", fill=earlier)
    since = dt.datetime.now(dt.UTC).replace(microsecond=0)
    next_second()
    database = store.open_db(path)
    # the chat-log story grows, and Tencent answers; the DiDi story only gains a syndicated copy
    tencent_chats(database, 2, "2025-03-18T09:00:00+00:00", accused={"tencent": "denial"})
    tencent_chats(database, 3, "2025-03-19T10:00:00+00:00")
    tagged_article(
        database, "https://syndicated.example/didi-0", "DiDi riders' trip records leaked online",
        "2025-03-16T12:00:00+00:00",
        [("breach", "didi", "DiDi said trip records of riders were leaked online by a contractor.")],
    )  # fmt: skip
    tagged_article(
        database, "https://news.example/bytedance", "ByteDance app read clipboards", "2025-03-19",
        [("collection", "bytedance", "The ByteDance app read users' clipboards every few seconds.")],
    )  # fmt: skip
    database.close()
    next_second()
    out = tmp_path / "d.eml"
    run("digest", "--dry-run", "--out", str(out), "--since", since.isoformat(), "--db", str(path))
    text, markup = parts(parse(out.read_bytes()))

    headings = [html.unescape(re.sub("<[^>]+>", "", h)) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", markup)]
    assert [h for h in headings if not h.startswith("Watchlist:")] == [
        "New story: ByteDance app read clipboards",
        "Update: 2 more articles, Tencent now denies: "
        "WeChat passed chat logs to an advertising partner, report 1",
    ]
    assert "DiDi" not in text  # a story that only gained a copy is not repeated
    assert "3 incidents in 3 articles: 2 stories (1 new)." in text
    update = text.split("== Update", 1)[1]
    # newest first; the new response's sentence; one link to the story and one to the first report
    listed = update.split("2 articles in this digest, 3 articles from 3 outlets in all:", 1)[1]
    assert listed.index("report 3") < listed.index("report 2")
    assert "- Tencent: “WeChat passed chat logs to an advertising partner, report 2”" in update

    database = store.open_db(path)
    story_id, first_url = database.execute(
        "SELECT s.id, a.url FROM stories s JOIN articles a ON a.id = s.first_article_id "
        "WHERE s.title LIKE 'WeChat%'"
    ).fetchone()
    database.close()
    story_url = f"http://127.0.0.1:8001/newsroom/story?story={story_id}"
    assert f"story:        {story_url}" in update and first_url in update
    links = [attrs["href"] for tag, attrs in elements(markup) if tag == "a"]
    assert story_url in links and first_url in links


def test_digest_puts_the_largest_fine_then_the_most_people_affected_first_and_says_them(run, tmp_path):
    since = dt.datetime.now(dt.UTC).replace(microsecond=0)
    next_second()

    def period(database):
        # the busiest story states no size; a yuan fine outranks a smaller one in euros at the fixed rates
        tencent_chats(database, 1, "2025-03-18T08:00:00+00:00")
        tencent_chats(database, 2, "2025-03-18T09:00:00+00:00")
        stories = [
            ("didi", "DiDi fined over riders' trip data", "enforcement", {"fine_amount": 8.026e9,
             "fine_currency": "CNY", "fine_usd": 1.12e9, "fine_text": "8.026 billion yuan"}),
            ("bytedance", "ByteDance fined over children's accounts", "enforcement", {"fine_amount": 345e6,
             "fine_currency": "EUR", "fine_usd": 372.6e6, "fine_text": "€345 million"}),
            ("meta", "Meta leak exposed phone numbers", "breach", {"affected": 533_000_000,
             "affected_text": "533 million users"}),
        ]  # fmt: skip
        for company, title, kind, fields in stories:
            tagged_article(
                database, f"https://news.example/{company}", title, "2025-03-18T10:00:00+00:00",
                [(kind, company, f"{title}, the regulator said.")], severity={company: fields},
            )  # fmt: skip

    path = make_db(run, tmp_path, "sizes.db", fill=period)
    out = tmp_path / "d.eml"
    run("digest", "--dry-run", "--out", str(out), "--since", since.isoformat(), "--db", str(path))
    text, markup = parts(parse(out.read_bytes()))
    headings = [html.unescape(re.sub("<[^>]+>", "", h)) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", markup)]
    assert [h.split(": ", 1)[1] for h in headings if h.startswith("New story")] == [
        "DiDi fined over riders' trip data",
        "ByteDance fined over children's accounts",
        "Meta leak exposed phone numbers",
        "WeChat passed chat logs to an advertising partner, report 1",
    ]
    for part in (text, html.unescape(markup)):
        assert "fine: CNY 8.0 bn" in part and "fine: €345.0 m" in part and "affected: 533 million" in part
    assert text.count("fine: ") == 2


@pytest.mark.parametrize(
    "fields,label",
    [
        ({"fine_amount": 5e9, "fine_currency": "USD", "fine_usd": 5e9}, "fine: $5.0 bn"),
        ({"fine_amount": 20e6, "fine_currency": "GBP", "fine_usd": 25.4e6, "affected": 40_000},
         "fine: £20.0 m; affected: 40,000"),
        ({"affected": 1_200_000_000}, "affected: 1.2 billion"),
        ({}, ""),
    ],
)  # fmt: skip
def test_digest_writes_fines_and_counts_short(fields, label):
    assert Severity.of(fields).label == label


def test_digest_shows_ten_articles_per_story_and_links_the_rest(run, tmp_path):
    def fill(database):
        for n in range(12):
            tagged_article(
                database,
                f"https://news.example/didi-{n}",
                f"DiDi trip records leak, day {n:02}",
                f"2025-03-{n + 1:02}",
                [("breach", "didi", f"DiDi trip records of riders leaked online, day {n}.")],
            )

    path = make_db(run, tmp_path, fill=fill)
    out = tmp_path / "d.eml"
    run("digest", "--dry-run", "--out", str(out), "--db", str(path))
    text, markup = parts(parse(out.read_bytes()))
    assert text.count("== New story: DiDi trip records leak, day 00 ==") == 1
    story = text.split("== New story", 1)[1]  # the shipped watchlists' sections come before it
    assert "day 11" in story and "day 02" in story and "leak, day 01\n" not in story
    assert "* and 2 more articles on the story's page" in text
    assert html.escape("http://127.0.0.1:8001/privwatch/story?story=1") in markup


def test_digest_flags_spikes_at_three_times_the_daily_mean_and_three_articles(run, tmp_path):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    path = make_db(run, tmp_path, fill=lambda database: spike_articles(database, now))
    database = store.open_db(path)
    spikes = find_spikes(database, now)
    database.close()
    assert [(s.company, s.incident_type, s.recent) for s in spikes] == [("DiDi Global", "breach", 4)]
    assert spikes[0].daily_mean == pytest.approx(1 / 14) and spikes[0].ratio == pytest.approx(56)

    out = tmp_path / "d.eml"
    run("digest", "--dry-run", "--out", str(out), "--db", str(path))
    text, markup = parts(parse(out.read_bytes()))
    section = text.split("== Spikes", 1)[1]
    assert " * DiDi Global, breach: 4 articles, 56.0x the daily mean of 0.07" in section
    assert "Tencent" not in section and "ByteDance" not in section
    assert "DiDi Global" in visible_text(markup).split("Spikes", 1)[1]


def test_digest_spike_with_no_earlier_articles_needs_only_the_minimum(tmp_path, run):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def fill(database):
        for n in range(3):
            tagged_article(
                database,
                f"https://news.example/meitu-{n}",
                f"Meitu {n}",
                now - dt.timedelta(hours=n + 1),
                [("profiling", "meitu", f"Meitu profiled {n}.")],
            )

    path = make_db(run, tmp_path, fill=fill)
    database = store.open_db(path)
    [spike] = find_spikes(database, now)
    database.close()
    assert (spike.recent, spike.daily_mean, spike.ratio) == (3, 0, None)


def test_digest_counts_articles_tagged_in_the_period_not_a_retagged_archive(run, tmp_path):
    long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=30)).isoformat(timespec="seconds")
    recently = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).isoformat(timespec="seconds")

    def fill(database):
        for url, fetched_at in (
            ("https://news.example/archive", long_ago),
            ("https://news.example/late", recently),
        ):
            article_id = store.upsert_article(
                database,
                {
                    "url": url,
                    "source_id": "szdaily",
                    "title": url.rsplit("/", 1)[1],
                    "body": url,
                    "published": "2025-01-01",
                    "fetched_at": fetched_at,
                },
            ).article_id
            company = "baidu" if url.endswith("archive") else "tencent"  # two stories
            tags = store.ArticleTags(
                mentions=[{"company_id": company, "role": "accused", "response": "none", "count": 1}],
                incidents=[{"incident_type": "breach", "company_id": company, "score": 1, "evidence": url}],
            )
            store.replace_tags(database, article_id, tags, "v2")

    path = make_db(run, tmp_path, fill=fill)
    out = tmp_path / "d.eml"
    run("digest", "--dry-run", "--out", str(out), "--db", str(path))
    text, _ = parts(parse(out.read_bytes()))
    assert "https://news.example/late" in text  # fetched 3 days ago, tagged just now: new to analysts
    assert "https://news.example/archive" not in text  # a re-tag of an old article is not news


def test_digest_of_an_empty_period_says_so_and_is_sent_only_when_configured(
    run, tmp_path, smtp_server, monkeypatch
):
    path = make_db(run, tmp_path)
    line = one_line_output(run("digest", "--db", str(path)))
    assert line.startswith("nothing new in ") and "digest.send_empty is off" in line
    assert smtp_server.envelopes == [] and digest_rows(path) == []

    monkeypatch.setenv("PRIVWATCH_DIGEST_SEND_EMPTY", "true")
    run("digest", "--db", str(path))
    [message] = smtp_server.messages
    text, markup = parts(message)
    body = [line for line in text.splitlines() if line.strip() and not line.startswith("--")]
    assert body[2] == "Nothing new: no privacy incidents and no spikes in this period."
    assert len(body) == 4  # heading, period, the one line, footer
    assert "Nothing new: no privacy incidents" in markup
    assert message["Subject"].endswith(": nothing new")
    [row] = digest_rows(path)
    assert row["items"] == 0


# -- safety -----------------------------------------------------------------------------------------------

HOSTILE_TITLE = "<script>alert('x')</script> & <img src=x onerror=alert(1)> leak"


def test_digest_html_keeps_hostile_titles_and_evidence_as_text(run, tmp_path):
    def fill(database):
        tagged_article(
            database,
            "javascript:alert(1)",
            HOSTILE_TITLE,
            "2025-03-01",
            [("breach", "baidu", "Users saw <b onmouseover=alert(2)>bold</b> records.")],
        )
        tagged_article(
            database,
            'https://news.example/q?a=1&b="><script>x()</script>',
            "Quoted URL",
            "2025-03-02",
            [("breach", "baidu", "Another leak.")],
        )

    path = make_db(run, tmp_path, fill=fill)
    out = tmp_path / "d.eml"
    run("digest", "--dry-run", "--out", str(out), "--db", str(path))
    text, markup = parts(parse(out.read_bytes()))

    tags = elements(markup)
    assert not [t for t, _ in tags if t in ("script", "img", "b")]
    assert not [a for _, a in tags if any(k.startswith("on") for k in a)]
    hrefs = [a.get("href", "") for t, a in tags if t == "a"]
    # javascript: is shown, never linked; "#..." are the summary's links to its sections
    assert not [h for h in hrefs if not h.startswith(("http", "#"))]
    assert 'https://news.example/q?a=1&b="><script>x()</script>' in hrefs  # one attribute, intact
    shown = visible_text(markup)
    assert HOSTILE_TITLE in shown and "javascript:alert(1)" in shown
    assert "<b onmouseover=alert(2)>bold</b>" in shown
    assert HOSTILE_TITLE in text  # plain text is plain
    # CSS is inlined: no <style> block left, style attributes instead
    assert "<style" not in markup and 'style="' in markup


def test_digest_headers_cannot_be_injected_through_names_titles_or_settings(
    run, config_dir, tmp_path, monkeypatch
):
    edit_companies(config_dir, {"tencent": "Tencent\r\nBcc: victim@evil.example"})
    monkeypatch.setenv("PRIVWATCH_DIGEST_SUBJECT", "privwatch\r\nX-Injected: subject")

    def fill(database):
        tagged_article(
            database,
            "https://news.example/crlf",
            "Title\r\nBcc: title@evil.example\r\n\r\nbody",
            "2025-03-01",
            [("surveillance", "tencent", "Tencent\r\nX-Evidence: yes watched.")],
        )

    path = make_db(run, tmp_path, fill=fill)
    out = tmp_path / "d.eml"
    run("digest", "--dry-run", "--out", str(out), "--db", str(path))
    message = parse(out.read_bytes())
    assert message["Bcc"] is None and message["X-Injected"] is None and message["X-Evidence"] is None
    assert sorted(set(message.keys())) == sorted(
        {"Subject", "From", "To", "Date", "Message-ID", "Auto-Submitted", "MIME-Version", "Content-Type"}
    )
    subject = message["Subject"]
    assert "\r" not in subject and "\n" not in subject
    assert subject.strip().startswith("privwatch X-Injected: subject ")
    assert "Tencent Bcc: victim@evil.example" in subject
    text, _ = parts(message)
    assert "Title Bcc: title@evil.example body" in text

    bad = run(
        "digest",
        "--to",
        "a@example.org\r\nBcc: evil@example.org",
        "--dry-run",
        "--out",
        str(out),
        "--db",
        str(path),
        expect=1,
    )
    assert "control characters" in one_line_output(bad)


def test_digest_keeps_chinese_company_names_in_subject_and_both_parts(run, config_dir, tmp_path):
    edit_companies(config_dir, {"ant-group": "蚂蚁集团控股"})

    def fill(database):
        seed_story(database)
        tagged_article(
            database,
            "https://news.example/zh",
            "支付宝年度账单默认勾选芝麻信用",
            "2018-01-04",
            [("consent", "ant-group", "支付宝默认勾选同意《芝麻服务协议》。")],
            unlinked={"深圳某数据公司": 2},
        )

    path = make_db(run, tmp_path, fill=fill)
    out = tmp_path / "d.eml"
    run("digest", "--dry-run", "--out", str(out), "--db", str(path))
    raw = out.read_bytes()
    raw.decode("ascii")  # 7-bit on the wire: encoded words and transfer encodings
    message = parse(raw)
    assert "蚂蚁集团控股" in message["Subject"]
    text, markup = parts(message)
    for part in (text, visible_text(markup)):
        # the Chinese report of the day before and the seed story are one story, in both languages, under
        # the headline of the report that names both accused companies
        assert "in 2 articles: 1 story (1 new)" in part and "Tencent, 蚂蚁集团控股" in part
        assert (
            "New story: Ant apologizes over misleading sign-up" in part
            and "支付宝年度账单默认勾选芝麻信用" in part
        )
        assert "深圳某数据公司" not in part  # only mentioned: not worth a line
    assert message.get_body(("html",)).get_content_charset() == "utf-8"


# -- the summary, the size of the HTML part, what is new ---------------------------------------------------


def summary_and_sections(markup: str) -> tuple[list[str], set[str]]:
    """The fragment links of the HTML part's summary block and the ids of its elements."""
    tags = elements(markup)
    ids = {attrs["id"] for _, attrs in tags if "id" in attrs}
    summary = markup.split('id="summary"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary), ids


def test_digest_starts_with_a_summary_whose_links_lead_to_their_sections(run, tmp_path):
    now = dt.datetime.now(dt.UTC)

    def fill(database):
        seed_story(database)
        spike_articles(database, now)
        tagged_article(
            database, "https://news.example/unclaimed", "Clinic records found on an open server", now,
            [("breach", None, "Patient records of a dental clinic sat on a server anyone could open.")],
        )  # fmt: skip

    path = make_db(run, tmp_path, fill=fill)
    out = tmp_path / "d.eml"
    run("digest", "--dry-run", "--out", str(out), "--db", str(path))
    text, markup = parts(parse(out.read_bytes()))

    # the HTML part: the wrapper's first element is the summary, holding the heading and the counts
    body = markup.split('<div class="wrap"', 1)[1].split(">", 1)[1].lstrip()
    assert body.startswith("<div") and 'id="summary"' in body.split(">", 1)[0]
    links, ids = summary_and_sections(markup)
    assert set(links) <= ids and {"spikes", "unattributed", "story-1"} <= set(links)
    summary = visible_text(markup.split('id="summary"', 1)[1].split("</div>", 1)[0])
    assert "incidents in" in summary and "New means tagged by privwatch in the last 24 hours" in summary
    assert "DiDi Global, breach" in summary
    # the text part: the same summary before the first section, its stories numbered
    head = text.split("\n== ", 1)[0]
    assert re.search(r"^\d+ incidents in \d+ articles: \d+ stories \(\d+ new\), 1 spike\.$", head, re.M)
    assert re.search(r"^ \d\. Ant apologizes over misleading sign-up — Ant Group, Tencent; new", head, re.M)
    assert "Spikes: DiDi Global, breach (4 articles)" in head
    assert "Also: 1 article with no known company accused" in head


def many_companies(database, companies: int = 60, articles: int = 3) -> None:
    """`companies` accused companies of the knowledge base with `articles` articles each, each article with
    two long evidence sentences."""
    ids = [r[0] for r in database.execute("SELECT id FROM companies ORDER BY id LIMIT ?", [companies])]
    for number, company_id in enumerate(ids):
        for n in range(articles):
            tagged_article(
                database,
                f"https://news.example/{company_id}/{n}",
                f"Regulator questions how {company_id} handled customer records, report {n}",
                f"2026-{1 + number % 11:02}-{1 + n:02}",
                [
                    ("breach", company_id, f"Investigators said a misconfigured storage bucket run by "
                     f"{company_id} exposed names, phone numbers and delivery addresses of customers for "
                     f"weeks before a security researcher noticed it and warned the firm (report {n})."),
                    ("enforcement", company_id, f"The regulator said it would decide within months whether "
                     f"{company_id} should pay a fine, and asked it to explain why the exposure went "
                     f"unnoticed by its own staff for so long (report {n})."),
                ],
            )  # fmt: skip


def test_digest_of_sixty_companies_keeps_its_html_part_under_100_kb_and_links_the_rest(run, tmp_path):
    path = make_db(run, tmp_path, fill=many_companies)
    out = tmp_path / "d.eml"
    run("digest", "--dry-run", "--out", str(out), "--db", str(path))
    message = parse(out.read_bytes())
    text, markup = parts(message)
    html_bytes = len(message.get_body(("html",)).get_content().encode())
    assert html_bytes < 100_000
    stories = len(re.findall(r"^== (?:New story|Update)", text, re.M))
    total = int(re.search(r"incidents in 180 articles: (\d+) stories", text).group(1))
    assert total >= 60 and 0 < stories < total
    more = total - stories
    assert f"and {count_of(more)} on the stories page: http://127.0.0.1:8001/privwatch/stories" in text
    shown = visible_text(markup)
    assert f"and {count_of(more)} on the stories page in Datasette" in shown
    assert 'href="http://127.0.0.1:8001/privwatch/stories"' in markup
    assert len(re.findall(r'<h2 id="story-', markup)) == stories
    links, ids = summary_and_sections(markup)
    assert links and set(links) <= ids

    # with less room, fewer stories in full: the summary stays, the rest is counted and linked
    database = store.open_db(path)
    zone = ZoneInfo("Asia/Shanghai")
    period = resolve_period(None, None, None, dt.datetime.now(dt.UTC))
    built = build_digest(
        database, period, zone=zone, datasette_url="https://privwatch.example.org", database_path=str(path)
    )
    small_text, small = render(built, heading="privwatch", zone=zone, budget=30_000)
    assert len(small.encode()) <= 30_000
    fewer = len(re.findall(r'<h2 id="story-', small))
    assert 0 < fewer < stories and 'id="summary"' in small
    assert f"and {count_of(total - fewer)} on the stories page" in small_text


def count_of(number: int) -> str:
    return f"{number} more {'story' if number == 1 else 'stories'}"


LONG_SENTENCE = (
    "According to the complaint, the lender's app asked for access to the phone's contacts, photos and "
    "location when it was installed, kept collecting them after borrowers had repaid their loans, and sent "
    "messages to relatives and colleagues of borrowers who were late with a payment, which the regulator "
    "called a serious breach of the rules on the handling of personal information."
)


def test_digest_shows_evidence_whole_and_marks_articles_published_long_before(run, tmp_path):
    now = dt.datetime.now(dt.UTC)

    def fill(database):
        tagged_article(
            database, "https://news.example/lender", "Lender's app copied borrowers' contacts",
            now - dt.timedelta(days=1), [("collection", "didi", LONG_SENTENCE)],
        )  # fmt: skip
        tagged_article(
            database, "https://news.example/old", "Ride records sold, a 2019 report", "2019-05-02",
            [("breach", "bytedance", "A 2019 report said ride records were sold on a forum.")],
        )  # fmt: skip

    path = make_db(run, tmp_path, fill=fill)
    out = tmp_path / "d.eml"
    run("digest", "--dry-run", "--out", str(out), "--db", str(path))
    text, markup = parts(parse(out.read_bytes()))
    assert len(LONG_SENTENCE) > 300
    assert LONG_SENTENCE in visible_text(markup).replace("\n", " ")
    assert LONG_SENTENCE in " ".join(text.split())
    pieces = {line: line.strip("“” -") for line in text.splitlines()}
    evidence = [line for line, piece in pieces.items() if len(piece) > 20 and piece in LONG_SENTENCE]
    assert len(evidence) >= 4 and max(len(line) for line in evidence) <= 78  # wrapped
    seen = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    for part in (text, visible_text(markup)):
        assert f"(published 2019-05-02, first seen {seen})" in part
        yesterday = (now - dt.timedelta(days=1)).astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
        assert f", published {yesterday}" in part and f"{yesterday}, first seen" not in part


def test_digest_lists_only_accused_unknown_organisations_with_plausible_names(run, tmp_path):
    def fill(database):
        tagged_article(
            database, "https://news.example/vantor", "Vantor Media sold listener profiles", "2026-11-30",
            [("sharing", "bytedance", "ByteDance bought listener profiles for its ad tools.")],
            org_incidents=[
                ("sharing", "Vantor Media", "Vantor Media sold listener profiles to advertisers."),
                ("sharing", "Qu", "Qu said the profiles were sold."),
                ("sharing", "Harbour Trust of", "Harbour Trust of the city sold data too."),
                ("sharing", "“Listen & Learn", "The “Listen & Learn programme shared data."),
                ("collection", "鹭岛数据科技", "鹭岛数据科技收集了听众的位置信息。"),
            ],
            unlinked={"Kestrel Analytics": 2},
        )  # fmt: skip

    path = make_db(run, tmp_path, fill=fill)
    out = tmp_path / "d.eml"
    run("digest", "--dry-run", "--out", str(out), "--db", str(path))
    text, markup = parts(parse(out.read_bytes()))
    section = text.split("== Accused organisations not in the knowledge base ==", 1)[1].split("\n--\n")[0]
    assert re.findall(r"^ \* (.+) \(1 article\)$", section, re.M) == ["Vantor Media", "鹭岛数据科技"]
    assert "Also: 2 accused organisations not in the knowledge base" in text
    listed = visible_text(markup.split('id="unknown-organisations"', 1)[1])
    assert "Vantor Media" in listed and "鹭岛数据科技" in listed and "Kestrel" not in listed


@pytest.mark.parametrize(
    "name, plausible",
    [
        ("Vantor Media", True), ("KPN", True), ("eBay", True), ("Kestrel’s", True), ("鹭岛数据科技", True),
        ("Bank of Lantau", True), ("Qu", False), ("Wei", True), ("820bn", False), ("X9", False),
        ("Harbour Trust of", False), ("Pinecrest and", False), ("“Listen & Learn", False),
        ("Orbit (Shenzhen", False), ('"Quiet Mode', False), ("鹭", False), ("the app", False),
    ],
)  # fmt: skip
def test_plausible_org_name_drops_fragments_of_names(name, plausible):
    from nlp.names import plausible_org_name

    assert plausible_org_name(name) is plausible


def test_digest_refuses_to_send_with_a_local_datasette_url_and_a_dry_run_says_it_uses_it(
    run, seeded_db, smtp_server, monkeypatch, tmp_path
):
    monkeypatch.delenv("PRIVWATCH_DIGEST_DATASETTE_URL")
    line = one_line_output(run("digest", "--db", str(seeded_db), expect=1))
    assert line.startswith("Error: digest.datasette_url is http://127.0.0.1:8001") and "settings.yaml" in line
    assert smtp_server.envelopes == [] and digest_rows(seeded_db) == []

    out = tmp_path / "d.eml"
    line = one_line_output(run("digest", "--dry-run", "--out", str(out), "--db", str(seeded_db)))
    local = "; its links point at the local Datasette http://127.0.0.1:8001 (digest.datasette_url)"
    assert line.endswith(local)

    monkeypatch.setenv("PRIVWATCH_DIGEST_DATASETTE_URL", "https://datasette.example.org/")
    line = one_line_output(run("digest", "--dry-run", "--out", str(out), "--db", str(seeded_db)))
    assert "local Datasette" not in line
    assert one_line_output(run("digest", "--db", str(seeded_db))).startswith("sent digest #1")


@pytest.mark.parametrize(
    "url, local",
    [
        ("http://127.0.0.1:8001", True), ("http://localhost:8001/", True), ("http://[::1]:8001", True),
        ("http://0.0.0.0:8001", True), ("http://127.8.0.2", True), ("http://datasette.localhost", True),
        ("https://privwatch.example.org", False), ("http://10.1.2.3:8001", False), ("", True),
    ],
)  # fmt: skip
def test_local_datasette_urls(url, local):
    assert is_local_url(url) is local


# -- the command line -----------------------------------------------------------------------------------


def test_digest_refuses_bad_options_with_one_line(run, seeded_db, tmp_path, monkeypatch):
    monkeypatch.delenv("PRIVWATCH_DIGEST_RECIPIENTS", raising=False)
    cases = [
        (("--dry-run",), "give --out FILE.eml"),
        (("--out", str(tmp_path / "x.eml")), "--out goes with --dry-run"),
        ((), "no recipients"),
        (("--to", "not-an-address"), "is not an e-mail address"),
        (("--to", "a@example.org", "--since", "2025-03-02", "--until", "2025-03-01"), "is not before"),
        (("--dry-run", "--out", str(tmp_path / "missing" / "x.eml")), "cannot write"),
    ]
    for args, problem in cases:
        result = run("digest", *args, "--db", str(seeded_db), expect=1)
        line = one_line_output(result)
        assert line.startswith("Error: ") and problem in line, (args, line)
    assert run("digest", "--since", "yesterday", "--db", str(seeded_db), expect=2).exit_code == 2
    assert digest_rows(seeded_db) == []


def test_digest_reads_naive_times_in_the_digest_time_zone():
    zone = ZoneInfo("Asia/Shanghai")
    since = dt.datetime(2025, 3, 20, 7, 30, tzinfo=zone)
    period = resolve_period(since, None, None, dt.datetime(2025, 3, 21, tzinfo=dt.UTC))
    assert period.start_iso == "2025-03-19T23:30:00+00:00" and period.end_iso == "2025-03-21T00:00:00+00:00"
    assert period.label(zone) == "2025-03-20 07:30 to 2025-03-21 08:00 (Asia/Shanghai)"
    default = resolve_period(None, None, None, dt.datetime(2025, 3, 21, tzinfo=dt.UTC))
    assert default.start_iso == "2025-03-20T00:00:00+00:00"
    after_last = resolve_period(
        None, None, "2025-03-20T12:00:00+00:00", dt.datetime(2025, 3, 21, tzinfo=dt.UTC)
    )
    assert after_last.start_iso == "2025-03-20T12:00:00+00:00"
