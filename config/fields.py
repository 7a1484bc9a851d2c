"""What every config model shares: the strict pydantic base, the field checks several files use, and the
problem a validator raises for a nested path (config/models.py turns it into a one-line ConfigError)."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from config.regex_safety import backtracking_problem


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name


TimeZoneName = Annotated[str, AfterValidator(_timezone)]

_INTERVAL = re.compile(r"^(\d+)\s*([smhd])$")
_INTERVAL_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def interval_seconds(every: str) -> int:
    number, unit = _INTERVAL.match(every).groups()
    return int(number) * _INTERVAL_SECONDS[unit]


def _interval(value: str) -> str:
    match = _INTERVAL.match(value.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"interval {value!r} is not like 30m, 2h or 1d")
    return value.strip()


Interval = Annotated[str, AfterValidator(_interval)]


def _language_code(value: str) -> str:
    """An ISO 639-1 code as sources.yaml and the articles table hold it: en, zh, de."""
    import pycountry

    language = pycountry.languages.get(alpha_2=value)
    if language is not None and language.alpha_2 == value:
        return value
    hint = ""
    for guess in (value, value.split("-")[0].split("_")[0]):  # a name ("English"), alpha-3, or "zh-CN"
        try:
            code = getattr(pycountry.languages.lookup(guess), "alpha_2", None)
        except LookupError:
            code = None
        if code:
            hint = f"; did you mean {code!r}?"
            break
    raise ValueError(f"{value!r} is not an ISO 639-1 language code (en, zh, de ...){hint}")


LanguageCode = Annotated[str, AfterValidator(_language_code)]


class FieldProblem(ValueError):
    """Raised inside a validator when the problem belongs to a nested path."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


def check_unique(values, group: str, field_name: str) -> None:
    seen: dict[str, int] = {}
    for i, value in enumerate(values):
        if value in seen:
            raise FieldProblem(
                f"{group}[{i}].{field_name}",
                f"duplicate {field_name} {value!r}: {group}[{seen[value]}] has it too",
            )
        seen[value] = i


def usable_regex(pattern: str) -> str:
    """A regular expression that compiles and cannot hang the crawler with catastrophic backtracking."""
    try:
        re.compile(pattern)
    except re.error as problem:
        raise ValueError(f"not a regular expression ({problem}): {pattern!r}") from None
    problem = backtracking_problem(pattern)
    if problem:
        shown = f"'{pattern}'" if pattern.isprintable() else repr(pattern)  # as written in the YAML
        raise ValueError(
            f"{shown} could hang the crawler: {problem}; write it without repeating a group that "
            "itself repeats or offers overlapping alternatives"
        )
    return pattern
