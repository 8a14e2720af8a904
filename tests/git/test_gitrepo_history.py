"""The small helpers: the repository root, cleanliness, files at a revision, the
content that receipts do not change, and the author setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitworld import POST, World, add_receipt, git

from clarion.errors import ConfigError, GitError
from clarion.git.repo import (
    Author,
    Repo,
    parse_author,
    receipts_commit_message,
    repo_root,
)
from clarion.post.content import Content, content_of

BOT = "Clarion Bot <bot@example.org>"
CFP = "posts/2026/cfp.md"
CASES = Path(__file__).with_name("front-matter")


def sends(text: str) -> Content:
    return content_of(text.encode(), CFP, lambda _path: None)


@pytest.mark.parametrize(
    "case", sorted(p.name.removesuffix(".input.md") for p in CASES.glob("*.input.md"))
)
def test_receipts_are_not_content(case: str) -> None:
    given = (CASES / f"{case}.input.md").read_bytes().decode("utf-8")
    expected = (CASES / f"{case}.expected.md").read_bytes().decode("utf-8")
    assert sends(given) == sends(expected)


def test_what_the_publisher_adds_is_not_content() -> None:
    once = add_receipt(POST)
    twice = add_receipt(once, "mastodon", "2")
    assert once != POST
    assert sends(once) == sends(twice) == sends(POST)


def test_text_cannot_hide_in_what_looks_like_a_receipts_block() -> None:
    # A double-quoted scalar may continue at column 0, on a line starting `published:`.
    hidden = '---\ncontent_warning: "Spoilers\npublished: ahead"\n---\nHello\n'
    changed = '---\ncontent_warning: "Spoilers\npublished: changed"\n---\nHello\n'
    assert sends(hidden) != sends(changed)
    assert sends(hidden).front == '{"content_warning":"Spoilers published: ahead"}'


def test_a_byte_order_mark_and_crlf_are_not_content() -> None:
    assert sends("\ufeff" + POST.replace("\n", "\r\n")) == sends(POST)


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
