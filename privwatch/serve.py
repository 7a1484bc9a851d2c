"""`privwatch serve`: the database in Datasette 0.65, read-only, described, searchable and charted.

Datasette runs in this process (its Python API under uvicorn) with the config directory's datasette/
folder: metadata.yaml (descriptions, default facets and sorts, canned queries, the dashboard), plugins/
(links, search highlighting, an article's tags on its page) and templates/. Heavy imports (datasette,
uvicorn) happen inside the functions so that every other privwatch verb starts fast.
"""

from __future__ import annotations

import copy
import ipaddress
import re
import socket
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import yaml

from config.errors import PrivwatchError
from config.models import REPO_CONFIG_DIR, Config

if TYPE_CHECKING:
    from datasette.app import Datasette

# The database key used in metadata.yaml; re-keyed to the file's stem (Datasette's name for it, which the
# digest's links rely on) when the file is called something else.
METADATA_DATABASE = "privwatch"

DATASETTE_SETTINGS: dict[str, Any] = {
    # A runaway query (an analyst's own SQL over a million articles) must not hold one of the few SQL
    # threads for long; every page we ship answers well under this.
    "sql_time_limit_ms": 2000,
    # Default facets read indexes of the materialized views; a facet slower than this is dropped from the
    # page rather than delaying it.
    "facet_time_limit_ms": 200,
    # Suggesting facets runs a distinct-count query per column on every table page: seconds at 1M rows.
    "suggest_facets": False,
    "default_facet_size": 10,
    "default_page_size": 50,
    "max_returned_rows": 1000,
    # Article bodies are long; table pages show the start, the row page shows everything.
    "truncate_cells_html": 300,
    # Nobody downloads the whole database through the browser (it is also only offered for immutable files).
    "allow_download": False,
    "max_csv_mb": 50,
    # Per-connection page cache (the default is 2 MB): keeps the hot index pages of a large database.
    "cache_size_kb": 65536,
}


# Total time the home and database pages may spend counting rows (see ReadOnlyDatabase.table_counts).
TABLE_COUNTS_BUDGET_MS = 25
# Longest a table page may spend counting its rows (see ReadOnlyDatabase.execute).
COUNT_TIME_LIMIT_MS = 25
# The longest string or blob one SQL value may be (SQLITE_LIMIT_LENGTH): far above any article body.
MAX_VALUE_BYTES = 50 * 1024 * 1024


class ServeError(PrivwatchError):
    """A database or address problem, reported in one line."""


def datasette_folder(config: Config) -> Path:
    """The config directory's datasette/ folder, or the repository's when a custom config dir has none."""
    folder = config.directory / "datasette"
    return folder if (folder / "metadata.yaml").is_file() else REPO_CONFIG_DIR / "datasette"


def _rewrite_database_paths(value: Any, rewrite: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, list):
        return [_rewrite_database_paths(v, rewrite) for v in value]
    if isinstance(value, dict):
        return {k: _rewrite_database_paths(v, rewrite) for k, v in value.items()}
    return value


# A Datasette path of the database: "/privwatch" at the start of a relative URL (in an href, a Markdown
# link, an SQL string), followed by a path, a query string or nothing, never inside another URL
# (https://github.com/privwatch/privwatch keeps its name).
DATABASE_PATH = re.compile(rf"(?<![\w.~:/-])/{METADATA_DATABASE}(?=[/?#'\"\s)]|$)")


def _sources_note(path: Path) -> str:
    """Which sources this database holds articles from, out of those configured (the sources table)."""
    try:
        connection = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            sources = connection.execute(
                "SELECT name, url, EXISTS (SELECT 1 FROM articles a WHERE a.source_id = s.id) "
                "FROM sources s ORDER BY name"
            ).fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return ""
    held = [f"{name} ({urlsplit(url or '').hostname or url})" for name, url, has_any in sources if has_any]
    if not held:
        return f" No articles yet ({len(sources)} sources configured)."
    return (
        f" Sources with articles in this database ({len(held)} of the {len(sources)} configured): "
        f"{', '.join(held)}."
    )


class ServedMetadata(dict):
    """The metadata a privwatch Datasette serves. Datasette 0.65.5 deep-copies the whole metadata for every
    table permission check, dozens per page: with privwatch's (every column described, the dashboard) that
    is ~60 ms of a home or database page. It does not change while serving, so its deep copy is itself."""

    def __deepcopy__(self, memo: dict) -> ServedMetadata:
        return self


def render_metadata(folder: Path, config: Config) -> dict:
    """metadata.yaml rendered as a Jinja template with the incident types of incidents.yaml, so that the
    type lists of descriptions, queries and the dashboard follow the taxonomy."""
    from jinja2 import Environment, StrictUndefined, TemplateError

    path = folder / "metadata.yaml"
    incident_types = [{"id": t.id, "label": t.label} for t in config.taxonomy.types]
    try:
        template = Environment(undefined=StrictUndefined, keep_trailing_newline=True).from_string(
            path.read_text(encoding="utf-8")
        )
        return yaml.safe_load(template.render(incident_types=incident_types))
    except (OSError, yaml.YAMLError, TemplateError) as exc:
        raise ServeError(f"{path}: cannot read: {str(exc).splitlines()[0]}") from None


def load_metadata(config: Config, database_name: str, database_path: Path | None = None) -> dict:
    """The config's metadata.yaml for a database called `database_name`, with the sources it holds
    articles from."""
    metadata = render_metadata(datasette_folder(config), config)
    database = metadata["databases"].pop(METADATA_DATABASE)
    if database_path is not None:
        database["description"] = database.get("description", "") + _sources_note(database_path)
    metadata["databases"][database_name] = database
    if database_name != METADATA_DATABASE:
        from datasette.utils import tilde_encode

        new_path = f"/{tilde_encode(database_name)}"
        metadata = _rewrite_database_paths(metadata, lambda text: DATABASE_PATH.sub(new_path, text))
        for dashboard in (metadata.get("plugins") or {}).get("datasette-dashboards", {}).values():
            for part in (*dashboard.get("charts", {}).values(), *dashboard.get("filters", {}).values()):
                if part.get("db") == METADATA_DATABASE:
                    part["db"] = database_name
    return metadata


def read_only_uri(path: Path) -> str:
    return f"file:{quote(str(path.resolve()))}?mode=ro"


def check_database(path: Path) -> None:
    """The file exists, is a privwatch database and has every migration (serving never migrates)."""
    from sqlite_utils import Database

    from storage.migrations import migrations

    if not path.is_file():
        raise ServeError(f"{path}: no such database (run `privwatch init --db {path}` first)")
    try:
        connection = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            pending = [m.name for m in migrations.pending(Database(connection))]
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise ServeError(f"{path}: not a readable SQLite database: {exc}") from None
    if pending:
        raise ServeError(
            f"{path}: {len(pending)} migration(s) not applied ({', '.join(pending)}); "
            f"run `privwatch init --db {path}`"
        )


class CountsCache:
    """The results of the counting queries Datasette runs for every view of a table page (its row count and
    each facet's counts, 15-20 ms apiece over the incidents of a million articles), kept while nothing is
    written to the database: the next page of a listing, or the same view opened again, reuses them, and
    any commit (a crawl storing, a re-tag) starts afresh. Queries whose answer depends on the clock or on
    chance are never kept."""

    MOST = 512
    UNSTABLE = re.compile(r"\b(now|random|randomblob|current_(date|time|timestamp))\b", re.I)

    @classmethod
    def counting(cls, sql: str) -> bool:
        """A row count, or counts by group as Datasette's column, array and date facets ask for them."""
        lowered = sql.lower()
        counts = lowered.lstrip().startswith("select count(*) from ") or (
            "count(*) as count" in lowered and "group by" in lowered
        )
        return counts and not cls.UNSTABLE.search(sql)

    def __init__(self, path: Path):
        # SQLite's data_version on a connection of our own changes with every commit of any other one
        self.connection = sqlite3.connect(read_only_uri(path), uri=True, check_same_thread=False)
        self.kept: dict[tuple, Any] = {}

    def state(self) -> int:
        return self.connection.execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        self.connection.close()

    def key(self, sql: str, params, truncate: bool, page_size) -> tuple | None:
        if not self.counting(sql):
            return None
        if isinstance(params, dict):
            params = tuple(sorted(params.items()))
        elif params is not None:
            params = tuple(params)
        return (sql, params, truncate, page_size, self.state())

    def get(self, key: tuple):
        return self.kept.get(key)

    def put(self, key: tuple, results) -> None:
        if len(self.kept) >= self.MOST:
            self.kept.clear()  # stale states fill it first: what is current refills in a page or two
        self.kept[key] = results


def build_datasette(path: Path, config: Config) -> Datasette:
    """A Datasette for one privwatch database, opened read-only, with config/datasette/ applied."""
    from datasette.app import Datasette
    from datasette.database import Database, QueryInterrupted

    class ServedDatasette(Datasette):
        """Datasette whose plugins' config is looked up once per plugin, database and table: a render_cell
        plugin may ask for it for every cell (datasette-render-markdown does), and each lookup merges
        the metadata anew, a fifth of the time of a page of 500 rows. The metadata does not change while
        serving (ServedMetadata)."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.plugin_configs: dict[tuple, Any] = {}

        def plugin_config(self, plugin_name, database=None, table=None, fallback=True):
            key = (plugin_name, database, table, fallback)
            if key not in self.plugin_configs:
                self.plugin_configs[key] = super().plugin_config(
                    plugin_name, database=database, table=table, fallback=fallback
                )
            config = self.plugin_configs[key]
            # a copy: datasette-dashboards fills a chart's options into the config it was given
            return None if config is None else copy.deepcopy(config)

    class ReadOnlyDatabase(Database):
        """Every connection, Datasette's write connection included, is opened mode=ro: SQLite itself
        refuses writes. (Not immutable=1: crawls keep writing to the file, through the WAL, while we
        serve it, and an immutable reader would ignore the WAL.)"""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.read_only_connections: list[sqlite3.Connection] = []
            self.counts = CountsCache(Path(self.path))

        def connect(self, write: bool = False) -> sqlite3.Connection:
            connection = sqlite3.connect(read_only_uri(Path(self.path)), uri=True, check_same_thread=False)
            # the time limit only interrupts between SQLite's steps: one call such as
            # randomblob(400000000) would allocate gigabytes first
            connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
            self.read_only_connections.append(connection)
            return connection

        def close(self) -> None:
            for connection in self.read_only_connections:
                connection.close()
            self.counts.close()

        async def execute(
            self,
            sql,
            params=None,
            truncate=False,
            custom_time_limit=None,
            page_size=None,
            log_sql_errors=True,
        ):
            # A table page's "N rows" count is the one query Datasette runs bare (no row truncation, no
            # time limit of its own). Counting the articles a common word matches takes 150 ms at a million
            # articles; past COUNT_TIME_LIMIT_MS the page shows no total instead of waiting.
            if custom_time_limit is None and not truncate and sql.startswith("select count(*) from "):
                custom_time_limit = COUNT_TIME_LIMIT_MS
            key = self.counts.key(sql, params, truncate, page_size)
            if key is not None and (kept := self.counts.get(key)) is not None:
                return kept
            results = await super().execute(
                sql,
                params,
                truncate=truncate,
                custom_time_limit=custom_time_limit,
                page_size=page_size,
                log_sql_errors=log_sql_errors,
            )
            if key is not None:
                self.counts.put(key, results)
            return results

        async def table_counts(self, limit: int = 10) -> dict[str, int | None]:
            """Datasette gives each table's count(*) `limit` ms on the home and database pages: with two
            dozen tables of a million rows that adds up to a fifth of a second per page. One budget for
            all of them instead; the tables it does not reach show no count. Hidden tables are not
            counted: SQLite cannot interrupt a bare count(*), and the full-text index's data table takes
            120 ms at a million articles."""
            counts: dict[str, int | None] = {}
            deadline = time.monotonic() + TABLE_COUNTS_BUDGET_MS / 1000
            hidden = set(await self.hidden_table_names())
            for table in await self.table_names():
                left_ms = int((deadline - time.monotonic()) * 1000)
                counts[table] = None
                if left_ms >= 1 and table not in hidden:
                    try:
                        sql = f"select count(*) from [{table}]"
                        counts[table] = (await self.execute(sql, custom_time_limit=min(limit, left_ms))).rows[
                            0
                        ][0]
                    except (QueryInterrupted, sqlite3.DatabaseError):
                        pass
            return counts

    folder = datasette_folder(config)
    name = path.stem
    metadata = ServedMetadata(load_metadata(config, name, path))
    # one display zone: timestamps in Datasette as in the digest (plugins/privwatch_cells.py)
    metadata.setdefault("plugins", {})["privwatch-display"] = {"timezone": config.settings.digest.timezone}
    datasette = ServedDatasette(
        files=[],
        metadata=metadata,
        settings=DATASETTE_SETTINGS,
        plugins_dir=str(folder / "plugins") if (folder / "plugins").is_dir() else None,
        template_dir=str(folder / "templates") if (folder / "templates").is_dir() else None,
    )
    datasette.remove_database("_memory")  # added when no files are given; nothing to browse in it
    datasette.add_database(ReadOnlyDatabase(datasette, path=str(path), is_mutable=True), name=name)
    return datasette


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_address(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(infos[0][4])
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
