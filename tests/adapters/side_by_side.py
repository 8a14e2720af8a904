"""Proof that an adapter sent requests side by side, without a clock.

`meet(stand_in, monkeypatch, {("GET", path): 3, ...})` makes the stand-in hold
each of those requests (a method and the start of a path, as faults match)
until all of them have arrived. Requests sent at the same
time meet at once and go on; requests sent one after the other never meet: the
first waits, gives up after `patience` seconds (a failure, never a race), and its
client sees the connection closed without an answer.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import pytest

from clarion.sandbox.server import Fault, Request, StandIn


class Meeting:
    def __init__(self, wanted: Mapping[tuple[str, str], int], patience: float) -> None:
        self.left = dict(wanted)
        self.barrier = threading.Barrier(sum(wanted.values()), timeout=patience)
        self.lock = threading.Lock()

    def wait_for_the_others(self, request: Request) -> None:
        with self.lock:
            key = next(
                (
                    (method, path)
                    for (method, path), left in self.left.items()
                    if left and method == request.method and request.path.startswith(path)
                ),
                None,
            )
            if key is None:
                return
            self.left[key] -= 1
        self.barrier.wait()  # raises BrokenBarrierError, dropping the connection, if alone

    @property
    def met(self) -> bool:
        return not any(self.left.values()) and not self.barrier.broken


def meet(
    stand_in: StandIn,
    monkeypatch: pytest.MonkeyPatch,
    wanted: Mapping[tuple[str, str], int],
    *,
    patience: float = 10.0,
) -> Meeting:
    meeting = Meeting(wanted, patience)
    take_fault = stand_in._take_fault  # asked for every request, outside the stand-in's lock

    def waiting(request: Request) -> Fault | None:
        meeting.wait_for_the_others(request)
        return take_fault(request)

    monkeypatch.setattr(stand_in, "_take_fault", waiting)
    return meeting
