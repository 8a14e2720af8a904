"""Driving an adapter as the orchestrator does, with the orchestrator's own retry loop
(`clarion.publish.retry.retrying`), not a copy of it: parts in order, each a reply
to the one before, a retryable refusal tried again without waiting."""

from __future__ import annotations

import functools
import threading

from clarion.adapters.base import Adapter, Outgoing, Receipt
from clarion.publish.retry import RetryPolicy, retrying


def send_all(adapter: Adapter, post: Outgoing, attempts: int = 1) -> list[Receipt]:
    receipts: list[Receipt] = []
    policy = RetryPolicy(attempts=attempts, backoff=0.0, max_wait=3600.0)
    for part in post.parts:
        call = functools.partial(
            adapter.send_part,
            post,
            part,
            root=receipts[0] if receipts else None,
            parent=receipts[-1] if receipts else None,
        )
        receipts.append(
            retrying(call, policy, sleep=lambda _s: None, stopping=threading.Event(), say=print)
        )
    return receipts
