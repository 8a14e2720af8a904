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
import functools
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from clarion import networks
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
from clarion.compose import compose, spoiler
from clarion.errors import ClarionError
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
    sent = [r for r in receipts if r.id]
    if any(r.unknown for r in receipts):
        return NEEDS_PERSON  # even when retracted: that part may still be out there
    if sent and all(r.retracted for r in sent):
        return RETRACTED
    if post.retract and not sent:
        return RETRACTED  # withdrawn before it went out: nothing more is ever sent
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
    """One post to send on one network, from part `start` on; or, for a post
    already out, to retract (delete) or to correct in place."""

    post: Post
    outgoing: Outgoing
    start: int
    kind: str = "send"  # "send" | "retract" | "edit"


class Marker(Protocol):
    def __call__(
        self, path: Path, network: str, what: str, index: int, at: dt.datetime
    ) -> None: ...


UNKNOWN_RETRACTED = (
    "what has an id was deleted, but a part marked 'outcome: unknown' may still be out there: "
    "if it was posted, put its id and url in that entry and the next run deletes it; if "
    "not, delete the entry"
)

T = TypeVar("T")

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
        mark: Marker | None = None,
    ) -> None:
        self.adapters = adapters
        self.record = record
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.progress = progress or (lambda _message: None)
        self.on_post_done = on_post_done
        self.mark = mark or (lambda *_args: None)
        self._lock = threading.Lock()
        self._done_lock = threading.Lock()
        # Set when the run is asked to stop (a cancelled workflow): the parts on
        # their way finish and are recorded, nothing new starts.
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()

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
                # One at a time: two networks may finish two posts at once, and
                # the callback commits (git's index takes one writer).
                with self._done_lock:
                    self.on_post_done(job.post)

        def network_thread(network: str, queue: list[Job]) -> None:
            left = list(queue)  # jobs not yet handed to `done`

            def finish(job: Job) -> None:
                left.remove(job)
                done(job)

            def stop(message: str) -> None:
                """Give up on the jobs left: they are reported not sent, and still
                handed to `done`, so the receipts that other networks wrote for
                those posts are committed."""
                first: BaseException | None = None
                for job in list(left):
                    outcome = outcomes[job.post.rel].networks[network]
                    outcome.state, outcome.message = FAILED, message
                    try:
                        finish(job)
                    except BaseException as exc:  # a commit that failed: commit the others
                        first = first or exc
                if first is not None:
                    raise first

            if network not in self.adapters:  # a network left: its account is gone
                stop(
                    f"not sent: this repository has no {networks.display(network)} account "
                    f"(add [tool.clarion.accounts.{network}] to pyproject.toml)"
                )
                return
            try:
                adapter = self.adapters[network]()
                adapter.connect()
            except AdapterError as exc:
                if isinstance(exc, AuthError):
                    report.auth_failures[network] = exc.message
                stop(f"not sent: {exc.message}")
                return
            except BaseException:
                stop("not sent: this network stopped on an unexpected error")
                raise
            try:
                for job in queue:
                    if self.stopping.is_set():
                        stop("not sent: the run was stopped; the next run sends it")
                        return
                    outcome = outcomes[job.post.rel].networks[network]
                    try:
                        if job.kind == "retract":
                            self._retract(adapter, job, outcome)
                        elif job.kind == "edit":
                            self._edit(adapter, job, outcome)
                        else:
                            self._send(adapter, job, outcome)
                    except AuthError as exc:
                        # Refused mid-run (an app or token that may read but not
                        # post): every post left would be refused the same way.
                        report.auth_failures[network] = exc.message
                        outcome.state, outcome.message = FAILED, exc.message
                        finish(job)
                        stop(f"not sent: {exc.message}")
                        return
                    finish(job)
            except BaseException as exc:
                # A bug (it keeps its traceback) or a commit that failed: the
                # receipts the other networks wrote are committed all the same.
                stop(f"stopped by an unexpected error ({type(exc).__name__})")
                raise
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
        name = networks.display(network)
        known = [stored_to_receipt(r) for r in job.post.receipts.get(network, ())]
        root = known[0] if known else None
        parent = known[-1] if known else None
        parts = job.outgoing.parts
        for part in parts[job.start :]:
            where = f"{job.post.rel} part {part.index + 1}/{len(parts)} on {name}"
            if self.stopping.is_set():
                outcome.state = FAILED
                outcome.message = (
                    f"part {part.index + 1} and after not sent: the run was stopped; "
                    "the next run sends them"
                )
                return
            try:
                receipt = self._retrying(
                    functools.partial(
                        adapter.send_part, job.outgoing, part, root=root, parent=parent
                    ),
                    where,
                )
            except OutcomeUnknown as exc:
                unknown = Receipt(at=dt.datetime.now(dt.UTC), outcome="unknown")
                outcome.sent.append((part.index, unknown))
                outcome.state = NEEDS_PERSON
                outcome.message = (
                    f"part {part.index + 1}: {exc.message} — recorded as 'outcome: unknown'. "
                    f"Check {name}: if it was posted, replace that entry with its id and url; "
                    "if not, delete the entry and it will be sent on the next run"
                )
                self.progress(f"{where}: outcome unknown, needs a person")
                self._keep(job, part.index, unknown, outcome, where)
                return
            except AuthError:
                raise  # the network thread stops: the credentials will not do
            except AdapterError as exc:
                outcome.state = FAILED
                outcome.message = f"part {part.index + 1}: {exc.message}"
                self.progress(f"{where}: failed: {exc.message}")
                return
            outcome.sent.append((part.index, receipt))
            if not self._keep(job, part.index, receipt, outcome, where):
                return
            self.progress(f"{where}: {receipt.url}")
            if root is None:
                root = receipt
            parent = receipt
        outcome.state = PUBLISHED

    def _keep(
        self, job: Job, index: int, receipt: Receipt, outcome: NetworkOutcome, where: str
    ) -> bool:
        """Record `receipt` in the post file; when the file will not take it, the part
        needs a person, and the message (which holds the receipt) says what to add."""
        try:
            self.record(job.post.path, job.outgoing.network, index, receipt)
        except ClarionError as exc:
            # Not raised: the other networks' threads and the other posts carry on,
            # and each receipt that could not be written is reported, none forgotten.
            outcome.state = NEEDS_PERSON
            outcome.message = "; ".join(m for m in (outcome.message, exc.message) if m)
            self.progress(f"{where}: sent, but the receipt could not be written: {exc.message}")
            return False
        return True

    def _retract(self, adapter: Adapter, job: Job, outcome: NetworkOutcome) -> None:
        network = job.outgoing.network
        delete = getattr(adapter, "delete", None)
        if delete is None:  # pragma: no cover - every adapter deletes
            outcome.state, outcome.message = FAILED, "this network cannot delete posts"
            return
        for index, stored in enumerate(job.post.receipts.get(network, ())):
            if not stored.id or stored.retracted:
                continue
            receipt = stored_to_receipt(stored)
            where = f"{job.post.rel} part {index + 1} on {networks.display(network)}"
            try:
                self._retrying(functools.partial(delete, receipt), where)
            except AuthError:
                raise
            except AdapterError as exc:
                outcome.state, outcome.message = (
                    FAILED,
                    f"part {index + 1} not deleted: {exc.message}",
                )
                return
            try:
                self.mark(job.post.path, network, "retracted", index, dt.datetime.now(dt.UTC))
            except ClarionError as exc:
                outcome.state, outcome.message = FAILED, f"part {index + 1} deleted: {exc.message}"
                return
            self.progress(f"{where}: deleted (retracted)")
        if any(r.unknown for r in job.post.receipts.get(network, ())):
            outcome.state, outcome.message = NEEDS_PERSON, UNKNOWN_RETRACTED
            return
        outcome.state, outcome.message = (
            RETRACTED,
            "deleted from the network; the file keeps the record",
        )

    def _edit(self, adapter: Adapter, job: Job, outcome: NetworkOutcome) -> None:
        network = job.outgoing.network
        needs_edit = getattr(adapter, "needs_edit", None)
        edit = getattr(adapter, "edit", None)
        if needs_edit is None or edit is None:  # pragma: no cover - see EDITABLE
            outcome.state = PUBLISHED
            return
        receipts = job.post.receipts.get(network, ())
        changed = 0
        for part in job.outgoing.parts:
            if part.index >= len(receipts) or not receipts[part.index].id:
                continue
            receipt = stored_to_receipt(receipts[part.index])
            where = f"{job.post.rel} part {part.index + 1} on {networks.display(network)}"
            try:
                if not needs_edit(receipt, job.outgoing, part):
                    continue
                self._retrying(functools.partial(edit, receipt, job.outgoing, part), where)
            except AuthError:
                raise
            except AdapterError as exc:
                outcome.state, outcome.message = (
                    FAILED,
                    f"part {part.index + 1} not corrected: {exc.message}",
                )
                return
            changed += 1
            try:
                self.mark(job.post.path, network, "edited", part.index, dt.datetime.now(dt.UTC))
            except ClarionError as exc:
                outcome.state = FAILED
                outcome.message = f"part {part.index + 1} corrected: {exc.message}"
                return
            self.progress(f"{where}: corrected in place")
        outcome.state = PUBLISHED
        outcome.message = (
            f"corrected {changed} part(s) in place" if changed else "already up to date"
        )

    def _retrying(self, call: Callable[[], T], where: str) -> T:
        """`call` again after a retryable refusal, bounded, honouring the network's
        reset time; a wait longer than the policy allows is left to the next run."""
        delay = self.policy.backoff
        for attempt in range(1, self.policy.attempts + 1):
            try:
                return call()
            except NotSent as exc:
                if not exc.retryable or attempt == self.policy.attempts or self.stopping.is_set():
                    raise
                wait = exc.retry_after if exc.retry_after is not None else delay
                if wait > self.policy.max_wait:
                    raise NotSent(
                        f"{exc.message}; the network asks to wait {wait:.0f} s, longer than "
                        f"{self.policy.max_wait:.0f} s: the next run will do it",
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
    reasons: dict[str, str] = {}

    def gated(post: Post) -> str:
        """Why the approval gate holds `post` ("" when it may go); asked once per post."""
        if gate is None:
            return ""
        if post.rel not in reasons:
            reasons[post.rel] = gate(post) or ""
        return reasons[post.rel]

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
        targets = post.networks(default_platforms)
        if post.example and not include_examples:
            for network in targets:
                outcome.networks[network] = NetworkOutcome(
                    network, EXAMPLE, message="example: true"
                )
            continue
        if post.retract:
            # Nothing more is sent; what went out is deleted (reviewed like any change).
            for network in post.receipts:
                state = state_of(post, network, now)
                if not any(r.id and not r.retracted for r in post.receipts[network]):
                    message = UNKNOWN_RETRACTED if state == NEEDS_PERSON else ""
                    outcome.networks[network] = NetworkOutcome(network, state, message=message)
                elif reason := gated(post):
                    outcome.networks[network] = NetworkOutcome(network, HELD, message=reason)
                else:
                    outcome.networks[network] = NetworkOutcome(network, DUE)
                    # A deletion sends nothing: the post's text and images (maybe gone
                    # from the repository since) are not needed.
                    bare = Outgoing(key=post.rel, network=network, parts=())
                    jobs.append(Job(post, bare, 0, "retract"))
            continue
        for network in targets:
            state = state_of(post, network, now)
            if state == PUBLISHED and post.edit and not result.ok:
                first = next(p for p in result.problems if p.severity == "error")
                outcome.networks[network] = NetworkOutcome(
                    network, INVALID, message=f"not corrected: line {first.line}: {first.message}"
                )
                continue
            if state == PUBLISHED and post.edit:
                if not networks.get(network).can_edit:
                    outcome.networks[network] = NetworkOutcome(
                        network,
                        PUBLISHED,
                        message=f"edit: true — {networks.display(network)} cannot edit a published "
                        "post, so the correction is not applied there (retract it to remove it)",
                    )
                elif reason := gated(post):
                    outcome.networks[network] = NetworkOutcome(network, HELD, message=reason)
                else:
                    outcome.networks[network] = NetworkOutcome(network, PUBLISHED)
                    jobs.append(Job(post, outgoing_for(post, network, root), 0, "edit"))
                continue
            if state != DUE:
                outcome.networks[network] = NetworkOutcome(network, state)
                continue
            if not result.ok:
                first = next(p for p in result.problems if p.severity == "error")
                outcome.networks[network] = NetworkOutcome(
                    network, INVALID, message=f"not sent: line {first.line}: {first.message}"
                )
                continue
            if reason := gated(post):
                outcome.networks[network] = NetworkOutcome(network, HELD, message=reason)
                continue
            start = len(post.receipts.get(network, ()))
            outcome.networks[network] = NetworkOutcome(network, DUE)
            jobs.append(Job(post, outgoing_for(post, network, root), start))
    return jobs, report
