"""Bring a network's history into the repository: `clarion import`.

Each importer reads one network's export (an X archive, a Mastodon outbox, a
Bluesky repository CAR) into `Entry` objects, one per post file to write: a
post, or a thread of the account's own replies to itself, with one receipt per
part. `clarion.importers.writing` turns entries into files under
`posts/archive/YYYY/`. A file that exists is never touched, so importing the
same export twice changes nothing.

Every imported post lists only its source network under `platforms:` and has a
receipt there for every part: it is history on that network (never sent
again, its checks only warn), and adding a network to `platforms:` is how a
chosen post is re-published elsewhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from clarion.errors import UsageError

IMAGE = "image"
VIDEO = "video"
OTHER = "other"


class ArchiveError(UsageError):
    """The export cannot be read: not the kind of export named, or damaged."""


@dataclass(frozen=True)
class Media:
    """One attachment of a post as the export has it."""

    kind: str  # IMAGE, VIDEO or OTHER
    name: str  # the file name to give it under media/, unique within the export
    alt: str = ""  # "" when the export has none
    # Reads the file from the export; None when the export does not hold it.
    read: Callable[[], bytes] | None = field(default=None, compare=False, repr=False)
    # Why nothing is read for it: its address leads outside the export.
    refused: str | None = None


@dataclass(frozen=True)
class Part:
    """One post on the network: one thread part of the file, with its receipt."""

    id: str
    url: str
    at: dt.datetime  # aware
    text: str
    media: tuple[Media, ...] = ()
    # Engagement counts the export holds (X's favorite_count and retweet_count):
    # they become the part's first metrics line. None where it holds none.
    likes: int | None = None
    reposts: int | None = None


@dataclass(frozen=True)
class LinkCard:
    url: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Entry:
    """One post file to write."""

    network: str  # "bluesky" | "mastodon" | "x"
    parts: tuple[Part, ...]
    lang: str | None = None
    content_warning: str | None = None
    visibility: str | None = None  # Mastodon only; None: public
    link: LinkCard | None = None
    notes: tuple[str, ...] = ()  # written as comments in the front matter


@dataclass(frozen=True)
class Options:
    """What the command line asks for beyond the export's path."""

    include_retweets: bool = False
    include_replies: bool = False
    handle: str | None = None  # Bluesky: the handle for post URLs


@dataclass(frozen=True)
class Reason:
    """Why posts were left out, as the summary says it for one and for many."""

    one: str
    many: str

    def count(self, n: int) -> str:
        return f"{n:,} {self.one if n == 1 else self.many}"


RETWEETS = Reason("retweet", "retweets")
BOOSTS = Reason("boost", "boosts")
REPOSTS = Reason("repost", "reposts")
REPLIES = Reason("reply to others", "replies to others")
PRIVATE = Reason(
    "followers-only or direct post (kept private)", "followers-only or direct posts (kept private)"
)
UNREADABLE = Reason("unreadable post", "unreadable posts")


@dataclass(frozen=True)
class Harvest:
    """What an importer read: the entries to write and how many posts it left out, why."""

    entries: list[Entry]
    skipped: dict[Reason, int]  # in the order to report them
    # Members of the export left out because they lead outside it, a line each.
    refused: list[str] = field(default_factory=list)
    # When the export's counts were taken (an X archive's generation date); None:
    # it does not say, and they are dated when imported.
    counted_at: dt.datetime | None = None


T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


def join_threads(
    items: Sequence[T], key: Callable[[T], K], parent: Callable[[T], K | None]
) -> list[list[T]]:
    """The account's posts grouped into threads, oldest first.

    `items` are in time order. A post whose parent is one of `items` continues
    that parent's thread; where several posts answer the same parent, the
    earliest continues it and each later one starts a thread of its own (a file
    holds one chain). A post whose parent is not in `items` starts a thread.
    """
    by_key = {key(item): item for item in items}
    first_child: dict[K, T] = {}
    starts: list[T] = []
    for item in items:
        up = parent(item)
        if up is None or up not in by_key or up in first_child or up == key(item):
            starts.append(item)
        else:
            first_child[up] = item
    threads = []
    placed: set[K] = set()
    for start in starts:
        chain = [start]
        while (nxt := first_child.get(key(chain[-1]))) is not None:
            chain.append(nxt)
        threads.append(chain)
        placed.update(key(item) for item in chain)
    # Posts that answer each other in a circle (a hand-made record can) reach no
    # start: each stands alone rather than vanish.
    threads.extend([item] for item in items if key(item) not in placed)
    return threads


# Codes a network uses that are not languages (X: und, zxx and its q* codes),
# and X's obsolete codes for Indonesian and Hebrew.
_NOT_A_LANGUAGE = re.compile(r"^(?:und|zxx|mul|mis|q[a-t][a-z])$")
_RENAMED = {"in": "id", "iw": "he", "ji": "yi"}
_BCP47 = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def language(code: object) -> str | None:
    """A language tag the post schema accepts, or None when `code` names none."""
    if not isinstance(code, str):
        return None
    tag = code.strip().replace("_", "-")
    if not _BCP47.match(tag) or _NOT_A_LANGUAGE.match(tag.lower()):
        return None
    head, _, rest = tag.partition("-")
    head = _RENAMED.get(head.lower(), head.lower())
    return f"{head}-{rest}" if rest else head


def utc(when: dt.datetime) -> dt.datetime:
    """`when` in UTC; a naive time is taken to be UTC already."""
    if when.tzinfo is None:
        return when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_iso(text: object) -> dt.datetime | None:
    """An ISO 8601 time (`Z` or an offset, any fraction) in UTC, or None."""
    if not isinstance(text, str):
        return None
    cleaned = _FRACTION.sub(r"\1", text.strip())
    try:
        return utc(dt.datetime.fromisoformat(cleaned))
    except ValueError:
        return None
