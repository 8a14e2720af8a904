"""What the Threads adapter learns at connect, and tells people: the access token's
permissions and expiry (`GET /debug_token`, which answers a Threads tester's token:
https://developers.facebook.com/documentation/threads/troubleshooting/debug-access-token)
and the account's 24-hour publishing quotas (`GET /{user-id}/threads_publishing_limit`:
250 posts, 1,000 replies, https://developers.facebook.com/docs/threads/troubleshooting),
spent as parts go out.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clarion.adapters.base import AuthError, NotSent
from clarion.adapters.threads_errors import TOKEN_ENV

NEEDED_SCOPES = ("threads_basic", "threads_content_publish")


@dataclass(frozen=True)
class TokenFacts:
    """What debug_token said of the token: its permissions and expiry (None where
    it could not be read), and what people should know of them."""

    scopes: tuple[str, ...] | None = None
    expires_at: dt.datetime | None = None
    notices: tuple[str, ...] = ()


def token_facts(info: Mapping[str, Any] | str, now: dt.datetime) -> TokenFacts:
    """debug_token's data (or why it could not be read) as facts; `AuthError` for a
    token Threads says is invalid or that may not publish."""
    if isinstance(info, str):
        return TokenFacts(
            notices=(
                "the access token's expiry could not be read (debug_token: "
                f"{info}; it answers only a Threads tester's token): a long-lived token "
                "lasts 60 days from when it was issued or last refreshed; refresh it "
                f"(GET /refresh_access_token) before then and update {TOKEN_ENV}",
            )
        )
    if info.get("is_valid") is False:
        raise AuthError(
            f"Threads: the access token in {TOKEN_ENV} is no longer valid (debug_token): "
            "get a new long-lived token (README.md, Accounts and secrets)"
        )
    notices: list[str] = []
    scopes: tuple[str, ...] | None = None
    listed = info.get("scopes")
    if isinstance(listed, list):
        scopes = tuple(str(s) for s in listed)
        missing = [s for s in NEEDED_SCOPES if s not in scopes]
        if missing:
            raise AuthError(
                f"Threads: the access token lacks the permission {', '.join(missing)}: "
                "give the app these permissions and get a new token"
            )
        from clarion import networks

        wanted = [s for s in networks.get("threads").token_scopes if s not in scopes]
        if wanted:
            notices.append(
                f"the access token lacks {', '.join(wanted)} (replies, looking a lost "
                "part up, retracting, or reading insights for clarion metrics need them)"
            )
    expires_at: dt.datetime | None = None
    expires = info.get("expires_at")
    if isinstance(expires, int) and expires > 0:
        expires_at = dt.datetime.fromtimestamp(expires, dt.UTC)
        notices.append(expiry_notice(expires_at, now))
    return TokenFacts(scopes, expires_at, tuple(notices))


def expiry_notice(expires_at: dt.datetime, now: dt.datetime) -> str:
    """ "access token expires in N days (on DATE)", for the run's output."""
    seconds = (expires_at - now).total_seconds()
    on = expires_at.strftime("%Y-%m-%d")
    if seconds <= 0:
        return f"access token expired on {on}"
    if seconds < 86400:
        hours = math.ceil(seconds / 3600)
        return f"access token expires in {hours} hour{'s' if hours != 1 else ''} (on {on})"
    days = math.ceil(seconds / 86400 - 1e-6)
    refresh = (
        f"; refresh it (GET /refresh_access_token) and update {TOKEN_ENV}" if days <= 10 else ""
    )
    return f"access token expires in {days} day{'s' if days != 1 else ''} (on {on}){refresh}"


@dataclass
class Quotas:
    """The publishing quotas of 24 hours, posts and replies: each total, and what is
    left of it (None: not read, so not counted down)."""

    totals: tuple[int, int] = (250, 1000)
    left: list[int | None] = field(default_factory=lambda: [None, None])

    @classmethod
    def read(cls, answer: Mapping[str, Any]) -> Quotas:
        """The quotas in threads_publishing_limit's answer (its first entry)."""
        data = answer.get("data")
        entry = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        totals = []
        left: list[int | None] = []
        for prefix, default in (("", 250), ("reply_", 1000)):
            usage = entry.get(f"{prefix}quota_usage")
            config = entry.get(f"{prefix}config")
            total = config.get("quota_total") if isinstance(config, dict) else None
            total = total if isinstance(total, int) else default
            totals.append(total)
            left.append(total - usage if isinstance(usage, int) else None)
        return cls((totals[0], totals[1]), left)

    def notice(self) -> str | None:
        """What people should know before anything is sent: new posts must wait."""
        posts_left = self.left[0]
        if posts_left is not None and posts_left <= 0:
            return (
                f"the account has published {self.totals[0]} posts in the last 24 hours, "
                "Threads' limit: new posts wait for the next run"
            )
        return None

    def check(self, reply: bool, where: str) -> None:
        """Refuse a post (or a reply) whose quota is used up, before anything is sent."""
        left = self.left[1 if reply else 0]
        if left is None or left > 0:
            return
        total = self.totals[1 if reply else 0]
        kind = "replies" if reply else "posts"
        raise NotSent(
            f"Threads: {where} not sent: the account has published {total} {kind} in the "
            f"last 24 hours, Threads' limit (threads_publishing_limit); the next run sends it",
            retryable=False,
        )

    def spend(self, reply: bool) -> None:
        """A post (or a reply) went out."""
        index = 1 if reply else 0
        left = self.left[index]
        if left is not None:
            self.left[index] = left - 1
