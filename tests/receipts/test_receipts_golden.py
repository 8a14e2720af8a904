"""Receipts written into real post files, compared byte for byte with golden files.

Each folder under golden/ is a case: before.md, the changes to apply
(changes.json, in order) and after.md, the exact expected file. Adding a case is
adding a folder. To (re)write after.md after a deliberate change, run with
CLARION_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from clarion.adapters.base import Receipt
from clarion.post import frontmatter, receipts

GOLDEN = Path(__file__).parent / "golden"


def apply_change(path: Path, change: dict[str, Any]) -> None:
    """Apply one change as written in a golden case's changes.json."""
    at = dt.datetime.fromisoformat(change["at"])
    if change["op"] == "receipt":
        receipt = Receipt(
            at=at, id=change.get("id"), url=change.get("url"), outcome=change.get("outcome")
        )
        receipts.record_receipt(path, change["network"], change["index"], receipt)
    elif change["op"] == "retract":
        receipts.record_retraction(path, change["network"], at, index=change.get("index"))
    elif change["op"] == "edit":
        receipts.record_edit(path, change["network"], change["index"], at)
    else:
        raise AssertionError(f"unknown op {change['op']!r}")


def changes_of(case: Path) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = json.loads((case / "changes.json").read_text())
    return changes


CASES = sorted(p for p in GOLDEN.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Path, tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    shutil.copyfile(case / "before.md", post)
    for change in changes_of(case):
        apply_change(post, change)
    result = post.read_bytes()
    if os.environ.get("CLARION_UPDATE_GOLDEN"):
        (case / "after.md").write_bytes(result)
    assert result == (case / "after.md").read_bytes()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_again_changes_nothing(case: Path, tmp_path: Path) -> None:
    """Recording what is already recorded (a re-run) leaves the file alone."""
    post = tmp_path / "post.md"
    shutil.copyfile(case / "after.md", post)
    before = post.stat()
    for change in changes_of(case):
        apply_change(post, change)
    assert post.read_bytes() == (case / "after.md").read_bytes()
    assert post.stat().st_mtime_ns == before.st_mtime_ns
    assert post.stat().st_ino == before.st_ino


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_keeps_body_and_other_keys(case: Path) -> None:
    """Independent of the golden bytes: the body is untouched and only
    `published:` differs in what the post parser reads."""
    before = frontmatter.load((case / "before.md").read_bytes())
    after = frontmatter.load((case / "after.md").read_bytes())
    assert after.body == before.body
    old = {k: v for k, v in before.data.items() if k != "published"}
    new = {k: v for k, v in after.data.items() if k != "published"}
    assert new == old
    assert after.data["published"] != before.data.get("published")
