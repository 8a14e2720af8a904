"""X's replies, end to end through `clarion publish` with real git: since February
2026 X may refuse a thread's replies from a self-serve tier. A refused reply fails
the post on X once, clearly, naming the rule, and the parts already out keep
their receipts; `x: {thread: single}` sends the thread to X as one post."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clarion.sandbox.networks import Sandbox
from clarion.sandbox.x import REPLY_NOT_ALLOWED
from tests.publish.world import THREAD, World

SINGLE = THREAD.replace("lang: en\n", "lang: en\nx: {thread: single}\n", 1)


@pytest.fixture
def box() -> Iterator[Sandbox]:
    with Sandbox() as box:
        box.x.refuse_replies = True  # as X may for a self-serve tier
        yield box


def x_receipts(world: World, name: str) -> list[str]:
    text = world.on_remote(name)
    block = text.split("published:", 1)[1].split("\n---\n", 1)[0]
    entries, current = [], None
    for line in block.splitlines():
        if line.startswith("  ") and not line.startswith("   ") and line.strip().endswith(":"):
            current = line.strip()[:-1]
        elif current == "x" and line.strip().startswith("- "):
            entries.append(line.strip()[2:])
    return entries


def test_a_refused_reply_fails_once_names_the_rule_and_keeps_the_first_receipt(
    tmp_path: Path, box: Sandbox
) -> None:
    world = World(tmp_path, box)
    world.setup({"2026/launch.md": THREAD})
    proc = world.publish()
    assert proc.returncode == 1, proc.stdout + proc.stderr
    output = proc.stdout + proc.stderr
    assert "X refused part 2 as a reply" in output
    assert REPLY_NOT_ALLOWED in output
    assert "Since February 2026" in output
    assert "x: {thread: single}" in output
    assert "Traceback" not in output
    # Part 1 went out and its receipt is on the remote; part 2 was tried once.
    assert [t["in_reply_to"] for t in box.x.received()] == [None]
    assert [r.path for r in box.x.requests].count("/2/tweets") == 2
    [receipt] = x_receipts(world, "2026/launch.md")
    assert receipt.startswith("id: ")
    assert box.x.received()[0]["id"] in receipt
    # The other networks are not held back.
    assert len(box.bluesky.received()) == 3
    assert len(box.mastodon.received()) == 3


def test_thread_single_sends_one_post_on_x_and_threads_elsewhere(
    tmp_path: Path, box: Sandbox
) -> None:
    world = World(tmp_path, box)
    world.setup({"2026/launch.md": SINGLE})
    proc = world.publish()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [tweet] = box.x.received()
    assert tweet["text"] == (
        "Part one of the announcement, with a link https://example.org/news #Clarion\n\n"
        "Part two says more about it.\n\n"
        "Part three thanks everyone."
    )
    assert tweet["in_reply_to"] is None
    assert [m["alt_text"] for m in tweet["media"]] == ["A single green dot"]
    assert len(x_receipts(world, "2026/launch.md")) == 1
    assert len(box.bluesky.received()) == 3
    assert len(box.mastodon.received()) == 3
    # Published: a second run sends nothing more anywhere.
    again = world.publish()
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(box.x.received()) == 1
    assert len(box.bluesky.received()) == 3
