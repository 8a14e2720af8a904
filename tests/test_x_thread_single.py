"""`x: {thread: single}`: a thread sent to X as one post, its parts joined by
blank lines, through the real `clarion validate` (publishing it is in
tests/publish/test_x_replies.py; too long is tests/examples/negative/x-thread-single-too-long)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Run

THREAD = "First part.\n\n---\n\nSecond part,\nover two lines.\n\n---\n\nThird part.\n"


def write(repo: Path, front: str, body: str = THREAD) -> None:
    (repo / "posts" / "post.md").write_text(f"---\nlang: en\n{front}---\n{body}", "utf-8")


def networks(repo: Path, clarion: Run) -> dict[str, list[str]]:
    proc = clarion("validate", "--format", "json", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [post] = json.loads(proc.stdout)["posts"]
    return {
        name: [part["text"] for part in found["parts"]] for name, found in post["networks"].items()
    }


def test_x_gets_one_post_joined_by_blank_lines_and_the_others_a_thread(
    repo: Path, clarion: Run
) -> None:
    write(repo, "x: {thread: single}\n")
    parts = networks(repo, clarion)
    assert parts["x"] == ["First part.\n\nSecond part,\nover two lines.\n\nThird part."]
    assert parts["mastodon"] == ["First part.", "Second part,\nover two lines.", "Third part."]
    assert parts["bluesky"] == parts["mastodon"]


def test_with_xs_own_body_and_a_content_warning(repo: Path, clarion: Run) -> None:
    write(repo, 'content_warning: spoilers\nx:\n  thread: single\n  body: "One\\n---\\nTwo"\n')
    assert networks(repo, clarion)["x"] == ["CW: spoilers\n\nOne\n\nTwo"]


def test_thread_is_the_default(repo: Path, clarion: Run) -> None:
    write(repo, "x: {thread: thread}\n")
    assert len(networks(repo, clarion)["x"]) == 3


def test_too_long_as_one_post_says_what_to_do(repo: Path, clarion: Run) -> None:
    write(repo, "x: {thread: single}\n", "\n---\n".join(["word " * 50] * 2))
    proc = clarion("validate", cwd=repo)
    assert proc.returncode == 1
    assert (
        "posts/post.md:5:1: error[x-too-long]: X: the text is 500/280 weighted characters: "
        "its 2 parts are joined into one post by `thread: single`: shorten them by 220, "
        "or remove `thread: single` to send a thread"
    ) in proc.stdout


def test_a_misspelt_value_is_refused(repo: Path, clarion: Run) -> None:
    write(repo, "x: {thread: singel}\n")
    proc = clarion("validate", cwd=repo)
    assert proc.returncode == 1
    assert "x.thread is 'singel'; it must be one of: single, thread" in proc.stdout
