"""`clarion publish` to a Discourse forum end to end: the real command, real git with
a bare remote, and the Discourse stand-in with faults injected. After every fault
and a re-run the forum holds the topic once and the file on the remote holds its
receipt; a correction and a retraction go through the command too."""

from __future__ import annotations

from pathlib import Path

import pytest

from clarion.post import read_post
from clarion.sandbox.discourse import DiscourseStandIn
from clarion.sandbox.networks import Sandbox
from clarion.sandbox.server import Fault
from tests.publish import faults
from tests.publish.faults import JSON, post
from tests.publish.world import World, git
from tests.timeouts import GENEROUS, GIVE_UP

NAME = "2026/forum.md"
TITLE = "Clarion now announces on the forum"
PARTS = (
    "Part one of the announcement, with a link https://example.org/news #Clarion",
    "Part two says more about it.",
)
POST = post("discourse", PARTS, title=TITLE)
BODY = "\n\n".join(PARTS)


box = faults.box


def launch(tmp_path: Path, box: Sandbox, timeout: float = GENEROUS) -> World:
    return faults.launch(tmp_path, box, {NAME: POST}, timeout)


@pytest.fixture
def world(tmp_path: Path, box: Sandbox) -> World:
    return launch(tmp_path, box)


def forum(world: World) -> DiscourseStandIn:
    found = world.stand_in("discourse")
    assert isinstance(found, DiscourseStandIn)
    return found


def receipts(world: World) -> list[dict[str, str]]:
    """The post's Discourse receipts as the remote has them."""
    path = world.root / "check.md"
    path.write_text(world.on_remote(NAME))
    found = read_post(path, world.root).receipts.get("discourse", ())
    return [{"id": r.id or "", "url": r.url or "", "outcome": r.outcome or ""} for r in found]


def assert_published_once(world: World) -> None:
    [topic] = forum(world).received()
    assert not topic["deleted"]
    assert topic["title"] == TITLE
    assert topic["raw"].startswith(BODY + "\n\n![A single green dot|1x1](upload://")
    [receipt] = receipts(world)
    assert receipt["id"] == str(topic["id"])
    assert receipt["url"] == forum(world).topic_url(topic)


def test_a_post_is_published_as_one_topic_and_its_receipt_pushed(world: World) -> None:
    proc = world.publish()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_published_once(world)
    log = git(world.remote, "log", "--format=%s", "main")
    assert f"Record receipts for posts/{NAME} [skip ci]" in log
    again = world.publish()
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(forum(world).received()) == 1


def _rate_limited() -> Fault:
    body = (
        b'{"errors":["You\\u2019ve performed this action too many times. Please wait 1 seconds '
        b'before trying again."],"error_type":"rate_limit","extras":{"wait_seconds":1}}'
    )
    return Fault(
        "status",
        status=429,
        body=body,
        headers={**JSON, "Retry-After": "1"},
    )


FAULTS = {
    "server-error": lambda: Fault(
        "status",
        status=500,
        body=b'{"errors":["Internal Server Error"]}',
        headers=JSON,
    ),
    "rate-limited": _rate_limited,
    # Made by the forum, then the connection closes without an answer.
    "answer-lost-after-accepting": lambda: Fault("lose"),
    # Made, and never answered while the run waits: its client gives up (GIVE_UP).
    "answer-never-comes": lambda: Fault("hang"),
    "connection-reset": lambda: Fault("reset"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_fault_is_settled_in_the_run_with_no_duplicate_and_no_lost_receipt(
    tmp_path: Path, box: Sandbox, fault: str
) -> None:
    world = launch(tmp_path, box, GIVE_UP if fault == "answer-never-comes" else GENEROUS)
    injected = FAULTS[fault]()
    injected.method, injected.path_prefix = "POST", "/posts.json"
    forum(world).inject(injected)
    first = world.publish()
    injected.hold.release()
    assert not forum(world).faults, "the fault never fired"
    assert first.returncode == 0, first.stdout + first.stderr
    assert_published_once(world)
    if fault == "rate-limited":
        assert "rate limited" in first.stderr
    second = world.publish()
    assert second.returncode == 0, second.stdout + second.stderr
    assert_published_once(world)


def test_killed_between_the_topic_and_its_receipt(world: World) -> None:
    """The forum made the topic, then the run died before writing the receipt: the
    next run finds the topic by its external_id and records it, posting nothing."""
    taken = Fault("hang", "POST", "/posts.json")
    forum(world).inject(taken)
    world.publish_and_kill_when(lambda: taken.hold.arrived == 1)
    taken.hold.release()
    assert len(forum(world).received()) == 1
    killed = read_post(world.work / "posts" / NAME, world.work)
    assert killed.receipts.get("discourse", ()) == ()
    rerun = world.publish()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert_published_once(world)
    creates = [r for r in forum(world).requests if (r.method, r.path) == ("POST", "/posts.json")]
    assert len(creates) == 1


def test_a_refused_key_exits_2_and_posts_nothing(world: World) -> None:
    proc = world.publish(env={"CLARION_DISCOURSE_API_KEY": "not-the-forums-key"})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    out = proc.stdout + proc.stderr
    assert "CLARION_DISCOURSE_API_KEY" in out
    assert "not-the-forums-key" not in out
    assert forum(world).received() == []
    assert receipts(world) == []


def _change(world: World, old: str, new: str) -> None:
    faults.change(world, NAME, old, new)


def test_edit_corrects_the_topic_in_place_through_the_command(world: World) -> None:
    assert world.publish().returncode == 0
    _change(world, "lang: en\n", "lang: en\nedit: true\n")
    _change(world, "Part two says more about it.", "Part two says more about it, corrected.")
    _change(world, f"title: {TITLE}", f"title: {TITLE}, corrected")
    proc = world.publish()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [topic] = forum(world).received()
    assert topic["title"] == TITLE + ", corrected"
    assert "Part two says more about it, corrected." in topic["raw"]
    assert "![A single green dot|1x1](upload://" in topic["raw"]  # the image stays
    assert topic["version"] == 2
    post = read_post(world.work / "posts" / NAME, world.work)
    assert post.receipts["discourse"][0].edited
    again = world.publish()
    assert again.returncode == 0, again.stdout + again.stderr
    assert forum(world).received()[0]["version"] == 2  # applied once


def test_retract_deletes_the_topic_and_keeps_the_file(world: World) -> None:
    assert world.publish().returncode == 0
    _change(world, "lang: en\n", "lang: en\nretract: true\n")
    proc = world.publish()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert forum(world).live() == []
    post = read_post(world.work / "posts" / NAME, world.work)
    [receipt] = post.receipts["discourse"]
    assert receipt.id and receipt.retracted
    assert "Part one of the announcement" in world.on_remote(NAME)
    again = world.publish()
    assert again.returncode == 0, again.stdout + again.stderr
