"""What `clarion watch` looks at and what it finds: the shapes every watcher shares.

A network's watcher (named by its registry entry's `watch`, "module:function")
is a `Watcher`: given the account's settings, the environment (its secrets)
and the published parts to look at, it asks the network and returns what it
sees now (`Observed`). It knows nothing of the state file, of what is new, of
GitHub or of the command line: `clarion.watch.run` compares what it saw with
the last run's state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class Kind(StrEnum):
    """What happened to a part (SPEC, "Watching")."""

    DELETED = "deleted"  # gone: deleted, removed by moderators, not found
    HIDDEN = "hidden"  # still there, but the network does not show it
    LABELLED = "labelled"  # a moderation service put a label on it
    EDITED = "edited"  # changed on the network since Clarion sent (or corrected) it
    SENSITIVE = "sensitive"  # marked sensitive (its media hidden behind a warning)
    WITHHELD = "withheld"  # not shown in some countries (X)
    TOKEN_EXPIRING = "token-expiring"  # noqa: S105 - the account's token expires soon (Threads)


@dataclass(frozen=True)
class Watched:
    """One published part to look at, from its receipt."""

    path: str  # the post file, relative to the repository: posts/2026/cfp.md
    part: int  # 0-based thread part
    id: str  # its id on the network, as in its receipt
    url: str | None = None
    at: str = ""  # when it was published (the receipt's `at`)
    edited: str | None = None  # when Clarion last corrected it (the receipt's `edited`)


@dataclass(frozen=True)
class Seen:
    """Something a watcher sees now. `key` tells apart findings of one kind on one
    part (which label, which edit); `detail` says it for people and may change
    from run to run without making the finding new."""

    kind: Kind
    detail: str
    part: Watched | None = None  # None: about the account, not one part (token-expiring)
    key: str = ""


@dataclass
class Observed:
    """What a watcher saw: the findings, and notes for people about what it could
    not look at (a scope the token lacks, reads left for another run)."""

    seen: list[Seen] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class WatchFailed(Exception):
    """The network could not be watched this run (unreachable, refused, answers
    that make no sense): reported, and the other networks are still watched.
    `config` marks a failure of the repository's settings or credentials, which
    only a person can fix (the command's exit status 2)."""

    def __init__(self, message: str, *, config: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.config = config


class Watcher(Protocol):
    def __call__(
        self,
        account: Any,
        env: Mapping[str, str],
        parts: Sequence[Watched],
        *,
        timeout: float,
    ) -> Observed: ...


@dataclass(frozen=True)
class Finding:
    """One finding as reported and kept: `new` on the first run that sees it."""

    network: str
    kind: Kind
    detail: str
    path: str | None = None  # None for an account's finding
    part: int | None = None
    id: str | None = None
    url: str | None = None
    key: str = ""
    new: bool = False

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """What makes it the same finding from run to run: a part's id on its
        network (a renamed post file keeps it), the kind and the key."""
        return (self.network, self.id or "", str(self.kind), self.key)

    def as_json(self) -> dict[str, Any]:
        """The documented shape (SPEC, "Watching")."""
        return {
            "network": self.network,
            "path": self.path,
            "part": self.part,
            "id": self.id,
            "kind": str(self.kind),
            "detail": self.detail,
            "new": self.new,
        }


@dataclass
class NetworkResult:
    """How watching one network went."""

    network: str
    checked: int = 0  # parts looked at
    notes: list[str] = field(default_factory=list)
    failure: str | None = None  # why it could not be watched; its findings are carried over
    config: bool = False  # the failure is the settings' or credentials'


@dataclass
class WatchReport:
    findings: list[Finding] = field(default_factory=list)
    networks: list[NetworkResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the run, not one network

    @property
    def new(self) -> list[Finding]:
        return [f for f in self.findings if f.new]

    @property
    def failed(self) -> list[NetworkResult]:
        return [n for n in self.networks if n.failure is not None]

    @property
    def clear(self) -> bool:
        """Nothing found and every network watched."""
        return not self.findings and not self.failed
