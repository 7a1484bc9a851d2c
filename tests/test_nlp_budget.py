"""The tagging budget (nlp/budget.py): where a text too long to tag is cut, and that the pipelines read
within it."""

from __future__ import annotations

import pytest

from config.models import Config, ConfigError
from nlp.budget import cut_to_budget
from nlp.pipeline import Pipelines, article_text, tag_article

PARAGRAPHS = [
    "The council approved the new bus lanes on Tuesday.",
    "Work on the first lane starts in March and lasts six weeks.",
    "Drivers were told to expect delays near the station.",
]
TEXT = "\n\n".join(PARAGRAPHS)


def test_a_text_within_the_budget_is_kept_whole():
    assert cut_to_budget(TEXT, len(TEXT)) == TEXT
    assert article_text("Bus lanes", TEXT, 10_000) == "Bus lanes\n\n" + TEXT


def test_the_cut_falls_at_the_last_paragraph_end_within_the_budget():
    two = len(PARAGRAPHS[0]) + 2 + len(PARAGRAPHS[1])
    assert cut_to_budget(TEXT, two) == "\n\n".join(PARAGRAPHS[:2])
    assert cut_to_budget(TEXT, two + 20) == "\n\n".join(PARAGRAPHS[:2])


def test_without_a_paragraph_end_late_enough_the_cut_falls_at_a_sentence_end():
    text = "Prices rose again. Shoppers noticed at once. Traders blamed the weather and the fuel bill"
    assert cut_to_budget(text, 60) == "Prices rose again. Shoppers noticed at once."
    assert cut_to_budget("Version 3.5 shipped. It was late", 25) == "Version 3.5 shipped."


@pytest.mark.parametrize("budget", range(20, 90))
def test_the_cut_never_splits_a_word(budget):
    text = "Harbour ferries leave early on weekdays and return before dusk when the weather allows them to"
    cut = cut_to_budget(text, budget)
    assert len(cut) <= budget
    assert text.startswith(cut) and text[len(cut)] == " "
    assert cut.split() == text.split()[: len(cut.split())]


def test_chinese_text_without_spaces_is_cut_after_a_full_stop():
    text = "渡轮每天早上七点从码头出发。天气好的时候，傍晚之前回来。周末另有安排，请留意通知"
    assert cut_to_budget(text, 30) == "渡轮每天早上七点从码头出发。天气好的时候，傍晚之前回来。"
    assert cut_to_budget(text, 20) == "渡轮每天早上七点从码头出发。"


def test_a_run_without_any_boundary_is_cut_at_the_budget():
    assert cut_to_budget("x" * 50, 20) == "x" * 20


def test_the_pipelines_read_within_the_budget_setting(nlp):
    assert nlp.max_length == Config().settings.nlp.tag_budget_chars == Pipelines(nlp).budget
    ending = "Tencent said it never kept the chat histories of its users."
    body = "\n\n".join(
        ["ByteDance opened an office by the harbour on Monday."] + PARAGRAPHS * 7_000 + [ending]
    )
    assert len(body) > 1_000_000  # over spaCy's default max_length
    tagged = tag_article(nlp, "Harbour notes", body)
    assert {c["id"] for c in tagged.companies} == {"bytedance"}


def test_the_budget_setting_is_validated(tmp_path):
    (tmp_path / "settings.yaml").write_text("nlp:\n  tag_budget_chars: 10\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"settings.yaml: nlp.tag_budget_chars: .*1000"):
        assert Config(tmp_path).settings
