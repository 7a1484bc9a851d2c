"""The realistic benchmark mix (benchmarks/mix.py): its share of incidents, distinct texts, ordinary
articles free of privacy context, and the pages the 10k demo crawls."""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

import pytest

from benchmarks.mix import mix_articles, ordinary_articles
from benchmarks.sites import write_site

NEWS_PAGES = [
    ("Harbour ferry operator orders four hybrid vessels", "The operator will take delivery in two years."),
    ("Regional airport reopens its second runway", "Resurfacing work took eleven weeks.\nFlights resume."),
    ("Orchard growers expect a smaller apple harvest", "A late frost damaged blossom in the valleys."),
]


@pytest.fixture
def news_dir(tmp_path: Path) -> Path:
    """A stand-in for ../shared/bench/extraction: a few pages with gold titles and bodies."""
    fundus = tmp_path / "news" / "fundus-dev"
    fundus.mkdir(parents=True)
    lines = [
        json.dumps({"file": f"page{i}.html", "url": f"https://example.org/{i}", "title": title, "body": body})
        for i, (title, body) in enumerate(NEWS_PAGES)
    ]
    (fundus / "expected.jsonl").write_text("\n".join(lines) + "\n")
    return tmp_path / "news"


def test_the_mix_is_five_percent_incidents_and_every_text_differs(news_dir):
    mix = mix_articles(400, news_dir=news_dir)

    assert len(mix) == 400
    assert sum(a["is_incident"] for a in mix) == 20
    assert len({a["id"] for a in mix}) == 400
    assert len({(a["title"], a["body"]) for a in mix}) == 400
    real = [a for a in mix if a["id"].startswith("fundus:")]
    # half the ordinary articles are the news pages, each used many times under a numbered title
    assert len(real) == 190
    assert {a["body"] for a in real} == {body for _title, body in NEWS_PAGES}
    assert "Regional airport reopens its second runway (2)" in {a["title"] for a in real}


def test_without_the_news_pages_the_ordinary_articles_are_all_generated(tmp_path, capsys):
    mix = mix_articles(100, news_dir=tmp_path / "absent")

    assert capsys.readouterr().out.count("\n") == 1
    assert sum(a["is_incident"] for a in mix) == 5
    assert all(a["id"].startswith("generated:") for a in mix if not a["is_incident"])
    assert len({(a["title"], a["body"]) for a in mix}) == 100


def test_generated_articles_hold_no_privacy_context():
    import spacy
    from spacy.matcher import Matcher

    from config.models import Config
    from nlp.pipeline import article_text, base_model_name

    nlp = spacy.load(base_model_name())
    matcher = Matcher(nlp.vocab)
    matcher.add("context", Config().taxonomy.privacy_context)
    assert matcher(nlp("The lender said the personal data of its borrowers had been copied."))
    articles = ordinary_articles(300, seed=4)
    # a company's name may end in a legal form's full stop ("Snap Inc."): no sentence ends there
    sentence_end = r"(?<!\bInc\.)(?<!\bLtd\.)(?<!\bCo\.)(?<!\bCorp\.)(?<=\.)\s+"
    assert {len(re.split(sentence_end, a["body"])) for a in articles} == set(range(6, 16))
    found = [
        doc[start:end].sent.text
        for doc in nlp.pipe(article_text(a["title"], a["body"]) for a in articles)
        for _label, start, end in matcher(doc)
        if doc[start].sent == doc[end - 1].sent
    ]
    assert found == []


def test_the_site_pages_hold_the_articles_given(tmp_path, news_dir):
    mix = mix_articles(40, news_dir=news_dir)
    paths = write_site(tmp_path / "site", 40, articles=mix)

    page = (tmp_path / "site" / paths[7].lstrip("/")).read_text()
    assert f"<h1>{escape(mix[7]['title'])}</h1>" in page
    assert f"<p>{escape(mix[7]['body'].splitlines()[0])}</p>" in page
    with pytest.raises(ValueError, match="41 pages asked for, only 40 articles given"):
        write_site(tmp_path / "more", 41, articles=mix)
