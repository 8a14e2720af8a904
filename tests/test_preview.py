"""The pull-request preview: exact, safe, and within GitHub's comment limit."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Run


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
    proc = clarion("preview", "posts/later.md", "--format", "markdown", cwd=repo)
    assert "2027-01-15 08:00 UTC (2027-01-15 17:00 Asia/Tokyo) at the earliest" in proc.stdout


def test_invalid_posts_say_what_to_fix(repo: Path, clarion: Run) -> None:
    _post(repo, "long.md", "---\nplatforms: [x]\n---\n" + "word " * 80 + "\n")
    proc = clarion("preview", "posts/long.md", "--format", "markdown", cwd=repo)
    assert proc.returncode == 1
    assert "**To fix before merging:**" in proc.stdout
    assert "399/280 ⚠️ over the limit" in proc.stdout
