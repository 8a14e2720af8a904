"""Retractions and corrections of published posts, end to end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clarion.post import read_post
from tests.publish import world
from tests.publish.world import THREAD, World, git


@pytest.fixture
def published(tmp_path: Path) -> Iterator[World]:
    with world.published(tmp_path, {"2026/launch.md": THREAD}) as done:
        yield done


def _change(world: World, old: str, new: str) -> None:
    path = world.work / "posts" / "2026" / "launch.md"
    path.write_text(path.read_text().replace(old, new, 1))
    git(world.work, "commit", "-qam", "Change the post")


def live(world: World, network: str) -> list[dict[str, object]]:
    stand_in = world.stand_in(network)
    if network == "bluesky":
        return [r for r in stand_in.received() if not r["deleted"]]  # type: ignore[attr-defined]
    return list(stand_in.live())  # type: ignore[attr-defined]


def test_retract_deletes_everywhere_and_keeps_the_file(published: World) -> None:
    _change(published, "lang: en\n", "lang: en\nretract: true\n")
    proc = published.publish()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for network in ("bluesky", "mastodon", "x"):
        assert live(published, network) == [], network
    post = read_post(published.work / "posts" / "2026" / "launch.md", published.work)
    for network, receipts in post.receipts.items():
        assert len(receipts) == 3
        assert all(r.id and r.retracted for r in receipts), network
    assert "Part one of the announcement" in published.on_remote("2026/launch.md")
    again = published.publish()
    assert again.returncode == 0
    assert "deleted" not in again.stderr


def test_edit_corrects_mastodon_in_place_and_reports_the_others(published: World) -> None:
    _change(published, "lang: en\n", "lang: en\nedit: true\n")
    _change(published, "Part two says more about it.", "Part two says more about it, corrected.")
    proc = published.publish()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    texts = [s["text"] for s in live(published, "mastodon")]
    assert "Part two says more about it, corrected." in texts
    assert len(texts) == 3
    assert "Bluesky cannot edit" in proc.stdout
    assert "X cannot edit" in proc.stdout
    post = read_post(published.work / "posts" / "2026" / "launch.md", published.work)
    mastodon = post.receipts["mastodon"]
    assert [bool(r.edited) for r in mastodon] == [False, True, False]
    # Applied once: the next run finds Mastodon already up to date.
    requests = len(published.box.mastodon.requests)
    again = published.publish()
    assert again.returncode == 0
    edits = [r for r in published.box.mastodon.requests[requests:] if r.method == "PUT"]
    assert edits == []


def test_changed_text_of_a_published_post_is_flagged_in_review(published: World, clarion) -> None:  # type: ignore[no-untyped-def]
    base = git(published.work, "rev-parse", "HEAD").strip()
    _change(published, "Part two says more about it.", "Part two, reworded.")
    proc = clarion("validate", "--base", base, "--format", "json", cwd=published.work)
    assert proc.returncode == 1
    assert "published-text-changed" in proc.stdout
    _change(published, "lang: en\n", "lang: en\nedit: true\n")
    proc = clarion("validate", "--base", base, "--format", "json", cwd=published.work)
    assert proc.returncode == 0, proc.stdout
    assert "cannot edit a published post" in proc.stdout
