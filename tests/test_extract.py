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
from crawlers.items import ArticleItem, storage_row
from storage import db as store

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


def article_page(body_html: str, head: str = "", url: str = "https://news.example.org/2025/05/story") -> str:
    paragraphs = "".join(
        f"<p>{sentence}</p>"
        for sentence in [
            "The city council voted on Tuesday to extend the night bus network to the eastern districts.",
            "Officials said the new routes would start in September and run every twenty minutes.",
            "Residents of the outer estates had asked for late services for several years.",
            "The transport office expects about four thousand extra trips a week once all lines run.",
        ]
    )
    return (
        f"<html><head>{head}</head><body><nav><a href='/'>Home</a></nav>"
        f"<article>{body_html}{paragraphs}</article></body></html>"
    )


@pytest.mark.parametrize(
    "head,headline,expected",
    [
        # a site and section tail joined by separators no list foresees
        (
            "<title>Night buses reach the eastern districts-정치ㅣ한국일보</title>"
            "<meta property='og:title' content='Night buses reach the eastern districts-정치ㅣ한국일보'>",
            "<h1>Night buses reach the eastern districts</h1>",
            "Night buses reach the eastern districts",
        ),
        (
            "<title>Night buses reach the eastern districts · Harbour Courier</title>",
            "<h1>Night buses reach the eastern districts</h1>",
            "Night buses reach the eastern districts",
        ),
        (
            "<title>夜班公交延伸至东部片区｜港城晚报</title>",
            "<h1>夜班公交延伸至东部片区</h1>",
            "夜班公交延伸至东部片区",
        ),
        # a quotation that contains " - " is not split
        (
            "<title>'We waited years - now it is here,' say residents | Harbour Courier</title>"
            "<meta property='og:site_name' content='Harbour Courier'>",
            "<h1>'We waited years - now it is here,' say residents</h1>",
            "'We waited years - now it is here,' say residents",
        ),
        # a subtitle after a dash belongs to the headline the page prints
        (
            "<title>Night buses reach the east – but not before September - Harbour Courier</title>"
            "<meta property='og:site_name' content='Harbour Courier'>",
            "<h1>Night buses reach the east – but not before September</h1>",
            "Night buses reach the east – but not before September",
        ),
        # share titles that agree on a phrasing the printed, structured headline does not use
        (
            "<title>Late buses for the east: what changes | Harbour Courier</title>"
            "<meta property='og:title' content='Late buses for the east: what changes'>"
            '<script type="application/ld+json">{"@type": "NewsArticle",'
            ' "headline": "Council extends night bus network to eastern districts"}</script>',
            "<header><h1>Council extends night bus network to eastern districts</h1></header>",
            "Council extends night bus network to eastern districts",
        ),
    ],
)
def test_title_is_the_printed_headline_without_site_tails(head, headline, expected):
    assert extract(article_page(headline, head), "https://news.example.org/2025/05/story").title == expected


BYLINE_URL = "https://courier.example.net/2025/05/night-buses"


@pytest.mark.parametrize(
    "head,byline,people,credit",
    [
        # names joined by the conjunctions of their language
        (
            "<meta name='author' content='Ingrid Solheim og Per Aasland'>",
            "",
            ["Ingrid Solheim", "Per Aasland"],
            [],
        ),
        ("<meta name='author' content='Jonas Weber und Lea Brandt'>", "", ["Jonas Weber", "Lea Brandt"], []),
        (
            "<meta name='author' content='Ana Ruiz, Tom Hale and Mia Kerr'>",
            "",
            ["Ana Ruiz", "Tom Hale", "Mia Kerr"],
            [],
        ),
        # role words are not part of a name
        ("<meta name='author' content='By Jane Roe, Staff Writer'>", "", ["Jane Roe"], []),
        ("<meta name='author' content='김민수 기자'>", "", ["김민수"], []),
        # outlets, desks, agencies and addresses are credits, not authors
        (
            "<meta property='og:site_name' content='Harbour Courier'>"
            "<meta name='author' content='Harbour Courier (www.courier.example.net)'>",
            "",
            [],
            ["Harbour Courier (www.courier.example.net)"],
        ),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Night buses",'
            ' "author": [{"@type": "Person", "name": "Ruth Okafor"},'
            ' {"@type": "Organization", "name": "Metro Desk"}]}</script>',
            "",
            ["Ruth Okafor"],
            ["Metro Desk"],
        ),
        ("<meta name='author' content='Courier Newsroom'>", "", [], ["Courier Newsroom"]),
        ("<meta name='author' content='Frankfurt'>", "", [], ["Frankfurt"]),
        # structured data that names a person by given and family name
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Night buses",'
            ' "author": {"@type": "Person", "givenName": "Clara", "familyName": "Voss"}}</script>',
            "",
            ["Clara Voss"],
            [],
        ),
        # the printed byline names a co-author the structured data leaves out
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Night buses",'
            ' "author": {"@type": "Person", "name": "Ruth Okafor"}}</script>',
            "<div class='bylines'><a rel='author' href='/staff/ruth'>Ruth Okafor</a>"
            "<a rel='author' href='/staff/sam'>Sam Whitlock</a></div>",
            ["Ruth Okafor", "Sam Whitlock"],
            [],
        ),
        # a byline outside the usual markup: after a label, or as plain text beside the date
        (
            "",
            "<ul><li><strong>Autorin/Autor</strong> Jonas Beispielmann</li></ul>",
            ["Jonas Beispielmann"],
            [],
        ),
        ("", "<p><b>Yazar:</b> Selin Aydemir</p>", ["Selin Aydemir"], []),
        (
            "",
            "<div class='row'><span>Selin Aydemir |</span><span>05.04.2025 - 14:10</span></div>",
            ["Selin Aydemir"],
            [],
        ),
        ("", "<div><span>Mit Video</span><span>05.04.2025</span></div>", [], []),
        (
            "<meta name='author' content='Ruth Okafor'>",
            "<p>Ruth Okafor (Image: Harbour Photo Agency)</p>",
            ["Ruth Okafor"],
            [],
        ),
    ],
)
def test_bylines_credit_people_and_set_outlets_apart(head, byline, people, credit):
    page = extract(article_page(f"<h1>Night buses</h1>{byline}", head, BYLINE_URL), BYLINE_URL)
    assert (page.authors, page.credit) == (people, credit)


def test_people_and_credits_are_stored_apart(tmp_path):
    head = (
        "<meta name='author' content='Ruth Okafor'>"
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Night buses",'
        ' "author": [{"@type": "Person", "name": "Ruth Okafor"}, {"@type": "Organization",'
        ' "name": "Harbour Wire Service"}]}</script>'
    )
    page = extract(article_page("<h1>Night buses</h1>", head, BYLINE_URL), BYLINE_URL)
    item = ArticleItem(url=page.url, source_id=None, title=page.title, body=page.body)
    item.update(authors=page.authors, credit=page.credit)
    database = store.open_db(tmp_path / "db.sqlite")
    article_id = store.upsert_article(database, storage_row(item)).article_id
    assert database["articles"].get(article_id)["author"] == "Ruth Okafor"
    assert database["articles"].get(article_id)["credit"] == "Harbour Wire Service"


def test_shenzhen_daily_as_its_page_reads_is_extracted_without_selectors():
    # the seed page's text laid out in other markup: no selector of the source matches it
    page_bytes = (FIXTURES / "szdaily-text" / "content_3471234.htm").read_bytes()
    source = Config().source("szdaily").model_copy(update={"selectors": None})
    page = extract(page_bytes, SEED_URL, source=source)
    assert page.title == "Ant apologizes over misleading sign-up"
    assert page.published == "2018-01-05T00:53:00+00:00"
    assert page.body == seed_body()
    assert page.extractor == "trafilatura"


def test_a_headline_printed_as_styled_text_above_the_date_line_is_the_title():
    rows = "".join(f"<a href='/s/{n}'>Section {n}</a><br>-<br>" for n in range(12))
    body = "".join(
        f"<p>{sentence}</p>"
        for sentence in [
            "The harbour authority opened a second ferry pier on the western shore on Monday morning.",
            "Commuters from the island districts will save about a quarter of an hour on each trip.",
            "The pier cost less than planned because the old crane foundations could be used again.",
            "A third pier is planned for the northern bay once the dredging work there is finished.",
        ]
        * 3
    )
    html = (
        "<html><head><title>Harbour Evening Post</title></head><body><table><tr>"
        f"<td>{rows}</td><td><div><a href='/'>home</a> -&gt; <a href='/city'>City</a> -&gt;</div>"
        "<div><font size='5'><b>Second ferry pier opens on the western shore</b></font></div>"
        f"<div>2024-03-05&nbsp;&nbsp;09:30&nbsp;&nbsp;Harbour Evening Post</div><div>{body}</div>"
        "</td></tr></table></body></html>"
    )
    source = Config().source("szdaily").model_copy(update={"selectors": None, "name": "Harbour Evening Post"})
    page = extract(html, "http://harbour-post.example.com/content/2024-03/05/content_1.htm", source=source)
    assert page.title == "Second ferry pier opens on the western shore"
    assert page.published == "2024-03-05T01:30:00+00:00"
    assert page.body.startswith("The harbour authority") and "Section 3" not in page.body
