"""How often a part is tried again, and for how long: one budget per part."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from clarion.adapters.base import NotSent

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # tries per part, the first included
    backoff: float = 2.0  # seconds before the second try; doubles after
    max_wait: float = 120.0  # a rate limit resetting later than this fails the part


def retrying(
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None],
    stopping: threading.Event,
    say: Callable[[str], None],
) -> T:
    """`call` again after a retryable refusal, bounded, honouring the network's
    reset time; a wait longer than the policy allows is left to the next run."""
    delay = policy.backoff
    for attempt in range(1, policy.attempts + 1):
        try:
            return call()
        except NotSent as exc:
            if not exc.retryable or attempt == policy.attempts or stopping.is_set():
                raise
            wait = exc.retry_after if exc.retry_after is not None else delay
            if wait > policy.max_wait:
                raise NotSent(
                    f"{exc.message}; the network asks to wait {wait:.0f} s, longer than "
                    f"{policy.max_wait:.0f} s: the next run will do it",
                    retryable=False,
                ) from None
            say(f"{exc.message}; trying again in {max(wait, 0):.1f} s")
            sleep(max(wait, 0.0))
            delay *= 2
    raise AssertionError("unreachable")  # pragma: no cover
