"""The small interface every network adapter implements.

An adapter knows one network's API and nothing of Git, GitHub, files of posts or
the command line. The publish orchestrator drives it part by part and records a
`Receipt` the moment `send_part` returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import ParamSpec, Protocol, TypeVar, runtime_checkable

P = ParamSpec("P")
T = TypeVar("T")


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
    title: str | None = None  # where the network needs one (a Discourse topic's title)


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


# -- what adapters say alike -----------------------------------------------------------
# `network` is the name people know (the registry's display name).


def secret(env: Mapping[str, str], name: str, network: str) -> str:
    """Environment variable `name`, which must hold a secret of `network`'s account."""
    value = env.get(name, "").strip()
    if not value:
        raise AuthError(
            f"{network}: the environment variable {name} is not set; "
            "add it as a secret of the publishing environment"
        )
    return value


def read_image(image: Image, network: str) -> bytes:
    """The image's bytes; a refusal for good when the file cannot be read."""
    try:
        return image.read()
    except OSError as exc:
        raise NotSent(
            f"{network}: cannot read {image.path}: {exc.strerror}", retryable=False
        ) from None


def could_not_connect(network: str, api: str, what: str, exc: Exception) -> NotSent:
    """A request that never reached `api` (no connection was made): safe to send again."""
    return NotSent(f"{network}: could not connect to {api} to {what}: {exc}", retryable=True)


def refused(network: str, doing: str, detail: str, *, server_error: bool) -> NotSent:
    """An error answer that is neither about the credentials nor a rate limit: tried
    again when the network's side failed, else refused for good."""
    if server_error:
        return NotSent(f"{network}: server error while {doing} ({detail})", retryable=True)
    return NotSent(f"{network} refused {doing}: {detail}", retryable=False)


class Adapter(Protocol):
    """One network. Instances are used from one thread at a time."""

    name: str

    def connect(self) -> None:
        """Open a session; raise `AuthError` when credentials are missing or refused.

        A network with no session to open (X signs each request) may check the
        credentials in its first call instead, beside that call's uploads, and
        raise `AuthError` there, before anything is posted.
        """

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


# What a network can do besides sending, each an optional part of an adapter.
# The registry entry says it (`can_delete`, `can_edit`, `can_pin`); the
# orchestrator checks the adapter for the method before calling it.


@runtime_checkable
class Deletes(Protocol):
    def delete(self, receipt: Receipt) -> None:
        """Delete the part `receipt` names; a part already gone counts as deleted."""


@runtime_checkable
class Edits(Protocol):
    def needs_edit(self, receipt: Receipt, outgoing: Outgoing, part: OutgoingPart) -> bool:
        """Whether the part on the network differs from `part` (so a re-run is a no-op)."""
        ...

    def edit(self, receipt: Receipt, outgoing: Outgoing, part: OutgoingPart) -> Receipt:
        """Correct the part in place."""
        ...


@runtime_checkable
class Pins(Protocol):
    def pin(self, receipt: Receipt) -> None:
        """Pin the part `receipt` names on the account's profile."""


class SideBySide:
    """Requests that do not depend on each other, sent at the same time.

    Where a network allows it (uploads, look-ups), a part then waits one round
    trip for all of them rather than one per request::

        with SideBySide() as batch:
            found = batch.submit(look_up, key)
            blob = batch.submit(upload, image)
        batch.raise_failure()
        found.result(), blob.result()

    Every request has finished when the block ends: nothing keeps running behind
    the caller. `raise_failure()` then raises the failure that matters most: a
    bug first, then an `AuthError`, an `OutcomeUnknown`, a refusal for good, and
    a retryable one last; among equals, the first submitted. (Left to the caller,
    so that a look-up that found the part already sent can win over an upload
    that failed beside it.)
    """

    def __init__(self, max_workers: int = 8) -> None:
        self._max_workers = max_workers
        self._pool: ThreadPoolExecutor | None = None
        self._futures: list[Future[object]] = []

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._max_workers, thread_name_prefix="side-by-side")
        future = self._pool.submit(fn, *args, **kwargs)
        self._futures.append(future)  # type: ignore[arg-type]
        return future

    def __enter__(self) -> SideBySide:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def raise_failure(self) -> None:
        """Raise the failure that matters most among the finished requests, if any failed."""
        failures = [f.exception() for f in self._futures]
        ranked = [(_weight(e), n, e) for n, e in enumerate(failures) if e is not None]
        if ranked:
            raise min(ranked, key=lambda item: item[:2])[2]


def _weight(error: BaseException) -> int:
    if not isinstance(error, AdapterError):
        return 0
    if isinstance(error, AuthError):
        return 1
    if isinstance(error, OutcomeUnknown):
        return 2
    if isinstance(error, NotSent) and not error.retryable:
        return 3
    return 4
