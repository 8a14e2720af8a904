"""What one Mastodon account holds on its instance: statuses, uploads, keys and windows."""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Unpack

from clarion.sandbox.engagement import Counts, Engagement, Moves
from clarion.sandbox.mastodon.limits import Windows
from clarion.sandbox.mastodon.rules import DESCRIPTION_LIMIT, IMAGE_SIZE_LIMIT
from clarion.sandbox.server import StandIn
from clarion.settings import DEFAULT_MASTODON_LIMIT

USERNAME = "clarion_example"
SANDBOX_TOKEN = "clarion-sandbox-mastodon-token"  # noqa: S105 - a fixed sandbox credential
ACCOUNT_ID = "113000000000000001"


class Snowflakes:
    """Mastodon ids: milliseconds since the epoch shifted left 16 bits, plus a sequence."""

    def __init__(self) -> None:
        self._last = 0
        self._seq = itertools.count()

    def next(self, ts: float) -> str:
        value = (int(ts * 1000) << 16) | (next(self._seq) & 0xFFFF)
        self._last = max(value, self._last + 1)
        return str(self._last)


@dataclass
class Media:
    id: str
    mime: str
    size: int
    width: int
    height: int
    description: str
    file_name: str
    polls_left: int  # GETs that still answer 206 (processing)
    status_id: str | None = None
    animated: bool = False  # a GIF of more than one frame: transcoded to a `gifv`
    deleted: bool = False  # with its status, by DELETE ...?delete_media=true

    @property
    def processed(self) -> bool:
        return self.polls_left <= 0

    @property
    def gifv(self) -> bool:
        return self.mime == "image/gif" and self.animated


@dataclass
class Status:
    id: str
    created_at: float
    text: str
    spoiler_text: str
    visibility: str
    language: str | None
    sensitive: bool
    in_reply_to_id: str | None
    media_ids: list[str]
    idempotency_key: str | None
    edited_at: float | None = None
    deleted: bool = False
    # How it was deleted: None while it stands; else whether the client asked for its
    # media to go at once (`delete_media`), which Mastodon otherwise keeps a day.
    delete_media: bool | None = None
    edits: list[dict[str, Any]] = field(default_factory=list)


class InstanceState(StandIn):
    """The account's settings (which a test may change) and everything it holds.

    The route handlers (`statuses`, `media`, `instance`) read and change this;
    `MastodonStandIn` adds the routes (`_add_routes`), authentication and rate limits.
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        max_characters: int = DEFAULT_MASTODON_LIMIT,
        media_processing_polls: int = 1,
        limits: Mapping[str, tuple[int, float]] | None = None,
        token: str = SANDBOX_TOKEN,
        username: str = USERNAME,
        scopes: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(latency=latency)
        self.max_characters = max_characters
        # The instance's upload limits (a test may lower them); /api/v2/instance publishes them.
        self.image_size_limit = IMAGE_SIZE_LIMIT
        self.description_limit = DESCRIPTION_LIMIT
        self.media_processing_polls = media_processing_polls
        self.windows = Windows(limits)
        self.token = token
        self.username = username
        # The token's OAuth scopes; None: every scope (`read write`).
        self.scopes = scopes
        self.account_id = ACCOUNT_ID
        self.created = time.time()
        self.statuses: dict[str, Status] = {}
        self.media: dict[str, Media] = {}
        self.files: dict[str, bytes] = {}  # each upload's bytes, by media id
        self.idempotency_keys: dict[tuple[str, str], tuple[str, float]] = {}
        self.pins: list[str] = []  # the statuses pinned on the profile, in the order pinned
        self.key_age = 0.0
        self.ids = Snowflakes()
        self.base = "http://127.0.0.1"  # the real address once started
        # Each status's favourites, boosts and replies, and the followers: tests move them.
        self.engagement = Engagement(shown=("likes", "reposts", "replies"))
        self.version: str | None = None  # the Mastodon version it says it runs; None: VERSION
        self._add_routes()

    def _add_routes(self) -> None:
        """Add the routes, once the state is made: the stand-in's."""

    @property
    def limits(self) -> dict[str, tuple[int, float]]:
        """The rate-limit windows: name -> (requests allowed, period in seconds)."""
        return self.windows.limits

    @limits.setter
    def limits(self, limits: dict[str, tuple[int, float]]) -> None:
        self.windows.limits = limits

    def reset(self) -> None:
        """Forget every status, upload, key, rate-limit count, request and queued fault."""
        with self._lock:
            self.statuses.clear()
            self.media.clear()
            self.files.clear()
            self.idempotency_keys.clear()
            self.pins.clear()
            self.key_age = 0.0
            self.windows.clear()
            self.requests.clear()
            self.faults.clear()

    def set_counts(self, status_id: str, **moves: Unpack[Moves]) -> Counts:
        """Move the favourites, boosts and replies of a status (likes, reposts, replies),
        as people would; those not given stay as they are (replies: the statuses
        answering it, until moved)."""
        with self._lock:
            return self.engagement.set_counts(status_id, **moves)

    def age_idempotency_keys(self, seconds: float) -> None:
        """Age every stored Idempotency-Key by `seconds` (Mastodon forgets them after an hour)."""
        with self._lock:
            self.key_age += seconds

    def allows(self, scope: str) -> bool:
        """Whether the token has `scope` (`write:accounts`), itself or by its
        top-level scope (`write`)."""
        return self.scopes is None or bool({scope, scope.partition(":")[0]} & set(self.scopes))

    def media_bytes(self, media_id: str) -> bytes:
        """The file uploaded as `media_id`, byte for byte."""
        return self.files[media_id]

    def status_url(self, status_id: str) -> str:
        return f"{self.base}/@{self.username}/{status_id}"
