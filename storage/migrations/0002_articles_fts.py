# ruff: noqa: E501
"""0002: full-text search over titles and bodies.

An FTS5 index with the porter tokenizer and the triggers that keep it in step with articles (what
sqlite-utils' enable_fts ran when this migration shipped).
"""

STATEMENTS = (
    """CREATE VIRTUAL TABLE "articles_fts" USING FTS5 (
    "title", "body",
    tokenize='porter',
    content="articles"
)""",
    """INSERT INTO "articles_fts" (rowid, "title", "body")
    SELECT rowid, "title", "body" FROM "articles";""",
    """CREATE TRIGGER "articles_ai" AFTER INSERT ON "articles" BEGIN
  INSERT INTO "articles_fts" (rowid, "title", "body") VALUES (new.rowid, new."title", new."body");
END;""",
    """CREATE TRIGGER "articles_ad" AFTER DELETE ON "articles" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "body") VALUES('delete', old.rowid, old."title", old."body");
END;""",
    """CREATE TRIGGER "articles_au" AFTER UPDATE ON "articles" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "body") VALUES('delete', old.rowid, old."title", old."body");
  INSERT INTO "articles_fts" (rowid, "title", "body") VALUES (new.rowid, new."title", new."body");
END;""",
)
