"""What a run takes in from `clarion/receipts`: only what changes nothing but the
`published:` blocks of posts that main already has. Anyone who can push a branch
can push that one: anything else on it is refused, nothing of it is taken in,
and the branch is left for a person (neither deleted nor overwritten)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from gitworld import OTHER, POST, TOOLING, Link, World, add_receipt, git

from clarion.errors import GitError, PushRefusedError
from clarion.git.repo import RECEIPTS_BRANCH, Repo, receipts_commit_message
from clarion.post.receipts import record_retraction

BOT = "Clarion Bot <bot@example.org>"
CFP = "posts/2026/cfp.md"
OTHER_POST = "posts/2026/other.md"
Changes = dict[str, str | Link | None]


def runner(world: World, name: str = "runner") -> tuple[Path, Repo]:
    path = world.clone(name)
    return path, Repo(path, BOT, backoff=0)


def receipt_for_other() -> Changes:
    """A genuine receipt, that the attacks below carry along."""
    return {OTHER_POST: add_receipt(OTHER, "mastodon", "m1")}


def _on_main_with_receipt(world: World) -> None:
    world.push_change("maintainer", CFP, add_receipt(POST, "bluesky", "1"))


# Each case: what main holds first (or nothing), what the branch changes, and a
# path the refusal must name.
ATTACKS: dict[str, tuple[Callable[[World], None] | None, Changes, str]] = {
    # (a) code, on an existing file and a new one
    "code": (None, {"src/clarion/__init__.py": "import os\nos.system('sh evil')\n"}, "src/"),
    "new-code": (None, {"src/clarion/evil.py": "print('hi')\n"}, "src/clarion/evil.py"),
    "action": (None, {"action/action.yml": "runs:\n  using: node20\n"}, "action/action.yml"),
    "lock": (None, {"uv.lock": "version = 1\n# evil\n"}, "uv.lock"),
    # (b) who reviews what
    "codeowners": (None, {"CODEOWNERS": "* @mallory\n"}, "CODEOWNERS"),
    # (c) a post that nobody reviewed, with receipts or without
    "new-post": (
        None,
        {"posts/2026/new.md": "---\nlang: en\n---\nUnreviewed.\n"},
        "posts/2026/new.md",
    ),
    # (d) the text of a post, changed next to its receipts
    "post-text": (
        None,
        {CFP: add_receipt(POST).replace("Second part of the thread.", "Send money.")},
        CFP,
    ),
    "post-front-matter": (
        None,
        {CFP: add_receipt(POST).replace("platforms: [bluesky, mastodon]", "platforms: [x]")},
        CFP,
    ),
    # (e) the approval gate turned off
    "settings": (
        None,
        {"pyproject.toml": "[tool.clarion]\nrequire_approval = false\n"},
        "pyproject",
    ),
    # (f) a post replaced by a symbolic link
    "symlink": (None, {CFP: Link("other.md")}, CFP),
    "deleted-post": (None, {CFP: None}, CFP),
    "renamed-post": (None, {CFP: None, "posts/2026/moved.md": add_receipt(POST)}, "moved.md"),
    "not-a-post": (None, {"posts/README.md": "# Posts\nSee evil.example\n"}, "posts/README.md"),
    # (g) a receipt removed, or changed: the post would go out again
    "receipt-removed": (_on_main_with_receipt, {CFP: POST}, CFP),
    "receipt-changed": (_on_main_with_receipt, {CFP: add_receipt(POST, "bluesky", "2")}, CFP),
}


@pytest.mark.parametrize("case", sorted(ATTACKS))
def test_a_branch_changing_more_than_receipts_is_refused_and_left_in_place(
    world: World, case: str
) -> None:
    before, changes, named = ATTACKS[case]
    if before is not None:
        before(world)
    branch = world.push_branch("mallory", {**receipt_for_other(), **changes})
    main = world.remote_sha("main")
    path, repo = runner(world)
    head = repo.head_sha()

    with pytest.raises(GitError) as caught:
        repo.adopt_receipts_branch()

    message = caught.value.message
    assert caught.value.exit_code == 1
    assert f"origin/{RECEIPTS_BRANCH}" in message
    assert branch[:12] in message
    assert "none of it is taken in" in message
    assert named in message
    assert "Publishing stops" in message
    assert "left as it is" in message
    assert f"delete {RECEIPTS_BRANCH}" in message
    # Nothing taken in: not even the genuine receipt that came along.
    assert (repo.head_sha(), repo.current_branch()) == (head, "main")
    assert repo.is_clean()
    assert "published:" not in world.read(path, OTHER_POST)
    for rel, text in TOOLING.items():
        assert world.read(path, rel) == text
    # The branch is left for a person; a push of this run lands nothing of it
    # and deletes nothing.
    result = repo.push()
    assert (result.pushed, result.receipts_branch_deleted) == (0, False)
    assert world.remote_sha(RECEIPTS_BRANCH) == branch
    assert world.remote_sha("main") == main


def test_a_change_undone_by_a_later_commit_is_refused(world: World) -> None:
    """Every commit is judged, not only where the branch ends: main would
    otherwise hold a commit that anyone wrote."""
    other = world.base / "mallory"
    world.clone("mallory")
    git(other, "switch", "--quiet", "--create", "work")
    world.commit_changes(other, {"CODEOWNERS": "* @mallory\n"}, "Own everything")
    world.commit_changes(
        other, {"CODEOWNERS": TOOLING["CODEOWNERS"], **receipt_for_other()}, "Undo"
    )
    git(other, "push", "--quiet", "origin", f"HEAD:refs/heads/{RECEIPTS_BRANCH}")
    branch = world.remote_sha(RECEIPTS_BRANCH)
    _, repo = runner(world)
    head = repo.head_sha()

    with pytest.raises(GitError, match="CODEOWNERS"):
        repo.adopt_receipts_branch()

    assert repo.head_sha() == head
    assert world.remote_sha(RECEIPTS_BRANCH) == branch


def test_a_merge_commit_on_the_branch_is_refused(world: World) -> None:
    other = world.base / "mallory"
    world.clone("mallory")
    git(other, "switch", "--quiet", "--create", "side")
    world.commit_changes(other, {"src/clarion/evil.py": "evil\n"}, "Side")
    git(other, "switch", "--quiet", "main")
    world.commit_changes(other, receipt_for_other(), "Receipts")
    git(other, "merge", "--quiet", "--no-ff", "-m", "Merge", "side")
    git(other, "push", "--quiet", "origin", f"HEAD:refs/heads/{RECEIPTS_BRANCH}")
    _, repo = runner(world)
    head = repo.head_sha()

    with pytest.raises(GitError, match="none of it is taken in"):
        repo.adopt_receipts_branch()

    assert repo.head_sha() == head


def test_a_branch_pushed_during_the_run_is_not_taken_in_by_the_save(world: World) -> None:
    """The save of a refused push takes in what a run left on the branch; a
    branch holding anything else is neither taken in nor overwritten."""
    world.protect_main()
    path, repo = runner(world)
    assert repo.adopt_receipts_branch().found is False
    post = path / CFP
    post.write_text(add_receipt(POST), "utf-8")
    mine = repo.commit([CFP], receipts_commit_message(CFP))
    branch = world.push_branch("mallory", {**receipt_for_other(), "CODEOWNERS": "* @mallory\n"})

    with pytest.raises(PushRefusedError) as caught:
        repo.push()

    message = caught.value.message
    assert f"could NOT be saved to origin/{RECEIPTS_BRANCH}" in message
    assert "CODEOWNERS" in message
    assert f"the local commits up to {mine}" in message
    assert world.remote_sha(RECEIPTS_BRANCH) == branch
    assert repo.head_sha() == mine
    assert "published:" not in world.read(path, OTHER_POST)
    assert world.read(path, "CODEOWNERS") == TOOLING["CODEOWNERS"]


def test_receipts_that_would_merge_into_another_post_are_refused(world: World) -> None:
    """Each commit on the branch holds receipts only, but replayed onto main they
    make another file (here a second `published:` key): judged where it ends."""
    saver = world.base / "saver"
    world.clone("saver")
    world.commit_changes(saver, {CFP: add_receipt(POST)}, "Record receipts")
    git(saver, "push", "--quiet", "origin", f"HEAD:refs/heads/{RECEIPTS_BRANCH}")
    branch = world.remote_sha(RECEIPTS_BRANCH)
    top = '---\npublished:\n  x:\n    - id: "9"\n      url: https://x.com/a/status/9\n'
    world.push_change(
        "maintainer", CFP, POST.replace("---\n", top + "      at: 2026-12-01T15:00:04Z\n", 1)
    )
    path, repo = runner(world)
    head = repo.head_sha()
    before = world.read(path, CFP)

    with pytest.raises(GitError) as caught:
        repo.adopt_receipts_branch()

    assert "In taking it in:" in caught.value.message
    assert f"{CFP}: what the post sends changes" in caught.value.message
    assert (repo.head_sha(), repo.current_branch()) == (head, "main")
    assert repo.is_clean()
    assert world.read(path, CFP) == before
    assert world.remote_sha(RECEIPTS_BRANCH) == branch


# ------------------------------------------------------------ what is taken in


def test_receipts_only_are_taken_in_landed_and_the_branch_deleted(world: World) -> None:
    """(h) Receipts added, an `outcome: unknown` settled, a retraction recorded:
    taken in, pushed to main, and the branch deleted, as before."""
    unknown = add_receipt(POST, "bluesky", "1").replace(
        '    - id: "1"\n      url: https://example.org/1\n      at: 2026-12-01T15:00:04Z',
        "    - outcome: unknown\n      at: 2026-12-01T15:00:04Z",
    )
    assert "outcome: unknown" in unknown
    world.push_change("maintainer", CFP, unknown)
    world.push_change("maintainer", OTHER_POST, add_receipt(OTHER, "mastodon", "m1"))

    # The receipts a refused run saved, in its own commits.
    saver = world.base / "saver"
    world.clone("saver")
    world.commit_changes(saver, {CFP: add_receipt(POST, "bluesky", "1")}, "Record receipts")
    world.commit_changes(saver, {CFP: add_receipt(add_receipt(POST), "mastodon", "2")}, "More")
    record_retraction(saver / OTHER_POST, "mastodon", dt.datetime(2026, 12, 2, tzinfo=dt.UTC))
    world.commit_changes(saver, {}, "Record the retraction")
    git(saver, "push", "--quiet", "origin", f"HEAD:refs/heads/{RECEIPTS_BRANCH}")
    branch = world.remote_sha(RECEIPTS_BRANCH)

    path, repo = runner(world)
    adopted = repo.adopt_receipts_branch()

    assert (adopted.found, adopted.sha, adopted.adopted) == (True, branch, 3)
    assert world.read(path, CFP) == add_receipt(add_receipt(POST), "mastodon", "2")
    assert "retracted: 2026-12-02T00:00:00Z" in world.read(path, OTHER_POST)
    result = repo.push()
    assert (result.pushed, result.receipts_branch_deleted) == (3, True)
    assert world.remote_sha(RECEIPTS_BRANCH) is None
    assert world.remote_file("main", CFP) == world.read(path, CFP)


def test_receipts_onto_a_post_changed_on_main_since_are_taken_in(world: World) -> None:
    """Main corrected the post's text after the receipts were saved: the
    receipts still apply, and what the post sends is main's."""
    saver = world.base / "saver"
    world.clone("saver")
    world.commit_changes(saver, {CFP: add_receipt(POST)}, "Record receipts")
    git(saver, "push", "--quiet", "origin", f"HEAD:refs/heads/{RECEIPTS_BRANCH}")
    corrected = POST.replace("Second part of the thread.", "Second part, corrected.")
    world.push_change("maintainer", CFP, corrected)

    path, repo = runner(world)
    assert repo.adopt_receipts_branch().adopted == 1

    assert world.read(path, CFP) == add_receipt(corrected)
