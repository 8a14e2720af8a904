"""`clarion watch` on Discourse, the real command against the Discourse stand-in: a
topic published there, then unlisted, its post hidden after flags, edited by a
moderator, deleted; each is reported once as new; closing or archiving it is not
a finding (SPEC's kinds); Clarion's own correction is not an edit, a moderator's
after it is; the forum's rate limit is waited out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clarion.sandbox.server import Fault
from tests.publish.world import World
from tests.watch.newnets import change, findings, published, receipt_id, watch_json


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with published(tmp_path) as world:
        yield world


def test_what_moderators_do_is_reported_once_each(world: World) -> None:
    forum = world.stand_in("discourse")
    topic = int(receipt_id(world, "discourse"))
    code, report = watch_json(world)
    assert (code, findings(report, "discourse")) == (0, [])

    # Closed and archived: still shown as sent, so no finding.
    forum.moderation.close(topic)
    forum.moderation.archive(topic)
    code, report = watch_json(world)
    assert (code, findings(report, "discourse")) == (0, [])

    forum.moderation.unlist(topic)
    forum.moderation.hide(topic)
    code, report = watch_json(world)
    assert code == 1, report
    got = [f for f in report["findings"] if f["network"] == "discourse"]
    assert [(f["kind"], f["path"], f["part"], f["id"], f["new"]) for f in got] == [
        ("hidden", "posts/2026/sprint.md", 0, str(topic), True),
        ("hidden", "posts/2026/sprint.md", 0, str(topic), True),
    ]
    assert {f["detail"].split(":")[0] for f in got} == {
        "unlisted by the forum's moderators",
        "its post is hidden on the forum after members flagged it",
    }

    forum.moderation.list_again(topic)
    forum.moderation.edit(topic, "Rewritten by a moderator of the forum.")
    code, report = watch_json(world)
    assert code == 1
    assert findings(report, "discourse") == [("edited", True), ("hidden", False)]
    edited = next(f for f in report["findings"] if f["kind"] == "edited")
    assert edited["detail"].startswith("edited on the forum (version 2)")

    forum.moderation.delete(topic)
    code, report = watch_json(world)
    assert code == 1
    assert findings(report, "discourse") == [("deleted", True)]


def test_clarions_correction_is_not_an_edit_but_a_moderators_after_it_is(world: World) -> None:
    forum = world.stand_in("discourse")
    topic = int(receipt_id(world, "discourse"))
    change(world, "lang: en\n", "lang: en\nedit: true\n")
    change(world, "in person or online.", "in person or online, from 10 am.")
    done = world.publish()
    assert done.returncode == 0, done.stdout + done.stderr
    assert forum.received()[0]["version"] == 2
    code, report = watch_json(world)
    assert (code, findings(report, "discourse")) == (0, [])
    # The latest revision tells whose it is.
    assert any(r.path.endswith("/revisions/latest.json") for r in forum.requests)

    forum.moderation.edit(topic, "Rewritten by a moderator.", by="Moderator_Mo")
    code, report = watch_json(world)
    assert code == 1
    [edited] = [f for f in report["findings"] if f["network"] == "discourse"]
    assert edited["kind"] == "edited"
    assert edited["detail"].startswith("edited on the forum by @moderator_mo (version 3)")


def test_the_forums_rate_limit_is_waited_out(world: World) -> None:
    forum = world.stand_in("discourse")
    topic = int(receipt_id(world, "discourse"))
    forum.moderation.unlist(topic)
    forum.inject(
        Fault(
            "status",
            "GET",
            "/t/",
            status=429,
            body=b'{"errors":["Slow down"],"error_type":"rate_limit"}',
            headers={"Content-Type": "application/json", "Retry-After": "0"},
        )
    )
    code, report = watch_json(world)
    assert code == 1, report
    assert findings(report, "discourse") == [("hidden", True)]
    assert len([r for r in forum.requests if r.path == f"/t/{topic}.json"]) == 2
