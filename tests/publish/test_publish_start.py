"""How `clarion publish` prepares its checkout before deciding anything: it
brings it up to the upstream branch's tip, so a run that waited in the queue
reads the receipts the run before it pushed; and it takes in from
`clarion/receipts` nothing but receipts."""

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


def test_a_queued_run_starts_from_the_tip_and_sends_nothing_twice(world: World) -> None:
    # The queued run's checkout: its event's commit, taken before the run ahead
    # of it pushed its receipts.
    queued = world.root / "queued"
    git(world.root, "clone", "-q", str(world.remote), str(queued))
    first = world.publish()
    assert first.returncode == 0, first.stdout + first.stderr
    tip = git(world.remote, "rev-parse", "main").strip()

    second = world.publish(cwd=queued)

    assert second.returncode == 0, second.stdout + second.stderr
    assert "brought main up to origin/main (1 newer commit)" in second.stderr
    for network in NETWORKS:
        assert world.created(network) == 3, network
    assert git(world.remote, "rev-parse", "main").strip() == tip
    assert git(queued, "rev-parse", "HEAD").strip() == tip


def test_a_checkout_that_cannot_be_fast_forwarded_stops_the_run(world: World) -> None:
    (world.work / "notes.txt").write_text("A local commit.\n")
    git(world.work, "add", "notes.txt")
    git(world.work, "commit", "-qm", "Local")
    (world.other / "elsewhere.txt").write_text("Pushed meanwhile.\n")
    git(world.other, "add", "elsewhere.txt")
    git(world.other, "commit", "-qm", "Meanwhile")
    git(world.other, "push", "-q", "origin", "main")

    proc = world.publish()

    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "cannot be fast-forwarded to origin/main" in proc.stderr
    for network in NETWORKS:
        assert world.created(network) == 0


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


def test_a_repository_without_a_remote_publishes_and_commits_here(world: World) -> None:
    git(world.work, "remote", "remove", "origin")

    proc = world.publish()

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no remote" in proc.stderr
    for network in NETWORKS:
        assert world.created(network) == 3, network
    log = git(world.work, "log", "--format=%s")
    assert "Record receipts for posts/2026/launch.md [skip ci]" in log
