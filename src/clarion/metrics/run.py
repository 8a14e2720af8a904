"""One `clarion metrics` run: what is due, read network by network, lines appended.

Reads the metrics files once, keeping only the newest line of each part
(`clarion.metrics.lines.latest`), and the posts' receipts; asks each network's
reader (its registry entry's `metrics`) for the parts due (`schedule`); and
appends a line for each part whose counts changed since its newest line, or
that has none yet, to `metrics/YYYY-MM.jsonl`, batch by batch. A network that
fails stops there; what it read before, and every other network's lines, stay
written.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from clarion import networks
from clarion.metrics.fetch import Fetcher
from clarion.metrics.lines import FOLDER, MetricsLine, latest, month_file
from clarion.metrics.parts import Published, published_parts
from clarion.metrics.readers import (
    Batch,
    NotRead,
    Reader,
    ReaderFactory,
    ReadFailed,
    Target,
)
from clarion.metrics.schedule import Due, due, parse_time
from clarion.metrics.sink import KeptLines, LineSink
from clarion.settings import Settings

Progress = Callable[[str], None]
PROGRESS_EVERY = 1000  # parts, between progress lines


@dataclass
class NetworkResult:
    """What one network's part of the run did."""

    network: str
    display: str
    due: int = 0  # parts due a read
    read: int = 0  # parts the network returned counts for
    written: int = 0  # lines appended (counts changed, or first read)
    missing: int = 0  # parts it did not return: deleted, hidden or not visible
    followers: int | None = None
    requests: int = 0
    skipped: str | None = None  # not read, and why (no failure)
    error: str | None = None  # stopped by a failure
    exit_code: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class MetricsReport:
    at: str  # the run's time, on every line it wrote
    file: str  # the metrics file it appends to, relative to the repository
    networks: list[NetworkResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # bad lines, unreadable posts
    pushed: str | None = None  # what --commit did
    # The lines of a run that writes none (the sandbox's), in the registry's order;
    # None when they were appended to `file`.
    lines: list[MetricsLine] | None = None

    @property
    def written(self) -> int:
        return sum(result.written for result in self.networks)

    @property
    def exit_code(self) -> int:
        return max((result.exit_code for result in self.networks), default=0)


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def due_targets(
    settings: Settings,
    now: dt.datetime,
    seen: Mapping[tuple[str, str, int], MetricsLine],
    warnings: list[str],
    parts: Iterable[Published] | None = None,
) -> dict[str, list[Target]]:
    """Each network's parts due a read at `now` (of `parts`, by default those the
    posts' receipts hold): recent ones first, newest first."""
    found: dict[str, list[Target]] = {}
    for part in published_parts(settings, warnings) if parts is None else parts:
        last = seen.get((part.network, part.id, part.part))
        published = parse_time(part.at)
        why = due(now, published, parse_time(last.at) if last else None, part.id)
        if why is not None:
            target = Target(part.path, part.part, part.id, published, why is Due.DAILY)
            found.setdefault(part.network, []).append(target)
    for targets in found.values():
        targets.sort(key=_order)
    return found


def _order(target: Target) -> tuple[bool, int, str, int]:
    """Recent parts first (X may not read them all), the newest day first, then
    post by post and part by part: the lines of a run read in a stable order."""
    day = target.published.toordinal() if target.published is not None else 0
    return (not target.daily, -day, target.path, target.part)


def run(
    settings: Settings,
    env: Mapping[str, str],
    now: dt.datetime,
    *,
    progress: Progress = lambda message: None,
    fetcher: Callable[[str], Fetcher] | None = None,
    parts: Iterable[Published] | None = None,
    write: bool = True,
) -> MetricsReport:
    """Read the parts due and append the lines. `parts`: those to read instead of
    the receipts' (the sandbox's, kept in memory); `write=False`: the lines are kept
    in the report's `lines` and no file is written."""
    at = stamp(now)
    folder = settings.root / FOLDER
    path = month_file(folder, at)
    report = MetricsReport(at, path.relative_to(settings.root).as_posix())
    seen = latest(folder, lambda bad: report.warnings.append(str(bad)))
    unreadable: list[str] = []
    targets = due_targets(settings, now, seen, unreadable, parts)
    report.warnings.extend(f"{where} (its parts are not read)" for where in unreadable)
    make = fetcher or (lambda display: _fetcher(settings, display))
    jobs: list[Callable[[], None]] = []
    sink = LineSink(path) if write else KeptLines(path)
    lines = _Lines(seen, sink, at)
    for entry in networks.all_networks():
        due_here = targets.get(entry.name, [])
        account = settings.account(entry.name)
        if not due_here and (account is None or not entry.metrics):
            continue
        result = NetworkResult(entry.name, entry.display, due=len(due_here))
        report.networks.append(result)
        if account is None:
            result.skipped = f"not read: no [tool.clarion.accounts.{entry.name}] in the settings"
        elif not entry.metrics:
            result.skipped = "not read: Clarion cannot read its counts yet"
        elif due_here:
            jobs.append(
                functools.partial(
                    _read_network,
                    entry,
                    account,
                    env,
                    make,
                    due_here,
                    result,
                    lines,
                    progress,
                )
            )
    # The networks are read side by side: each waits on its own network only, and
    # one that fails or waits out a rate limit holds none of the others up.
    try:
        with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
            for running in [pool.submit(job) for job in jobs]:
                running.result()  # a bug shows its traceback, once the others are done
    finally:
        sink.close()
    if isinstance(sink, KeptLines):
        order = {name: index for index, name in enumerate(networks.names())}
        report.lines = sorted(sink.lines, key=lambda x: (order[x.network], x.path, x.part))
    return report


def _read_network(
    entry: networks.Network,
    account: object,
    env: Mapping[str, str],
    make: Callable[[str], Fetcher],
    targets: list[Target],
    result: NetworkResult,
    lines: _Lines,
    progress: Progress,
) -> None:
    """Read one network's `targets` through a fetcher of its own, closed (and its
    requests counted) however the reading ends."""
    fetch = make(entry.display)
    try:
        reader = _reader(entry, account, env, fetch, result)
        if reader is not None:
            _read(reader, targets, result, lines, progress)
    finally:
        result.requests = fetch.requests
        fetch.close()


def _reader(
    entry: networks.Network,
    account: object,
    env: Mapping[str, str],
    fetch: Fetcher,
    result: NetworkResult,
) -> Reader | None:
    """The network's reader; None, and why in `result`, when it is not read this run."""
    factory: ReaderFactory = entry.metrics_reader()
    try:
        return factory(account, env, fetch)
    except NotRead as why:
        result.skipped = why.message
    except ReadFailed as failed:
        result.error, result.exit_code = failed.message, failed.exit_code
    return None


def _read(
    reader: Reader,
    targets: list[Target],
    result: NetworkResult,
    lines: _Lines,
    progress: Progress,
) -> None:
    progress(f"{result.display}: reading {len(targets):,} part(s)")
    done = 0
    try:
        result.followers = reader.followers()
        for batch in reader.read(targets):
            if batch.followers is not None:
                result.followers = batch.followers
            lines.record(batch, result)
            before, done = done, done + len(batch.found) + len(batch.missing)
            if done // PROGRESS_EVERY > before // PROGRESS_EVERY:
                progress(f"{result.display}: {done:,} of {len(targets):,} read")
    except ReadFailed as failed:
        result.error, result.exit_code = failed.message, failed.exit_code
    finally:
        result.notes.extend(reader.notes)


@dataclass(frozen=True)
class _Lines:
    """Where the run's lines go: `seen`, each part's newest line (a part whose counts
    have not changed since gets no new one), the sink, and the run's time."""

    seen: Mapping[tuple[str, str, int], MetricsLine]
    sink: LineSink
    at: str

    def record(self, batch: Batch, result: NetworkResult) -> None:
        """The batch's parts whose counts changed, appended at once."""
        result.missing += len(batch.missing)
        changed = []
        for target, counts in batch.found:
            result.read += 1
            last = self.seen.get((result.network, target.id, target.part))
            values = counts.values()
            if last is not None and values == (
                last.likes,
                last.reposts,
                last.replies,
                last.quotes,
                last.views,
            ):
                continue
            changed.append(
                MetricsLine(
                    result.network,
                    target.path,
                    target.part,
                    target.id,
                    self.at,
                    likes=counts.likes,
                    reposts=counts.reposts,
                    replies=counts.replies,
                    quotes=counts.quotes,
                    views=counts.views,
                    followers=result.followers,
                )
            )
        self.sink.write_batch(changed)
        result.written += len(changed)


def _fetcher(settings: Settings, display: str) -> Fetcher:
    return Fetcher(
        display,
        timeout=settings.timeout,
        attempts=settings.retries,
        backoff=settings.retry_backoff,
        max_wait=settings.max_retry_wait,
    )
