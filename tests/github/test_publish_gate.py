"""`clarion publish` with the approval gate, end to end: the real command as a
process, real git with a bare remote, the GitHub stand-in found through
GITHUB_API_URL, and the three network stand-ins."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clarion.sandbox.networks import Sandbox
from tests.github.gateworld import REPOSITORY, GateWorld, git
from tests.github_api import DEFAULT_TOKEN, GitHubAPI
from tests.publish.world import World

NETWORKS = ("bluesky", "mastodon", "x")

APPROVED = """\
---
platforms: [bluesky, mastodon, x]
lang: en
---
The spring sprint is on: join us on Saturday! #Clarion
"""

DIRECT = """\
---
platforms: [bluesky, mastodon, x]
lang: en
---
Nobody reviewed this one.
"""


@pytest.fixture
def worlds(tmp_path: Path) -> Iterator[tuple[World, GateWorld]]:
    with Sandbox() as box, GitHubAPI(REPOSITORY, git_dir=tmp_path / "remote.git") as api:
        assert isinstance(api, GitHubAPI)
        publish = World(tmp_path, box)
        publish.setup({})
        people = GateWorld(tmp_path, api)
        git(tmp_path, "clone", "-q", str(publish.remote), str(people.people))
        pyproject = (publish.work / "pyproject.toml").read_text()
        people.push_direct(
            {
                "pyproject.toml": pyproject.replace(
                    "require_approval = false", "require_approval = true"
                ),
                ".github/CODEOWNERS": "/posts/ @bob\n",
            },
            message="Turn the approval gate on",
        )
        yield publish, people


def test_an_approved_post_is_published_and_an_unreviewed_one_held(
    worlds: tuple[World, GateWorld],
) -> None:
    publish, people = worlds
    people.approved_post(1, "2026/approved.md", APPROVED, author="alice", approver="bob")
    sha = people.push_direct({"posts/2026/direct.md": DIRECT})
    people.sync()
    env = {"GITHUB_API_URL": people.api.url, "GITHUB_REPOSITORY": REPOSITORY}
    env["GITHUB_TOKEN"] = DEFAULT_TOKEN

    first = publish.publish(env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Traceback" not in first.stderr
    for network in NETWORKS:
        assert publish.created(network) == 1, network  # the approved post, nothing else
    assert "published:" in publish.on_remote("2026/approved.md")
    assert "published:" not in publish.on_remote("2026/direct.md")
    held = (
        f"held — posts/2026/direct.md was pushed to main without a pull request (commit "
        f"{sha[:7]}): open a pull request for it and have a code owner approve it"
    )
    lines = first.stdout.splitlines()
    assert "posts/2026/direct.md" in lines
    for name in ("Bluesky", "Mastodon", "X"):
        assert f"  {name}: {held}" in lines

    # The receipts commit is not a change: the next run sends nothing again,
    # and the unreviewed post stays held until a code owner approves it.
    second = publish.publish(env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "held — posts/2026/direct.md" in second.stdout
    assert "approved.md" not in second.stdout
    for network in NETWORKS:
        assert publish.created(network) == 1


def test_a_refused_token_stops_the_run_with_exit_status_2(
    worlds: tuple[World, GateWorld],
) -> None:
    publish, people = worlds
    people.approved_post(1, "2026/approved.md", APPROVED)
    people.sync()
    env = {"GITHUB_API_URL": people.api.url, "GITHUB_REPOSITORY": REPOSITORY}
    env["GITHUB_TOKEN"] = "ghs_expired"
    proc = publish.publish(env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "GitHub refused GITHUB_TOKEN (401 Bad credentials)" in proc.stderr
    assert "ghs_expired" not in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    for network in NETWORKS:
        assert publish.created(network) == 0


def test_the_sandbox_skips_the_gate(worlds: tuple[World, GateWorld]) -> None:
    publish, people = worlds
    people.push_direct({"posts/2026/direct.md": DIRECT})
    people.sync()
    proc = publish.publish("--sandbox")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "the approval gate is skipped" in proc.stderr
    assert "held" not in proc.stdout
