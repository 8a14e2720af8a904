"""One watch run: every published part, asked of its network's watcher, compared
with what the last run found.

The parts come from the receipts in the post files: each part with an id that
Clarion did not retract itself. Each network with a watcher in the registry
and an account in the settings is watched on its own thread; one that fails is
reported and its last findings are carried over unchanged (nothing is known
about them this run), while the others are watched as usual.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from clarion import networks
from clarion.post import discover, read_post
from clarion.settings import Settings
from clarion.watch.model import (
    Finding,
    NetworkResult,
    Observed,
    Seen,
    Watched,
    Watcher,
    WatchFailed,
    WatchReport,
)


def published_parts(settings: Settings) -> tuple[dict[str, list[Watched]], list[str]]:
    """Per network, the parts its receipts say are out there; and the post files
    that could not be read (their receipts are unknown), for a note."""
    found: dict[str, list[Watched]] = {}
    unreadable: list[str] = []
    if not settings.posts_dir.is_dir():
        return found, unreadable
    for path in discover(settings.posts_dir, settings.root):
        post = read_post(path, settings.root)
        if post.error is not None:
            unreadable.append(post.rel)
            continue
        for network, receipts in post.receipts.items():
            for index, receipt in enumerate(receipts):
                if receipt.id is None or receipt.retracted is not None or receipt.unknown:
                    continue
                found.setdefault(network, []).append(
                    Watched(
                        path=post.rel,
                        part=index,
                        id=receipt.id,
                        url=receipt.url,
                        at=receipt.at,
                        edited=receipt.edited,
                    )
                )
    return found, unreadable


def _finding(network: str, seen: Seen) -> Finding:
    part = seen.part
    return Finding(
        network=network,
        kind=seen.kind,
        detail=seen.detail,
        path=part.path if part else None,
        part=part.part if part else None,
        id=part.id if part else None,
        url=part.url if part else None,
        key=seen.key,
    )


def _watch_one(
    network: str,
    watcher: Watcher,
    account: object,
    env: Mapping[str, str],
    parts: Sequence[Watched],
    timeout: float,
) -> tuple[NetworkResult, Observed | None]:
    result = NetworkResult(network, checked=len(parts))
    try:
        observed = watcher(account, env, parts, timeout=timeout)
    except WatchFailed as exc:
        result.failure = exc.message
        result.config = exc.config
        result.checked = 0
        return result, None
    result.notes.extend(observed.notes)
    return result, observed


def watch(
    settings: Settings,
    env: Mapping[str, str],
    previous: Iterable[tuple[Finding, str]],
    *,
    now: dt.datetime | None = None,
    parts: Mapping[str, list[Watched]] | None = None,
) -> tuple[WatchReport, list[tuple[Finding, str]]]:
    """Watch every network and compare with `previous` (the last run's findings
    and when each was first seen): the report, and the state to keep. `parts`:
    per network, the parts to look at instead of the receipts' (the sandbox's)."""
    moment = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    unreadable: list[str] = []
    if parts is None:
        parts, unreadable = published_parts(settings)
    jobs: list[tuple[str, Watcher, object, list[Watched]]] = []
    for entry in networks.all_networks():
        account = settings.account(entry.name)
        if not entry.watch or account is None:
            continue
        jobs.append((entry.name, entry.watcher(), account, parts.get(entry.name, [])))
    with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        futures = [
            pool.submit(_watch_one, name, watcher, account, env, watched, settings.timeout)
            for name, watcher, account, watched in jobs
        ]
        outcomes = [future.result() for future in futures]

    before = {finding.identity: (finding, since) for finding, since in previous}
    report = WatchReport()
    kept: list[tuple[Finding, str]] = []
    for result, observed in outcomes:
        report.networks.append(result)
        if observed is None:  # not watched this run: what was found stays as it was
            carried = [(f, s) for f, s in before.values() if f.network == result.network]
            kept.extend(carried)
            report.findings.extend(f for f, _ in carried)
            continue
        for seen in observed.seen:
            finding = _finding(result.network, seen)
            earlier = before.get(finding.identity)
            since = earlier[1] if earlier else moment
            finding = dataclasses.replace(finding, new=earlier is None)
            if any(f.identity == finding.identity for f in report.findings):
                continue  # a watcher that says one thing twice
            report.findings.append(finding)
            kept.append((finding, since))
    if unreadable:
        report.notes.append(
            f"{len(unreadable)} post file(s) could not be read, so their parts were not "
            f"watched: {', '.join(unreadable[:5])}{' …' if len(unreadable) > 5 else ''} "
            "(clarion validate says why)"
        )
    report.findings.sort(key=_order)
    return report, kept


def _order(finding: Finding) -> tuple[int, str, int, str, str]:
    order = {name: index for index, name in enumerate(networks.names())}
    return (
        order.get(finding.network, len(order)),
        finding.path or "",
        finding.part if finding.part is not None else -1,
        str(finding.kind),
        finding.key,
    )
