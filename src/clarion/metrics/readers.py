"""What a network's counts reader is: the interface `clarion metrics` calls.

A network's registry entry names its reader by `metrics` ("module:function"):
a `ReaderFactory`, called with the account's settings, the environment (its
secrets, if it needs any) and the `Fetcher` to make its requests with. It
returns a `Reader`, or raises `NotRead` when the network is not to be read
this run by the settings' choice (X without `metrics = true`), or
`ReadRefused` when the credentials it needs are missing.

The reader knows nothing of the metrics files, of the schedule or of Git: it
is given the parts due (`Target`) and yields what the network says of them, in
batches as the network allows, so the lines of each batch are written before
the next request is made. A failure part-way (`ReadFailed`, a rate limit
longer than the run may wait) stops that network only, with what was read
before it kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from clarion.metrics.fetch import Fetcher


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Target:
    """A published part due a read, from its receipt."""

    path: str  # the post file, relative to the repository: posts/2026/cfp.md
    part: int  # 0-based thread part
    id: str  # its id on the network, as in the receipt
    published: dt.datetime | None  # the receipt's `at` (UTC); None when unreadable
    daily: bool = True  # in its first 30 days (read daily), else a monthly read


@dataclass(frozen=True, slots=True)
class Counts:
    """What a network shows of a part; None where it does not give a count."""

    likes: int | None
    reposts: int | None
    replies: int | None
    quotes: int | None
    views: int | None = None

    def values(self) -> tuple[int | None, ...]:
        return (self.likes, self.reposts, self.replies, self.quotes, self.views)


def count(value: object) -> int | None:
    """A count as a network gave it: a whole number, 0 or more; else None."""
    return value if type(value) is int and value >= 0 else None


def counts_in(data: Mapping[str, Any], names: Mapping[str, str]) -> Counts:
    """The counts an answer's post holds, by the network's names of them (`names`:
    ours to its); None for a count it does not give."""
    return Counts(**{ours: count(data.get(theirs)) for ours, theirs in names.items()})


@dataclass
class Batch:
    """One answer's worth: the parts found with their counts, the parts the
    network did not return (deleted, hidden, or not visible), and the account's
    followers when this answer carried them."""

    found: list[tuple[Target, Counts]] = field(default_factory=list)
    missing: list[Target] = field(default_factory=list)
    followers: int | None = None

    @classmethod
    def of(
        cls,
        targets: Iterable[Target],
        shown: Mapping[str, T],
        counts: Callable[[T], Counts],
        followers: int | None = None,
    ) -> Batch:
        """The answer for `targets`: those `shown` (the network's posts by id) holds,
        with `counts` of each, and the others missing."""
        batch = cls(followers=followers)
        for target in targets:
            post = shown.get(target.id)
            if post is None:
                batch.missing.append(target)
            else:
                batch.found.append((target, counts(post)))
        return batch


class Reader(Protocol):
    """One network's account, read for counts."""

    # What people should know about this run that is no failure ("12 parts left
    # for the next run: max_reads reached"), a sentence each.
    notes: list[str]

    def followers(self) -> int | None:
        """The account's followers now; None when the network gives them only with
        the posts (each `Batch.followers`) or not at all."""
        ...

    def read(self, targets: Sequence[Target]) -> Iterator[Batch]:
        """The counts of `targets`, a batch per request (or group of requests)."""
        ...


# (the account's settings, the environment, the fetcher) -> a Reader
ReaderFactory = Callable[[Any, Mapping[str, str], "Fetcher"], Reader]


class NotRead(Exception):
    """The network is not read this run, by the settings' choice; `message` says
    why and how to change it. Not a failure."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ReadFailed(Exception):
    """The network could not be read (down, refusing, rate limited for longer than
    the run may wait): what was read before stays written."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ReadRefused(ReadFailed):
    """Credentials missing or refused: a configuration problem (exit status 2)."""

    exit_code = 2


def secrets(env: Mapping[str, str], names: Sequence[str], network: str, why: str) -> list[str]:
    """The values of environment variables `names`; `ReadRefused` naming those not
    set, and `why` the reader needs them."""
    missing = [name for name in names if not env.get(name, "").strip()]
    if missing:
        are = "is" if len(missing) == 1 else "are"
        raise ReadRefused(f"{network}: {', '.join(missing)} {are} not set: {why}")
    return [env[name].strip() for name in names]
