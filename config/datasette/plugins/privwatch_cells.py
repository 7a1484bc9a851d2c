"""Datasette plugin for privwatch (loaded by `privwatch serve` from config/datasette/plugins/).

Scraped text is untrusted: every value rendered here is escaped first, and only the markup added here
(links, <mark>) is HTML. What it adds:
- titles link to the original article (when the row has an http(s) url); a story's title to its timeline;
- article_id in the analyst views and canned queries links to the article's page;
- a company's name links to its page (the companies row page, see privwatch_pages.py): by company_id when
  the row has one, else through /<db>/-/company?name=...; so do a story's accused companies and the
  companies (a JSON list) of a search result;
- snippets from search_incidents show the matched words highlighted (⟦ ⟧ markers become <mark>), and only
  when the evidence sentence beside them lacks one of those words (SQL function snippet_beyond);
- evidence sentences are shown whole (not cut at truncate_cells_html), dates and times on one line;
- the SQL functions fts_query(text) and fts_exclusions(text) turn what an analyst types (words, "phrases",
  OR, NOT, -word) into safe FTS5 queries; dashboard_link_args(...) carries the dashboard's filters into
  the links of its bars;
- an article's page reads as the article: headline, source, its tags with evidence, the analyst's
  corrections of them and the `privwatch correct` command line to make one, then the text.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from datasette import hookimpl
from markupsafe import Markup, escape

from config.display import local_minute

# Views and canned queries (table None): their article_id and company_id have no foreign-key links.
VIEWS = {None, "incidents", "company_timeline"}
# the stories table's JSON lists, shown as plain comma-separated text
STORY_LISTS = {"accused", "company_ids", "types", "responses", "languages"}
SNIPPET_START, SNIPPET_END = "⟦", "⟧"
# a "quoted phrase" (the closing quote may be missing), with a leading - to leave it out, or a word
FTS_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
FTS_OPERATORS = {"OR", "AND", "NOT"}
# a stored date or ISO 8601 time, kept on one line
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?$")


def parse_search(text: str | None) -> tuple[list[list[str]], list[str]]:
    """What an analyst types, as FTS5 terms: the groups that must all match (each group's terms joined by
    OR) and the terms to leave out (NOT term, -term, -"phrase").

    Every term is quoted, so punctuation and FTS5's own syntax in the input are never syntax; a word ending
    in * matches a prefix. OR, AND and NOT are operators only in capitals (as in FTS5); an OR or NOT with
    nothing to apply to is dropped.
    """
    groups: list[list[str]] = []
    excluded: list[str] = []
    or_pending = not_pending = False
    for match in FTS_TOKEN.finditer(text or ""):
        minus, phrase, word = match.groups()
        if word in FTS_OPERATORS:
            or_pending = word == "OR" and bool(groups) and not not_pending
            not_pending = not_pending or word == "NOT"
            continue
        if word is not None and word.startswith("-") and len(word.strip("-*")) > 0:
            minus, word = "-", word.lstrip("-")
        prefix = word is not None and word.endswith("*")
        core = (phrase if word is None else word.rstrip("*")).replace('"', "").strip()
        if not re.search(r"\w", core):  # punctuation alone ("-", "(") is no word FTS5 could find
            continue
        term = '"' + core + '"' + ("*" if prefix else "")
        if minus or not_pending:
            excluded.append(term)
        elif or_pending:
            groups[-1].append(term)
        else:
            groups.append([term])
        or_pending = not_pending = False
    return groups, excluded


def fts_query(text: str | None) -> str:
    """The FTS5 query for what an analyst types (see parse_search): `breach OR leak` finds either word,
    `privacy NOT fine` or `privacy -fine` leaves articles with "fine" out, "a phrase" matches as written.
    With no term to find (empty input, or only terms to leave out) it is "", which matches nothing:
    fts_exclusions then holds what to leave out."""
    groups, excluded = parse_search(text)
    if not groups:
        return '""'
    query = " AND ".join(group[0] if len(group) == 1 else "(" + " OR ".join(group) + ")" for group in groups)
    if excluded:
        query = f"({query})" + "".join(f" NOT {term}" for term in excluded)
    return query


def fts_exclusions(text: str | None) -> str:
    """For input that only leaves terms out (`NOT breach`, `-breach`): the FTS5 query matching any of
    them, so the search can list the articles that match none; otherwise "" (matches nothing)."""
    groups, excluded = parse_search(text)
    return " OR ".join(excluded) if excluded and not groups else '""'


def dashboard_link_args(date_start: str | None, date_end: str | None, company: str | None) -> str:
    """The dashboard's filters as arguments of the incidents table ("&published__gte=..."), so that a bar
    opens exactly the rows it counts: the charts keep published >= From, published < the day after To,
    and company = Company (metadata.yaml); an empty filter is left out, as the charts leave it out."""
    args = []
    if date_start:
        args.append(("published__gte", date_start))
    if date_end:
        try:
            args.append(("published__lt", (date.fromisoformat(date_end) + timedelta(days=1)).isoformat()))
        except ValueError:
            pass  # SQLite's date() of it is NULL: the chart counts nothing, so there is no bar to link
    if company:
        args.append(("company", company))
    return "&" + urlencode(args) if args else ""


@hookimpl
def prepare_connection(conn):
    conn.create_function("fts_query", 1, fts_query, deterministic=True)
    conn.create_function("fts_exclusions", 1, fts_exclusions, deterministic=True)
    conn.create_function("dashboard_link_args", 3, dashboard_link_args, deterministic=True)
    conn.create_function("snippet_beyond", 2, snippet_beyond, deterministic=True)


def _keys(row) -> set[str]:
    try:
        return set(row.keys())
    except AttributeError:
        return set()


def _is_web_url(value) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def snippet_beyond(snippet: str | None, evidence: str | None) -> str | None:
    """The search's snippet, unless the evidence sentence shown beside it holds every word it highlights
    (then it mostly repeats that sentence)."""
    found = re.findall(f"{SNIPPET_START}(.*?){SNIPPET_END}", snippet or "")
    if found and evidence and all(word.casefold() in evidence.casefold() for word in found):
        return None
    return snippet


def highlight(snippet: str) -> Markup:
    """Escape the snippet, then turn balanced ⟦ ⟧ markers into <mark>."""
    html = str(escape(snippet))
    if html.count(SNIPPET_START) == html.count(SNIPPET_END):
        html = html.replace(SNIPPET_START, "<mark>").replace(SNIPPET_END, "</mark>")
    return Markup(html)


def _story_link(datasette, database: str, story_id, text: str) -> Markup:
    href = datasette.urls.database(database) + "/story?" + urlencode({"story": story_id})
    return Markup('<a href="{}" title="the story\'s timeline">{}</a>').format(href, text)


def _company_link(datasette, database: str, name: str, company_id: str | None = None) -> Markup:
    if company_id:
        href = datasette.urls.row(database, "companies", company_id)
    else:
        href = datasette.urls.database(database) + "/-/company?" + urlencode({"name": name})
    return Markup('<a href="{}" title="the company\'s page">{}</a>').format(href, name)


def _json_list(value) -> list | None:
    if not (isinstance(value, str) and value.startswith("[")):
        return None
    try:
        items = json.loads(value)
    except ValueError:
        return None
    return items if isinstance(items, list) else None


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if table == "stories" and column == "title" and isinstance(value, str):
        return _story_link(datasette, database, row["id"], value)
    if column == "story" and isinstance(value, str) and "story_id" in _keys(row):
        return _story_link(datasette, database, row["story_id"], value)
    if table == "stories" and column in STORY_LISTS and (items := _json_list(value)) is not None:
        if column == "accused":
            return Markup(", ").join(_company_link(datasette, database, str(name)) for name in items)
        return ", ".join(str(item) for item in items)
    if column == "companies" and table is None and (items := _json_list(value)) is not None:
        return Markup(", ").join(_company_link(datasette, database, str(name)) for name in items)
    if column == "company" and isinstance(value, str) and value:
        if "company_id" not in _keys(row):
            return _company_link(datasette, database, value)
        # an accused organisation the knowledge base lacks has no company_id, and no page
        return _company_link(datasette, database, value, row["company_id"]) if row["company_id"] else None
    if column == "company_id" and table in VIEWS and isinstance(value, str) and value:
        return _company_link(datasette, database, value, value)
    if column == "title" and isinstance(value, str) and "url" in _keys(row) and _is_web_url(row["url"]):
        return Markup('<a href="{}" rel="noopener noreferrer nofollow">{}</a>').format(row["url"], value)
    if column == "article_id" and table in VIEWS and isinstance(value, int):
        href = datasette.urls.row(database, "articles", str(value)) + "#tags"
        return Markup('<a href="{}" title="the article with all its tags">{}</a>').format(href, value)
    if column == "snippet" and isinstance(value, str):
        return highlight(value)
    if column == "evidence" and isinstance(value, str) and value:
        # the whole sentence (Datasette would cut it at truncate_cells_html), escaped by the template and
        # wrapped by its CSS (templates/_privwatch_style.html)
        return value
    if isinstance(value, str) and TIMESTAMP.match(value):
        return _timestamp(datasette, value)
    return None


# Set by privwatch/serve.py from settings (digest.timezone, the digest's zone).
DISPLAY_ZONE_CONFIG = "privwatch-display"


def _timestamp(datasette, value: str):
    """A moment stored in UTC shown in the display zone, with its offset, as the digest shows it; a date,
    or a time without an offset (whose zone is unknown), as stored."""
    zone_name = (datasette.plugin_config(DISPLAY_ZONE_CONFIG) or {}).get("timezone")
    moment = None
    if zone_name and len(value) > 10:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            moment = None
    if moment is None or moment.tzinfo is None:
        return Markup('<span class="timestamp">{}</span>').format(value)
    zone = ZoneInfo(zone_name)
    offset = moment.astimezone(zone).isoformat()[-6:]
    return Markup('<span class="timestamp" title="{} ({})">{} {}</span>').format(
        value, zone_name, local_minute(moment, zone), offset
    )


ARTICLE_TAGS_SQL = """
SELECT 'incident' AS tag, ai.incident_type AS kind, c.name AS company, m.response AS response,
    ai.evidence AS evidence, ai.score AS score
FROM article_incidents ai
LEFT JOIN companies c ON c.id = ai.company_id
LEFT JOIN mentions m ON m.article_id = ai.article_id AND m.company_id = ai.company_id
WHERE ai.article_id = :id
UNION ALL
SELECT 'company', m.role, c.name, m.response, m.evidence, m.count
FROM mentions m LEFT JOIN companies c ON c.id = m.company_id
WHERE m.article_id = :id
UNION ALL
SELECT 'unknown organisation', NULL, u.name, NULL, NULL, u.count
FROM unlinked_orgs u WHERE u.article_id = :id
"""


ARTICLE_CORRECTIONS_SQL = """
SELECT k.id, coalesce(c.name, k.org_name) AS company, k.field, k.action, k.value, k.note, k.by, k.created_at,
    k.undone_at
FROM corrections k LEFT JOIN companies c ON c.id = k.company_id
WHERE k.article_id = :id
ORDER BY k.id
"""


ARTICLE_SQL = """
SELECT a.id, a.url, a.title, a.author, a.credit, a.published, a.section, a.body, a.duplicate_of,
    a.tagged_at, a.truncated, a.source_id, s.name AS source
FROM articles a LEFT JOIN sources s ON s.id = a.source_id
WHERE a.id = :id
"""


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if view_name != "row" or table != "articles" or request is None:
        return {}

    async def article_and_tags():
        pks = request.url_vars.get("pks", "")
        if not pks.isdigit():
            return {"article": None, "article_tags": [], "article_corrections": []}
        db = datasette.get_database(database)
        found = (await db.execute(ARTICLE_SQL, {"id": int(pks)})).rows
        tags = (await db.execute(ARTICLE_TAGS_SQL, {"id": int(pks)})).rows
        corrections = (await db.execute(ARTICLE_CORRECTIONS_SQL, {"id": int(pks)})).rows
        return {
            "article": dict(found[0]) if found else None,
            "article_tags": [dict(r) for r in tags],
            "article_corrections": [dict(r) for r in corrections],
        }

    return article_and_tags
