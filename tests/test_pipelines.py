from __future__ import annotations

from scrapy.utils.test import get_crawler

from crawlers.items import ArticleItem
from crawlers.pipelines import BodyBudgetPipeline, cut_body

PARAGRAPHS = [f"Paragraph {n} says the regulator asked the app about its consent screens." for n in range(10)]
BODY = "\n\n".join(PARAGRAPHS)


def test_a_body_within_budget_is_kept_whole():
    assert cut_body(BODY, len(BODY), len(PARAGRAPHS)) == (BODY, False)


def test_a_long_body_is_cut_after_the_last_whole_paragraph_that_fits():
    three = "\n\n".join(PARAGRAPHS[:3])
    assert cut_body(BODY, len(three), 100) == (three, True)
    assert cut_body(BODY, len(three) + 10, 100) == (three, True)


def test_a_body_of_too_many_paragraphs_keeps_the_first_ones():
    assert cut_body(BODY, 100_000, 4) == ("\n\n".join(PARAGRAPHS[:4]), True)


def test_a_first_paragraph_longer_than_the_budget_is_cut_at_a_space():
    words = "many words in one endless paragraph " * 50
    body, truncated = cut_body(words, 1000, 10)
    assert truncated and len(body) <= 1000 and words.startswith(body) and words[len(body)] == " "


def test_text_without_spaces_is_cut_at_the_budget():
    chinese = "腾讯否认存储微信用户聊天记录" * 200
    assert cut_body(chinese, 1000, 10) == (chinese[:1000], True)


def test_the_pipeline_cuts_to_its_settings_and_flags_the_item():
    settings = {"PRIVWATCH_MAX_BODY_CHARS": 1000, "PRIVWATCH_MAX_BODY_PARAGRAPHS": 2}
    pipeline = BodyBudgetPipeline.from_crawler(get_crawler(settings_dict=settings))
    item = pipeline.process_item(ArticleItem(body=BODY))
    assert item["body"] == "\n\n".join(PARAGRAPHS[:2]) and item["truncated"] is True
    assert pipeline.process_item(ArticleItem(body=PARAGRAPHS[0]))["truncated"] is False
