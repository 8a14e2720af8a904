"""What a publish run did, post by post and network by network; reporters show it."""

from __future__ import annotations

from dataclasses import dataclass, field

from clarion.adapters.base import Receipt
from clarion.publish.state import FAILING, State


@dataclass
class NetworkOutcome:
    """What happened to one post on one network in this run."""

    network: str
    state: State
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
    # Steps the networks' APIs cannot take, for a person (e.g. pinning on X).
    for_a_person: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(
            n.state in FAILING for post in self.posts for n in post.networks.values()
        ) or bool(self.auth_failures)

    def held(self) -> list[dict[str, str]]:
        """What the approval gate stopped, for the action's output."""
        return [
            {"path": post.path, "network": n.network, "message": n.message}
            for post in self.posts
            for n in post.networks.values()
            if n.state == State.HELD
        ]

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
