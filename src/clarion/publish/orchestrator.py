"""The publish orchestrator: the jobs of a plan, sent network by network, receipts first.

Networks run in parallel and the parts of a thread in order; each receipt goes
to the sink the moment its part succeeds, and one network failing leaves the
others going. It knows nothing of any network's API (adapters do that) nor of
Git or files (the sink records receipts and commits them).
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from enum import StrEnum
from pathlib import Path
from typing import Protocol, TypeVar

from clarion import networks
from clarion.adapters.base import (
    Adapter,
    AdapterError,
    AuthError,
    Deletes,
    Edits,
    OutcomeUnknown,
    Pins,
    Receipt,
)
from clarion.errors import ClarionError
from clarion.post import Post
from clarion.publish.plan import Job, stored_to_receipt
from clarion.publish.report import NetworkOutcome, PublishReport
from clarion.publish.retry import RetryPolicy, retrying
from clarion.publish.state import UNKNOWN_RETRACTED, JobKind, State

T = TypeVar("T")

Progress = Callable[[str], None]


class Mark(StrEnum):
    """What Clarion writes on a receipt after it went out."""

    RETRACTED = "retracted"
    EDITED = "edited"


# What was done to a part whose receipt gets the mark, as messages say it, and as
# the progress line says it once the receipt is marked.
_DONE = {
    Mark.RETRACTED: ("deleted", "deleted (retracted)"),
    Mark.EDITED: ("corrected", "corrected in place"),
}


class ReceiptSink(Protocol):
    """Where the orchestrator puts what happened: the post files and Git, or a list."""

    def record(self, path: Path, network: str, index: int, receipt: Receipt) -> None:
        """Keep the receipt of part `index`; raise ClarionError when it cannot be kept."""

    def mark(self, path: Path, network: str, what: Mark, index: int, at: dt.datetime) -> None:
        """Mark part `index`'s receipt retracted or edited."""

    def post_done(self, post: Post) -> None:
        """Every job of `post` has finished: commit what it changed."""


def _connected(adapter: Adapter) -> Adapter:
    adapter.connect()
    return adapter


class Publisher:
    def __init__(
        self,
        adapters: Mapping[str, Callable[[], Adapter]],
        sink: ReceiptSink,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        progress: Progress | None = None,
    ) -> None:
        self.adapters = adapters
        self.sink = sink
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.progress = progress or (lambda _message: None)
        self._lock = threading.Lock()
        self._done_lock = threading.Lock()
        # Set when the run is asked to stop (a cancelled workflow): the parts on
        # their way finish and are recorded, nothing new starts.
        self.stopping = threading.Event()
        # Adapters being made and connected ahead of `run` (connect_ahead).
        self._ahead: dict[str, Future[Adapter]] = {}
        self._connecting: ThreadPoolExecutor | None = None

    def stop(self) -> None:
        self.stopping.set()

    def connect_ahead(self, names: Iterable[str]) -> None:
        """Connect the adapters of `names` now, so that logging in overlaps what the
        caller does before `run` (checking the posts). Each adapter is made here, one
        after the other in the order given (making one loads its network's library:
        CPU, which threads would only share), and each connects in a thread of its
        own while the next is made. `run` takes them (with what making or connecting
        raised); call `close_unused` once it is done, for those it did not take."""
        wanted = [name for name in names if name in self.adapters and name not in self._ahead]
        if not wanted:
            return
        if self._connecting is None:
            self._connecting = ThreadPoolExecutor(
                max_workers=len(self.adapters), thread_name_prefix="clarion-connect"
            )
        for name in wanted:
            try:
                adapter = self.adapters[name]()
            except Exception as exc:  # raised again where the run takes it
                failed: Future[Adapter] = Future()
                failed.set_exception(exc)
                self._ahead[name] = failed
                continue
            self._ahead[name] = self._connecting.submit(_connected, adapter)

    def close_unused(self) -> None:
        """Close the adapters connected ahead that `run` did not take (their posts
        were found invalid or held, or the run stopped first), once they are connected."""
        while self._ahead:
            _, ahead = self._ahead.popitem()
            # Waits for it; a network that failed to connect sends nothing, so its
            # failure says nothing this run needs.
            if ahead.exception() is None:
                ahead.result().close()
        if self._connecting is not None:
            self._connecting.shutdown()

    def _open(self, network: str) -> Adapter:
        """`network`'s adapter, connected: the one connected ahead (raising what
        connecting raised), else one made and connected now."""
        ahead = self._ahead.pop(network, None)
        return ahead.result() if ahead is not None else _connected(self.adapters[network]())

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
            if last:
                # One at a time: two networks may finish two posts at once, and
                # the callback commits (git's index takes one writer).
                with self._done_lock:
                    self.sink.post_done(job.post)

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
                    outcome.state, outcome.message = State.FAILED, message
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
                adapter = self._open(network)
                # What an adapter learnt at connect for people (a token's days left).
                for notice in getattr(adapter, "notices", ()):
                    self.progress(f"{networks.display(network)}: {notice}")
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
                        if job.kind == JobKind.RETRACT:
                            self._retract(adapter, job, outcome)
                        elif job.kind == JobKind.EDIT:
                            self._edit(adapter, job, outcome)
                        else:
                            self._send(adapter, job, outcome)
                            if job.post.pin and outcome.state == State.PUBLISHED:
                                self._pin(adapter, job, outcome, report)
                    except AuthError as exc:
                        # Refused mid-run (an app or token that may read but not
                        # post): every post left would be refused the same way.
                        report.auth_failures[network] = exc.message
                        outcome.state, outcome.message = State.FAILED, exc.message
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
                outcome.state = State.FAILED
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
                outcome.state = State.NEEDS_PERSON
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
                outcome.state = State.FAILED
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
        outcome.state = State.PUBLISHED

    def _pin(
        self, adapter: Adapter, job: Job, outcome: NetworkOutcome, report: PublishReport
    ) -> None:
        """Pin a post sent in full (`pin: true`) by its first part, where the network's
        API can; elsewhere, or when pinning fails, a person is asked to pin it by hand.
        The post is published either way: pinning is never a reason to send again."""
        network = job.outgoing.network
        name = networks.display(network)
        first = next((receipt for index, receipt in outcome.sent if index == 0), None)
        if first is None:  # the first part went out in an earlier run
            stored = job.post.receipts.get(network, ())
            first = stored_to_receipt(stored[0]) if stored else None
        if first is None or not first.id:
            return
        by_hand = f"pin {job.post.rel} on {name} by hand: {first.url or first.id}"
        if not networks.get(network).can_pin or not isinstance(adapter, Pins):
            with self._lock:
                report.for_a_person.append(f"{by_hand} ({name}'s API cannot pin)")
            return
        where = f"{job.post.rel} on {name}"
        try:
            self._retrying(functools.partial(adapter.pin, first), where)
        except AdapterError as exc:
            outcome.message = f"not pinned: {exc.message}"
            self.progress(f"{where}: not pinned: {exc.message}")
            with self._lock:
                report.for_a_person.append(f"{by_hand} (pinning failed: {exc.message})")
            return
        outcome.message = "pinned"
        self.progress(f"{where}: pinned")

    def _keep(
        self, job: Job, index: int, receipt: Receipt, outcome: NetworkOutcome, where: str
    ) -> bool:
        """Record `receipt` in the post file; when the file will not take it, the part
        needs a person, and the message (which holds the receipt) says what to add."""
        try:
            self.sink.record(job.post.path, job.outgoing.network, index, receipt)
        except ClarionError as exc:
            # Not raised: the other networks' threads and the other posts carry on,
            # and each receipt that could not be written is reported, none forgotten.
            outcome.state = State.NEEDS_PERSON
            outcome.message = "; ".join(m for m in (outcome.message, exc.message) if m)
            self.progress(f"{where}: sent, but the receipt could not be written: {exc.message}")
            return False
        return True

    def _retract(self, adapter: Adapter, job: Job, outcome: NetworkOutcome) -> None:
        network = job.outgoing.network
        if not isinstance(adapter, Deletes):
            outcome.state = State.FAILED
            outcome.message = f"{networks.display(network)} cannot delete posts"
            return
        for index, stored in enumerate(job.post.receipts.get(network, ())):
            if not stored.id or stored.retracted:
                continue
            delete = functools.partial(adapter.delete, stored_to_receipt(stored))
            if not self._act_and_mark(delete, job, index, Mark.RETRACTED, outcome):
                return
        if any(r.unknown for r in job.post.receipts.get(network, ())):
            outcome.state, outcome.message = State.NEEDS_PERSON, UNKNOWN_RETRACTED
            return
        outcome.state, outcome.message = (
            State.RETRACTED,
            "deleted from the network; the file keeps the record",
        )

    def _edit(self, adapter: Adapter, job: Job, outcome: NetworkOutcome) -> None:
        network = job.outgoing.network
        if not isinstance(adapter, Edits):
            outcome.state = State.PUBLISHED
            outcome.message = f"{networks.display(network)} cannot edit a published post"
            return
        receipts = job.post.receipts.get(network, ())
        changed = 0
        for part in job.outgoing.parts:
            if part.index >= len(receipts) or not receipts[part.index].id:
                continue
            receipt = stored_to_receipt(receipts[part.index])
            try:
                if not adapter.needs_edit(receipt, job.outgoing, part):
                    continue
            except AdapterError as exc:
                outcome.state = State.FAILED
                outcome.message = f"part {part.index + 1} not corrected: {exc.message}"
                if isinstance(exc, AuthError):
                    raise
                return
            edit = functools.partial(adapter.edit, receipt, job.outgoing, part)
            if not self._act_and_mark(edit, job, part.index, Mark.EDITED, outcome):
                return
            changed += 1
        outcome.state = State.PUBLISHED
        outcome.message = (
            f"corrected {changed} part(s) in place" if changed else "already up to date"
        )

    def _act_and_mark(
        self, call: Callable[[], object], job: Job, index: int, mark: Mark, outcome: NetworkOutcome
    ) -> bool:
        """Delete or correct part `index` (`call`), then mark its receipt; False (and
        why in `outcome`) when either step fails. Refused credentials stop the network."""
        done, said = _DONE[mark]
        part = f"part {index + 1}"
        where = f"{job.post.rel} {part} on {networks.display(job.outgoing.network)}"
        try:
            self._retrying(call, where)
        except AuthError:
            raise
        except AdapterError as exc:
            outcome.state, outcome.message = State.FAILED, f"{part} not {done}: {exc.message}"
            return False
        try:
            self.sink.mark(
                job.post.path, job.outgoing.network, mark, index, dt.datetime.now(dt.UTC)
            )
        except ClarionError as exc:
            outcome.state, outcome.message = State.FAILED, f"{part} {done}: {exc.message}"
            return False
        self.progress(f"{where}: {said}")
        return True

    def _retrying(self, call: Callable[[], T], where: str) -> T:
        return retrying(
            call,
            self.policy,
            sleep=self.sleep,
            stopping=self.stopping,
            say=lambda message: self.progress(f"{where}: {message}"),
        )
