from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import pytest

from config.models import Config
from crawlers.extract import extract
from crawlers.extract.charset import decode_html
from crawlers.extract.dates import parse_date
from crawlers.extract.metadata import clean_authors, split_authors
from crawlers.extract.urls import canonical_url, strip_tracking

from .conftest import FIXTURES, SHARED

SZDAILY = FIXTURES / "sites" / "szdaily"
SEED_PAGE = SZDAILY / "content" / "2018-01" / "05" / "content_3471234.htm"
SEED_URL = "http://www.szdaily.com/content/2018-01/05/content_3471234.htm"
SEED_TEXT = SHARED / "seeds" / "000_4ce77443a702f4cc.txt"


def seed_body() -> str:
    text = SEED_TEXT.read_text(encoding="utf-8")
    start = text.index("ANT Financial, the Internet")
    end = text.index("(SD-Agencies)") + len("(SD-Agencies)")
    return "\n\n".join(p.strip() for p in text[start:end].split("\n") if p.strip())


def test_seed_page_is_field_exact():
    page = extract(SEED_PAGE.read_bytes(), SEED_URL, source=Config().source("szdaily"))
    assert page.title == "Ant apologizes over misleading sign-up"
    assert page.published == "2018-01-05T00:53:00+00:00"
    assert page.section == "Business_Markets"
    assert page.body == seed_body()
    for chrome in ("在线翻译", "Copyright", "szdaily ->", "Business_Markets", "Advertorial"):
        assert chrome not in page.body
    assert page.extractor == "selectors"


def test_seed_page_without_selectors_still_finds_the_article():
    page = extract(SEED_PAGE.read_bytes(), SEED_URL)
    assert page.title == "Ant apologizes over misleading sign-up"
    assert (
        page.published == "2018-01-05T08:53:00+00:00"
    )  # no source, so no time zone: the clock is read as UTC
    assert page.body.startswith("ANT Financial") and page.body.endswith("(SD-Agencies)")


@pytest.mark.parametrize("name", ["gbk-story.html", "gb2312-story.html"])
def test_chinese_legacy_encodings_decode(name):
    raw = (FIXTURES / "sites" / "feedsite" / "articles" / name).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    page = extract(raw, f"http://127.0.0.1/articles/{name}")
    text = (page.title or "") + (page.body or "")
    assert "\ufffd" not in text and any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert page.encoding == "gb18030"


def test_charset_header_beats_nothing_and_wrong_declarations_lose():
    text = "腾讯否认存储微信聊天记录，用户数据安全。" * 20
    gbk = f"<html><head><meta charset='utf-8'></head><body><p>{text}</p></body></html>".encode("gbk")
    decoded, encoding = decode_html(gbk, "text/html")
    assert text in decoded and encoding == "gb18030"
    utf8 = f"<html><head><meta charset='iso-8859-1'></head><body><p>{text}</p></body></html>".encode()
    assert text in decode_html(utf8, "text/html; charset=iso-8859-1")[0]


def test_a_gbk_page_declared_as_latin_decodes_as_chinese():
    text = "深圳某物业公司在小区门禁系统中采集业主人脸信息，未告知用途。" * 10
    gbk = f"<html><head><meta charset='iso-8859-1'></head><body><p>{text}</p></body></html>".encode("gbk")
    decoded, encoding = decode_html(gbk, "text/html; charset=iso-8859-1")
    assert text in decoded and encoding == "gb18030"
    latin = (
        "<html><head><meta charset='iso-8859-1'></head><body><p>Les données du café à Noël.</p></body></html>"
    )
    assert decode_html((latin * 30).encode("latin-1"))[1] == "cp1252"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("昨天 21:15", "2024-03-04T13:15:00+00:00"),
        ("今天 08:53", "2024-03-05T00:53:00+00:00"),
        ("3小时前", "2024-03-04T23:00:00+00:00"),
        ("2天前", "2024-03-03"),
        ("发布于 2018年01月05日 08:53", "2018-01-05T00:53:00+00:00"),
    ],
)
def test_chinese_relative_and_full_dates(text, expected):
    now = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    assert parse_date(text, "Asia/Shanghai", now=now) == expected


@pytest.mark.parametrize(
    "byline,expected",
    [
        ("记者 张晓明 通讯员 李华", ["张晓明", "李华"]),
        ("编辑：王磊", ["王磊"]),
        ("文/陈静", ["陈静"]),
        ("本报记者 周婧 上海报道", ["周婧"]),
        ("来源：深圳特区报　作者：李四", ["李四"]),
    ],
)
def test_chinese_bylines_name_their_authors(byline, expected):
    assert clean_authors(split_authors(byline)) == expected


@pytest.mark.parametrize(
    "text,timezone,expected",
    [
        ("2018-01-05  08:53    Shenzhen Daily", "Asia/Shanghai", "2018-01-05T00:53:00+00:00"),
        ("2024-03-05T10:00:00+08:00", "UTC", "2024-03-05T02:00:00+00:00"),
        ("2024-03-05T10:00:00Z", "Asia/Shanghai", "2024-03-05T10:00:00+00:00"),
        ("Tue, 05 Mar 2024 10:00:00 GMT", "Asia/Shanghai", "2024-03-05T10:00:00+00:00"),
        ("March 5, 2024", "UTC", "2024-03-05"),
        ("2018年1月5日 08:53", "Asia/Shanghai", "2018-01-05T00:53:00+00:00"),
        ("no date here", "UTC", None),
    ],
)
def test_dates_become_utc_or_day_only(text, timezone, expected):
    assert parse_date(text, timezone) == expected


def test_canonical_urls_drop_tracking_and_foreign_sites():
    page = "https://news.example.com/a/1?utm_source=rss&id=7"
    assert strip_tracking(page) == "https://news.example.com/a/1?id=7"
    assert canonical_url(page, ["/a/1-slug?utm_medium=x"]) == "https://news.example.com/a/1-slug"
    assert canonical_url(page, ["https://other.org/a/1"]) == "https://news.example.com/a/1?id=7"


def test_extract_command_reads_jsonl_and_gz(run, tmp_path):
    gz = tmp_path / "seed.html.gz"
    gz.write_bytes(gzip.compress(SEED_PAGE.read_bytes()))
    jobs = tmp_path / "pages.jsonl"
    jobs.write_text(json.dumps({"path": "seed.html.gz", "url": SEED_URL}) + "\n")
    lines = run("extract", str(jobs)).output.strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert set(record) >= {"path", "url", "title", "published", "authors", "body", "language", "extractor"}
    assert record["title"] == "Ant apologizes over misleading sign-up"
    assert record["published"] == "2018-01-05T00:53:00+00:00"  # szdaily's selectors, chosen by the URL's host
    single = json.loads(run("extract", str(SEED_PAGE), "--url", SEED_URL).output)
    assert single["body"] == record["body"]


def test_extract_command_rejects_bad_lines(run, tmp_path):
    jobs = tmp_path / "pages.jsonl"
    jobs.write_text("not json\n")
    result = run("extract", str(jobs), expect=1)
    assert "pages.jsonl:1" in result.output and "Traceback" not in result.output
