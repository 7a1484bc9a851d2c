"""The tagging budget: how much of an article the pipeline reads.

spaCy refuses a text longer than nlp.max_length ([E088]) and its parser and NER need about 1 GB of memory
per 100,000 characters, while a news story says what it is about at its top. So the text tagged is the
title and the body up to a budget of characters (settings.yaml `nlp.tag_budget_chars`, which is also the
pipelines' max_length), cut where a reader would stop: at the last paragraph end within the budget, else
the last sentence end, else the last space (or Chinese comma), so never inside a word. Only a run of the
budget's length with none of these is cut at the budget itself. The stored article keeps its whole body.
"""

from __future__ import annotations

import re

# a cut this far into the budget or further keeps enough: a paragraph or sentence end earlier than this is
# passed over for a later, smaller boundary
MIN_KEPT_SHARE = 0.5
PARAGRAPH_END = re.compile(r"\n")
# ". " "?\" " "。" "！」": a Latin stop needs a space after it ("3.5", "S.r.l" go on), a Chinese one does not
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)|[。！？][”’」』）]*")
WORD_END = re.compile(r"\s|[，；、：]")


def cut_to_budget(text: str, budget: int) -> str:
    """The text itself when it fits in budget characters, else its beginning up to the best boundary."""
    if len(text) <= budget:
        return text
    # the character after the budget decides too: a space there means the budget ends on a word's end
    window = text[: budget + 1]
    enough = int(budget * MIN_KEPT_SHARE)
    paragraph, sentence, word = (
        _last_end(pattern, window, budget, before)
        for pattern, before in ((PARAGRAPH_END, True), (SENTENCE_END, False), (WORD_END, True))
    )
    for end in (paragraph, sentence):
        if end >= enough:
            return text[:end].rstrip()
    for end in (word, sentence, paragraph):
        if end > 0:
            return text[:end].rstrip()
    return text[:budget]


def _last_end(pattern: re.Pattern, window: str, budget: int, before: bool) -> int:
    """Where the text is cut at the last match in window that leaves at most budget characters: before
    the match (a newline, a space) or after it (a full stop); 0 when there is none."""
    end = 0
    for match in pattern.finditer(window):
        cut = match.start() if before else match.end()
        if cut <= budget:
            end = cut
    return end
