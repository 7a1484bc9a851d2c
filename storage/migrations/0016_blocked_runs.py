"""0016: blocked crawl runs.

A source whose robots.txt forbids its start URLs ends its run 'blocked'. SQLite cannot alter a CHECK
constraint, so crawl_runs is rebuilt from its own CREATE statement with the wider CHECK (columns a later
migration may have added survive), its rows copied with their ids, and the indexes, triggers and views
that name it recreated. storage.db.open_db migrates with foreign keys off: dropping the old table deletes
no crawl_errors or crawl_warnings row, and their REFERENCES crawl_runs then name the rebuilt table.
"""

from sqlite_utils import Database

RUN_STATUSES_BEFORE_0016 = "CHECK (status IN ('running', 'ok', 'partial', 'failed'))"
RUN_STATUSES = "CHECK (status IN ('running', 'ok', 'partial', 'failed', 'blocked'))"


def migrate(db: Database) -> None:
    (table_sql,) = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'crawl_runs'"
    ).fetchone()
    if RUN_STATUSES_BEFORE_0016 not in table_sql:
        raise RuntimeError(f"crawl_runs has an unexpected status constraint: {table_sql}")
    # the rename below checks every view and trigger, and those naming crawl_runs would name a missing table
    dependents = db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name != 'crawl_runs' "
        "AND (tbl_name = 'crawl_runs' OR (type IN ('view', 'trigger') AND sql LIKE '%crawl_runs%'))"
    ).fetchall()
    for kind, name, _ in dependents:
        if kind in ("view", "trigger"):
            db.execute(f'DROP {kind.upper()} "{name}"')
    rebuilt = table_sql.replace(RUN_STATUSES_BEFORE_0016, RUN_STATUSES).replace(
        "CREATE TABLE crawl_runs", "CREATE TABLE crawl_runs_0016", 1
    )
    for statement in (
        rebuilt,
        "INSERT INTO crawl_runs_0016 SELECT * FROM crawl_runs",
        "DROP TABLE crawl_runs",
        "ALTER TABLE crawl_runs_0016 RENAME TO crawl_runs",
    ):
        db.execute(statement)
    for _, _, sql in dependents:
        db.execute(sql)
