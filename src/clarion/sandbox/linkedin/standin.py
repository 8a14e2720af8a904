"""The LinkedIn stand-in: its routes, the checks every call goes through (version
and protocol headers, the token, the day's limits), and what it received."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Unpack
from urllib.parse import quote, unquote

from clarion.networks import LinkedInAccount
from clarion.sandbox.describe import head, image, image_line, text_lines
from clarion.sandbox.engagement import Counts, Engagement, Moves
from clarion.sandbox.linkedin import images, little, posts, reading, rules
from clarion.sandbox.linkedin.state import (
    SANDBOX_ACCESS_TOKEN,
    SANDBOX_ORGANIZATION,
    SANDBOX_PAGE,
    LinkedInState,
)
from clarion.sandbox.server import Request, Response
from clarion.text.linkedin import LIMIT, length

TOKEN_ENV = "CLARION_LINKEDIN_ACCESS_TOKEN"  # noqa: S105 - a variable name
PAGE_PATH = "/feed/update/"  # where a post lives on the web: www.linkedin.com/feed/update/{urn}/
_ORGANIZATION = re.compile(r"urn:li:organization:\d+")
SHOWN = ("likes", "reposts", "replies", "views")  # what LinkedIn counts of a post


class LinkedInStandIn(LinkedInState):
    """LinkedIn's Posts and Images APIs for one organisation's page.

    `scopes` are the token's (a test drops one to see LinkedIn's 403); `versions`,
    when given, the Linkedin-Version values served (else those LinkedIn serves by
    the calendar, VERSION); `daily_limits` the calls a UTC day allows per endpoint
    ("POST /rest/posts"): LinkedIn publishes none, so none unless given.
    """

    name = "linkedin"

    def _add_routes(self) -> None:
        # Counts and followers people would make, and what LinkedIn does to posts
        # outside Clarion: tests move and do them (reading.py).
        self.engagement = Engagement(shown=SHOWN)
        self.reading = reading.Reading(self, self.engagement)
        self.route("POST", "/rest/posts", self.on(posts.create))
        self.route("GET", "/rest/posts", lambda r: self.reading.posts(self, r))
        self.route("GET", reading.SOCIAL_PATH, lambda r: self.reading.social_metadata(self, r))
        self.route("GET", reading.STATS_PATH, lambda r: self.reading.share_statistics(self, r))
        self.route(
            "GET", reading.NETWORK_SIZES, lambda r: self.reading.network_size(self, r), prefix=True
        )
        self.route("GET", posts.PREFIX, self.on(posts.get), prefix=True)
        self.route("POST", posts.PREFIX, self.on(posts.update), prefix=True)
        self.route("DELETE", posts.PREFIX, self.on(posts.delete), prefix=True)
        self.route("POST", "/rest/images", lambda r: images.initialize(self, r, self.url))
        self.route("PUT", images.UPLOAD_PATH, self.on(images.upload), prefix=True)
        self.route("GET", PAGE_PATH, self._post_page, prefix=True)

    @classmethod
    def for_sandbox(
        cls, account: LinkedInAccount | None, *, latency: float = 0.0, root: Path | None = None
    ) -> LinkedInStandIn:
        """The stand-in `clarion publish --sandbox` runs: the repository's organisation,
        page and API version when it has them."""
        if account is None:
            return cls(latency)
        organization = account.organization.strip()
        return cls(
            latency,
            organization=organization
            if _ORGANIZATION.fullmatch(organization)
            else SANDBOX_ORGANIZATION,
            page=account.page.strip().strip("/") or SANDBOX_PAGE,
            version=account.version,
        )

    # -- for the sandbox and the tests ----------------------------------------
    def sandbox_settings(self) -> tuple[LinkedInAccount, dict[str, str]]:
        """The account settings pointing here, and the token this stand-in accepts."""
        account = LinkedInAccount(
            organization=self.organization,
            version=self.version,
            api=self.url,
            web=self.url,
            page=self.page,
        )
        return account, {TOKEN_ENV: SANDBOX_ACCESS_TOKEN}

    def post_url(self, urn: str) -> str:
        return f"{self.url}{PAGE_PATH}{urn}/"

    def reset(self) -> None:
        """Forget every post, image, request, fault and counted call, and any setting
        a test changed."""
        with self._lock:
            self.forget()
            scopes, versions = self._defaults
            self.scopes, self.versions = set(scopes), versions
            self.daily_limits.clear()
            self.requests.clear()
            self.faults.clear()
            self.engagement = Engagement(shown=SHOWN)
            self.reading = reading.Reading(self, self.engagement)

    def set_counts(self, urn: str, **moves: Unpack[Moves]) -> Counts:
        """Move what LinkedIn counts of post `urn`, as people would: likes (LIKE
        reactions), reposts (shares), replies (comments) and views (impressions);
        those not given stay as they are."""
        with self._lock:
            return self.engagement.set_counts(urn, **moves)

    def received(self) -> list[dict[str, Any]]:
        """Every post created, in order (deleted ones flagged): its commentary as sent
        and as LinkedIn kept it, the text a reader sees, and its images."""
        with self._lock:
            return [
                {
                    "id": post.urn,
                    "sent": post.sent,
                    "commentary": post.commentary,
                    "text": little.shown(post.commentary),
                    "cut": post.commentary != post.sent,
                    "images": [image(stored, alt, id=stored.urn) for stored, alt in post.images],
                    "article": (post.content or {}).get("article"),
                    "edited": post.edited,
                    "deleted": post.deleted,
                }
                for post in self.posts.values()
            ]

    def describe(self) -> str:
        received = self.received()
        if not received:
            return "LinkedIn: received nothing"
        lines = [
            f"LinkedIn: received {len(received)} post(s) for the page {self.page} "
            f"({self.organization})"
        ]
        for number, post in enumerate(received, 1):
            lines.append(head(number, post["id"], None, post["deleted"], edited=post["edited"]))
            lines.extend(text_lines(post["text"]))
            lines.append(f"      {length(post['text'])}/{LIMIT} characters")
            if post["cut"]:
                lines.append(
                    "      CUT SHORT by LinkedIn at an unescaped reserved character of the "
                    f"little text format; it was sent: {json.dumps(post['sent'])[:200]}"
                )
            lines.extend(image_line(i) for i in post["images"])
            article = post["article"]
            if article:
                lines.append(f"      link card: {article.get('title')} <{article.get('source')}>")
            lines.append(f"      {self.post_url(post['id'])}")
        return "\n".join(lines)

    def _post_page(self, request: Request) -> Response:
        urn = unquote(request.path.removeprefix(PAGE_PATH).strip("/"))
        post = self.posts.get(urn)
        if post is None or post.deleted:
            return Response.page("Post not found", "This post does not exist, or was deleted.")
        return Response.page(f"{self.page} on the LinkedIn stand-in", little.shown(post.commentary))

    # -- the checks every call goes through ------------------------------------
    def dispatch(self, request: Request) -> Response:
        with self._lock:
            if request.method == "GET" and request.path.startswith(PAGE_PATH):
                return super().dispatch(request)  # a post's web page: public
            if request.header("Authorization") != f"Bearer {SANDBOX_ACCESS_TOKEN}":
                return rules.invalid_token()
            if request.path.startswith(images.UPLOAD_PATH):
                return super().dispatch(request)  # the upload address: the token only
            version = request.header("Linkedin-Version").strip()
            if not version:
                return rules.version_missing()
            if not self._serves(version):
                return rules.version_inactive(version)
            if request.header("X-Restli-Protocol-Version").strip() != rules.PROTOCOL_VERSION:
                return rules.protocol_missing()
            if not self.count_call(endpoint(request)):
                return rules.throttled()
            return super().dispatch(request)

    def _serves(self, version: str) -> bool:
        if self.versions is not None:
            return version in self.versions
        return rules.version_active(version, self.today())

    def not_found(self, request: Request) -> Response:
        return rules.not_found(request.path)


def endpoint(request: Request) -> str:
    """The endpoint a call counts against: its method and path, a post's URN as `:id`."""
    path = request.path
    if path.startswith(posts.PREFIX):
        path = posts.PREFIX + ":id"
    return f"{request.method} {path}"


def encoded(urn: str) -> str:
    """A URN as it goes in a path (POSTS: "URL encoded")."""
    return quote(urn, safe="")
