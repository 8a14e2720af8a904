"""Fixtures for the workflow tests: the template prepared once per session,
act set up for one test, and the network and GitHub API stand-ins."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from clarion.sandbox.networks import Sandbox
from tests.github_api import GitHubAPI
from tests.workflows.actkit import REPOSITORY, Act, Template, act_binary

# The token act gives the workflows as `github.token` (secrets.GITHUB_TOKEN):
# to the GitHub API stand-in an installation token, whose comments are
# github-actions[bot]'s, as on GitHub.
WORKFLOW_TOKEN = "ghs_workflow_token_for_act_0123456789"


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return Template.build(tmp_path_factory.mktemp("template"))


@pytest.fixture
def act(tmp_path: Path) -> Act:
    binary = act_binary()
    if binary is None:
        pytest.skip("act is not installed: it comes with the dev dependencies (uv sync)")
    if shutil.which("uv") is None:
        pytest.skip("uv is not on PATH: the action installs clarion with it")
    (tmp_path / "act-cache").mkdir()
    (tmp_path / "artifacts").mkdir()
    return Act(binary, tmp_path / "act-cache", tmp_path / "artifacts")


@pytest.fixture
def github_api() -> Iterator[GitHubAPI]:
    api = GitHubAPI(REPOSITORY, token=WORKFLOW_TOKEN, login=None)
    api.start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as box:
        yield box
