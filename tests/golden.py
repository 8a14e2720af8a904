"""Golden files: the exact expected output, kept beside the tests that check it.

`assert_golden(actual, path)` compares `actual` with the file byte for byte
(no newline translation). After a deliberate change, run the tests with
CLARION_UPDATE_GOLDEN=1: they write what they got to the files first, and
`git diff` shows what changed, for review.
"""

from __future__ import annotations

import os
from pathlib import Path

UPDATE = "CLARION_UPDATE_GOLDEN"


def assert_golden(actual: str, path: Path) -> None:
    if os.environ.get(UPDATE):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
    assert path.is_file(), f"no golden file {path}: run with {UPDATE}=1 and review what it writes"
    with path.open(encoding="utf-8", newline="") as golden:
        expected = golden.read()
    assert actual == expected, f"differs from {path} ({UPDATE}=1 rewrites it)"
