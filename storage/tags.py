"""An article's tag rows: what the NLP pipeline found in it, and how those rows are swapped and read back."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlite_utils import Database


@dataclass
class ArticleTags:
    """What the NLP pipeline found in one article, ready to store."""

    mentions: list[dict] = field(default_factory=list)  # company_id, role, response, count, evidence
    # incident_type, company_id|None, org_name|None (an accused organisation the KB lacks), score, evidence,
    # and the SEVERITY_FIELDS (None where the article states no fine or count)
    incidents: list[dict] = field(default_factory=list)
    unlinked_orgs: dict[str, int] = field(default_factory=dict)  # name -> count
    unlinked_accused: dict[str, str] = field(default_factory=dict)  # name -> its main response
    # every response of an accused company: company_id|None, org_name|None, response, evidence
    responses: list[dict] = field(default_factory=list)
    language: str | None = None  # the language the text was tagged as (None: leave articles.language)
    depth: str = "full"  # or "mentions": the cascade's gate found no privacy cue (nlp/gate.py)


# how big an incident is (0017): a fine as stated (amount, ISO currency, approximate US dollars, the words)
# and the people or records affected (count, the words)
SEVERITY_FIELDS = ("fine_amount", "fine_currency", "fine_usd", "fine_text", "affected", "affected_text")

# what a (re-)tag replaces
TAG_TABLES = ("mentions", "article_incidents", "article_responses", "unlinked_orgs")


def write_tags(db: Database, article_id: int, tags: ArticleTags) -> None:
    """Swap an article's tag rows for these; the caller then sets articles.tagged_at, which refreshes the
    article's materialized rows once."""
    # the row triggers skip a listed article; setting tagged_at refreshes it once (0006)
    db.execute("INSERT OR IGNORE INTO tags_being_replaced (article_id) VALUES (?)", [article_id])
    for table in TAG_TABLES:
        db.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
    db["mentions"].insert_all({**m, "article_id": article_id} for m in tags.mentions)
    db["article_incidents"].insert_all(
        {"org_name": None, **dict.fromkeys(SEVERITY_FIELDS), **i, "article_id": article_id}
        for i in tags.incidents
    )
    db["article_responses"].insert_all(
        {"company_id": None, "org_name": None, **r, "article_id": article_id} for r in tags.responses
    )
    db["unlinked_orgs"].insert_all(
        {
            "name": name,
            "article_id": article_id,
            "count": count,
            "role": "accused" if name in tags.unlinked_accused else "mentioned",
            "response": tags.unlinked_accused.get(name),
        }
        for name, count in tags.unlinked_orgs.items()
    )
    db.execute("DELETE FROM tags_being_replaced WHERE article_id = ?", [article_id])


def stored_tags(db: Database, article_id: int) -> ArticleTags:
    """An article's tags as stored (the inverse of write_tags; language is left unset)."""

    def rows(table: str) -> list[dict]:
        found = db.execute(f"SELECT * FROM {table} WHERE article_id = ? ORDER BY rowid", [article_id])
        columns = [d[0] for d in found.description]
        return [{k: v for k, v in zip(columns, row, strict=True) if k != "article_id"} for row in found]

    unlinked = rows("unlinked_orgs")
    return ArticleTags(
        mentions=rows("mentions"),
        incidents=rows("article_incidents"),
        unlinked_orgs={u["name"]: u["count"] for u in unlinked},
        unlinked_accused={u["name"]: u["response"] for u in unlinked if u["role"] == "accused"},
        responses=rows("article_responses"),
    )
