# ruff: noqa: E501
"""0020: the full-text index follows an article's title and body only.

0002's update trigger fired on every change of an article row, so each tag write (tagged_at, language,
tag_depth) deleted and re-indexed the whole text in articles_fts: a re-tag of the database rewrote its
search index. The trigger now fires when the title or body changes.
"""

STATEMENTS = (
    'DROP TRIGGER "articles_au"',
    """CREATE TRIGGER "articles_au" AFTER UPDATE OF "title", "body" ON "articles"
WHEN OLD."title" IS NOT NEW."title" OR OLD."body" IS NOT NEW."body" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "body") VALUES('delete', old.rowid, old."title", old."body");
  INSERT INTO "articles_fts" (rowid, "title", "body") VALUES (new.rowid, new."title", new."body");
END;""",
)
