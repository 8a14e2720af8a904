"""Review of the publishing path against SPEC.md's guarantees: failures that must
neither lose a receipt, nor send anything twice, nor harm the other posts."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from clarion.post import read_post
from clarion.sandbox.networks import Sandbox
from clarion.sandbox.server import Fault, Hold
from tests.publish.world import THREAD, World, git

NETWORKS = ("bluesky", "mastodon", "x")

OTHER = "---\nplatforms: [bluesky, mastodon, x]\nlang: en\n---\nAnother post, due as well.\n"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with Sandbox() as box:
        world = World(tmp_path, box)
        world.setup({"2026/launch.md": THREAD, "2026/other.md": OTHER})
        yield world


def published_on_remote(world: World, name: str) -> dict[str, int]:
    """How many receipts with an id each network has in the remote's copy of the post."""
    path = world.work / "posts" / "remote-copy.md"
    path.write_text(world.on_remote(name))
    try:
        post = read_post(path, world.work)
    finally:
        path.unlink()
    return {n: sum(1 for r in post.receipts.get(n, ()) if r.id) for n in NETWORKS}


def uncommitted(world: World) -> str:
    return git(world.work, "status", "--short", "--", "posts")


def test_an_answer_bluesky_cannot_read_is_settled_by_its_record_key(world: World) -> None:
    """Bluesky answers a create with something that is not a record reference: the
    adapter asks for the part's deterministic record key, finds nothing there, and
    sends again; nothing is doubled, and every network publishes."""
    world.fault(
        "bluesky",
        Fault("status", status=200, body=b"{}", headers={"Content-Type": "application/json"}),
    )
    proc = world.publish()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no record under its key; sending again is safe" in proc.stderr
    assert uncommitted(world) == ""
    for name, parts in (("2026/launch.md", 3), ("2026/other.md", 1)):
        assert published_on_remote(world, name) == {"bluesky": parts, "mastodon": parts, "x": parts}
    assert world.created("bluesky") == 4


def test_a_receipt_that_cannot_be_written_is_reported_and_the_others_still_go(
    tmp_path: Path,
) -> None:
    """The post's file is broken while its parts are on their way (someone edited
    it mid-run): each network's receipt is printed for a person to add by hand,
    none is forgotten, the run says needs-person (exit 1, no traceback), and the
    other posts are published."""
    with Sandbox() as box:
        world = World(tmp_path, box)
        world.setup({"2026/a-first.md": OTHER.replace("other", "first"), "2026/b-other.md": OTHER})
        on_its_way = Hold()  # a-first's create everywhere, held before it is taken
        for network in NETWORKS:
            world.fault(network, Fault("delay", hold=on_its_way))
        run = world.start()
        world.wait_until(run, lambda: on_its_way.arrived == len(NETWORKS))
        (world.work / "posts" / "2026" / "a-first.md").write_text("---\nlang: [\n---\nBroken.\n")
        on_its_way.release()
        stdout, stderr = run.finish()
        output = stdout + stderr
        assert run.returncode == 1, output
        assert "Traceback" not in output
        for network in NETWORKS:
            assert world.created(network) == 2, network
            assert f"  {network}:  # part 1" in output, network
        assert "needs-person" in stdout
        assert published_on_remote(world, "2026/b-other.md") == dict.fromkeys(NETWORKS, 1)


def test_a_post_named_twice_is_sent_once(world: World) -> None:
    proc = subprocess.run(
        world.command("posts", "posts/2026/launch.md"),
        cwd=world.work,
        env=world._env(None),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for network in NETWORKS:
        assert world.created(network) == 4, network  # launch.md's three parts and other.md
    assert published_on_remote(world, "2026/launch.md") == dict.fromkeys(NETWORKS, 3)


READ_ONLY = {
    # An X app with Read permission only: the account is readable, a create is refused.
    "x": Fault(
        "status",
        status=403,
        body=json.dumps(
            {
                "title": "Unsupported Authentication",
                "detail": "Your client app is not configured with the appropriate oauth1 app "
                "permissions for this endpoint.",
                "type": "https://api.twitter.com/2/problems/oauth1-permissions",
                "status": 403,
            }
        ).encode(),
        headers={"Content-Type": "application/json"},
    ),
    # A Mastodon token without the write:statuses scope.
    "mastodon": Fault(
        "status",
        status=403,
        body=b'{"error":"This action is outside the authorized scopes"}',
        headers={"Content-Type": "application/json"},
    ),
}


@pytest.mark.parametrize("network", sorted(READ_ONLY))
def test_credentials_refused_when_posting_are_a_configuration_error(
    world: World, network: str
) -> None:
    world.fault(network, READ_ONLY[network])
    proc = world.publish()
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Traceback" not in output
    assert world.created(network) == 0
    for other in (n for n in NETWORKS if n != network):
        assert published_on_remote(world, "2026/launch.md")[other] == 3
        assert published_on_remote(world, "2026/other.md")[other] == 1
