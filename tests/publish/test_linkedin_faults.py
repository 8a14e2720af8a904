"""LinkedIn through the real `clarion publish`, real git and the LinkedIn stand-in,
with faults injected: a 500, a 429 (LinkedIn's, which says nothing of when), an
answer lost after LinkedIn made the post, a connection reset, a bad token, the
job killed between the post and its receipt. After each, and a re-run: the page
holds the post once, and its receipt is in the file on the remote.

LinkedIn takes no idempotency key; what recovers a lost answer is the look-back
through the page's recent posts before anything is sent again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from clarion.sandbox.networks import Sandbox
from clarion.sandbox.server import Fault, Hold
from tests.publish import faults
from tests.publish.faults import JSON, post
from tests.publish.world import World
from tests.timeouts import GENEROUS, GIVE_UP

NAME = "2026/launch.md"
PARTS = (
    "Part one of the announcement (read it all): https://example.org/news_room #Clarion",
    "Part two says more about it, with *stars* and snake_case.",
    "Part three thanks everyone!",
)
POST = post("linkedin", PARTS)
# LinkedIn makes one post of a thread: the parts joined by blank lines.
JOINED = "\n\n".join(PARTS)
CREATE = ("POST", "/rest/posts")


box = faults.box


def launch(tmp_path: Path, box: Sandbox, timeout: float = GENEROUS) -> World:
    return faults.launch(tmp_path, box, {NAME: POST}, timeout)


def receipts(world: World) -> list[dict[str, Any]]:
    """LinkedIn's receipts in the post as the remote has it."""
    front = world.on_remote(NAME).split("---\n", 2)[1]
    published = yaml.safe_load(front).get("published") or {}
    entries: list[dict[str, Any]] = published.get("linkedin") or []
    return entries


def assert_published_once(world: World) -> None:
    """The page holds the post once, whole, and the file its one receipt."""
    linkedin = world.stand_in("linkedin")
    [made] = linkedin.received()  # type: ignore[attr-defined]
    assert made["text"] == JOINED and not made["cut"]
    assert [image["alt_text"] for image in made["images"]] == ["A single green dot"]
    [receipt] = receipts(world)
    assert receipt["id"] == made["id"]
    assert receipt["url"] == f"{linkedin.url}/feed/update/{made['id']}/"
    assert set(receipt) == {"id", "url", "at"}
    assert f'id: "{made["id"]}"' in world.on_remote(NAME)  # ids are quoted strings


def fault(world: World, made: Fault) -> Fault:
    made.method, made.path_prefix = CREATE
    world.stand_in("linkedin").inject(made)
    return made


def test_a_thread_is_one_post_published_once(tmp_path: Path, box: Sandbox) -> None:
    world = launch(tmp_path, box)
    first = world.publish()
    assert first.returncode == 0, first.stdout + first.stderr
    assert_published_once(world)
    again = world.publish()
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(box.get("linkedin").received()) == 1


FAULTS = {
    "server-error": lambda: Fault(
        "status",
        status=500,
        body=b'{"status":500,"message":"Internal Server Error"}',
        headers=JSON,
    ),
    # LinkedIn's 429 carries no header saying when: the run's back-off tries again.
    "rate-limited": lambda: Fault(
        "status",
        status=429,
        body=b'{"status":429,"message":"Resource level throttle APPLICATION DAY limit '
        b'for calls to this resource is reached."}',
        headers=JSON,
    ),
    # The post is made and its answer held unanswered: the run's client gives up.
    "answer-lost-after-accepting": lambda: Fault("hang"),
    "connection-reset": lambda: Fault("reset"),
}


@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_a_fault_then_a_rerun_leaves_one_post_and_its_receipt(
    tmp_path: Path, box: Sandbox, kind: str
) -> None:
    world = launch(tmp_path, box, GIVE_UP if kind == "answer-lost-after-accepting" else GENEROUS)
    injected = fault(world, FAULTS[kind]())
    first = world.publish()
    injected.hold.release()
    assert not world.stand_in("linkedin").faults, "the fault never fired"
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Traceback" not in first.stderr
    assert_published_once(world)
    again = world.publish()
    assert again.returncode == 0, again.stdout + again.stderr
    assert_published_once(world)


def test_a_day_s_limit_spent_leaves_the_post_for_the_next_run(tmp_path: Path, box: Sandbox) -> None:
    linkedin = box.get("linkedin")
    linkedin.daily_limits["POST /rest/posts"] = 0
    world = launch(tmp_path, box)
    first = world.publish()
    assert first.returncode == 1, first.stdout + first.stderr
    output = first.stdout + first.stderr
    assert "midnight UTC" in output and "Traceback" not in output
    assert linkedin.received() == [] and receipts(world) == []
    linkedin.daily_limits.clear()  # the next day
    second = world.publish()
    assert second.returncode == 0, second.stdout + second.stderr
    assert_published_once(world)


def test_a_bad_token_exits_2_sends_nothing_and_names_the_variable(
    tmp_path: Path, box: Sandbox
) -> None:
    world = launch(tmp_path, box)
    first = world.publish(env={"CLARION_LINKEDIN_ACCESS_TOKEN": "wrong-token"})
    assert first.returncode == 2, first.stdout + first.stderr
    output = first.stdout + first.stderr
    assert "CLARION_LINKEDIN_ACCESS_TOKEN" in output
    assert "wrong-token" not in output and "Traceback" not in output
    assert box.get("linkedin").received() == []
    second = world.publish()
    assert second.returncode == 0, second.stdout + second.stderr
    assert_published_once(world)


def test_killed_between_the_post_and_its_receipt(tmp_path: Path, box: Sandbox) -> None:
    """LinkedIn made the post, then the run died before writing its receipt: the next
    run finds it among the page's posts, records it, and sends nothing again."""
    world = launch(tmp_path, box)
    taken = Hold()
    fault(world, Fault("hang", hold=taken))
    world.publish_and_kill_when(lambda: taken.arrived == 1)
    taken.release()
    assert len(box.get("linkedin").received()) == 1
    assert receipts(world) == []
    rerun = world.publish()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert_published_once(world)


def _change(world: World, old: str, new: str) -> None:
    faults.change(world, NAME, old, new)


def test_edit_corrects_the_post_in_place_once_then_retract_deletes_it(
    tmp_path: Path, box: Sandbox
) -> None:
    world = launch(tmp_path, box)
    assert world.publish().returncode == 0
    linkedin = box.get("linkedin")
    _change(world, "lang: en\n", "lang: en\nedit: true\n")
    _change(world, "Part three thanks everyone!", "Part three thanks everyone (again)!")
    edited = world.publish()
    assert edited.returncode == 0, edited.stdout + edited.stderr
    [made] = linkedin.live()
    assert made["text"] == JOINED.replace("everyone!", "everyone (again)!") and made["edited"]
    assert "edited:" in world.on_remote(NAME)
    patches = len([r for r in linkedin.requests if r.header("X-RestLi-Method") == "PARTIAL_UPDATE"])
    assert world.publish().returncode == 0  # up to date: not corrected twice
    assert patches == len(
        [r for r in linkedin.requests if r.header("X-RestLi-Method") == "PARTIAL_UPDATE"]
    )
    _change(world, "edit: true\n", "retract: true\n")
    retracted = world.publish()
    assert retracted.returncode == 0, retracted.stdout + retracted.stderr
    assert linkedin.live() == []
    assert "retracted:" in world.on_remote(NAME)
