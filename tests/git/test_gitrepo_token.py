"""The push token reaches git through the environment only: over real smart
HTTP it authenticates, and it is never in .git/config, in any git command line
or in a message."""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path

import pytest
from gitworld import GitHttp, World, add_receipt, git

from clarion.errors import GitError
from clarion.git.repo import Repo, receipts_commit_message

BOT = "Clarion Bot <bot@example.org>"
CFP = "posts/2026/cfp.md"


def argv_logging_git(folder: Path) -> tuple[Path, Path]:
    """A `git` first on PATH that appends its command line to a log, then runs the real one."""
    real = shutil.which("git")
    assert real
    folder.mkdir()
    log = folder / "argv.log"
    shim = folder / "git"
    shim.write_text(
        f'#!/bin/sh\nprintf "%s " "$@" >> "{log}"\necho >> "{log}"\nexec "{real}" "$@"\n',
        encoding="utf-8",
    )
    shim.chmod(0o755)
    return folder, log


def http_clone(world: World, server: GitHttp, name: str) -> Path:
    path = world.clone(name)
    git(path, "remote", "set-url", "origin", f"{server.url}/remote.git")
    return path


def test_the_token_authenticates_over_http_and_is_never_written_or_passed(
    world: World, git_http: GitHttp, tmp_path: Path
) -> None:
    token = git_http.token
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    bin_dir, argv_log = argv_logging_git(tmp_path / "bin")
    environ = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_TOKEN": token,
        "GITHUB_SERVER_URL": git_http.url,
    }
    path = http_clone(world, git_http, "runner")
    # What a checkout with persist-credentials: true leaves behind: it must not
    # add a second Authorization header to ours.
    git(path, "config", f"http.{git_http.url}/.extraheader", "AUTHORIZATION: basic c3RhbGU=")
    repo = Repo(path, BOT, environ=environ, backoff=0)

    assert repo.adopt_receipts_branch().found is False  # ls-remote over HTTP
    post = path / CFP
    post.write_text(add_receipt(post.read_text("utf-8")), "utf-8")
    repo.commit([CFP], receipts_commit_message(CFP))
    world.push_change("alice", "posts/2026/other.md", "Moved.\n")
    result = repo.push()  # push refused as non-fast-forward, fetch, rebase, push

    assert (result.pushed, result.attempts) == (1, 2)
    assert world.remote_sha("main") == repo.head_sha()
    assert git_http.authorizations
    assert set(git_http.header_counts) == {1}
    assert {a.lower() for a in git_http.authorizations} == {f"basic {basic}".lower()}

    secrets = (token, basic)
    config_text = (path / ".git" / "config").read_text("utf-8")
    config_list = git(path, "config", "--list", "--show-origin")
    argv = argv_log.read_text("utf-8")
    assert "push --porcelain" in argv  # the shim saw clarion's commands
    for secret in secrets:
        assert secret not in config_text
        assert secret not in config_list
        assert secret not in argv


def test_without_a_token_no_header_is_sent_and_the_failure_is_prompt_free(
    world: World, git_http: GitHttp
) -> None:
    path = http_clone(world, git_http, "runner")
    repo = Repo(path, BOT, backoff=0)  # GITHUB_TOKEN is unset here
    with pytest.raises(GitError, match="set GITHUB_TOKEN to a token that may push"):
        repo.push()
    assert git_http.authorizations == [""]


def test_a_wrong_token_is_not_in_the_error(world: World, git_http: GitHttp) -> None:
    path = http_clone(world, git_http, "runner")
    wrong = "ghs_WrongToken999"
    environ = {**os.environ, "GITHUB_TOKEN": wrong, "GITHUB_SERVER_URL": git_http.url}
    repo = Repo(path, BOT, environ=environ, backoff=0)
    with pytest.raises(GitError, match="refused GITHUB_TOKEN") as caught:
        repo.push()
    assert wrong not in str(caught.value)
    assert base64.b64encode(f"x-access-token:{wrong}".encode()).decode() not in str(caught.value)


def test_messages_are_redacted(world: World) -> None:
    environ = {**os.environ, "GITHUB_TOKEN": "ghs_secret"}
    repo = Repo(world.clone("runner"), BOT, environ=environ)
    basic = base64.b64encode(b"x-access-token:ghs_secret").decode()
    assert repo.redact(f"a ghs_secret b {basic} https://user:pw@github.com/o/r") == (
        "a *** b *** https://***@github.com/o/r"
    )


def test_a_host_briefly_unavailable_is_tried_again(world: World, git_http: GitHttp) -> None:
    """A 503 from the host is the network's fault: the push is retried, not given up."""
    environ = {**os.environ, "GITHUB_TOKEN": git_http.token, "GITHUB_SERVER_URL": git_http.url}
    path = http_clone(world, git_http, "runner")
    repo = Repo(path, BOT, environ=environ, backoff=0)
    post = path / CFP
    post.write_text(add_receipt(post.read_text("utf-8")), "utf-8")
    repo.commit([CFP], receipts_commit_message(CFP))
    git_http.outage[0] = 2
    result = repo.push()
    assert git_http.outage[0] == 0
    assert result.attempts == 3
    assert world.remote_sha("main") == repo.head_sha()
