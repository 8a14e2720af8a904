"""A toy network, registered by tests to show that a network is one entry plus its parts:
an account type, a text rule, an adapter and a stand-in (here one list in memory)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clarion.adapters.base import Outgoing, OutgoingPart, Receipt
from clarion.networks import Measured, MentionSyntax, Network

LIMIT = 20
RECEIVED: list[tuple[str, str]] = []  # (account, text): the stand-in's whole state


@dataclass(frozen=True)
class ToyAccount:
    name: str


def measure(text: str, spoiler: str | None, account: object) -> Measured:
    return Measured(text, len(text), LIMIT)


class ToyAdapter:
    name = "toy"

    def __init__(self, account: ToyAccount) -> None:
        self.account = account

    def connect(self) -> None:
        pass

    def send_part(
        self,
        outgoing: Outgoing,
        part: OutgoingPart,
        *,
        root: Receipt | None,
        parent: Receipt | None,
    ) -> Receipt:
        RECEIVED.append((self.account.name, part.text))
        number = len(RECEIVED)
        return Receipt(
            at=dt.datetime.now(dt.UTC),
            id=str(number),
            url=f"https://toy.example/{self.account.name}/{number}",
        )

    def close(self) -> None:
        pass


def from_settings(settings: Any, env: Mapping[str, str], **_options: Any) -> ToyAdapter:
    account = settings.account("toy")
    assert isinstance(account, ToyAccount)
    return ToyAdapter(account)


ENTRY = Network(
    name="toy",
    display="Toy",
    account_type=ToyAccount,
    text_rule="tests.networks.toy:measure",
    unit="letters",
    media_limits="clarion.media.limits:X",
    adapter="tests.networks.toy",
    standin="tests.networks.toy:ToyAdapter",
    mention_syntax=MentionSyntax.PLAIN,
)
