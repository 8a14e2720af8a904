"""The small interface every network adapter implements.

An adapter knows one network's API and nothing of Git, GitHub, files of posts or
the command line. The publish orchestrator drives it part by part and records a
`Receipt` the moment `send_part` returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Image:
    """An image to attach, already checked by the validator."""

    path: Path
    alt: str
    mime: str  # "image/png", "image/jpeg", "image/gif", "image/webp"
    width: int
    height: int

    def read(self) -> bytes:
        return self.path.read_bytes()


@dataclass(frozen=True)
class LinkCard:
    url: str
    title: str
    description: str = ""
    thumbnail: Image | None = None


@dataclass(frozen=True)
class OutgoingPart:
    """One part of a thread exactly as it is sent to one network."""

    index: int  # 0-based position in the thread
    text: str  # the final text: override, "CW: " prefix and trimming already applied
    images: tuple[Image, ...] = ()  # first part only
    link: LinkCard | None = None  # first part only


@dataclass(frozen=True)
class Outgoing:
    """A whole post for one network."""

    key: str  # stable identity of the post (its path relative to the repository, POSIX)
    network: str  # "bluesky" | "mastodon" | "x"
    parts: tuple[OutgoingPart, ...]
    lang: str | None = None
    spoiler: str | None = None  # Mastodon spoiler text (content_warning)
    visibility: str | None = None  # Mastodon: public | unlisted | private | direct


@dataclass(frozen=True)
class Receipt:
    """What a network answered for one part, as written under `published:`.

    `outcome == "unknown"` marks an attempt whose fate a person must settle; it
    has no id or url.
    """

    at: dt.datetime  # UTC
    id: str | None = None
    url: str | None = None
    outcome: str | None = None
    # Extra references an adapter needs to reply to this part (a Bluesky cid);
    # never written to the post file.
    extra: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def unknown(self) -> bool:
        return self.outcome == "unknown"


class AdapterError(Exception):
    """Base of what `send_part` and `connect` raise. Messages never hold secrets."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthError(AdapterError):
    """Credentials missing or refused: a configuration problem (exit 2)."""


class NotSent(AdapterError):
    """The network answered that it did not take the part.

    `retryable` is true for rate limits and server errors where trying again is
    safe; `retry_after` is in seconds from now when the network said when.
    """

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class OutcomeUnknown(AdapterError):
    """The request went out and no answer came back (timeout, connection reset),
    or the network refused it as a duplicate of something already posted.

    On a network that cannot be asked (X) the orchestrator records
    `outcome: unknown` and never retries it.
    """


class Adapter(Protocol):
    """One network. Instances are used from one thread at a time."""

    name: str

    def connect(self) -> None:
        """Open a session; raise `AuthError` when credentials are missing or refused."""

    def send_part(
        self,
        outgoing: Outgoing,
        part: OutgoingPart,
        *,
        root: Receipt | None,
        parent: Receipt | None,
    ) -> Receipt:
        """Send one part (a reply to `parent` within the thread rooted at `root`).

        Where the network can tell, first look for this exact part already sent
        (a lost receipt) and return its receipt instead of sending again.
        """
        ...

    def close(self) -> None:
        """Release connections."""
