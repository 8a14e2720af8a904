"""The pull-request preview: exact, safe, and within GitHub's comment limit."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import Run

HEAD = "e4d909c290d0fb1ca068ffaddf22cbd077c1b7e2"
MERGE = "5d41402abc4b2a76b9719d911017c592ae1f2b3c"


def _post(repo: Path, name: str, text: str) -> None:
    path = repo / "posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_many_posts_fit_in_one_comment(repo: Path, clarion: Run) -> None:
    for i in range(400):
        _post(repo, f"p{i:03d}.md", "---\nlang: en\n---\n" + f"Post number {i} " * 15 + "\n")
    proc = clarion("preview", "posts", "--format", "markdown", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout) < 65_536
    assert "more post(s)" in proc.stdout
    # Every post is accounted for: whole, in brief, or counted.
    named = sum(1 for i in range(400) if f"p{i:03d}.md" in proc.stdout)
    counted = int(proc.stdout.rsplit("- … and ", 1)[1].split()[0])
    assert named + counted == 400


def test_untrusted_text_cannot_break_out(repo: Path, clarion: Run) -> None:
    _post(
        repo,
        "evil.md",
        "---\nlang: en\nplatforms: [mastodon]\nmedia:\n  - path: x.png\n"
        "    alt: '[click](https://evil.example) <img src=x> @everyone'\n---\n"
        "````\n</details> <!-- @maintainers -->\n```\n",
    )
    proc = clarion("preview", "posts/evil.md", "--format", "markdown", cwd=repo)
    out = proc.stdout
    assert "`````text\n````\n</details>" in out  # fenced longer than the post's own fence
    assert "\\[click\\]\\(https://evil\\.example\\) \\<img src=x\\> \\@everyone" in out


def test_schedule_in_utc_and_the_repository_time_zone(repo: Path, clarion: Run) -> None:
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('timezone = "UTC"', 'timezone = "Asia/Tokyo"')
    )
    _post(repo, "later.md", "---\nlang: en\npublish_at: 2027-01-15T09:00:00+01:00\n---\nSoon.\n")
    proc = clarion("preview", "posts/later.md", cwd=repo)
    assert "2027-01-15 08:00 UTC (2027-01-15 17:00 Asia/Tokyo) at the earliest" in proc.stdout


def test_a_time_in_the_past_goes_out_as_soon_as_merged(repo: Path, clarion: Run) -> None:
    _post(repo, "late.md", "---\nlang: en\npublish_at: 2020-01-15T09:00:00+01:00\n---\nLate.\n")
    proc = clarion("preview", "posts/late.md", cwd=repo)
    assert "publish: 2020-01-15 08:00 UTC, in the past: goes out as soon as merged" in proc.stdout


def test_invalid_posts_say_what_to_fix(repo: Path, clarion: Run) -> None:
    _post(repo, "long.md", "---\nplatforms: [x]\n---\n" + "word " * 80 + "\n")
    proc = clarion("preview", "posts/long.md", "--format", "markdown", cwd=repo)
    assert proc.returncode == 1
    assert "**To fix before merging:**" in proc.stdout
    assert "399/280 ⚠️ over the limit" in proc.stdout


def test_a_retraction_is_said_in_capitals(repo: Path, clarion: Run) -> None:
    receipts = "".join(
        f'    - id: "{n}"\n      url: https://x.com/example/status/{n}\n'
        "      at: 2026-12-01T10:00:00Z\n"
        for n in (1, 2, 3)
    )
    _post(repo, "gone.md", f"---\nretract: true\npublished:\n  x:\n{receipts}---\nGone.\n")
    proc = clarion("preview", "posts/gone.md", "--format", "markdown", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "- ⚠️ `posts/gone.md`: **WILL DELETE 3 parts from X" in proc.stdout
    assert "#### X — ⚠️ **WILL DELETE 3 parts from X**" in proc.stdout
    assert "already published" not in proc.stdout


def test_json_names_the_pull_requests_head(repo: Path, clarion: Run, tmp_path: Path) -> None:
    _post(repo, "hello.md", "---\nlang: en\nplatforms: [mastodon]\n---\nHello.\n")
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps({"pull_request": {"head": {"sha": HEAD, "repo": {"full_name": "a/b"}}}})
    )
    env = {"PATH": os.environ.get("PATH", ""), "GITHUB_SHA": MERGE}
    alone = clarion("preview", "posts/hello.md", "--format", "json", cwd=repo, env=env)
    assert json.loads(alone.stdout)["commit"] == MERGE
    env["GITHUB_EVENT_PATH"] = str(event)
    proc = clarion("preview", "posts/hello.md", "--format", "json", cwd=repo, env=env)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    # GITHUB_SHA is the merge GitHub made for the check; the head is what a reviewer sees.
    assert found["commit"] == HEAD
    [post] = found["posts"]
    mastodon = post["networks"]["mastodon"]
    assert (mastodon["state"], mastodon["action"]) == ("due", "send")
    assert mastodon["parts"][0]["text"] == "Hello."
    assert mastodon["options"] == {"visibility": None}
    assert post["schedule"]["says"] == "as soon as merged"
