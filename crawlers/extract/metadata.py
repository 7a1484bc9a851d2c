"""Article metadata from the page's markup: JSON-LD, meta tags, time elements, bylines."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator

from lxml import html as lxml_html

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
        return [name] if isinstance(name, str) else []
    return []


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

    def authors(self) -> list[str]:
        """People credited by JSON-LD, meta tags, bylines or author links, in that order; when none
        names a person, the organisations credited (the outlet itself, an agency)."""
        credit = self._article_value("author")
        outlets = self._outlet_names()
        credits = [n for n in _names(credit, organisations=True)]

        def people(names: list[str]) -> list[str]:
            names = clean_authors(names)
            found = [n for n in names if _squash(n) not in outlets]
            if not any(_looks_like_person(n) for n in found):  # a credit line of outlets and agencies
                found = []
            credits.extend(n for n in names if n not in found)
            return found

        scope = (self.tree.xpath("//article") or [self.tree])[0]
        sources = (
            lambda: [p for n in _names(credit, organisations=False) for p in split_authors(n)],
            lambda: next(
                (
                    [n for v in values for n in split_authors(v)]
                    for key in AUTHOR_META
                    if (values := [v for v in self.meta.get(key, []) if not v.startswith(("http", "@"))])
                ),
                [],
            ),
            # bylines of the page's own article, not of the related-articles lists around it
            lambda: [
                name
                for e in scope.xpath(".//*[@rel='author' or @itemprop='author']")
                for name in split_authors(" ".join(e.text_content().split()))
            ],
            self._byline_links,
        )
        for source in sources:
            found = people(source())
            if found:
                return found
        return clean_authors(credits)

    def _outlet_names(self) -> set[str]:
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
        scope = (self.tree.xpath("//article") or self.tree.xpath("//main") or [self.tree])[0]
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
AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bund\b|\bet\b|\by\b|\be\b|&|、|\|)\s*", re.I)


PERSON_NAME = re.compile(r"^(?:Dr\.\s|Prof\.\s)?[A-ZÀ-Ý][\w'’.-]+(?:\s[A-ZÀ-Ýa-z][\w'’.-]+){1,3}$")
NOT_A_NAME = re.compile(r"https?:|www\.|@|[()\[\]{}<>]|\d{2,}|^(image|photo|foto|bild)\b", re.I)


def _squash(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def _looks_like_person(name: str) -> bool:
    """A personal name in Latin script (two to four capitalised words), or any name in another script."""
    if not re.search(r"[A-Za-zÀ-ÿ]", name):
        return True
    return PERSON_NAME.match(name) is not None


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


def clean_authors(names: list[str]) -> list[str]:
    cleaned: list[str] = []
    for name in names:
        name = BYLINE_PREFIX.sub("", " ".join(str(name).split())).strip(" ,;|-")
        if NOT_A_NAME.search(name):
            continue
        if 1 < len(name) <= 60 and name not in cleaned:
            cleaned.append(name)
    return cleaned


def parse_tree(text: str):
    parser = lxml_html.HTMLParser(remove_comments=True, huge_tree=False, encoding="utf-8")
    return lxml_html.document_fromstring(text.encode("utf-8"), parser=parser)
