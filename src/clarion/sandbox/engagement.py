"""What a stand-in shows of its posts' engagement: counts and followers that tests move.

On a network, likes and reposts come from other people; on a stand-in they
come from the test: `stand_in.set_counts(post_id, likes=12, reposts=3)` and
`stand_in.engagement.followers = 1500`, then `clarion metrics` reads them
back through the network's own read calls.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TypedDict, Unpack


@dataclass
class Counts:
    likes: int = 0
    reposts: int = 0
    replies: int | None = None  # None: the replies the stand-in itself holds, if any
    quotes: int = 0
    views: int = 0


FIELDS = tuple(f.name for f in dataclasses.fields(Counts))


class Moves(TypedDict, total=False):
    """The counts a test moves, `set_counts(post_id, likes=12, views=300)`; None
    leaves one as it is. Each network shows some of them."""

    likes: int | None
    reposts: int | None
    replies: int | None
    quotes: int | None
    views: int | None


def given(moves: Moves, names: Mapping[str, str]) -> dict[str, int]:
    """The counts a test moved, by the names the network gives them (`names`: ours to
    its); a count the network does not show is the test's mistake."""
    for name in moves:
        if name not in names:
            raise TypeError(f"set_counts: this network shows no {name} ({', '.join(names)})")
    return {names[name]: n for name, n in moves.items() if isinstance(n, int)}


class Engagement:
    """The counts of each post (by its id on the network) and the account's followers.

    `shown` are the counts the network shows (Mastodon: no quotes, no views)."""

    def __init__(self, followers: int = 0, *, shown: Collection[str] = FIELDS) -> None:
        self.followers = followers
        self._names = {name: name for name in shown}
        self._counts: dict[str, Counts] = {}

    def of(self, post_id: str) -> Counts:
        """The counts shown for `post_id` (all zero until a test moves them)."""
        return self._counts.get(post_id) or Counts()

    def set_counts(self, post_id: str, **moves: Unpack[Moves]) -> Counts:
        """Move the counts of `post_id`; those not given stay as they are."""
        changed = dataclasses.replace(self.of(post_id), **given(moves, self._names))
        self._counts[post_id] = changed
        return changed
