from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from config.models import REPO_CONFIG_DIR, Config, ConfigError
from config.settings import Settings, env_overrides
from privwatch.cli import cli
from privwatch.cli.docs import root_context, walk

# Commands that need arguments to get as far as reading the config.
ARGS = {
    "extract": [__file__, "--url", "http://x/"],
    "tag-file": [__file__, "/dev/null"],
    "evaluate": [str(Path(__file__).parent / "nlp_gold" / "dev.jsonl")],
}
# `docs` rewrites README.md from --help and reads no config.
NO_CONFIG = {"docs"}


def leaf_commands() -> list[list[str]]:
    leaves = []
    for ctx, command in walk(cli, root_context(cli)):
        if not hasattr(command, "commands") and ctx.command_path != "privwatch":
            words = ctx.command_path.split()[1:]
            if words[0] not in NO_CONFIG:
                leaves.append(words + ARGS.get(words[-1], []))
    return leaves


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_repository_config_is_valid():
    config = Config()
    config.check()
    assert any(s.id == "szdaily" and s.kind == "listing" for s in config.sources)
    assert len(config.sources) >= 6
    assert len(config.knowledge_base.companies) >= 60
    regulators = {r.id: r for r in config.regulators}
    assert len(regulators) >= 60
    assert "网信办" in regulators["cac"].chinese_names and "工信部" in regulators["miit"].chinese_names
    assert {r.remit for r in regulators.values()} >= {"privacy", "consumer", "telecom", "finance"}
    assert {t.id for t in config.taxonomy.types} == {
        "consent",
        "collection",
        "breach",
        "sharing",
        "surveillance",
        "profiling",
        "enforcement",
    }
    assert {r.id for r in config.taxonomy.responses} == {"apology", "denial", "remediation"}


def _yaml_typo(cfg: Path) -> None:
    text = (cfg / "sources.yaml").read_text(encoding="utf-8")
    (cfg / "sources.yaml").write_text(
        text.replace("sources:", "sources:\n  - id: [oops", 1), encoding="utf-8"
    )


def _unknown_field(cfg: Path) -> None:
    edit_yaml(cfg / "sources.yaml", lambda d: d["sources"][1].update(evry="1h"))


def _bad_kind(cfg: Path) -> None:
    edit_yaml(cfg / "sources.yaml", lambda d: d["sources"][0].update(kind="newsletter"))


def _alias_claimed_twice(cfg: Path) -> None:
    def claim(data):
        alipay_owner = next(c for c in data["companies"] if "Alipay" in c.get("products", []))
        later = data["companies"][-1]
        assert later is not alipay_owner
        later.setdefault("aliases", []).append("alipay")

    edit_yaml(cfg / "companies.yaml", claim)


def _regulator_named_like_a_company(cfg: Path) -> None:
    edit_yaml(cfg / "regulators.yaml", lambda d: d["regulators"][0]["aliases"].append("WeChat"))


def _unquoted_boolean_in_a_cue(cfg: Path) -> None:
    def add_false(data: dict) -> None:
        cue = next(c for c in data["types"][2]["cues"] if "IN" in c[0].get("LOWER", {}))
        cue[0]["LOWER"]["IN"].append(False)

    edit_yaml(cfg / "incidents.yaml", add_false)


def _watchlist_of_an_unknown_company(cfg: Path) -> None:
    edit_yaml(cfg / "watchlists.yaml", lambda d: d["watchlists"][0]["companies"].append("tencnet"))


def _bad_setting(cfg: Path) -> None:
    edit_yaml(cfg / "settings.yaml", lambda d: d["smtp"].update(tls="maybe"))


BROKEN = {
    "yaml-typo": (_yaml_typo, "sources.yaml", r"line \d+, column \d+: invalid YAML"),
    "unknown-field": (_unknown_field, "sources.yaml", r"sources\[1\]\.evry: unknown field"),
    "bad-kind": (
        _bad_kind,
        "sources.yaml",
        r"sources\[0\]\.kind: Input should be 'listing', 'feed' or 'sitemap'",
    ),
    "alias-twice": (
        _alias_claimed_twice,
        "companies.yaml",
        r"companies\[\d+\]\.aliases: 'alipay' is also claimed",
    ),
    "bad-setting": (_bad_setting, "settings.yaml", r"smtp\.tls: Input should be"),
    "watchlist-company": (
        _watchlist_of_an_unknown_company,
        "watchlists.yaml",
        r"watchlists\[0\]\.companies\[\d+\]: unknown company id 'tencnet' \(not in companies\.yaml\)",
    ),
    "regulator-is-company": (
        _regulator_named_like_a_company,
        "regulators.yaml",
        r"regulators\[0\]\.aliases: 'WeChat' is also a name of company 'tencent'",
    ),
    "cue-boolean": (
        _unquoted_boolean_in_a_cue,
        "incidents.yaml",
        r"types\[2\]\.cues\[\d+\]\[0\]\.LOWER: False is not a word: quote it",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
@pytest.mark.parametrize("command", leaf_commands(), ids=" ".join)
def test_broken_config_fails_every_command_with_one_line(case, command, config_dir, run, tmp_path):
    breaker, filename, pattern = BROKEN[case]
    breaker(config_dir)
    if "--db" in _options(command):
        command = [*command, "--db", str(tmp_path / "x.db")]
    result = run(*command, expect=1)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"Error: {config_dir / filename}: "), lines[0]
    assert re.search(pattern, lines[0]), lines[0]
    assert "Traceback" not in result.output


def _options(words: list[str]) -> set[str]:
    command = cli
    for word in words:
        if not hasattr(command, "commands") or word not in command.commands:
            break
        command = command.commands[word]
    return {opt for param in command.params for opt in getattr(param, "opts", [])}


def test_environment_overrides_yaml_and_flags_override_environment(config_dir, run, tmp_path):
    environ = {"PRIVWATCH_SMTP_HOST": "mail.example.org", "PRIVWATCH_DIGEST_RECIPIENTS": "a@x.org, b@y.org"}
    settings = Config(config_dir, environ).settings
    assert settings.smtp.host == "mail.example.org"
    assert settings.digest.recipients == ["a@x.org", "b@y.org"]
    assert env_overrides(Settings, {"PRIVWATCH_DATABASE": "/d.db"}) == {"database": "/d.db"}
    flagged = tmp_path / "flag.db"
    run("init", "--db", str(flagged))
    assert flagged.exists()


def test_unknown_source_id_is_a_config_error():
    with pytest.raises(ConfigError, match="no source 'nope'"):
        Config().source("nope")


def test_a_name_repeated_as_an_alias_loads_once(config_dir, run, tmp_path):
    edit_yaml(
        config_dir / "companies.yaml",
        lambda d: d["companies"][0]["aliases"].append(d["companies"][0]["name"]),
    )
    run("init", "--db", str(tmp_path / "repeat.db"))


@pytest.mark.parametrize(
    "field, value",
    [
        ("article_url_pattern", r"/news/(a+)+$"),
        ("article_url_pattern", r"/news/(\w+\s?)*$"),
        ("article_url_pattern", r"/news/(a|aa)+\.html"),
        ("selectors", {"title": "//h1[re:test(., '^(\\d+-?)+$')]"}),
    ],
)
def test_a_regex_that_could_hang_the_crawler_is_a_one_line_config_error(field, value, config_dir, run):
    edit_yaml(config_dir / "sources.yaml", lambda d: d["sources"][0].update({field: value}))
    lines = run("sources", "list", expect=1).output.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"Error: {config_dir / 'sources.yaml'}: sources[0].{field}"), lines[0]
    assert "could hang the crawler" in lines[0]


def test_ordinary_url_patterns_and_selector_regexes_load(config_dir, run):
    ordinary = [r"/(\d+\.){3}\d+/", r"/(?:\w|\d)+\.html$", r"/(ab|cd)*/x", r"example\.com/[\w-]+(/amp)?$"]
    patterns = [s.article_url_pattern for s in Config().sources if s.article_url_pattern] + ordinary

    def use_them(data: dict) -> None:
        template = data["sources"][0]
        data["sources"] = [
            {**template, "id": f"s{i}", "article_url_pattern": p} for i, p in enumerate(patterns)
        ]
        data["sources"][0]["selectors"] = {**template["selectors"], "title": "//h1[re:test(., '^[A-Z]\\w+')]"}

    edit_yaml(config_dir / "sources.yaml", use_them)
    assert [s.article_url_pattern for s in Config(config_dir).sources] == patterns


# -- precise errors: each a snippet of our own, one line, with the hint ----------------------------------

LEDGER = """\
  - id: ledger
    name: Lakeside Ledger
    kind: feed
    url: https://ledger.example/
    start_urls: [https://ledger.example/feed.xml]
    allowed_domains: [ledger.example]
"""
HARBOUR = LEDGER.replace("ledger", "harbour").replace("Lakeside Ledger", "Harbour Post")


def config_error_line(run, config_dir: Path, sources: str | None = None) -> str:
    if sources is not None:
        (config_dir / "sources.yaml").write_text("version: 1\nsources:\n" + sources, encoding="utf-8")
    result = run("sources", "list", expect=1)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def test_a_misspelt_required_field_is_reported_as_the_typo(config_dir, run):
    typo = HARBOUR.replace("allowed_domains:", "allowed_domain:")
    line = config_error_line(run, config_dir, LEDGER + typo)
    assert line == (
        f"Error: {config_dir / 'sources.yaml'}: sources[1].allowed_domains: Field required; "
        """found "allowed_domain": did you mean "allowed_domains"? (in source 'harbour')"""
    )


def test_an_unknown_field_one_typo_from_a_known_one_names_it(config_dir, run):
    line = config_error_line(run, config_dir, LEDGER + "    timezon: Asia/Shanghai\n")
    assert line.endswith(
        """sources[0].timezon: unknown field (a typo?); did you mean "timezone"? (in source 'ledger')"""
    )


def test_a_setting_with_two_letters_swapped_names_the_setting(config_dir, run):
    (config_dir / "settings.yaml").write_text("smtp:\n  hots: mail.example.org\n", encoding="utf-8")
    line = config_error_line(run, config_dir)
    assert line.endswith('settings.yaml: smtp.hots: unknown field (a typo?); did you mean "host"?')


def test_a_duplicate_source_id_names_the_id_and_both_places(config_dir, run):
    line = config_error_line(run, config_dir, LEDGER + HARBOUR + LEDGER.replace("Lakeside", "Other"))
    assert line.endswith("sources.yaml: sources[2].id: duplicate id 'ledger': sources[0] has it too")


def test_a_key_given_twice_in_one_mapping_is_an_error_with_both_lines(config_dir, run):
    chinese = config_dir / "incidents.zh.yaml"
    text = chinese.read_text(encoding="utf-8")
    first = text.splitlines().index("types:") + 1
    chinese.write_text(text + "types: {}\n", encoding="utf-8")
    line = config_error_line(run, config_dir)
    last = len(text.splitlines()) + 1
    assert line == f"Error: {chinese}: line {last}, column 1: invalid YAML: duplicate key 'types' " + (
        f"(first on line {first})"
    )


@pytest.mark.parametrize(
    "written, hint", [("english", "en"), ("Chinese", "zh"), ("deu", "de"), ("zh-CN", "zh")]
)
def test_a_language_that_is_not_an_iso_639_1_code_suggests_the_code(written, hint, config_dir, run):
    line = config_error_line(run, config_dir, LEDGER + f"    language: {written}\n")
    assert line.endswith(
        f"sources[0].language: {written!r} is not an ISO 639-1 language code (en, zh, de ...); "
        f"did you mean {hint!r}? (in source 'ledger')"
    )


def test_an_unknown_language_without_a_near_code_says_only_that(config_dir, run):
    line = config_error_line(run, config_dir, LEDGER + "    language: klingonese\n")
    assert line.endswith(
        "'klingonese' is not an ISO 639-1 language code (en, zh, de ...) (in source 'ledger')"
    )


def test_a_missing_config_directory_is_named_as_such(config_dir, run):
    shutil.rmtree(config_dir)
    assert config_error_line(run, config_dir) == f"Error: config directory not found: {config_dir}"


def test_the_default_config_is_dot_config_else_the_packaged_one_said_on_stderr(tmp_path, monkeypatch):
    monkeypatch.delenv("PRIVWATCH_CONFIG_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    packaged = runner.invoke(cli, ["sources", "list", "--json"])
    assert packaged.exit_code == 0, packaged.output
    assert {s["id"] for s in json.loads(packaged.stdout)} == {s.id for s in Config(REPO_CONFIG_DIR).sources}
    assert packaged.stderr == f"no ./config here: using the packaged config in {REPO_CONFIG_DIR}\n"

    shutil.copytree(REPO_CONFIG_DIR, tmp_path / "config")
    (tmp_path / "config" / "sources.yaml").write_text("version: 1\nsources:\n" + LEDGER, encoding="utf-8")
    local = runner.invoke(cli, ["sources", "list", "--json"])
    assert local.exit_code == 0 and local.stderr == "", local.output
    assert [s["id"] for s in json.loads(local.stdout)] == ["ledger"]
