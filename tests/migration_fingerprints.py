"""What each migration runs on a new database, as a fingerprint per migration (tests/golden/migrations.json).

The statements are recorded through sqlite-utils' tracer, which sees what a migration passes to
db.execute; the connection's own trace callback would also list the statements SQLite's FTS5 runs for
itself, which change with the SQLite version.
"""

from __future__ import annotations

import hashlib
import json

from sqlite_utils import Database

from storage.migrations import migrations

GOLDEN_NAME = "migrations.json"


def executed_statements() -> dict[str, list[tuple[str, object]]]:
    """(sql, parameters) of every statement each migration runs, applied in order to an empty database."""
    db = Database(memory=True)
    executed: dict[str, list[tuple[str, object]]] = {}
    for migration in migrations._migrations:
        statements = executed[migration.name] = []
        with db.tracer(lambda sql, parameters, into=statements: into.append((sql, parameters))):
            migration.fn(db)
    db.close()
    return executed


def fingerprints() -> dict[str, str]:
    """SHA-256 of each migration's statements, by migration name."""
    return {
        name: hashlib.sha256(json.dumps(statements, default=list).encode("utf-8")).hexdigest()
        for name, statements in executed_statements().items()
    }
