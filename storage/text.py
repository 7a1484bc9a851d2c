"""Text that is safe to show: no control characters, no bidirectional overrides.

Scraped titles, bylines and bodies can carry characters nobody sees but every display obeys. U+202E
(RIGHT-TO-LEFT OVERRIDE) shows "moc.evil" as "live.com" and reverses a company's name in a digest's
Subject; C0 and C1 controls end lines in mail headers and terminal output. They go at store time (so
Datasette, the digest and exports never see them) and again where the digest writes stored text into
a message, for rows stored before this rule.

Kept: tabs and line ends in bodies, and the zero-width joiners that Persian, Indic scripts and emoji
need.
"""

from __future__ import annotations

import re

# the explicit bidirectional formatting characters (Unicode UAX #9, section 2: embeddings, overrides,
# isolates and the marks ALM, LRM, RLM) and the byte-order mark: they sit inside words, so they just go
MARKS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]+")
# C0 but tab and line feed, DEL, C1, the line and paragraph separators: they separate, so become a space
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]+")


def visible_text(text: str | None) -> str | None:
    """The text without bidi marks and control characters; tabs and line feeds stay."""
    if not text:
        return text
    return CONTROLS.sub(" ", MARKS.sub("", text))


def visible_line(text: str | None) -> str | None:
    """visible_text on one line: line breaks, tabs and runs of spaces become single spaces."""
    if not text:
        return text
    return " ".join(visible_text(text).split())
