"""Where a post stands on a network, decided in one place for plan, status and preview.

`receipt_state` reads the file alone (receipts and schedule); `effective_state`
adds what the check found and what the post asks for (`retract`, `edit`,
`example`), and says what a run would do: send, retract, edit, or nothing.
The approval gate, asked only by a real run, may still hold what is due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from clarion import networks
from clarion.check.result import ERROR, PostResult
from clarion.post import Post


class State(StrEnum):
    """States of a post on a network (SPEC.md), as `status` and the summary say them."""

    PUBLISHED = "published"
    SCHEDULED = "scheduled"
    DUE = "due"
    HELD = "held"  # the approval gate stopped it
    INVALID = "invalid"
    NEEDS_PERSON = "needs-person"  # an `outcome: unknown` to settle
    RETRACTED = "retracted"
    FAILED = "failed"  # this run tried and did not succeed
    EXAMPLE = "example"  # `example: true`: sent only by --sandbox and --dry-run


class JobKind(StrEnum):
    SEND = "send"  # the parts without a receipt
    RETRACT = "retract"  # delete what went out
    EDIT = "edit"  # correct in place what went out


# States that a run ends badly on: exit status 1.
FAILING = frozenset({State.FAILED, State.NEEDS_PERSON, State.INVALID})

UNKNOWN_RETRACTED = (
    "what has an id was deleted, but a part marked 'outcome: unknown' may still be out there: "
    "if it was posted, put its id and url in that entry and the next run deletes it; if "
    "not, delete the entry"
)


@dataclass(frozen=True)
class Standing:
    """Where a post stands on one network, and what a run would do there."""

    state: State
    message: str = ""
    job: JobKind | None = None  # None: nothing to do


def receipt_state(post: Post, network: str, now: dt.datetime) -> State:
    """Where `post` stands on `network`, from the file alone."""
    receipts = post.receipts.get(network, ())
    sent = [r for r in receipts if r.id]
    if any(r.unknown for r in receipts):
        return State.NEEDS_PERSON  # even when retracted: that part may still be out there
    if sent and all(r.retracted for r in sent):
        return State.RETRACTED
    if post.retract and not sent:
        return State.RETRACTED  # withdrawn before it went out: nothing more is ever sent
    if receipts and len(receipts) >= len(post.body_parts(network)):
        return State.PUBLISHED
    when = post.publish_at
    if when is not None and when > now:
        return State.SCHEDULED
    return State.DUE


def networks_of(post: Post, default_platforms: tuple[str, ...]) -> tuple[str, ...]:
    """The networks a post concerns: its targets, and for a retraction also wherever
    it went."""
    targets = post.networks(default_platforms)
    if post.retract:
        return tuple(dict.fromkeys((*targets, *post.receipts)))
    return targets


def _first_error(result: PostResult) -> str:
    first = next(p for p in result.problems if p.severity == ERROR)
    return f"line {first.line}: {first.message}" if first.line else first.message


def effective_state(
    post: Post, result: PostResult, network: str, now: dt.datetime, *, include_examples: bool
) -> Standing:
    """Where `post` stands on `network`, all things considered, and what a run would do."""
    if post.example and not include_examples:
        return Standing(State.EXAMPLE, "example: true")
    state = receipt_state(post, network, now)
    if post.retract:
        live = any(r.id and not r.retracted for r in post.receipts.get(network, ()))
        if live:
            return Standing(State.DUE, job=JobKind.RETRACT)
        return Standing(state, UNKNOWN_RETRACTED if state == State.NEEDS_PERSON else "")
    entry = networks.find(network)
    if state == State.PUBLISHED and post.edit:
        if not result.ok:
            return Standing(State.INVALID, f"not corrected: {_first_error(result)}")
        if entry is None or not entry.can_edit:
            name = networks.display(network)
            return Standing(
                State.PUBLISHED,
                f"edit: true — {name} cannot edit a published post, so the correction is "
                "not applied there (retract it to remove it)",
            )
        return Standing(State.PUBLISHED, job=JobKind.EDIT)
    if state in (State.DUE, State.SCHEDULED) and not result.ok:
        # A post that would fail when due is invalid now, not merely scheduled.
        return Standing(State.INVALID, f"not sent: {_first_error(result)}")
    if state == State.DUE:
        return Standing(State.DUE, job=JobKind.SEND)
    return Standing(state)
