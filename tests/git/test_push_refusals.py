"""A refused push is diagnosed from what the remote actually said, and the fix given
is the one for that cause: only a protected branch asks for the App on the bypass list."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitworld import World, git
from test_gitrepo_push import record, runner

from clarion.errors import GitError, PushRefusedError


def decline(world: World, message: str) -> None:
    hook = world.remote / "hooks" / "pre-receive"
    hook.write_text(f'#!/bin/sh\necho "{message}" >&2\nexit 1\n', encoding="utf-8")
    hook.chmod(0o755)


def test_a_protected_branch_asks_for_the_app_on_the_bypass_list(world: World) -> None:
    world.protect_main()
    path, repo = runner(world)
    record(path, repo)
    with pytest.raises(PushRefusedError) as caught:
        repo.push()
    assert "protected" in caught.value.message
    assert "bypass list" in caught.value.message


def test_a_token_without_write_access_is_told_so(world: World) -> None:
    decline(world, "remote: Permission to octo/announcements.git denied to github-actions[bot].")
    path, repo = runner(world)
    record(path, repo)
    with pytest.raises(GitError) as caught:
        repo.push()
    message = caught.value.message
    assert "may not push" in message
    assert "contents: write" in message
    assert "bypass list" not in message


def test_another_hook_is_quoted_not_called_protection(world: World) -> None:
    decline(world, "commit message does not follow the house rules")
    path, repo = runner(world)
    record(path, repo)
    with pytest.raises(GitError) as caught:
        repo.push()
    message = caught.value.message
    assert "commit message does not follow the house rules" in message
    assert "A hook on the remote refused the push" in message
    assert "bypass list" not in message


def test_a_branch_checked_out_in_a_non_bare_remote_is_named(world: World, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    git(tmp_path, "clone", "-q", str(world.remote), str(plain))
    path, repo = runner(world)
    git(path, "remote", "set-url", "origin", str(plain))
    git(path, "fetch", "-q", "origin")
    record(path, repo)
    with pytest.raises(GitError) as caught:
        repo.push()
    message = caught.value.message
    assert "checked out" in message
    assert "bare" in message
    assert "bypass list" not in message
