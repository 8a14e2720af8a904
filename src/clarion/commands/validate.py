"""`clarion validate`: check posts, report in the chosen format, exit 1 when any is invalid."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from clarion.check.checks import check_paths, check_paths_encoded
from clarion.check.reporters import get
from clarion.commands import post_paths
from clarion.settings import Settings


def run(settings: Settings, paths: Sequence[Path], fmt: str, base: str | None) -> int:
    files = post_paths(settings, paths)
    if fmt == "json" and not base:
        # Encoded where checked: a big tree's workers send back text.
        from clarion.check.reporters import json

        ok, encoded = check_paths_encoded(files, settings, json.encode)
        json.write(ok, encoded, sys.stdout)
        return 0 if ok else 1
    result = check_paths(files, settings)
    if base:
        from clarion.check.receipt_edits import check_receipt_edits

        check_receipt_edits(result, settings, base)
    get(fmt)(result, sys.stdout)
    return 0 if result.ok else 1
