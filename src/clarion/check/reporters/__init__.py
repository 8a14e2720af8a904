"""Reporters turn a `CheckResult` into one output format each.

A new format is a new reporter here, not new branches in the checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from clarion.check.result import CheckResult

Reporter = Callable[[CheckResult, TextIO], None]


def get(name: str) -> Reporter:
    if name == "json":
        from clarion.check.reporters.json import report
    elif name == "github":
        from clarion.check.reporters.github import report
    else:
        from clarion.check.reporters.text import report
    return report
