"""The orchestrator in process: scripted adapters, a sink in memory and a clock that
never sleeps, so every fault happens exactly where the test puts it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from clarion.adapters.base import (
    Adapter,
    AuthError,
    NotSent,
    OutcomeUnknown,
    Outgoing,
    OutgoingPart,
    Receipt,
)
from clarion.check.result import PostResult
from clarion.post import Post
from clarion.post.frontmatter import load, split_parts
from clarion.post.receipts import ReceiptError
from clarion.publish import Mark, Publisher, PublishReport, RetryPolicy, State, plan

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
OK = "ok"
Step = str | Exception  # what the network does with the next request


class Scripted:
    """A network that answers each request with the next step of its script."""

    def __init__(self, name: str, script: list[Step], *, refuse_login: bool = False) -> None:
        self.name = name
        self.script: Iterator[Step] = iter(script)
        self.refuse_login = refuse_login
        self.sent: list[str] = []

    def connect(self) -> None:
        if self.refuse_login:
            raise AuthError(f"{self.name}: the token was refused")

    def send_part(
        self,
        outgoing: Outgoing,
        part: OutgoingPart,
        *,
        root: Receipt | None,
        parent: Receipt | None,
    ) -> Receipt:
        step = next(self.script, OK)
        if isinstance(step, Exception):
            raise step
        self.sent.append(part.text)
        n = len(self.sent)
        return Receipt(at=NOW, id=f"{self.name}-{n}", url=f"https://{self.name}.example/{n}")

    def close(self) -> None:
        pass


class Sink:
    def __init__(self, refuse_at: int | None = None) -> None:
        self.kept: list[tuple[str, int, str | None]] = []
        self.done: list[str] = []
        self.refuse_at = refuse_at

    def record(self, path: Path, network: str, index: int, receipt: Receipt) -> None:
        if index == self.refuse_at:
            raise ReceiptError(f"{path.name}: the file changed while publishing")
        self.kept.append((network, index, receipt.id or receipt.outcome))

    def mark(self, path: Path, network: str, what: Mark, index: int, at: dt.datetime) -> None:
        self.kept.append((network, index, str(what)))

    def post_done(self, post: Post) -> None:
        self.done.append(post.rel)


def thread(parts: int = 3, networks: str = "[x, mastodon]") -> Post:
    body = "\n---\n".join(f"Part {i + 1}" for i in range(parts))
    raw = f"---\nplatforms: {networks}\n---\n{body}\n".encode()
    doc = load(raw)
    return Post(Path("/repo/posts/t.md"), "posts/t.md", doc, tuple(split_parts(doc.body, 4)))


def run(
    adapters: dict[str, Adapter], sink: Sink, *, post: Post | None = None, attempts: int = 3
) -> tuple[PublishReport, list[float], Publisher]:
    jobs, report = plan(
        [(post or thread(), PostResult("posts/t.md"))],
        NOW,
        ("x",),
        Path("/repo"),
        include_examples=False,
    )
    waits: list[float] = []
    factories: dict[str, Callable[[], Adapter]] = {
        name: (lambda a=adapter: a) for name, adapter in adapters.items()
    }
    publisher = Publisher(
        factories, sink, policy=RetryPolicy(attempts, 2.0, 60.0), sleep=waits.append
    )
    publisher.run(jobs, report)
    return report, waits, publisher


def states(report: PublishReport) -> dict[str, State]:
    return {name: n.state for name, n in report.posts[0].networks.items()}


def test_every_part_goes_out_in_order_with_a_receipt_each() -> None:
    x, mastodon, sink = Scripted("x", []), Scripted("mastodon", []), Sink()
    report, waits, _ = run({"x": x, "mastodon": mastodon}, sink)
    assert states(report) == {"x": State.PUBLISHED, "mastodon": State.PUBLISHED}
    assert x.sent == mastodon.sent == ["Part 1", "Part 2", "Part 3"]
    assert sorted(k for k in sink.kept if k[0] == "x") == [
        ("x", 0, "x-1"),
        ("x", 1, "x-2"),
        ("x", 2, "x-3"),
    ]
    assert sink.done == ["posts/t.md"]  # once, after both networks
    assert waits == []


def test_a_server_error_on_part_two_is_tried_again_after_the_backoff() -> None:
    x = Scripted("x", [OK, NotSent("500", retryable=True), NotSent("500", retryable=True)])
    report, waits, _ = run({"x": x, "mastodon": Scripted("mastodon", [])}, Sink())
    assert states(report)["x"] == State.PUBLISHED
    assert x.sent == ["Part 1", "Part 2", "Part 3"]
    assert waits == [2.0, 4.0]


def test_the_retry_budget_is_per_part_and_then_the_part_fails() -> None:
    errors: list[Step] = [NotSent("503", retryable=True)] * 3
    x = Scripted("x", [OK, *errors])
    report, waits, _ = run({"x": x, "mastodon": Scripted("mastodon", [])}, Sink())
    assert states(report) == {"x": State.FAILED, "mastodon": State.PUBLISHED}
    assert x.sent == ["Part 1"]
    assert waits == [2.0, 4.0]
    assert report.failed


def test_a_rate_limit_resetting_later_than_the_policy_allows_is_left_to_the_next_run() -> None:
    x = Scripted("x", [NotSent("429", retryable=True, retry_after=900)])
    report, waits, _ = run({"x": x, "mastodon": Scripted("mastodon", [])}, Sink())
    assert states(report)["x"] == State.FAILED
    assert "the next run will do it" in report.posts[0].networks["x"].message
    assert waits == []


def test_an_unknown_outcome_is_recorded_and_nothing_after_it_is_sent() -> None:
    x, sink = Scripted("x", [OK, OutcomeUnknown("no answer")]), Sink()
    report, waits, _ = run({"x": x, "mastodon": Scripted("mastodon", [])}, sink)
    assert states(report)["x"] == State.NEEDS_PERSON
    assert ("x", 1, "unknown") in sink.kept
    assert x.sent == ["Part 1"]
    assert waits == []


def test_refused_credentials_stop_that_network_only() -> None:
    x = Scripted("x", [], refuse_login=True)
    mastodon = Scripted("mastodon", [])
    report, _, _ = run({"x": x, "mastodon": mastodon}, Sink())
    assert states(report) == {"x": State.FAILED, "mastodon": State.PUBLISHED}
    assert report.auth_failures == {"x": "x: the token was refused"}
    assert mastodon.sent == ["Part 1", "Part 2", "Part 3"]


def test_a_receipt_that_cannot_be_kept_needs_a_person_and_stops_the_thread() -> None:
    x = Scripted("x", [])
    report, _, _ = run({"x": x}, Sink(refuse_at=1), post=thread(networks="[x]"))
    outcome = report.posts[0].networks["x"]
    assert outcome.state == State.NEEDS_PERSON
    assert "the file changed while publishing" in outcome.message
    assert x.sent == ["Part 1", "Part 2"]  # part 2 went out and is reported, 3 did not


def test_a_network_without_an_account_is_reported_not_sent() -> None:
    report, _, _ = run({"mastodon": Scripted("mastodon", [])}, Sink())
    assert states(report)["x"] == State.FAILED
    assert "no X account" in report.posts[0].networks["x"].message


def test_a_stopped_run_starts_nothing() -> None:
    x = Scripted("x", [])
    jobs, report = plan(
        [(thread(networks="[x]"), PostResult("posts/t.md"))],
        NOW,
        ("x",),
        Path("/repo"),
        include_examples=False,
    )
    publisher = Publisher({"x": lambda: x}, Sink(), sleep=pytest.fail)
    publisher.stop()
    publisher.run(jobs, report)
    assert x.sent == []
    assert "the run was stopped" in report.posts[0].networks["x"].message


def test_a_bug_in_one_network_keeps_the_receipts_of_the_others_and_still_raises() -> None:
    x = Scripted("x", [OK, RuntimeError("a bug")])
    mastodon, sink = Scripted("mastodon", []), Sink()
    with pytest.raises(RuntimeError, match="a bug"):
        run({"x": x, "mastodon": mastodon}, sink)
    assert ("mastodon", 2, "mastodon-3") in sink.kept
    assert ("x", 0, "x-1") in sink.kept
    assert sink.done == ["posts/t.md"]  # committed all the same
