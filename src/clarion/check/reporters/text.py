"""Plain text for a terminal: one line per problem, `file:line:column`, then a summary."""

from __future__ import annotations

from typing import TextIO

from clarion.check.result import CheckResult
from clarion.logsafe import untrusted


def location(path: str, line: int | None, column: int | None) -> str:
    if line is None:
        return path
    return f"{path}:{line}:{column}" if column else f"{path}:{line}"


def report(result: CheckResult, out: TextIO) -> None:
    for post in result.posts:
        for problem in post.problems:
            where = location(post.path, problem.line, problem.column)
            line = f"{where}: {problem.severity}[{problem.code}]: {problem.message}"
            out.write(untrusted(line) + "\n")
    n = len(result.posts)
    bad = sum(1 for post in result.posts if not post.ok)
    summary = (
        f"{n} post{'s' if n != 1 else ''} checked: "
        f"{result.errors} error{'s' if result.errors != 1 else ''}, "
        f"{result.warnings} warning{'s' if result.warnings != 1 else ''}"
    )
    if bad:
        summary += f"; {bad} post{'s' if bad != 1 else ''} invalid"
    out.write(summary + "\n")
