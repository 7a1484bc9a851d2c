"""0013: watchlists and alerts.

A watchlist (config/watchlists.yaml, loaded with the other config rows) is stored so that SQL can match
it: its feed, its digest section and its alerts all read the watchlist_incidents view, one definition.
companies, types, terms and term_patterns are JSON lists ('[]' when not given); an incident matches when
it meets every criterion given. A term matches as a GLOB pattern over ' ' || lower(title || ' ' || body)
|| ' ', built by storage/watchlists.py so that a Latin word only matches whole ("meta" is not in
"metadata"). A watchlist removed from the YAML stays as a row with active = 0: its alerts keep their
watchlist. added_at is when it was first loaded (or loaded again after a removal): only articles stored
since then are alerted.
alerts holds one row per watchlist x article x channel (email, webhook), written when the match is found
and updated when it is sent: `owed` until the server or webhook accepted it, then `sent`; `dropped` when
there is no longer anywhere to send it or the article no longer matches. A sender claims owed rows
(claim, claimed_at) before sending, so two runs at once never send the same alert.
"""

STATEMENTS = (
    """CREATE TABLE watchlists (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    delivery TEXT NOT NULL CHECK (delivery IN ('immediate', 'digest')),
    companies TEXT NOT NULL DEFAULT '[]',
    types TEXT NOT NULL DEFAULT '[]',
    terms TEXT NOT NULL DEFAULT '[]',
    term_patterns TEXT NOT NULL DEFAULT '[]',
    active INTEGER NOT NULL DEFAULT 1,
    added_at TEXT NOT NULL
)""",
    """CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    watchlist_id TEXT NOT NULL REFERENCES watchlists(id),
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    status TEXT NOT NULL DEFAULT 'owed' CHECK (status IN ('owed', 'sent', 'dropped')),
    queued_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    error TEXT,
    sent_at TEXT,
    sent_to TEXT,
    message_id TEXT,
    claim TEXT,
    claimed_at TEXT
)""",
    "CREATE UNIQUE INDEX idx_alerts_key ON alerts(watchlist_id, article_id, channel)",
    "CREATE INDEX idx_alerts_status ON alerts(status, watchlist_id)",
    "CREATE INDEX idx_alerts_article ON alerts(article_id)",
    """CREATE VIEW watchlist_incidents AS
SELECT w.id AS watchlist_id, w.name AS watchlist, i.published, i.company, i.incident_type, i.response,
    i.evidence, i.title, i.url, i.source, i.score, i.article_id, i.company_id, i.source_id, i.language
FROM watchlists w
JOIN incidents_materialized i
WHERE w.active = 1
  AND (w.companies = '[]' OR i.company_id IN (SELECT value FROM json_each(w.companies)))
  AND (w.types = '[]' OR i.incident_type IN (SELECT value FROM json_each(w.types)))
  AND (w.term_patterns = '[]' OR EXISTS (
      SELECT 1 FROM articles a JOIN json_each(w.term_patterns) t
      WHERE a.id = i.article_id
        AND ' ' || lower(coalesce(a.title, '') || ' ' || coalesce(a.body, '')) || ' ' GLOB t.value))
""",
)
