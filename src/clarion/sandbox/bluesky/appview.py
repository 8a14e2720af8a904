"""The Bluesky stand-in as an AppView: `app.bsky.feed.getPosts`, with what
moderation does to what it shows.

It hydrates the posts of its PDS as the AppView does, without logging in, and
lets a test do what moderation does: hide a post (the AppView then leaves it
out of getPosts, while the record stays on the PDS), label it (from Bluesky's
moderation service or another labeler), or delete it (as its author would).

The rules it keeps:

- at most 25 URIs a call: the lexicon's `uris` has maxLength 25
  (https://docs.bsky.app/docs/api/app-bsky-feed-get-posts);
- a post it will not show is left out of `posts`, silently; so is one that does
  not exist (the same page: "Gets post views for a specified list of posts");
- labels come on the post view's `labels`, only from the labelers the request
  names in `atproto-accept-labelers` (Bluesky's moderation service when it names
  none, as the AppView applies its own), and the answer names those applied in
  `atproto-content-labelers` (https://atproto.com/guides/subscriptions,
  "Labeler Subscriptions"; https://docs.bsky.app/docs/advanced-guides/moderation:
  labels "are attached to records in the responses under the labels key").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clarion.sandbox.bluesky.lexicon import POST
from clarion.sandbox.bluesky.xrpc import invalid
from clarion.sandbox.server import Request, Response

if TYPE_CHECKING:
    from clarion.sandbox.bluesky.state import PdsState

# Bluesky's moderation service (moderation.bsky.app), the labeler the AppView
# applies when a request names none.
BLUESKY_MODERATION = "did:plc:ar7c4by46qjdydhdevvrndac"
MAX_URIS = 25  # app.bsky.feed.getPosts: `uris` maxLength 25
COUNTS = ("likeCount", "repostCount", "replyCount", "quoteCount")


def _now() -> str:
    moment = dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class Label:
    src: str  # the labeler's DID
    val: str
    cts: str = field(default_factory=_now)


def accepted_labelers(request: Request) -> list[tuple[str, bool]]:
    """The labelers an `atproto-accept-labelers` header names, each with whether it
    may redact (`;redact`); Bluesky's moderation when the header names none."""
    found = []
    for item in request.header("atproto-accept-labelers").split(","):
        did, _, rest = item.strip().partition(";")
        if did.startswith("did:"):
            found.append((did, "redact" in rest))
    return found or [(BLUESKY_MODERATION, True)]


class AppView:
    """What the AppView knows besides the PDS's records: which posts moderation
    hides, their labels and their counts. Tests change it through the methods."""

    def __init__(self, pds: PdsState) -> None:
        self.pds = pds
        self.hidden: set[str] = set()
        self.labels: dict[str, list[Label]] = {}
        self.counts: dict[str, dict[str, int]] = {}

    # -- what moderation (or the author) does, for tests ------------------------------
    def hide(self, uri: str) -> None:
        """Moderation takes the post down: the AppView leaves it out, the PDS keeps it."""
        with self.pds._lock:
            self.hidden.add(uri)

    def show(self, uri: str) -> None:
        with self.pds._lock:
            self.hidden.discard(uri)

    def label(self, uri: str, value: str, src: str = BLUESKY_MODERATION) -> None:
        with self.pds._lock:
            labels = self.labels.setdefault(uri, [])
            if not any(lb.src == src and lb.val == value for lb in labels):
                labels.append(Label(src, value))

    def unlabel(self, uri: str, value: str, src: str = BLUESKY_MODERATION) -> None:
        """A negation: the label is gone from the post's view."""
        with self.pds._lock:
            self.labels[uri] = [
                lb for lb in self.labels.get(uri, []) if not (lb.src == src and lb.val == value)
            ]

    def delete(self, uri: str) -> None:
        """The author deletes the post (elsewhere than Clarion): the record is gone."""
        with self.pds._lock:
            self.pds.records[uri].deleted = True

    # -- app.bsky.feed.getPosts ----------------------------------------------------------
    def get_posts(self, pds: PdsState, request: Request) -> Response:
        uris = request.query.get("uris", [])
        if not uris:
            raise invalid('Params must have the property "uris"')
        if len(uris) > MAX_URIS:
            raise invalid(f"uris must not have more than {MAX_URIS} elements")
        for uri in uris:
            if not uri.startswith("at://"):
                raise invalid("uris/0 must be a valid at-uri")
        labelers = accepted_labelers(request)
        sources = {did for did, _ in labelers}
        posts = []
        for uri in dict.fromkeys(uris):
            view = self._view(uri, sources)
            if view is not None:
                posts.append(view)
        applied = ", ".join(f"{did};redact" if redact else did for did, redact in labelers)
        return Response.json({"posts": posts}, headers={"atproto-content-labelers": applied})

    def _view(self, uri: str, sources: set[str]) -> dict[str, Any] | None:
        stored = self.pds.records.get(uri)
        if stored is None or stored.deleted or uri in self.hidden or f"/{POST}/" not in uri:
            return None
        did = uri[len("at://") :].split("/", 1)[0]
        account = self.pds.find_account(did)
        if account is None:
            return None
        labels = [
            {"src": lb.src, "uri": uri, "cid": stored.cid, "val": lb.val, "cts": lb.cts}
            for lb in self.labels.get(uri, [])
            if lb.src in sources
        ]
        counts = self.counts.get(uri, {})
        return {
            "uri": uri,
            "cid": stored.cid,
            "author": {
                "did": account.did,
                "handle": account.handle,
                "displayName": account.handle,
                "labels": [],
                "createdAt": stored.created,
            },
            "record": stored.value,
            **{name: int(counts.get(name, 0)) for name in COUNTS},
            "indexedAt": stored.created,
            "labels": labels,
        }
