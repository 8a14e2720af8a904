"""Front matter that would exhaust the stack or the memory is refused with a
message and a line, and stops no command: the other posts are still checked.
Cases that are a small file are examples under examples/negative/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run

GOOD = "---\nlang: en\n---\nA good post.\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _validate(clarion: Run, repo: Path) -> tuple[int, dict[str, Any]]:
    proc = clarion("validate", "--format", "json", cwd=repo)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, {p["path"]: p for p in json.loads(proc.stdout)["posts"]}


def _error(post: dict[str, Any]) -> dict[str, Any]:
    assert not post["ok"]
    (problem,) = [p for p in post["problems"] if p["severity"] == "error"]
    assert problem["message"]
    return problem


def _deep(levels: int) -> str:
    return "---\nlang: en\nx: " + "[" * levels + "]" * levels + "\n---\nDeep.\n"


@pytest.mark.parametrize("levels", [100, 600, 5000])
def test_deep_nesting_stops_no_command(repo: Path, clarion: Run, levels: int) -> None:
    _write(repo / "posts" / "deep.md", _deep(levels))
    _write(repo / "posts" / "good.md", GOOD)
    code, posts = _validate(clarion, repo)
    assert code == 1
    problem = _error(posts["posts/deep.md"])
    assert (problem["code"], problem["line"]) == ("yaml-too-deep", 3)
    assert posts["posts/good.md"]["ok"]
    commands = [("status",), ("publish", "--dry-run"), ("preview", "posts/deep.md")]
    runs = {args: clarion(*args, cwd=repo) for args in commands}
    assert {args: run.returncode for args, run in runs.items()} == dict.fromkeys(commands, 1)
    assert {args: run.stderr for args, run in runs.items() if "Traceback" in run.stderr} == {}


def test_very_many_values_are_refused(repo: Path, clarion: Run) -> None:
    items = ", ".join(["a"] * 200_000)
    _write(repo / "posts" / "many.md", f"---\nlang: en\nx: [{items}]\n---\nMany.\n")
    _write(repo / "posts" / "good.md", GOOD)
    code, posts = _validate(clarion, repo)
    assert code == 1
    problem = _error(posts["posts/many.md"])
    assert (problem["code"], problem["line"]) == ("yaml-too-large", 3)
    assert posts["posts/good.md"]["ok"]
