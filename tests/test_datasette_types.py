"""A new incident type in incidents.yaml reaches the dashboard, the weekly query, the facets and the column
description with no other file edited (metadata.yaml is rendered with the taxonomy's types)."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest
from datasette_dashboards import replace_opts_in_query

from config.models import REPO_CONFIG_DIR, Config
from privwatch.serve import build_datasette
from storage import db as store

from .datasette_fixtures import NLP_VERSION, build_fixture_db
from .test_datasette import get, rows

NEW_TYPE = "doxxing"
NEW_TYPE_YAML = f"""
  - id: {NEW_TYPE}
    label: Doxxing
    description: Publishing someone's home address or identity to expose them to harassment.
    cues:
      - [{{LOWER: {{IN: [doxxed, doxxing, doxed]}}}}]
"""
EVIDENCE = "Moderators said the forum doxxed three reviewers by posting where they live."


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("types")
    config_dir = tmp / "config"
    shutil.copytree(REPO_CONFIG_DIR, config_dir)
    taxonomy = config_dir / "incidents.yaml"
    text = taxonomy.read_text(encoding="utf-8")
    assert text.count("\nresponses:\n") == 1
    taxonomy.write_text(text.replace("\nresponses:\n", NEW_TYPE_YAML + "\nresponses:\n"), encoding="utf-8")
    fixture = build_fixture_db(tmp / "typed.db", config_dir, synthetic=8)
    database = store.open_db(fixture.path)
    article = store.upsert_article(
        database,
        {
            "url": "https://news.example/theverge/2024/forum-doxxing",
            "source_id": "theverge",
            "title": "Forum doxxed its critics",
            "published": "2024-03-06T09:30:00+00:00",
            "language": "en",
            "body": EVIDENCE,
        },
    )
    store.replace_tags(
        database,
        article.article_id,
        store.ArticleTags(
            mentions=[{"company_id": "meta", "role": "accused", "response": None, "count": 1,
                       "evidence": EVIDENCE}],
            incidents=[{"incident_type": NEW_TYPE, "company_id": "meta", "score": 0.9, "evidence": EVIDENCE}],
        ),
        NLP_VERSION,
    )  # fmt: skip
    database.conn.close()
    return SimpleNamespace(db=fixture.path.stem, datasette=build_datasette(fixture.path, Config(config_dir)))


def test_the_weekly_query_has_a_column_for_the_new_type(served):
    weeks = rows(served.datasette, f"/{served.db}/incidents_by_week")
    week = next(w for w in weeks if w["week"] == "2024-03-04")
    assert list(weeks[0])[-2:] == [NEW_TYPE, "all_types"]
    assert week[NEW_TYPE] == 1 and sum(w[NEW_TYPE] for w in weeks) == 1


def test_the_dashboard_colours_and_counts_the_new_type(served):
    dashboard = served.datasette.plugin_config("datasette-dashboards")["privacy-controversies"]
    chart = dashboard["charts"]["incidents-per-week"]
    domain = chart["display"]["encoding"]["color"]["scale"]["domain"]
    assert domain == [t.id for t in Config(REPO_CONFIG_DIR).taxonomy.types] + [NEW_TYPE]
    counted = rows(served.datasette, f"/{served.db}", sql=replace_opts_in_query(chart["query"], {}))
    assert {"week": "2024-03-04", "type": NEW_TYPE, "incidents": 1} in [
        {k: r[k] for k in ("week", "type", "incidents")} for r in counted
    ]
    page = get(served.datasette, "/-/dashboards/privacy-controversies?date_start=").text
    assert f'"{NEW_TYPE}"' in page


def test_the_incidents_facet_and_description_name_the_new_type(served):
    facet = get(served.datasette, f"/{served.db}/incidents.json?_facet=incident_type&_facet_size=max").json()
    values = {v["value"]: v["count"] for v in facet["facet_results"]["incident_type"]["results"]}
    assert values[NEW_TYPE] == 1
    described = served.datasette.metadata("columns", database=served.db, table="incidents")["incident_type"]
    assert f"enforcement, {NEW_TYPE} (see incident_types)" in described
