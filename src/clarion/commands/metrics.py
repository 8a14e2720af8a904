"""`clarion metrics`: read the counts of published parts and append what changed.

Progress goes to standard error as the run goes; the report, text or JSON, to
standard output at the end. Exit status 0 when every network with parts due was
read (or is not read by choice), 1 when one failed (the others' lines are
written all the same), 2 when credentials are missing or refused.
"""

from __future__ import annotations

import datetime as dt
import os
import sys

from clarion.errors import ClarionError, UsageError
from clarion.logsafe import untrusted
from clarion.settings import Settings


def run(settings: Settings, fmt: str, *, commit: bool = False) -> int:
    from clarion.metrics.lines import FOLDER
    from clarion.metrics.report import REPORTERS
    from clarion.metrics.run import run as read_counts

    repo = None
    if commit:
        from clarion.metrics.commit import open_repo

        try:
            repo, caught_up = open_repo(settings.root, settings.git_author)
        except ClarionError as exc:
            raise UsageError(
                f"--commit needs a git repository with the metrics: {exc.message}"
            ) from None
        _progress(caught_up)
    report = read_counts(settings, os.environ, dt.datetime.now(dt.UTC), progress=_progress)
    try:
        if repo is not None:
            from clarion.metrics.commit import commit_and_push

            path = settings.root / report.file
            if path.parent.name == FOLDER and path.exists():
                report.pushed = commit_and_push(repo, path, report.file)
            else:
                report.pushed = "nothing to commit: no metrics file yet"
    finally:
        print(REPORTERS[fmt](report))
    return report.exit_code


def _progress(message: str) -> None:
    print(untrusted(f"clarion metrics: {message}"), file=sys.stderr, flush=True)
