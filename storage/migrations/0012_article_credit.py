"""0012: an article's credit.

Whom a byline credits besides people: outlets, desks, agencies (articles.author holds people only).
"""

STATEMENTS = ("ALTER TABLE articles ADD COLUMN credit TEXT",)
