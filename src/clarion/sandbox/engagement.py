"""What a stand-in shows of its posts' engagement: counts and followers that tests move.

On a network, likes and reposts come from other people; on a stand-in they
come from the test: `stand_in.set_counts(post_id, likes=12, reposts=3)` and
`stand_in.engagement.followers = 1500`, then `clarion metrics` reads them
back through the network's own read calls.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass
class Counts:
    likes: int = 0
    reposts: int = 0
    replies: int | None = None  # None: the replies the stand-in itself holds, if any
    quotes: int = 0
    views: int = 0


class Engagement:
    """The counts of each post (by its id on the network) and the account's followers."""

    def __init__(self, followers: int = 0) -> None:
        self.followers = followers
        self._counts: dict[str, Counts] = {}

    def of(self, post_id: str) -> Counts:
        """The counts shown for `post_id` (all zero until a test moves them)."""
        return self._counts.get(post_id) or Counts()

    def set_counts(
        self,
        post_id: str,
        *,
        likes: int | None = None,
        reposts: int | None = None,
        replies: int | None = None,
        quotes: int | None = None,
        views: int | None = None,
    ) -> Counts:
        """Move the counts of `post_id`; those not given stay as they are."""
        given = {
            "likes": likes,
            "reposts": reposts,
            "replies": replies,
            "quotes": quotes,
            "views": views,
        }
        changed = dataclasses.replace(
            self.of(post_id), **{k: v for k, v in given.items() if v is not None}
        )
        self._counts[post_id] = changed
        return changed
