"""Which files can be posts: regular files inside the repository, named without
glob characters. A symbolic link, a file behind a linked folder or one outside the
repository is refused (and never read), as is a name Git would read as a pattern;
each with a message, through every command, while the other posts are still checked.

These cases are built here rather than kept under examples/: the repository does
not keep links or glob names in posts.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run

GOOD = "---\nlang: en\n---\nA good post.\n"
SECRET = "---\nlang: en\n---\nSECRET text from outside the repository\n"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _validate(clarion: Run, repo: Path, *paths: str) -> tuple[int, dict[str, Any]]:
    proc = clarion("validate", *paths, "--format", "json", cwd=repo)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "SECRET" not in proc.stdout
    return proc.returncode, {p["path"]: p for p in json.loads(proc.stdout)["posts"]}


def _error(post: dict[str, Any]) -> dict[str, Any]:
    assert not post["ok"]
    (problem,) = [p for p in post["problems"] if p["severity"] == "error"]
    assert problem["message"]
    return problem


@pytest.fixture
def outside(repo: Path) -> Path:
    """A post-shaped file next to the repository, not in it."""
    return _write(repo.parent / "outside.md", SECRET)


# ---------------------------------------------------------------- symbolic links


def test_a_linked_post_is_refused_and_never_read(repo: Path, outside: Path, clarion: Run) -> None:
    _write(repo / "posts" / "good.md", GOOD)
    (repo / "posts" / "link.md").symlink_to(outside)
    code, posts = _validate(clarion, repo)
    assert code == 1
    problem = _error(posts["posts/link.md"])
    assert problem["code"] == "post-symlink"
    assert "symbolic link" in problem["message"]
    assert posts["posts/good.md"]["ok"]


def test_a_linked_post_named_on_the_command_line(repo: Path, outside: Path, clarion: Run) -> None:
    (repo / "posts" / "link.md").symlink_to(outside)
    code, posts = _validate(clarion, repo, "posts/link.md")
    assert code == 1
    assert _error(posts["posts/link.md"])["code"] == "post-symlink"


def test_a_link_to_another_post_is_not_a_second_post(repo: Path, clarion: Run) -> None:
    _write(repo / "posts" / "real.md", GOOD)
    (repo / "posts" / "twin.md").symlink_to("real.md")
    proc = clarion("publish", "--dry-run", cwd=repo)
    assert "Traceback" not in proc.stderr
    assert "posts/real.md → X" in proc.stdout
    assert "posts/twin.md → " not in proc.stdout
    assert proc.returncode == 1  # twin.md is invalid
    # Named together, the link is still reported, not merged into its target.
    code, posts = _validate(clarion, repo, "posts/real.md", "posts/twin.md")
    assert code == 1
    assert posts["posts/real.md"]["ok"]
    assert _error(posts["posts/twin.md"])["code"] == "post-symlink"


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_preview_does_not_show_a_linked_file(
    repo: Path, outside: Path, clarion: Run, fmt: str
) -> None:
    (repo / "posts" / "link.md").symlink_to(outside)
    proc = clarion("preview", "posts/link.md", "--format", fmt, cwd=repo)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "SECRET" not in proc.stdout
    assert "symbolic link" in proc.stdout


def test_publish_and_status_leave_a_linked_file_alone(
    repo: Path, outside: Path, clarion: Run
) -> None:
    _write(repo / "posts" / "good.md", GOOD)
    (repo / "posts" / "link.md").symlink_to(outside)
    proc = clarion("publish", "--dry-run", cwd=repo)
    assert "SECRET" not in proc.stdout
    assert "posts/good.md → X" in proc.stdout
    assert "Traceback" not in proc.stderr
    status = clarion("status", cwd=repo)
    assert "Traceback" not in status.stderr
    assert status.returncode == 1
    assert "posts/link.md\n  Bluesky   invalid" in status.stdout
    assert "posts/good.md\n  Bluesky   due" in status.stdout


def _linked_folder(repo: Path) -> None:
    elsewhere = repo.parent / "elsewhere"
    _write(elsewhere / "post.md", SECRET)
    (repo / "posts" / "linked").symlink_to(elsewhere, target_is_directory=True)
    _write(repo / "posts" / "good.md", GOOD)


def test_a_post_behind_a_linked_folder_is_refused(repo: Path, outside: Path, clarion: Run) -> None:
    _linked_folder(repo)
    code, posts = _validate(clarion, repo)
    assert code == 1
    assert _error(posts["posts/linked"])["code"] == "post-symlink"
    assert posts["posts/good.md"]["ok"]
    proc = clarion("preview", "posts/linked/post.md", cwd=repo)
    assert proc.returncode == 1
    assert "SECRET" not in proc.stdout


@pytest.mark.parametrize(
    ("named", "where"), [("posts/linked", "this folder"), ("posts/linked/post.md", "posts/linked")]
)
def test_a_linked_folder_named_is_refused(
    repo: Path, outside: Path, clarion: Run, named: str, where: str
) -> None:
    _linked_folder(repo)
    code, posts = _validate(clarion, repo, named)
    assert code == 1
    (post,) = posts.values()
    problem = _error(post)
    assert problem["code"] == "post-symlink"
    assert f"{where} is a symbolic link" in problem["message"]


def test_a_linked_folder_inside_the_repository_is_left_alone(repo: Path, clarion: Run) -> None:
    """A link to images elsewhere in the repository is not a post, nor followed."""
    _write(repo / "media" / "notes.md", "Not a post.\n")
    (repo / "posts" / "media").symlink_to("../media", target_is_directory=True)
    _write(repo / "posts" / "good.md", GOOD)
    code, posts = _validate(clarion, repo)
    assert code == 0
    assert list(posts) == ["posts/good.md"]


def test_the_repository_reached_through_a_link_is_fine(
    repo: Path, clarion: Run, tmp_path: Path
) -> None:
    # The checkout itself may sit behind a link (a CI workspace).
    _write(repo / "posts" / "good.md", GOOD)
    workspace = tmp_path / "workspace"
    workspace.symlink_to(repo, target_is_directory=True)
    code, posts = _validate(clarion, workspace, str(workspace / "posts" / "good.md"))
    assert code == 0
    assert list(posts) == ["posts/good.md"]


def test_a_post_outside_the_repository_is_refused(repo: Path, outside: Path, clarion: Run) -> None:
    code, posts = _validate(clarion, repo, str(outside))
    assert code == 1
    (post,) = posts.values()
    problem = _error(post)
    assert problem["code"] == "post-outside-repo"
    assert "inside the repository" in problem["message"]
    proc = clarion("preview", "../outside.md", cwd=repo)
    assert proc.returncode == 1
    assert "SECRET" not in proc.stdout


def test_a_dangling_link_and_a_pipe_are_reported(repo: Path, clarion: Run) -> None:
    (repo / "posts" / "gone.md").symlink_to("nowhere.md")
    os.mkfifo(repo / "posts" / "pipe.md")
    _write(repo / "posts" / "good.md", GOOD)
    code, posts = _validate(clarion, repo)
    assert code == 1
    assert _error(posts["posts/gone.md"])["code"] == "post-symlink"
    assert _error(posts["posts/pipe.md"])["code"] == "post-not-regular"
    assert posts["posts/good.md"]["ok"]


# ---------------------------------------------------------------- glob characters

GLOB_NAMES = ["a*.md", "q?.md", "[ab].md", "x]y.md", "back\\slash.md", ":magic.md", "d[1]/p.md"]


def test_names_with_glob_characters_are_refused(repo: Path, clarion: Run) -> None:
    _write(repo / "posts" / "good.md", GOOD)
    for name in GLOB_NAMES:
        _write(repo / "posts" / name, GOOD)
    code, posts = _validate(clarion, repo)
    assert code == 1
    assert posts["posts/good.md"]["ok"]
    problems = {name: _error(posts[f"posts/{name}"]) for name in GLOB_NAMES}
    assert {name: p["code"] for name, p in problems.items()} == dict.fromkeys(
        GLOB_NAMES, "post-name-glob"
    )
    assert [name for name, p in problems.items() if "rename" not in p["message"]] == []
    code, posts = _validate(clarion, repo, "posts/a*.md")
    assert _error(posts["posts/a*.md"])["code"] == "post-name-glob"


def test_a_glob_name_is_not_published(repo: Path, clarion: Run) -> None:
    _write(repo / "posts" / "a*.md", GOOD)
    proc = clarion("publish", "--dry-run", cwd=repo)
    assert proc.returncode == 1
    assert "→" not in proc.stdout


# ---------------------------------------------------------------- linked images


def test_an_image_linked_from_outside_is_refused_everywhere(repo: Path, clarion: Run) -> None:
    from tests.test_examples import _png

    (repo.parent / "outside.png").write_bytes(_png(100))
    (repo / "posts" / "link.png").symlink_to(repo.parent / "outside.png")
    _write(
        repo / "posts" / "pic.md",
        "---\nlang: en\nmedia:\n  - path: link.png\n    alt: A picture\n---\nLook.\n",
    )
    code, posts = _validate(clarion, repo)
    assert code == 1
    problem = _error(posts["posts/pic.md"])
    assert (problem["code"], problem["line"]) == ("media-outside-repo", 4)
    preview = clarion("preview", "posts/pic.md", cwd=repo)
    assert preview.returncode == 1
    assert "symbolic link" in preview.stdout
    dry_run = clarion("publish", "--dry-run", cwd=repo)
    assert dry_run.returncode == 1
    assert "→" not in dry_run.stdout
