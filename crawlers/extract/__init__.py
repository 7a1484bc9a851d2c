"""Article extraction: the source's selectors first, then page metadata and trafilatura (with htmldate).

The crawler and `privwatch extract` both call `extract()`, so what is tested here is what is stored.
"""

from __future__ import annotations

import functools
import gzip
import html as html_lib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import trafilatura
from lxml import etree
from parsel import Selector

from crawlers.extract.charset import decode_html
from crawlers.extract.dates import DATE_LINE, is_full_timestamp, parse_date
from crawlers.extract.metadata import BYLINE_PREFIX, PageMetadata, clean_authors, parse_tree, split_authors
from crawlers.extract.urls import canonical_url, site_of

__all__ = ["Extracted", "extract", "read_page"]

TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»*]\s+|\s*[｜：]\s*")


@dataclass
class Extracted:
    url: str
    title: str | None = None
    published: str | None = None
    updated: str | None = None
    authors: list[str] = field(default_factory=list)
    # outlets, desks, agencies and addresses the byline credits beside (or instead of) people
    credit: list[str] = field(default_factory=list)
    body: str | None = None
    language: str | None = None
    section: str | None = None
    extractor: str = "trafilatura"
    encoding: str | None = None
    # the source's title and body selectors that matched nothing here (the site's markup may have changed)
    missed_selectors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def read_page(path: str | Path) -> bytes:
    """The bytes of a stored page, .html or .html.gz."""
    data = Path(path).read_bytes()
    return gzip.decompress(data) if str(path).endswith(".gz") or data[:2] == b"\x1f\x8b" else data


def select(selector: Selector, expression: str | None):
    """The nodes a source selector picks: an XPath when it starts with "/" or "(", a CSS selector else."""
    if not expression:
        return []
    is_xpath = expression.lstrip().startswith(("/", "("))
    return selector.xpath(expression) if is_xpath else selector.css(expression)


def _text(node) -> str:
    if isinstance(node.root, str):
        return " ".join(node.root.split())
    return " ".join(node.root.xpath("string()").split())


def _paragraphs(element) -> list[str]:
    """Paragraph texts of an element: <p>-like children, else its text split on <br> and blank lines."""
    if isinstance(element, str):
        return [" ".join(element.split())] if element.strip() else []
    blocks = element.xpath(".//p | .//li | .//h2 | .//h3 | .//blockquote")
    if blocks:
        texts = [" ".join(b.xpath("string()").split()) for b in blocks if not b.xpath("ancestor::p")]
        return [t for t in texts if t]
    for br in element.xpath(".//br"):
        br.tail = "\n" + (br.tail or "")
    return [" ".join(line.split()) for line in element.xpath("string()").split("\n") if line.strip()]


DATE_LIKE = re.compile(r"^[\d./ -]+$")
HEADLINE_PARTS = re.compile(r"\s+[|\-–—:·•»/]\s+|(?<=\w)[:：]\s+")


@functools.lru_cache(maxsize=4096)  # site names are squashed for every title candidate of every page
def _squash(text: str) -> str:
    """Lower case, no accents, no spaces or punctuation: "Seznam Zprávy" ~ "seznamzpravy.cz"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def _shared_headline(title: str, others: list[str | None]) -> str:
    """The headline that the candidates agree on, when they differ by a kicker, section or site name.

    Another candidate made of exactly our leading or trailing parts is the headline; so is a trailing run
    of parts that both share when each adds one different part in front (two different kickers)."""
    parts = HEADLINE_PARTS.split(title)
    if len(parts) < 2:
        return title
    for other in filter(None, others):
        other_parts = HEADLINE_PARTS.split(other)
        for k in range(min(len(parts), len(other_parts)), 0, -1):  # the longest shared run first
            trailing = parts[-k:] == other_parts[-k:]
            if not (trailing or parts[:k] == other_parts[:k]):
                continue
            shared = parts[-k:] if trailing else parts[:k]
            kickers = trailing and len(parts) == len(other_parts) == k + 1
            if k < len(parts) and (k == len(other_parts) or kickers) and len(" ".join(shared).split()) >= 3:
                return title[title.index(shared[0]) : title.rindex(shared[-1]) + len(shared[-1])]
            break
    return title


def _clean_title(title: str | None, site_names: list[str]) -> str | None:
    """The headline without the site's name, a date or a byline that pages add before or after it."""
    if not title:
        return None
    title = " ".join(html_lib.unescape(title).split())
    names = {_squash(n) for n in site_names if n and len(_squash(n)) > 1}

    def is_site(text: str) -> bool:
        part = _squash(text)
        if BYLINE_PREFIX.match(text):
            return True
        return (
            not part
            or DATE_LIKE.match(text.strip()) is not None
            or any(n in part or part in n for n in names)
        )

    if _squash(title) in names:  # a <title> that names only the site says nothing about the article
        return None
    parts = TITLE_SEPARATORS.split(title)
    separators = TITLE_SEPARATORS.findall(title)
    while len(parts) > 1 and is_site(parts[-1]):
        parts.pop()
        separators.pop()
    while len(parts) > 1 and is_site(parts[0]):
        parts.pop(0)
        separators.pop(0)
    cleaned = parts[0] + "".join(sep + part for sep, part in zip(separators, parts[1:], strict=True))
    return cleaned.strip() or None


# a headline inside a link or a navigation bar is a teaser of another page
HEADLINE_ELEMENTS = "//h1[not(ancestor::a) and not(ancestor::nav)]"


def _headline_texts(tree) -> list[str]:
    elements = tree.xpath(HEADLINE_ELEMENTS)
    in_article = [h for h in elements if h.xpath("ancestor::article or ancestor::main")]
    return [text for h in [*in_article, *elements] if (text := " ".join(h.text_content().split()))]


def _headline_above_date(tree) -> str | None:
    """The line printed just above the date line, on pages that mark their headline up as plain styled
    text ("Ant apologizes over misleading sign-up" / "2018-01-05  08:53    Shenzhen Daily")."""
    lines = []
    for text in tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]"):
        line = " ".join(text.split())
        if not line:
            continue
        if len(line) < 80 and (match := DATE_LINE.search(line)) and match.group("H"):
            previous = next((p for p in reversed(lines) if _squash(p[1])), None)
            if previous is not None and 2 <= len(previous[1].split()) <= 30 and not previous[0]:
                return previous[1]
            return None
        element = text.getparent().getparent() if text.is_tail else text.getparent()
        lines.append((element is not None and bool(element.xpath("ancestor-or-self::a")), line))
    return None


def _without_suffix(title: str, headlines: list[str | None]) -> str:
    """The title without a tail that the page's own headline lacks: a site or section name joined by a
    separator no list foresees ("…-정치ㅣ한국일보", "… · Site", "…｜站名")."""
    for headline in filter(None, headlines):
        headline = " ".join(headline.split())
        if len(headline) < len(title) and title.casefold().startswith(headline.casefold()):
            tail = title[len(headline) :].lstrip()
            if tail and not tail[0].isalnum() and len(tail.split()) <= 6 and len(_squash(headline)) >= 12:
                return title[: len(headline)]
    return title


def _printed_headline(tree, shared: str, tab: str | None, structured: str | None) -> str | None:
    """The headline printed in the article, when the page's shared titles (og:title and <title>, less
    its site name) agree with each other on another phrasing: an <h1> that the JSON-LD headline repeats
    is the article's own headline, the other two the social and search desk's."""
    if not (tab and structured) or _squash(structured) == _squash(shared):
        return None
    if _without_suffix(tab, [shared]).casefold() != shared.casefold():
        return None
    return next((text for text in _headline_texts(tree) if _squash(text) == _squash(structured)), None)


def _from_selectors(selector: Selector, selectors, timezone: str) -> dict:
    found: dict = {}
    if selectors is None:
        return found
    titles = [_text(n) for n in select(selector, selectors.title)]
    if titles and titles[0]:
        found["title"] = titles[0]
    dates = [_text(n) for n in select(selector, selectors.published)]
    for text in dates:
        published = parse_date(text, timezone)
        if published:
            found["published"] = published
            break
    paragraphs = [p for n in select(selector, selectors.body) for p in _paragraphs(n.root)]
    if paragraphs:
        found["body"] = "\n\n".join(paragraphs)
    authors = [a for n in select(selector, selectors.author) for a in split_authors(_text(n))]
    if authors:
        found["authors"] = clean_authors(authors)
    sections = [_text(n) for n in select(selector, selectors.section)]
    if sections and sections[0]:
        found["section"] = sections[0].strip(" ->»/")
    return found


def _published_from_page(meta: PageMetadata, text: str, timezone: str, trafilatura_date: str | None):
    """Declared timestamps first, then a visible date line with a time, then any date at all."""
    declared = [parse_date(v, timezone) for v in meta.published_candidates()]
    line = DATE_LINE.search(text[:20000])
    visible = parse_date(line.group(0), timezone) if line else None
    candidates = [c for c in [*declared, visible] if c]
    for candidate in candidates:
        if is_full_timestamp(candidate):
            return candidate
    return next(iter(candidates), None) or parse_date(trafilatura_date, timezone)


def _trafilatura(html: str, url: str, include_tables: bool):
    return trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=include_tables,
        date_extraction_params={"extensive_search": True, "original_date": True},
    )


LAYOUT_CELL_WORDS = 150


def _is_layout_table(text: str | None) -> bool:
    """Whether trafilatura returned a page's layout tables (navigation cells of a word or two) rather
    than the article: tables of prose or data in an article are kept."""
    lines = [line for line in (text or "").split("\n") if line.strip()]
    rows = [line for line in lines if line.lstrip().startswith("|")]
    if not lines or len(rows) <= len(lines) / 2:
        return False
    if any(len(cell.split()) > LAYOUT_CELL_WORDS for row in rows for cell in row.split("|")):
        return True  # a cell that holds the whole article: the page is laid out in a table
    short = [row for row in rows if len(row.replace("|", " ").split()) <= 3]
    return len(short) > len(rows) / 2


def extract(
    page: bytes | str,
    url: str,
    *,
    content_type: str | None = None,
    source=None,
) -> Extracted:
    """Extract one article page. `source` (a config Source) contributes selectors, time zone and language."""
    if isinstance(page, bytes):
        html, encoding = decode_html(page, content_type)
    else:
        html, encoding = page, None
    timezone = getattr(source, "timezone", "UTC")
    result = Extracted(url=url, encoding=encoding)
    try:
        tree = parse_tree(html)
    except (etree.ParserError, ValueError):
        return result
    meta = PageMetadata(tree)
    selected = _from_selectors(Selector(root=tree), getattr(source, "selectors", None), timezone)

    document = _trafilatura(html, url, include_tables=True)
    if document is not None and _is_layout_table(document.text):
        document = _trafilatura(html, url, include_tables=False)
    page_text = " ".join(tree.xpath("//body//text()"))

    host = urlsplit(url).hostname or ""
    site_names = [*meta.meta.get("og:site_name", []), getattr(source, "name", "") or "", site_of(url)]
    site_names.append(site_of(url).split(".")[0] if not host.replace(".", "").isdigit() else "")
    if document is not None and document.sitename:
        site_names.append(document.sitename)
    h1 = [" ".join(h.text_content().split()) for h in tree.xpath("//h1")]
    # og:title is the headline as the publisher shares it; JSON-LD headlines are often the SEO variant
    title_candidates = [
        selected.get("title"),
        meta.first_meta(["og:title", "twitter:title"]),
        meta.headline,
        h1[0] if len(h1) == 1 else None,
        document.title if document is not None else None,
        tree.findtext(".//title"),
    ]
    cleaned = [_clean_title(c, site_names) for c in title_candidates]
    chosen = next((i for i, t in enumerate(cleaned) if t), None)
    if chosen is None:
        result.title = _headline_above_date(tree)
    else:
        result.title = cleaned[chosen]
        if not selected.get("title"):
            shown = {_clean_title(c, site_names) for c in (meta.headline, h1[0] if len(h1) == 1 else None)}
            if result.title not in shown:  # the structured or visible headline confirms the whole title
                result.title = _shared_headline(result.title, cleaned[chosen + 1 :])
            tab = _clean_title(tree.findtext(".//title"), site_names)
            result.title = _printed_headline(tree, result.title, tab, meta.headline) or result.title
            result.title = _without_suffix(result.title, [meta.headline, *_headline_texts(tree)])

    result.published = selected.get("published") or _published_from_page(
        meta, page_text, timezone, document.date if document is not None else None
    )
    result.updated = parse_date(meta.modified(), timezone)
    byline = meta.byline()
    if selected.get("authors"):
        byline = meta.sort_byline(selected["authors"], byline.credit)
    # last resorts, for people only: what they credit otherwise is a rougher copy of what we have
    last_resorts = (
        lambda: split_authors(document.author) if document is not None and document.author else [],
        meta.plain_byline,
    )
    for names in last_resorts:
        if byline.people:
            break
        byline.people = meta.sort_byline(names()).people
    result.authors, result.credit = byline.people, byline.credit
    if selected.get("body"):
        result.body = selected["body"]
    elif document is not None and document.text:
        lines = [" ".join(line.split()) for line in document.text.split("\n")]
        lines = [line for line in lines if line]
        if lines and result.title and lines[0].casefold() == result.title.casefold():
            lines = lines[1:]
        result.body = "\n\n".join(lines)
    result.section = selected.get("section") or meta.section()
    result.language = (
        meta.language()
        or (document.language if document is not None else None)
        or getattr(source, "language", None)
    )
    result.url = canonical_url(url, meta.canonical_candidates())
    used_selectors = bool(selected.get("title") or selected.get("body"))
    selectors = getattr(source, "selectors", None)
    result.missed_selectors = [
        name for name in ("title", "body") if getattr(selectors, name, None) and not selected.get(name)
    ]
    result.extractor = (
        "selectors"
        if selected.get("title") and selected.get("body")
        else ("selectors+trafilatura" if used_selectors else "trafilatura")
    )
    return result
