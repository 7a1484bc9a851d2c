"""Canonical article URLs: rel=canonical / og:url on the same site, tracking parameters stripped."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_", "pk_", "mc_", "ga_", "itm_", "__twitter")
TRACKING_PARAMS = {
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "yclid",
    "igshid",
    "mkt_tok",
    "cmpid",
    "cmp",
    "ref",
    "ref_src",
    "referrer",
    "src",
    "source",
    "share",
    "rss",
    "ocid",
    "ncid",
    "sr_share",
    "smid",
    "smtyp",
    "at_medium",
    "at_campaign",
    "spm",
    "from",
    "_ga",
    "s_cid",
    "wt.mc_id",
    "cid",
    "ito",
}


def strip_tracking(url: str) -> str:
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(TRACKING_PREFIXES) and k.lower() not in TRACKING_PARAMS
    ]
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", urlencode(query), ""))


def site_of(url: str) -> str:
    host = urlsplit(url).hostname or ""
    labels = host.split(".")
    # a registrable-domain guess good enough to tell "same site": example.co.uk, example.com, 127.0.0.1
    if host.replace(".", "").isdigit():
        return host
    keep = 3 if len(labels) > 2 and len(labels[-2]) <= 3 and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def canonical_url(page_url: str, declared: list[str]) -> str:
    """The first declared canonical URL that stays on the page's own site, else the page URL; cleaned."""
    for candidate in declared:
        candidate = (candidate or "").strip()
        if not candidate:
            continue
        absolute = urljoin(page_url, candidate)
        if urlsplit(absolute).scheme in ("http", "https") and site_of(absolute) == site_of(page_url):
            return strip_tracking(absolute)
    return strip_tracking(page_url)
