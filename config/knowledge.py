"""The knowledge base: companies.yaml (companies, their aliases and products) and regulators.yaml (the
authorities that fine and probe them), whose names the tagger links mentions to."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import Field, model_validator

from config.fields import FieldProblem, Model, Slug, check_unique

# -- companies.yaml ------------------------------------------------------------------------------------

SECTORS = (
    "tech internet fintech bank telecom travel retail health data-broker adtech automotive hardware media "
    "security insurance crypto other"
).split()


class Company(Model):
    id: Slug
    name: str = Field(min_length=1)
    aliases: list[str] = []
    former_names: list[str] = []
    legal_names: list[str] = []
    chinese_names: list[str] = []
    products: list[str] = []
    parent: Slug | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    sector: Literal[tuple(SECTORS)] = "other"  # type: ignore[valid-type]
    tickers: list[str] = []

    def names(self) -> list[tuple[str, str]]:
        """Every string that refers to this company, with the field that holds it."""
        fields = ("aliases", "former_names", "legal_names", "chinese_names", "products")
        return [(self.name, "name")] + [(value, f) for f in fields for value in getattr(self, f)]


class CompaniesFile(Model):
    version: Literal[1] = 1
    companies: list[Company]

    @model_validator(mode="after")
    def _consistent(self) -> CompaniesFile:
        check_unique((c.id for c in self.companies), "companies", "id")
        ids = {c.id for c in self.companies}
        for i, company in enumerate(self.companies):
            if company.parent and company.parent not in ids:
                raise FieldProblem(f"companies[{i}].parent", f"unknown company id {company.parent!r}")
        _check_names_unique(self.companies, "companies")
        return self

    @cached_property
    def by_id(self) -> dict[str, Company]:
        return {c.id: c for c in self.companies}


# -- regulators.yaml -----------------------------------------------------------------------------------


class Regulator(Model):
    """An authority, court or government body: it acts on companies and is never one."""

    id: Slug
    name: str = Field(min_length=1)
    aliases: list[str] = []
    chinese_names: list[str] = []
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    kind: Literal["regulator", "court", "government", "legislature", "agency", "police", "prosecutor"] = (
        "regulator"
    )
    remit: Literal[
        "privacy", "consumer", "telecom", "finance", "competition", "cyberspace", "health", "general"
    ] = "general"

    def names(self) -> list[tuple[str, str]]:
        return (
            [(self.name, "name")]
            + [(a, "aliases") for a in self.aliases]
            + [(c, "chinese_names") for c in self.chinese_names]
        )


class RegulatorsFile(Model):
    version: Literal[1] = 1
    regulators: list[Regulator]

    @model_validator(mode="after")
    def _consistent(self) -> RegulatorsFile:
        check_unique((r.id for r in self.regulators), "regulators", "id")
        _check_names_unique(self.regulators, "regulators")
        return self


def _check_names_unique(entries, group: str) -> None:
    """Every name, alias or product belongs to one entry (case-insensitively): a name that two entries
    claim could not be linked."""
    claimed: dict[str, tuple[str, str]] = {}
    for i, entry in enumerate(entries):
        for name, field_name in entry.names():
            owner = claimed.setdefault(name.strip().casefold(), (f"{group}[{i}]", entry.id))
            if owner[1] != entry.id:
                raise FieldProblem(
                    f"{group}[{i}].{field_name}", f"{name!r} is also claimed by {owner[0]} ({owner[1]})"
                )
