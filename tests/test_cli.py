"""The `clarion` command through its public surface: real files, real processes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import ROOT, Run


def _post(repo: Path, name: str, text: str) -> Path:
    path = repo / "posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_version(clarion: Run, tmp_path: Path) -> None:
    proc = clarion("--version", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.startswith("clarion ")


def test_the_template_examples_validate(clarion: Run) -> None:
    proc = clarion("validate", cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 errors" in proc.stdout


def test_json_format_matches_the_spec(repo: Path, clarion: Run) -> None:
    _post(repo, "a.md", "---\nplatforms: [x]\n---\n" + "word " * 60 + "\n")
    proc = clarion("validate", "--format", "json", cwd=repo)
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["ok"] is False
    (post,) = report["posts"]
    assert post["path"] == "posts/a.md"
    problem = post["problems"][0]
    assert problem == {
        "severity": "error",
        "code": "x-too-long",
        "line": 4,
        "column": 1,
        "message": problem["message"],
    }
    assert problem["message"].startswith("X: the text is 299/280 weighted characters")
    part = post["networks"]["x"]["parts"][0]
    assert part["length"] == 299
    assert part["limit"] == 280


def test_github_format_escapes_and_writes_summary(repo: Path, clarion: Run, tmp_path: Path) -> None:
    _post(repo, "bad.md", '---\nplatforms: ["x%\\n::add-mask::secret"]\n---\nHello\n')
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "PATH": "/usr/bin:/bin"}
    proc = clarion("validate", "--format", "github", cwd=repo, env=env)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("::error file=posts/bad.md,line=2,col=")
    assert "%25%0A::add-mask::secret" in lines[0]
    # No line of output starts a workflow command except the annotation itself.
    assert [line for line in lines if line.startswith("::")] == [lines[0]]
    text = summary.read_text()
    assert "posts/bad.md" in text
    assert "❌" in text


def test_usage_error_exits_2(repo: Path, clarion: Run) -> None:
    proc = clarion("validate", "posts/nowhere.md", cwd=repo)
    assert proc.returncode == 2
    assert "posts/nowhere.md: no such file or folder" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_new_scaffolds_a_post_that_validates(repo: Path, clarion: Run) -> None:
    proc = clarion("new", "spring-sprint", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    (created,) = (repo / "posts").rglob("spring-sprint.md")
    # Its placeholder text is an error until replaced (tests/test_template_text.py).
    front = created.read_text(encoding="utf-8").split("\n---\n", 1)[0]
    created.write_text(front + "\n---\nOur spring sprint starts on Monday!\n", encoding="utf-8")
    proc = clarion("validate", str(created), cwd=repo)
    assert proc.returncode == 0, proc.stdout
    again = clarion("new", "spring-sprint", cwd=repo)
    assert again.returncode == 2
    assert "already exists" in again.stderr


def test_preview_shows_each_networks_parts_and_counts(clarion: Run) -> None:
    proc = clarion("preview", "posts/2026/pycon-cfp-thread.md", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "\n  X: " in proc.stdout
    assert "    part 1 of 3: " in proc.stdout
    assert "part 3 of 3: " in proc.stdout
    assert "Bluesky" in proc.stdout
    markdown = clarion(
        "preview", "posts/2026/pycon-cfp-thread.md", "--format", "markdown", cwd=ROOT
    )
    assert "#### Mastodon" in markdown.stdout


def test_history_networks_only_warn(repo: Path, clarion: Run) -> None:
    """An imported archive validates as it is: a network with every part
    published is history, so its checks are warnings."""
    _post(
        repo,
        "archive/old.md",
        '---\npublished:\n  x:\n    - id: "1"\n      url: https://x.com/example/status/1\n'
        "      at: 2019-01-01T00:00:00Z\n---\n" + "long " * 70 + "\n",
    )
    proc = clarion("validate", "--format", "json", cwd=repo)
    assert proc.returncode == 0, proc.stdout
    (post,) = json.loads(proc.stdout)["posts"]
    assert [p["severity"] for p in post["problems"]] == ["warning"]
    assert list(post["networks"]) == ["x"]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_base_flags_hand_edited_receipts(repo: Path, clarion: Run) -> None:
    receipt = (
        '---\nplatforms: [x]\npublished:\n  x:\n    - id: "1"\n'
        "      url: https://x.com/example/status/1\n      at: 2026-01-01T00:00:00Z\n---\nHi\n"
    )
    unknown = "---\nplatforms: [x]\npublished:\n  x:\n    - outcome: unknown\n      at: 2026-01-01T00:00:00Z\n---\nHi\n"
    _post(repo, "kept.md", receipt)
    _post(repo, "settled.md", unknown)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    _post(repo, "kept.md", receipt.replace('id: "1"', 'id: "2"'))
    _post(repo, "settled.md", receipt)
    _post(repo, "new.md", receipt)
    proc = clarion("validate", "--base", "main", "--format", "json", cwd=repo)
    posts = {
        p["path"]: [q["code"] for q in p["problems"]] for p in json.loads(proc.stdout)["posts"]
    }
    assert posts["posts/kept.md"] == ["receipt-edited"]
    assert posts["posts/settled.md"] == []
    assert posts["posts/new.md"] == ["receipt-in-new-file"]
    assert proc.returncode == 1


def test_mastodon_counts_the_spoiler_on_every_part(repo: Path, clarion: Run) -> None:
    """Each part of a thread goes out with the content warning, which Mastodon counts."""
    _post(
        repo,
        "cw.md",
        "---\nplatforms: [mastodon]\ncontent_warning: Spoilers!!\n---\nShort first part.\n\n---\n\n"
        + "x" * 495
        + "\n",
    )
    proc = clarion("validate", "--format", "json", cwd=repo)
    (post,) = json.loads(proc.stdout)["posts"]
    assert [p["length"] for p in post["networks"]["mastodon"]["parts"]] == [27, 505]
    assert [p["code"] for p in post["problems"]] == ["mastodon-too-long"]
