"""Reliability: what a hostile page can put on an analyst's screen, what one SQL call can cost, and how
long a stop takes.

Bidi overrides (U+202E shows "gnp.exe" as "exe.png") and control characters never reach a stored title,
author or company name, nor the digest's headers or text; a long Subject reads back exactly; one SQL
function call cannot allocate gigabytes in `privwatch serve`; SIGTERM ends a crawl stuck on stalled
downloads within seconds, its run and its unfetched pages recorded."""

from __future__ import annotations

import asyncio
import email
import signal
import subprocess
import time
from datetime import UTC, datetime
from email.headerregistry import Address
from email.policy import default

import pytest

from config.models import Config
from crawlers.pipelines import NormalisePipeline
from privwatch.digest.mail import compose_message
from privwatch.serve import build_datasette
from storage import db as store
from storage.text import visible_line, visible_text
from tests.digest_fixtures import SEED_TITLE, seed_story
from tests.test_crawl import only_sources
from tests.test_digest import make_db, parse, parts

from .faultsrv import FaultServer
from .test_reliability_crawl import PRIVWATCH, listing, source

RLO, PDF, LRI, PDI, RLM = "\u202e", "\u202c", "\u2066", "\u2069", "\u200f"
BIDI = (RLO, PDF, LRI, PDI, RLM, "\u202a", "\u202b", "\u202d", "\u2067", "\u2068", "\u200e", "\u061c")


def spoofed(text: str) -> str:
    return f"{RLO}{text}{PDF}"


@pytest.mark.parametrize("mark", BIDI)
def test_every_bidi_mark_goes_from_lines_and_bodies(mark):
    assert visible_line(f"Lumo{mark}Bank fined") == "LumoBank fined"
    assert visible_text(f"First{mark} paragraph.\n\nSecond.") == "First paragraph.\n\nSecond."


def test_controls_separate_words_and_scripts_keep_their_joiners():
    assert visible_line("Harbour Bank\r\nleak\x0bcontinues\u2028today\x85now") == (
        "Harbour Bank leak continues today now"
    )
    assert visible_text("one\ttwo\nthree\x00four") == "one\ttwo\nthree four"
    # zero-width joiners build emoji and are required in Persian and Indic words
    assert (
        visible_line("می\u200cخواهم \U0001f469\u200d\U0001f4bb") == "می\u200cخواهم \U0001f469\u200d\U0001f4bb"
    )


def test_stored_title_author_credit_and_body_hold_no_bidi_or_controls(tmp_path):
    database = store.open_db(tmp_path / "t.db")
    database["sources"].insert({"id": "s", "name": "S", "kind": "feed", "url": "https://s.example/"})
    title = spoofed("Kestrel Pay fined over leaked card numbers")
    result = store.upsert_article(
        database,
        {
            "url": "https://s.example/a",
            "source_id": "s",
            "title": title,
            "author": f"Mina{RLM} Okafor\r\nBcc: victim@example.org",
            "credit": f"{LRI}Harbour Desk{PDI}",
            "section": "Tech\x00",
            "body": f"Kestrel Pay said{RLO} the card numbers were exposed.\n\nRegulators opened a probe.",
        },
    )
    row = database["articles"].get(result.article_id)
    assert row["title"] == "Kestrel Pay fined over leaked card numbers"
    assert row["author"] == "Mina Okafor Bcc: victim@example.org"
    assert row["credit"] == "Harbour Desk"
    assert row["section"] == "Tech"
    assert row["body"] == "Kestrel Pay said the card numbers were exposed.\n\nRegulators opened a probe."
    # the hash is of the stored body: a later crawl of the clean page finds it unchanged
    again = store.upsert_article(
        database, {"url": "https://s.example/a", "source_id": "s", "title": "x", "body": row["body"]}
    )
    assert again.outcome == "unchanged"


def test_the_crawl_normaliser_removes_bidi_before_the_body_is_hashed():
    item = NormalisePipeline().process_item(
        {
            "title": spoofed("Orbit Mobile apologises"),
            "body": f"Orbit{RLO} Mobile\u2028apologised.\n{LRI}It fixed the bug.{PDI}",
            "authors": [f"{RLM}Ada Lin"],
        }
    )
    assert item["title"] == "Orbit Mobile apologises"
    assert item["body"] == "Orbit Mobile apologised.\n\nIt fixed the bug."
    assert item["authors"] == ["Ada Lin"]


def test_company_names_from_config_are_stored_without_bidi(tmp_path):
    database = store.open_db(tmp_path / "t.db")
    rows = store.ConfigRows(companies=[{"id": "kestrel", "name": spoofed("Kestrel Pay")}])
    store.load_config_rows(database, rows)
    assert database["companies"].get("kestrel")["name"] == "Kestrel Pay"


def test_digest_headers_and_both_parts_hold_no_bidi_even_from_rows_stored_before(run, tmp_path):
    path = make_db(run, tmp_path, fill=seed_story)
    database = store.open_db(path)
    # a row stored before storage cleaned text: written as it was, around storage.db
    database.execute("UPDATE articles SET title = ?", [spoofed(SEED_TITLE)])
    database.execute("UPDATE companies SET name = ? WHERE id = 'tencent'", [spoofed("Tencent")])
    database.conn.commit()
    database.close()
    out = tmp_path / "d.eml"
    run("digest", "--dry-run", "--out", str(out), "--db", str(path))
    message = parse(out.read_bytes())
    text, markup = parts(message)
    for shown in (message["Subject"], text, markup):
        assert not any(mark in shown for mark in BIDI)
    assert "Tencent" in message["Subject"]
    assert SEED_TITLE in text and SEED_TITLE in markup


@pytest.mark.parametrize(
    "subject",
    [
        "privwatch digest 2026-12-06: 14 incidents (Kestrel Pay, Orbit Mobile and 12 more), 2 spikes",
        "[privwatch-digest-for-the-risk-analysts-of-harbour-capital-partners]x 2026-12-06: 3 incidents",
        "隐私监测日报 2026-12-06: 3 incidents (蚂蚁集团, 腾讯控股有限公司, 拼多多控股公司 and 9 more)",
        "privwatch digest 2026-12-06: " + ", ".join(f"Company{n} Holdings" for n in range(12)),
    ],
)
def test_a_long_subject_reads_back_exactly_with_no_leading_space(subject):
    message = compose_message(
        subject=subject,
        sender=Address("privwatch", "digest", "example.org"),
        recipients=[Address("", "analyst", "example.org")],
        text="t",
        html="<p>t</p>",
        now=datetime(2026, 12, 6, tzinfo=UTC),
    )
    raw = message.as_bytes()
    assert all(len(line) <= 78 for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n"))
    assert email.message_from_bytes(raw, policy=default)["Subject"] == subject


def test_one_sql_call_cannot_allocate_gigabytes_in_serve(tmp_path):
    path = tmp_path / "served.db"
    store.open_db(path).conn.close()
    datasette = build_datasette(path, Config())

    async def query(sql: str):
        await datasette.invoke_startup()
        return await datasette.client.get(f"/served.json?sql={sql}&_shape=array")

    huge = asyncio.run(query("select length(hex(randomblob(400000000))) as n"))
    assert huge.status_code == 400
    assert "too big" in huge.text
    fine = asyncio.run(query("select length(hex(randomblob(1000))) as n"))
    assert fine.json() == [{"n": 2000}]


def test_sigterm_ends_a_crawl_stuck_on_stalled_downloads_within_seconds(tmp_path, config_dir):
    site = tmp_path / "site"
    site.mkdir()
    stalled = [f"/faults/slow.html?page={number}" for number in range(12)]
    listing(site, stalled)
    # a stalled server answers after 120 s; the download timeout (30 s) would end each download first
    with FaultServer(site, stall_seconds=120) as server:
        only_sources(
            config_dir,
            [source(server, "stalled", "listing", "/index.html", selectors={"article_links": "a.story"})],
        )
        db = tmp_path / "stop.db"
        subprocess.run([PRIVWATCH, "--config-dir", str(config_dir), "init", "--db", str(db)], check=True)
        process = subprocess.Popen(
            [PRIVWATCH, "--config-dir", str(config_dir), "crawl", "--db", str(db)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while server.counts()["/faults/slow.html"] < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert process.poll() is None
        process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("the crawl was still waiting for its downloads 15 s after SIGTERM")
    database = store.open_db(db)
    run = database.execute("SELECT status FROM crawl_runs").fetchone()
    assert run[0] == "partial", output
    errors = [r[0] for r in database.execute("SELECT error FROM crawl_errors")]
    assert errors and all("the crawl was stopped" in error for error in errors), errors
