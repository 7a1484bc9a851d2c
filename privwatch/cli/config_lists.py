"""What config/ holds: `privwatch sources list` and `privwatch companies list`."""

from __future__ import annotations

import click

from privwatch.cli.options import json_option
from privwatch.cli.output import print_rows


@click.group()
def sources() -> None:
    """Inspect the news sources configured in config/sources.yaml.

    \b
    Example:
      privwatch sources list
    """


@sources.command("list")
@json_option()
@click.pass_obj
def sources_list(app, as_json: bool) -> None:
    """List every configured source with its kind, interval and start URLs.

    \b
    Example:
      privwatch sources list --json
    """
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "kind": s.kind,
            "every": s.every,
            "language": s.language,
            "start_urls": " ".join(str(u) for u in s.start_urls),
        }
        for s in app.config.sources
    ]
    print_rows(rows, as_json, title="sources")


@click.group()
def companies() -> None:
    """Inspect the company knowledge base (config/companies.yaml).

    \b
    Example:
      privwatch companies list --search alipay
    """


@companies.command("list")
@click.option(
    "--search", "-s", metavar="TEXT", help="Only companies whose name, alias or product contains TEXT."
)
@json_option()
@click.pass_obj
def companies_list(app, search: str | None, as_json: bool) -> None:
    """List the companies of the knowledge base with their aliases and products.

    \b
    Example:
      privwatch companies list --search tencent
    """
    needle = search.casefold() if search else None
    rows = []
    for company in app.config.knowledge_base.companies:
        names = [n for n, _ in company.names()]
        if needle and not any(needle in n.casefold() for n in [company.id, *names]):
            continue
        rows.append(
            {
                "id": company.id,
                "name": company.name,
                "country": company.country,
                "sector": company.sector,
                "parent": company.parent,
                "also": ", ".join(names[1:]),
            }
        )
    print_rows(rows, as_json, title="companies")
