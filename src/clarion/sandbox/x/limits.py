"""X's rate limits: per-user 15-minute windows per endpoint, the 24-hour caps on
posting (per app and per user), and the headers that report them."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from clarion.sandbox.server import Request

WINDOW = 15 * 60  # X's rate-limit windows are 15 minutes
DAY = 24 * 60 * 60

# Per-user limits per 15-minute window. docs.x.com/x-api/fundamentals/rate-limits:
# POST /2/tweets 100 per user, DELETE /2/tweets/:id 50, GET /2/users/me 75; the
# media ones are generous, as X's are.
DEFAULT_RATE_LIMITS: Mapping[str, int] = {
    "GET /2/users/me": 75,
    "GET /2/tweets": 5000,  # the lookup of up to 100 posts by id
    "GET /2/users/:id/tweets": 900,  # the account's timeline
    "POST /2/tweets": 100,
    "DELETE /2/tweets/:id": 50,
    "POST /2/media/upload": 500,
    "GET /2/media/upload": 500,
    "POST /2/media/upload/initialize": 500,
    "POST /2/media/upload/:id/append": 500,
    "POST /2/media/upload/:id/finalize": 500,
    "POST /2/media/metadata": 500,
}
# Posting is also capped per 24 hours, reported in `x-app-limit-24hour-*` and
# `x-user-limit-24hour-*` headers: per app 10,000 (the same page, "/24hrs"), per
# account 2,400 posts a day (help.x.com/en/rules-and-policies/x-limits).
DAILY_ENDPOINT = "POST /2/tweets"
DEFAULT_DAILY_LIMITS: Mapping[str, int] = {"app": 10_000, "user": 2_400}


def endpoint(request: Request) -> str:
    """The endpoint a request counts against: its method and path, ids as `:id`."""
    path = request.path
    if path.startswith("/2/tweets/"):
        path = "/2/tweets/:id"
    elif path.startswith("/2/users/") and path.endswith("/tweets"):
        path = "/2/users/:id/tweets"
    elif path.startswith("/2/media/upload/") and path != "/2/media/upload/initialize":
        path = "/2/media/upload/:id/" + path.rsplit("/", 1)[-1]
    return f"{request.method} {path}"


@dataclass
class Window:
    limit: int
    remaining: int
    reset: int
    prefix: str  # of its headers: "x-rate-limit", "x-app-limit-24hour", ...

    def headers(self) -> dict[str, str]:
        return {
            f"{self.prefix}-limit": str(self.limit),
            f"{self.prefix}-remaining": str(max(self.remaining, 0)),
            f"{self.prefix}-reset": str(self.reset),
        }


class Windows:
    """Each endpoint's current window and the posting caps; `limits` overrides X's
    15-minute figures by endpoint, `daily` its 24-hour ones by scope ("app", "user")."""

    def __init__(
        self, limits: Mapping[str, int] | None = None, daily: Mapping[str, int] | None = None
    ) -> None:
        self.limits = {**DEFAULT_RATE_LIMITS, **(limits or {})}
        self.daily = {**DEFAULT_DAILY_LIMITS, **(daily or {})}
        self._windows: dict[str, Window] = {}

    def take(self, request: Request) -> tuple[bool, dict[str, str]]:
        """Count `request` in every window it falls in, unless one is spent: whether
        it may go on, and the headers its answer carries."""
        key = endpoint(request)
        windows = []
        if key in self.limits:
            windows.append(self._window(key, self.limits[key], WINDOW, "x-rate-limit"))
        if key == DAILY_ENDPOINT:
            for scope, limit in self.daily.items():
                windows.append(self._window(scope, limit, DAY, f"x-{scope}-limit-24hour"))
        allowed = all(window.remaining > 0 for window in windows)
        if allowed:
            for window in windows:
                window.remaining -= 1
        headers: dict[str, str] = {}
        for window in windows:
            headers.update(window.headers())
        return allowed, headers

    def _window(self, key: str, limit: int, length: int, prefix: str) -> Window:
        now = int(time.time())
        window = self._windows.get(key)
        if window is None or now >= window.reset:
            window = Window(limit, limit, now + length, prefix)
            self._windows[key] = window
        return window

    def clear(self) -> None:
        self._windows.clear()
