"""Bluesky's counts, from the public AppView, without logging in.

The AppView (`[tool.clarion.accounts.bluesky] appview`, by default
https://public.api.bsky.app, "no auth required":
docs.bsky.app/docs/advanced-guides/api-directory) answers
`app.bsky.feed.getPosts` for up to 25 post URIs a call, each post view with
`likeCount`, `repostCount`, `replyCount` and `quoteCount`
(docs.bsky.app/docs/api/app-bsky-feed-get-posts); a post it does not return is
deleted or not shown. `app.bsky.actor.getProfile` gives the account's
`followersCount` (docs.bsky.app/docs/api/app-bsky-actor-get-profile). No
secret is needed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from clarion.metrics.fetch import Answer, Fetcher
from clarion.metrics.readers import Batch, Counts, ReadFailed, Target, count, counts_in
from clarion.settings import BlueskyAccount

URIS_PER_CALL = 25  # getPosts: "uris" maxLength 25
# Our names of the counts, and the AppView's (app.bsky.feed.defs#postView).
_COUNTS = {
    "likes": "likeCount",
    "reposts": "repostCount",
    "replies": "replyCount",
    "quotes": "quoteCount",
}


class BlueskyReader:
    def __init__(self, appview: str, handle: str, fetch: Fetcher) -> None:
        self.appview = appview.rstrip("/")
        self.handle = handle.strip().lstrip("@")
        self.fetch = fetch
        self.notes: list[str] = []

    def followers(self) -> int | None:
        answer = self.fetch.get(
            f"{self.appview}/xrpc/app.bsky.actor.getProfile",
            {"actor": self.handle},
            doing=f"reading the profile of {self.handle}",
        )
        data = self._data(answer, f"reading the profile of {self.handle}")
        return count(data.get("followersCount"))

    def read(self, targets: Sequence[Target]) -> Iterator[Batch]:
        for start in range(0, len(targets), URIS_PER_CALL):
            chunk = targets[start : start + URIS_PER_CALL]
            answer = self.fetch.get(
                f"{self.appview}/xrpc/app.bsky.feed.getPosts",
                {"uris": [target.id for target in chunk]},
            )
            data = self._data(answer, "reading posts")
            views = {
                str(view.get("uri")): view
                for view in data.get("posts") or []
                if isinstance(view, dict)
            }
            yield Batch.of(chunk, views, _counts)

    def _data(self, answer: Answer, doing: str) -> Mapping[str, Any]:
        if answer.ok and isinstance(answer.data, dict):
            return answer.data
        said = answer.data if isinstance(answer.data, dict) else {}
        error = said.get("message") or said.get("error") or f"HTTP {answer.status}"
        raise ReadFailed(f"Bluesky: the AppView {self.appview} refused {doing}: {error}")


def _counts(view: Mapping[str, Any]) -> Counts:
    return counts_in(view, _COUNTS)


def reader(account: BlueskyAccount, env: Mapping[str, str], fetch: Fetcher) -> BlueskyReader:
    return BlueskyReader(account.appview, account.handle, fetch)
