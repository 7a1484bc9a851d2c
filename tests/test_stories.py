"""Stories: incident articles of one controversy grouped across outlets, languages and days (nlp/stories.py,
migration 0010)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from config.settings import StorySettings
from nlp.stories import Story, StoryArticle, StoryAssigner, b_cubed, rebuild_stories, update_stories
from storage import db as store
from storage.stories import memberships

from .conftest import FIXTURES
from .datasette_fixtures import build_fixture_db

MEITUAN = FIXTURES / "stories" / "meituan.jsonl"


def gold_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def store_lines(db_path: Path, lines: list[dict]) -> dict[str, int]:
    """Store gold lines as crawled articles; gold id -> article id."""
    database = store.open_db(db_path)
    ids = {}
    for line in lines:
        result = store.upsert_article(
            database,
            {"url": f"https://news.example/{line['id']}", "title": line["title"], "body": line["body"],
             "published": line["published"], "language": line["language"], "source_id": None},
        )  # fmt: skip
        ids[line["id"]] = result.article_id
    database.close()
    return ids


def grouped(db_path: Path, ids: dict[str, int]) -> set[frozenset[str]]:
    database = store.open_db(db_path)
    story_of = memberships(database)
    database.close()
    groups: dict[int, set[str]] = {}
    for gold_id, article_id in ids.items():
        if article_id in story_of:
            groups.setdefault(story_of[article_id], set()).add(gold_id)
    return {frozenset(g) for g in groups.values()}


def story_rows(db_path: Path) -> tuple[list, list]:
    database = store.open_db(db_path)
    try:
        return (
            database.execute("SELECT * FROM story_articles ORDER BY article_id").fetchall(),
            database.execute("SELECT * FROM stories ORDER BY id").fetchall(),
        )
    finally:
        database.close()


def test_one_event_is_one_story_across_outlets_and_languages(run, db_path):
    lines = gold_lines(MEITUAN)
    ids = store_lines(db_path, lines)
    output = run("tag", "--db", str(db_path)).output
    assert "articles placed in stories: 5" in output
    # the rider-location story in two English outlets and a Chinese paper; a fine over another practice
    # the same week and a leak two months later are stories of their own; earnings news is in none
    assert grouped(db_path, ids) == {frozenset({"A1", "A2", "A3"}), frozenset({"B1"}), frozenset({"C1"})}
    database = store.open_db(db_path)
    story = database.execute(
        "SELECT * FROM stories WHERE id = (SELECT story_id FROM story_articles WHERE article_id = ?)",
        [ids["A1"]],
    ).fetchone()
    columns = [d[0] for d in database.execute("SELECT * FROM stories LIMIT 0").description]
    story = dict(zip(columns, story, strict=True))
    assert story["title"] == lines[0]["title"]
    assert (story["articles"], story["originals"]) == (3, 3)
    assert json.loads(story["languages"]) == ["en", "zh"]
    assert json.loads(story["company_ids"]) == ["meituan"]
    assert "apology" in json.loads(story["responses"])
    first_apology = database.execute(
        "SELECT article_id FROM story_responses WHERE story_id = ? AND response = 'apology'", [story["id"]]
    ).fetchone()
    assert first_apology == (ids["A2"],)  # the day Meituan first said sorry, not the Chinese retelling


def test_a_follow_up_without_an_incident_joins_the_story_of_the_organisation_it_names(run, db_path):
    lines = [
        {
            "id": "Z1", "language": "zh", "published": "2026-03-02T09:00:00+08:00",
            "title": "“青岚课表”小程序泄露学员信息",
            "body": "多名家长反映，杭州青岚教育科技有限公司运营的“青岚课表”小程序存在漏洞，"
            "任何人修改链接中的编号就能看到其他学员的姓名、手机号和家庭住址。",
        },
        {
            "id": "Z2", "language": "zh", "published": "2026-03-04T09:00:00+08:00",
            "title": "青岚课表小程序暂停使用",
            "body": "杭州青岚教育科技有限公司3日表示，“青岚课表”小程序已暂停使用，"
            "学员家长可通过客服热线登记，公司将逐一回电说明课表小程序的后续安排。",
        },
    ]  # fmt: skip
    ids = store_lines(db_path, lines)
    run("tag", "--db", str(db_path))
    assert grouped(db_path, ids) == {frozenset({"Z1", "Z2"})}


def test_a_retag_of_everything_yields_the_same_stories(run, db_path):
    store_lines(db_path, gold_lines(MEITUAN))
    run("tag", "--db", str(db_path))
    before = story_rows(db_path)
    assert "stories rebuilt: 3" in run("tag", "--all", "--db", str(db_path)).output
    assert story_rows(db_path) == before


def test_new_articles_join_stories_without_renumbering_old_ones(run, db_path):
    lines = gold_lines(MEITUAN)
    ids = store_lines(db_path, [line for line in lines if line["id"] != "A2"])
    run("tag", "--db", str(db_path))
    before = dict(memberships(store.open_db(db_path)))
    # a later crawl brings the apology, published between two stored articles of its story
    ids.update(store_lines(db_path, [line for line in lines if line["id"] == "A2"]))
    assert "articles placed in stories: 1" in run("tag", "--db", str(db_path)).output
    after = memberships(store.open_db(db_path))
    assert {a: s for a, s in after.items() if a in before} == before
    assert after[ids["A2"]] == after[ids["A1"]]


def test_a_syndicated_copy_joins_its_original_s_story(run, db_path):
    lines = gold_lines(MEITUAN)
    copy = {
        **lines[0],
        "id": "A1-copy",
        "title": "Rider GPS feed went to insurer",
        "published": "2024-05-02T12:00:00+08:00",
    }
    ids = store_lines(db_path, [*lines, copy])
    run("tag", "--db", str(db_path))
    story_of = memberships(store.open_db(db_path))
    assert story_of[ids["A1-copy"]] == story_of[ids["A1"]]
    database = store.open_db(db_path)
    assert database.execute(
        "SELECT articles, originals, title FROM stories WHERE id = ?", [story_of[ids["A1"]]]
    ).fetchone() == (4, 3, lines[0]["title"])


def article(article_id: int, day: int, accused: set[str], types: set[str], text: str, language: str = "en"):
    from datetime import UTC, datetime, timedelta

    from nlp.stories import term_weights

    return StoryArticle(
        id=article_id, at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=day), language=language,
        copy_of=None, accused=frozenset(accused), types=frozenset(types),
        terms=term_weights(text, language),
    )  # fmt: skip


def test_the_window_counts_from_the_story_s_last_article():
    assigner = StoryAssigner(StorySettings(window_days=30))
    text = "Acme Telecom exposed subscriber call records on an open storage bucket"
    stories: list[Story] = []
    days = [0, 25, 50, 90]  # each within 30 days of the one before, but the last 40 days after
    assignments = assigner.assign(
        [article(i, day, {"acme"}, {"breach"}, text) for i, day in enumerate(days)], stories
    )
    keys = [key for key, _, _ in assignments]
    assert keys[0] == keys[1] == keys[2] != keys[3]


def test_a_fine_or_ruling_joins_the_event_it_follows_months_later():
    assigner = StoryAssigner(StorySettings(window_days=30, follow_up_window_days=180))
    breach = "Acme Telecom exposed subscriber call records on an open storage bucket found by a researcher"
    fine = "Regulator fines Acme Telecom over subscriber call records left on an open storage bucket"
    stories: list[Story] = []
    assignments = assigner.assign(
        [
            article(1, 0, {"acme"}, {"breach"}, breach),
            article(2, 60, {"acme"}, {"breach", "enforcement"}, fine),  # the fine, two months on
            # a penalty in other words is another matter
            article(3, 100, {"acme"}, {"enforcement"}, "Carrier penalised for misleading broadband adverts"),
            # past the window, an article that is no fine, ruling or probe opens a story of its own
            article(4, 200, {"acme"}, {"breach"}, breach),
            # past the follow-up window of the first story: the fine goes to the latest one
            article(5, 250, {"acme"}, {"breach", "enforcement"}, fine),
        ],
        stories,
    )
    keys = [key for key, _, _ in assignments]
    assert keys[0] == keys[1] and len({keys[0], keys[2], keys[3]}) == 3 and keys[4] == keys[3]


def test_a_shared_company_is_required_to_join():
    assigner = StoryAssigner(StorySettings())
    text = "The app sent contact lists to an advertising network without consent"
    stories: list[Story] = []
    assignments = assigner.assign(
        [article(1, 0, {"acme"}, {"sharing"}, text), article(2, 1, {"globex"}, {"sharing"}, text)], stories
    )
    assert assignments[0][0] != assignments[1][0]


def test_another_kind_of_incident_of_the_same_company_needs_words_of_its_own_to_join():
    assigner = StoryAssigner(StorySettings())
    breach = "Acme Telecom exposed subscriber call records on an open storage bucket found by a researcher"
    stories: list[Story] = []
    assignments = assigner.assign(
        [
            article(1, 0, {"acme"}, {"breach"}, breach),
            # a week later: a lawsuit over tracking by the same company, in words of its own
            article(2, 7, {"acme"}, {"surveillance"}, "Owners sue over smart televisions logging programmes"),
            # the same kind of story again, told in other words: it still joins the breach
            article(3, 9, {"acme"}, {"breach"}, "Bucket of telecom call logs taken offline after report"),
            # another kind, in another language: no words to compare, so it is not the breach story
            article(4, 10, {"acme"}, {"profiling"}, "Acme 用户画像 定向广告", language="zh"),
        ],
        stories,
    )
    keys = [key for key, _, _ in assignments]
    assert keys[0] == keys[2] and len({keys[0], keys[1], keys[3]}) == 3


def test_an_organisation_the_knowledge_base_lacks_is_story_enough_without_shared_words():
    assigner = StoryAssigner(StorySettings())
    first = "Ransomware locked the patient portal of a paediatric clinic chain in Ohio for six days"
    follow_up = "Parents file suit claiming the company waited weeks before warning families"
    stories: list[Story] = []
    assignments = assigner.assign(
        [
            article(1, 0, {"org:Cedar Vale Paediatrics"}, {"breach"}, first),
            article(2, 4, {"org:Cedar Vale Paediatrics"}, {"breach", "enforcement"}, follow_up),
            # a company of the knowledge base is in many stories: its follow-up needs words of the story
            article(3, 0, {"acme"}, {"breach"}, first),
            article(4, 4, {"acme"}, {"breach", "enforcement"}, follow_up),
        ],
        stories,
    )
    keys = [key for key, _, _ in assignments]
    assert keys[0] == keys[1] and keys[2] != keys[3]


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("云岫借", "重庆云岫小额贷款", True),  # a lending app and the lender, by their own name
        ("云岫小贷", "深圳市云岫小额贷款有限公司", True),
        ("深圳市云岫科技", "深圳市青禾科技", False),  # one city, two companies
        ("中国平安", "中国人寿", False),  # names made of dictionary words say nothing alone
        ("Kestrel Payroll", "Kestrel Payroll Services", True),
        ("Kestrel Payroll", "Kestrel Logistics", False),
        ("Northgate Health Partners", "Northgate Health Clinics", True),  # the group and its business
        ("Northgate Partners", "Northgate Logistics", False),  # one word in common says too little
        # a Chinese company as English reports spell it: pinyin of its own name, after any place
        ("青岚口腔", "Qinglan Dental", True),
        ("杭州云栖星河教育科技", "Hangzhou Yunqi Xinghe Education Technology", True),
        ("杭州云栖星河教育科技", "Yunqi Campus", True),
        ("杭州云栖星河教育科技", "Hangzhou Metro Group", False),
        ("青岚口腔", "Qingshan Dental", False),
        # an own name jieba knows as a rare word, its brand and its registered name; a place only the
        # English gives
        ("满盈金融", "杭州满盈信息科技", True),
        ("满盈金融", "杭州安盈信息科技", False),
        ("满盈金融", "Hangzhou Manying Information Technology", True),
    ],
)
def test_names_of_one_organisation_the_knowledge_base_lacks(one, other, same):
    from nlp.stories import same_organisation

    assert same_organisation(one, other) is same


def test_words_are_read_without_possessives_or_the_fragment_a_cut_leaves():
    from nlp.stories import term_weights
    from storage.stories import OPENING_CHARS

    terms = term_weights("The regulator’s order and the borrowers' complaints", "en")
    assert "regulator" in terms and "borrowers" in terms
    assert not any("'" in t or "’" in t for t in terms)
    opening = ("Lenders shared repayment records. " * 40)[: OPENING_CHARS - 7] + " rectif"
    row = {"id": 1, "at": None, "language": "en", "duplicate_of": None, "title": "Lender probed",
           "opening": opening, "evidence": [], "accused": ["acme"], "types": ["sharing"]}  # fmt: skip
    assert len(opening) == OPENING_CHARS
    assert "rectif" not in StoryArticle.from_row(row).terms
    assert "rectif" in StoryArticle.from_row({**row, "opening": "Ordered to rectif"}).terms


def test_a_report_in_the_other_language_joins_the_story_its_words_translate():
    from nlp.stories import name_words

    names = name_words(["Xiaomi", "小米"])

    def report(article_id: int, day: int, title: str, language: str) -> StoryArticle:
        row = {"id": article_id, "at": f"2025-03-{day:02d}T08:00:00+00:00", "language": language,
               "duplicate_of": None, "title": title, "opening": "", "evidence": [], "accused": ["xiaomi"],
               "types": ["breach"]}  # fmt: skip
        return StoryArticle.from_row(row, names)

    stories: list[Story] = []
    assignments = StoryAssigner(StorySettings()).assign(
        [
            # two events of one company, the same kind, the same week, both told in Chinese first
            report(1, 1, "小米智能摄像头云存储缓存出错 部分用户在回放中看到陌生人家中的画面", "zh"),
            report(2, 2, "小米商城外包客服倒卖用户订单信息 警方已刑事拘留三人", "zh"),
            report(3, 3, "Xiaomi camera owners saw strangers' homes after a cloud storage cache error", "en"),
            report(4, 4, "Police detain outsourced customer-service staff over resold Xiaomi orders", "en"),
        ],
        stories,
    )
    keys = [key for key, _, _ in assignments]
    assert keys[0] == keys[2] and keys[1] == keys[3] and keys[0] != keys[1]


def test_a_report_in_traditional_script_joins_the_story_told_in_simplified():
    def report(article_id: int, day: int, title: str) -> StoryArticle:
        row = {"id": article_id, "at": f"2025-03-{day:02d}T08:00:00+00:00", "language": "zh",
               "duplicate_of": None, "title": title, "opening": "", "evidence": [], "accused": ["xiaomi"],
               "types": ["breach"]}  # fmt: skip
        return StoryArticle.from_row(row)

    mainland = report(1, 1, "智能摄像头云端缓存出错 部分用户回放时看到陌生人家中画面")
    other_event = report(2, 2, "商城外包客服倒卖用户订单资料 警方已刑事拘留三人")
    hong_kong = report(3, 3, "智能攝像頭雲端緩存出錯 部分用戶回放時看到陌生人家中畫面")
    assert hong_kong.terms == mainland.terms
    assignments = StoryAssigner(StorySettings()).assign([mainland, other_event, hong_kong], [])
    keys = [key for key, _, _ in assignments]
    assert keys[0] == keys[2] != keys[1]


def test_chinese_words_are_read_by_their_english_glosses():
    from nlp.bilingual import bridge, glosses
    from nlp.stories import english_rarity

    assert "leak" in glosses("泄露") and "clipboard" in glosses("剪贴板")
    assert glosses("資料") == glosses("资料") != ()  # traditional script
    text = "淘宝后台读取剪贴板 泄露3.8万条记录"
    shared = bridge({"#38000": 5.0}, text, "zh", english_rarity, frozenset({"淘宝"}))
    assert {"clipboard", "leak", "#38000"} <= set(shared)
    assert not {"board", "plank"} & set(shared)  # "板" alone is not glossed
    assert "taobao" not in shared  # a company's name says nothing a shared company does not
    assert set(bridge({"leaked": 2.0, "cameras": 1.0}, "", "en", english_rarity)) == {"leak", "camera"}


def test_b_cubed_scores_a_known_clustering():
    gold = {"a": "1", "b": "1", "c": "1", "d": "2", "e": None}
    # one story split in two, and the article of no story placed with the second story
    predicted = {"a": "x", "b": "x", "c": "y", "d": "z", "e": "z"}
    scores = b_cubed(gold, predicted)
    # precision: a, b 1; c 1; d 1/2 -> 3.5/4; recall: a, b 2/3; c 1/3; d 1 -> (2/3+2/3+1/3+1)/4
    assert scores["precision"] == round(3.5 / 4, 3)
    assert scores["recall"] == round((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4, 3)
    assert b_cubed(gold, {"a": "x", "b": "x", "c": "x", "d": "z"})["f1"] == 1.0


def test_evaluate_stories_scores_a_gold_file(run):
    output = run("nlp", "evaluate-stories", str(MEITUAN), "--json").output
    result = json.loads(output[output.index("{") :])[str(MEITUAN)]
    assert result["all"]["f1"] == 1.0 and result["all"]["articles"] == 5
    assert (result["gold_stories"], result["predicted_stories"]) == (3, 3)
    assert result["false_articles"] == []


# -- the story rows follow every write ----------------------------------------------------------------------

REFERENCE = """
SELECT sa.story_id,
    min(a.published), max(a.published), count(*), sum(a.duplicate_of IS NULL),
    count(DISTINCT coalesce(a.source_id, '')),
    (SELECT group_concat(n, '|') FROM (SELECT DISTINCT coalesce(c.name, ai.org_name) AS n
        FROM story_articles s2 JOIN articles a2 ON a2.id = s2.article_id
        JOIN article_incidents ai ON ai.article_id = s2.article_id
        LEFT JOIN companies c ON c.id = ai.company_id
        WHERE s2.story_id = sa.story_id AND a2.duplicate_of IS NULL
        AND coalesce(ai.company_id, ai.org_name) IS NOT NULL ORDER BY 1))
FROM story_articles sa JOIN articles a ON a.id = sa.article_id
GROUP BY sa.story_id
"""
ACTUAL = """
SELECT id, first_seen, last_seen, articles, originals, outlets,
    (SELECT group_concat(value, '|') FROM json_each(accused))
FROM stories
"""


COMPANIES_REFERENCE = """
SELECT DISTINCT sa.story_id, coalesce(c.name, ai.org_name), s.last_seen
FROM story_articles sa JOIN stories s ON s.id = sa.story_id JOIN articles a ON a.id = sa.article_id
JOIN article_incidents ai ON ai.article_id = sa.article_id LEFT JOIN companies c ON c.id = ai.company_id
WHERE a.duplicate_of IS NULL AND coalesce(ai.company_id, ai.org_name) IS NOT NULL
"""


def assert_stories_match(database, when: str) -> None:
    actual = sorted(database.execute(ACTUAL).fetchall(), key=repr)
    assert actual == sorted(database.execute(REFERENCE).fetchall(), key=repr), when
    companies = sorted(
        database.execute("SELECT story_id, company, last_seen FROM story_companies").fetchall()
    )
    assert companies == sorted(database.execute(COMPANIES_REFERENCE).fetchall()), when
    empty = database.execute("SELECT count(*) FROM stories WHERE articles = 0").fetchone()[0]
    assert not empty, f"a story without articles remains {when}"


@pytest.fixture
def database(tmp_path):
    build_fixture_db(tmp_path / "fixture.db")
    database = store.open_db(tmp_path / "fixture.db")
    update_stories(database, StorySettings())
    yield database
    database.close()


def test_stories_follow_every_kind_of_write(database):
    from .test_datasette_views import random_tags

    rng = random.Random(5)
    companies = [r[0] for r in database.execute("SELECT id FROM companies ORDER BY id LIMIT 6")]
    types = [r[0] for r in database.execute("SELECT id FROM incident_types")]
    ids = [r[0] for r in database.execute("SELECT id FROM articles")]
    assert database.execute("SELECT count(*) FROM stories").fetchone()[0] > 5
    for step in range(50):
        action = rng.choice(["retag", "edit", "syndicate", "delete", "company", "rebuild"])
        if action == "retag":
            article_id = rng.choice(ids)
            store.replace_tags(database, article_id, random_tags(rng, companies, types), "t")
            update_stories(database, StorySettings(), [article_id])
        elif action == "edit":
            url = database.execute("SELECT url FROM articles WHERE id = ?", [rng.choice(ids)]).fetchone()
            store.upsert_article(
                database,
                {"url": url[0], "title": f"Edited {step}", "body": f"new body {step}",
                 "published": f"2024-02-{1 + step % 28:02d}T00:00:00+00:00", "source_id": "bbc"},
            )  # fmt: skip
        elif action == "syndicate":
            body = database.execute(
                "SELECT a.body FROM articles a JOIN story_articles sa ON sa.article_id = a.id "
                "WHERE a.duplicate_of IS NULL ORDER BY random() LIMIT 1"
            ).fetchone()
            result = store.upsert_article(
                database,
                {"url": f"https://copy.example/{step}", "title": f"Copy {step}", "body": body[0],
                 "published": "2001-01-01T00:00:00+00:00", "source_id": "guardian"},
            )  # fmt: skip
            ids.append(result.article_id)
        elif action == "delete":
            victim = rng.choice(ids)
            store.delete_article(database, victim)
            ids.remove(victim)
        elif action == "company":
            with database.atomic():
                database.execute(
                    "UPDATE companies SET name = name || '+' WHERE id = ?", [rng.choice(companies)]
                )
        else:
            rebuild_stories(database, StorySettings())
        assert_stories_match(database, f"after step {step} ({action})")
