"""`pin: true` in the orchestrator, in process: the first part is pinned once the whole
post is out, where the adapter can pin; elsewhere, or when pinning fails, the
run's report asks a person to pin it by hand. End to end through `clarion
publish` and the stand-ins at the bottom."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from clarion.adapters.base import Adapter, NotSent, Receipt
from clarion.check.result import PostResult
from clarion.post import Post
from clarion.post.frontmatter import load, split_parts
from clarion.publish import Publisher, PublishReport, RetryPolicy, State, plan
from clarion.publish.reporters import as_json, summary, text
from clarion.sandbox.networks import Sandbox
from tests.publish.test_publisher import NOW, OK, Scripted, Sink, Step
from tests.publish.world import World

PATH = "posts/farewell.md"


class Pinning(Scripted):
    """A scripted network that can pin; `refusals` answer its first pins."""

    def __init__(self, name: str, script: list[Step], refusals: Sequence[Exception] = ()) -> None:
        super().__init__(name, script)
        self.refusals = list(refusals)
        self.pinned: list[Receipt] = []

    def pin(self, receipt: Receipt) -> None:
        if self.refusals:
            raise self.refusals.pop(0)
        self.pinned.append(receipt)


def farewell(networks: str = "[bluesky, mastodon, x]", parts: int = 2, extra: str = "") -> Post:
    body = "\n---\n".join(f"Part {i + 1}" for i in range(parts))
    raw = f"---\nplatforms: {networks}\npin: true\n{extra}---\n{body}\n".encode()
    doc = load(raw)
    return Post(Path(f"/repo/{PATH}"), PATH, doc, tuple(split_parts(doc.body, 4)))


def run(post: Post, adapters: dict[str, Adapter]) -> tuple[PublishReport, list[float]]:
    jobs, report = plan(
        [(post, PostResult(PATH))], NOW, ("x",), Path("/repo"), include_examples=False
    )
    waits: list[float] = []
    factories: dict[str, Callable[[], Adapter]] = {
        name: (lambda a=adapter: a) for name, adapter in adapters.items()
    }
    Publisher(factories, Sink(), policy=RetryPolicy(3, 2.0, 60.0), sleep=waits.append).run(
        jobs, report
    )
    return report, waits


def test_the_first_part_is_pinned_where_the_network_can_and_x_is_left_to_a_person() -> None:
    bluesky, mastodon, x = Pinning("bluesky", []), Pinning("mastodon", []), Scripted("x", [])
    report, _ = run(farewell(), {"bluesky": bluesky, "mastodon": mastodon, "x": x})

    assert [r.id for r in bluesky.pinned] == ["bluesky-1"]  # the thread's first part
    assert [r.id for r in mastodon.pinned] == ["mastodon-1"]
    outcomes = report.posts[0].networks
    assert {n: (o.state, o.message) for n, o in outcomes.items()} == {
        "bluesky": (State.PUBLISHED, "pinned"),
        "mastodon": (State.PUBLISHED, "pinned"),
        "x": (State.PUBLISHED, ""),
    }
    assert report.for_a_person == [
        f"pin {PATH} on X by hand: https://x.example/1 (X's API cannot pin)"
    ]
    assert not report.failed
    # Every reporter shows it.
    assert f"for a person: pin {PATH} on X by hand" in text(report)
    assert "### For a person" in summary(report)
    assert as_json(report)["for_a_person"] == report.for_a_person


def test_a_post_without_pin_is_not_pinned() -> None:
    bluesky = Pinning("bluesky", [])
    plain = load(b"---\nplatforms: [bluesky]\n---\nJust news\n")
    unpinned = Post(Path(f"/repo/{PATH}"), PATH, plain, tuple(split_parts(plain.body, 4)))
    report, _ = run(unpinned, {"bluesky": bluesky})
    assert bluesky.pinned == []
    assert report.for_a_person == []


def test_a_thread_cut_short_is_not_pinned() -> None:
    bluesky = Pinning("bluesky", [OK, NotSent("refused", retryable=False)])
    report, _ = run(farewell("[bluesky]"), {"bluesky": bluesky})
    assert report.posts[0].networks["bluesky"].state == State.FAILED
    assert bluesky.pinned == []
    assert report.for_a_person == []


def test_a_thread_finished_in_a_later_run_pins_its_first_part_from_the_file() -> None:
    bluesky = Pinning("bluesky", [])
    earlier = (
        "published:\n  bluesky:\n"
        '    - id: "at://did:plc:abc/app.bsky.feed.post/3kaaaaaaaaaa2"\n'
        "      url: https://bsky.app/profile/example.org/post/3kaaaaaaaaaa2\n"
        "      at: 2026-12-01T15:00:04Z\n"
    )
    report, _ = run(farewell("[bluesky]", extra=earlier), {"bluesky": bluesky})
    assert bluesky.sent == ["Part 2"]
    [first] = bluesky.pinned
    assert first.id == "at://did:plc:abc/app.bsky.feed.post/3kaaaaaaaaaa2"
    assert first.at == dt.datetime(2026, 12, 1, 15, 0, 4, tzinfo=dt.UTC)
    assert report.posts[0].networks["bluesky"].message == "pinned"


def test_pinning_is_tried_again_when_retryable_then_left_to_a_person() -> None:
    busy = NotSent("rate limited", retryable=True)
    again = Pinning("bluesky", [], refusals=[busy])
    report, waits = run(farewell("[bluesky]"), {"bluesky": again})
    assert [r.id for r in again.pinned] == ["bluesky-1"]
    assert waits == [2.0]

    full = NotSent("You have already pinned the maximum number of posts", retryable=False)
    mastodon = Pinning("mastodon", [], refusals=[full])
    report, _ = run(farewell("[mastodon]"), {"mastodon": mastodon})
    outcome = report.posts[0].networks["mastodon"]
    # Published is published: the post is never sent again for a pin.
    assert outcome.state == State.PUBLISHED
    assert outcome.message == f"not pinned: {full.message}"
    assert report.for_a_person == [
        f"pin {PATH} on Mastodon by hand: https://mastodon.example/1 "
        f"(pinning failed: {full.message})"
    ]
    assert not report.failed


# -- end to end: `clarion publish` against the stand-ins --------------------------------------
FAREWELL = """\
---
platforms: [bluesky, mastodon, x]
lang: en
pin: true
---
We are leaving this network. Find us on the others.

---

Thank you for following.
"""


@pytest.fixture
def box() -> Iterator[Sandbox]:
    with Sandbox() as box:
        yield box


def test_publish_pins_on_bluesky_and_mastodon_and_asks_for_x(tmp_path: Path, box: Sandbox) -> None:
    world = World(tmp_path, box)
    world.setup({"2026/farewell.md": FAREWELL})

    proc = world.publish("--format", "json")

    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    [x_first] = [s["url"] for s in report["sent"] if s["network"] == "x" and s["part"] == 1]
    assert report["for_a_person"] == [
        f"pin posts/2026/farewell.md on X by hand: {x_first} (X's API cannot pin)"
    ]
    networks = report["posts"][0]["networks"]
    assert networks["bluesky"]["message"] == networks["mastodon"]["message"] == "pinned"
    bluesky_first = box.bluesky.posts()[0]
    assert (box.bluesky.profile() or {})["pinnedPost"] == {
        "uri": bluesky_first.uri,
        "cid": bluesky_first.cid,
    }
    assert [s["pinned"] for s in box.mastodon.received()] == [True, False]
    # A second run finds the post published and pins nothing again.
    again = world.publish()
    assert again.returncode == 0, again.stderr
    assert "for a person" not in again.stdout
