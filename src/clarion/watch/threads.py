"""Watching Threads: which published posts Threads no longer has, and the access
token's days left.

A long-lived token lasts 60 days from when it was issued or last refreshed
(https://developers.facebook.com/docs/threads/get-started/long-lived-tokens), and
nothing posts once it has expired: watch raises it `WARN_DAYS` ahead (SPEC,
"Settings and secrets"). Its expiry comes from `GET /debug_token`, which answers
a Threads tester's token
(https://developers.facebook.com/documentation/threads/troubleshooting/debug-access-token);
for another token that is a note, not a failure.

Each part is read by its id (`GET /{threads-media-id}`); an id that names nothing
any more (the Graph API's code 100, subcode 33) was deleted. Threads has no edits
and no labels to read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from clarion.adapters import http
from clarion.adapters.threads_errors import (
    TOKEN_CODES,
    TOKEN_ENV,
    graph_error,
    no_such_object,
    transport,
)
from clarion.networks import ThreadsAccount
from clarion.watch.answers import secrets
from clarion.watch.model import Kind, Observed, Seen, Watched, WatchFailed

API_VERSION = "v1.0"
WARN_DAYS = 10


def watch(
    account: ThreadsAccount,
    env: Mapping[str, str],
    parts: Sequence[Watched],
    *,
    timeout: float,
    now: dt.datetime | None = None,
) -> Observed:
    (token,) = secrets(
        env, [TOKEN_ENV], "Threads", "reading posts on Threads needs the account's token"
    )
    observed = Observed()
    base = f"{account.api.rstrip('/')}/{API_VERSION}"
    with http.client(base, timeout=timeout) as client:
        _token(client, token, observed, now or dt.datetime.now(dt.UTC))
        for part in parts:
            seen = _part(client, token, part)
            if seen is not None:
                observed.seen.append(seen)
    return observed


def _get(client: httpx.Client, path: str, params: dict[str, str]) -> httpx.Response:
    try:
        return client.get(path, params=params)
    except httpx.TransportError as exc:
        raise WatchFailed(f"Threads could not be reached ({transport(exc)})") from None


def _refused(response: httpx.Response, doing: str) -> WatchFailed:
    error = graph_error(response)
    if error.code in TOKEN_CODES or error.status == 401:
        return WatchFailed(
            f"Threads refused the access token while {doing} ({error.describe()}): get a new "
            f"long-lived token and put it in {TOKEN_ENV}",
            config=True,
        )
    return WatchFailed(f"Threads refused {doing}: {error.describe()}")


def _token(client: httpx.Client, token: str, observed: Observed, now: dt.datetime) -> None:
    response = _get(client, "/debug_token", {"input_token": token, "access_token": token})
    data: Any = None
    if response.status_code < 400:
        try:
            data = response.json().get("data")
        except (ValueError, AttributeError):
            data = None
    if not isinstance(data, dict):
        observed.notes.append(
            "Threads: the access token's expiry could not be read (debug_token answers a "
            "Threads tester's token only): refresh it within 60 days of when it was made"
        )
        return
    if data.get("is_valid") is False:
        raise WatchFailed(
            f"Threads: the access token in {TOKEN_ENV} is no longer valid: get a new "
            "long-lived token",
            config=True,
        )
    expires = data.get("expires_at")
    if not isinstance(expires, int) or expires <= 0:
        return
    when = dt.datetime.fromtimestamp(expires, dt.UTC)
    days = (when - now).total_seconds() / 86400
    if days > WARN_DAYS:
        return
    on = when.strftime("%Y-%m-%d")
    said = (
        f"the access token expired on {on}"
        if days <= 0
        else f"the access token expires in {max(int(days + 0.999999), 1)} day(s), on {on}"
    )
    observed.seen.append(
        Seen(
            Kind.TOKEN_EXPIRING,
            f"{said}: refresh it (GET https://graph.threads.net/refresh_access_token"
            f"?grant_type=th_refresh_token) and update {TOKEN_ENV}",
            key=on,
        )
    )


def _part(client: httpx.Client, token: str, part: Watched) -> Seen | None:
    response = _get(client, f"/{part.id}", {"fields": "id,permalink", "access_token": token})
    if response.status_code < 400:
        return None
    if no_such_object(graph_error(response)):
        return Seen(Kind.DELETED, "not found on Threads (deleted)", part)
    raise _refused(response, f"reading post {part.id}")
