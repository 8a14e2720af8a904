"""GitHub Actions: an annotation per problem and a Markdown step summary.

Everything that comes from a post is escaped so it can never become a workflow
command: `%`, CR and LF in messages; also `:` and `,` in properties.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

from clarion import networks
from clarion.check.result import CheckResult


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    severity: str, message: str, file: str, line: int | None, column: int | None, title: str
) -> str:
    props = [f"file={escape_property(file)}"]
    if line is not None:
        props.append(f"line={line}")
        if column:
            props.append(f"col={column}")
    props.append(f"title={escape_property(title)}")
    command = "error" if severity == "error" else "warning"
    return f"::{command} {','.join(props)}::{escape_data(message)}"


def summary(result: CheckResult) -> str:
    lines = ["## Clarion check", ""]
    n = len(result.posts)
    if result.ok:
        lines.append(f"✅ {n} post{'s' if n != 1 else ''} valid, {result.warnings} warning(s).")
    else:
        lines.append(f"❌ {result.errors} error(s), {result.warnings} warning(s) in {n} post(s).")
    lines.append("")
    for post in result.posts:
        mark = "✅" if post.ok else "❌"
        counts = ", ".join(
            f"{networks.display(name)} {max((p.length for p in parts), default=0)}/"
            f"{parts[0].limit if parts else 0}"
            for name, parts in post.networks.items()
        )
        lines.append(f"- {mark} `{post.path}`" + (f" — {counts}" if counts else ""))
        for problem in post.problems:
            where = f"line {problem.line}: " if problem.line else ""
            text = problem.message.replace("\n", " ")
            lines.append(f"  - **{problem.severity}** {where}{text}")
    return "\n".join(lines) + "\n"


def report(result: CheckResult, out: TextIO) -> None:
    for post in result.posts:
        for problem in post.problems:
            out.write(
                annotation(
                    problem.severity,
                    problem.message,
                    post.path,
                    problem.line,
                    problem.column,
                    f"clarion {problem.code}",
                )
                + "\n"
            )
    # Only counts after the annotations: no text from a post reaches the log raw.
    out.write(
        f"clarion: {len(result.posts)} post(s) checked: {result.errors} error(s), "
        f"{result.warnings} warning(s)\n"
    )
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(summary(result))
