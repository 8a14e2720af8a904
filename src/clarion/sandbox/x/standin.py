"""The X stand-in: its routes, the signature check and rate limits around every
route, and what it received."""

from __future__ import annotations

import re
from typing import Any, Unpack

from clarion.sandbox.describe import head, image, image_line, text_lines
from clarion.sandbox.engagement import Moves, given
from clarion.sandbox.server import Request, Response
from clarion.sandbox.x import media, reads, tweets
from clarion.sandbox.x.oauth import (
    SANDBOX_ACCESS_TOKEN,
    SANDBOX_ACCESS_TOKEN_SECRET,
    SANDBOX_API_KEY,
    SANDBOX_API_SECRET,
    signed,
)
from clarion.sandbox.x.reading import Reading
from clarion.sandbox.x.rules import TEXT_LIMIT, TOO_MANY, UNAUTHORIZED
from clarion.sandbox.x.state import SANDBOX_USERNAME, XState
from clarion.settings import XAccount
from clarion.text.x import weighted_length

_URL = re.compile(r"https?://\S+")
# Our names of the counts, and X's (public_metrics, non_public_metrics).
_METRICS = {
    "likes": "like_count",
    "reposts": "retweet_count",
    "replies": "reply_count",
    "quotes": "quote_count",
    "views": "impression_count",
}


class XStandIn(XState):
    """X's API v2 for one sandbox account (@clarion_sandbox).

    `rate_limits` overrides the per-user 15-minute limits by endpoint
    ("POST /2/tweets"), `daily_limits` the 24-hour posting caps by scope ("app",
    "user"). `gif_processing` is what STATUS answers in turn for an
    animated GIF after FINALIZE answered "pending" (the last state stays; end it
    with "failed" for a GIF X cannot process; empty: processed at FINALIZE).
    `refuse_replies` refuses every reply, a thread's own parts too, with X's 403,
    as X may since February 2026 for self-serve API tiers.
    """

    name = "x"

    def _add_routes(self) -> None:
        self.route("GET", "/2/users/me", self.on(tweets.me))
        self.route("POST", "/2/tweets", self.on(tweets.create))
        self.route("DELETE", "/2/tweets/", self.on(tweets.delete), prefix=True)
        self.route("POST", "/2/media/upload", self.on(media.upload))
        self.route("GET", "/2/media/upload", self.on(media.status))
        self.route("POST", "/2/media/upload/initialize", self.on(media.initialize))
        self.route("POST", "/2/media/upload/", self.on(media.chunked), prefix=True)
        self.route("POST", "/2/media/metadata", self.on(media.metadata))
        # Post lookup, and what X does to posts (clarion watch, clarion metrics).
        self.reading = Reading(self)
        self.route("GET", "/2/tweets", self.on(self.reading.lookup))
        # The account's timeline, with the same counts (clarion metrics).
        self.route(
            "GET",
            "/2/users/",
            lambda request: reads.timeline(self, request, self.reading.counts),
            prefix=True,
        )
        # Its receipts point here, as x.com's do there: /{username}/status/{id}.
        self.route("GET", f"/{self.username}/status/", self._post_page, prefix=True)

    @classmethod
    def for_sandbox(
        cls, account: XAccount | None, *, latency: float = 0.0, root: object = None
    ) -> XStandIn:
        """The stand-in `clarion publish --sandbox` runs: the repository's own
        username when it has one (X's rule: letters, digits, _; at most 15)."""
        name = account.handle.strip().lstrip("@") if account is not None else ""
        valid = 0 < len(name) <= 15 and name.isascii() and name.replace("_", "a").isalnum()
        return cls(latency, username=name if valid else SANDBOX_USERNAME)

    def _post_page(self, request: Request) -> Response:
        tweet = self.tweets.get(request.path.rsplit("/", 1)[-1])
        if tweet is None or tweet.deleted:
            return Response.page("Post not found", "This post does not exist, or was deleted.")
        return Response.page(f"@{self.username} on the X stand-in", tweet.text)

    # -- for the sandbox and the tests ----------------------------------------
    def set_counts(self, post_id: str, **moves: Unpack[Moves]) -> None:
        """Move the public metrics of post `post_id`, as people liking, reposting,
        answering, quoting and seeing it would; those not given stay as they are."""
        with self._lock:
            self.reading.counts.setdefault(post_id, {}).update(given(moves, _METRICS))

    def sandbox_settings(self) -> tuple[XAccount, dict[str, str]]:
        """The account settings pointing here, and the credentials this stand-in accepts."""
        account = XAccount(handle=self.username, api=self.url, web=self.url)
        env = {
            "CLARION_X_API_KEY": SANDBOX_API_KEY,
            "CLARION_X_API_SECRET": SANDBOX_API_SECRET,
            "CLARION_X_ACCESS_TOKEN": SANDBOX_ACCESS_TOKEN,
            "CLARION_X_ACCESS_TOKEN_SECRET": SANDBOX_ACCESS_TOKEN_SECRET,
        }
        return account, env

    def reset(self) -> None:
        """Forget every post, upload, request, fault and rate-limit window, and any
        setting a test changed."""
        with self._lock:
            self.forget()
            self.gif_processing, self.refuse_replies = self._defaults
            self.requests.clear()
            self.faults.clear()

    def received(self) -> list[dict[str, Any]]:
        """Every post created, in order (deleted ones flagged)."""
        with self._lock:
            return [
                {
                    "id": tweet.id,
                    "text": tweet.text,
                    "created_at": tweet.created_at,
                    "in_reply_to": tweet.in_reply_to,
                    "conversation_id": tweet.conversation_id,
                    "media": [
                        image(m, m.alt_text, id=m.id, media_key=m.media_key) for m in tweet.media
                    ],
                    "deleted": tweet.deleted,
                }
                for tweet in self.tweets.values()
            ]

    def describe(self) -> str:
        posts = self.received()
        if not posts:
            return "X: received nothing"
        lines = [f"X: received {len(posts)} post(s) from @{self.username}"]
        for number, post in enumerate(posts, 1):
            lines.append(head(number, post["id"], post["in_reply_to"], post["deleted"]))
            lines.extend(text_lines(post["text"]))
            lines.append(f"      {weighted_length(post['text'])}/{TEXT_LIMIT} weighted characters")
            lines.extend(image_line(i) for i in post["media"])
            links = _URL.findall(post["text"])
            if links:
                lines.append(f"      link card: X builds it from {links[0]}")
            lines.append(f"      {self.url}/{self.username}/status/{post['id']}")
        return "\n".join(lines)

    # -- the checks every endpoint makes --------------------------------------
    def dispatch(self, request: Request) -> Response:
        with self._lock:
            if request.method == "GET" and request.path.startswith(f"/{self.username}/status/"):
                return super().dispatch(request)  # a post's web page: public
            if not signed(request, self.nonces):
                return Response.json(UNAUTHORIZED, 401)
            allowed, headers = self.windows.take(request)
            if not allowed:
                return Response.json(TOO_MANY, 429, headers)
            response = super().dispatch(request)
            response.headers.update(headers)
            return response

    def not_found(self, request: Request) -> Response:
        missing = {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}
        return Response.json(missing, 404)
