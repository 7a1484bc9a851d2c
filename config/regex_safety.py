r"""Regular expressions in config that could hang the crawler (catastrophic backtracking) are refused.

Python's re engine backtracks: a group that repeats without bound and whose body can match the same text
in more than one way tries exponentially many splits of a string it fails on. `(a+)+$` takes 1.6 s on
24 letters and a "!", and 16 times longer with every 4 letters more; `(\w+\s?)*$` is slower still,
`(a|aa)+$` slower to start but as hopeless on a long URL.

The class is recognised on the parsed expression (re._parser), not by its spelling: a group repeated
without bound (or more than `MAX_BOUNDED_REPEATS` times) whose body holds another unbounded repeat, or
alternatives that can start with the same character or match nothing. `(?:\w|\d)+` passes: the parser
makes it one character class. Some refused expressions are harmless (`(\w+/)*`: the slash decides every
split); they are refused all the same, since each has a plain rewrite and the crawler must not hang.
"""

from __future__ import annotations

import re
from re import _constants as sre
from re import _parser as sre_parse

REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}
# k copies of a repeated group multiply a failing match's work by about n**k / k!: with URLs of some 200
# characters, 3 copies cost about a million steps; 5 cost billions
MAX_BOUNDED_REPEATS = 3
# the characters first-character sets are computed over (with every literal of the expression added)
SAMPLE = {chr(c) for c in range(0x20, 0x7F)} | set("\t\n\u00a0é中")
CATEGORIES = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
    sre.CATEGORY_LINEBREAK: r"\n",
    sre.CATEGORY_NOT_LINEBREAK: r"[^\n]",
}


def backtracking_problem(pattern: str) -> str | None:
    """Why matching this expression can take exponential time, or None. The pattern must compile."""
    parsed = sre_parse.parse(pattern)
    return _Shape(parsed).problem(parsed)


class _Shape:
    def __init__(self, parsed):
        self.alphabet = SAMPLE | {chr(av) for op, av in _walk(parsed) if op == sre.LITERAL}

    def problem(self, items) -> str | None:
        for op, av in items:
            if op in REPEATS and (av[1] == sre.MAXREPEAT or av[1] > MAX_BOUNDED_REPEATS):
                body = av[2]
                if any(o in REPEATS and a[1] == sre.MAXREPEAT for o, a in _walk(body)):
                    return "a repeated group holds another unbounded repeat (nested quantifiers)"
                for o, a in _walk(body):
                    if o == sre.BRANCH and self._overlapping(a[1]):
                        return "a repeated group holds alternatives that can match the same text"
            for child in _children(op, av):
                found = self.problem(child)
                if found:
                    return found
        return None

    def _overlapping(self, alternatives) -> bool:
        """Whether two alternatives can start with the same character, or one can match nothing (the
        parser turns `a|aa` into `a(?:|a)`: what follows the empty one can be what the other matches)."""
        seen: set[str] = set()
        for alternative in alternatives:
            first, empty = self._first(alternative)
            if empty or first & seen:
                return True
            seen |= first
        return False

    def _first(self, items) -> tuple[set[str], bool]:
        """The characters a match of this sequence can start with, and whether it can match nothing."""
        chars: set[str] = set()
        for op, av in items:
            first, empty = self._first_of(op, av)
            chars |= first
            if not empty:
                return chars, False
        return chars, True

    def _first_of(self, op, av) -> tuple[set[str], bool]:
        if op == sre.LITERAL:
            return {chr(av)}, False
        if op == sre.NOT_LITERAL:
            return {c for c in self.alphabet if ord(c) != av}, False
        if op == sre.ANY:
            return self.alphabet - {"\n"}, False
        if op == sre.IN:
            return {c for c in self.alphabet if _in_class(av, c)}, False
        if op in REPEATS:
            first, empty = self._first(av[2])
            return first, empty or av[0] == 0
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            return set(), True
        children = _children(op, av)
        if op in (sre.SUBPATTERN, sre.ATOMIC_GROUP, sre.BRANCH, sre.GROUPREF_EXISTS) and children:
            results = [self._first(child) for child in children]
            empty = any(e for _, e in results) or (op == sre.GROUPREF_EXISTS and av[2] is None)
            return set().union(*(f for f, _ in results)), empty
        return set(self.alphabet), True  # a back reference: anything


def _children(op, av) -> list:
    """The sub-sequences of one parsed node."""
    if op in REPEATS:
        return [av[2]]
    if op == sre.SUBPATTERN:
        return [av[3]]
    if op == sre.BRANCH:
        return list(av[1])
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [av[1]]
    if op == sre.ATOMIC_GROUP:
        return [av]
    if op == sre.GROUPREF_EXISTS:
        return [branch for branch in av[1:] if branch is not None]
    return []


def _walk(items):
    """Every node of a parsed sequence, depth first."""
    for op, av in items:
        yield op, av
        for child in _children(op, av):
            yield from _walk(child)


def _in_class(items, char: str) -> bool:
    negate, hit = False, False
    for op, av in items:
        if op == sre.NEGATE:
            negate = True
        elif op == sre.LITERAL:
            hit = hit or ord(char) == av
        elif op == sre.RANGE:
            hit = hit or av[0] <= ord(char) <= av[1]
        elif op == sre.CATEGORY:
            hit = hit or re.fullmatch(CATEGORIES.get(av, r"(?s:.)"), char) is not None
        else:  # anything this does not know may match
            hit = True
    return hit != negate
