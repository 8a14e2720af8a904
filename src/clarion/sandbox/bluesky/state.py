"""What the PDS holds: its accounts, their records and blobs, sessions and rate limits."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from clarion import tid
from clarion.sandbox.bluesky.limits import limiters
from clarion.sandbox.server import StandIn

SANDBOX_HANDLE = "clarion.test"
SANDBOX_APP_PASSWORD = "sand-box0-clar-ion0"  # noqa: S105 (the sandbox's, public)
ACCESS_TTL = dt.timedelta(hours=2)  # an access token's life (sessions.py)
BLOB_UPLOAD_LIMIT = 5 * 1024 * 1024  # the PDS default (PDS_BLOB_UPLOAD_LIMIT)


@dataclass
class Account:
    handle: str
    did: str
    passwords: tuple[str, ...] = ()


@dataclass
class StoredRecord:
    uri: str
    cid: str
    value: dict[str, Any]
    created: str  # when the PDS took it
    deleted: bool = False

    @property
    def rkey(self) -> str:
        return self.uri.rsplit("/", 1)[1]


@dataclass
class Blob:
    cid: str
    mime: str
    data: bytes


def did_for(handle: str) -> str:
    digest = hashlib.sha256(handle.encode("utf-8")).digest()
    return "did:plc:" + base64.b32encode(digest).decode("ascii").lower()[:24]


class PdsState(StandIn):
    """The PDS's accounts (the first signs in with `app_password`) and what they hold.

    The XRPC handlers (`sessions`, `identity`, `repo`, `blobs`) read and change
    this; `BlueskyStandIn` adds the routes (`_add_routes`) and what it received.
    """

    def __init__(
        self,
        *,
        handle: str = SANDBOX_HANDLE,
        app_password: str = SANDBOX_APP_PASSWORD,
        other_handles: tuple[str, ...] = (),
        access_ttl: dt.timedelta = ACCESS_TTL,
        write_points: int = 5000,
        blob_limit: int = BLOB_UPLOAD_LIMIT,
        latency: float = 0.0,
    ) -> None:
        super().__init__(latency=latency)
        self.account = Account(handle, did_for(handle), (app_password,))
        self.accounts = [self.account, *(Account(h, did_for(h)) for h in other_handles)]
        self.access_ttl = access_ttl
        self.blob_limit = blob_limit
        self.records: dict[str, StoredRecord] = {}  # by at:// uri
        self.blobs: dict[str, Blob] = {}
        self.secret = secrets.token_bytes(32)
        self.rotated: dict[str, dict[str, Any]] = {}  # refresh token id -> its successor
        self.clock_id = secrets.randbelow(tid.CLOCK_IDS)
        self.limiters = limiters(write_points)
        self.followers = 0  # the account's, as the AppView's getProfile says: tests move it
        self._add_routes()

    def _add_routes(self) -> None:
        """Add the routes, once the state is made: the stand-in's."""

    def find_account(self, actor: str) -> Account | None:
        actor = actor.lower() if not actor.startswith("did:") else actor
        return next((a for a in self.accounts if actor in (a.handle, a.did)), None)
