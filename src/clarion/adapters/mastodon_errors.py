"""What Mastodon's failures mean for Clarion: `NotSent` (to retry or not) or `AuthError`.

Mastodon.py raises `MastodonError` and its subclasses; `refusal` turns one into
the adapter error the orchestrator acts on, with a message a person can act on.
The other functions read what the exception holds: the HTTP status and
Mastodon's message, whether the request surely never reached the server, and
when a rate limit resets.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
from collections.abc import Mapping

import requests
import urllib3.exceptions
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
)

from clarion.adapters.base import AdapterError, AuthError, NotSent
from clarion.adapters.mastodon_entities import utc

TOKEN_ENV = "CLARION_MASTODON_ACCESS_TOKEN"  # noqa: S105 - a variable name


def refusal(
    exc: MastodonError, doing: str, *, instance: str, headers: Mapping[str, str]
) -> AdapterError:
    """What Mastodon's answer (or silence before anything was sent) means for Clarion.

    `headers` are those of the answer that raised `exc` (for a rate limit's reset).
    """
    if isinstance(exc, MastodonRatelimitError):
        return NotSent(
            f"Mastodon's rate limit was reached while {doing}",
            retryable=True,
            retry_after=retry_after(headers),
        )
    if isinstance(exc, MastodonNetworkError):
        return NotSent(f"could not reach {instance} while {doing}: {reason(exc)}", retryable=True)
    code, message = answer(exc)
    if code == 401:
        return AuthError(
            f"{instance} refused the access token in {TOKEN_ENV} while {doing}: {message}"
        )
    if code == 403:
        from clarion import networks

        scopes = " ".join(networks.get("mastodon").token_scopes)
        return AuthError(f"{instance} did not allow {doing}: {message} (the token needs: {scopes})")
    if isinstance(exc, MastodonServerError) or (code is not None and code >= 500):
        return NotSent(f"{instance} failed while {doing}: {code} {message}", retryable=True)
    return NotSent(f"Mastodon refused {doing}: {message} ({code})", retryable=False)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds until the window in an answer's X-RateLimit-Reset (an ISO time) resets."""
    reset = headers.get("X-RateLimit-Reset")
    if not reset:
        return None
    try:
        reset_at = dt.datetime.fromisoformat(reset)
    except ValueError:
        try:
            reset_at = dt.datetime.fromtimestamp(float(reset), dt.UTC)  # GoToSocial: epoch
        except ValueError:
            return None
    # Measured against the server's own clock (its Date header) when it sends one.
    now = dt.datetime.now(dt.UTC)
    date = headers.get("Date")
    if date:
        with contextlib.suppress(TypeError, ValueError):
            now = email.utils.parsedate_to_datetime(date)
    return max(0.0, (utc(reset_at) - now).total_seconds())


def answer(exc: MastodonError) -> tuple[int | None, str]:
    """(HTTP status, Mastodon's error message) from MastodonAPIError's args."""
    args = exc.args
    if isinstance(exc, MastodonAPIError) and len(args) >= 4 and isinstance(args[1], int):
        return args[1], str(args[3] or args[2] or "")
    return None, str(exc)


def unreadable(exc: MastodonError) -> bool:
    """A failure to read that says nothing of the account: no answer, or a server error."""
    if isinstance(exc, MastodonNetworkError | MastodonServerError):
        return True
    code, _message = answer(exc)
    return code is not None and code >= 500


def reason(exc: BaseException) -> str:
    text = str(exc)
    return text.removeprefix("Could not complete request: ")


def never_sent(exc: BaseException) -> bool:
    """True when the request surely never reached the server (no connection was made)."""
    pending: list[object] = [exc]
    seen: set[int] = set()
    while pending:
        item = pending.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(
            item,
            requests.exceptions.ConnectTimeout
            | urllib3.exceptions.NewConnectionError
            | urllib3.exceptions.ConnectTimeoutError
            | ConnectionRefusedError,
        ):
            return True
        pending.extend(
            (item.__cause__, item.__context__, getattr(item, "reason", None), *item.args)
        )
    return False
