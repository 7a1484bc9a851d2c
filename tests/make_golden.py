"""Write the golden files under tests/golden/. Run with `make golden`, then review the diff."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

from privwatch.cli import cli

GOLDEN = Path(__file__).resolve().parent / "golden"


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    if result.exit_code:
        sys.exit(f"privwatch {' '.join(args)} failed:\n{result.output}")
    return result.output


def write_schema() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "golden.db")
        invoke("init", "--db", db)
        (GOLDEN / "schema.sql").write_text(invoke("db", "schema", "--db", db), encoding="utf-8")
    print(f"wrote {GOLDEN / 'schema.sql'}")


def write_migrations() -> None:
    """Record the fingerprint of each migration not recorded yet; a recorded one that changed is an error:
    a shipped migration is never edited (storage/migrations/__init__.py)."""
    from tests.migration_fingerprints import GOLDEN_NAME, fingerprints

    path = GOLDEN / GOLDEN_NAME
    recorded = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    current = fingerprints()
    changed = sorted(name for name in recorded if current.get(name) != recorded[name])
    if changed:
        sys.exit(
            f"migrations {', '.join(changed)} no longer run the SQL recorded in {path}: a shipped "
            "migration is frozen, add a new one instead (a migration that never shipped: delete its line "
            "and run again)"
        )
    path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}: {len(current) - len(recorded)} new migrations recorded")


def write_sources() -> None:
    from config.models import Config
    from storage.db import open_db
    from tests.source_preview import preview

    folder = GOLDEN / "sources"
    folder.mkdir(exist_ok=True)
    for source in Config().sources:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "preview.db"
            invoke("init", "--db", str(db))
            open_db(db).close()
            result = preview(source, str(db))
        path = folder / f"{source.id}.json"
        path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}: {len(result['links'])} links, article: {bool(result['article'])}")


if __name__ == "__main__":
    sys.path.insert(0, str(GOLDEN.parent.parent))
    GOLDEN.mkdir(exist_ok=True)
    write_schema()
    write_migrations()
    write_sources()
