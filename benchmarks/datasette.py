"""Datasette speed at scale: p50/p95 latency of the pages analysts use, served by `privwatch serve` and by
stock `datasette` (default settings, no metadata) on the same synthetic database, side by side.

The database: --articles articles (default 1,000,000) over five years from the configured sources, with
the knowledge base's companies mentioned (Zipf-distributed), --incident-share of the articles carrying
privacy incidents (1-2 types, an accused company, a response), unknown organisations and six-hourly crawl
runs. It is built once under build/ and reused (delete it to rebuild). Pages measured, each after warm-up
requests, sequentially:
- the incidents view: newest first with the four default facets (stock: the same URL parameters);
- the stories page with its three array facets, the largest story's timeline and the stories of the
  most-mentioned company (stock: the same parameters, or the same SQL);
- search_incidents, FTS with snippets, for a common, a medium and a rare term (stock: the same SQL);
- company_history for the most-mentioned company (stock: the same SQL);
- the dashboard's data: each chart's query as the dashboard fetches it, unfiltered, over the last 90 days
  (what it opens on) and filtered by a company and a quarter; and the dashboard page itself (ours only:
  stock has no dashboard);
- then the other pages analysts open: home, database, a company's incidents (the digest's link) and
  timeline, an article, a company's page (ours only), the articles search box, weekly_counts and the
  other canned queries.

Prints a table, then `BENCH {json}`: datasette_p95_ms, the slowest p95 (ours) of the issue's pages (the
incidents view, search, the company timeline, the dashboard), and datasette_vs_stock, stock's slowest p95
over ours on those pages (above 1 when we are faster); datasette_all_pages_p95_ms and
datasette_vs_stock_geomean (the geometric mean of the per-page ratios) cover every page measured.

    python -m benchmarks.datasette                    # 1M articles (~3.3 GB under build/, ~10 min)
    python -m benchmarks.datasette --articles 50000   # a quick run
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlencode

import httpx
import numpy as np

from benchmarks.sites import free_port
from config.models import Config
from privwatch.serve import datasette_folder, render_metadata
from storage import db as store
from storage.config_rows import sync_config
from storage.views import refill_materialized_views, refill_stories

ROOT = Path(__file__).resolve().parent.parent
START, YEARS = np.datetime64("2021-01-01T00:00:00"), 5
TYPES = ["consent", "collection", "breach", "sharing", "surveillance", "profiling", "enforcement"]
TYPE_WEIGHTS = [0.14, 0.16, 0.24, 0.12, 0.14, 0.08, 0.12]
RESPONSES = ["apology", "denial", "remediation", "none"]
RESPONSE_WEIGHTS = [0.15, 0.25, 0.15, 0.45]
TYPE_WORDS = {
    "consent": "consent pre-ticked box buried terms dark pattern opt-out forced bundled",
    "collection": "collected contacts location microphone excessive covert harvesting permissions",
    "breach": "data breach hackers leaked exposed records stolen passwords database",
    "sharing": "sold shared third parties advertisers transferred abroad brokers",
    "surveillance": "facial recognition tracking monitored chats surveillance retained messages",
    "profiling": "credit score profiles targeting automated decisions behavioural",
    "enforcement": "regulator fined investigation lawsuit penalty order removed app store",
}
GENERAL = (
    "market shares investors quarter revenue growth bank loans yuan dollar economy trade tariffs chip "
    "stocks profit earnings users platform app launch device cloud startup funding regulators policy "
    "china shenzhen beijing global technology data digital payments consumers online service customers "
    "government officials report analysts company said percent year billion million week month"
).split()


def synthetic_vocabulary(size: int, rng: np.random.Generator) -> np.ndarray:
    syllables = np.array(["ka", "to", "mi", "ren", "sa", "lo", "vi", "der", "na", "qu", "bel", "ti", "or"])
    words = {"".join(rng.choice(syllables, rng.integers(2, 4))) for _ in range(size * 2)}
    return np.array(sorted(words)[:size])


def zipf_weights(count: int, exponent: float = 1.1) -> np.ndarray:
    weights = 1.0 / np.arange(1, count + 1) ** exponent
    return weights / weights.sum()


class Generator:
    """Deterministic synthetic articles and tags, in chunks."""

    def __init__(self, config: Config, incident_share: float, seed: int = 20240501):
        self.rng = np.random.default_rng(seed)
        self.incident_share = incident_share
        self.sources = [s.id for s in config.sources]
        self.source_weights = zipf_weights(len(self.sources), 0.8)
        companies = config.knowledge_base.companies
        self.companies = [c.id for c in companies]
        self.company_names = {c.id: [c.name, *c.products[:2]] for c in companies}
        order = self.rng.permutation(len(self.companies))  # which companies are popular: random but fixed
        self.company_weights = zipf_weights(len(self.companies))[np.argsort(order)]
        self.words = np.concatenate([synthetic_vocabulary(6000, self.rng), np.array(GENERAL)])
        self.word_weights = zipf_weights(len(self.words), 1.0)
        self.orgs = [f"Org {w.title()} Holdings" for w in synthetic_vocabulary(3000, self.rng)]

    def text(self, count: int) -> str:
        return " ".join(self.rng.choice(self.words, count, p=self.word_weights))

    def chunk(self, first_id: int, count: int, total: int) -> tuple[list, list, list, list]:
        rng = self.rng
        # ids follow publication order, as crawling does
        span = YEARS * 365 * 86400
        base = (first_id - 1) / total * span
        seconds = base + np.sort(rng.random(count)) * span * count / total
        published = [str(START + np.timedelta64(int(s), "s")) + "+00:00" for s in seconds]
        sources = rng.choice(self.sources, count, p=self.source_weights)
        articles, mentions, incidents, unlinked = [], [], [], []
        for i in range(count):
            article_id = first_id + i
            is_incident = rng.random() < self.incident_share
            named_count = max(rng.poisson(1.2), 1 if is_incident else 0)  # an incident names its company
            named = list(dict.fromkeys(rng.choice(self.companies, named_count, p=self.company_weights)))
            sentences = [self.text(int(rng.integers(12, 25))) for _ in range(int(rng.integers(5, 9)))]
            for company in named:
                mention = f"{rng.choice(self.company_names[company])} {self.text(10)}"
                sentences.insert(int(rng.integers(0, len(sentences))), mention)
            accused = named[0] if is_incident else None
            if accused:
                name = self.company_names[accused][0]
                kinds = list(dict.fromkeys(rng.choice(TYPES, int(rng.integers(1, 3)), p=TYPE_WEIGHTS)))
                response = rng.choice(RESPONSES, p=RESPONSE_WEIGHTS)
                evidence = {k: f"{name} privacy {TYPE_WORDS[k]} {self.text(8)}" for k in kinds}
                sentences[1:1] = list(evidence.values())
                for kind in kinds:
                    incidents.append((article_id, kind, None if rng.random() < 0.04 else accused,
                                      round(float(rng.random()) / 2 + 0.5, 3), evidence[kind]))  # fmt: skip
            for company in named:
                role = "accused" if company == accused else "mentioned"
                mentions.append((article_id, company, role, response if role == "accused" else None,
                                 int(rng.integers(1, 5)), sentences[0]))  # fmt: skip
            if rng.random() < 0.2:
                unlinked.append((str(rng.choice(self.orgs, p=zipf_weights(len(self.orgs)))), article_id, 1))
            body = "\n".join(s.capitalize() + "." for s in sentences)
            articles.append((
                article_id, f"https://news.example/{sources[i]}/{article_id}", str(sources[i]),
                self.text(int(rng.integers(6, 12))).capitalize(),
                None if rng.random() < 0.3 else f"Reporter {int(rng.integers(1, 400))}",
                published[i], "en", body, len(body.split()), "trafilatura", published[i],
                published[i],
            ))  # fmt: skip
        return articles, mentions, incidents, unlinked


class SyntheticStories:
    """Stories for the synthetic incidents: an accused company's incident articles less than STORY_GAP
    apart form one story (at most STORY_MAX articles), as story assignment would group a run of reports.
    (Assignment itself is measured by benchmarks.stories.)"""

    STORY_GAP = np.timedelta64(5, "D")
    STORY_MAX = 25

    def __init__(self) -> None:
        self.open: dict[str, tuple[int, np.datetime64, int]] = {}  # company -> (story id, last, size)
        self.last_id = 0

    def rows(self, articles: list, incidents: list) -> tuple[list, list]:
        """(new story ids, story_articles rows) for a chunk."""
        published = {a[0]: np.datetime64(a[5][:19]) for a in articles}
        stories, members, seen = [], [], set()
        for article_id, _, company, _, _ in incidents:
            if company is None or article_id in seen:
                continue
            seen.add(article_id)
            story = self.open.get(company)
            at = published[article_id]
            if story is None or at - story[1] > self.STORY_GAP or story[2] >= self.STORY_MAX:
                self.last_id += 1
                stories.append((self.last_id,))
                story = (self.last_id, at, 0)
            self.open[company] = (story[0], at, story[2] + 1)
            members.append((article_id, story[0]))
        return stories, members


def build(path: Path, articles: int, incident_share: float, chunk: int = 20000) -> None:
    """Write the synthetic database at `path` (through a temporary file, so a killed build never leaves a
    half-built database to be reused)."""
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    config = Config()
    database = store.open_db(partial)
    sync_config(database, config)
    # Triggers (FTS sync, materialized views) fire per row; a bulk load drops them and rebuilds after.
    triggers = database.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _ in triggers:
        database.execute(f"DROP TRIGGER {name}")
    generator = Generator(config, incident_share)
    stories = SyntheticStories()
    started = time.perf_counter()
    conn = database.conn
    for first in range(1, articles + 1, chunk):
        rows, mentions, incidents, unlinked = generator.chunk(
            first, min(chunk, articles - first + 1), articles
        )
        with conn:
            conn.executemany(
                "INSERT INTO articles (id, url, source_id, title, author, published, language, body, "
                "word_count, extractor, fetched_at, tagged_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            conn.executemany("INSERT INTO mentions VALUES (?,?,?,?,?,?)", mentions)
            conn.executemany(
                "INSERT OR IGNORE INTO article_incidents (article_id, incident_type, company_id, score, "
                "evidence) VALUES (?,?,?,?,?)",
                incidents,
            )
            conn.executemany(
                "INSERT OR IGNORE INTO unlinked_orgs (name, article_id, count) VALUES (?,?,?)", unlinked
            )
            story_rows, members = stories.rows(rows, incidents)
            conn.executemany("INSERT INTO stories (id) VALUES (?)", story_rows)
            conn.executemany("INSERT INTO story_articles (article_id, story_id) VALUES (?, ?)", members)
        print(f"  {first + len(rows) - 1:,} articles ({time.perf_counter() - started:.0f} s)", flush=True)
    with conn:
        for source in generator.sources:
            runs = [
                (source, str(START + np.timedelta64(h, "h")) + "+00:00") for h in range(0, YEARS * 8760, 6)
            ]
            conn.executemany(
                "INSERT INTO crawl_runs (source_id, started, finished, status, pages, new) "
                "VALUES (?, ?, ?, 'ok', 40, 10)",
                [(s, t, t) for s, t in runs],
            )
        conn.execute(
            "INSERT INTO crawl_errors (run_id, url, status, error, at) "
            "SELECT id, 'https://news.example/x', 503, 'HTTP 503', started FROM crawl_runs WHERE id % 20 = 0"
        )
        conn.execute("UPDATE crawl_runs SET errors = 1, status = 'partial' WHERE id % 20 = 0")
    print("  full-text index …", flush=True)
    with conn:
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
    print("  materialized views and stories …", flush=True)
    with database.atomic():
        database.execute(
            "INSERT INTO article_responses (article_id, company_id, response, evidence) "
            "SELECT article_id, company_id, response, evidence FROM mentions "
            "WHERE role = 'accused' AND response IN ('apology', 'denial', 'remediation')"
        )
        refill_materialized_views(database)
        refill_stories(database)
        for _, sql in triggers:
            database.execute(sql)
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    partial.rename(path)
    print(f"built {path} in {time.perf_counter() - started:.0f} s ({path.stat().st_size / 1e9:.1f} GB)")


# -- measuring ------------------------------------------------------------------------------------------


OTHER_PAGES = object()  # in pages(): the pages come before it, the other pages after


def start(command: list[str], port: int) -> subprocess.Popen:
    # the log goes to a file: stock datasette logs every request, and a pipe nobody reads fills up and
    # stalls the server
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise SystemExit(f"{command[0]} exited: {log.read().decode()[-2000:]}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/-/versions.json", timeout=5)
            return server
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"{command[0]} did not start")


def measure(client: httpx.Client, url: str, samples: int, warmup: int = 3) -> dict:
    times, statuses = [], set()
    for attempt in range(warmup + samples):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        statuses.add(response.status_code)
        if attempt >= warmup:
            times.append(elapsed)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "ok": statuses == {200},
        "statuses": sorted(statuses),
    }


def plugin_fts_query():
    """fts_query() of our Datasette plugin: stock Datasette lacks the SQL function, so its search URL gets
    the query already converted."""
    plugin = datasette_folder(Config()) / "plugins" / "privwatch_cells.py"
    spec = importlib.util.spec_from_file_location("privwatch_cells_for_bench", plugin)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.fts_query


def pages(db_name: str, path: Path) -> list:
    """(label, our URL, stock URL) for every measured page; OTHER_PAGES separates the issue's pages."""
    config = Config()
    metadata = render_metadata(datasette_folder(config), config)
    queries = metadata["databases"]["privwatch"]["queries"]
    dashboard = metadata["plugins"]["datasette-dashboards"]["privacy-controversies"]
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        top_company, top_company_id = conn.execute(
            "SELECT c.name, c.id FROM company_timeline_materialized t "
            "JOIN companies c ON c.id = t.company_id GROUP BY t.company_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        last_week = conn.execute("SELECT max(week) FROM incidents_materialized").fetchone()[0]
        article_id = conn.execute(
            "SELECT article_id FROM incidents_materialized ORDER BY published DESC LIMIT 1"
        ).fetchone()[0]
        big_story = conn.execute("SELECT id FROM stories ORDER BY articles DESC, id DESC LIMIT 1").fetchone()[
            0
        ]
    from datasette.utils import tilde_encode

    base = f"/{tilde_encode(db_name)}"
    facets = "_facet=incident_type&_facet=company&_facet=source&_facet=response&_sort_desc=published&_size=50"
    result = [("incidents view (facets, newest first)", f"{base}/incidents", f"{base}/incidents?{facets}")]
    story_facets = (
        "_facet_array=accused&_facet_array=types&_facet_array=responses&_sort_desc=last_seen&_size=50"
    )
    result.append(
        ("stories page (facets, newest activity first)", f"{base}/stories", f"{base}/stories?{story_facets}")
    )
    for name, params in (("story", {"story": big_story}), ("company_stories", {"company": top_company})):
        shown = " ".join(f"{k}={v}" for k, v in params.items())
        ours = f"{base}/{name}?{urlencode(params)}"
        result.append(
            (f"{name} {shown}", ours, f"{base}?{urlencode({'sql': queries[name]['sql'], **params})}")
        )
    search_sql = queries["search_incidents"]["sql"]
    stock_search_sql = search_sql.replace("fts_query(:q)", ":q")
    quote_search = plugin_fts_query()
    for term in ("privacy", "facial recognition", "Sesame Credit"):
        result.append((
            f"search_incidents q={term!r}",
            f"{base}/search_incidents?{urlencode({'q': term})}",
            f"{base}?{urlencode({'sql': stock_search_sql, 'q': quote_search(term)})}",
        ))  # fmt: skip
    history = queries["company_history"]["sql"]
    result.append((
        f"company_history company={top_company!r}",
        f"{base}/company_history?{urlencode({'company': top_company})}",
        f"{base}?{urlencode({'sql': history, 'company': top_company})}",
    ))  # fmt: skip
    quarter_start = str(np.datetime64(last_week) - np.timedelta64(91, "D"))
    quarter = {"company": top_company, "date_start": quarter_start, "date_end": last_week}
    # the dashboard opens on the last 90 days (here: of the synthetic data)
    filters = [
        ({}, "all time"),
        ({"date_start": quarter_start}, "last 90 days"),
        (quarter, "company + quarter"),
    ]
    from datasette_dashboards import replace_opts_in_query

    for options, label in filters:
        for slug, chart in dashboard["charts"].items():
            if "query" not in chart:
                continue
            sql = replace_opts_in_query(chart["query"], options)
            url = f"{base}.json?{urlencode({'sql': sql, **options, '_shape': 'objects'})}"
            result.append((f"dashboard data {slug} ({label})", url, url))
    filter_sql = dashboard["filters"]["company"]["query"]
    url = f"{base}.json?{urlencode({'sql': filter_sql, '_shape': 'objects'})}"
    result.append(("dashboard data company filter options", url, url))
    result.append(("dashboard page", f"/-/dashboards/privacy-controversies?date_start={quarter_start}", None))
    # the other pages an analyst opens (stock: the same URL, or the same SQL)
    result.append(OTHER_PAGES)
    result += [
        ("home page", "/", "/"),
        ("database page", base, base),
        (
            "incidents of a company (the digest's link)",
            f"{base}/incidents?company_id={top_company_id}&_sort_desc=published",
            f"{base}/incidents?company_id={top_company_id}&{facets}",
        ),
        (
            "company_timeline view of a company",
            f"{base}/company_timeline?company_id={top_company_id}",
            f"{base}/company_timeline?company_id={top_company_id}&_sort_desc=published&_size=50",
        ),
        ("an article's page", f"{base}/articles/{article_id}", f"{base}/articles/{article_id}"),
        # stock's row page lacks what the plugin adds: the chart, stories, articles, companies beside it
        ("a company's page (the most mentioned)", f"{base}/companies/{top_company_id}", None),
        (
            "articles search box q='privacy'",
            f"{base}/articles?_search=privacy",
            f"{base}/articles?_search=privacy",
        ),
        ("weekly_counts view", f"{base}/weekly_counts", f"{base}/weekly_counts?_sort_desc=week"),
    ]
    for name, params in (
        ("company_index", {"name": ""}),
        ("latest_incidents", {}),
        ("incidents_by_week", {}),
        ("most_accused", {"from": "", "to": last_week}),
        ("most_accused", {"from": str(np.datetime64(last_week) - np.timedelta64(365, "D")), "to": last_week}),
        ("unknown_organisations", {}),
        ("crawl_health", {}),
    ):
        shown = " ".join(f"{k}={v}" for k, v in params.items())
        ours = f"{base}/{name}" + (f"?{urlencode(params)}" if params else "")
        result.append(
            (f"{name} {shown}".strip(), ours, f"{base}?{urlencode({'sql': queries[name]['sql'], **params})}")
        )
    return result


def run(path: Path, samples: int) -> dict:
    bin_dir = Path(sys.executable).parent
    ours_port, stock_port = free_port(), free_port()
    ours = start(
        [str(bin_dir / "privwatch"), "serve", "--db", str(path), "--port", str(ours_port)], ours_port
    )
    stock = start([str(bin_dir / "datasette"), "serve", str(path), "--port", str(stock_port)], stock_port)
    rows = []
    try:
        with (
            httpx.Client(base_url=f"http://127.0.0.1:{ours_port}", timeout=60) as ours_client,
            httpx.Client(base_url=f"http://127.0.0.1:{stock_port}", timeout=60) as stock_client,
        ):
            core = True
            for page in pages(path.stem, path):
                if page is OTHER_PAGES:
                    core = False
                    print("-- other pages", flush=True)
                    continue
                label, our_url, stock_url = page
                mine = measure(ours_client, our_url, samples)
                theirs = measure(stock_client, stock_url, samples) if stock_url else None
                rows.append((label, mine, theirs, core))
                print(_line(label, mine, theirs), flush=True)
    finally:
        for server in (ours, stock):
            server.terminate()
        for server in (ours, stock):
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:  # still busy with a slow request
                server.kill()
                server.wait()
    return _summary(rows)


def _fmt(figures: dict | None) -> str:
    if figures is None:
        return f"{'-':>8} {'-':>8}"
    flag = "" if figures["ok"] else f" HTTP {figures['statuses']}"
    return f"{figures['p50']:8.1f} {figures['p95']:8.1f}{flag}"


def _line(label: str, mine: dict, theirs: dict | None) -> str:
    ratio = f"{theirs['p95'] / mine['p95']:6.2f}" if theirs else "     -"
    return f"{label[:58]:58} {_fmt(mine)}   {_fmt(theirs)}   {ratio}"


def _summary(rows: list) -> dict:
    """The issue's pages (incidents view, search, company timeline, dashboard) decide datasette_p95_ms and
    datasette_vs_stock; every page measured gives the *_all_pages figures."""
    core = [r for r in rows if r[3]]
    worst = max(core, key=lambda r: r[1]["p95"])
    worst_anywhere = max(rows, key=lambda r: r[1]["p95"])
    compared = [r for r in core if r[2] is not None]
    ratios = [r[2]["p95"] / r[1]["p95"] for r in rows if r[2] is not None]
    failures = [r[0] for r in rows if not r[1]["ok"]]
    stock_failures = [r[0] for r in rows if r[2] is not None and not r[2]["ok"]]
    print(f"\nslowest of the issue's pages (ours): {worst[0]}: p95 {worst[1]['p95']:.1f} ms")
    print(f"slowest of all pages (ours): {worst_anywhere[0]}: p95 {worst_anywhere[1]['p95']:.1f} ms")
    if failures:
        print(f"pages that did not answer 200 (ours): {failures}")
    if stock_failures:
        print(f"pages that did not answer 200 (stock, e.g. its 1 s time limit): {stock_failures}")
    return {
        "datasette_p95_ms": round(worst[1]["p95"], 1),
        "datasette_vs_stock": round(
            max(r[2]["p95"] for r in compared) / max(r[1]["p95"] for r in compared), 2
        ),
        "datasette_all_pages_p95_ms": round(worst_anywhere[1]["p95"], 1),
        "datasette_all_pages_p50_ms": round(max(r[1]["p50"] for r in rows), 1),
        "datasette_vs_stock_geomean": round(statistics.geometric_mean(ratios), 2),
        "datasette_pages": len(rows),
        "datasette_errors": len(failures),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--incident-share", type=float, default=0.1, help="share of articles with incidents")
    parser.add_argument("--samples", type=int, default=40, help="timed requests per page (after 3 warm-up)")
    parser.add_argument("--db", type=Path, help="database to build or reuse (default under build/)")
    parser.add_argument("--build-only", action="store_true", help="build the database, measure nothing")
    args = parser.parse_args()
    path = args.db or ROOT / "build" / f"bench-datasette-{args.articles}-{args.incident_share}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        print(f"building {path} ({args.articles:,} articles, {args.incident_share:.0%} with incidents) …")
        build(path, args.articles, args.incident_share)
    store.open_db(path).close()  # a database built before the newest migrations gets them
    if args.build_only:
        return
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        tables = ("articles", "mentions", "article_incidents", "incidents_materialized")
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    print(f"{path.name}: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
    print(f"cpus: {os.cpu_count()}; latency in ms over {args.samples} sequential requests per page\n")
    print(f"{'page':58} {'ours p50':>8} {'p95':>8}   {'stock p50':>8} {'p95':>8}   {'stock/ours p95':>6}")
    result = run(path, args.samples)
    print("BENCH " + json.dumps(result))


if __name__ == "__main__":
    main()
