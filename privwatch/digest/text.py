"""Text helpers of the digest and alert messages: one line, counts, wrapping."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from storage.text import visible_line

TEXT_WIDTH = 78

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(value: Any) -> str:
    """Text on one line: control characters (CR, LF, tabs ...) become spaces, runs of spaces one, bidi
    marks go (storage/text.py)."""
    return visible_line("" if value is None else str(value))


def count_of(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def wrap(value: str, indent: str = "", first: str | None = None) -> str:
    return textwrap.fill(
        one_line(value),
        width=TEXT_WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
