"""Fixtures for the approval gate: isolated git, the GitHub stand-in, a repository."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.github.gateworld import REPOSITORY, GateWorld
from tests.github_api import GitHubAPI


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No global or system git configuration; no GitHub variables from the outside."""
    isolate_git(tmp_path, monkeypatch)


def isolate_git(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = folder / "gitconfig"
    config.write_text(
        "[user]\n\tname = Person\n\temail = person@example.org\n"
        "[init]\n\tdefaultBranch = main\n"
        "[advice]\n\tdetachedHead = false\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GITHUB_TOKEN", "GITHUB_API_URL", "GITHUB_REPOSITORY", "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starting repository, made once: each test gets a copy (git is the slow part)."""
    base = tmp_path_factory.mktemp("template") / "world"
    with pytest.MonkeyPatch.context() as patch:
        isolate_git(tmp_path_factory.mktemp("gitconfig"), patch)
        GateWorld(base, GitHubAPI()).setup()
    return base


@pytest.fixture
def world(tmp_path: Path, template: Path) -> Iterator[GateWorld]:
    base = tmp_path / "world"
    shutil.copytree(template, base, symlinks=True)
    for clone in ("people", "work"):
        config = base / clone / ".git" / "config"
        config.write_text(config.read_text().replace(str(template), str(base)))
    with GitHubAPI(REPOSITORY, git_dir=base / "remote.git") as api:
        assert isinstance(api, GitHubAPI)
        yield GateWorld(base, api)
