"""Backends for the Bluesky adapter tests: the stand-in, and the reference PDS.

The same tests run against both; `Backend` hides which one it is except where a
test needs the stand-in's fault injection (`backend.stand_in`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from clarion.adapters.base import Image, Outgoing, OutgoingPart, Receipt
from clarion.adapters.bluesky import BlueskyAdapter
from clarion.adapters.http import tls
from clarion.sandbox.bluesky import SANDBOX_APP_PASSWORD, BlueskyStandIn
from clarion.settings import BlueskyAccount
from tests import images
from tests.timeouts import GENEROUS

FRIEND = "friend"  # the prefix of a second account, to be @mentioned
png = functools.partial(images.png, rgb=(0, 96, 160))


def image(folder: Path, name: str, alt: str, width: int = 3, height: int = 2) -> Image:
    path = folder / name
    path.write_bytes(png(width, height))
    return Image(path=path, alt=alt, mime="image/png", width=width, height=height)


# -- backends -----------------------------------------------------------------------------
@dataclass
class Backend:
    name: str  # "stand-in" | "pds"
    service: str
    handle: str
    password: str
    friend: str  # another account's handle, resolvable for @mentions
    stand_in: BlueskyStandIn | None = None
    adapters: list[BlueskyAdapter] = field(default_factory=list)

    def adapter(
        self, *, password: str | None = None, timeout: float = GENEROUS, handle: str | None = None
    ) -> BlueskyAdapter:
        adapter = BlueskyAdapter(
            BlueskyAccount(handle=handle or self.handle, service=self.service),
            self.password if password is None else password,
            timeout=timeout,
        )
        self.adapters.append(adapter)
        return adapter

    def record(self, uri: str) -> dict[str, Any] | None:
        """The record at `uri` as the PDS serves it to anyone (getRecord), or None."""
        repo, collection, rkey = uri.removeprefix("at://").split("/")
        response = httpx.get(
            f"{self.service}/xrpc/com.atproto.repo.getRecord",
            params={"repo": repo, "collection": collection, "rkey": rkey},
            timeout=GENEROUS,
            verify=tls(),
        )
        if response.status_code == 400 and response.json().get("error") == "RecordNotFound":
            return None
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def posts(self, did: str) -> list[dict[str, Any]]:
        """Every post record in the account's repository (listRecords), newest key first."""
        response = httpx.get(
            f"{self.service}/xrpc/com.atproto.repo.listRecords",
            params={"repo": did, "collection": "app.bsky.feed.post", "limit": 100},
            timeout=GENEROUS,
            verify=tls(),
        )
        response.raise_for_status()
        records: list[dict[str, Any]] = response.json()["records"]
        return records


def stand_in_backend(**options: Any) -> Iterator[Backend]:
    stand_in = BlueskyStandIn(other_handles=(f"{FRIEND}.test",), **options)
    with stand_in:
        backend = Backend(
            "stand-in",
            stand_in.url,
            stand_in.account.handle,
            SANDBOX_APP_PASSWORD,
            f"{FRIEND}.test",
            stand_in,
        )
        try:
            yield backend
        finally:
            for adapter in backend.adapters:
                adapter.close()


def pds_backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    try:
        pds = request.getfixturevalue("pds")
    except pytest.FixtureLookupError:
        pytest.skip("tests/pds_plugin.py (the `pds` fixture) is not there")
    account = pds.create_account("bsky")
    friend = pds.create_account(FRIEND)
    backend = Backend("pds", pds.url, account.handle, account.password, friend.handle)
    try:
        yield backend
    finally:
        for adapter in backend.adapters:
            adapter.close()


def outgoing(key: str, *parts: OutgoingPart, lang: str | None = "en") -> Outgoing:
    return Outgoing(key=key, network="bluesky", parts=parts, lang=lang)


def as_in_file(receipt: Receipt) -> Receipt:
    """A receipt as read back from a post file: id, url and at only."""
    return Receipt(at=receipt.at, id=receipt.id, url=receipt.url)
