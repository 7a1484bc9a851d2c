"""Watchlists and immediate alerts: a real crawl and tag against the fixture site, e-mail to aiosmtpd and
webhook posts to a local HTTP server, both on 127.0.0.1; failures, retries, dry runs and header safety."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from benchmarks.sites import free_port
from config.models import REPO_CONFIG_DIR, Config, ConfigError
from privwatch.cli import cli
from privwatch.digest import mail as digest_mail
from storage import db as store
from storage.watchlists import term_pattern

from .conftest import FIXTURES
from .digest_fixtures import tagged_article
from .sitesrv import SiteServer
from .test_digest import (
    DATASETTE_URL,
    RECIPIENTS,
    Inbox,
    make_db,
    next_second,
    parse,
    parts,
    point_settings_at,
)

PRIVWATCH = str(Path(sys.executable).parent / "privwatch")
SZDAILY = FIXTURES / "sites" / "szdaily"
SEED_TITLE = "Ant apologizes over misleading sign-up"
ANALYST = "analyst@example.org"


# -- helpers ------------------------------------------------------------------------------------------


class Webhook:
    """A local webhook endpoint: keeps every JSON body it receives and answers the given statuses first
    (one per request), then 200."""

    def __init__(self, statuses: list[int] | None = None):
        self.statuses = list(statuses or [])
        self.posts: list[dict] = []
        self.answers: list[int] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = hook.statuses.pop(0) if hook.statuses else 200
                hook.answers.append(status)
                if status == 200:
                    hook.posts.append({"type": self.headers["Content-Type"], "json": json.loads(body)})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T000/B000/secret-token"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    hook = Webhook()
    yield hook
    hook.stop()


def write_watchlists(config_dir: Path, *watchlists: dict) -> None:
    text = yaml.safe_dump({"version": 1, "watchlists": list(watchlists)}, allow_unicode=True, sort_keys=False)
    (config_dir / "watchlists.yaml").write_text(text, encoding="utf-8")


def invoke(config_dir: Path, *args: str, expect: int | None = 0):
    result = CliRunner().invoke(cli, ["--config-dir", str(config_dir), *args])
    if expect is not None:
        assert result.exit_code == expect, f"{args} exited {result.exit_code}:\n{result.output}"
    return result


def alert_rows(path: Path) -> list[dict]:
    with closing(store.open_db(path)) as database:
        return list(database.query("SELECT * FROM alerts ORDER BY channel, id"))


def tencent_watch(webhook_url: str, **changes) -> dict:
    return {
        "id": "tencent-watch",
        "name": "Tencent watch",
        "companies": ["tencent"],
        "delivery": "immediate",
        "recipients": [f"Analyst <{ANALYST}>"],
        "webhook": webhook_url,
        **changes,
    }


# -- a crawl and a tag, as the scheduler runs them --------------------------------------------------------


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """A config with an immediate Tencent watchlist and a database that crawled the fixture Shenzhen Daily
    (untagged); each test copies both."""
    import shutil

    tmp = tmp_path_factory.mktemp("alerts-crawl")
    config_dir = tmp / "config"
    shutil.copytree(REPO_CONFIG_DIR, config_dir)
    write_watchlists(config_dir, tencent_watch("http://127.0.0.1:9/not-yet"))
    settings = yaml.safe_load((config_dir / "settings.yaml").read_text(encoding="utf-8"))
    settings["crawl"].update(autothrottle=False, download_delay=0, retries=0)
    (config_dir / "settings.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    db = tmp / "crawled.db"
    with SiteServer(SZDAILY) as server:
        sources = yaml.safe_load((config_dir / "sources.yaml").read_text(encoding="utf-8"))
        szdaily = next(s for s in sources["sources"] if s["id"] == "szdaily")
        szdaily.update(
            url=server.url("/"),
            start_urls=[server.url(p) for p in ("/node_3036.htm", "/node_3040.htm", "/node_3044.htm")],
            allowed_domains=["127.0.0.1"],
        )
        sources["sources"] = [szdaily]
        (config_dir / "sources.yaml").write_text(
            yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8"
        )
        for verb in ("init", "crawl"):
            command = [PRIVWATCH, "--config-dir", str(config_dir), verb, "--db", str(db)]
            done = subprocess.run(command, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stdout + done.stderr
    return SimpleNamespace(config_dir=config_dir, db=db)


@pytest.fixture
def crawl_copy(crawled, tmp_path):
    import shutil

    config_dir = tmp_path / "config"
    shutil.copytree(crawled.config_dir, config_dir)
    db = tmp_path / "privwatch.db"
    with sqlite3.connect(crawled.db) as source, sqlite3.connect(db) as target:
        source.backup(target)
    return SimpleNamespace(config_dir=config_dir, db=db)


def test_a_tag_run_alerts_once_by_email_and_webhook_and_the_next_run_sends_nothing(
    crawl_copy, smtp_server, webhook
):
    write_watchlists(crawl_copy.config_dir, tencent_watch(webhook.url))
    result = invoke(crawl_copy.config_dir, "tag", "--db", str(crawl_copy.db))
    assert "alerts: sent 1 alert e-mail, 1 webhook post" in result.output

    assert len(smtp_server.envelopes) == 1 and len(webhook.posts) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == [ANALYST]
    message = parse(envelope.original_content or envelope.content)
    assert message["Subject"] == f"privwatch alert [Tencent watch]: Tencent: {SEED_TITLE}"
    assert message["To"] == f"Analyst <{ANALYST}>" and message["Message-ID"].startswith("<privwatch-alert.")
    text, markup = parts(message)
    assert SEED_TITLE in text and "Tencent" in text and "surveillance" in text
    assert f"{DATASETTE_URL}/privwatch/articles/" in text
    assert "/-/feeds/watchlists/tencent-watch.atom" in markup

    post = webhook.posts[0]
    assert post["type"] == "application/json; charset=utf-8"
    payload = post["json"]
    assert payload["watchlist"] == {"id": "tencent-watch", "name": "Tencent watch"}
    [article] = payload["articles"]
    assert article["title"] == SEED_TITLE and article["accused"] == ["Tencent"]
    assert article["types"] == ["surveillance"] and "Tencent" in article["evidence"][0]["sentence"]
    assert payload["text"].startswith("privwatch alert [Tencent watch]: Tencent: Ant apologizes")

    rows = alert_rows(crawl_copy.db)
    assert [(r["channel"], r["status"], r["attempts"]) for r in rows] == [
        ("email", "sent", 1),
        ("webhook", "sent", 1),
    ]
    assert rows[0]["sent_to"] == json.dumps([ANALYST]) and rows[0]["message_id"] == message["Message-ID"]
    port = webhook.server.server_address[1]
    assert rows[1]["sent_to"] == f"http://127.0.0.1:{port}"  # never the secret path

    again = invoke(crawl_copy.config_dir, "tag", "--db", str(crawl_copy.db))
    assert "nothing to tag" in again.output and "alerts:" not in again.output
    assert (
        "alerts: nothing owed" in invoke(crawl_copy.config_dir, "alerts", "--db", str(crawl_copy.db)).output
    )
    assert len(smtp_server.envelopes) == 1 and len(webhook.posts) == 1 and len(alert_rows(crawl_copy.db)) == 2


def test_an_alert_the_smtp_server_missed_arrives_on_the_next_run_once(crawl_copy, webhook, monkeypatch):
    port = free_port()  # nothing listens there yet
    point_settings_at(monkeypatch, port)
    write_watchlists(crawl_copy.config_dir, tencent_watch(webhook.url))
    result = invoke(crawl_copy.config_dir, "tag", "--db", str(crawl_copy.db))  # tagging still succeeds
    assert "warning: alert not sent, still owed: tencent-watch (email): SMTP 127.0.0.1" in result.output
    assert len(webhook.posts) == 1  # the webhook did not wait for the mail server
    email = next(r for r in alert_rows(crawl_copy.db) if r["channel"] == "email")
    assert email["status"] == "owed" and email["attempts"] == 1 and "ConnectionRefusedError" in email["error"]

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert (
            "sent 1 alert e-mail, 0 webhook posts"
            in invoke(crawl_copy.config_dir, "alerts", "--db", str(crawl_copy.db)).output
        )
        invoke(crawl_copy.config_dir, "tag", "--db", str(crawl_copy.db))
        invoke(crawl_copy.config_dir, "alerts", "--db", str(crawl_copy.db))
    finally:
        controller.stop()
    assert len(inbox.envelopes) == 1 and len(webhook.posts) == 1
    rows = alert_rows(crawl_copy.db)
    assert [(r["channel"], r["status"], r["attempts"]) for r in rows] == [
        ("email", "sent", 2),
        ("webhook", "sent", 1),
    ]


# -- alerts on a database filled through storage ------------------------------------------------------------

DIDI_LEAK = "DiDi said a contractor leaked the trip records of riders."


def didi_leak(database) -> int:
    return tagged_article(
        database, "https://news.example/didi-leak", "DiDi trip records leaked", "2025-03-02",
        [("breach", "didi", DIDI_LEAK)],
    )  # fmt: skip


@pytest.fixture
def breach_db(run, config_dir, tmp_path, monkeypatch):
    """A database whose config watches breaches (webhook only); one Didi breach stored after that."""
    monkeypatch.setattr(digest_mail, "time", SimpleNamespace(sleep=lambda seconds: None))
    write_watchlists(
        config_dir,
        {"id": "breaches", "name": "Breaches", "types": ["breach"], "webhook": "http://127.0.0.1:9/x"},
    )
    path = tmp_path / "privwatch.db"
    run("init", "--db", str(path))
    database = store.open_db(path)
    didi_leak(database)
    database.close()
    return path


def point_webhook(config_dir: Path, url: str, **changes) -> None:
    write_watchlists(
        config_dir, {"id": "breaches", "name": "Breaches", "types": ["breach"], "webhook": url, **changes}
    )


def test_a_webhook_that_fails_is_retried_then_recovers_on_the_next_run(
    run, config_dir, breach_db, monkeypatch
):
    monkeypatch.setenv("PRIVWATCH_ALERTS_WEBHOOK_RETRIES", "1")
    hook = Webhook(statuses=[503, 503, 503])
    try:
        point_webhook(config_dir, hook.url)
        failed = run("alerts", "--db", str(breach_db), expect=1)
        assert "breaches (webhook): webhook http://127.0.0.1:" in failed.output
        assert "HTTP 503" in failed.output and "gave up after 2 attempts" in failed.output
        [row] = alert_rows(breach_db)
        assert (row["status"], row["attempts"], row["sent_at"]) == ("owed", 1, None)
        assert "secret-token" not in row["error"]

        run("alerts", "--db", str(breach_db))  # 503, then 200 on the retry
        run("alerts", "--db", str(breach_db))
    finally:
        hook.stop()
    assert hook.answers == [503, 503, 503, 200]
    assert len(hook.posts) == 1 and hook.posts[0]["json"]["articles"][0]["accused"] == ["DiDi Global"]
    [row] = alert_rows(breach_db)
    assert (row["status"], row["attempts"]) == ("sent", 2)


def test_a_refused_webhook_is_not_retried_within_the_run(run, config_dir, breach_db, monkeypatch):
    monkeypatch.setenv("PRIVWATCH_ALERTS_WEBHOOK_RETRIES", "3")
    hook = Webhook(statuses=[404])
    try:
        point_webhook(config_dir, hook.url)
        assert "HTTP 404" in run("alerts", "--db", str(breach_db), expect=1).output
        assert hook.answers == [404]
        run("alerts", "--db", str(breach_db))
    finally:
        hook.stop()
    assert hook.answers == [404, 200] and alert_rows(breach_db)[0]["status"] == "sent"


def test_articles_stored_before_the_watchlist_was_added_are_not_alerted(run, config_dir, tmp_path, webhook):
    path = tmp_path / "privwatch.db"
    write_watchlists(config_dir)
    run("init", "--db", str(path))
    database = store.open_db(path)
    tagged_article(database, "https://news.example/old", "Old Didi leak", "2025-03-01",
                   [("breach", "didi", "DiDi leaked rider records last year.")])  # fmt: skip
    database.close()
    next_second()  # times have whole seconds: the watchlist comes a second after the article
    point_webhook(config_dir, webhook.url)
    assert "nothing owed" in run("alerts", "--db", str(path)).output

    database = store.open_db(path)
    tagged_article(database, "https://news.example/new", "New Didi leak", "2025-03-05",
                   [("breach", "didi", "DiDi leaked rider records again.")])  # fmt: skip
    database.close()
    run("alerts", "--db", str(path))
    assert [p["json"]["articles"][0]["title"] for p in webhook.posts] == ["New Didi leak"]


def test_a_dry_run_writes_what_is_owed_and_records_nothing(run, config_dir, breach_db, tmp_path, webhook):
    point_webhook(config_dir, webhook.url, delivery="immediate", recipients=[ANALYST])
    out = tmp_path / "owed"
    result = run("alerts", "--dry-run", "--out", str(out), "--db", str(breach_db))
    assert "wrote 2 alert messages" in result.output and "not sent, not recorded" in result.output
    files = sorted(p.name for p in out.iterdir())
    assert files == ["alert-001-breaches-email.eml", "alert-002-breaches-webhook.json"]
    message = parse((out / files[0]).read_bytes())
    assert message["Subject"] == "privwatch alert [Breaches]: DiDi Global: DiDi trip records leaked"
    assert json.loads((out / files[1]).read_text())["watchlist"]["id"] == "breaches"
    assert alert_rows(breach_db) == [] and webhook.posts == []
    run("alerts", "--dry-run", "--db", str(breach_db), expect=2)  # --dry-run needs --out


def test_alerts_keep_hostile_titles_out_of_headers_markup_and_chat_links(
    run, config_dir, tmp_path, webhook, smtp_server
):
    point_webhook(config_dir, webhook.url, delivery="immediate", recipients=[ANALYST])
    hostile = "Leak\r\nBcc: victim@evil.example <script>alert(1)</script> <https://evil.example|click>"
    evidence = "DiDi <b>leaked</b>\r\nX-Evidence: yes records."
    path = make_db(
        run, tmp_path, fill=lambda db: tagged_article(db, "javascript:alert(1)", hostile, "2025-03-01",
                                                      [("breach", "didi", evidence)])
    )  # fmt: skip
    out = tmp_path / "owed"
    run("alerts", "--dry-run", "--out", str(out), "--db", str(path))
    message = parse((out / "alert-001-breaches-email.eml").read_bytes())
    assert message["Bcc"] is None and message["X-Evidence"] is None
    assert "\n" not in message["Subject"] and "Leak Bcc: victim@evil.example" in message["Subject"]
    _, markup = parts(message)
    assert "<script>" not in markup and "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "<b>leaked</b>" not in markup and 'href="javascript:' not in markup
    run("alerts", "--db", str(path))
    assert smtp_server.envelopes[0].rcpt_tos == [ANALYST]  # no Bcc reached the envelope
    text = webhook.posts[0]["json"]["text"]
    assert "<https://evil.example|click>" not in text and "&lt;https://evil.example|click&gt;" in text


def test_articles_of_one_story_share_one_message(run, config_dir, breach_db, webhook):
    from config.settings import StorySettings
    from nlp.stories import update_stories

    point_webhook(config_dir, webhook.url)
    database = store.open_db(breach_db)
    tagged_article(
        database,
        "https://other.example/didi-leak",
        "DiDi confirms trip records leaked",
        "2025-03-02",
        [("breach", "didi", "DiDi confirmed a contractor leaked the trip records of riders.")],
        source_id="techcrunch",
    )
    update_stories(database, StorySettings())
    stories = database.execute("SELECT count(*) FROM stories").fetchone()[0]
    database.close()
    assert stories == 1
    run("alerts", "--db", str(breach_db))
    [post] = webhook.posts
    assert post["json"]["story"]["id"] == 1 and len(post["json"]["articles"]) == 2
    assert [r["status"] for r in alert_rows(breach_db)] == ["sent", "sent"]


def test_a_watchlist_that_loses_its_webhook_drops_what_it_owed(run, config_dir, breach_db):
    point_webhook(config_dir, "http://127.0.0.1:9/down")
    run("alerts", "--db", str(breach_db), expect=1)
    write_watchlists(config_dir, {"id": "breaches", "name": "Breaches", "types": ["breach"]})
    assert "1 dropped" in run("alerts", "--db", str(breach_db)).output
    [row] = alert_rows(breach_db)
    assert row["status"] == "dropped" and "no longer sends to a webhook" in row["error"]


def test_the_scheduler_sends_what_is_owed_after_a_crawl_that_found_nothing_new(
    run, config_dir, breach_db, monkeypatch
):
    from privwatch import scheduler

    verbs = []

    def child(command, timeout):
        verb = command[command.index("--config-dir") + 2]
        verbs.append(verb)
        if verb == "crawl":  # a crawl that stored nothing new
            with closing(store.open_db(breach_db)) as database:
                store.finish_crawl_run(database, store.start_crawl_run(database, "szdaily"), "ok")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(scheduler.CHILDREN, "run", child)
    scheduler.crawl_and_tag("szdaily", str(config_dir), str(breach_db))
    assert verbs == ["crawl"]
    run("alerts", "--db", str(breach_db), expect=1)  # the webhook is down: the alert stays owed
    scheduler.crawl_and_tag("szdaily", str(config_dir), str(breach_db))
    assert verbs == ["crawl", "crawl", "alerts"]


# -- the digest's watchlist sections ----------------------------------------------------------------------


def test_a_digest_watchlist_gets_a_section_and_its_recipients_get_the_digest(
    run, config_dir, tmp_path, smtp_server
):
    write_watchlists(
        config_dir,
        {"id": "breaches", "name": "Breaches", "types": ["breach"], "recipients": ["desk@example.org"]},
        {"id": "didi", "name": "DiDi", "companies": ["didi"], "delivery": "immediate"},
    )

    def fill(database):
        didi_leak(database)
        tagged_article(database, "https://news.example/meta-ads", "Meta profiles teens", "2025-03-03",
                       [("profiling", "meta", "Meta built ad profiles of teenagers.")])  # fmt: skip

    path = make_db(run, tmp_path, fill=fill)
    run("digest", "--db", str(path))
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == [*RECIPIENTS, "desk@example.org"]
    text, markup = parts(parse(envelope.original_content or envelope.content))
    section = text.split("== Watchlist Breaches: 1 article ==", 1)[1].split("==", 1)[0]
    assert "DiDi trip records leaked" in section and "Meta" not in section
    assert DIDI_LEAK in section
    assert f"feed: {DATASETTE_URL}/-/feeds/watchlists/breaches.atom" in section
    assert "Watchlist DiDi" not in text  # an immediate watchlist has no section
    assert "Watchlist:</span> Breaches (1 article)" in markup


# -- configuration -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "watchlist,problem",
    [
        ({"companies": ["tencnet"]}, r"watchlists\[0\]\.companies\[0\]: unknown company id 'tencnet' "
                                     r"\(not in companies\.yaml\); did you mean 'tencent'\?"),
        ({"types": ["leak"]}, r"watchlists\[0\]\.types\[0\]: unknown incident type 'leak'"),
        ({}, r"watchlists\[0\]: a watchlist needs companies, types or terms"),
        ({"types": ["breach"], "recipients": ["a@x.org\r\nBcc: b@y.org"]}, r"recipients\[0\]: .*control"),
        ({"types": ["breach"], "delivery": "hourly"}, r"watchlists\[0\]\.delivery: Input should be"),
        ({"types": ["breach"], "webhook": "ftp://x"}, r"watchlists\[0\]\.webhook: URL scheme should be"),
    ],
)  # fmt: skip
def test_a_bad_watchlist_is_one_config_error(config_dir, watchlist, problem):
    import re

    write_watchlists(config_dir, {"id": "w", "name": "W", **watchlist})
    with pytest.raises(ConfigError) as error:
        Config(config_dir).check()
    message = str(error.value)
    assert message.startswith(f"{config_dir / 'watchlists.yaml'}: ") and "\n" not in message
    assert re.search(problem, message), message


def test_the_shipped_watchlists_are_valid_and_a_missing_file_means_none(config_dir):
    assert {w.id for w in Config().watchlists} >= {"china-platforms", "breaches"}
    (config_dir / "watchlists.yaml").unlink()
    assert Config(config_dir).watchlists == []


@pytest.mark.parametrize(
    "term,text,found",
    [
        ("Meta", "Meta fined", True),
        ("meta", "new metadata rules", False),
        ("face recognition", "police used face recognition.", True),
        ("人脸识别", "商场使用人脸识别系统", True),
        ("C++*", "a c++* compiler", True),
        ("C++*", "a c++x compiler", False),
    ],
)
def test_a_term_matches_whole_latin_words_and_chinese_anywhere(term, text, found):
    database = sqlite3.connect(":memory:")
    haystack = " " + text.lower() + " "
    assert bool(database.execute("SELECT ? GLOB ?", [haystack, term_pattern(term)]).fetchone()[0]) is found
