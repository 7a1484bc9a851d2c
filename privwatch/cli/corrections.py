"""`privwatch correct` (an analyst's corrections of the tagger) and `privwatch nlp export-corrections`.

The corrections themselves live in storage/corrections.py; this module turns options into them.
"""

from __future__ import annotations

import json

import click

from privwatch.cli.options import db_option, json_option
from privwatch.cli.output import open_lines, print_rows

CORRECTION_OPTIONS = ("not_accused", "accused", "types", "not_types", "responses")


def _parse_responses(values: tuple[str, ...]) -> list[tuple[str, str]]:
    from storage.corrections import RESPONSES

    pairs = []
    for value in values:
        company, sep, response = value.rpartition("=")
        if not sep or not company.strip():
            raise click.BadParameter(f"{value!r} is not COMPANY=RESPONSE", param_hint="--response")
        if response.strip() not in RESPONSES:
            raise click.BadParameter(
                f"unknown response {response.strip()!r}: one of {', '.join(RESPONSES)}",
                param_hint="--response",
            )
        pairs.append((company, response.strip()))
    return pairs


@click.command("correct")
@click.argument("article", metavar="[ARTICLE]", required=False)
@click.option(
    "--not-accused", "not_accused", metavar="COMPANY", multiple=True, help="COMPANY is not accused."
)
@click.option("--accused", metavar="COMPANY", multiple=True, help="COMPANY is accused (of --type, else of "
              "the article's incident types).")  # fmt: skip
@click.option("--type", "types", metavar="TYPE", multiple=True, help="The article (or --accused) has TYPE.")
@click.option("--not-type", "not_types", metavar="TYPE", multiple=True, help="The article lacks TYPE.")
@click.option(
    "--response",
    "responses",
    metavar="COMPANY=RESPONSE",
    multiple=True,
    help="COMPANY's response is apology, denial, remediation or none.",
)
@click.option("--note", metavar="TEXT", help="Why (kept with the correction).")
@click.option("--by", metavar="NAME", help="Who corrects (kept with the correction).")
@click.option("--list", "list_only", is_flag=True, help="List the corrections (of ARTICLE when given).")
@click.option("--undo", metavar="ID", type=int, help="Undo correction ID (see --list).")
@json_option("With --list: print JSON instead of a table.")
@db_option()
@click.pass_obj
def correct(
    app,
    article: str | None,
    list_only: bool,
    undo: int | None,
    note: str | None,
    by: str | None,
    as_json: bool,
    db: str | None,
    **changes: tuple[str, ...],
) -> None:
    """Correct the tagger on one article: a company wrongly accused or missed, an incident type or a
    response. ARTICLE is an article id or URL; COMPANY a company id, name or alias (or the name of an
    organisation the knowledge base lacks, as the article names it).

    Corrections are stored apart from the tags and applied whenever the article's tags are stored, so
    they survive `privwatch tag --all`; the incidents view, stories and the next digest show the
    corrected tags at once. `privwatch nlp export-corrections` writes the corrected articles as gold lines.

    \b
    Example:
      privwatch correct 14 --not-accused meta --note "background sentence" --by ana
      privwatch correct 31 --not-type breach --type enforcement
      privwatch correct --list
      privwatch correct --undo 3
    """
    from storage import corrections as store

    database = app.open_db(db)  # a broken config fails here, before the arguments are checked
    asked = [name for name in CORRECTION_OPTIONS if changes[name]]
    if sum((list_only, undo is not None, bool(asked))) > 1:
        raise click.UsageError("give corrections, --list or --undo, one at a time")
    if undo is not None:
        undone = store.undo_correction(database, undo)
        _after_change(app, database, undone["article_id"])
        click.echo(f"correction {undo} of article {undone['article_id']} undone")
        return
    found = store.find_article(database, article) if article else None
    if list_only:
        rows = store.list_corrections(database, found["id"] if found else None)
        print_rows(rows, as_json, title="corrections")
        return
    if not found or not asked:
        raise click.UsageError("give ARTICLE and a correction (--not-accused, --accused, --type, "
                               "--not-type, --response), or --list or --undo ID")  # fmt: skip
    rows = _corrections(database, found, changes)
    ids = store.add_corrections(database, found["id"], rows, by=by, note=note)
    _after_change(app, database, found["id"])
    done = "; ".join(_describe(row) for row in rows)
    when = "" if found["tagged_at"] else " (applied when it is tagged)"
    click.echo(
        f"article {found['id']} ({found['title'] or found['url']}): {done}{when}; "
        f"correction{'s' if len(ids) > 1 else ''} {', '.join(map(str, ids))} "
        f"(undo: privwatch correct --undo {ids[0]})"
    )


def _corrections(database, article: dict, changes: dict) -> list[dict]:
    """The correction rows the options ask for; CorrectionError for an unknown company or type."""
    from storage import corrections as store

    article_id = article["id"]
    known_types = store.incident_type_ids(database)
    for incident_type in changes["types"] + changes["not_types"]:
        if incident_type not in known_types:
            raise store.CorrectionError(
                f"unknown incident type {incident_type!r}: one of {', '.join(known_types)}"
            )
    responses = _parse_responses(changes["responses"])

    def owner(name: str) -> dict:
        found = store.find_owner(database, article_id, name)
        return {"company_id": found.company_id, "org_name": found.org_name}

    rows = [{**owner(c), "field": "accused", "action": "remove"} for c in changes["not_accused"]]
    accused = [owner(c) for c in changes["accused"]]
    rows += [{**who, "field": "accused", "action": "add"} for who in accused]
    types = list(changes["types"])
    if accused and not types:
        types = store.article_incident_types(database, article_id)
        if not types:
            raise store.CorrectionError(
                f"article {article_id} has no incident type to accuse them of: give --type TYPE"
            )
    for who in accused or [{}]:
        rows += [{**who, "field": "type", "action": "add", "value": t} for t in types]
    rows += [{"field": "type", "action": "remove", "value": t} for t in changes["not_types"]]
    rows += [{**owner(c), "field": "response", "action": "set", "value": r} for c, r in responses]
    return rows


def _describe(row: dict) -> str:
    who = row.get("company_id") or row.get("org_name")
    if row["field"] == "accused":
        return f"{who} {'not ' if row['action'] == 'remove' else ''}accused"
    if row["field"] == "type":
        return f"{row['value']} {'removed' if row['action'] == 'remove' else 'added'}" + (
            f" ({who})" if who else ""
        )
    return f"{who} response {row['value']}"


def _after_change(app, database, article_id: int) -> None:
    """A corrected article leaves its story and joins (or opens) the one its corrected tags fit."""
    from nlp.stories import update_stories

    update_stories(database, app.config.settings.stories, [article_id])


@click.command("export-corrections")
@click.argument("out_path", metavar="OUT.jsonl", required=False)
@db_option()
@click.pass_obj
def export_corrections(app, out_path: str | None, db: str | None) -> None:
    """Write each corrected article as a gold line (the tagger's stored tags with the analyst's
    corrections applied), for `privwatch nlp evaluate` and for training. "-" writes to stdout.

    \b
    Example:
      privwatch nlp export-corrections corrections.jsonl && privwatch nlp evaluate corrections.jsonl
    """
    from storage.corrections import corrected_articles

    database = app.open_db(db)
    if not out_path:
        raise click.UsageError("give OUT.jsonl (or - for stdout)")
    lines = corrected_articles(database)
    with open_lines(out_path, "w") as out:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    click.echo(f"wrote {len(lines)} corrected articles to {out_path}", err=out_path == "-")
