"""0008: search in Chinese.

articles_fts (porter, unicode61) keeps a run of Chinese characters between two punctuation marks as one
token, so no Chinese word can be found in it. Chinese articles get a second index with FTS5's trigram
tokenizer: any run of three characters or more matches where it occurs, whatever the segmentation
(jieba-segmented text in a search column was the other choice: a query would have to be segmented the
same way, which Datasette's search box cannot do). Only articles stored as Chinese are indexed, so the
English crawl pays nothing; a re-tag that changes an article's language moves it in or out.
"""

STATEMENTS = (
    """CREATE VIRTUAL TABLE articles_fts_zh USING fts5(
    title, body, content='articles', content_rowid='id', tokenize='trigram'
)""",
    """INSERT INTO articles_fts_zh (rowid, title, body)
SELECT id, title, body FROM articles WHERE language = 'zh'""",
    """CREATE TRIGGER articles_ai_fts_zh AFTER INSERT ON articles WHEN NEW.language = 'zh' BEGIN
    INSERT INTO articles_fts_zh (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);
END""",
    """CREATE TRIGGER articles_ad_fts_zh AFTER DELETE ON articles WHEN OLD.language = 'zh' BEGIN
    INSERT INTO articles_fts_zh (articles_fts_zh, rowid, title, body)
    VALUES ('delete', OLD.id, OLD.title, OLD.body);
END""",
    """CREATE TRIGGER articles_au_fts_zh AFTER UPDATE OF title, body, language ON articles
WHEN OLD.language = 'zh' OR NEW.language = 'zh' BEGIN
    INSERT INTO articles_fts_zh (articles_fts_zh, rowid, title, body)
    SELECT 'delete', OLD.id, OLD.title, OLD.body WHERE OLD.language = 'zh';
    INSERT INTO articles_fts_zh (rowid, title, body)
    SELECT NEW.id, NEW.title, NEW.body WHERE NEW.language = 'zh';
END""",
)
