"""What the sandbox organisation holds on LinkedIn: posts, images (uploaded or
waiting for their bytes), and the calls counted against each day's limits."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from clarion.networks import LinkedInAccount
from clarion.sandbox.server import StandIn

SANDBOX_ORGANIZATION = "urn:li:organization:2414183"
SANDBOX_PAGE = "clarion-sandbox"  # the company page's name in its address
SANDBOX_ACCESS_TOKEN = "clarion-sandbox-linkedin-token"  # noqa: S105 - a sandbox credential
SANDBOX_SCOPES = (
    "w_organization_social",
    "r_organization_social",
    "r_organization_social_feed",  # reactions and comments (clarion metrics)
    "rw_organization_admin",  # impressions and shares (clarion metrics)
)


def _utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@dataclass
class StoredImage:
    urn: str  # urn:li:image:…
    owner: str
    upload_token: str
    status: str = "WAITING_UPLOAD"  # then AVAILABLE, or PROCESSING_FAILED (IMAGES, "status")
    mime: str = ""
    size: int = 0
    width: int = 0
    height: int = 0


@dataclass
class StoredPost:
    urn: str  # urn:li:share:… (text or an article) or urn:li:ugcPost:… (images)
    author: str
    commentary: str  # as LinkedIn keeps it: cut at an unescaped reserved character
    sent: str  # the commentary as the request carried it
    visibility: str
    distribution: Mapping[str, Any]
    lifecycle: str
    content: Mapping[str, Any] | None
    created: int  # milliseconds since the epoch
    modified: int
    images: list[tuple[StoredImage, str]] = field(default_factory=list)  # with alt text
    edited: bool = False
    deleted: bool = False

    def shape(self) -> dict[str, Any]:
        """The post as the Posts API answers it (POSTS, "Post Schema")."""
        post: dict[str, Any] = {
            "id": self.urn,
            "author": self.author,
            "commentary": self.commentary,
            "visibility": self.visibility,
            "distribution": dict(self.distribution),
            "lifecycleState": self.lifecycle,
            "lifecycleStateInfo": {"isEditedByAuthor": self.edited},
            "isReshareDisabledByAuthor": False,
            "createdAt": self.created,
            "publishedAt": self.created,
            "lastModifiedAt": self.modified,
        }
        if self.content:
            post["content"] = dict(self.content)
        return post


class LinkedInState(StandIn):
    """The organisation's settings (which a test may change) and everything it holds.

    The route handlers (`posts`, `images`) read and change this; `LinkedInStandIn`
    adds the routes (`_add_routes`) and the checks every call goes through.
    """

    def __init__(
        self,
        latency: float = 0.0,
        *,
        organization: str = SANDBOX_ORGANIZATION,
        page: str = SANDBOX_PAGE,
        version: str = LinkedInAccount.version,
        scopes: Collection[str] = SANDBOX_SCOPES,
        versions: Collection[str] | None = None,
        daily_limits: Mapping[str, int] | None = None,
        today: Callable[[], dt.date] = _utc_today,
    ) -> None:
        super().__init__(latency)
        self.organization = organization
        self.page = page
        self.version = version  # what sandbox_settings gives the adapter
        self._defaults = (set(scopes), None if versions is None else set(versions))
        self.scopes = set(scopes)
        self.versions = None if versions is None else set(versions)  # None: by the calendar
        self.daily_limits = dict(daily_limits or {})
        self.today = today
        self.posts: dict[str, StoredPost] = {}
        self.images: dict[str, StoredImage] = {}
        self.calls: dict[tuple[str, dt.date], int] = {}
        self._sequence = itertools.count(7_400_000_000_000_000_001)
        self._add_routes()

    def _add_routes(self) -> None:
        """Add the routes, once the state is made: the stand-in's."""

    def next_id(self) -> int:
        return next(self._sequence)

    @staticmethod
    def now_ms() -> int:
        return int(time.time() * 1000)

    def count_call(self, endpoint: str) -> bool:
        """Count a call against its endpoint's limit for the UTC day (LIMITS: they
        "reset at midnight UTC"); False when the day's calls are spent."""
        limit = self.daily_limits.get(endpoint)
        if limit is None:
            return True
        key = (endpoint, dt.datetime.now(dt.UTC).date())
        if self.calls.get(key, 0) >= limit:
            return False
        self.calls[key] = self.calls.get(key, 0) + 1
        return True

    def forget(self) -> None:
        """Every post, image and counted call gone."""
        self.posts.clear()
        self.images.clear()
        self.calls.clear()
