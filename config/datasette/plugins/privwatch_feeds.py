"""Atom feeds of the incidents, for feed readers (loaded by `privwatch serve` from config/datasette/plugins/).

- /-/feeds/incidents.atom: the newest articles with a privacy incident;
- /-/feeds/watchlists/ID.atom: the newest articles with an incident that matches the watchlist ID of
  config/watchlists.yaml (the watchlist_incidents view, as its alerts and digest section).

One entry per article (FEED_ENTRIES of them, newest publication first, among the FEED_WINDOW newest
incidents; syndicated copies never): the
headline as title, the evidence sentence of its strongest (matching) incident as summary, a link to the
article's page in Datasette (alternate) and to the original (related, http(s) only), a category per
incident type and per accused company. An entry's id is a tag URI made from the article's canonical URL,
so it stays the same whatever host serves the feed. The XML is built with ElementTree, which escapes
every scraped string. Feeds answer 403 where the pages do (datasette-auth-passwords, docs/datasette.md).
datasette-atom was the other choice: it puts text in <content>, not <summary>, and fails on an empty feed.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from urllib.parse import urlencode
from xml.etree import ElementTree

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup

ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 50
# incident rows read to find FEED_ENTRIES articles: an article has a handful
SCAN_ROWS = FEED_ENTRIES * 20
# A feed looks among the newest FEED_WINDOW incidents only: a watchlist's terms are looked for in each
# article's text, and over 500,000 incidents a rare term took 26 s (this window: 0.3 s).
FEED_WINDOW = 5000
TAG = "tag:privwatch,2025:"

FEED_ROWS = """
SELECT i.article_id, i.published, i.title, i.url, i.source, i.company, i.company_id, i.incident_type,
    i.evidence, a.tagged_at
FROM {view} i JOIN articles a ON a.id = i.article_id
WHERE {where}
ORDER BY i.published DESC, i.article_id DESC, i.score DESC
LIMIT :scan
"""


def rfc3339(value: str | None) -> str | None:
    """An ISO 8601 time (a date alone is its midnight, no offset is UTC) as RFC 3339 in UTC, or None."""
    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _web_url(value: str | None) -> str | None:
    return value if isinstance(value, str) and value.lower().startswith(("http://", "https://")) else None


def _articles(rows: list, complete: bool) -> list[list]:
    """Rows grouped by article, in order; the last article is left out when the scan may have cut it."""
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row["article_id"], []).append(row)
    articles = list(grouped.values())
    if not complete and len(articles) > 1:
        articles.pop()
    return articles[:FEED_ENTRIES]


def _add(parent: ElementTree.Element, tag: str, text: str | None = None, **attributes) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", {k: v for k, v in attributes.items() if v})
    if text is not None:
        element.text = text
    return element


def atom_feed(
    *, feed_id: str, title: str, subtitle: str, self_url: str, page_url: str, articles: list[list], page_of
) -> bytes:
    """The Atom document; page_of(article_id) is the absolute URL of the article's Datasette page."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", feed_id)
    _add(feed, "title", title)
    _add(feed, "subtitle", subtitle)
    entries = []
    for rows in articles:
        first = rows[0]
        published = rfc3339(first["published"])
        updated = published or rfc3339(first["tagged_at"]) or "1970-01-01T00:00:00Z"
        entries.append((updated, published, rows))
    newest = max((updated for updated, _, _ in entries), default=None)
    _add(feed, "updated", newest or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    _add(_add(feed, "author"), "name", "privwatch")
    _add(feed, "generator", "privwatch")
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=page_url)
    for updated, published, rows in entries:
        first = rows[0]
        entry = _add(feed, "entry")
        _add(entry, "id", TAG + "article:" + hashlib.sha1((first["url"] or "").encode()).hexdigest())
        _add(entry, "title", first["title"] or "(untitled)")
        _add(entry, "updated", updated)
        if published:
            _add(entry, "published", published)
        _add(_add(entry, "author"), "name", first["source"] or "unknown source")
        _add(entry, "link", rel="alternate", type="text/html", href=page_of(first["article_id"]))
        if original := _web_url(first["url"]):
            _add(entry, "link", rel="related", type="text/html", href=original)
        evidence = next((row["evidence"] for row in rows if row["evidence"]), None)
        if evidence:
            _add(entry, "summary", evidence, type="text")
        for incident_type in dict.fromkeys(row["incident_type"] for row in rows if row["incident_type"]):
            _add(entry, "category", term=incident_type, scheme=TAG + "incident-type")
        for row in {row["company_id"] or row["company"]: row for row in rows if row["company"]}.values():
            _add(entry, "category", term=row["company_id"] or row["company"], label=row["company"],
                 scheme=TAG + "company")  # fmt: skip
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


async def _feed(datasette, request, *, watchlist_id: str | None):
    database = datasette.get_database()
    name = database.name
    await datasette.ensure_permissions(
        request.actor, [("view-table", (name, "incidents")), ("view-database", name), "view-instance"]
    )
    params: dict = {"scan": SCAN_ROWS}
    cutoff = (
        await database.execute(
            "SELECT published FROM incidents_materialized ORDER BY published DESC LIMIT 1 OFFSET :n",
            {"n": FEED_WINDOW - 1},
        )
    ).rows
    if watchlist_id is None:
        view, where = "incidents_materialized", "1"
        title, subtitle = "privwatch: privacy incidents", "The newest articles with a data-privacy incident."
        page = datasette.urls.table(name, "incidents")
    else:
        found = (
            await database.execute(
                "SELECT id, name FROM watchlists WHERE id = :id AND active = 1", {"id": watchlist_id}
            )
        ).rows
        if not found:
            return Response.text(f"No watchlist {watchlist_id!r}: see the watchlists table.", status=404)
        view, where = "watchlist_incidents", "i.watchlist_id = :watchlist"
        params["watchlist"] = watchlist_id
        title = f"privwatch watchlist: {found[0]['name']}"
        subtitle = (
            f"The newest articles with a data-privacy incident that matches the watchlist {watchlist_id}."
        )
        page = datasette.urls.database(name) + "/watchlist?" + urlencode({"watchlist": watchlist_id})
    if cutoff and cutoff[0][0]:  # more incidents than the window: the older ones are left out
        where, params["cutoff"] = where + " AND i.published >= :cutoff", cutoff[0][0]
    rows = (await database.execute(FEED_ROWS.format(view=view, where=where), params)).rows
    body = atom_feed(
        feed_id=TAG + ("feed:incidents" if watchlist_id is None else f"feed:watchlist:{watchlist_id}"),
        title=title,
        subtitle=subtitle,
        self_url=datasette.absolute_url(request, request.path),
        page_url=datasette.absolute_url(request, page),
        articles=_articles(rows, complete=len(rows) < SCAN_ROWS),
        page_of=lambda article_id: datasette.absolute_url(
            request, datasette.urls.row(name, "articles", str(article_id))
        ),
    )
    return Response(body, content_type="application/atom+xml; charset=utf-8")


async def incidents_feed(datasette, request):
    return await _feed(datasette, request, watchlist_id=None)


async def watchlist_feed(datasette, request):
    return await _feed(datasette, request, watchlist_id=request.url_vars["watchlist"])


@hookimpl
def register_routes():
    return [
        (r"^/-/feeds/incidents\.atom$", incidents_feed),
        (r"^/-/feeds/watchlists/(?P<watchlist>[a-z0-9][a-z0-9_-]*)\.atom$", watchlist_feed),
    ]


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if table == "watchlists" and column == "name" and isinstance(value, str):
        watchlist_id = row["id"]
        page = datasette.urls.database(database) + "/watchlist?" + urlencode({"watchlist": watchlist_id})
        return Markup('<a href="{}">{}</a> (<a href="{}" title="its Atom feed">feed</a>)').format(
            page, value, datasette.urls.path(f"/-/feeds/watchlists/{watchlist_id}.atom")
        )
    return None
