"""Threads through the real `clarion publish`, with real git and the Threads stand-in,
under the fault matrix: after each fault and a re-run, Threads holds each part once,
every receipt is in the file on the remote, and a part whose fate cannot be read is
left to a person and never sent again."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from clarion.post import read_post
from clarion.sandbox.networks import Sandbox
from clarion.sandbox.server import Fault, Hold
from clarion.sandbox.threads import TOKEN_ENV, ThreadsStandIn
from tests.publish import faults
from tests.publish.faults import JSON, post
from tests.publish.world import World
from tests.timeouts import GENEROUS, GIVE_UP

PARTS = (
    "Part one of the announcement, with a link https://example.org/news #Clarion",
    "Part two says more about it.",
    "Part three thanks everyone.",
)
POST = post("threads", PARTS)
NAME = "2026/launch.md"
SERVER_ERROR = (
    b'{"error":{"message":"An unknown error occurred","type":"OAuthException",'
    b'"code":1,"is_transient":true}}'
)


box = faults.box


def launch(tmp_path: Path, box: Sandbox, timeout: float = GENEROUS) -> World:
    world = faults.launch(tmp_path, box, {NAME: POST}, timeout)
    # Threads fetches the post's image from the repository the run publishes.
    threads(world).root = world.work
    return world


def threads(world: World) -> ThreadsStandIn:
    stand_in = world.stand_in("threads")
    assert isinstance(stand_in, ThreadsStandIn)
    return stand_in


def publish_call(world: World) -> tuple[str, str]:
    return "POST", f"/v1.0/{threads(world).user_id}/threads_publish"


def fault(world: World, made: Fault) -> Fault:
    made.method, made.path_prefix = publish_call(world)
    threads(world).inject(made)
    return made


def entries(world: World) -> list[str]:
    """The Threads receipt lines of the post as the remote has it."""
    text = world.on_remote(NAME)
    block = text.split("published:", 1)[1].split("\n---\n", 1)[0] if "published:" in text else ""
    lines, current = [], None
    for line in block.splitlines():
        if line.startswith("  ") and not line.startswith("   ") and line.strip().endswith(":"):
            current = line.strip()[:-1]
        elif current == "threads" and line.strip().startswith("- "):
            lines.append(line.strip()[2:])
    return lines


def assert_complete(world: World) -> None:
    got = threads(world).received()
    assert [p["text"] for p in got] == list(PARTS)
    assert [p["reply_to"] for p in got] == [None, got[0]["id"], got[1]["id"]]
    lines = entries(world)
    assert lines == [f"id: '{p['id']}'" for p in got] or lines == [f'id: "{p["id"]}"' for p in got]


def test_a_thread_is_published_with_its_image_and_its_receipts_pushed(
    tmp_path: Path, box: Sandbox
) -> None:
    world = launch(tmp_path, box)
    proc = world.publish()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_complete(world)
    [image] = threads(world).received()[0]["images"]
    assert image["url"].endswith("/files/posts/media/dot.png")
    assert image["alt_text"] == "A single green dot"
    assert "Threads: access token expires in 60 days" in proc.stderr
    again = world.publish()
    assert again.returncode == 0, again.stderr
    assert len(threads(world).received()) == 3


def _rate_limited() -> Fault:
    return Fault(
        "status",
        status=429,
        body=b'{"error":{"message":"(#4) Application request limit reached","code":4}}',
        headers={**JSON, "Retry-After": "1"},
        skip=1,
    )


FAULTS = {
    "server-error-on-part-2": lambda: Fault(
        "status", status=500, body=SERVER_ERROR, headers=JSON, skip=1
    ),
    "rate-limited-with-reset": _rate_limited,
    # Part 2 is published and its answer held: the run's client times out (GIVE_UP).
    "answer-lost-after-accepting": lambda: Fault("hang", skip=1),
    "connection-reset": lambda: Fault("reset", skip=1),
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_then_rerun_leaves_no_duplicate_and_no_lost_receipt(
    tmp_path: Path, box: Sandbox, name: str
) -> None:
    world = launch(tmp_path, box, GIVE_UP if name == "answer-lost-after-accepting" else GENEROUS)
    fault(world, FAULTS[name]())
    first = world.publish()
    assert not threads(world).faults, "the fault never fired"
    # Threads can be asked: the container says whether part 2 went out, and the
    # account's posts hold it if it did. Nothing needs a person.
    assert first.returncode == 0, first.stdout + first.stderr
    second = world.publish()
    assert second.returncode == 0, second.stdout + second.stderr
    assert_complete(world)
    publishes = [r for r in threads(world).requests if (r.method, r.path) == publish_call(world)]
    # Part 2 published twice where the first try did not take; once where it did.
    assert len(publishes) == (3 if name == "answer-lost-after-accepting" else 4)


def test_a_refused_token_stops_threads_names_the_variable_and_sends_nothing(
    tmp_path: Path, box: Sandbox
) -> None:
    world = launch(tmp_path, box)
    proc = world.publish(env={TOKEN_ENV: "expired-token"})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    output = proc.stdout + proc.stderr
    assert TOKEN_ENV in output
    assert "expired-token" not in output
    assert "Traceback" not in output
    assert threads(world).received() == []
    assert entries(world) == []
    fixed = world.publish()
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert_complete(world)


def test_killed_between_a_post_and_its_receipt_the_next_run_finds_it(
    tmp_path: Path, box: Sandbox
) -> None:
    taken = fault(world := launch(tmp_path, box), Fault("hang", skip=1, hold=Hold())).hold
    world.publish_and_kill_when(lambda: taken.arrived == 1)
    taken.release()
    assert len(threads(world).received()) == 2  # part 2 went out; its receipt did not
    killed = read_post(world.work / "posts" / NAME, world.work)
    assert len(killed.receipts["threads"]) == 1
    rerun = world.publish()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert_complete(world)  # part 2 adopted from the account's posts, part 3 sent


def test_a_part_whose_fate_cannot_be_read_is_left_to_a_person(tmp_path: Path, box: Sandbox) -> None:
    """Part 2's publish goes unanswered and Threads cannot be asked (every read of its
    container fails): it is recorded `outcome: unknown`, never sent again."""
    world = launch(tmp_path, box, GIVE_UP)
    fault(world, Fault("hang", skip=1))
    # The containers' status reads: part 1's image (twice), part 2's before its
    # publish, then every read after it fails.
    for skip in (3, *[0] * 15):
        threads(world).inject(
            Fault(
                "status", "GET", "/v1.0/179", status=500, body=SERVER_ERROR, headers=JSON, skip=skip
            )
        )
    first = world.publish()
    assert first.returncode == 1, first.stdout + first.stderr
    assert "needs-person" in first.stdout
    lines = entries(world)
    assert lines[0].startswith("id: ")
    assert lines[1] == "outcome: unknown"
    assert len(lines) == 2
    threads(world).faults.clear()
    second = world.publish()
    assert second.returncode == 1
    assert "needs-person" in second.stdout
    assert len(threads(world).received()) == 2  # part 2 once; part 3 waits for a person
    publishes = [r for r in threads(world).requests if (r.method, r.path) == publish_call(world)]
    assert len(publishes) == 2


def test_a_used_up_publishing_quota_sends_nothing_and_says_why(
    tmp_path: Path, box: Sandbox
) -> None:
    world = launch(tmp_path, box)
    threads(world).posts_quota.fill(250)
    started = time.monotonic()
    proc = world.publish()
    assert proc.returncode == 1
    assert "250 posts in the last 24 hours" in proc.stdout + proc.stderr
    assert time.monotonic() - started < GENEROUS
    assert threads(world).received() == []
    assert entries(world) == []
