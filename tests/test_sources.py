"""Every source in config/sources.yaml against its stored fixture pages and golden output.

Adding a source needs no test code: one YAML entry, tests/fixtures/sources/<id>/{start.xml|start.html,
article.html}, then `make golden` and a review of tests/golden/sources/<id>.json."""

from __future__ import annotations

import json

import pytest

from config.models import Config

from .conftest import GOLDEN
from .source_preview import fixture_files, preview

SOURCES = Config().sources


@pytest.mark.parametrize("source", SOURCES, ids=[s.id for s in SOURCES])
def test_source_fixture_matches_golden(source, db_path):
    start, article = fixture_files(source.id)
    assert start.exists() and article.exists()
    result = json.loads(json.dumps(preview(source, str(db_path)), ensure_ascii=False))
    golden_path = GOLDEN / "sources" / f"{source.id}.json"
    assert golden_path.exists(), f"no golden output for {source.id}: run `make golden`"
    assert result == json.loads(golden_path.read_text(encoding="utf-8")), (
        "run `make golden` and review the diff"
    )
    assert result["links"], "the start page yields no article links"
    assert result["article"] and result["article"]["title"] and result["article"]["body_words"] >= 50
    assert result["errors"] == []


def test_every_source_has_real_urls():
    hosts = {str(s.url).split("/")[2] for s in SOURCES}
    assert len(SOURCES) >= 6 and len(hosts) == len(SOURCES)
    assert {s.kind for s in SOURCES} == {"listing", "feed", "sitemap"}
    assert all(str(u).startswith("http") and "127.0.0.1" not in str(u) for s in SOURCES for u in s.start_urls)
