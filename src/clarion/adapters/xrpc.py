"""XRPC over httpx for one account on its PDS: a session, queries and procedures.

The Bluesky adapter calls a handful of `com.atproto.*` methods, each plain HTTP
and JSON. It does not go through atproto's `Client`: importing that builds a
pydantic model of every method and record of every lexicon (about 650 classes,
whichever of its sync or async namespaces is imported first, because their
signatures name the models), about half a second of CPU before Bluesky's first
request, while the other networks' threads wait for the same interpreter lock.
httpx is the transport atproto's client uses too.

Sessions behave as atproto's client's do: an access token is refreshed
(`refreshSession`) when it has less than `REFRESH_MARGIN` left, and an answer
saying it is stale (`ExpiredToken`, `InvalidToken`) logs in again and sends the
call once more. One client may be used from several threads at once: the
session is created or refreshed by one of them while the others wait.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from clarion.adapters.http import tls

REFRESH_MARGIN = 15 * 60.0  # seconds before an access token expires that it is refreshed
STALE_SESSION = frozenset({"ExpiredToken", "InvalidToken"})

# A failure that left no usable answer: a timeout, a reset, a connection closed
# without a response, a success whose body is not what the method returns (raised
# as httpx.DecodingError). The request may have taken effect.
NoAnswer = httpx.RequestError
SESSION_FIELDS = ("accessJwt", "refreshJwt", "did", "handle")


class XrpcError(Exception):
    """An error answer: its HTTP status, XRPC error name and message, and headers."""

    def __init__(self, status: int, error: str, message: str, headers: Mapping[str, str]) -> None:
        super().__init__(f"{status} {error}: {message}")
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers

    @property
    def says(self) -> str:
        """The server's own words: `Error: message`."""
        if self.error and self.message:
            return f"{self.error}: {self.message}"
        return self.error or self.message or f"HTTP {self.status}"

    def retry_after(self) -> float | None:
        """Seconds until the server takes requests again, when it said (rate limits)."""
        after = self.headers.get("Retry-After", "")
        if after.isdigit():
            return float(after)
        reset = self.headers.get("RateLimit-Reset", "")  # seconds since the epoch
        if reset.isdigit():
            return max(float(reset) - time.time(), 0.0)
        return None


@dataclass(frozen=True)
class Session:
    did: str
    handle: str
    access_jwt: str = field(repr=False)
    refresh_jwt: str = field(repr=False)
    expires: float  # the access token's `exp`, in seconds since the epoch; 0 if unknown

    @classmethod
    def from_answer(cls, answer: Mapping[str, Any]) -> Session:
        access = str(answer.get("accessJwt") or "")
        return cls(
            did=str(answer.get("did") or ""),
            handle=str(answer.get("handle") or ""),
            access_jwt=access,
            refresh_jwt=str(answer.get("refreshJwt") or ""),
            expires=_expiry(access),
        )


def _expiry(jwt: str) -> float:
    """The `exp` claim of a JWT, read without checking it (the PDS does that)."""
    try:
        payload = jwt.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, KeyError, TypeError, ValueError):
        return 0.0


def _error(response: httpx.Response) -> XrpcError:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    return XrpcError(
        response.status_code,
        str(body.get("error") or ""),
        str(body.get("message") or ""),
        response.headers,
    )


class XrpcClient:
    """One account's session on its PDS (`service`), logged in with `identifier`."""

    def __init__(
        self,
        service: str,
        identifier: str,
        password: str,
        *,
        timeout: float,
        user_agent: str,
    ) -> None:
        self.service = service.rstrip("/")
        self._identifier = identifier
        self._password = password
        self._http = httpx.Client(
            base_url=f"{self.service}/xrpc/",
            timeout=timeout,
            verify=tls(),
            headers={"User-Agent": user_agent},
        )
        self._lock = threading.Lock()
        self._session: Session | None = None

    # -- the session ----------------------------------------------------------------
    @property
    def session(self) -> Session:
        """The current session: logged in when there is none, refreshed when it is ending."""
        with self._lock:
            session = self._session
            if session is None:
                return self._login()
            if session.expires and session.expires - time.time() < REFRESH_MARGIN:
                return self._refresh(session)
            return session

    def login(self) -> Session:
        with self._lock:
            return self._login()

    def _login(self) -> Session:
        answer = self._send(
            "POST",
            "com.atproto.server.createSession",
            None,
            json={"identifier": self._identifier, "password": self._password},
            expect=SESSION_FIELDS,
        )
        self._session = Session.from_answer(answer)
        return self._session

    def _refresh(self, session: Session) -> Session:
        try:
            answer = self._send(
                "POST",
                "com.atproto.server.refreshSession",
                session.refresh_jwt,
                expect=SESSION_FIELDS,
            )
        except XrpcError as exc:
            if exc.error in STALE_SESSION or exc.status == 401:
                return self._login()  # the refresh token is spent or revoked
            raise
        self._session = Session.from_answer(answer)
        return self._session

    def _log_in_again(self, stale: Session) -> Session:
        with self._lock:
            if self._session is None or self._session is stale:  # not done by another thread
                return self._login()
            return self._session

    # -- calls ----------------------------------------------------------------------
    def query(
        self, nsid: str, params: Mapping[str, str], *, expect: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """A query's answer, which must hold the fields in `expect`."""
        return self._call("GET", nsid, params=dict(params), expect=expect)

    def procedure(
        self,
        nsid: str,
        body: Mapping[str, Any] | None = None,
        *,
        content: bytes | None = None,
        content_type: str | None = None,
        expect: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """A procedure's answer, which must hold the fields in `expect`."""
        if content is not None:
            headers = {"Content-Type": content_type or "application/octet-stream"}
            return self._call("POST", nsid, content=content, headers=headers, expect=expect)
        body = dict(body) if body is not None else None
        return self._call("POST", nsid, json=body, expect=expect)

    def _call(self, method: str, nsid: str, **request: Any) -> dict[str, Any]:
        session = self.session
        try:
            return self._send(method, nsid, session.access_jwt, **request)
        except XrpcError as exc:
            if exc.error not in STALE_SESSION:
                raise
        return self._send(method, nsid, self._log_in_again(session).access_jwt, **request)

    def _send(
        self,
        method: str,
        nsid: str,
        token: str | None,
        *,
        expect: tuple[str, ...] = (),
        **request: Any,
    ) -> dict[str, Any]:
        headers = dict(request.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self._http.request(method, nsid, headers=headers, **request)
        if not response.is_success:
            raise _error(response)
        try:
            answer = response.json() if response.content or expect else {}
        except ValueError:
            answer = None
        missing = [name for name in expect if not isinstance(answer, dict) or not answer.get(name)]
        if not isinstance(answer, dict) or missing:
            raise httpx.DecodingError(
                f"{nsid} answered {response.status_code} without "
                + (", ".join(missing) if isinstance(answer, dict) else "a JSON object"),
                request=response.request,
            )
        return answer

    def close(self) -> None:
        self._http.close()
