"""Severity (nlp/severity.py): fines with their currency and counts of people or records affected, on the
incident rows of the accused company; never a year, a date, a percentage, a share price, revenue or a
market value. Every sentence here was written for these tests.
"""

from __future__ import annotations

import pytest

from config.models import Config
from nlp.pipeline import build_pipelines, tag_article
from nlp.severity import parse_number


@pytest.fixture(scope="module")
def pipelines(nlp):
    return build_pipelines(Config())


def severity(pipelines, title: str, body: str, company_id: str) -> dict:
    """The severity fields of the company's incident rows (all of them carry the same)."""
    tagged = tag_article(pipelines, title, body)
    rows = [row for row in tagged.to_article_tags().incidents if row["company_id"] == company_id]
    assert rows, f"no incident of {company_id}: {tagged.incidents}"
    assert len({(r["fine_amount"], r["affected"]) for r in rows}) == 1
    return rows[0]


# (title, body, company id, (fine amount, currency) or None, affected or None)
POSITIVES = {
    "fined-dollars": (
        "",
        "Regulators fined Meta $5 billion over how it handled the location data of its users.",
        "meta",
        (5e9, "USD"),
        None,
    ),
    "penalty-euro-bn": (
        "",
        "The Irish watchdog imposed a €1.2bn penalty on TikTok for sending children's data to servers "
        "abroad without proper safeguards.",
        "bytedance",
        (1.2e9, "EUR"),
        None,
    ),
    "agreed-to-pay-pounds-m": (
        "",
        "Uber agreed to pay £20m to settle claims that it shared drivers' personal data with insurers.",
        "uber",
        (20e6, "GBP"),
        None,
    ),
    "fine-of-yuan": (
        "",
        "The cyberspace regulator ordered Didi to pay a fine of 1.2 billion yuan for illegally collecting "
        "passengers' personal information.",
        "didi",
        (1.2e9, "CNY"),
        None,
    ),
    "currency-code-first": (
        "",
        "Alibaba was fined CNY 8.026 billion after an inquiry found it had gathered shoppers' personal "
        "data without consent.",
        "alibaba",
        (8.026e9, "CNY"),
        None,
    ),
    "us-dollar-sign-in-penalties": (
        "",
        "Google will pay US$ 275 million in penalties to resolve a lawsuit over how it tracked users' "
        "locations.",
        "google",
        (275e6, "USD"),
        None,
    ),
    "data-of-users-stolen": (
        "",
        "Hackers stole the personal data of 533 million users from Meta's servers, the researchers found.",
        "meta",
        None,
        533_000_000,
    ),
    "records-exposed": (
        "",
        "The leak at Amazon exposed 2.3 million customers' records, including home addresses and phone "
        "numbers.",
        "amazon",
        None,
        2_300_000,
    ),
    "accounts-compromised": (
        "",
        "About 40,000 accounts were compromised when attackers breached Uber's customer data systems.",
        "uber",
        None,
        40_000,
    ),
    "fine-and-count": (
        "",
        "TikTok was fined €345 million for exposing the personal data of 12 million children to strangers.",
        "bytedance",
        (345e6, "EUR"),
        12_000_000,
    ),
    "zh-fine": (
        "滴滴被罚款80.26亿元",
        "国家网信办依法对滴滴处以罚款80.26亿元，原因是其违法收集乘客个人信息。",
        "didi",
        (8.026e9, "CNY"),
        None,
    ),
    "zh-users-leaked": (
        "",
        "调查显示，华住旗下酒店系统泄露了1.2亿用户的个人信息，包括姓名和手机号。",
        "huazhu",
        None,
        120_000_000,
    ),
    "zh-records": (
        "",
        "黑客入侵了微博的服务器，5.38亿条用户数据遭窃取并在网上出售。",
        "weibo",
        None,
        538_000_000,
    ),
}


@pytest.mark.parametrize("case", POSITIVES)
def test_a_stated_fine_or_count_is_on_the_incident(pipelines, case):
    title, body, company_id, fine, affected = POSITIVES[case]
    row = severity(pipelines, title, body, company_id)
    if fine is None:
        assert row["fine_amount"] is None
    else:
        assert (row["fine_amount"], row["fine_currency"]) == (pytest.approx(fine[0]), fine[1])
        assert row["fine_text"] and row["fine_usd"] > 0
    assert row["affected"] == affected
    assert bool(row["affected_text"]) == bool(affected)


# (title, body, company id): an incident with numbers that are no fine and no count of the affected
NEGATIVES = {
    "year": (
        "",
        "In 2019 the regulator opened an inquiry into the leak of Meta users' personal data.",
        "meta",
    ),
    "date": (
        "",
        "The breach of Uber's customer data on 14 March 2021 was disclosed only months later.",
        "uber",
    ),
    "percentage": (
        "",
        "Only 12% of the people whose personal data leaked from Amazon were told about the breach.",
        "amazon",
    ),
    "share-price": (
        "",
        "Meta's shares fell 4% to $120 after the company was accused of sharing users' personal data "
        "with advertisers.",
        "meta",
    ),
    "revenue": (
        "",
        "Google, which earned $80 billion in revenue last year, was accused of tracking users' locations "
        "without consent.",
        "google",
    ),
    "market-value": (
        "",
        "Amazon, valued at $1 trillion, was accused of keeping children's voice recordings without consent.",
        "amazon",
    ),
    "user-base-is-no-victims": (
        "",
        "TikTok, which has 150 million users in the country, was accused of collecting their personal "
        "data without consent.",
        "bytedance",
    ),
    "subscription-price": (
        "",
        "Users pay $10 a month for the service, which Uber was accused of using to share riders' personal "
        "data with advertisers.",
        "uber",
    ),
    "zh-revenue": (
        "",
        "阿里巴巴去年营收达到8000亿元，工信部通报其旗下应用违规收集用户个人信息。",
        "alibaba",
    ),
    "zh-year": (
        "",
        "2021年，微博被曝泄露用户个人信息。",
        "weibo",
    ),
}


@pytest.mark.parametrize("case", NEGATIVES)
def test_numbers_that_are_no_fine_and_no_count_are_left_out(pipelines, case):
    title, body, company_id = NEGATIVES[case]
    row = severity(pipelines, title, body, company_id)
    assert (row["fine_amount"], row["affected"]) == (None, None), row


def test_the_fine_is_credited_to_the_company_fined_and_the_largest_kept(pipelines):
    tagged = tag_article(
        pipelines,
        "Meta and TikTok face privacy fines",
        "Meta was fined €390 million for forcing users to accept personalised ads. In a separate case, "
        "TikTok was fined €5 million for collecting children's personal data. Meta was also fined "
        "$2 million for keeping users' passwords in plain text.",
    )
    fines = {
        r["company_id"]: (r["fine_amount"], r["fine_currency"]) for r in tagged.to_article_tags().incidents
    }
    assert fines == {"meta": (390e6, "EUR"), "bytedance": (5e6, "EUR")}


def test_a_fine_of_a_company_named_for_comparison_is_not_the_accused_company_s(pipelines):
    row = severity(
        pipelines,
        "",
        "Regulators fined Meta €390 million for forcing users to accept personalised ads. Analysts compared "
        "it with Amazon's €746 million fine.",
        "meta",
    )
    assert (row["fine_amount"], row["fine_currency"]) == (390e6, "EUR")


@pytest.mark.parametrize(
    "text,value",
    [
        ("$5 billion", 5e9),
        ("€1.2bn", 1.2e9),
        ("£20m", 20e6),
        ("40,000", 40_000),
        ("80.26亿元", 8.026e9),
        ("1.2亿", 1.2e8),
        ("3万", 3e4),
        ("five million", 5e6),
        ("no number", None),
    ],
)
def test_numbers_are_read_with_their_scale(text, value):
    assert parse_number(text) == (pytest.approx(value) if value else None)


def test_a_sentence_that_starts_inside_an_entity_reads_as_its_own_doc():
    """The sentencizer may cut an entity ("… Harbour Pay Ltd." | "Co. …"): the sentence's own Doc, which
    the parser and the severity component read, begins that entity instead of failing with E093."""
    from types import SimpleNamespace

    import spacy
    from spacy.tokens import Span

    from nlp.facts import sentence_docs

    doc = spacy.blank("en")("Regulators fined Harbour Pay Ltd. Co. said 20 million users were hit .")
    doc.ents = [Span(doc, 2, 6, label="ORG"), Span(doc, 7, 9, label="CARDINAL")]
    sentence = doc[5:14]
    assert sentence[0].ent_iob_ == "I"
    (own,) = sentence_docs([SimpleNamespace(span=sentence)])
    assert [(e.text, e.label_) for e in own.ents] == [("Co.", "ORG"), ("20 million", "CARDINAL")]
