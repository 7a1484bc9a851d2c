"""watchlists.yaml: the companies each analyst follows and where their alerts go."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, HttpUrl, StringConstraints, model_validator

from config.fields import Model, Slug, check_unique

# -- watchlists.yaml ----------------------------------------------------------------------------------


def _one_mailbox(value: str) -> str:
    """One e-mail address ("a@x.org" or "Name <a@x.org>"), nothing that could add a header."""
    from email.utils import parseaddr

    if re.search(r"[\x00-\x1f\x7f]", value):
        raise ValueError(f"{value!r} contains control characters")
    address = parseaddr(value)[1]
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


Mailbox = Annotated[str, AfterValidator(_one_mailbox)]
SearchTerm = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]


class Watchlist(Model):
    """Companies, incident types and search terms an analyst follows, and where their news goes.

    An incident matches when it satisfies every criterion given (any of the listed companies, any of the
    listed types, any of the terms in the article): companies [meta] with types [breach] is Meta's breaches.
    """

    id: Slug
    name: str = Field(min_length=1, max_length=200)
    companies: list[Slug] = []  # knowledge-base ids (companies.yaml), the accused company of the incident
    types: list[Slug] = []  # incident types (incidents.yaml)
    terms: list[SearchTerm] = []  # words or phrases in the title or text, case-insensitive
    # immediate: an e-mail per new incident (or per story, when several arrive together);
    # digest: a section of its own in the daily digest, which its recipients then also receive
    delivery: Literal["immediate", "digest"] = "digest"
    recipients: list[Mailbox] = []
    webhook: HttpUrl | None = None  # a JSON POST per new incident, whatever the delivery

    @model_validator(mode="after")
    def _has_criteria(self) -> Watchlist:
        if not (self.companies or self.types or self.terms):
            raise ValueError("a watchlist needs companies, types or terms (or several of them)")
        return self


class WatchlistsFile(Model):
    version: Literal[1] = 1
    watchlists: list[Watchlist] = []

    @model_validator(mode="after")
    def _unique_ids(self) -> WatchlistsFile:
        check_unique((w.id for w in self.watchlists), "watchlists", "id")
        return self
