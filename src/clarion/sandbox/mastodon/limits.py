"""Mastodon's rate limits: Rack::Attack-style windows, and the headers that report them."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping

from clarion.sandbox.server import Request, Response

# Rack::Attack-style windows, aligned to the period as Rack::Attack aligns them:
# name -> (requests allowed, period in seconds). Mastodon's defaults.
DEFAULT_LIMITS: Mapping[str, tuple[int, float]] = {
    "api": (300, 300.0),  # every authenticated request
    "statuses": (300, 10_800.0),  # statuses created per account
    "media": (30, 1_800.0),  # media uploads
    "deletes": (30, 1_800.0),  # status deletions
}


def bucket(request: Request) -> str:
    """The window a request counts against besides "api"."""
    if request.method == "POST" and request.path == "/api/v1/statuses":
        return "statuses"
    if request.method == "POST" and request.path == "/api/v2/media":
        return "media"
    if request.method == "DELETE" and request.path.startswith("/api/v1/statuses/"):
        return "deletes"
    return "api"


class Windows:
    """How many requests each window has taken; `limits` overrides Mastodon's defaults."""

    def __init__(self, limits: Mapping[str, tuple[int, float]] | None = None) -> None:
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self.counts: dict[tuple[str, float], int] = {}

    def window(self, bucket: str) -> tuple[int, float, tuple[str, float]]:
        """The bucket's limit, when its current window resets, and that window's key."""
        limit, period = self.limits[bucket]
        start = (time.time() // period) * period
        return limit, start + period, (bucket, start)

    def take(self, bucket: str) -> bool:
        """Count one request in the bucket's window; False if the window is used up."""
        limit, _, key = self.window(bucket)
        if self.counts.get(key, 0) >= limit:
            return False
        self.counts[key] = self.counts.get(key, 0) + 1
        return True

    def stamp(self, response: Response, bucket: str) -> Response:
        """The response with the bucket's `X-RateLimit-*` headers."""
        limit, reset, key = self.window(bucket)
        response.headers.update(
            {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": str(max(0, limit - self.counts.get(key, 0))),
                "X-RateLimit-Reset": _iso_micro(reset),
            }
        )
        return response

    def clear(self) -> None:
        self.counts.clear()


def _iso_micro(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
