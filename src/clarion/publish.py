"""The publish orchestrator: what is due, sent network by network, receipts first.

It decides from the repository's state alone (a post part with no receipt whose
`publish_at` has passed is due), runs the networks in parallel and the parts of
a thread in order, records each receipt the moment its part succeeds, and keeps
going when one network fails. It knows nothing of any network's API (adapters
do that) nor of Git (the caller commits through `on_post_done`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from clarion.adapters.base import (
    Adapter,
    AdapterError,
    AuthError,
    Image,
    LinkCard,
    NotSent,
    OutcomeUnknown,
    Outgoing,
    OutgoingPart,
    Receipt,
)
from clarion.compose import NETWORK_NAMES, compose, spoiler
from clarion.post import Post, StoredReceipt
from clarion.result import PostResult

# States of a post on a network (SPEC.md), as `clarion status` and the summary say them.
PUBLISHED = "published"
SCHEDULED = "scheduled"
DUE = "due"
HELD = "held"
NEEDS_PERSON = "needs-person"
RETRACTED = "retracted"
FAILED = "failed"
INVALID = "invalid"
EXAMPLE = "example"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # tries per part, the first included
    backoff: float = 2.0  # seconds before the second try; doubles after
    max_wait: float = 120.0  # a rate limit resetting later than this fails the part


def state_of(post: Post, network: str, now: dt.datetime) -> str:
    """Where `post` stands on `network`, from the file alone."""
    receipts = post.receipts.get(network, ())
    if any(r.unknown for r in receipts):
        return NEEDS_PERSON
    if receipts and len(receipts) >= len(post.body_parts(network)):
        return PUBLISHED
    when = post.publish_at
    if when is not None and when > now:
        return SCHEDULED
    return DUE


def stored_to_receipt(stored: StoredReceipt) -> Receipt:
    at = dt.datetime.now(dt.UTC)
    with contextlib.suppress(ValueError):
        at = dt.datetime.fromisoformat(stored.at.replace("Z", "+00:00"))
    return Receipt(at=at, id=stored.id, url=stored.url, outcome=stored.outcome)


def outgoing_for(post: Post, network: str, root: Path) -> Outgoing:
    """The post as `network` receives it. Media were checked by the validator."""
    from clarion.media import resolve_media, sniff_file

    images: list[Image] = []
    for ref in post.media:
        path = resolve_media(post.path, root, ref.path)
        info = sniff_file(path)
        if info is None:  # pragma: no cover - the validator refuses these
            continue
        images.append(Image(path, ref.alt, info.mime, info.width, info.height))
    card: LinkCard | None = None
    link = post.link
    if link is not None:
        thumb: Image | None = None
        if link.thumbnail is not None:
            path = resolve_media(post.path, root, link.thumbnail)
            info = sniff_file(path)
            if info is not None:
                thumb = Image(path, link.title, info.mime, info.width, info.height)
        card = LinkCard(link.url, link.title, link.description, thumb)
    parts = tuple(
        OutgoingPart(
            part.index,
            part.text,
            tuple(images) if part.index == 0 else (),
            card if part.index == 0 else None,
        )
        for part in compose(post, network)
    )
    visibility = post.option(network, "visibility")
    return Outgoing(
        key=post.rel,
        network=network,
        parts=parts,
        lang=post.lang,
        spoiler=spoiler(post, network),
        visibility=visibility if isinstance(visibility, str) else None,
    )


@dataclass
class NetworkOutcome:
    """What happened to one post on one network in this run."""

    network: str
    state: str  # published | failed | needs-person | held | scheduled | ...
    sent: list[tuple[int, Receipt]] = field(default_factory=list)  # this run's receipts
    message: str = ""


@dataclass
class PostOutcome:
    path: str
    networks: dict[str, NetworkOutcome] = field(default_factory=dict)


@dataclass
class PublishReport:
    posts: list[PostOutcome] = field(default_factory=list)
    auth_failures: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(
            n.state in (FAILED, NEEDS_PERSON, INVALID)
            for post in self.posts
            for n in post.networks.values()
        ) or bool(self.auth_failures)

    def sent(self) -> list[dict[str, object]]:
        """Everything this run posted, for the action's output."""
        return [
            {
                "path": post.path,
                "network": n.network,
                "part": index + 1,
                "id": receipt.id,
                "url": receipt.url,
            }
            for post in self.posts
            for n in post.networks.values()
            for index, receipt in n.sent
            if not receipt.unknown
        ]


@dataclass(frozen=True)
class Job:
    """One post to send on one network, from part `start` on."""

    post: Post
    outgoing: Outgoing
    start: int


Progress = Callable[[str], None]


class Publisher:
    def __init__(
        self,
        adapters: Mapping[str, Callable[[], Adapter]],
        record: Callable[[Path, str, int, Receipt], None],
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        progress: Progress | None = None,
        on_post_done: Callable[[Post], None] | None = None,
    ) -> None:
        self.adapters = adapters
        self.record = record
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.progress = progress or (lambda _message: None)
        self.on_post_done = on_post_done
        self._lock = threading.Lock()

    def run(self, jobs: Sequence[Job], report: PublishReport) -> None:
        by_network: dict[str, list[Job]] = {}
        for job in jobs:
            by_network.setdefault(job.outgoing.network, []).append(job)
        outcomes = {post.path: post for post in report.posts}
        remaining = {job.post.rel: 0 for job in jobs}
        for job in jobs:
            remaining[job.post.rel] += 1

        def done(job: Job) -> None:
            with self._lock:
                remaining[job.post.rel] -= 1
                last = remaining[job.post.rel] == 0
            if last and self.on_post_done is not None:
                self.on_post_done(job.post)

        def network_thread(network: str, queue: list[Job]) -> None:
            try:
                adapter = self.adapters[network]()
                adapter.connect()
            except AdapterError as exc:
                if isinstance(exc, AuthError):
                    report.auth_failures[network] = exc.message
                for job in queue:
                    outcome = outcomes[job.post.rel].networks[network]
                    outcome.state, outcome.message = FAILED, f"not sent: {exc.message}"
                    done(job)
                return
            try:
                for job in queue:
                    outcome = outcomes[job.post.rel].networks[network]
                    try:
                        self._send(adapter, job, outcome)
                    finally:
                        done(job)
            finally:
                adapter.close()

        if not by_network:
            return
        with ThreadPoolExecutor(max_workers=len(by_network), thread_name_prefix="clarion") as pool:
            futures = [pool.submit(network_thread, n, q) for n, q in by_network.items()]
            for future in futures:
                future.result()

    def _send(self, adapter: Adapter, job: Job, outcome: NetworkOutcome) -> None:
        network = job.outgoing.network
        name = NETWORK_NAMES[network]
        known = [stored_to_receipt(r) for r in job.post.receipts.get(network, ())]
        root = known[0] if known else None
        parent = known[-1] if known else None
        parts = job.outgoing.parts
        for part in parts[job.start :]:
            where = f"{job.post.rel} part {part.index + 1}/{len(parts)} on {name}"
            try:
                receipt = self._attempt(adapter, job.outgoing, part, root, parent, where)
            except OutcomeUnknown as exc:
                unknown = Receipt(at=dt.datetime.now(dt.UTC), outcome="unknown")
                self.record(job.post.path, network, part.index, unknown)
                outcome.sent.append((part.index, unknown))
                outcome.state = NEEDS_PERSON
                outcome.message = (
                    f"part {part.index + 1}: {exc.message} — recorded as 'outcome: unknown'. "
                    f"Check {name}: if it was posted, replace that entry with its id and url; "
                    "if not, delete the entry and it will be sent on the next run"
                )
                self.progress(f"{where}: outcome unknown, needs a person")
                return
            except AdapterError as exc:
                outcome.state = FAILED
                outcome.message = f"part {part.index + 1}: {exc.message}"
                self.progress(f"{where}: failed: {exc.message}")
                return
            self.record(job.post.path, network, part.index, receipt)
            outcome.sent.append((part.index, receipt))
            self.progress(f"{where}: {receipt.url}")
            if root is None:
                root = receipt
            parent = receipt
        outcome.state = PUBLISHED

    def _attempt(
        self,
        adapter: Adapter,
        outgoing: Outgoing,
        part: OutgoingPart,
        root: Receipt | None,
        parent: Receipt | None,
        where: str,
    ) -> Receipt:
        delay = self.policy.backoff
        for attempt in range(1, self.policy.attempts + 1):
            try:
                return adapter.send_part(outgoing, part, root=root, parent=parent)
            except NotSent as exc:
                if not exc.retryable or attempt == self.policy.attempts:
                    raise
                wait = exc.retry_after if exc.retry_after is not None else delay
                if wait > self.policy.max_wait:
                    raise NotSent(
                        f"{exc.message}; the network asks to wait {wait:.0f} s, longer than "
                        f"{self.policy.max_wait:.0f} s: the next run will send it",
                        retryable=False,
                    ) from None
                self.progress(f"{where}: {exc.message}; trying again in {max(wait, 0):.1f} s")
                self.sleep(max(wait, 0.0))
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover


def plan(
    posts: Iterable[tuple[Post, PostResult]],
    now: dt.datetime,
    default_platforms: tuple[str, ...],
    root: Path,
    *,
    include_examples: bool,
    gate: Callable[[Post], str | None] | None = None,
) -> tuple[list[Job], PublishReport]:
    """Decide what is due from the files alone, and the state of everything else."""
    jobs: list[Job] = []
    report = PublishReport()
    ordered = sorted(
        posts,
        key=lambda item: (
            item[0].publish_at or dt.datetime.min.replace(tzinfo=dt.UTC),
            item[0].rel,
        ),
    )
    for post, result in ordered:
        outcome = PostOutcome(post.rel)
        report.posts.append(outcome)
        networks = post.networks(default_platforms)
        if post.example and not include_examples:
            for network in networks:
                outcome.networks[network] = NetworkOutcome(
                    network, EXAMPLE, message="example: true"
                )
            continue
        held: str | None = None
        for network in networks:
            state = state_of(post, network, now)
            if state != DUE:
                outcome.networks[network] = NetworkOutcome(network, state)
                continue
            if not result.ok:
                first = next(p for p in result.problems if p.severity == "error")
                outcome.networks[network] = NetworkOutcome(
                    network, INVALID, message=f"not sent: line {first.line}: {first.message}"
                )
                continue
            if gate is not None and held is None:
                held = gate(post) or ""
            if held:
                outcome.networks[network] = NetworkOutcome(network, HELD, message=held)
                continue
            start = len(post.receipts.get(network, ()))
            outcome.networks[network] = NetworkOutcome(network, DUE)
            jobs.append(Job(post, outgoing_for(post, network, root), start))
    return jobs, report
