"""An analyst's corrections of the tagger, applied to an article's tags whenever they are stored (0018).

The tag tables hold the corrected tags; the tagger's own output of an article with active corrections is
kept in tagger_tags, so a correction added or undone rewrites the article's tags from it at once.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from sqlite_utils import Database

from config.errors import PrivwatchError
from storage.tags import ArticleTags, stored_tags, write_tags
from storage.timestamps import utcnow

FIELDS = ("accused", "type", "response")
ACTIONS = ("remove", "add", "set")
RESPONSES = ("apology", "denial", "remediation", "none")


class CorrectionError(PrivwatchError, ValueError):
    """A correction that names something the database does not hold; the message is one line."""


@dataclass(frozen=True)
class Owner:
    """Whom a correction is about: a KB company, an organisation the knowledge base lacks, or neither
    (a type correction about every accused company of the article)."""

    company_id: str | None = None
    org_name: str | None = None

    def owns(self, row: Mapping) -> bool:
        if self.company_id:
            return row.get("company_id") == self.company_id
        return not row.get("company_id") and row.get("org_name") == self.org_name

    @property
    def label(self) -> str:
        return self.company_id or self.org_name or "every accused company"


# -- applying ---------------------------------------------------------------------------------------------


def apply_corrections(tags: ArticleTags, corrections: Iterable[Mapping]) -> ArticleTags:
    """The tags with the corrections applied in order (a later one wins over an earlier one)."""
    tags = copy.deepcopy(tags)
    for correction in corrections:
        owner = Owner(correction["company_id"], correction["org_name"])
        kind = (correction["field"], correction["action"])
        if kind == ("accused", "remove"):
            _clear_accused(tags, owner)
        elif kind == ("accused", "add"):
            _accuse(tags, owner)
        elif kind == ("type", "add"):
            _add_type(tags, owner, correction["value"])
        elif kind == ("type", "remove"):
            tags.incidents = [
                i
                for i in tags.incidents
                if not (i["incident_type"] == correction["value"] and (owner == Owner() or owner.owns(i)))
            ]
        elif kind == ("response", "set"):
            _set_response(tags, owner, correction["value"])
        else:
            raise ValueError(f"correction {correction.get('id')}: no way to {kind[1]} a {kind[0]}")
    return tags


def _clear_accused(tags: ArticleTags, owner: Owner) -> None:
    tags.incidents = [i for i in tags.incidents if not owner.owns(i)]
    tags.responses = [r for r in tags.responses if not owner.owns(r)]
    if owner.company_id:
        for mention in tags.mentions:
            if mention["company_id"] == owner.company_id:
                mention.update(role="mentioned", response=None)
    else:
        tags.unlinked_accused.pop(owner.org_name, None)


def _accuse(tags: ArticleTags, owner: Owner) -> None:
    if owner.company_id:
        mention = next((m for m in tags.mentions if m["company_id"] == owner.company_id), None)
        if mention is None:
            # the tagger never named it: it found the company 0 times
            tags.mentions.append(
                {"company_id": owner.company_id, "role": "accused", "response": "none", "count": 0}
            )
        elif mention["role"] != "accused":
            mention.update(role="accused", response=mention.get("response") or "none")
    elif owner.org_name not in tags.unlinked_accused:
        tags.unlinked_orgs.setdefault(owner.org_name, 0)
        tags.unlinked_accused[owner.org_name] = "none"


def _accused_owners(tags: ArticleTags) -> list[Owner]:
    return [Owner(m["company_id"]) for m in tags.mentions if m["role"] == "accused"] + [
        Owner(org_name=name) for name in tags.unlinked_accused
    ]


def _add_type(tags: ArticleTags, owner: Owner, incident_type: str) -> None:
    owners = [owner] if owner != Owner() else _accused_owners(tags) or [Owner()]
    for one in owners:
        if one != Owner():
            _accuse(tags, one)
        has_type = any(i["incident_type"] == incident_type and one.owns(i) for i in tags.incidents)
        if not has_type:
            tags.incidents.append(
                {
                    "incident_type": incident_type,
                    "company_id": one.company_id,
                    "org_name": one.org_name,
                    "score": None,
                    "evidence": None,
                }
            )


def _set_response(tags: ArticleTags, owner: Owner, response: str) -> None:
    _accuse(tags, owner)
    if owner.company_id:
        for mention in tags.mentions:
            if mention["company_id"] == owner.company_id:
                mention["response"] = response
    else:
        tags.unlinked_accused[owner.org_name] = response
    kept = [r for r in tags.responses if owner.owns(r) and r["response"] == response]
    tags.responses = [r for r in tags.responses if not owner.owns(r)]
    if response != "none":
        tags.responses += kept or [
            {
                "company_id": owner.company_id,
                "org_name": owner.org_name,
                "response": response,
                "evidence": None,
            }
        ]


# -- storing ----------------------------------------------------------------------------------------------


def active_corrections(db: Database, article_id: int) -> list[dict]:
    return list(
        db.query(
            "SELECT * FROM corrections WHERE article_id = ? AND undone_at IS NULL ORDER BY id", [article_id]
        )
    )


def corrected_tags(db: Database, article_id: int, tags: ArticleTags) -> ArticleTags:
    """The tagger's tags of an article with its active corrections applied; with corrections, the
    tagger's tags are kept in tagger_tags (without, its row goes). Inside the caller's transaction."""
    corrections = active_corrections(db, article_id)
    if not corrections:
        db.execute("DELETE FROM tagger_tags WHERE article_id = ?", [article_id])
        return tags
    db.execute(
        "INSERT OR REPLACE INTO tagger_tags (article_id, tags, stored_at) VALUES (?, ?, ?)",
        [article_id, json.dumps(asdict(tags), ensure_ascii=False), utcnow()],
    )
    return apply_corrections(tags, corrections)


def tagger_tags(db: Database, article_id: int) -> ArticleTags:
    """What the tagger found in an article, before corrections."""
    row = db.execute("SELECT tags FROM tagger_tags WHERE article_id = ?", [article_id]).fetchone()
    # no row: the article had no active correction when its tags were stored, so they are the tagger's
    return ArticleTags(**json.loads(row[0])) if row else stored_tags(db, article_id)


def reapply_corrections(db: Database, article_id: int) -> bool:
    """Rewrite a tagged article's tags from the tagger's with its active corrections; False when the
    article is not tagged yet (its corrections apply when it is). Inside the caller's transaction."""
    found = db.execute("SELECT tagged_at FROM articles WHERE id = ?", [article_id]).fetchone()
    if not found or found[0] is None:
        return False
    write_tags(db, article_id, corrected_tags(db, article_id, tagger_tags(db, article_id)))
    # tagged_at keeps its value (the digest's "new" is tagged, not corrected); setting it refreshes the
    # article's materialized rows and its story (0006, 0010)
    db.execute("UPDATE articles SET tagged_at = tagged_at WHERE id = ?", [article_id])
    return True


def add_corrections(
    db: Database, article_id: int, corrections: Iterable[Mapping], by: str | None, note: str | None
) -> list[int]:
    """Store corrections of one article ({company_id, org_name, field, value, action}) and apply them;
    their ids."""
    created_at = utcnow()
    ids = []
    with db.atomic():
        for correction in corrections:
            row = {"company_id": None, "org_name": None, "value": None, **correction}
            if row["field"] not in FIELDS or row["action"] not in ACTIONS:
                raise ValueError(f"not a correction: {row}")
            row.update(article_id=article_id, note=note, by=by, created_at=created_at)
            ids.append(db["corrections"].insert(row).last_pk)
        reapply_corrections(db, article_id)
    return ids


def undo_correction(db: Database, correction_id: int) -> dict:
    """Mark a correction undone and rewrite its article's tags without it; the correction's row."""
    with db.atomic():
        found = list(db.query("SELECT * FROM corrections WHERE id = ?", [correction_id]))
        if not found:
            raise CorrectionError(f"no correction {correction_id} (see `privwatch correct --list`)")
        if found[0]["undone_at"]:
            raise CorrectionError(f"correction {correction_id} was undone at {found[0]['undone_at']}")
        db.execute("UPDATE corrections SET undone_at = ? WHERE id = ?", [utcnow(), correction_id])
        reapply_corrections(db, found[0]["article_id"])
    return found[0]


# -- reading ----------------------------------------------------------------------------------------------


def list_corrections(db: Database, article_id: int | None = None) -> list[dict]:
    """Every correction (of one article), newest first, with the article's title and the company's name."""
    where = "WHERE k.article_id = :article" if article_id is not None else ""
    return list(
        db.query(
            f"""SELECT k.id, k.article_id, a.title, coalesce(c.name, k.org_name) AS company, k.field,
                    k.action, k.value, k.by, k.note, k.created_at, k.undone_at
                FROM corrections k
                JOIN articles a ON a.id = k.article_id
                LEFT JOIN companies c ON c.id = k.company_id
                {where} ORDER BY k.id DESC""",
            {"article": article_id},
        )
    )


def find_article(db: Database, reference: str) -> dict:
    """The article an id or a URL (canonical, or one that led to it) names."""
    reference = reference.strip()
    sql = "SELECT id, title, url, tagged_at FROM articles WHERE "
    if reference.isdigit():
        found = list(db.query(sql + "id = ?", [int(reference)]))
    else:
        found = list(
            db.query(
                sql + "url = :url OR id = (SELECT article_id FROM article_urls WHERE url = :url)",
                {"url": reference},
            )
        )
    if not found:
        raise CorrectionError(f"no article {reference!r} in the database (give its id or its URL)")
    return found[0]


def find_owner(db: Database, article_id: int, name: str) -> Owner:
    """A company by KB id, name or alias; else an organisation the knowledge base lacks that the article
    names (unlinked_orgs)."""
    name = name.strip()
    found = db.execute(
        "SELECT id FROM companies WHERE id = :name OR name = :name COLLATE NOCASE "
        "UNION SELECT company_id FROM company_aliases WHERE alias = :name",
        {"name": name},
    ).fetchall()
    if len(found) == 1:
        return Owner(company_id=found[0][0])
    if len(found) > 1:
        ids = ", ".join(sorted(r[0] for r in found))
        raise CorrectionError(f"company {name!r} is ambiguous: give one of the ids {ids}")
    org = db.execute(
        "SELECT name FROM unlinked_orgs WHERE article_id = ? AND name = ? COLLATE NOCASE", [article_id, name]
    ).fetchone()
    if org:
        return Owner(org_name=org[0])
    raise CorrectionError(
        f"unknown company {name!r}: not in the knowledge base, and article {article_id} names no such "
        "organisation (see `privwatch companies list --search`)"
    )


def incident_type_ids(db: Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT id FROM incident_types ORDER BY rowid")]


def article_incident_types(db: Database, article_id: int) -> list[str]:
    """The incident types an article's stored (corrected) tags carry."""
    return [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT ai.incident_type FROM article_incidents ai "
            "JOIN incident_types t ON t.id = ai.incident_type WHERE ai.article_id = ? ORDER BY t.rowid",
            [article_id],
        )
    ]


def corrected_articles(db: Database) -> list[dict]:
    """Each tagged article with an active correction, as a gold line of nlp/evaluate.py: its stored
    (corrected) tags as the truth."""
    lines = []
    type_order = incident_type_ids(db)
    for article in db.query(
        """SELECT a.id, a.url, a.title, a.body, a.published, a.language FROM articles a
           WHERE a.tagged_at IS NOT NULL
             AND EXISTS (SELECT 1 FROM corrections k WHERE k.article_id = a.id AND k.undone_at IS NULL)
           ORDER BY a.id"""
    ):
        lines.append(_gold_line(db, article, type_order))
    return lines


def _gold_line(db: Database, article: dict, type_order: list[str]) -> dict:
    article_id = article["id"]
    tags = stored_tags(db, article_id)
    names = {
        r[0]: r[1]
        for r in db.execute(
            "SELECT c.id, c.name FROM companies c JOIN mentions m ON m.company_id = c.id "
            "WHERE m.article_id = ?",
            [article_id],
        )
    }

    def owned(owner: Owner) -> dict:
        return {
            "types": sorted(
                {i["incident_type"] for i in tags.incidents if owner.owns(i)}, key=type_order.index
            ),
            "responses": sorted({r["response"] for r in tags.responses if owner.owns(r)}),
        }

    companies = []
    for mention in tags.mentions:
        company = {"name": names[mention["company_id"]], "role": mention["role"]}
        if mention["role"] == "accused":
            company.update(response=mention["response"] or "none", **owned(Owner(mention["company_id"])))
        companies.append(company)
    for name in tags.unlinked_orgs:
        company = {"name": name, "role": "mentioned"}
        if name in tags.unlinked_accused:
            response = tags.unlinked_accused[name] or "none"
            company.update(role="accused", response=response, **owned(Owner(org_name=name)))
        companies.append(company)
    types = sorted({i["incident_type"] for i in tags.incidents}, key=type_order.index)
    notes = [
        f"{k['action']} {k['field']}{' ' + k['value'] if k['value'] else ''}"
        f"{' (' + k['company'] + ')' if k['company'] else ''}"
        for k in reversed(list_corrections(db, article_id))
        if not k["undone_at"]
    ]
    return {
        "id": f"article-{article_id}",
        "url": article["url"],
        "title": article["title"] or "",
        "body": article["body"] or "",
        "published": article["published"],
        "language": article["language"],
        "is_incident": bool(types),
        "incident_types": types,
        "companies": companies,
        "note": "privwatch tags with the analyst's corrections: " + "; ".join(notes),
    }
