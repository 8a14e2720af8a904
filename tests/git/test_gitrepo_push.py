"""Committing receipts and pushing them to a real bare repository: moved
branches, conflicts, protected branches, and the `clarion/receipts` rescue branch."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitworld import POST, World, add_receipt, git

from clarion.errors import GitError, PushRefusedError
from clarion.git.repo import RECEIPTS_BRANCH, Repo, receipts_commit_message

BOT = "Clarion Bot <bot@example.org>"
CFP = "posts/2026/cfp.md"
OTHER = "posts/2026/other.md"


def runner(world: World, name: str = "runner", attempts: int = 5) -> tuple[Path, Repo]:
    """A fresh checkout, as a publish job starts with."""
    path = world.clone(name)
    return path, Repo(path, BOT, attempts=attempts, backoff=0)


def record(path: Path, repo: Repo, rel: str = CFP, network: str = "bluesky", id: str = "1") -> str:
    """Write one receipt into `rel` and commit it, as the publisher does after a post."""
    post = path / rel
    post.write_text(add_receipt(post.read_text("utf-8"), network, id), "utf-8")
    sha = repo.commit([rel], receipts_commit_message(rel))
    assert sha is not None
    return sha


# ------------------------------------------------------------ commit


def test_commit_is_by_the_configured_author_with_the_receipts_message(world: World) -> None:
    path, repo = runner(world)
    sha = record(path, repo)
    fields = git(path, "log", "-1", "--format=%H%n%an%n%ae%n%cn%n%ce%n%s").splitlines()
    assert fields == [
        sha,
        "Clarion Bot",
        "bot@example.org",
        "Clarion Bot",
        "bot@example.org",
        "Record receipts for posts/2026/cfp.md [skip ci]",
    ]
    assert repo.commit([CFP], "again") is None  # unchanged: nothing to commit


def test_commit_takes_only_the_given_paths_and_ignores_hooks(world: World) -> None:
    path, repo = runner(world)
    hook = path / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'no commits today' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    (path / OTHER).write_text("staged by someone else\n", encoding="utf-8")
    git(path, "add", OTHER)
    (path / "notes.txt").write_text("untracked\n", encoding="utf-8")

    sha = record(path, repo)

    assert git(path, "show", "--name-only", "--format=", sha).split() == [CFP]
    assert git(path, "status", "--porcelain").splitlines() == [
        "M  posts/2026/other.md",
        "?? notes.txt",
    ]


def test_commit_accepts_absolute_paths_and_new_files(world: World) -> None:
    path, repo = runner(world)
    new = path / "posts" / "2026" / "new.md"
    new.write_text("---\nlang: en\n---\nNew\n", encoding="utf-8")
    sha = repo.commit([new], "Add new")
    assert sha is not None
    assert git(path, "show", "--name-only", "--format=", sha).split() == ["posts/2026/new.md"]
    with pytest.raises(GitError, match="outside the repository"):
        repo.commit([world.base / "elsewhere.md"], "nope")


# ------------------------------------------------------------ push


def test_push_lands_the_receipts_on_the_upstream_branch(world: World) -> None:
    path, repo = runner(world)
    record(path, repo)
    record(path, repo, OTHER, "mastodon", "2")

    result = repo.push()

    assert (result.remote, result.branch, result.pushed, result.attempts) == (
        "origin",
        "main",
        2,
        1,
    )
    assert result.rebased == 0
    assert result.head == repo.head_sha() == world.remote_sha("main")
    assert not result.receipts_branch_deleted
    assert result.describe() == "pushed 2 commits to origin/main"
    assert world.remote_file("main", CFP) == world.read(path, CFP)
    # Nothing new: the push is a no-op.
    again = repo.push()
    assert (again.pushed, again.attempts) == (0, 1)
    assert again.describe() == "origin/main is up to date"


def test_push_rebases_and_retries_when_the_branch_moved(world: World) -> None:
    path, repo = runner(world)
    record(path, repo)
    theirs = world.push_change("alice", OTHER, "Alice rewrote this post.\n")

    result = repo.push()

    assert (result.pushed, result.attempts, result.rebased) == (1, 2, 1)
    assert world.remote_sha("main") == repo.head_sha()
    assert world.remote_file("main", OTHER) == "Alice rewrote this post.\n"
    assert world.remote_file("main", CFP) == add_receipt(POST)
    assert git(path, "rev-parse", "HEAD~1").strip() == theirs
    # The rebased receipts commit keeps its author and message.
    assert git(path, "log", "-1", "--format=%an <%ae>|%cn|%s").strip() == (
        f"{BOT}|Clarion Bot|Record receipts for {CFP} [skip ci]"
    )


def test_push_rebases_over_a_change_elsewhere_in_the_same_post(world: World) -> None:
    path, repo = runner(world)
    record(path, repo)
    edited = POST.replace("Second part of the thread.", "Second part, corrected.")
    world.push_change("alice", CFP, edited)

    result = repo.push()

    assert result.attempts == 2
    assert world.remote_file("main", CFP) == add_receipt(edited)


def test_a_rebase_conflict_is_reported_and_loses_nothing(world: World) -> None:
    path, repo = runner(world)
    mine = record(path, repo, id="mine")
    world.push_change("alice", CFP, add_receipt(POST, id="theirs"))
    main_before = world.remote_sha("main")

    with pytest.raises(GitError, match=r"posts/2026/cfp\.md") as caught:
        repo.push()

    message = caught.value.message
    assert "cannot be rebased" in message
    assert f"pushed to origin/{RECEIPTS_BRANCH}" in message
    assert not isinstance(caught.value, PushRefusedError)
    # The local commits are untouched, no rebase is left half-done, main is as Alice left it.
    assert repo.head_sha() == mine
    assert repo.current_branch() == "main"
    assert repo.is_clean()
    assert 'id: "mine"' in world.read(path, CFP)
    assert world.remote_sha("main") == main_before
    assert world.remote_sha(RECEIPTS_BRANCH) == mine

    # The next run cannot take them in either, and stops rather than post again.
    _, repo2 = runner(world, "runner2")
    head2 = repo2.head_sha()
    with pytest.raises(GitError, match="merge clarion/receipts into main by hand"):
        repo2.adopt_receipts_branch()
    assert (repo2.head_sha(), repo2.current_branch()) == (head2, "main")
    assert repo2.is_clean()


def test_giving_up_after_the_attempts_saves_the_receipts(world: World) -> None:
    path, repo = runner(world, attempts=1)
    mine = record(path, repo)
    world.push_change("alice", OTHER, "Moved again.\n")

    with pytest.raises(GitError, match="kept moving: gave up after 1 push attempts"):
        repo.push()

    assert world.remote_sha(RECEIPTS_BRANCH) == mine


def test_push_without_tracking_config_uses_origin_and_the_same_branch(world: World) -> None:
    path, repo = runner(world)
    git(path, "config", "--unset", "branch.main.remote")
    git(path, "config", "--unset", "branch.main.merge")
    record(path, repo)
    assert repo.push().pushed == 1
    assert world.remote_sha("main") == repo.head_sha()


def test_push_from_a_detached_head_is_an_error(world: World) -> None:
    path, repo = runner(world)
    git(path, "switch", "--quiet", "--detach", "HEAD")
    with pytest.raises(GitError, match="detached HEAD"):
        repo.push()


# ------------------------------------------------------------ protected branch


def test_a_refused_push_saves_the_receipts_and_the_next_run_adopts_them(world: World) -> None:
    world.protect_main()
    main_before = world.remote_sha("main")

    # Run 1: publishes the bluesky part; the push to main is declined.
    path1, repo1 = runner(world, "run1")
    assert repo1.adopt_receipts_branch().found is False
    first = record(path1, repo1)
    with pytest.raises(PushRefusedError) as caught:
        repo1.push()
    message = caught.value.message
    assert caught.value.exit_code == 1
    assert "[remote rejected] (pre-receive hook declined)" in message
    assert "GH006: Protected branch update failed" in message  # what the remote said
    assert "bypass list" in message
    assert "GITHUB_TOKEN" in message
    assert "README 'Set up your own repository'" in message
    assert f"pushed to origin/{RECEIPTS_BRANCH}" in message
    assert world.remote_sha("main") == main_before
    assert world.remote_sha(RECEIPTS_BRANCH) == first

    # Run 2: still protected. It reads run 1's receipt, adds its own, and the
    # rescue branch then holds both.
    path2, repo2 = runner(world, "run2")
    adopted = repo2.adopt_receipts_branch()
    assert (adopted.found, adopted.sha, adopted.adopted) == (True, first, 1)
    assert 'id: "1"' in world.read(path2, CFP)
    record(path2, repo2, OTHER, "mastodon", "2")
    with pytest.raises(PushRefusedError):
        repo2.push()
    saved = world.remote_sha(RECEIPTS_BRANCH)
    assert saved == repo2.head_sha()
    assert world.remote_file(RECEIPTS_BRANCH, CFP) == world.read(path2, CFP)
    assert 'id: "2"' in (world.remote_file(RECEIPTS_BRANCH, OTHER) or "")

    # Run 3: the App token bypasses the ruleset now. Everything lands on main
    # and the rescue branch goes away.
    world.unprotect_main()
    _, repo3 = runner(world, "run3")
    adopted = repo3.adopt_receipts_branch()
    assert (adopted.sha, adopted.adopted) == (saved, 2)
    result = repo3.push()
    assert (result.pushed, result.receipts_branch_deleted) == (2, True)
    assert result.describe().endswith(f"deleted {RECEIPTS_BRANCH}, now merged")
    assert world.remote_sha(RECEIPTS_BRANCH) is None
    assert world.remote_file("main", CFP) == world.read(path2, CFP)
    assert world.remote_file("main", OTHER) == world.read(path2, OTHER)


def test_a_refused_run_that_did_not_adopt_keeps_the_earlier_receipts(world: World) -> None:
    world.protect_main()
    path1, repo1 = runner(world, "run1")
    record(path1, repo1)
    with pytest.raises(PushRefusedError):
        repo1.push()

    path2, repo2 = runner(world, "run2")  # forgets adopt_receipts_branch()
    record(path2, repo2, OTHER, "mastodon", "2")
    with pytest.raises(PushRefusedError):
        repo2.push()

    assert 'id: "1"' in (world.remote_file(RECEIPTS_BRANCH, CFP) or "")
    assert 'id: "2"' in (world.remote_file(RECEIPTS_BRANCH, OTHER) or "")


def test_a_rescue_branch_already_on_main_is_adopted_as_nothing_and_deleted(world: World) -> None:
    world.protect_main()
    path1, repo1 = runner(world, "run1")
    record(path1, repo1)
    with pytest.raises(PushRefusedError):
        repo1.push()
    world.unprotect_main()
    # A maintainer lands the receipts by hand as a new commit (same change, other sha).
    world.push_change("maintainer", CFP, world.read(path1, CFP))

    _, repo2 = runner(world, "run2")
    head = repo2.head_sha()
    adopted = repo2.adopt_receipts_branch()
    assert (adopted.found, adopted.adopted) == (True, 0)
    assert repo2.head_sha() == head
    result = repo2.push()
    assert (result.pushed, result.receipts_branch_deleted) == (0, True)
    assert world.remote_sha(RECEIPTS_BRANCH) is None


def test_a_refusal_that_also_refuses_the_rescue_branch_says_where_the_receipts_are(
    world: World,
) -> None:
    world.protect_main("refs/heads/*")
    path, repo = runner(world)
    mine = record(path, repo)
    with pytest.raises(PushRefusedError) as caught:
        repo.push()
    assert f"could NOT be saved to origin/{RECEIPTS_BRANCH}" in caught.value.message
    assert f"the local commits up to {mine}" in caught.value.message
    assert world.remote_sha(RECEIPTS_BRANCH) is None
