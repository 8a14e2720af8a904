"""What Threads' answers mean for Clarion: refused token, missing permission, rate
limit, spent publishing quota, server error, or a refusal of the request itself.

Threads answers errors in the Graph API's shape, `{"error": {"message", "type",
"code", "error_subcode", "is_transient"}}`, and Meta names the codes' meanings on
https://developers.facebook.com/docs/graph-api/guides/error-handling: 190 an
access token expired or revoked, 10 and 200-299 a permission not granted, 4, 17,
32 and 613 too many calls (try later), 1 and 2 a temporary problem. It documents
no status code or header for a throttled call; a 429, or `Retry-After`, are
honoured where they come, and the usage headers' `estimated_time_to_regain_access`
(minutes) too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from clarion.adapters import http
from clarion.adapters.base import AdapterError, AuthError, NotSent, refused

TOKEN_ENV = "CLARION_THREADS_ACCESS_TOKEN"  # noqa: S105 - a variable name
RATE_LIMIT_CODES = (4, 17, 32, 613)
TEMPORARY_CODES = (1, 2)
TOKEN_CODES = (190, 102)
PERMISSION_CODES = (3, 10, *range(200, 300))
NO_SUCH_OBJECT = (100, 33)  # code, subcode: an id that names nothing (a deleted post)
# Meta's publishing-limit refusal (Instagram's content publishing answers it so;
# Threads documents the limit, not the code).
QUOTA_SPENT = (9, 2207042)
# Usage headers whose `estimated_time_to_regain_access` (minutes) says when to come back.
_USAGE_HEADERS = ("x-business-use-case-usage", "x-app-usage", "x-ad-account-usage")


@dataclass(frozen=True)
class GraphError:
    status: int
    code: int | None
    subcode: int | None
    message: str
    transient: bool

    def describe(self) -> str:
        code = f" (code {self.code})" if self.code is not None else ""
        return f"{self.status} {self.message}{code}"


def graph_error(response: httpx.Response) -> GraphError:
    """The error an answer carries, whatever its body (a proxy's HTML page too)."""
    body = http.json_object(response) or {}
    error: Mapping[str, Any] = body["error"] if isinstance(body.get("error"), dict) else {}
    code = error.get("code")
    subcode = error.get("error_subcode")
    message = str(error.get("error_user_msg") or error.get("message") or response.reason_phrase)
    return GraphError(
        status=response.status_code,
        code=code if isinstance(code, int) else None,
        subcode=subcode if isinstance(subcode, int) else None,
        message=message.strip() or "no message",
        transient=error.get("is_transient") is True,
    )


def retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait, where the answer says."""
    seconds = http.retry_after(response)
    if seconds is not None:
        return seconds
    minutes: list[float] = []
    for name in _USAGE_HEADERS:
        raw = response.headers.get(name)
        if not raw:
            continue
        try:
            usage = json.loads(raw)
        except ValueError:
            continue
        for entry in _entries(usage):
            found = entry.get("estimated_time_to_regain_access")
            if isinstance(found, int | float) and found > 0:
                minutes.append(float(found))
    return max(minutes) * 60 if minutes else None


def _entries(usage: Any) -> list[Mapping[str, Any]]:
    """The usage objects in a header: one, a list, or lists by business id."""
    if isinstance(usage, dict):
        if "estimated_time_to_regain_access" in usage:
            return [usage]
        return [e for value in usage.values() for e in _entries(value)]
    if isinstance(usage, list):
        return [e for value in usage for e in _entries(value)]
    return []


def rate_limited(error: GraphError) -> bool:
    return error.status == 429 or error.code in RATE_LIMIT_CODES


def server_trouble(error: GraphError) -> bool:
    """Threads' side failed, or said to try again: the request may or may not have
    taken effect."""
    return error.status >= 500 or error.code in TEMPORARY_CODES or error.transient


def no_such_object(error: GraphError) -> bool:
    return (error.code, error.subcode) == NO_SUCH_OBJECT


def refusal(error: GraphError, response: httpx.Response, doing: str) -> AdapterError:
    """The adapter error for an answer that refused `doing`, when nothing was created.

    The publish call's server errors are not this: Threads may have published
    before failing, and the adapter asks the container before anything else.
    """
    detail = error.describe()
    if rate_limited(error):
        return NotSent(
            f"Threads: too many calls while {doing} ({detail})",
            retryable=True,
            retry_after=retry_after(response),
        )
    if error.code in TOKEN_CODES or error.status == 401:
        return AuthError(
            f"Threads refused the access token while {doing} ({detail}): a long-lived "
            f"token expires 60 days after it was issued or last refreshed; get a new one "
            f"(README.md, Accounts and secrets) and put it in {TOKEN_ENV}"
        )
    if error.code in PERMISSION_CODES or error.status == 403:
        from clarion import networks

        scopes = ", ".join(networks.get("threads").token_scopes)
        return AuthError(
            f"Threads: the access token may not do this while {doing} ({detail}): give the "
            f"app these permissions and get a new token: {scopes}"
        )
    if (error.code, error.subcode) == QUOTA_SPENT:
        return NotSent(
            f"Threads refused {doing}: the account's publishing limit for 24 hours is "
            f"reached ({detail}); the next run sends it",
            retryable=False,
        )
    return refused("Threads", doing, detail, server_error=server_trouble(error))


def transport(exc: httpx.TransportError) -> str:
    """An httpx failure in words, never its URL (which may carry the token)."""
    reason = str(exc).split(" for url ", 1)[0].strip()
    return f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__
