"""The preview's three reporters, byte for byte, on posts kept as cases.

Each folder in golden/ is one case: post.md (with any images it names beside
it), copied into a repository as posts/<case>.md, and what `clarion preview`
shows for it at NOW: expected.md (the pull request's comment), expected.txt
(the terminal and the check's log) and expected.json. The repository's time
zone is Europe/Amsterdam, so schedules show both zones. Adding a case is
adding a folder. To (re)write the expected files after a deliberate change,
run with CLARION_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from clarion.check.checks import check_post
from clarion.post import read_post
from clarion.preview.model import PreviewContext, build
from clarion.preview.render import render_json, render_markdown, render_text
from clarion.settings import load_settings
from tests.conftest import PYPROJECT

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p for p in GOLDEN.iterdir() if p.is_dir())

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
COMMIT = "e4d909c290d0fb1ca068ffaddf22cbd077c1b7e2"
CONTEXT = PreviewContext(
    timezone="Europe/Amsterdam",
    image_base=f"https://github.com/octo-org/announcements/raw/{COMMIT}/",
    commit=COMMIT,
)
RENDERERS = {
    "expected.md": render_markdown,
    "expected.txt": render_text,
    "expected.json": render_json,
}


def check_golden(actual: str, expected: Path) -> None:
    """`actual` is what `expected` holds; with CLARION_UPDATE_GOLDEN=1 it is written there first."""
    if os.environ.get("CLARION_UPDATE_GOLDEN"):
        expected.write_text(actual, encoding="utf-8")
    assert actual == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_golden(case: Path, name: str, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    posts = root / "posts"
    posts.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        PYPROJECT.replace('timezone = "UTC"', 'timezone = "Europe/Amsterdam"'), encoding="utf-8"
    )
    for source in case.iterdir():
        if source.name == "post.md":
            shutil.copyfile(source, posts / f"{case.name}.md")
        elif not source.name.startswith("expected."):
            shutil.copyfile(source, posts / source.name)
    settings = load_settings(root)
    post = read_post(posts / f"{case.name}.md", root)
    preview = build([(post, check_post(post, settings))], settings.platforms, NOW, CONTEXT)
    check_golden(RENDERERS[name](preview), case / name)
