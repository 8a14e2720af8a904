"""The one way a counts reader asks a network: GET, JSON back, limits honoured.

Each network gets its own `Fetcher` (its own connection, its own budget of
waiting). A rate-limited answer (429) is tried again after the time the
network names (`Retry-After`, or its reset header: X's `x-rate-limit-reset`
and Bluesky's `ratelimit-reset` in Unix seconds, Mastodon's
`X-RateLimit-Reset` as an ISO time), as long as the waiting of the whole run
on that network stays within `max_wait` (`[tool.clarion] max_retry_wait`);
past it, `ReadFailed` stops that network and says when it takes reads again.
A server error or a broken connection is tried `attempts` times, the pause
doubling from `backoff`. Any other answer (200, 404, 401, ...) is the
reader's to judge.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import requests

from clarion import __version__
from clarion.metrics.readers import ReadFailed

USER_AGENT = f"clarion/{__version__} (metrics)"
Params = Mapping[str, str | int | Sequence[str]]


@dataclass(frozen=True)
class Answer:
    status: int
    data: Any  # the JSON body; None when it is none
    headers: Mapping[str, str]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Fetcher:
    """GET requests to one network, for one run."""

    def __init__(
        self,
        display: str,
        *,
        timeout: float = 30.0,
        attempts: int = 4,
        backoff: float = 2.0,
        max_wait: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.display = display
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_wait = max_wait
        self.waited = 0.0  # seconds spent waiting for rate limits so far
        self.requests = 0  # requests answered, for the report
        self._sleep = sleep
        self._clock = clock
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT

    def close(self) -> None:
        self._session.close()

    def get(
        self,
        url: str,
        params: Params | None = None,
        *,
        auth: Any = None,
        headers: Mapping[str, str] | None = None,
        doing: str = "reading counts",
        resets: Callable[[float], float] | None = None,
    ) -> Answer:
        """GET `url`; its answer once it is not a rate limit nor a server error.

        `resets(now)`: when the network takes requests again after a 429 that does
        not say (Unix time), by its documented rule (LinkedIn: midnight UTC)."""
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                response = self._session.get(
                    url, params=params, auth=auth, headers=headers, timeout=self.timeout
                )
            except requests.RequestException as exc:
                if attempt == self.attempts:
                    raise ReadFailed(
                        f"{self.display}: no answer while {doing} ({_reason(exc)}), "
                        f"after {attempt} tries"
                    ) from None
                self._pause(delay)
                delay *= 2
                continue
            self.requests += 1
            if response.status_code == 429:
                self._wait_for_limit(response, doing, resets)
                continue
            if response.status_code >= 500 and attempt < self.attempts:
                self._pause(delay)
                delay *= 2
                continue
            return Answer(response.status_code, _json(response), response.headers)
        raise ReadFailed(f"{self.display}: still refused while {doing} after {self.attempts} tries")

    def _pause(self, seconds: float) -> None:
        self._sleep(max(0.0, seconds))

    def _wait_for_limit(
        self,
        response: requests.Response,
        doing: str,
        resets: Callable[[float], float] | None = None,
    ) -> None:
        """Wait until the network takes requests again, if the run may wait that long."""
        now = self._clock()
        until = reset_time(response.headers, now)
        if until is None and resets is not None:
            until = resets(now)
        wait = max(0.0, until - now) if until is not None else self.backoff
        if self.waited + wait > self.max_wait:
            when = (
                dt.datetime.fromtimestamp(until, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
                if until is not None
                else "later"
            )
            raise ReadFailed(
                f"{self.display}: rate limited while {doing}; it takes requests again at "
                f"{when}, later than this run may wait ([tool.clarion] max_retry_wait = "
                f"{self.max_wait:g} s): the parts not read are read by the next run"
            )
        self.waited += wait
        self._pause(wait)


def reset_time(headers: Mapping[str, str], now: float) -> float | None:
    """When a rate-limited network takes requests again (Unix time), from its headers."""
    lowered = {key.lower(): value.strip() for key, value in headers.items()}
    retry_after = lowered.get("retry-after")
    if retry_after:
        if retry_after.isdigit():
            return now + int(retry_after)
        try:
            return email.utils.parsedate_to_datetime(retry_after).timestamp()
        except (TypeError, ValueError):
            pass
    for name in ("x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset"):
        value = lowered.get(name)
        if not value:
            continue
        if value.isdigit():
            number = int(value)
            # Unix seconds (X, Bluesky); a small number is seconds from now.
            return float(number) if number > 1_000_000_000 else now + number
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            continue
    return None


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "could not connect"
    return type(exc).__name__
