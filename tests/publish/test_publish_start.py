"""How `clarion publish` prepares its checkout before deciding anything: it
takes in from `clarion/receipts` nothing but receipts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clarion.sandbox.networks import Sandbox
from tests.publish.world import THREAD, World, git

NETWORKS = ("bluesky", "mastodon", "x")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with Sandbox() as box:
        world = World(tmp_path, box)
        world.setup({"2026/launch.md": THREAD})
        yield world


def test_a_receipts_branch_with_anything_else_stops_publishing(world: World) -> None:
    """Someone who may push branches, but not to main, leaves `clarion/receipts`
    with CODEOWNERS turned over next to a receipt: nothing of it reaches main,
    nothing is posted, and the branch waits for a person."""
    other = world.other
    git(other, "switch", "-q", "-c", "takeover")
    (other / "CODEOWNERS").write_text("* @mallory\n")
    launch = other / "posts" / "2026" / "launch.md"
    launch.write_text(
        THREAD.replace(
            "---\nPart one",
            'published:\n  x:\n    - id: "1"\n      url: https://x.com/a/status/1\n'
            "      at: 2026-12-01T15:00:04Z\n---\nPart one",
            1,
        )
    )
    git(other, "add", ".")
    git(other, "commit", "-qm", "Record receipts [skip ci]")
    git(other, "push", "-q", "origin", "HEAD:refs/heads/clarion/receipts")
    branch = git(other, "rev-parse", "HEAD").strip()
    main = git(world.remote, "rev-parse", "main").strip()

    proc = world.publish()

    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "origin/clarion/receipts" in proc.stderr
    assert "CODEOWNERS" in proc.stderr
    assert "Publishing stops" in proc.stderr
    for network in NETWORKS:
        assert world.created(network) == 0, network
    assert git(world.remote, "rev-parse", "clarion/receipts").strip() == branch
    assert git(world.remote, "rev-parse", "main").strip() == main
    assert not (world.work / "CODEOWNERS").exists()
