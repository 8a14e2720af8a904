"""The Threads stand-in: its routes, the token check and the call budget around every
route, the files it serves for image URLs, and what it received."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Unpack

from clarion.networks import ThreadsAccount
from clarion.sandbox.describe import head, image, image_line, text_lines
from clarion.sandbox.engagement import Counts, Engagement, Moves
from clarion.sandbox.server import Request, Response
from clarion.sandbox.threads import insights, publishing, reads
from clarion.sandbox.threads.files import FILES, fetch, serve
from clarion.sandbox.threads.params import params
from clarion.sandbox.threads.rules import (
    API_VERSION,
    TEXT_LIMIT,
    error,
    invalid_token,
    too_many_calls,
)
from clarion.sandbox.threads.state import (
    SANDBOX_USER_ID,
    SANDBOX_USERNAME,
    Item,
    ThreadsState,
)
from clarion.text.threads import length, links

TOKEN_ENV = "CLARION_THREADS_ACCESS_TOKEN"  # noqa: S105 - a variable name
# Threads usernames are Instagram's: letters, digits, periods and underscores, at most 30.
_USERNAME = re.compile(r"[A-Za-z0-9._]{1,30}")


class ThreadsStandIn(ThreadsState):
    """The Threads API (graph.threads.net, v1.0) for one account on 127.0.0.1.

    `token` is the access token it takes (as `access_token` or a bearer header),
    `scopes` the permissions granted with it, `expires_in_days` when it expires
    (what debug_token answers; `tester=False`: debug_token refuses, as it does for
    a token that is not a Threads tester's). `processing_polls` is how many status
    reads of an image or carousel container answer IN_PROGRESS. `root` is the
    repository whose files it serves at /files/ for image URLs.
    """

    name = "threads"

    @classmethod
    def for_sandbox(
        cls, account: ThreadsAccount | None, *, latency: float = 0.0, root: Path | None = None
    ) -> ThreadsStandIn:
        """The stand-in `clarion publish --sandbox` runs: the repository's own user id
        and username when its settings give them, serving its files for image URLs."""
        user_id = account.user_id.strip() if account is not None else ""
        name = account.handle.strip().lstrip("@") if account is not None else ""
        return cls(
            latency,
            user_id=user_id if user_id.isdigit() else SANDBOX_USER_ID,
            username=name if _USERNAME.fullmatch(name) else SANDBOX_USERNAME,
            root=root,
        )

    def start(self) -> ThreadsStandIn:
        super().start()
        self.base = self.url  # kept after stop(), for describe()
        return self

    def __enter__(self) -> ThreadsStandIn:
        return self.start()

    # -- for the sandbox and the tests ----------------------------------------
    def sandbox_settings(self) -> tuple[ThreadsAccount, dict[str, str]]:
        """The account settings pointing here (images fetched from the files it
        serves), and the environment holding the token it takes."""
        account = ThreadsAccount(
            user_id=self.user_id,
            api=self.url,
            media_base_url=f"{self.url}/files",
            handle=self.username,
        )
        return account, {TOKEN_ENV: self.token}

    def reset(self) -> None:
        """Forget every container, post, quota count, request and fault, and any
        setting a test changed."""
        with self._lock:
            self.forget()
            self.scopes, self.tester, self.processing_polls = self._defaults
            self.requests.clear()
            self.faults.clear()
            self.engagement = Engagement()

    def set_counts(self, media_id: str, **moves: Unpack[Moves]) -> Counts:
        """Move the insights of post `media_id` (likes, reposts, replies, quotes, views),
        as people would; those not given stay as they are (replies: the replies the
        stand-in holds, until moved)."""
        with self._lock:
            return self.engagement.set_counts(media_id, **moves)

    def received(self) -> list[dict[str, Any]]:
        """Every post published, in order (deleted ones flagged)."""
        with self._lock:
            return [
                {
                    "id": post.id,
                    "text": post.text,
                    "media_type": post.media_type,
                    "reply_to": post.replied_to,
                    "permalink": self.permalink(post),
                    "images": [image(item, item.alt_text, url=item.url) for item in post.items],
                    "deleted": post.deleted,
                }
                for post in self.posts.values()
            ]

    def describe(self) -> str:
        posts = self.received()
        lines = [f"Threads stand-in at {self.base}: @{self.username}, {len(posts)} post(s)"]
        for number, post in enumerate(posts, 1):
            lines.append(head(number, post["id"], post["reply_to"], post["deleted"]))
            lines.extend(text_lines(post["text"]))
            found = links(post["text"])
            lines.append(
                f"      {length(post['text'])}/{TEXT_LIMIT} characters, {len(found)} link(s)"
            )
            lines.extend(image_line(i, fetched_from=i["url"]) for i in post["images"])
            if found and not post["images"]:
                lines.append(f"      link preview: Threads builds it from {found[0]}")
            lines.append(f"      {post['permalink']}")
        with self._lock:
            failed = [c for c in self.containers.values() if c.status in ("ERROR", "EXPIRED")]
            for container in failed:
                why = "; ".join(i.problem for i in container.items if i.problem)
                lines.append(
                    f"  container {container.id} ({container.media_type}) {container.status}"
                    + (f": {why}" if why else "")
                )
        return "\n".join(lines)

    # -- every request ------------------------------------------------------------
    def _token(self, request: Request, values: Mapping[str, str]) -> str:
        authorization = request.header("Authorization")
        for scheme in ("Bearer ", "OAuth "):
            if authorization.startswith(scheme):
                return authorization[len(scheme) :].strip()
        return values.get("access_token", "")

    def dispatch(self, request: Request) -> Response:
        path = request.path
        if request.method == "GET" and path.startswith(FILES):
            return serve(self.root, path)  # a public file server: no token, no lock
        if request.method == "GET" and path.startswith(f"/@{self.username}/post/"):
            return self._post_page(path.rsplit("/", 1)[-1])
        values = params(request)
        with self._lock:
            if self._token(request, values) != self.token:
                return invalid_token()
            # "Calls within 24 hours = 4800 * Number of Impressions"
            # (https://developers.facebook.com/docs/threads/overview, "Rate limiting").
            if self.calls.spent():
                return too_many_calls(self.calls.reset_in())
            self.calls.take()
        segments = [s for s in path.split("/") if s]
        if segments[:1] == [API_VERSION]:
            segments = segments[1:]
        fetched: Item | None = None
        if (
            request.method == "POST"
            and len(segments) == 2
            and segments[1] == "threads"
            and values.get("media_type", "").upper() == "IMAGE"
            and values.get("image_url")
        ):
            # Threads fetches the image itself; outside the lock, since the URL may
            # be this stand-in's own /files/.
            fetched = fetch(values["image_url"], values.get("alt_text", ""))
        with self._lock:
            return self._route(request, segments, values, fetched)

    def _route(
        self,
        request: Request,
        segments: list[str],
        values: dict[str, str],
        fetched: Item | None,
    ) -> Response:
        method = request.method
        if method == "GET" and segments == ["me"]:
            return reads.me(self, request)
        if method == "GET" and segments == ["debug_token"]:
            return reads.debug_token(self, request)
        if len(segments) == 1:
            (object_id,) = segments
            if method == "GET":
                if object_id == self.user_id:
                    return reads.me(self, request)
                return reads.get_object(self, object_id, request)
            if method == "DELETE":
                return publishing.delete(self, object_id)
        if len(segments) == 2:
            owner, edge = segments
            if method == "GET" and edge == "threads_publishing_limit":
                return reads.publishing_limit(self, owner, request)
            if method == "GET" and edge == "threads":
                return reads.user_threads(self, owner, request)
            if method == "POST" and edge == "threads":
                return publishing.create(self, owner, values, fetched)
            if method == "POST" and edge == "threads_publish":
                return publishing.publish(self, owner, values)
            if method == "GET" and edge == "replies":
                return reads.replies(self, owner, request)
            if method == "GET" and edge == "insights":
                return insights.media(self, self.engagement, owner, request)
            if method == "GET" and edge == "threads_insights":
                return insights.user(self, self.engagement, owner, request)
        return self.not_found(request)

    def not_found(self, request: Request) -> Response:
        return error(400, "Unknown path components", 2500)

    def _post_page(self, shortcode: str) -> Response:
        with self._lock:
            post = next((p for p in self.posts.values() if p.shortcode == shortcode), None)
            if post is None or post.deleted:
                return Response.page("Post not found", "This post does not exist, or was deleted.")
            return Response.page(f"@{self.username} on the Threads stand-in", post.text)
