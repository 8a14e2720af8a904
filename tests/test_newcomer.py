"""What a newcomer trips over, through the real command: a misspelt network never
crashes a command, and status says what is unsettled, in text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run

MISSPELT = "---\nplatforms: [mastadon, twitter]\nlang: en\n---\nHello\n"


def write(repo: Path, name: str, text: str) -> None:
    path = repo / "posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "command",
    [
        ("validate",),
        ("status",),
        ("publish", "--dry-run"),
        ("publish", "--sandbox"),
        ("preview", "posts/typo.md"),
    ],
    ids=" ".join,
)
def test_a_misspelt_network_is_an_invalid_post_not_a_crash(
    repo: Path, clarion: Run, command: tuple[str, ...]
) -> None:
    write(repo, "typo.md", MISSPELT)
    proc = clarion(*command, cwd=repo)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1, proc.stdout + proc.stderr
    if command[0] in ("validate", "preview"):
        assert "did you mean mastodon?" in proc.stdout
        assert "X was formerly Twitter, write x" in proc.stdout
    else:
        assert "invalid" in proc.stdout


def test_status_lists_what_is_unsettled_and_says_why(repo: Path, clarion: Run) -> None:
    write(
        repo,
        "later.md",
        "---\nplatforms: [x]\nlang: en\npublish_at: 2099-01-01T10:00:00+00:00\n---\nHi\n",
    )
    write(
        repo,
        "broken.md",
        "---\nplatforms: [x]\nlang: en\npublish_at: 2099-01-01T10:00:00+00:00\n---\n",
    )
    write(
        repo,
        "done.md",
        '---\nplatforms: [x]\nlang: en\npublished:\n  x:\n    - id: "1"\n'
        "      url: https://x.com/example/status/1\n      at: 2026-01-01T10:00:00Z\n---\nDone\n",
    )
    proc = clarion("status", "--format", "json", cwd=repo)
    assert proc.returncode == 1  # something is invalid
    posts = {p["path"]: p["networks"]["x"] for p in json.loads(proc.stdout)["posts"]}
    assert set(posts) == {"posts/later.md", "posts/broken.md"}  # settled ones only with --all
    assert posts["posts/later.md"]["state"] == "scheduled"
    assert posts["posts/later.md"]["detail"].startswith("for 2099-01-01 10:00 UTC")
    assert posts["posts/broken.md"]["state"] == "invalid"  # not "scheduled"
    assert "no text" in posts["posts/broken.md"]["detail"]
    everything = clarion("status", "--all", "--format", "json", cwd=repo)
    done = {p["path"]: p for p in json.loads(everything.stdout)["posts"]}["posts/done.md"]
    assert done["networks"]["x"] == {
        "state": "published",
        "urls": ["https://x.com/example/status/1"],
        "detail": "",
    }
