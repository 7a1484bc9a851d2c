"""Datasette plugin for privwatch (loaded by `privwatch serve` from config/datasette/plugins/).

Scraped text is untrusted: every value rendered here is escaped first, and only the markup added here
(links, <mark>) is HTML. What it adds:
- titles link to the original article (when the row has an http(s) url); a story's title to its timeline;
- article_id in the analyst views and canned queries links to the article's page;
- a company's name links to its page (the companies row page, see privwatch_pages.py): by company_id when
  the row has one, else through /<db>/-/company?name=...; so do a story's accused companies;
- snippets from search_incidents show the matched words highlighted (⟦ ⟧ markers become <mark>);
- the SQL function fts_query(text) turns what an analyst types into a safe FTS5 query;
- an article's page reads as the article: headline, source, its tags with evidence, then the text.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from datasette import hookimpl
from markupsafe import Markup, escape

# Views and canned queries (table None): their article_id and company_id have no foreign-key links.
VIEWS = {None, "incidents", "company_timeline"}
# the stories table's JSON lists, shown as plain comma-separated text
STORY_LISTS = {"accused", "company_ids", "types", "responses", "languages"}
SNIPPET_START, SNIPPET_END = "⟦", "⟧"
FTS_TERM = re.compile(r'"([^"]*)"|(\S+)')


def fts_query(text: str | None) -> str:
    """Words and "quoted phrases" as an FTS5 query that all must match; a trailing * matches a prefix.

    Every term is quoted, so FTS5 operators and punctuation in the input are never syntax; an empty
    input becomes "" (matches nothing) instead of an error.
    """
    terms = []
    for phrase, word in FTS_TERM.findall(text or ""):
        prefix = not phrase and word.endswith("*")
        core = (phrase or word.rstrip("*")).replace('"', "").strip()
        if core:
            terms.append('"' + core + '"' + ("*" if prefix else ""))
    return " ".join(terms) or '""'


@hookimpl
def prepare_connection(conn):
    conn.create_function("fts_query", 1, fts_query, deterministic=True)


def _keys(row) -> set[str]:
    try:
        return set(row.keys())
    except AttributeError:
        return set()


def _is_web_url(value) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


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
    return None


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
            return {"article": None, "article_tags": []}
        db = datasette.get_database(database)
        found = (await db.execute(ARTICLE_SQL, {"id": int(pks)})).rows
        tags = (await db.execute(ARTICLE_TAGS_SQL, {"id": int(pks)})).rows
        return {"article": dict(found[0]) if found else None, "article_tags": [dict(r) for r in tags]}

    return article_and_tags
