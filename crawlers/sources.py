"""Which configured source a URL belongs to."""

from __future__ import annotations

from urllib.parse import urlsplit


def source_for_url(sources, url: str | None):
    """The source whose allowed_domains cover the URL's host (longest domain wins), or None."""
    host = (urlsplit(url or "").hostname or "").lower()
    best, best_length = None, 0
    for source in sources:
        for domain in source.allowed_domains:
            domain = domain.lower()
            if (host == domain or host.endswith("." + domain)) and len(domain) > best_length:
                best, best_length = source, len(domain)
    return best
