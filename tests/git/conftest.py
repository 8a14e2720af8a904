"""Fixtures for the gitrepo tests: an isolated git configuration, a remote with
clones (`gitworld.World`), and a smart-HTTP server in front of that remote."""

from __future__ import annotations

import base64
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# --import-mode=importlib: make the helpers next to this file importable as `gitworld`.
sys.path.insert(0, str(Path(__file__).parent))

from gitworld import GitHttp, World

from tests import housekeeping
from tests.githttp import serve_git


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No global or system git config, no token, a fixed identity for the 'people'."""
    config = tmp_path / "gitconfig"
    config.write_text(
        "[user]\n\tname = Person\n\temail = person@example.org\n"
        "[init]\n\tdefaultBranch = main\n"
        "[advice]\n\tdetachedHead = false\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in (
        "GITHUB_TOKEN",
        "GITHUB_SERVER_URL",
        "GIT_CONFIG_COUNT",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in housekeeping.config_env({}).items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path / "world")


@pytest.fixture
def git_http(world: World) -> Iterator[GitHttp]:
    token = "ghs_TestToken0123456789abcdefABCDEF"
    expected = "Basic " + base64.b64encode(f"x-access-token:{token}".encode()).decode()
    project_root = str(world.remote.parent)
    authorizations: list[str] = []
    header_counts: list[int] = []

    def authorise(given: list[str], _path: str) -> bool:
        header_counts.append(len(given))
        authorizations.append(given[0] if given else "")
        return len(given) == 1 and given[0].lower() == expected.lower()

    outage = [0]
    with serve_git(
        Path(project_root),
        authorise,
        global_config=os.environ["GIT_CONFIG_GLOBAL"],
        outage=outage,
    ) as url:
        yield GitHttp(url, token, authorizations, header_counts, outage)
