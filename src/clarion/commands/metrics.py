"""`clarion metrics`: read the counts of published parts and append what changed.

Progress goes to standard error as the run goes; the report, text or JSON, to
standard output at the end. Exit status 0 when every network with parts due was
read (or is not read by choice), 1 when one failed (the others' lines are
written all the same), 2 when credentials are missing or refused.

`--sandbox` rehearses it: the example posts published to local stand-ins as
`publish --sandbox` does, counts and followers moved there, then read by the
same code, the lines it would write printed and no file written.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading

from clarion.errors import ClarionError, UsageError
from clarion.logsafe import untrusted
from clarion.settings import Settings


def run(settings: Settings, fmt: str, *, commit: bool = False, sandbox: bool = False) -> int:
    from clarion.metrics.lines import FOLDER
    from clarion.metrics.report import REPORTERS
    from clarion.metrics.run import run as read_counts

    if sandbox:
        if commit:
            raise UsageError("--sandbox writes no line, so there is nothing to --commit")
        return _run_sandbox(settings, fmt)
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


_SAYING = threading.Lock()  # the networks are read side by side: one line at a time


def _progress(message: str) -> None:
    line = untrusted(f"clarion metrics: {message}") + "\n"
    with _SAYING:
        sys.stderr.write(line)
        sys.stderr.flush()


def _run_sandbox(settings: Settings, fmt: str) -> int:
    from clarion.commands.publish import rehearsal
    from clarion.metrics.parts import Published
    from clarion.metrics.report import REPORTERS
    from clarion.metrics.run import run as read_counts
    from clarion.post.receipts import format_time
    from clarion.sandbox.happenings import Out, move_counts

    then = "moving their counts and followers there and reading them"
    with rehearsal(settings, then) as (box, sent):
        parts: list[Published] = []
        outs: list[Out] = []
        for s in sent.sent:
            if s.receipt.id is not None:
                at = format_time(s.receipt.at)
                parts.append(Published(s.network, s.path, s.part, s.receipt.id, at))
                outs.append(Out(s.network, s.path, s.part, s.receipt.id))
        move_counts(box, outs)
        report = read_counts(
            sent.reading_settings(),
            sent.env,
            dt.datetime.now(dt.UTC),
            progress=_progress,
            parts=parts,
            write=False,
        )
    print(REPORTERS[fmt](report))
    return max(report.exit_code, 1 if sent.report.failed else 0)
