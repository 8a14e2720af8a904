"""X's rate limits: per-user 15-minute windows per endpoint, and the
`x-rate-limit-*` headers that report them."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from clarion.sandbox.server import Request

WINDOW = 15 * 60  # X's rate-limit windows are 15 minutes

# Per-user limits per 15-minute window (the create and delete figures are those
# in tweepy's cassettes; the media ones are generous, as X's are).
DEFAULT_RATE_LIMITS: Mapping[str, int] = {
    "GET /2/users/me": 75,
    "POST /2/tweets": 200,
    "DELETE /2/tweets/:id": 50,
    "POST /2/media/upload": 500,
    "GET /2/media/upload": 500,
    "POST /2/media/upload/initialize": 500,
    "POST /2/media/upload/:id/append": 500,
    "POST /2/media/upload/:id/finalize": 500,
    "POST /2/media/metadata": 500,
}


def endpoint(request: Request) -> str:
    """The endpoint a request counts against: its method and path, ids as `:id`."""
    path = request.path
    if path.startswith("/2/tweets/"):
        path = "/2/tweets/:id"
    elif path.startswith("/2/media/upload/") and path != "/2/media/upload/initialize":
        path = "/2/media/upload/:id/" + path.rsplit("/", 1)[-1]
    return f"{request.method} {path}"


@dataclass
class Window:
    limit: int
    remaining: int
    reset: int


class Windows:
    """Each endpoint's current window; `limits` overrides X's figures."""

    def __init__(self, limits: Mapping[str, int] | None = None) -> None:
        self.limits = {**DEFAULT_RATE_LIMITS, **(limits or {})}
        self._windows: dict[str, Window] = {}

    def window(self, key: str) -> Window | None:
        if key not in self.limits:
            return None
        now = int(time.time())
        window = self._windows.get(key)
        if window is None or now >= window.reset:
            limit = self.limits[key]
            window = Window(limit, limit, now + WINDOW)
            self._windows[key] = window
        return window

    def clear(self) -> None:
        self._windows.clear()


def headers(window: Window) -> dict[str, str]:
    return {
        "x-rate-limit-limit": str(window.limit),
        "x-rate-limit-remaining": str(max(window.remaining, 0)),
        "x-rate-limit-reset": str(window.reset),
    }
