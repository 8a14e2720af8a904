"""`clarion engagement`: compare the networks by engagement, from the metrics lines.

Reads each first part's latest counts from `metrics/*.jsonl` (written by
`clarion metrics`) and the posts' receipts and links from the post files, and
prints per network the medians SPEC names ("Engagement"). A line that is not a
metrics line is named (file:line) on stderr and skipped; it never stops the
report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sys
from collections.abc import Callable

from clarion.engagement.figures import Engagement, compute
from clarion.engagement.posts import Copies, read_copies_aside
from clarion.engagement.reporters import render_csv, render_json, render_text
from clarion.errors import UsageError
from clarion.logsafe import untrusted
from clarion.metrics import lines
from clarion.settings import Settings

REPORTERS: dict[str, Callable[[Engagement], str]] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
}
BAD_LINES_SHOWN = 10  # the rest are counted: a broken file would fill the screen
_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def parse_since(text: str | None) -> dt.date | None:
    """--since: YYYY-MM-DD, or YYYY-MM for the month's first day."""
    if text is None:
        return None
    problem = UsageError(
        f"--since {text!r} is not a date: write it as YYYY-MM-DD (e.g. --since 2026-01-01) "
        "or YYYY-MM"
    )
    found = _DATE.fullmatch(text.strip())
    if found is None:
        raise problem
    year, month, day = found.groups()
    try:
        return dt.date(int(year), int(month), int(day or 1))
    except ValueError:
        raise problem from None


def figures(settings: Settings, since: dt.date | None, warn: Callable[[str], None]) -> Engagement:
    """The engagement of `settings`' repository; problems with the lines go to `warn`."""
    if not settings.posts_dir.is_dir():
        raise UsageError(
            f"there is no {settings.posts} folder in {settings.root}: run clarion in "
            "the repository, or set [tool.clarion] posts in the settings"
        )
    folder = settings.root / lines.FOLDER
    counted = bool(lines.metrics_files(folder))
    # The posts are read while the lines are; without lines there is nothing to match.
    copies = read_copies_aside(settings.root, settings.posts_dir) if counted else Copies
    bad: list[lines.BadLine] = []
    latest = lines.latest(folder, bad.append, parts=(0,))
    for problem in bad[:BAD_LINES_SHOWN]:
        warn(str(dataclasses.replace(problem, file=problem.file.relative_to(settings.root))))
    if len(bad) > BAD_LINES_SHOWN:
        warn(f"… and {len(bad) - BAD_LINES_SHOWN:,} more lines that are not metrics lines")
    if not counted:
        warn(
            f"there are no metrics lines in {lines.FOLDER}/ yet: `clarion metrics` writes "
            "them (the metrics workflow runs it daily)"
        )
    result = compute(latest.values(), copies(), since=since, networks_shown=settings.accounts)
    if result.unmatched:
        warn(
            f"{result.unmatched:,} post(s) counted in {lines.FOLDER}/ are in no post file "
            f"under {settings.posts}/ now (deleted, or their receipts removed): left out"
        )
    if result.undated:
        warn(
            f"{result.undated:,} post(s) left out by --since: their first receipt has no "
            "readable `at` time"
        )
    return result


def run(settings: Settings, since: str | None, fmt: str) -> int:
    def warn(message: str) -> None:
        print(f"warning: {untrusted(message)}", file=sys.stderr)

    result = figures(settings, parse_since(since), warn)
    sys.stdout.write(untrusted(REPORTERS[fmt](result)))
    return 0
