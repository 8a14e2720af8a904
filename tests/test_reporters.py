"""validate's reporters (text, json, github annotations and step summary), byte
for byte against golden files.

Each folder under reporters/ is a case: posts/, the files `clarion validate`
checks in a repository laid out like the template, and expected/, what each
format prints (text.txt, json.json, github.txt) and what the github format
appends to $GITHUB_STEP_SUMMARY (summary.md), and the exit status, the same
for every format (exit-status). Adding a case is adding a folder;
CLARION_UPDATE_GOLDEN=1 writes expected/ (tests/golden.py).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.golden import assert_golden

CASES = sorted(p for p in (Path(__file__).parent / "reporters").iterdir() if p.is_dir())
OUTPUT = {"text": "text.txt", "json": "json.json", "github": "github.txt"}


@pytest.mark.parametrize("fmt", OUTPUT)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_reporter(case: Path, fmt: str, repo: Path, clarion: Run, tmp_path: Path) -> None:
    if (case / "posts").is_dir():
        shutil.copytree(case / "posts", repo / "posts", dirs_exist_ok=True)
    summary = tmp_path / "step-summary.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLARION_", "GITHUB_"))}
    env["GITHUB_STEP_SUMMARY"] = str(summary)
    proc = clarion("validate", "--format", fmt, cwd=repo, env=env)
    assert proc.stderr == ""
    assert_golden(proc.stdout, case / "expected" / OUTPUT[fmt])
    if fmt == "github":
        assert_golden(summary.read_text(encoding="utf-8"), case / "expected" / "summary.md")
    else:
        assert not summary.exists()
    assert_golden(f"{proc.returncode}\n", case / "expected" / "exit-status")
