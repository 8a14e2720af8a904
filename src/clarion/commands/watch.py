"""`clarion watch`: what the networks did to published posts since the last run.

Exit status: 1 when something new is found or a network could not be watched,
2 when the settings or credentials are wrong (after every other network was
watched and reported), 0 otherwise.

`--sandbox` rehearses it: the example posts published to local stand-ins as
`publish --sandbox` does, some hidden, labelled, marked and deleted there, then
watched by the same code, with no state read or written and no issue kept.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping

from clarion import networks
from clarion.errors import ClarionError, ConfigError, UsageError
from clarion.logsafe import untrusted
from clarion.settings import Settings
from clarion.watch import issue as watch_issue
from clarion.watch.model import Finding, Watched, WatchReport
from clarion.watch.reporters import REPORTERS, network_lines
from clarion.watch.run import watch
from clarion.watch.state import STATE_FILE, UnreadableState, read_state, write_state


def _say(message: str) -> None:
    print(untrusted(message), file=sys.stderr, flush=True)


def _previous(settings: Settings) -> list[tuple[Finding, str]]:
    try:
        return read_state(settings.root)
    except UnreadableState as exc:
        _say(
            f"clarion: {exc.message}: read as empty, so what it held is reported as new "
            f"once more; {STATE_FILE} is written again at the end of this run"
        )
        return []


def run(
    settings: Settings,
    fmt: str,
    *,
    issue: bool = False,
    env: Mapping[str, str] | None = None,
    sandbox: bool = False,
) -> int:
    if sandbox:
        return _run_sandbox(settings, fmt, issue=issue)
    environ = os.environ if env is None else env
    previous = _previous(settings)
    keeper: watch_issue.WatchIssues | None = None
    file_url: Callable[[str], str] | None = None
    found: watch_issue.Found | None = None
    issue_problem: ClarionError | None = None
    if issue:
        keeper, file_url = watch_issue.from_env(environ)
        try:
            found = keeper.find()
        except ClarionError as exc:  # watch anyway; say it at the end
            issue_problem, keeper = exc, None
        else:
            remembered = watch_issue.state_from_body(found.body) if found else None
            if remembered is not None:  # the workflow's memory: its checkout is fresh each day
                previous = remembered
    report, kept = watch(settings, environ, previous)
    write_state(settings.root, kept)
    shown = REPORTERS[fmt](report)
    if shown:
        print(shown)
    if fmt == "json":  # stdout holds the JSON alone: what was not watched goes to stderr
        for line in network_lines(report):
            _say(line)
    if keeper is not None:
        body = watch_issue.issue_body(report, kept, file_url)
        _say(keeper.apply(watch_issue.decide(found, report, body)))
    return _status(report, issue_problem)


def _run_sandbox(settings: Settings, fmt: str, *, issue: bool) -> int:
    from clarion.commands.publish import rehearsal
    from clarion.post.receipts import format_time
    from clarion.sandbox.happenings import Out, moderate

    if issue:
        raise UsageError(
            "--issue keeps the repository's watch issue on GitHub: --sandbox changes "
            "nothing, so it takes no --issue"
        )
    if fmt == "github":
        raise UsageError(
            "--format github writes the workflow's outputs and step summary: --sandbox "
            "writes no file, so use --format text or json"
        )
    then = "hiding, labelling, marking and deleting some there and watching them"
    with rehearsal(settings, then) as (box, sent):
        parts: dict[str, list[Watched]] = {}
        outs: list[Out] = []
        for s in sent.sent:
            if s.receipt.id is None:
                continue
            at = format_time(s.receipt.at)
            parts.setdefault(s.network, []).append(
                Watched(s.path, s.part, s.receipt.id, s.receipt.url, at)
            )
            outs.append(Out(s.network, s.path, s.part, s.receipt.id))
        for done in moderate(box, outs):
            out = done.out
            where = f"{out.path}, part {out.part + 1}"
            _say(f"sandbox: {networks.display(out.network)}: {where}: {done.what}")
        report, _ = watch(sent.reading_settings(), sent.env, [], parts=parts)
    shown = REPORTERS[fmt](report)
    if shown:
        print(shown)
    if fmt == "json":
        for line in network_lines(report):
            _say(line)
    return max(_status(report, None), 1 if sent.report.failed else 0)


def _status(report: WatchReport, issue_problem: ClarionError | None) -> int:
    config = [r for r in report.failed if r.config]
    if config:
        raise ConfigError("; ".join(r.failure or networks.display(r.network) for r in config))
    if issue_problem is not None:
        raise issue_problem
    return 1 if report.new or report.failed else 0
