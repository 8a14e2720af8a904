"""A publish run first brings its checkout up to the upstream branch's tip: a
run that waited its turn starts from its own event's commit, without the
receipts that the runs before it pushed."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitworld import POST, World, add_receipt, git

from clarion.errors import GitError
from clarion.git.repo import Repo

BOT = "Clarion Bot <bot@example.org>"
CFP = "posts/2026/cfp.md"
OTHER = "posts/2026/other.md"


def queued(world: World, name: str = "queued") -> tuple[Path, Repo, str]:
    """A checkout of main as it was before the receipts were pushed (its
    remote-tracking branch too, as actions/checkout fetches only the event's
    commit); the commit it is at."""
    event = world.remote_sha("main")
    assert event is not None
    world.push_change("earlier-run", CFP, add_receipt(POST))
    path = world.clone(name)
    git(path, "reset", "--quiet", "--hard", event)
    git(path, "update-ref", "refs/remotes/origin/main", event)
    return path, Repo(path, BOT, backoff=0), event


def test_a_stale_checkout_is_fast_forwarded_to_the_tip(world: World) -> None:
    path, repo, _ = queued(world)
    assert "published:" not in world.read(path, CFP)

    caught_up = repo.catch_up()

    assert (caught_up.remote, caught_up.branch, caught_up.moved) == ("origin", "main", 1)
    assert caught_up.describe() == "brought main up to origin/main (1 newer commit)"
    assert repo.head_sha() == world.remote_sha("main")
    assert repo.current_branch() == "main"
    assert repo.is_clean()
    assert world.read(path, CFP) == add_receipt(POST)


def test_an_up_to_date_or_ahead_checkout_is_left_as_it_is(world: World) -> None:
    path = world.clone("runner")
    repo = Repo(path, BOT)
    assert repo.catch_up().moved == 0
    (path / CFP).write_text(add_receipt(POST), "utf-8")
    mine = repo.commit([CFP], "Record receipts")  # a run killed before its push

    caught_up = repo.catch_up()

    assert caught_up.moved == 0
    assert caught_up.describe() == "main is up to date with origin/main"
    assert repo.head_sha() == mine


def test_diverged_local_commits_stop_the_run(world: World) -> None:
    path, repo, event = queued(world)
    (path / OTHER).write_text("A local change.\n", "utf-8")
    mine = repo.commit([OTHER], "Local")

    with pytest.raises(GitError) as caught:
        repo.catch_up()

    message = caught.value.message
    assert "cannot be fast-forwarded to origin/main" in message
    assert "1 commit that origin/main lacks" in message
    assert "posted twice" in message
    assert "git pull --rebase" in message
    assert repo.head_sha() == mine
    assert repo.is_clean()
    assert git(path, "rev-parse", "HEAD~1").strip() == event


def test_local_changes_in_the_way_stop_the_run(world: World) -> None:
    path, repo, event = queued(world)
    (path / CFP).write_text("edited by hand\n", "utf-8")

    with pytest.raises(GitError, match=r"cfp\.md"):
        repo.catch_up()

    assert repo.head_sha() == event
    assert world.read(path, CFP) == "edited by hand\n"


def test_a_repository_without_a_remote_carries_on(tmp_path: Path) -> None:
    path = tmp_path / "plain"
    git(tmp_path, "init", "--quiet", str(path))
    (path / "posts").mkdir()
    (path / "posts" / "a.md").write_text(POST, "utf-8")
    git(path, "add", ".")
    git(path, "commit", "--quiet", "-m", "Posts")
    repo = Repo(path, BOT)

    caught_up = repo.catch_up()

    assert (caught_up.remote, caught_up.moved) == (None, 0)
    assert "no remote" in caught_up.describe()
    assert repo.adopt_receipts_branch().found is False
    (path / "posts" / "a.md").write_text(add_receipt(POST), "utf-8")
    mine = repo.commit(["posts/a.md"], "Record receipts")
    pushed = repo.push()
    assert (pushed.pushed, pushed.head) == (0, mine)
    assert "no remote" in pushed.describe()


def test_an_upstream_branch_not_yet_on_the_remote_is_nothing_to_catch_up(world: World) -> None:
    path = world.clone("runner")
    git(path, "switch", "--quiet", "--create", "announcements")
    git(path, "config", "branch.announcements.remote", "origin")
    git(path, "config", "branch.announcements.merge", "refs/heads/announcements")
    repo = Repo(path, BOT)
    head = repo.head_sha()

    assert repo.catch_up().moved == 0
    assert repo.head_sha() == head


def test_a_detached_checkout_is_an_error(world: World) -> None:
    path = world.clone("runner")
    git(path, "switch", "--quiet", "--detach", "HEAD")
    with pytest.raises(GitError, match="detached HEAD"):
        Repo(path, BOT).catch_up()
