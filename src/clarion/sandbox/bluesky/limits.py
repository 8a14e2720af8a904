"""The PDS's rate limits: fixed windows of points per key, and the `RateLimit-*`
headers and 429s they answer with."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from clarion.sandbox.bluesky.xrpc import XrpcError


@dataclass
class RateLimit:
    """A fixed window of `points` per `window` seconds per key, as the PDS's limiters."""

    points: int
    window: int
    used: dict[str, tuple[float, int]] = field(default_factory=dict)

    def consume(self, key: str, cost: int) -> tuple[bool, dict[str, str]]:
        now = time.time()
        start, spent = self.used.get(key, (now, 0))
        if now - start >= self.window:
            start, spent = now, 0
        allowed = spent + cost <= self.points
        if allowed:
            spent += cost
        self.used[key] = (start, spent)
        headers = {
            "RateLimit-Limit": str(self.points),
            "RateLimit-Reset": str(int(start + self.window)),
            "RateLimit-Remaining": str(max(self.points - spent, 0)),
            "RateLimit-Policy": f"{self.points};w={self.window}",
        }
        return allowed, headers


def limiters(write_points: int) -> dict[str, RateLimit]:
    """The PDS's limiters by name; `write_points` is the hourly repo-write budget."""
    return {
        "write-hour": RateLimit(write_points, 3600),
        "write-day": RateLimit(write_points * 7, 86400),
        "session-5min": RateLimit(30, 300),
        "session-day": RateLimit(300, 86400),
        "blob-day": RateLimit(1000, 86400),
    }


def spend(limits: dict[str, RateLimit], key: str, *costs: tuple[str, int]) -> dict[str, str]:
    """Spend points on each named limiter; the headers of the tightest one, or a 429."""
    tightest: dict[str, str] = {}
    for name, cost in costs:
        allowed, headers = limits[name].consume(key, cost)
        if not allowed:
            raise XrpcError(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
        if not tightest or int(headers["RateLimit-Remaining"]) < int(
            tightest["RateLimit-Remaining"]
        ):
            tightest = headers
    return tightest
