"""When a rate-limited network takes requests again, from the headers each sends
(Retry-After, X's and Bluesky's Unix resets, Mastodon's ISO time)."""

from __future__ import annotations

import pytest

from clarion.metrics.fetch import reset_time

NOW = 1_796_000_000.0  # 2026-11-30


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "30"}, NOW + 30),
        ({"retry-after": "0"}, NOW),
        ({"Retry-After": "Mon, 30 Nov 2026 08:53:50 GMT"}, 1_796_028_830.0),
        ({"x-rate-limit-reset": "1796000900"}, 1_796_000_900.0),  # X
        ({"RateLimit-Reset": "1796000300"}, 1_796_000_300.0),  # Bluesky
        ({"X-RateLimit-Reset": "2026-11-30T01:15:00.000000Z"}, 1_796_001_300.0),  # Mastodon
        ({"X-RateLimit-Reset": "60"}, NOW + 60),  # seconds from now
        ({"X-RateLimit-Reset": "soon"}, None),
        ({}, None),
    ],
)
def test_reset_time(headers: dict[str, str], expected: float | None) -> None:
    assert reset_time(headers, NOW) == expected
