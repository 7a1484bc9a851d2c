"""Synthetic news sites for benchmarks and tests (a listing page and N article pages in a folder), and
free local ports for the servers they start."""

from __future__ import annotations

import random
import socket
from html import escape
from pathlib import Path

WORDS = (
    "regulator company users data privacy app consent platform market shares quarter revenue customers "
    "breach investigation fine court ruling service launch growth network security update report Tencent "
    "Alibaba WeChat Alipay personal information collected apologised denied fixed leaked fined"
).split()


def write_site(root: Path, count: int, seed: int = 5, articles: list[dict] | None = None) -> list[str]:
    """`count` article pages under /news/ and /index.html linking to all of them; returns their paths.

    The pages hold random words, or, given `articles` ({"title", "body"}, at least `count` of them), the
    first `count` articles' titles and bodies (one paragraph per line of the body)."""
    if articles is not None and len(articles) < count:
        raise ValueError(f"{count} pages asked for, only {len(articles)} articles given")
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "news").mkdir(exist_ok=True)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    paths = []
    for number in range(count):
        if articles is None:
            title, page_title = f"Story number {number}", f"Story {number}"
            sentences = [" ".join(rng.choices(WORDS, k=18)).capitalize() + "." for _ in range(12)]
            paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, 12, 3)]
        else:
            title = page_title = articles[number]["title"]
            paragraphs = [line.strip() for line in articles[number]["body"].splitlines() if line.strip()]
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        path = f"/news/story-{number:05d}.html"
        (root / path.lstrip("/")).write_text(
            f"<html><head><title>{escape(page_title)} | Bench News</title>"
            f"<meta property='og:title' content='{escape(title)}'>"
            f"<meta property='article:published_time' content='2026-11-{1 + number % 28:02d}T08:00:00+08:00'>"
            f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{escape(title)}</h1>{body}"
            f"</article><footer>Bench News</footer></body></html>",
            encoding="utf-8",
        )
        paths.append(path)
    links = "".join(f'<li><a class="story" href="{p}">{p}</a></li>' for p in paths)
    (root / "index.html").write_text(f"<html><body><ul>{links}</ul></body></html>", encoding="utf-8")
    return paths


def listing_source(base: str) -> dict:
    return {
        "id": "bench", "name": "Bench News", "kind": "listing", "url": base + "/",
        "start_urls": [base + "/index.html"], "allowed_domains": ["127.0.0.1"],
        "selectors": {"article_links": "a.story"}, "every": "1h",
    }  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
