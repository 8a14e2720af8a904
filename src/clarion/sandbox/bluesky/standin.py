"""The Bluesky stand-in: its XRPC routes, and what it received."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Unpack

from clarion.sandbox.bluesky.appview import AppView
from clarion.sandbox.bluesky.blobs import upload_blob
from clarion.sandbox.bluesky.identity import resolve_handle, valid_handle
from clarion.sandbox.bluesky.lexicon import POST, PROFILE, PROFILE_KEY
from clarion.sandbox.bluesky.profiles import get_profile
from clarion.sandbox.bluesky.repo import (
    create_record,
    delete_record,
    get_record,
    list_records,
    put_record,
)
from clarion.sandbox.bluesky.sessions import (
    authed,
    create_session,
    get_session,
    refresh_session,
)
from clarion.sandbox.bluesky.state import SANDBOX_HANDLE, PdsState, StoredRecord
from clarion.sandbox.bluesky.xrpc import XrpcError
from clarion.sandbox.engagement import Moves, given
from clarion.sandbox.server import Handler, Request, Response
from clarion.settings import BlueskyAccount

PASSWORD_ENV = "CLARION_BLUESKY_APP_PASSWORD"  # noqa: S105 (a variable name)
# Our names of the counts, and the AppView's (app.bsky.feed.defs#postView).
_COUNTS = {
    "likes": "likeCount",
    "reposts": "repostCount",
    "replies": "replyCount",
    "quotes": "quoteCount",
}

XRPC: Mapping[tuple[str, str], Callable[[PdsState, Request], Response]] = {
    ("POST", "com.atproto.server.createSession"): create_session,
    ("POST", "com.atproto.server.refreshSession"): refresh_session,
    ("GET", "com.atproto.server.getSession"): get_session,
    ("GET", "com.atproto.identity.resolveHandle"): resolve_handle,
    ("POST", "com.atproto.repo.createRecord"): create_record,
    ("POST", "com.atproto.repo.putRecord"): put_record,
    ("GET", "com.atproto.repo.getRecord"): get_record,
    ("GET", "com.atproto.repo.listRecords"): list_records,
    ("POST", "com.atproto.repo.deleteRecord"): delete_record,
    ("POST", "com.atproto.repo.uploadBlob"): upload_blob,
}


class BlueskyStandIn(PdsState):
    """A Bluesky PDS on 127.0.0.1 with one account (`SANDBOX_HANDLE`, `SANDBOX_APP_PASSWORD`).

    `other_handles` are further accounts it knows (to resolve @mentions of them);
    `access_ttl` shortens the access tokens' life to exercise the client's refresh;
    `write_points` is the hourly repo-write budget (a post costs 3).
    """

    name = "bluesky"

    def _add_routes(self) -> None:
        for (method, nsid), handler in XRPC.items():
            self.route(method, f"/xrpc/{nsid}", self._answering(handler))
        # The AppView's reads are served here too: the sandbox's `appview` is this stand-in.
        self.appview = AppView(self)
        self.route("GET", "/xrpc/app.bsky.feed.getPosts", self._answering(self.appview.get_posts))
        self.route("GET", "/xrpc/app.bsky.actor.getProfile", self._answering(get_profile))
        # Its receipts point here, as bsky.app's do there: /profile/{handle}/post/{rkey}.
        self.route("GET", "/profile/", self._post_page, prefix=True)

    @classmethod
    def for_sandbox(
        cls, account: BlueskyAccount | None, *, latency: float = 0.0, root: object = None
    ) -> BlueskyStandIn:
        """The stand-in `clarion publish --sandbox` runs: the repository's own handle
        when it has a valid one, and the handles the example posts mention."""
        handle = account.handle.strip().lstrip("@").lower() if account is not None else ""
        if not valid_handle(handle):
            handle = SANDBOX_HANDLE
        others = tuple(h for h in ("atproto.com",) if h != handle)
        return cls(handle=handle, other_handles=others, latency=latency)

    def _post_page(self, request: Request) -> Response:
        _, handle, kind, rkey = [*request.path.strip("/").split("/"), "", "", "", ""][:4]
        account = self.find_account(handle)
        stored = None
        if account is not None and kind == "post":
            stored = self.records.get(f"at://{account.did}/{POST}/{rkey}")
        if stored is None or stored.deleted:
            return Response.page("Post not found", "This post does not exist, or was deleted.")
        return Response.page(
            f"@{handle} on the Bluesky stand-in", str(stored.value.get("text", ""))
        )

    def set_counts(self, uri: str, **moves: Unpack[Moves]) -> None:
        """Move what the AppView shows of post `uri`, as people liking, reposting,
        answering and quoting it would; those not given stay as they are."""
        with self._lock:
            self.appview.counts.setdefault(uri, {}).update(given(moves, _COUNTS))

    # -- what it received ---------------------------------------------------------
    def posts(self, *, include_deleted: bool = False) -> list[StoredRecord]:
        """The `app.bsky.feed.post` records it took, in the order it took them."""
        return [
            r
            for r in self.records.values()
            if f"/{POST}/" in r.uri and (include_deleted or not r.deleted)
        ]

    def received(self) -> list[dict[str, Any]]:
        """Each post record as stored: uri, cid, rkey, the record itself, deleted."""
        return [
            {"uri": r.uri, "cid": r.cid, "rkey": r.rkey, "record": r.value, "deleted": r.deleted}
            for r in self.posts(include_deleted=True)
        ]

    def profile(self) -> dict[str, Any] | None:
        """The account's profile record (app.bsky.actor.profile), or None when it has none."""
        stored = self.records.get(f"at://{self.account.did}/{PROFILE}/{PROFILE_KEY}")
        return None if stored is None or stored.deleted else stored.value

    def describe(self) -> str:
        """What it received, for people: each post's text, thread, images, card,
        language, and which is pinned on the profile."""
        posts = self.posts(include_deleted=True)
        lines = [f"Bluesky stand-in ({self.account.handle}): {len(posts)} post(s)"]
        numbers = {r.uri: n for n, r in enumerate(posts, 1)}
        pinned = ((self.profile() or {}).get("pinnedPost") or {}).get("uri")
        handles = {a.did: a.handle for a in self.accounts}
        for number, stored in enumerate(posts, 1):
            value = stored.value
            head = f"[{number}] {stored.uri}"
            if stored.deleted:
                head += " (deleted)"
            if stored.uri == pinned:
                head += " (pinned on the profile)"
            lines.append(head)
            reply = value.get("reply")
            if isinstance(reply, dict):
                parent = reply.get("parent", {}).get("uri", "")
                root = reply.get("root", {}).get("uri", "")
                lines.append(
                    f"    reply to [{numbers.get(parent, parent)}] in the thread of "
                    f"[{numbers.get(root, root)}]"
                )
            if value.get("langs"):
                lines.append(f"    language: {', '.join(value['langs'])}")
            lines.extend("    | " + line for line in str(value.get("text", "")).split("\n"))
            lines.extend(self._describe_facets(value, handles))
            lines.extend(self._describe_embed(value.get("embed")))
        return "\n".join(lines)

    @staticmethod
    def _describe_facets(value: Mapping[str, Any], handles: Mapping[str, str]) -> list[str]:
        text = str(value.get("text", "")).encode("utf-8")
        lines = []
        for facet in value.get("facets") or []:
            index = facet.get("index", {})
            span = text[index.get("byteStart", 0) : index.get("byteEnd", 0)].decode(
                "utf-8", "replace"
            )
            for feature in facet.get("features", []):
                kind = str(feature.get("$type", "")).rpartition("#")[2]
                target = feature.get("uri") or feature.get("tag") or feature.get("did", "")
                if kind == "mention":
                    target = f"{target} ({handles.get(target, 'unknown account')})"
                lines.append(f"    {kind}: {span!r} -> {target}")
        return lines

    def _describe_embed(self, embed: Any) -> list[str]:
        if not isinstance(embed, dict):
            return []
        lines = []
        if embed.get("$type") == "app.bsky.embed.images":
            for n, image in enumerate(embed.get("images", []), 1):
                blob = image.get("image", {})
                ratio = image.get("aspectRatio")
                size = f" {ratio['width']}x{ratio['height']}" if ratio else ""
                lines.append(
                    f"    image {n}: {blob.get('mimeType')}{size}, {blob.get('size')} bytes, "
                    f"alt {image.get('alt', '')!r}"
                )
        elif embed.get("$type") == "app.bsky.embed.external":
            card = embed.get("external", {})
            lines.append(f"    link card: {card.get('uri')}")
            lines.append(f"      title: {card.get('title', '')!r}")
            lines.append(f"      description: {card.get('description', '')!r}")
            if card.get("thumb"):
                thumb = card["thumb"]
                lines.append(f"      thumbnail: {thumb.get('mimeType')}, {thumb.get('size')} bytes")
        return lines

    # -- plumbing -------------------------------------------------------------------
    def not_found(self, request: Request) -> Response:
        if request.path.startswith("/xrpc/"):
            # A PDS hands methods it does not serve to the app view, for signed-in
            # callers only; this one has no app view to hand them to.
            try:
                authed(self, request)
            except XrpcError as exc:
                return exc.response()
            return XrpcError(502, "UpstreamFailure", "Upstream service unreachable").response()
        return super().not_found(request)

    def _answering(self, handler: Callable[[PdsState, Request], Response]) -> Handler:
        def answer(request: Request) -> Response:
            try:
                return handler(self, request)
            except XrpcError as exc:
                return exc.response()

        return answer

    # -- for `clarion publish --sandbox` --------------------------------------------------
    def sandbox_settings(self) -> tuple[BlueskyAccount, dict[str, str]]:
        """The account settings pointing here, and the environment with its credentials."""
        return (
            BlueskyAccount(
                handle=self.account.handle, service=self.url, web=self.url, appview=self.url
            ),
            {PASSWORD_ENV: self.account.passwords[0]},
        )
