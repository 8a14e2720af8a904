"""`clarion watch` on LinkedIn, the real command against the LinkedIn stand-in: a
post published there, then edited on LinkedIn, taken out of PUBLISHED, deleted;
each is reported once as new; Clarion's own correction (edit: true) is not an
edit; a refused token is a configuration error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.publish.world import World
from tests.watch.newnets import change, findings, published, receipt_id, watch_json


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with published(tmp_path) as world:
        yield world


def test_an_edit_a_draft_and_a_deletion_are_each_reported_once(world: World) -> None:
    linkedin = world.stand_in("linkedin")
    urn = receipt_id(world, "linkedin")
    code, report = watch_json(world)
    assert (code, findings(report, "linkedin")) == (0, [])
    linkedin.requests.clear()

    linkedin.reading.edit(urn, "Changed by hand on LinkedIn.")
    code, report = watch_json(world)
    assert code == 1, report
    [found] = [f for f in report["findings"] if f["network"] == "linkedin"]
    assert (found["kind"], found["path"], found["part"], found["id"], found["new"]) == (
        "edited",
        "posts/2026/sprint.md",
        0,
        urn,
        True,
    )
    assert found["detail"].startswith("edited on LinkedIn (last changed at ")
    # Read with one batch get, as the adapter's headers have it.
    [asked] = [r for r in linkedin.requests if r.path == "/rest/posts"]
    assert asked.query["ids"] == [f"List({urn})"]
    assert asked.header("X-Restli-Protocol-Version") == "2.0.0"

    code, report = watch_json(world)
    assert (code, findings(report, "linkedin")) == (0, [("edited", False)])

    linkedin.reading.set_lifecycle(urn, "DRAFT")
    code, report = watch_json(world)
    assert code == 1
    assert findings(report, "linkedin") == [("edited", False), ("hidden", True)]
    hidden = next(f for f in report["findings"] if f["kind"] == "hidden")
    assert hidden["detail"] == "no longer published on LinkedIn: its lifecycleState is DRAFT"

    linkedin.reading.delete(urn)
    code, report = watch_json(world)
    assert code == 1
    assert findings(report, "linkedin") == [("deleted", True)]


def test_clarions_own_correction_is_not_an_edit(world: World) -> None:
    change(world, "lang: en\n", "lang: en\nedit: true\n")
    change(world, "in person or online.", "in person or online, from 10 am.")
    done = world.publish()
    assert done.returncode == 0, done.stdout + done.stderr
    [post] = world.stand_in("linkedin").received()
    assert post["edited"] and "from 10 am" in post["text"]
    code, report = watch_json(world)
    assert (code, findings(report, "linkedin")) == (0, [])


def test_a_refused_token_is_a_configuration_error(world: World) -> None:
    code, report = watch_json(world, {"CLARION_LINKEDIN_ACCESS_TOKEN": "revoked"})
    assert code == 2, report
    assert (
        "LinkedIn refused to read the page's posts (401 INVALID_ACCESS_TOKEN" in (report["stderr"])
    )
