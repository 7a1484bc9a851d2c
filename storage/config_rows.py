"""The config files as database rows (sources, companies and their aliases, incident types, watchlists),
and the one way to bring the database in line with them."""

from __future__ import annotations

from sqlite_utils import Database

from config.models import Config
from storage.db import ConfigRows, load_config_rows
from storage.watchlists import term_pattern

ALIAS_KINDS = {
    "name": "name",
    "aliases": "alias",
    "former_names": "former_name",
    "legal_names": "legal_name",
    "chinese_names": "chinese_name",
    "products": "product",
}


def storage_rows(config: Config):
    """The rows `privwatch init` loads into the database from the config files."""
    kb, taxonomy = config.knowledge_base, config.taxonomy
    rows = ConfigRows()
    rows.sources = [
        {
            "id": s.id,
            "name": s.name,
            "kind": s.kind,
            "url": str(s.url),
            "language": s.language,
            "every": s.every,
        }
        for s in config.sources
    ]
    for company in kb.companies:
        rows.companies.append(
            {
                "id": company.id,
                "name": company.name,
                "parent_id": company.parent,
                "country": company.country,
                "sector": company.sector,
                "tickers": company.tickers,
            }
        )
        seen: set[str] = set()
        for name, field_name in company.names():
            # a company may list its name again as an alias; the alias table holds each string once
            if name.strip().casefold() not in seen:
                seen.add(name.strip().casefold())
                rows.aliases.append(
                    {"alias": name.strip(), "company_id": company.id, "kind": ALIAS_KINDS[field_name]}
                )
    rows.incident_types = [
        {"id": t.id, "label": t.label, "description": t.description} for t in taxonomy.types
    ]
    rows.watchlists = [
        {
            "id": w.id,
            "name": w.name,
            "delivery": w.delivery,
            "companies": w.companies,
            "types": w.types,
            "terms": w.terms,
            "term_patterns": [term_pattern(term) for term in w.terms],
        }
        for w in config.watchlists
    ]
    return rows


def sync_config(db: Database, config: Config) -> dict[str, int]:
    """Load the config's rows into the database (nothing twice; see load_config_rows); rows per table."""
    return load_config_rows(db, storage_rows(config))
