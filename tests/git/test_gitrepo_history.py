"""The small helpers: the repository root, cleanliness, files at a revision, the
last commit that changed a post outside its receipts, and the author setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitworld import POST, World, add_receipt, git

from clarion.errors import ConfigError, GitError
from clarion.gitrepo import (
    Author,
    Repo,
    parse_author,
    receipts_commit_message,
    remove_published,
    repo_root,
)

BOT = "Clarion Bot <bot@example.org>"
CFP = "posts/2026/cfp.md"
CASES = Path(__file__).with_name("front-matter")


@pytest.mark.parametrize(
    "case", sorted(p.name.removesuffix(".input.md") for p in CASES.glob("*.input.md"))
)
def test_remove_published(case: str) -> None:
    given = (CASES / f"{case}.input.md").read_bytes().decode("utf-8")
    expected = (CASES / f"{case}.expected.md").read_bytes().decode("utf-8")
    assert remove_published(given) == expected


def test_remove_published_undoes_what_the_publisher_adds() -> None:
    once = add_receipt(POST)
    twice = add_receipt(once, "mastodon", "2")
    assert once != POST
    assert remove_published(once) == remove_published(twice) == POST


@pytest.mark.parametrize(
    ("text", "author"),
    [
        ("Clarion Bot <bot@example.org>", Author("Clarion Bot", "bot@example.org")),
        (
            "  clarion[bot] <clarion@users.noreply.github.com> ",
            Author("clarion[bot]", "clarion@users.noreply.github.com"),
        ),
    ],
)
def test_parse_author(text: str, author: Author) -> None:
    assert parse_author(text) == author
    assert str(author) == text.strip()


@pytest.mark.parametrize("text", ["", "bot@example.org", "<bot@example.org>", "Bot <a b>", "Bot"])
def test_a_malformed_author_is_a_config_error(text: str) -> None:
    with pytest.raises(ConfigError, match="git_author"):
        parse_author(text)


def test_receipts_commit_message() -> None:
    assert receipts_commit_message(CFP) == "Record receipts for posts/2026/cfp.md [skip ci]"


def test_repo_root_head_and_cleanliness(world: World, tmp_path: Path) -> None:
    path = world.clone("clone")
    assert repo_root(path / "posts" / "2026") == path
    assert repo_root(path / CFP) == path
    repo = Repo.at(path / "posts", BOT)
    assert repo.root == path
    assert repo.head_sha() == git(path, "rev-parse", "HEAD").strip()
    assert repo.current_branch() == "main"
    assert (repo.upstream().remote, repo.upstream().branch) == ("origin", "main")

    assert repo.is_clean()
    (path / "posts" / "2026" / "other.md").write_text("changed\n", encoding="utf-8")
    assert not repo.is_clean()
    assert repo.is_clean([CFP])
    assert not repo.is_clean(["posts"])
    git(path, "checkout", "--", ".")
    (path / "scratch.txt").write_text("untracked\n", encoding="utf-8")
    assert not repo.is_clean()

    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    with pytest.raises(GitError, match="not inside a git repository"):
        repo_root(outside)


def test_file_at(world: World) -> None:
    path = world.clone("clone")
    repo = Repo(path, BOT)
    first = repo.head_sha()
    (path / CFP).write_text("rewritten\n", encoding="utf-8")
    repo.commit([CFP], "Rewrite")
    assert repo.file_at(first, CFP) == POST
    assert repo.file_at("HEAD", path / CFP) == "rewritten\n"
    assert repo.file_at("HEAD", "posts/nope.md") is None
    with pytest.raises(GitError, match="not a commit"):
        repo.file_at("no-such-branch", CFP)


def test_last_commit_touching_passes_over_receipts_and_renames(world: World) -> None:
    path = world.clone("clone")
    repo = Repo(path, BOT)
    post = path / CFP

    def person_commits(message: str) -> str:
        git(path, "commit", "--quiet", "-am", message)
        return git(path, "rev-parse", "HEAD").strip()

    added = repo.head_sha()
    assert repo.last_commit_touching(CFP) == added

    post.write_text(POST.replace("open!", "open, finally!"), encoding="utf-8")
    edited = person_commits("Edit the post")
    post.write_text(add_receipt(post.read_text("utf-8")), encoding="utf-8")
    receipts = repo.commit([CFP], receipts_commit_message(CFP))
    post.write_text(add_receipt(post.read_text("utf-8"), "mastodon", "2"), encoding="utf-8")
    more_receipts = repo.commit([CFP], receipts_commit_message(CFP))
    assert receipts
    assert more_receipts

    assert repo.last_commit_touching(CFP) == edited
    assert repo.last_commit_touching(CFP, ignore_published=False) == more_receipts
    assert repo.last_commit_touching(CFP, rev=receipts) == edited

    # A move keeps the post's identity; a move alone changes nothing in it.
    (path / "posts" / "archive").mkdir()
    git(path, "mv", CFP, "posts/archive/cfp.md")
    moved = person_commits("Archive the post")
    assert repo.last_commit_touching("posts/archive/cfp.md") == edited
    assert repo.last_commit_touching("posts/archive/cfp.md", ignore_published=False) == moved

    # A change to the front matter outside `published:` counts.
    archived = path / "posts" / "archive" / "cfp.md"
    archived.write_text(archived.read_text("utf-8").replace("lang: en", "lang: nl"), "utf-8")
    relang = person_commits("Dutch")
    assert repo.last_commit_touching(archived) == relang

    assert repo.last_commit_touching("posts/never-existed.md") is None


def test_remove_published_keeps_crlf_line_ends() -> None:
    # Built here rather than kept as a file, so no line-end normalisation can change it.
    given = "---\r\nlang: en\r\npublished:\r\n  bluesky: []\r\n---\r\nHello\r\n"
    assert remove_published(given) == "---\r\nlang: en\r\n---\r\nHello\r\n"
