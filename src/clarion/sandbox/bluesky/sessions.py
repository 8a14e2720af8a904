"""Sessions: HS256 access and refresh tokens that the client refreshes
(com.atproto.server.createSession, refreshSession, getSession)."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Mapping
from typing import Any

import jwt

from clarion.sandbox.bluesky.identity import did_doc
from clarion.sandbox.bluesky.limits import spend
from clarion.sandbox.bluesky.state import Account, PdsState
from clarion.sandbox.bluesky.xrpc import XrpcError, body, invalid
from clarion.sandbox.server import Request, Response

REFRESH_TTL = dt.timedelta(days=90)


def _jwt(pds: PdsState, typ: str, payload: Mapping[str, Any]) -> str:
    return jwt.encode(dict(payload), pds.secret, algorithm="HS256", headers={"typ": typ})


def _verify(pds: PdsState, request: Request, typ: str) -> dict[str, Any]:
    auth = request.header("Authorization")
    if not auth.startswith("Bearer "):
        raise XrpcError(401, "AuthMissing", "Authentication Required")
    token = auth.removeprefix("Bearer ").strip()
    try:
        decoded = jwt.decode_complete(
            token,
            pds.secret,
            algorithms=["HS256"],
            options={"require": ["exp"], "verify_aud": False},
        )
    except jwt.ExpiredSignatureError:
        raise invalid("Token has expired", "ExpiredToken") from None
    except jwt.InvalidTokenError:
        raise invalid("Token could not be verified", "InvalidToken") from None
    if decoded["header"].get("typ") != typ:
        raise invalid("Invalid token type", "InvalidToken")
    return dict(decoded["payload"])


def authed(pds: PdsState, request: Request) -> Account:
    """The account whose access token signs the request."""
    payload = _verify(pds, request, "at+jwt")
    account = pds.find_account(str(payload.get("sub", "")))
    if account is None:
        raise XrpcError(403, "AccountNotFound", "Account not found")
    return account


def _session_body(pds: PdsState, account: Account) -> dict[str, Any]:
    now = int(time.time())
    audience = f"did:web:{pds.url.split('://', 1)[1].split(':', 1)[0]}"
    access = _jwt(
        pds,
        "at+jwt",
        {
            "scope": "com.atproto.appPass",
            "sub": account.did,
            "iat": now,
            "exp": now + int(pds.access_ttl.total_seconds()),
            "aud": audience,
        },
    )
    refresh = _jwt(
        pds,
        "refresh+jwt",
        {
            "scope": "com.atproto.refresh",
            "sub": account.did,
            "aud": audience,
            "jti": secrets.token_urlsafe(32),
            "iat": now,
            "exp": now + int(REFRESH_TTL.total_seconds()),
        },
    )
    return {"accessJwt": access, "refreshJwt": refresh, **_account_body(pds, account)}


def create_session(pds: PdsState, request: Request) -> Response:
    found = body(request, "identifier", "password")
    identifier = str(found["identifier"]).lower()
    headers = spend(pds.limiters, identifier, ("session-5min", 1), ("session-day", 1))
    account = pds.find_account(identifier)
    if account is None or found["password"] not in account.passwords:
        raise XrpcError(401, "AuthenticationRequired", "Invalid identifier or password", headers)
    return Response.json(_session_body(pds, account), headers=headers)


def refresh_session(pds: PdsState, request: Request) -> Response:
    payload = _verify(pds, request, "refresh+jwt")
    token_id = str(payload.get("jti"))
    account = pds.find_account(str(payload.get("sub", "")))
    if account is None:
        raise invalid(f"Could not find user info for account: {payload.get('sub')}")
    # Refresh tokens rotate; as on the PDS, using a rotated one again (a client
    # that lost the answer) gets the same successor.
    if token_id not in pds.rotated:
        pds.rotated[token_id] = _session_body(pds, account)
    return Response.json(pds.rotated[token_id])


def get_session(pds: PdsState, request: Request) -> Response:
    account = authed(pds, request)
    return Response.json(_account_body(pds, account))


def _account_body(pds: PdsState, account: Account) -> dict[str, object]:
    """What a session says of its account."""
    return {
        "handle": account.handle,
        "did": account.did,
        "didDoc": did_doc(account, pds.url),
        "email": f"{account.handle.split('.')[0]}@example.com",
        "emailConfirmed": True,
        "active": True,
    }
