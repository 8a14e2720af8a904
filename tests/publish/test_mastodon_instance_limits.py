"""`clarion publish` against a Mastodon instance that takes fewer characters than the
settings say: the post over the instance's limit fails whole (none of its parts is
sent, none half a thread), the message says which setting makes the check catch it,
and the other posts still go."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from clarion.sandbox.networks import Sandbox
from tests import forkrun
from tests.publish.world import World

LONG = """\
---
platforms: [mastodon]
lang: en
---
A first part that any instance takes.

---

{second}
"""

SHORT = """\
---
platforms: [mastodon]
lang: en
---
A short announcement.
"""


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with Sandbox() as box:
        world = World(tmp_path, box)
        second = "This second part is longer than the instance allows. " * 3
        world.setup({"2026/long.md": LONG.format(second=second.strip()), "2026/short.md": SHORT})
        yield world


def test_a_post_over_the_instances_limit_fails_whole_and_the_others_go(world: World) -> None:
    mastodon = world.stand_in("mastodon")
    assert "max_characters = 500" in (world.work / "pyproject.toml").read_text()
    mastodon.max_characters = 120  # type: ignore[attr-defined]  # the instance takes less

    proc = world.publish("--format", "json")

    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    posts = {post["path"]: post["networks"]["mastodon"] for post in report["posts"]}
    assert posts["posts/2026/short.md"]["state"] == "published"
    failed = posts["posts/2026/long.md"]
    assert failed["state"] == "failed"
    assert failed["receipts"] == []
    host = mastodon.url.removeprefix("http://")
    assert (
        f"nothing of this post was sent: part 2 is 158/120 characters on {host} "
        "(the instance's limit); set max_characters = 120 in "
        "[tool.clarion.accounts.mastodon] so the check catches it"
    ) in failed["message"]
    texts = [status["text"] for status in mastodon.received()]  # type: ignore[attr-defined]
    assert texts == ["A short announcement."]
    assert "published:" not in world.on_remote("2026/long.md")


def test_with_the_instances_limit_in_the_settings_the_check_catches_it(world: World) -> None:
    settings = world.work / "pyproject.toml"
    settings.write_text(
        settings.read_text().replace("max_characters = 500", "max_characters = 120")
    )

    proc = forkrun.run(["validate", "--format", "json"], cwd=world.work)

    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    problems = {post["path"]: post["problems"] for post in report["posts"]}
    assert [p["code"] for p in problems["posts/2026/long.md"]] == ["mastodon-too-long"]
    assert problems["posts/2026/short.md"] == []
