"""0019: how deep an article was tagged.

'full': the whole pipeline; 'mentions': the cascade's gate found no privacy cue (nlp/gate.py), so the
article has its knowledge-base company mentions only. NULL until tagged; every article tagged before it
had the whole pipeline.
"""

STATEMENTS = (
    "ALTER TABLE articles ADD COLUMN tag_depth TEXT CHECK (tag_depth IN ('full', 'mentions'))",
    """UPDATE articles SET tag_depth = 'full' WHERE tagged_at IS NOT NULL
""",
)
