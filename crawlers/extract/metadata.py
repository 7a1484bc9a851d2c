"""Article metadata from the page's markup: JSON-LD, meta tags, time elements, bylines."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property

from lxml import html as lxml_html

from crawlers.extract.dates import DATE_LINE

ARTICLE_TYPES = {
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "blogposting",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "liveblogposting",
    "socialmediaposting",
    "webpage",
    "report",
    "techarticle",
    "scholarlyarticle",
    "review",
    "creativework",
}
PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "publishdate",
    "publish-date",
    "published_time",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "date",
    "pubdate",
    "article.published",
    "cxenseparse:recs:publishtime",
    "ptime",
    "article_date_original",
    "original-publish-date",
    "displaydate",
    "release_date",
)
MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
)
AUTHOR_META = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "cxenseparse:author",
    "twitter:creator",
    "articleauthor",
)
SECTION_META = ("article:section", "parsely-section", "section", "category", "cxenseparse:recs:category")


def _jsonld_objects(tree) -> Iterator[dict]:
    for script in tree.xpath('//script[contains(translate(@type, "JSONLD", "jsonld"), "ld+json")]'):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            try:
                data = json.loads(re.sub(r"[\x00-\x1f]", " ", raw))
            except ValueError:
                continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.extend(item["@graph"] if isinstance(item["@graph"], list) else [item["@graph"]])
                yield item
                for key in ("mainEntity", "mainEntityOfPage"):
                    if isinstance(item.get(key), dict):
                        stack.append(item[key])


def _types(item: dict) -> set[str]:
    value = item.get("@type") or []
    values = value if isinstance(value, list) else [value]
    return {str(v).lower() for v in values}


ORGANISATION_TYPES = {"organization", "newsmediaorganization", "corporation", "organisation"}


def _names(value, organisations: bool) -> list[str]:
    """Author names in a JSON-LD value: people, or (organisations=True) only organisations."""
    if not value:
        return []
    if isinstance(value, str):
        return [] if organisations else [value]
    if isinstance(value, list):
        return [n for v in value for n in _names(v, organisations)]
    if isinstance(value, dict):
        if bool(_types(value) & ORGANISATION_TYPES) != organisations:
            return []
        name = value.get("name")
        if not isinstance(name, str):
            parts = [value.get("givenName"), value.get("familyName")]
            name = " ".join(p for p in parts if isinstance(p, str)) or None
        return [name] if name else []
    return []


@dataclass
class Byline:
    people: list[str]
    credit: list[str]


class PageMetadata:
    """What the page declares about itself, gathered once from one lxml tree."""

    def __init__(self, tree):
        self.tree = tree
        self.meta: dict[str, list[str]] = {}
        for element in tree.xpath("//meta[@content]"):
            key = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip()
            content = (element.get("content") or "").strip()
            if key and content:
                self.meta.setdefault(key.lower(), []).append(content)
        self.jsonld = [item for item in _jsonld_objects(tree)]
        self.articles = [item for item in self.jsonld if _types(item) & ARTICLE_TYPES]

    def first_meta(self, names) -> str | None:
        for name in names:
            for value in self.meta.get(name, []):
                if value:
                    return value
        return None

    def _article_value(self, key: str):
        for item in self.articles:
            if item.get(key):
                return item[key]
        return None

    @property
    def headline(self) -> str | None:
        value = self._article_value("headline") or self._article_value("name")
        return value if isinstance(value, str) else None

    def published_candidates(self) -> list[str]:
        values = [self._article_value("datePublished"), self._article_value("dateCreated")]
        values.append(self.first_meta(PUBLISHED_META))
        for element in self.tree.xpath("//*[@itemprop='datePublished']"):
            values.append(element.get("content") or element.get("datetime") or element.text_content())
        values += self.tree.xpath(
            "//article//time/@datetime | //header//time/@datetime | //time[@pubdate]/@datetime"
        )
        values += self.tree.xpath("//time/@datetime")[:1]
        return [v for v in values if isinstance(v, str) and v.strip()]

    def modified(self) -> str | None:
        value = self._article_value("dateModified")
        return value if isinstance(value, str) else self.first_meta(MODIFIED_META)

    def byline(self) -> Byline:
        """People credited by JSON-LD, meta tags, bylines, author links or a labelled byline ("Autor
        Roman Beispiel"), from the first of these that names a person; the outlets, desks, agencies and
        addresses credited beside them go to `credit`."""
        credited = self._article_value("author")
        credit = list(_names(credited, organisations=True))
        scope = (self.tree.xpath("//article") or [self.tree])[0]

        def printed_byline() -> list[str]:
            # bylines of the page's own article, not of the related-articles lists around it
            return [
                name
                for e in scope.xpath(".//*[@rel='author' or @itemprop='author']")
                for name in split_authors(" ".join(e.text_content().split()))
            ]

        sources = (
            lambda: [p for n in _names(credited, organisations=False) for p in split_authors(n)],
            lambda: next(
                (
                    [n for v in values for n in split_authors(v)]
                    for key in AUTHOR_META
                    if (values := [v for v in self.meta.get(key, []) if not v.startswith(("http", "@"))])
                ),
                [],
            ),
            printed_byline,
            self._byline_links,
            self._labelled_byline,
        )
        printed_credit: list[str] = []
        for index, source in enumerate(sources):
            found = self.sort_byline(source())
            printed_credit = printed_credit or found.credit
            if found.people:
                people = found.people
                if index == 0:  # the printed byline may name co-authors the structured data leaves out
                    printed = self.sort_byline(printed_byline()).people
                    # (a longer list is the photo and video credits around the article)
                    more = len(people) < len(printed) <= 3
                    if more and {_squash(n) for n in people} <= {_squash(n) for n in printed}:
                        people = printed
                return Byline(people, _credit([*credit, *found.credit], self.outlets))
        return Byline([], _credit([*credit, *printed_credit], self.outlets))

    def sort_byline(self, names: list[str], credit: list[str] = ()) -> Byline:
        """Names split into people and credits (added to `credit`), the page's own outlet known."""
        return sort_names(names, credit, self.outlets)

    @cached_property
    def article_scope(self):
        """The page's article element, else its main element, else the whole page."""
        return (self.tree.xpath("//article") or self.tree.xpath("//main") or [self.tree])[0]

    def plain_byline(self) -> list[str]:
        """A name printed as plain text where bylines sit: beside the date line ("Ayşe Demir | 05.04.2025")
        or in capitals and bold, alone in a paragraph above the body ("<p><strong>JANE ROE</strong></p>")."""
        scope = self.article_scope
        beside_date = [
            e
            for e in scope.iterdescendants()
            if len(e) == 0
            and isinstance(e.tag, str)
            and PRINTED_NAME.match(" ".join((e.text or "").split()).strip(" |·•-–—,").title())
            and e.getparent() is not None
            and PRINTED_DATE.search(e.getparent().text_content())
        ]
        lead = []
        for paragraph in scope.xpath(".//p[normalize-space()]"):
            text = paragraph.text_content().strip()
            if len(text.split()) > 20:
                break
            bold = "".join(b.text_content() for b in paragraph.xpath("./strong | ./b")).strip()
            if text == bold and text.isupper():
                lead.append(paragraph)
        # Latin-script names only: the languages whose word lists need a segmenter do not apply
        from wordfreq import zipf_frequency

        language = self.language() if self.language() in latin_word_lists() else "en"
        for element in [*beside_date, *lead]:
            text = " ".join(element.text_content().split()).strip(" |·•-–—,")
            name = text.title() if text.isupper() else text
            if not PRINTED_NAME.match(name) or PRINTED_DATE.search(text):
                continue
            # "Mit Video", "Mehr zum Thema": labels made of the language's everyday words, not a name
            if all(zipf_frequency(word, language) < EVERYDAY_ZIPF for word in name.split()):
                return [text]
        return []

    def _labelled_byline(self) -> list[str]:
        """Names after a label element: "<strong>Autorin/Autor</strong> Roman Beispiel", "Yazar: …"."""
        scope = self.article_scope
        names = []
        for element in scope.iterdescendants():
            if len(element) or not isinstance(element.tag, str) or len(element.text or "") > 30:
                continue
            label = " ".join((element.text or "").split()).rstrip(":： ")
            parent = element.getparent()
            if parent is None or not BYLINE_LABEL.fullmatch(label):
                continue
            line = " ".join(parent.text_content().split())
            rest = line[line.find(label) + len(label) :].lstrip(":： ")
            if 0 < len(rest) <= 80:
                names.extend(split_authors(rest))
        return names

    @cached_property
    def outlets(self) -> set[str]:
        """The page's own outlet and publisher names, squashed."""
        names = list(self.meta.get("og:site_name", []))
        for item in self.jsonld:
            if _types(item) & ORGANISATION_TYPES and isinstance(item.get("name"), str):
                names.append(item["name"])
            publisher = item.get("publisher")
            if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
                names.append(publisher["name"])
        return {_squash(n) for n in names if _squash(n)}

    def _byline_links(self) -> list[str]:
        """Names in author-profile links or author-classed elements: "von <a href=/autoren/...>"."""
        scope = self.article_scope
        elements = scope.xpath(
            ".//a[contains(@href, '/author') or contains(@href, '/autor') or contains(@href, '/journalist')]"
            " | .//*[contains(@class, 'author')][string-length(normalize-space()) < 60]"
        )
        names = []
        for element in elements[:6]:
            text = " ".join(element.text_content().split())
            if PERSON_NAME.match(BYLINE_PREFIX.sub("", text)):
                names.extend(split_authors(text))
        return names

    def section(self) -> str | None:
        value = self._article_value("articleSection")
        if isinstance(value, list):
            value = value[0] if value else None
        return value if isinstance(value, str) else self.first_meta(SECTION_META)

    def canonical_candidates(self) -> list[str]:
        values = self.tree.xpath("//link[translate(@rel, 'CANONICAL', 'canonical')='canonical']/@href")
        values += self.meta.get("og:url", [])
        return values

    def language(self) -> str | None:
        values = (
            self.tree.xpath("/html/@lang") + self.meta.get("og:locale", []) + self.meta.get("language", [])
        )
        for value in values:
            code = value.strip().replace("_", "-").split("-")[0].lower()
            if re.fullmatch(r"[a-z]{2,3}", code):
                return code
        return None


BYLINE_PREFIX = re.compile(r"^\s*(by|von|par|por|di|door|av|af|przez|от|作者|记者)[\s:：]+", re.I)
# "A, B and C", "A og B", "A und B", "A ve B", "A i B": the conjunctions of the languages we read
AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|&|、|\||\b(?:and|und|et|y|e|og|och|en|i|ve|oraz|ja|és|a|и)\b)\s*", re.I)
# role words printed after a name: "홍길동 기자", "张三 记者", "Jane Roe, Staff Writer"
ROLE_WORDS = r"staff writer|reporter|correspondent|editor|기자|특파원|记者|特派记者|通讯员"
ROLE_SUFFIX = re.compile(rf"(?:\s*(?:기자|특파원|记者|特派记者|通讯员)|,\s*(?:{ROLE_WORDS}))$", re.I)
ROLE_ONLY = re.compile(rf"(?:{ROLE_WORDS})", re.I)
BYLINE_LABEL = re.compile(
    r"(?:authors?|autor(?:in|en)?(?:/autor)?|autorin/autor|auteurs?|autor[ei]|yazar|forfatter[e]?|författare"
    r"|text|tekst|texto|written by|作者|记者|기자)",
    re.I,
)
# words that make a credit an outlet, a desk or an agency rather than a person
ORGANISATION_WORDS = re.compile(
    r"\b(?:agency|agencies|ajans[ıi]?|agentur|agence|agencia|redaktion|rédaction|redazione|redacción|redactie"
    r"|newsroom|desk|staff|team|news|nachrichten|noticias|press|presse|prensa|media|online|times|daily|zeitung"
    r"|journal|gazette|tribune|post|herald|wire|service|reuters|bureau)\b",
    re.I,
)
# a date as bylines print it: "2025-04-05", "05.04.2025", "5/4/2025"
PRINTED_DATE = re.compile(rf"{DATE_LINE.pattern}|\b\d{{1,2}}[./-]\d{{1,2}}[./-](?:19|20)\d{{2}}\b")
ADDRESS = re.compile(r"https?:|www\.|@|\.[a-z]{2,6}\b", re.I)


EVERYDAY_ZIPF = 5.5


@cache
def latin_word_lists() -> frozenset[str]:
    """wordfreq's languages whose word lists need no segmenter; wordfreq is imported only when a page asks
    (importing it is a third of a second of every crawl's start)."""
    from wordfreq import available_languages

    return frozenset(code for code in available_languages() if code not in {"ja", "ko", "zh", "th", "vi"})


# a name in running text, every word capitalised: "Ayşe Demir", "Jean-Luc O'Neill"
PRINTED_NAME = re.compile(r"^[A-ZÀ-Ý][\w'’.-]+(?:\s[A-ZÀ-Ý][\w'’.-]+){1,3}$")
PERSON_NAME = re.compile(r"^(?:Dr\.\s|Prof\.\s)?[A-ZÀ-Ý][\w'’.-]+(?:\s[A-ZÀ-Ýa-z][\w'’.-]+){1,3}$")
# markup debris and picture credits: "(Image: Getty Images)", "Foto: dpa"
NOT_A_NAME = re.compile(r"[\[\]{}<>]|^\(|^(image|photo|foto|bild)\b|\b(image|photo|foto|bild)\s*:", re.I)


def _squash(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def _unique(names: Iterable[str], key=lambda name: name) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(key(name), name)
    return list(seen.values())


def _credit(names: list[str], outlets: set[str]) -> list[str]:
    """Credits once each; the outlet's credit to itself only when nobody else is credited."""
    names = _unique(names, key=_squash)
    others = [n for n in names if not any(outlet.startswith(_squash(n)) for outlet in outlets)]
    return others or names


def _looks_like_person(name: str) -> bool:
    """A personal name in Latin script (two to four capitalised words), or any name in another script."""
    if not re.search(r"[A-Za-zÀ-ÿ]", name):
        return True
    return PERSON_NAME.match(name) is not None


def _is_organisation(name: str, outlets: set[str]) -> bool:
    """An outlet, desk, agency or address: what a byline credits that is not a person."""
    squashed = _squash(name)
    return bool(
        ADDRESS.search(name)
        or re.search(r"\d", name)
        or ORGANISATION_WORDS.search(name)
        or any(squashed == outlet or outlet.startswith(squashed) for outlet in outlets)
    )


# Chinese bylines: "记者 张晓明 通讯员 李华", "编辑：王磊", "文/陈静", "来源：深圳特区报"
CJK_TEXT = re.compile(r"[\u4e00-\u9fff]")
CJK_ROLE = re.compile(
    r"(?:^|(?<=\s))(?:本报|特约)?(?:记者|通讯员|实习生|责任编辑|责编|编辑|作者|撰文|文|图|摄影|摄)\s*[:：/\s]"
)
CJK_SOURCE = re.compile(r"(?:来源|出处|稿源)\s*[:：]\s*\S+")


def split_authors(value: str) -> list[str]:
    if CJK_TEXT.search(value):
        value = CJK_ROLE.sub(" ", CJK_SOURCE.sub(" ", value))
        parts = re.split(r"[\s,，、;；|/]+", value)
        # "上海报道", "本报讯", "北京电": where the report comes from, not who wrote it
        return [part for part in parts if part and not part.endswith(("报道", "讯", "电"))]
    return [part for part in AUTHOR_SPLIT.split(BYLINE_PREFIX.sub("", value)) if part]


def sort_names(names: list[str], credit: list[str] = (), outlets: set[str] = frozenset()) -> Byline:
    """Names split into people and credits (added to `credit`): outlets, desks, agencies, addresses."""
    names = clean_authors(names)
    people = [n for n in names if not _is_organisation(n, outlets)]
    if not any(_looks_like_person(n) for n in people):  # a credit line of outlets and agencies
        people = []
    return Byline(people, _unique([*credit, *(n for n in names if n not in people)], key=_squash))


def clean_authors(names: list[str]) -> list[str]:
    """Names without byline prefixes, role words, markup debris or repeats."""
    cleaned: list[str] = []
    for name in names:
        name = BYLINE_PREFIX.sub("", " ".join(str(name).split())).strip(" ,;|-")
        name = ROLE_SUFFIX.sub("", name).strip(" ,;|-")
        if NOT_A_NAME.search(name) or ROLE_ONLY.fullmatch(name):
            continue
        if 1 < len(name) <= 60 and name not in cleaned:
            cleaned.append(name)
    return cleaned


def parse_tree(text: str):
    parser = lxml_html.HTMLParser(remove_comments=True, huge_tree=False, encoding="utf-8")
    return lxml_html.document_fromstring(text.encode("utf-8"), parser=parser)
