"""The NLP pipeline (issue 4): the seed story, keyword traps, regulators, the taxonomy's own examples,
the dev gold thresholds, and the tag / tag-file / nlp commands end to end."""

from __future__ import annotations

import json
import shutil

import pytest

from config.models import Config
from nlp import pipeline
from nlp import train as train_module
from nlp.evaluate import evaluate, read_gold
from nlp.facts import ORGS_ATTR
from nlp.pipeline import article_text, build_pipeline, tag_article
from privwatch.tagging import tagging_pipelines

from .conftest import ROOT, SHARED

SEED_TEXT = SHARED / "seeds" / "000_4ce77443a702f4cc.txt"
SEED_TITLE = "Ant apologizes over misleading sign-up"
GOLD = ROOT / "tests" / "nlp_gold" / "dev.jsonl"


def seed_body() -> str:
    text = SEED_TEXT.read_text(encoding="utf-8")
    start = text.index("ANT Financial, the Internet")
    end = text.index("(SD-Agencies)") + len("(SD-Agencies)")
    return "\n\n".join(p.strip() for p in text[start:end].split("\n") if p.strip())


@pytest.fixture(scope="session")
def config() -> Config:
    return Config()


@pytest.fixture(scope="session")
def seed(nlp):
    return tag_article(nlp, SEED_TITLE, seed_body(), "seed")


# -- the reference story ----------------------------------------------------------------------------------


def test_seed_companies_and_roles(seed):
    roles = {c["id"]: c["role"] for c in seed.companies}
    assert roles == {"ant-group": "accused", "tencent": "accused", "alibaba": "mentioned"}


def test_seed_types_per_accused_company(seed):
    types = {c["id"]: set(c["types"]) for c in seed.accused}
    assert types == {"ant-group": {"consent", "profiling"}, "tencent": {"surveillance"}}
    assert seed.is_incident and set(seed.incident_types) == {"consent", "profiling", "surveillance"}


def test_seed_responses(seed):
    responses = {c["id"]: c["response"] for c in seed.accused}
    assert responses == {"ant-group": "apology", "tencent": "denial"}
    assert seed.response == "apology"  # Ant Group is the main accused company
    every = {c["id"]: set(c["responses"]) for c in seed.accused}
    assert every == {"ant-group": {"apology", "remediation"}, "tencent": {"denial"}}
    text = article_text(SEED_TITLE, seed_body())
    for company in seed.accused:
        assert set(company["response_evidence"]) == set(company["responses"])
        assert all(sentence in text for sentence in company["response_evidence"].values())


def test_seed_evidence_sentences(seed):
    text = article_text(SEED_TITLE, seed_body())
    for incident_type, sentence in seed.evidence.items():
        assert sentence in text, incident_type
    by_id = {c["id"]: c for c in seed.companies}
    assert "chat" in by_id["tencent"]["evidence"]
    for row in seed.incidents:
        assert row["evidence"] in text
    tencent_types = {r["incident_type"] for r in seed.incidents if r["company_id"] == "tencent"}
    assert tencent_types == {"surveillance"}


def test_seed_products_link_to_their_companies(nlp):
    doc = nlp(article_text(SEED_TITLE, seed_body()))
    linked = {m["text"]: m["company_id"] for m in doc._.get(ORGS_ATTR)}
    assert linked["Alipay"] == "ant-group"
    assert linked["Sesame Credit"] == "ant-group"
    assert linked["WeChat"] == "tencent"
    assert linked["ANT Financial"] == "ant-group"  # case-insensitive
    assert all(m["company_id"] != "regulator" for m in doc._.get(ORGS_ATTR))


def test_seed_page_as_crawled_text(nlp):
    """The whole stored page, navigation menu included: the same companies, roles and responses."""
    tagged = tag_article(nlp, None, SEED_TEXT.read_text(encoding="utf-8"))
    assert {c["id"]: (c["role"], c["response"]) for c in tagged.companies} == {
        "ant-group": ("accused", "apology"),
        "tencent": ("accused", "denial"),
        "alibaba": ("mentioned", None),
    }
    assert {c["id"]: set(c["types"]) for c in tagged.accused} == {
        "ant-group": {"consent", "profiling"},
        "tencent": {"surveillance"},
    }


def test_seed_as_article_tags(seed):
    tags = seed.to_article_tags()
    assert {m["company_id"]: m["role"] for m in tags.mentions} == {
        "ant-group": "accused",
        "tencent": "accused",
        "alibaba": "mentioned",
    }
    assert tags.unlinked_orgs == {}
    keys = [(i["incident_type"], i["company_id"]) for i in tags.incidents]
    assert len(keys) == len(set(keys))


# -- keyword traps ----------------------------------------------------------------------------------------

TRAPS = {
    "private-equity": (
        "Lingxi Capital buys stake in appliance maker",
        "Private equity firm Lingxi Capital has agreed to buy a 30 percent stake in Meihua Home Appliances "
        "for 3.2 billion yuan. The private equity group said the deal would help the company expand in "
        "Southeast Asia. Meihua said it would use the money to build a new factory and upgrade its "
        "customer data platform for after-sales service.",
    ),
    "privatisation": (
        "Sina agrees to take-private offer",
        "Sina said on Monday it had agreed to a privatisation offer from its chairman's investment "
        "vehicle that values the company at 2.6 billion dollars. The take-private deal is expected to "
        "close in the first quarter. Analysts said the privatization reflected the low valuation of "
        "Chinese internet companies listed in New York.",
    ),
    "data-centre": (
        "Cloud unit opens data centre in Guizhou",
        "Alibaba Cloud opened its third data centre in Guizhou province on Tuesday, adding capacity for "
        "customers in western China. The data center runs on hydropower and will host services for "
        "banks and government agencies. The company said demand for computing power from AI developers "
        "had doubled this year.",
    ),
    "water-leak": (
        "Factory halted after water leak",
        "Huaxin Precision Electronics halted production at its Dongguan plant after a water leak damaged "
        "equipment on the main assembly line. The company said no one was hurt and that repairs would "
        "take about a week. A burst pipe caused the leak, which flooded two floors.",
    ),
    "breach-of-contract": (
        "Supplier sues carmaker for breach of contract",
        "A battery supplier has sued the carmaker for breach of contract after it cancelled orders worth "
        "800 million yuan. The supplier said the carmaker had breached the terms of a three-year supply "
        "agreement. The carmaker said it would defend itself in court.",
    ),
    "cyberattack-no-personal-data": (
        "Game maker's servers hit by attack",
        "Lanhai Interactive said a distributed denial-of-service attack knocked its game servers offline "
        "for six hours on Saturday. The company said the attack only disrupted access and that no player "
        "accounts, passwords or other personal data had been accessed. It apologised to players for the "
        "outage and offered them free in-game items.",
    ),
    "privacy-feature-launch": (
        "New phone touts privacy features",
        "Xiaomi unveiled its latest flagship phone on Thursday, with a brighter screen, a bigger battery and "
        "new privacy features that let users hide apps and block trackers. Reviewers praised the handset's "
        "privacy controls and camera. The phone goes on sale next week.",
    ),
}


@pytest.mark.parametrize("trap", sorted(TRAPS))
def test_keyword_trap_is_not_an_incident(nlp, trap):
    title, body = TRAPS[trap]
    tagged = tag_article(nlp, title, body)
    assert not tagged.is_incident, (trap, tagged.evidence)
    assert tagged.incident_types == [] and tagged.accused == []


# -- regulators are never companies -------------------------------------------------------------------------


def test_unknown_regulator_like_bodies_are_not_companies(nlp):
    tagged = tag_article(
        nlp,
        None,
        "The Jiangsu Consumer Council and the Personal Information Protection Commission said Lanhai "
        "Interactive had collected players' location data without consent, Reuters reported. Researchers "
        "at Tsinghua University confirmed the findings.",
    )
    names = {c["name"] for c in tagged.companies}
    assert names == {"Lanhai Interactive"}
    assert tagged.companies[0]["id"] is None and tagged.companies[0]["role"] == "accused"


# -- the taxonomy's examples match its cues --------------------------------------------------------------


def _taxonomy_cases():
    taxonomy = Config().taxonomy
    cases = []
    for kind, entries in (("type", taxonomy.types), ("response", taxonomy.responses)):
        for entry in entries:
            cases += [(f"{kind}:{entry.id}", text, True) for text in entry.examples]
            cases += [(f"{kind}:{entry.id}", text, False) for text in entry.counterexamples]
    return cases


@pytest.mark.parametrize("label,text,expected", _taxonomy_cases())
def test_taxonomy_examples_match_their_cues(nlp, label, text, expected):
    doc = nlp(text)
    sentences = list(doc.sents)
    found = {found_label for found_label, _ in nlp.get_pipe("incident_types").cue_matches(sentences)}
    found |= {found_label for found_label, _, _ in nlp.get_pipe("responses").matcher(sentences)}
    assert (label in found) is expected, f"{label} {'misses' if expected else 'matches'}: {text}"


def test_trap_examples_match_their_traps(nlp, config):
    matcher = nlp.get_pipe("incident_types").matcher
    for trap in config.taxonomy.traps:
        for text in trap.examples:
            doc = nlp(text)
            labels = {label for label, _, _ in matcher(list(doc.sents))}
            assert "trap:" + trap.id in labels, (trap.id, text)


# -- companies ---------------------------------------------------------------------------------------------


def test_company_names_need_capitals_when_they_are_words(nlp):
    tagged = tag_article(
        nlp, None, "She ate an apple and bought a meta-analysis. Apple and Meta did not comment."
    )
    assert {c["id"] for c in tagged.companies} == {"apple", "meta"}


def test_fuzzy_and_legal_forms_link(nlp):
    tagged = tag_article(
        nlp, None, "Tencent Holding Ltd and Alibaba Group Holding Limited both rose in Hong Kong."
    )
    assert {c["id"] for c in tagged.companies} == {"tencent", "alibaba"}


def test_unknown_companies_are_kept_unlinked(full_nlp):
    # ordinary news: with the cascade (tests/test_nlp_cascade.py) it would get company mentions only
    tagged = tag_article(
        full_nlp,
        "Xinrui Semiconductor posts record profit",
        "Xinrui Semiconductor said on Friday its profit doubled. Xinrui expects demand to stay strong, "
        "Bloomberg reported.",
    )
    assert [(c["id"], c["name"]) for c in tagged.companies] == [(None, "Xinrui Semiconductor")]
    assert tagged.to_article_tags().unlinked_orgs["Xinrui Semiconductor"] >= 2


# -- the dev gold set ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dev_scores(nlp, config):
    records = read_gold(GOLD)
    assert len(records) >= 60
    result = evaluate(nlp, records, config.knowledge_base, [t.id for t in config.taxonomy.types])
    return result.as_dict()


def test_dev_gold_is_incident(dev_scores):
    assert dev_scores["is_incident"]["f1"] >= 0.95, dev_scores["is_incident"]


def test_dev_gold_incident_types(dev_scores):
    assert dev_scores["types_micro"]["f1"] >= 0.85, dev_scores["types_micro"]


def test_dev_gold_accused_companies(dev_scores):
    assert dev_scores["accused_companies"]["f1"] >= 0.90, dev_scores["accused_companies"]


def test_dev_gold_all_companies(dev_scores):
    assert dev_scores["all_companies"]["f1"] >= 0.90, dev_scores["all_companies"]


def test_dev_gold_responses(dev_scores):
    assert dev_scores["response_accuracy"]["accuracy"] >= 0.85, dev_scores["response_accuracy"]


# -- the commands ------------------------------------------------------------------------------------------


def test_tag_command_fills_the_database(run, db_path):
    from storage.db import open_db, upsert_article

    database = open_db(db_path)
    seed_id = upsert_article(
        database,
        {
            "url": "https://example.com/seed",
            "title": SEED_TITLE,
            "body": seed_body(),
            "published": "2018-01-05T00:53:00+00:00",
        },
    ).article_id
    trap_title, trap_body = TRAPS["private-equity"]
    trap_id = upsert_article(
        database,
        {
            "url": "https://example.com/trap",
            "title": trap_title,
            "body": trap_body,
            "published": "2021-03-01",
        },
    ).article_id
    database.conn.close()

    result = run("tag", "--db", str(db_path))
    assert "tagged 2 articles: 3 incidents in 1 article," in result.output
    database = open_db(db_path)
    mentions = {r["company_id"]: r for r in database["mentions"].rows_where("article_id = ?", [seed_id])}
    assert {k: (v["role"], v["response"]) for k, v in mentions.items()} == {
        "ant-group": ("accused", "apology"),
        "tencent": ("accused", "denial"),
        "alibaba": ("mentioned", None),
    }
    incidents = {
        (r["incident_type"], r["company_id"])
        for r in database["article_incidents"].rows_where("article_id = ?", [seed_id])
    }
    assert {("consent", "ant-group"), ("profiling", "ant-group"), ("surveillance", "tencent")} <= incidents
    assert all(r["evidence"] for r in database["article_incidents"].rows)
    assert list(database["article_incidents"].rows_where("article_id = ?", [trap_id])) == []
    unlinked = {r["name"] for r in database["unlinked_orgs"].rows_where("article_id = ?", [trap_id])}
    assert {"Lingxi Capital", "Meihua Home Appliances"} <= unlinked
    article = database["articles"].get(seed_id)
    assert article["tagged_at"] and article["nlp_version"].startswith("2.") and article["language"] == "en"
    responses = {
        (r["company_id"], r["response"])
        for r in database["article_responses"].rows_where("article_id = ?", [seed_id])
    }
    assert responses == {("ant-group", "apology"), ("ant-group", "remediation"), ("tencent", "denial")}
    database.conn.close()

    assert "nothing to tag" in run("tag", "--db", str(db_path)).output
    before = sorted(json.dumps(r, sort_keys=True) for r in open_db(db_path)["mentions"].rows)
    run("tag", "--all", "--workers", "2", "--db", str(db_path))
    run("tag", "--since", "2018-01-01", "--db", str(db_path))
    after = sorted(json.dumps(r, sort_keys=True) for r in open_db(db_path)["mentions"].rows)
    assert before == after  # re-tagging replaces, never duplicates
    run("tag", "--since", "not-a-date", "--db", str(db_path), expect=2)


@pytest.mark.parametrize("batch_size", [2, 16])
def test_exact_copies_are_tagged_once(nlp, monkeypatch, batch_size):
    tagged_texts = []
    tag_texts = pipeline._tag_texts

    def spy(nlp, texts, *options):
        tagged_texts.extend(texts)
        return tag_texts(nlp, texts, *options)

    monkeypatch.setattr(pipeline, "_tag_texts", spy)
    trap_title, trap_body = TRAPS["data-centre"]
    records = [
        {"id": 1, "title": SEED_TITLE, "body": seed_body()},
        {"id": 2, "title": trap_title, "body": trap_body},
        {"id": 3, "title": SEED_TITLE, "body": seed_body()},  # a syndicated copy
        {"id": 4, "title": "Ant Group says sorry", "body": seed_body()},  # same body, another title
    ]
    tagged = list(pipeline.tag_articles(nlp, records, batch_size=batch_size))
    assert [t.id for t in tagged] == [1, 2, 3, 4]
    assert len(tagged_texts) == 3
    assert tagged[2].to_json() == {**tagged[0].to_json(), "id": 3}
    assert tagged[2].companies is not tagged[0].companies and tagged[2].companies == tagged[0].companies


def test_tag_file_command(run, tmp_path):
    articles = tmp_path / "in.jsonl"
    trap_title, trap_body = TRAPS["data-centre"]
    articles.write_text(
        json.dumps({"id": "seed", "title": SEED_TITLE, "body": seed_body(), "url": "ignored"})
        + "\n"
        + json.dumps({"id": 7, "title": trap_title, "body": trap_body})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    run("tag-file", str(articles), str(out))
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["seed", 7]
    seed_line, trap_line = lines
    assert set(seed_line) == {
        "id",
        "is_incident",
        "incident_types",
        "response",
        "companies",
        "evidence",
        "language",
        "depth",
    }
    assert seed_line["is_incident"] and seed_line["response"] == "apology"
    names = {c["name"]: (c["id"], c["role"], c["response"]) for c in seed_line["companies"]}
    assert names == {
        "Ant Group": ("ant-group", "accused", "apology"),
        "Tencent": ("tencent", "accused", "denial"),
        "Alibaba Group": ("alibaba", "mentioned", None),
    }
    assert set(seed_line["evidence"]) == set(seed_line["incident_types"])
    assert all(c["evidence"] for c in seed_line["companies"])
    assert trap_line["is_incident"] is False and trap_line["incident_types"] == []

    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json}\n", encoding="utf-8")
    assert "bad.jsonl:1" in run("tag-file", str(bad), str(out), expect=1).output


def test_tag_file_tags_the_good_lines_and_reports_each_bad_one(run, tmp_path):
    trap_title, trap_body = TRAPS["data-centre"]
    lines = [
        json.dumps({"id": "seed", "title": SEED_TITLE, "body": seed_body()}),
        "{not json}",
        json.dumps(["a list", "not an article"]),
        "",
        json.dumps({"id": 9, "title": trap_title, "body": trap_body}),
        json.dumps({"id": 10, "title": "A number for a body", "body": 42}),
    ]
    articles = tmp_path / "mixed.jsonl"
    articles.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("tag-file", str(articles), str(out), expect=1)
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["seed", 9]
    assert "tagged 2 articles" in result.stdout
    reported = [line for line in result.stderr.splitlines() if line.startswith(f"{articles}:")]
    assert reported == [
        f"{articles}:2: not JSON: Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)",
        f"{articles}:3: not an article: an array, not an object",
        f"{articles}:6: not an article: its body is a number, not a string",
    ]
    assert result.stderr.strip().splitlines()[-1] == f"Error: {articles}: 3 bad lines left out (listed above)"

    stopped = run("tag-file", "--strict", str(articles), str(tmp_path / "strict.jsonl"), expect=1)
    assert f"{articles}:2: not JSON" in stopped.output and not (tmp_path / "strict.jsonl").exists()


def test_nlp_evaluate_command(run, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(GOLD.read_text(encoding="utf-8").splitlines()[:6]) + "\n", encoding="utf-8")
    summary = json.loads(run("nlp", "evaluate", str(gold), "--json", "--no-news-pages").output)
    assert "news_pages" not in summary and summary["nlp_version"].startswith("2.")
    summary = summary["gold"][str(gold)]
    assert summary["articles"] == 6
    assert {
        "is_incident",
        "types",
        "types_micro",
        "accused_companies",
        "all_companies",
        "response_accuracy",
    } <= set(summary)
    table = run("nlp", "evaluate", str(gold), "--no-news-pages").output
    assert "types (micro)" in table and "response accuracy" in table


def test_nlp_train_command(run, tmp_path, config):
    output = tmp_path / "textcat"
    result = run("nlp", "train", "--output", str(output), "--max-steps", "60")
    assert "saved to" in result.output
    nlp = build_pipeline(config, textcat_dir=output)
    labels = set(nlp.get_pipe("textcat_multilabel").labels)
    assert labels == {t.id for t in config.taxonomy.types} | {r.id for r in config.taxonomy.responses}
    assert tag_article(nlp, SEED_TITLE, seed_body()).is_incident


def test_pipeline_builds_from_config_without_a_classifier(config, tmp_path):
    nlp = build_pipeline(config, textcat_dir=tmp_path / "none", use_textcat=False)
    assert "textcat_multilabel" not in nlp.component_names
    assert "textcat none" in nlp.meta["privwatch_version"]
    assert tag_article(nlp, SEED_TITLE, seed_body()).is_incident


def test_pipeline_needs_a_trained_classifier(config, tmp_path):
    with pytest.raises(
        pipeline.PipelineError, match="no trained text classifier in .*: run privwatch nlp train"
    ):
        build_pipeline(config, textcat_dir=tmp_path / "none")


def test_the_app_trains_a_missing_classifier_before_building(config, tmp_path, monkeypatch):
    saved = pipeline.TEXTCAT_DIR
    trained = []

    def train(output_dir):  # leaves what training leaves: a classifier in output_dir
        trained.append(output_dir)
        shutil.copytree(saved, output_dir)

    monkeypatch.setattr(pipeline, "TEXTCAT_DIR", tmp_path / "textcat")
    monkeypatch.setattr(train_module, "train_textcat", train)
    pipelines = tagging_pipelines(config)
    assert trained == [tmp_path / "textcat"]
    assert "textcat_multilabel" in pipelines.default.component_names


def test_tag_stores_an_unknown_accused_company_under_its_name(run, db_path):
    from storage.db import open_db, upsert_article

    database = open_db(db_path)
    article_id = upsert_article(
        database,
        {
            "url": "https://example.com/northgate",
            "title": "Retailer hit by cyberattack",
            "body": "Northgate Retail said hackers had accessed a database holding the addresses and phone "
            "numbers of its online customers. Northgate Retail apologised and has begun sending notification "
            "letters to the customers affected.",
            "published": "2025-02-03",
        },
    ).article_id
    database.conn.close()
    run("tag", "--db", str(db_path))
    database = open_db(db_path)
    assert [(r["name"], r["role"], r["response"]) for r in database["unlinked_orgs"].rows] == [
        ("Northgate Retail", "accused", "apology")
    ]
    rows = list(
        database.query(
            "SELECT company, incident_type, response FROM incidents WHERE article_id = ?", [article_id]
        )
    )
    assert rows == [{"company": "Northgate Retail", "incident_type": "breach", "response": "apology"}]
    responses = {(r["org_name"], r["response"]) for r in database["article_responses"].rows}
    assert responses == {("Northgate Retail", "apology"), ("Northgate Retail", "remediation")}


def test_tag_stale_retags_after_the_knowledge_base_changes(run, db_path, config_dir):
    from storage.db import open_db, upsert_article

    database = open_db(db_path)
    upsert_article(database, {"url": "https://example.com/seed", "title": SEED_TITLE, "body": seed_body()})
    database.conn.close()
    run("tag", "--db", str(db_path))
    first = open_db(db_path)["articles"].get(1)["nlp_version"]
    assert "nothing to tag" in run("tag", "--stale", "--db", str(db_path)).output

    companies = config_dir / "companies.yaml"
    companies.write_text(
        companies.read_text(encoding="utf-8").replace(
            "    aliases: [Delta Airlines, Delta]", "    aliases: [Delta Airlines]"
        ),
        encoding="utf-8",
    )
    assert "tagged 1 articles" in run("tag", "--stale", "--db", str(db_path)).output
    second = open_db(db_path)["articles"].get(1)["nlp_version"]
    assert second != first and second.split(", data ")[0] == first.split(", data ")[0]
    assert "nothing to tag" in run("tag", "--stale", "--db", str(db_path)).output
    run("tag", "--stale", "--all", "--db", str(db_path), expect=2)


def test_text_in_a_language_without_a_pipeline_gets_its_companies_only(run, tmp_path):
    articles = tmp_path / "articles.jsonl"
    french = (
        "La CNIL a infligé une amende de 40 millions d'euros à Criteo pour avoir suivi les internautes sans "
        "leur consentement. L'autorité reproche à la société de ne pas avoir vérifié le consentement des "
        "personnes dont elle traitait les données de navigation, selon la décision publiée jeudi."
    )
    lines = [
        {"id": "fr", "title": "Amende record pour Criteo", "body": french},
        {"id": "declared-fr-but-english", "title": SEED_TITLE, "body": seed_body(), "language": "fr"},
        {
            "id": "de",
            "title": "Tencent baut Kooperation aus",
            "body": "Der chinesische Konzern Tencent arbeitet künftig mit der Nordhafen Logistik GmbH aus "
            "Bremen zusammen. Die Zusammenarbeit mit Halvard Capital Partners solle im Frühjahr beginnen, "
            "sagte ein Sprecher beim Besuch in Hamburg.",
        },
        {
            "id": "es",
            "title": "Alibaba abre oficina en Madrid",
            "body": "El grupo Alibaba inaugurará una oficina en Madrid junto a Iberlogística Holdings. La "
            "empresa Vientos del Sur Capital también participará en el proyecto, que según fuentes del "
            "sector creará doscientos empleos.",
        },
    ]
    articles.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / "tags.jsonl"
    run("tag-file", str(articles), str(out))
    tags = {t["id"]: t for t in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert tags["fr"]["language"] == "fr" and tags["fr"]["is_incident"] is False
    assert [(c["id"], c["role"]) for c in tags["fr"]["companies"]] == [("criteo", "mentioned")]
    # names the knowledge base lacks are not guessed with English patterns
    assert [c["id"] for c in tags["de"]["companies"]] == ["tencent"]
    assert [c["id"] for c in tags["es"]["companies"]] == ["alibaba"]
    # the text decides over a wrong declaration
    assert (
        tags["declared-fr-but-english"]["language"] == "en" and tags["declared-fr-but-english"]["is_incident"]
    )
    ant = next(c for c in tags["declared-fr-but-english"]["companies"] if c["id"] == "ant-group")
    assert ant["responses"] == ["apology", "remediation"] and ant["response"] == "apology"
