"""JSON-lines files (training corpus, gold sets, articles to tag, pages to extract), read line by line with
errors that name the line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, TypeVar

from config.errors import PrivwatchError

Record = TypeVar("Record")

# a longer line is reported, never read whole: tag-file's input may come from anywhere
MAX_LINE_BYTES = 20 * 1024 * 1024
ARTICLE_TEXT_KEYS = ("title", "body", "language")


class JsonLinesError(PrivwatchError, ValueError):
    """A bad line of a JSON-lines file; the message names the file and the line."""


def numbered_records(
    handle: BinaryIO, parse: Callable[[bytes], Record]
) -> Iterator[tuple[int, Record | Exception]]:
    """(line number, parse(line)) of each non-blank line of a binary stream, line without its end; in
    parse's place the ValueError, KeyError or TypeError that says what is wrong with the line. A line over
    MAX_LINE_BYTES is such an error, its rest read and dropped in pieces of at most that many bytes."""
    limit = MAX_LINE_BYTES
    number = 0
    while line := handle.readline(limit + 1):
        number += 1
        content = line[:-1].removesuffix(b"\r") if line.endswith(b"\n") else line
        if len(content) > limit:
            while not line.endswith(b"\n") and (line := handle.readline(limit)):
                pass
            yield number, ValueError(f"line over {limit:,} bytes")
            continue
        if not content.strip():
            continue
        try:
            yield number, parse(content)
        except (ValueError, KeyError, TypeError) as exc:
            yield number, exc


def read_jsonl(
    path: Path | str, check: Callable[[dict], None] | None = None, what: str = "not a JSON line"
) -> list[dict]:
    """Every non-blank line as a dict; `check` raises ValueError, KeyError or TypeError for a bad record,
    reported as JsonLinesError "<path>:<line>: <what>: <problem>"."""

    def checked(line: bytes) -> dict:
        record = json.loads(line.decode("utf-8"))
        if check is not None:
            check(record)
        return record

    records = []
    with open(path, "rb") as handle:
        for number, record in numbered_records(handle, checked):
            if isinstance(record, Exception):
                raise JsonLinesError(f"{path}:{number}: {what}: {record}")
            records.append(record)
    return records


def article_record(line: bytes) -> dict:
    """The article record of one JSON line ({"id", "title", "body", "language"}); ValueError says what is
    wrong with it."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8: byte 0x{line[exc.start]:02x} at column {exc.start + 1}") from None
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    except RecursionError:
        raise ValueError("not JSON: nested too deeply") from None
    if not isinstance(record, dict):
        raise ValueError(f"not an article: {_json_kind(record)}, not an object")
    for key in ARTICLE_TEXT_KEYS:
        if record.get(key) is not None and not isinstance(record[key], str):
            raise ValueError(f"not an article: its {key} is {_json_kind(record[key])}, not a string")
    return {"id": record.get("id"), **{key: record.get(key) for key in ARTICLE_TEXT_KEYS}}


def _json_kind(value) -> str:
    kinds = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array"}
    return kinds.get(type(value), "an object")
