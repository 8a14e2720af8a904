"""`clarion watch` end to end: posts published for real to the stand-ins, then the
platforms hide, label, delete, withhold, edit and mark them, and the real
command reports each finding once (new on the first run that sees it)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.golden import assert_golden
from tests.watch.world import LAUNCH, SPRINT, WatchWorld, anonymised

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[WatchWorld]:
    with WatchWorld(tmp_path) as world:
        world.publish({"2026/launch.md": LAUNCH, "2026/sprint.md": SPRINT})
        yield world


def test_nothing_found_exits_0_and_keeps_an_empty_state(world: WatchWorld) -> None:
    code, report, _ = world.watch_json()
    assert (code, report) == (0, {"findings": []})
    assert world.state() == {"findings": []}


def test_each_finding_is_reported_once_as_new_then_kept_until_it_is_gone(
    world: WatchWorld,
) -> None:
    bluesky = world.ids("2026/launch.md", "bluesky")
    mastodon = world.ids("2026/launch.md", "mastodon")
    x = world.ids("2026/launch.md", "x")
    world.bluesky.appview.hide(bluesky[0])
    world.bluesky.appview.label(bluesky[1], "spam")
    world.bluesky.appview.delete(bluesky[2])
    world.mastodon.moderation.remove(mastodon[0], "Spam.")
    world.mastodon.moderation.mark_sensitive(mastodon[1], "Please add a content warning.")
    world.mastodon.moderation.edit(mastodon[2], "Changed by hand on the instance.")
    world.x.reading.withhold(x[0], ["FR", "DE"])
    world.x.reading.delete(x[1])
    world.x.reading.hide(x[2])

    code, first, _ = world.watch_json()
    assert code == 1  # something new
    assert_golden(anonymised(first, world), GOLDEN / "first-run.json")
    assert all(f["new"] for f in first["findings"])

    code, second, _ = world.watch_json()
    assert code == 0  # nothing new
    assert [f["new"] for f in second["findings"]] == [False] * 9
    assert [{**f, "new": True} for f in second["findings"]] == first["findings"]

    # The label is removed and the post shown again: both leave the state.
    world.bluesky.appview.unlabel(bluesky[1], "spam")
    world.bluesky.appview.show(bluesky[0])
    code, third, _ = world.watch_json()
    assert code == 0
    kinds = [(f["network"], f["part"], f["kind"]) for f in third["findings"]]
    assert ("bluesky", 0, "hidden") not in kinds
    assert ("bluesky", 1, "labelled") not in kinds
    assert len(world.state()["findings"]) == 7

    # Labelled again: a finding that came back is new again.
    world.bluesky.appview.label(bluesky[1], "spam")
    code, fourth, _ = world.watch_json()
    assert code == 1
    assert [f["kind"] for f in fourth["findings"] if f["new"]] == ["labelled"]


def test_the_labelers_configured_are_asked_and_self_labels_are_not_findings(
    tmp_path: Path,
) -> None:
    community = "did:plc:communitylabeler000000000"
    with WatchWorld(tmp_path, labelers=(community,)) as world:
        world.publish({"2026/sprint.md": SPRINT})
        uri = world.ids("2026/sprint.md", "bluesky")[0]
        world.bluesky.appview.label(uri, "misleading", src=community)
        world.bluesky.appview.label(uri, "ignored", src="did:plc:notaskedfor00000000000000")
        world.bluesky.appview.label(uri, "self", src=world.bluesky.account.did)
        code, report, _ = world.watch_json()
    assert code == 1
    assert [f["detail"] for f in report["findings"]] == [
        f"labelled 'misleading' by the labeler {community}"
    ]
    asked = [r for r in world.bluesky.requests if r.path.endswith("getPosts")]
    assert asked[0].header("atproto-accept-labelers") == (
        f"did:plc:ar7c4by46qjdydhdevvrndac;redact, {community}"
    )


def test_a_network_that_fails_is_reported_the_others_watched_its_findings_kept(
    world: WatchWorld,
) -> None:
    mastodon = world.ids("2026/sprint.md", "mastodon")[0]
    world.mastodon.moderation.delete(mastodon)
    assert world.watch_json()[0] == 1
    world.mastodon.stop()  # the instance is down
    world.bluesky.appview.label(world.ids("2026/sprint.md", "bluesky")[0], "spam")
    code, report, err = world.watch_json()
    assert code == 1
    assert [(f["network"], f["kind"], f["new"]) for f in report["findings"]] == [
        ("bluesky", "labelled", True),
        ("mastodon", "deleted", False),  # carried over: nothing is known this run
    ]
    assert "Mastodon: not watched this run: Mastodon: " in err
    assert "did not answer" in err
    kept = world.state()["findings"]
    assert [(f["network"], f["kind"]) for f in kept] == [
        ("bluesky", "labelled"),
        ("mastodon", "deleted"),
    ]


def test_a_token_without_read_notifications_is_said_once_and_statuses_still_read(
    tmp_path: Path,
) -> None:
    scopes = ("read:accounts", "read:statuses", "write:accounts", "write:statuses", "write:media")
    with WatchWorld(tmp_path, mastodon_scopes=scopes) as world:
        world.publish({"2026/launch.md": LAUNCH})
        status = world.ids("2026/launch.md", "mastodon")[1]
        world.mastodon.moderation.mark_sensitive(status, "Add a warning.")
        done = world.watch()
    assert done.returncode == 1, done.stderr
    assert done.stdout.count("read:notifications") == 1
    assert "may not read notifications" in done.stdout
    # Without the warning, the status itself still says it is sensitive.
    assert (
        "Mastodon: posts/2026/launch.md, part 2: sensitive (new): marked sensitive" in done.stdout
    )


def test_x_is_read_only_with_metrics_true(tmp_path: Path) -> None:
    with WatchWorld(tmp_path, x_reads=False) as world:
        world.publish({"2026/sprint.md": SPRINT})
        world.x.reading.delete(world.ids("2026/sprint.md", "x")[0])
        before = len(world.x.requests)
        done = world.watch()
        assert done.returncode == 0, done.stdout
        assert "X: not watched: reading posts costs money on X" in done.stdout
        assert len(world.x.requests) == before  # not one read


def test_x_reads_at_most_max_reads_posts_the_newest_first(tmp_path: Path) -> None:
    with WatchWorld(tmp_path, max_reads=2) as world:
        world.publish({"2026/launch.md": LAUNCH})
        code, _, err = world.watch_json()
        lookups = [r for r in world.x.requests if r.path == "/2/tweets" and r.method == "GET"]
        assert len(lookups) == 1
        read = set(lookups[0].query["ids"][0].split(","))
        assert read == set(world.ids("2026/launch.md", "x")[1:])  # parts 2 and 3 went out last
    assert code == 0
    assert "X: 1 of 3 published part(s) not read this run: max_reads = 2" in err


def test_bad_settings_or_credentials_exit_2_after_the_others_are_watched(
    tmp_path: Path,
) -> None:
    with WatchWorld(tmp_path) as world:
        world.publish({"2026/sprint.md": SPRINT})
        world.write_settings(labelers=["moderation.example"])
        world.mastodon.moderation.delete(world.ids("2026/sprint.md", "mastodon")[0])
        code, report, err = world.watch_json(env={"CLARION_X_API_KEY": ""})
    assert code == 2
    assert [(f["network"], f["kind"]) for f in report["findings"]] == [("mastodon", "deleted")]
    assert "labelers lists 'moderation.example', which is not a labeler's DID" in err
    assert "X: CLARION_X_API_KEY is not set" in err
    assert "Traceback" not in err


def test_github_format_annotates_what_is_new_and_writes_outputs_and_summary(
    world: WatchWorld, tmp_path: Path
) -> None:
    world.bluesky.appview.label(world.ids("2026/sprint.md", "bluesky")[0], "spam")
    output, summary = tmp_path / "output", tmp_path / "summary.md"
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    done = world.watch("--format", "github", env=env)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == (
        "::warning file=posts/2026/sprint.md,title=clarion watch%3A labelled::"
        "Bluesky: posts/2026/sprint.md, part 1: labelled 'spam' by Bluesky's moderation "
        f"service {world.bluesky.url}/profile/clarion.test/post/"
        + world.ids("2026/sprint.md", "bluesky")[0].rsplit("/", 1)[1]
    )
    assert lines[-1] == "clarion watch: 1 finding(s), 1 new"
    outputs = output.read_text()
    assert "findings=1\nnew=1\n" in outputs
    assert '"kind": "labelled"' in outputs
    text = summary.read_text()
    assert text.startswith("## Clarion watch\n")
    assert "- **labelled** on Bluesky: posts/2026/sprint.md, part 1 **(new)**" in text

    again = world.watch("--format", "github", env=env)
    assert again.returncode == 0
    assert not any(line.startswith("::warning") for line in again.stdout.splitlines())


def test_a_state_file_that_cannot_be_read_is_said_and_rewritten(world: WatchWorld) -> None:
    world.bluesky.appview.label(world.ids("2026/sprint.md", "bluesky")[0], "spam")
    (world.repo / "metrics").mkdir(exist_ok=True)
    (world.repo / "metrics" / "watch.json").write_text("<<<<<<< HEAD\n")
    code, _, err = world.watch_json()
    assert code == 1
    assert "metrics/watch.json: not JSON" in err
    assert "read as empty" in err
    assert json.loads((world.repo / "metrics" / "watch.json").read_text())["findings"]
