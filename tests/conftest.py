from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from config.models import REPO_CONFIG_DIR
from privwatch.cli import cli

# A crawl that tags while crawling loads the spaCy pipeline in its tag worker (seconds of CPU each): the
# many tests that crawl without testing tagging do not pay for it, in this process or in the `privwatch`
# subprocesses they start (tests/test_tag_while_crawling.py turns it on). Set the variable to run them
# all with it on.
os.environ.setdefault("PRIVWATCH_CRAWL_TAG_WHILE_CRAWLING", "false")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = ROOT / "tests" / "golden"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A private copy of the repository's config/, safe to edit."""
    target = tmp_path / "config"
    shutil.copytree(REPO_CONFIG_DIR, target)
    return target


@pytest.fixture
def run(config_dir: Path):
    """Run a privwatch command in-process against the copied config; returns the click Result."""
    runner = CliRunner()

    def invoke(*args: str, expect: int | None = 0):
        result = runner.invoke(cli, ["--config-dir", str(config_dir), *args], catch_exceptions=True)
        if expect is not None and result.exit_code != expect:
            raise AssertionError(
                f"privwatch {' '.join(args)} exited {result.exit_code}, expected {expect}:\n"
                f"{result.output}\n{result.exception!r}"
            )
        return result

    return invoke


@pytest.fixture(scope="session")
def nlp():
    """The tagging pipeline on the repository's config, built once per test session."""
    from config.models import Config
    from nlp.pipeline import build_pipeline

    return build_pipeline(Config())


@pytest.fixture
def db_path(tmp_path: Path, run) -> Path:
    path = tmp_path / "privwatch.db"
    run("init", "--db", str(path))
    return path


@pytest.fixture
def smtp_server(monkeypatch):
    """aiosmtpd on 127.0.0.1 with the SMTP settings pointed at it; yields its inbox (tests/test_digest.py)."""
    from .test_digest import point_settings_at, start_server

    controller, inbox = start_server()
    point_settings_at(monkeypatch, controller.port)
    yield inbox
    controller.stop()
