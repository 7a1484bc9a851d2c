"""`privwatch nlp package` (issue 21): a saved pipeline loads with spacy.load alone, through the installed
package's entry points, with no config folder around, and tags exactly as the pipeline built from config/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points

from spacy.util import registry

from config.models import Config
from nlp import factories
from nlp.component_data import dump_data, load_data
from nlp.pipeline import Pipelines, build_chinese_pipeline, tag_articles

from .conftest import ROOT
from .test_nlp import SEED_TEXT, SEED_TITLE, seed_body

GOLD = ROOT / "tests" / "nlp_gold"
DECLARED = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["entry-points"]

# run in a fresh interpreter: nothing of privwatch imported before spacy.load, so the factories can only
# come from the entry points; then the loaded pipelines tag the records read from stdin
LOAD_AND_TAG = """
import json, sys
import spacy

assert "nlp.factories" not in sys.modules
english, chinese = spacy.load(sys.argv[1] + "/en"), spacy.load(sys.argv[1] + "/zh")
from nlp.pipeline import Pipelines, tag_articles

records = json.load(sys.stdin)
print(json.dumps([t.to_json() for t in tag_articles(Pipelines(english, {"zh": chinese}), records)]))
"""


def _records() -> list[dict]:
    """Our own gold articles, English and Chinese, and the seed story when the shared folder has it."""
    records = [
        json.loads(line)
        for path in (GOLD / "dev.jsonl", GOLD / "zh-dev.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    if SEED_TEXT.exists():
        records.append({"id": "seed", "title": SEED_TITLE, "body": seed_body()})
    return [{key: r.get(key) for key in ("id", "title", "body", "language")} for r in records]


def test_every_privwatch_factory_and_callback_has_an_entry_point():
    factories_declared = set(DECLARED["spacy_factories"])
    assert factories_declared == {n for n in registry.factories.get_all() if n.startswith("privwatch_")}
    for name, target in DECLARED["spacy_factories"].items():
        assert target.startswith("nlp.factories:") and hasattr(factories, target.split(":")[1]), name
    assert set(DECLARED["spacy_callbacks"]) == {
        n for n in registry.callbacks.get_all() if n.startswith("privwatch_")
    }


def test_kept_config_data_comes_back_equal():
    config = Config()
    data = {
        "companies": config.knowledge_base.companies,
        "regulators": config.regulators,
        "taxonomy": config.taxonomy,
        "taxonomy_zh": config.taxonomy_zh,
    }
    assert load_data(dump_data(data)) == data


def test_spacy_load_of_the_package_tags_as_the_built_pipeline(run, nlp, tmp_path):
    installed = {ep.name for ep in entry_points(group="spacy_factories")}
    missing = set(DECLARED["spacy_factories"]) - installed
    assert not missing, (
        f"privwatch's spaCy entry points are not installed ({sorted(missing)[0]} ...): pip install -e ."
    )
    out = tmp_path / "pipelines"
    result = run("nlp", "package", str(out))
    assert result.output.splitlines() == [f"en: saved to {out / 'en'}", f"zh: saved to {out / 'zh'}"]
    records = _records()
    if not SEED_TEXT.exists():
        print(f"{SEED_TEXT} is absent: the gold articles only")
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    # any read of a config folder fails: the one named does not exist and the working directory has none
    env = {**os.environ, "PRIVWATCH_CONFIG_DIR": str(tmp_path / "no-config")}
    loaded = subprocess.run(
        [sys.executable, "-c", LOAD_AND_TAG, str(out)],
        input=json.dumps(records),
        capture_output=True,
        text=True,
        cwd=empty,
        env=env,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    built = Pipelines(nlp, {"zh": build_chinese_pipeline(Config())})
    expected = [t.to_json() for t in tag_articles(built, records)]
    assert sum(t["is_incident"] for t in expected) > 20
    assert json.loads(loaded.stdout) == expected


def test_package_needs_a_directory(run):
    result = run("nlp", "package", expect=2)
    assert "give the directory to save the pipelines in" in result.output
