"""What the sandbox account holds on X: posts, uploads (finished and under way),
spent nonces and rate-limit windows."""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from clarion.sandbox.server import StandIn
from clarion.sandbox.x.limits import Windows

SANDBOX_USER_ID = "1864000000000000001"
SANDBOX_USERNAME = "clarion_sandbox"

_TWITTER_EPOCH_MS = 1288834974657  # snowflake ids count milliseconds from here

# What STATUS answers in turn for an animated GIF once FINALIZE has answered
# "pending" (the last state stays): X processes a small GIF in a moment.
GIF_PROCESSING = ("in_progress", "succeeded")


@dataclass
class StoredMedia:
    id: str
    media_key: str
    mime: str
    size: int
    width: int
    height: int
    category: str
    uploaded: float
    alt_text: str | None = None
    processing: str = "succeeded"  # "pending", "in_progress", "succeeded" or "failed"
    states: list[str] = field(default_factory=list)  # what the next STATUS calls answer


@dataclass
class UploadSession:
    """A chunked upload between INITIALIZE and FINALIZE."""

    id: str
    media_key: str
    mime: str
    total_bytes: int
    category: str
    started: float
    segments: dict[int, bytes] = field(default_factory=dict)


@dataclass
class StoredTweet:
    id: str
    text: str
    created_at: str
    conversation_id: str
    in_reply_to: str | None = None
    media: list[StoredMedia] = field(default_factory=list)
    deleted: bool = False


class XState(StandIn):
    """The account's settings (which a test may change) and everything it holds.

    The route handlers (`tweets`, `media`) read and change this; `XStandIn` adds
    the routes (`_add_routes`), the signature check and the rate limits around them.
    """

    def __init__(
        self,
        latency: float = 0.0,
        *,
        rate_limits: Mapping[str, int] | None = None,
        daily_limits: Mapping[str, int] | None = None,
        gif_processing: tuple[str, ...] = GIF_PROCESSING,
        refuse_replies: bool = False,
        username: str = SANDBOX_USERNAME,
    ) -> None:
        super().__init__(latency)
        self._defaults = (gif_processing, refuse_replies)  # what reset() restores
        self.username = username
        self.windows = Windows(rate_limits, daily_limits)
        self.gif_processing = gif_processing
        self.refuse_replies = refuse_replies
        self.tweets: dict[str, StoredTweet] = {}
        self.media: dict[str, StoredMedia] = {}
        self.uploads: dict[str, UploadSession] = {}
        self.nonces: set[tuple[str, str]] = set()
        self.followers = 0  # the account's followers (users/me public_metrics): tests move it
        self._sequence = itertools.count()
        self._add_routes()

    def _add_routes(self) -> None:
        """Add the routes, once the state is made: the stand-in's."""

    @property
    def rate_limits(self) -> dict[str, int]:
        return self.windows.limits

    def snowflake(self) -> str:
        millis = int(time.time() * 1000) - _TWITTER_EPOCH_MS
        return str((millis << 22) | (1 << 17) | (1 << 12) | (next(self._sequence) & 0xFFF))

    def forget(self) -> None:
        """Every post, upload and window gone."""
        self.tweets.clear()
        self.media.clear()
        self.uploads.clear()
        self.windows.clear()
