"""What the sandbox account holds on Threads: media containers, published posts, the
24-hour quotas and the call budget."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from clarion import networks
from clarion.sandbox.engagement import Engagement
from clarion.sandbox.server import StandIn
from clarion.sandbox.threads.rules import (
    CALL_LIMIT,
    DELETE_QUOTA,
    POST_QUOTA,
    QUOTA_DURATION,
    REPLY_QUOTA,
)

SANDBOX_USER_ID = "17841400000000001"
SANDBOX_USERNAME = "clarion.sandbox"
SANDBOX_TOKEN = "THAAsandbox-threads-token"  # noqa: S105 - the sandbox's, public
# The sandbox token holds the permissions people are told to give the app (the
# registry's, each cited there: developers.facebook.com/docs/threads/get-started).
DEFAULT_SCOPES = networks.get("threads").token_scopes


@dataclass
class Item:
    """An image of a container, as Threads fetched it from its URL."""

    url: str
    alt_text: str
    mime: str = ""
    size: int = 0
    width: int = 0
    height: int = 0
    problem: str = ""  # why it could not be used; "" when it could


@dataclass
class Container:
    id: str
    media_type: str  # TEXT, IMAGE, CAROUSEL
    text: str
    created: float
    reply_to_id: str | None = None
    is_carousel_item: bool = False
    items: list[Item] = field(default_factory=list)  # IMAGE: one; CAROUSEL: its children's
    children: list[str] = field(default_factory=list)
    status: str = "IN_PROGRESS"
    error_message: str = ""
    polls_left: int = 0  # status reads that still answer IN_PROGRESS
    media_id: str | None = None  # once published


@dataclass
class Post:
    """A published Threads media object (a post or a reply)."""

    id: str
    shortcode: str
    media_type: str  # TEXT_POST, IMAGE, CAROUSEL_ALBUM
    text: str
    timestamp: float
    container_id: str
    replied_to: str | None = None
    root_post: str | None = None
    items: list[Item] = field(default_factory=list)
    deleted: bool = False

    @property
    def when(self) -> str:
        """ISO 8601 as the Graph API writes it: 2026-12-01T15:00:04+0000."""
        moment = dt.datetime.fromtimestamp(self.timestamp, dt.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


class Quota:
    """A count over a moving 24-hour window (Threads' publishing limits)."""

    def __init__(self, total: int, duration: int = QUOTA_DURATION) -> None:
        self.total = total
        self.duration = duration
        self._times: deque[float] = deque()

    def usage(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        while self._times and self._times[0] <= now - self.duration:
            self._times.popleft()
        return len(self._times)

    def spent(self) -> bool:
        return self.usage() >= self.total

    def take(self) -> None:
        self._times.append(time.time())

    def fill(self, count: int) -> None:
        """As if `count` had been used just now (tests of a spent quota)."""
        self._times.extend([time.time()] * count)

    def reset_in(self) -> int:
        """Seconds until one more is allowed (0 when one is)."""
        if not self.spent():
            return 0
        return max(int(self._times[0] + self.duration - time.time()) + 1, 1)

    def clear(self) -> None:
        self._times.clear()


class ThreadsState(StandIn):
    """The account's settings (which a test may change) and everything it holds.

    The route handlers (`containers`, `reads`) read and change this;
    `ThreadsStandIn` adds the routes, the token check and the call budget.
    """

    def __init__(
        self,
        latency: float = 0.0,
        *,
        user_id: str = SANDBOX_USER_ID,
        username: str = SANDBOX_USERNAME,
        token: str = SANDBOX_TOKEN,
        scopes: tuple[str, ...] = DEFAULT_SCOPES,
        expires_in_days: float = 60,
        tester: bool = True,
        processing_polls: int = 1,
        root: Path | None = None,
    ) -> None:
        super().__init__(latency)
        self._defaults = (scopes, tester, processing_polls)  # what reset() restores
        self.user_id = user_id
        self.username = username
        self.token = token
        self.scopes = scopes
        self.expires_at = int(time.time() + expires_in_days * 86400)
        # debug_token answers only for a Threads tester's token
        # (https://developers.facebook.com/documentation/threads/troubleshooting/debug-access-token).
        self.tester = tester
        # How many status reads of an image container answer IN_PROGRESS before it
        # is FINISHED (or ERROR): Threads fetches and processes it meanwhile.
        self.processing_polls = processing_polls
        self.root = root  # the repository whose files it serves at /files/
        self.posts_quota = Quota(POST_QUOTA)
        self.replies_quota = Quota(REPLY_QUOTA)
        self.deletes_quota = Quota(DELETE_QUOTA)
        self.calls = Quota(CALL_LIMIT)
        self.containers: dict[str, Container] = {}
        self.posts: dict[str, Post] = {}
        self._container_ids = itertools.count(17_900_000_000_000_001)
        self._media_ids = itertools.count(18_050_000_000_000_001)
        self.base = "http://127.0.0.1"  # the real address once started
        # Counts and followers people would make: tests move them (insights.py).
        self.engagement = Engagement()

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def new_container_id(self) -> str:
        return str(next(self._container_ids))

    def new_post_id(self) -> tuple[str, str]:
        """A media id and its shortcode (the last part of a permalink)."""
        media_id = next(self._media_ids)
        code = base64.urlsafe_b64encode(media_id.to_bytes(8, "big")).decode().rstrip("=")
        return str(media_id), "C" + code

    def permalink(self, post: Post) -> str:
        return f"{self.base}/@{self.username}/post/{post.shortcode}"

    def live_post(self, post_id: str) -> Post | None:
        post = self.posts.get(post_id)
        return None if post is None or post.deleted else post

    def forget(self) -> None:
        """Every container, post, quota count and call counted gone."""
        self.containers.clear()
        self.posts.clear()
        for quota in (self.posts_quota, self.replies_quota, self.deletes_quota, self.calls):
            quota.clear()
