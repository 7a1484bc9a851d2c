"""JSON-lines files the NLP side reads (training corpus, gold sets), with errors that name the line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path


def read_jsonl(path: Path | str, check: Callable[[dict], None], what: str) -> list[dict]:
    """Every non-blank line as a dict; `check` raises ValueError, KeyError or TypeError for a bad record,
    reported as "<path>:<line>: <what>: <problem>"."""
    records = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            check(record)
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: {what}: {exc}") from None
        records.append(record)
    return records
