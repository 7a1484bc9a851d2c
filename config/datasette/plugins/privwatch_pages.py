"""Datasette plugin for privwatch's company pages and dashboard defaults (loaded by `privwatch serve`).

- A company's page is the companies table's row page, /<db>/companies/<id> (what foreign keys already link
  to), read as the company's file by templates/row.html: its names and products, its incidents per month (a
  vega-lite chart drawn with the files datasette-dashboards bundles: nothing comes from the internet), its
  stories and articles newest first with types, responses and evidence, and the companies accused beside it.
- /<db>/-/company?name=... opens the page of the company with that name, alias, product or id: cells that
  show a company's name without its id link there (plugins/privwatch_cells.py). A name the knowledge base
  lacks (an organisation accused under its own name) opens its incidents instead.
- A dashboard opened without filters redirects to its date filters' `default_days_before_today`
  (metadata.yaml), so the page opens on a recent period whose dates show in the filter form, ready to widen.

The page's queries are bounded for a million articles: each reads one company's rows through an index whose
first column is company_id, and lists stop at a limit.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

LATEST_ARTICLES = 50
LATEST_STORIES = 20
# the companies accused beside one are counted over its latest accusations: enough for a ranking, and the
# page stays fast for a company accused in tens of thousands of articles
BESIDE_OVER_ARTICLES = 1000
NAME_KINDS = {
    "alias": "Also known as",
    "former_name": "Former names",
    "legal_name": "Legal names",
    "chinese_name": "Chinese names",
    "product": "Products",
}

COMPANY_SQL = """
SELECT c.id, c.name, c.country, c.sector, c.tickers, c.parent_id, p.name AS parent
FROM companies c LEFT JOIN companies p ON p.id = c.parent_id
WHERE c.id = :id
"""
SUBSIDIARIES_SQL = "SELECT id, name FROM companies WHERE parent_id = :id ORDER BY name"
NAMES_SQL = """
SELECT kind, alias FROM company_aliases WHERE company_id = :id AND kind != 'name' ORDER BY kind, alias
"""
# incidents are unique per article × company × type, so for one company a count per type counts articles
TYPES_SQL = """
SELECT incident_type AS type, count(*) AS articles FROM incidents WHERE company_id = :id
GROUP BY incident_type ORDER BY articles DESC, type
"""
SPAN_SQL = """
SELECT count(DISTINCT article_id) AS articles, min(published) AS first, max(published) AS last
FROM incidents WHERE company_id = :id
"""
PER_MONTH_SQL = """
SELECT substr(published, 1, 7) AS month, incident_type AS type, count(*) AS incidents
FROM incidents WHERE company_id = :id AND published IS NOT NULL
GROUP BY month, type ORDER BY month, type
"""
STORIES_SQL = f"""
SELECT st.id, st.title, st.first_seen, st.last_seen, st.articles, st.outlets, st.types, st.latest_responses
FROM story_companies sc JOIN stories st ON st.id = sc.story_id
WHERE sc.company_id = :id
ORDER BY sc.last_seen DESC LIMIT {LATEST_STORIES}
"""
# coalesce(company_id, '') is how article_responses' unique index keys the company
ARTICLES_SQL = f"""
SELECT t.published, s.name AS source, t.title, t.url, t.role, t.incident_types AS types,
    coalesce((SELECT group_concat(response, ', ') FROM (
        SELECT r.response FROM article_responses r
        WHERE r.article_id = t.article_id AND coalesce(r.company_id, '') = t.company_id ORDER BY r.response)),
        t.response) AS responses,
    t.evidence, t.article_id, sa.story_id
FROM company_timeline t
LEFT JOIN sources s ON s.id = t.source_id
LEFT JOIN story_articles sa ON sa.article_id = t.article_id
WHERE t.company_id = :id
ORDER BY t.published DESC LIMIT {LATEST_ARTICLES}
"""
BESIDE_SQL = f"""
WITH accusing AS (
    SELECT article_id FROM company_timeline WHERE company_id = :id AND role = 'accused'
    ORDER BY published DESC LIMIT {BESIDE_OVER_ARTICLES}
)
SELECT o.company_id AS id, o.company AS name, count(*) AS articles
FROM accusing a
JOIN company_timeline o ON o.article_id = a.article_id AND o.role = 'accused' AND o.company_id != :id
GROUP BY o.company_id ORDER BY articles DESC, name LIMIT 10
"""
INCIDENT_TYPES_SQL = "SELECT id FROM incident_types ORDER BY rowid"
COMPANY_BY_NAME_SQL = """
SELECT company_id FROM company_aliases WHERE alias = :name
UNION ALL SELECT id FROM companies WHERE id = :name
LIMIT 1
"""


def month_span(months: list[str], today: date) -> tuple[int, int]:
    """The chart's time axis for months "YYYY-MM" (sorted): up to this month, from the first month with an
    incident or a year back, whichever is earlier; as UTC milliseconds from the first day of the first
    month to the first day after the last."""
    this_month = today.year * 12 + today.month - 1
    first, last = (int(m[:4]) * 12 + int(m[5:7]) - 1 for m in (months[0], months[-1]))

    def first_day_ms(month_index: int) -> int:
        return int(datetime(month_index // 12, month_index % 12 + 1, 1, tzinfo=UTC).timestamp() * 1000)

    return first_day_ms(min(first, this_month - 11)), first_day_ms(max(last, this_month) + 1)


def chart_data(datasette, database: str, company_id: str, per_month: list[dict], types: list[str]) -> dict:
    """What the incidents-per-month chart draws: one row per month and type, each bar linking to that
    month's incidents; the taxonomy's types in order (one colour per type on every page); the time axis."""
    incidents_url = datasette.urls.table(database, "incidents")
    rows = [
        {
            **row,
            "month": f"{row['month']}-01",
            "link": incidents_url
            + "?"
            + urlencode({"company_id": company_id, "published__startswith": row["month"]}),
        }
        for row in per_month
    ]
    months = [row["month"] for row in per_month]
    return {
        "rows": rows,
        "types": types,
        "domain": month_span(months, datetime.now(UTC).date()) if months else None,
    }


async def company_page(datasette, database: str, company_id: str) -> dict:
    """Everything the company's page shows, or {"company": None} for an unknown id."""
    db = datasette.get_database(database)

    async def query(sql: str) -> list[dict]:
        return [dict(row) for row in (await db.execute(sql, {"id": company_id})).rows]

    found = await query(COMPANY_SQL)
    if not found:
        return {"company": None}
    company = found[0]
    company["tickers"] = json.loads(company["tickers"] or "[]")  # storage writes a JSON list
    names: dict[str, list[str]] = {}
    for row in await query(NAMES_SQL):
        names.setdefault(NAME_KINDS.get(row["kind"], row["kind"]), []).append(row["alias"])
    types = [row["id"] for row in await query(INCIDENT_TYPES_SQL)]
    span = (await query(SPAN_SQL))[0]
    stories = [{**row, "types": json.loads(row["types"] or "[]")} for row in await query(STORIES_SQL)]
    database_url = datasette.urls.database(database)
    incidents_url = datasette.urls.table(database, "incidents")
    return {
        "company": company,
        "company_subsidiaries": await query(SUBSIDIARIES_SQL),
        "company_names": [(label, names[label]) for label in NAME_KINDS.values() if label in names],
        "company_span": span,
        "company_types": await query(TYPES_SQL),
        "company_chart": chart_data(datasette, database, company_id, await query(PER_MONTH_SQL), types),
        "company_stories": stories,
        "company_articles": await query(ARTICLES_SQL),
        "company_articles_limit": LATEST_ARTICLES,
        "company_beside": await query(BESIDE_SQL),
        "company_beside_bounded": (span["articles"] or 0) > BESIDE_OVER_ARTICLES,
        "company_beside_limit": BESIDE_OVER_ARTICLES,
        "company_links": {
            "incidents": incidents_url + "?" + urlencode({"company_id": company_id}),
            "timeline": database_url + "/company_history?" + urlencode({"company": company_id}),
            "stories": database_url + "/company_stories?" + urlencode({"company": company_id}),
            "index": database_url + "/company_index",
        },
    }


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if view_name != "row" or table != "companies" or request is None:
        return {}

    async def page():
        return await company_page(datasette, database, request.url_vars.get("pks", ""))

    return page


async def company_by_name(request, datasette):
    """Redirects a company's name, alias, product or id to its page."""
    database = request.url_vars["database"]
    try:
        db = datasette.get_database(database)
    except KeyError:
        raise NotFound(f"Database not found: {database}") from None
    await datasette.ensure_permissions(
        request.actor, [("view-table", (database, "companies")), ("view-database", database), "view-instance"]
    )
    name = request.args.get("name", "").strip()
    found = (await db.execute(COMPANY_BY_NAME_SQL, {"name": name})).rows
    if found:
        return Response.redirect(datasette.urls.row(database, "companies", found[0][0]))
    return Response.redirect(datasette.urls.table(database, "incidents") + "?" + urlencode({"company": name}))


@hookimpl
def register_routes():
    return [(r"^/(?P<database>[^/]+)/-/company$", company_by_name)]


def opening_filters(dashboard: dict, today: datetime) -> dict[str, str]:
    """The filters a dashboard opens with: each date filter's `default_days_before_today` as a date, and
    the other filters' static `default`s."""
    values = {}
    for key, spec in (dashboard.get("filters") or {}).items():
        if spec.get("default_days_before_today") is not None:
            values[key] = (today - timedelta(days=int(spec["default_days_before_today"]))).date().isoformat()
        elif spec.get("default"):
            values[key] = str(spec["default"])
    return values


@hookimpl
def asgi_wrapper(datasette):
    """/-/dashboards with one dashboard opens it; a dashboard opened with no query string opens on its
    default period. Only the URL changes: datasette-dashboards checks permissions on the page it lands on."""

    def wrap(app):
        async def redirect_to_defaults(scope, receive, send):
            path = scope.get("path", "") if scope.get("type") == "http" else ""
            if path.startswith("/-/dashboards") and scope.get("method") == "GET":
                dashboards = datasette.plugin_config("datasette-dashboards") or {}
                slug = path.removeprefix("/-/dashboards").strip("/")
                target = None
                if not slug and len(dashboards) == 1:
                    target = f"/-/dashboards/{next(iter(dashboards))}"
                elif slug in dashboards and not scope.get("query_string"):
                    defaults = opening_filters(dashboards[slug], datetime.now(UTC))
                    if defaults:
                        target = f"/-/dashboards/{slug}?{urlencode(defaults)}"
                if target:
                    await Response.redirect(datasette.urls.path(target)).asgi_send(send)
                    return
            await app(scope, receive, send)

        return redirect_to_defaults

    return wrap
