"""A post still holding the text of `clarion new`'s template is an error, at the
line of that text; once it is replaced, the scaffold validates."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Run


def _problems(proc_stdout: str) -> list[dict[str, object]]:
    (post,) = json.loads(proc_stdout)["posts"]
    problems: list[dict[str, object]] = post["problems"]
    return problems


def test_the_template_merged_unchanged_is_an_error(repo: Path, clarion: Run) -> None:
    assert clarion("new", "spring-sprint", cwd=repo).returncode == 0
    (created,) = (repo / "posts").rglob("spring-sprint.md")
    lines = created.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines, 1) if "Write your announcement" in line)
    hint = next(i for i, line in enumerate(lines, 1) if "three dashes" in line)
    proc = clarion("validate", "--format", "json", str(created), cwd=repo)
    assert proc.returncode == 1, proc.stdout
    found = [
        (p["line"], p["severity"]) for p in _problems(proc.stdout) if p["code"] == "template-text"
    ]
    assert found == [(first, "error"), (hint, "error")]
    text = clarion("validate", str(created), cwd=repo).stdout
    assert f"spring-sprint.md:{first}:1: error[template-text]: " in text
    assert "clarion new" in text


def test_the_template_with_its_text_replaced_validates(repo: Path, clarion: Run) -> None:
    assert clarion("new", "spring-sprint", cwd=repo).returncode == 0
    (created,) = (repo / "posts").rglob("spring-sprint.md")
    template = created.read_text(encoding="utf-8")
    body = template.split("\n---\n", 1)[0] + "\n---\nOur spring sprint starts on Monday!\n"
    created.write_text(body, encoding="utf-8")
    proc = clarion("validate", "--format", "json", str(created), cwd=repo)
    assert proc.returncode == 0, proc.stdout
    assert not [p for p in _problems(proc.stdout) if p["code"] == "template-text"]


def test_a_networks_own_body_is_checked_too(repo: Path, clarion: Run) -> None:
    post = repo / "posts" / "a.md"
    post.write_text(
        "---\nlang: en\nx:\n  body: |\n    Short text for X.\n"
        "    Write your announcement here.\n---\nThe real text.\n",
        encoding="utf-8",
    )
    proc = clarion("validate", "--format", "json", str(post), cwd=repo)
    assert proc.returncode == 1, proc.stdout
    found = [p["line"] for p in _problems(proc.stdout) if p["code"] == "template-text"]
    assert found == [6]
