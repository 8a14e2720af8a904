"""Pinning (`pin: true`) through the adapters: Bluesky's profile record (against the
stand-in and the reference PDS) and Mastodon's pin route (against the stand-in),
including what each service refuses."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from clarion.adapters import mastodon
from clarion.adapters.base import NotSent, Outgoing, OutgoingPart, Receipt
from clarion.adapters.bluesky import PROFILE, BlueskyAdapter
from clarion.adapters.http import tls
from clarion.sandbox.mastodon import SANDBOX_TOKEN, MastodonStandIn
from clarion.sandbox.server import Fault
from clarion.settings import Settings
from tests.adapters import drive, test_mastodon
from tests.adapters.bluesky_fixtures import (
    Backend,
    as_in_file,
    outgoing,
)
from tests.timeouts import GENEROUS

PUT = "/xrpc/com.atproto.repo.putRecord"


# -- Bluesky ------------------------------------------------------------------------------------
def post(adapter: BlueskyAdapter, key: str, text: str) -> Receipt:
    [receipt] = drive.send_all(adapter, outgoing(key, OutgoingPart(0, text)))
    return receipt


def profile(backend: Backend, adapter: BlueskyAdapter) -> dict[str, Any] | None:
    found = backend.record(f"at://{adapter.did}/{PROFILE}/self")
    return None if found is None else found["value"]


def put_profile(backend: Backend, adapter: BlueskyAdapter, record: dict[str, Any]) -> None:
    """What another client (the Bluesky app) does when the profile is edited there."""
    session = httpx.post(
        f"{backend.service}/xrpc/com.atproto.server.createSession",
        json={"identifier": backend.handle, "password": backend.password},
        timeout=GENEROUS,
        verify=tls(),
    ).json()
    answer = httpx.post(
        f"{backend.service}{PUT}",
        json={"repo": adapter.did, "collection": PROFILE, "rkey": "self", "record": record},
        headers={"Authorization": f"Bearer {session['accessJwt']}"},
        timeout=GENEROUS,
        verify=tls(),
    )
    assert answer.status_code == 200, answer.text


def test_bluesky_pins_by_the_profile_record(backend: Backend) -> None:
    adapter = backend.adapter()
    receipt = post(adapter, "posts/farewell.md", "Goodbye, and where to find us")
    assert profile(backend, adapter) is None  # a new account has no profile record yet

    adapter.pin(receipt)

    assert profile(backend, adapter) == {
        "$type": PROFILE,
        "pinnedPost": {"uri": receipt.id, "cid": receipt.extra["cid"]},
    }
    adapter.pin(as_in_file(receipt))  # again, from the file (no cid): nothing changes
    assert profile(backend, adapter) == {
        "$type": PROFILE,
        "pinnedPost": {"uri": receipt.id, "cid": receipt.extra["cid"]},
    }


def test_bluesky_keeps_the_rest_of_the_profile(backend: Backend) -> None:
    adapter = backend.adapter()
    first = post(adapter, "posts/one.md", "The first pinned post")
    put_profile(
        backend,
        adapter,
        {"$type": PROFILE, "displayName": "Example Org", "description": "Our news, kept in Git"},
    )
    adapter.pin(first)
    second = post(adapter, "posts/two.md", "The second pinned post")

    adapter.pin(as_in_file(second))

    assert profile(backend, adapter) == {
        "$type": PROFILE,
        "displayName": "Example Org",
        "description": "Our news, kept in Git",
        "pinnedPost": {"uri": second.id, "cid": second.extra["cid"]},
    }


def test_bluesky_cannot_pin_a_deleted_post(backend: Backend) -> None:
    adapter = backend.adapter()
    receipt = post(adapter, "posts/gone.md", "Soon deleted")
    adapter.delete(receipt)

    with pytest.raises(NotSent, match="not on the PDS") as refused:
        adapter.pin(as_in_file(receipt))
    assert not refused.value.retryable
    assert profile(backend, adapter) is None


def test_bluesky_a_profile_changed_meanwhile_is_read_again(sandbox: Backend) -> None:
    adapter = sandbox.adapter()
    receipt = post(adapter, "posts/race.md", "Pinned while the profile is edited")
    put_profile(sandbox, adapter, {"$type": PROFILE, "displayName": "Before"})
    assert sandbox.stand_in is not None
    # The profile changes between the adapter's read and its write: the write is
    # refused as the PDS refuses a stale swapRecord, and nothing is overwritten.
    sandbox.stand_in.inject(
        Fault(
            "status",
            method="POST",
            path_prefix=PUT,
            status=400,
            body=json.dumps({"error": "InvalidSwap", "message": "Record was at bafy..."}).encode(),
            headers={"Content-Type": "application/json"},
        )
    )
    with pytest.raises(NotSent, match="profile changed") as refused:
        adapter.pin(receipt)
    assert refused.value.retryable
    put_profile(sandbox, adapter, {"$type": PROFILE, "displayName": "After"})

    adapter.pin(receipt)  # what the orchestrator's retry does

    assert profile(sandbox, adapter) == {
        "$type": PROFILE,
        "displayName": "After",
        "pinnedPost": {"uri": receipt.id, "cid": receipt.extra["cid"]},
    }


def test_the_stand_in_puts_records_as_the_pds(backend: Backend) -> None:
    """putRecord of the profile, and what the PDS refuses, answered alike by both."""
    base = f"{backend.service}/xrpc"
    seen: dict[str, tuple[int, str, str]] = {}
    expected: dict[str, tuple[int, str, str]] = {}
    with httpx.Client(timeout=GENEROUS, verify=tls()) as http:
        login = {"identifier": backend.handle, "password": backend.password}
        session = http.post(f"{base}/com.atproto.server.createSession", json=login).json()
        did, auth = session["did"], {"Authorization": f"Bearer {session['accessJwt']}"}
        made = http.post(
            f"{base}/com.atproto.repo.createRecord",
            json={
                "repo": did,
                "collection": "app.bsky.feed.post",
                "record": {"text": "pin me", "createdAt": "2026-12-01T15:00:00.000Z"},
            },
            headers=auth,
        ).json()
        ref = {"uri": made["uri"], "cid": made["cid"]}
        put = {"repo": did, "collection": PROFILE, "rkey": "self"}

        def answer(name: str, body: dict[str, Any], status: int, error: str, message: str) -> None:
            response = http.post(f"{base}/com.atproto.repo.putRecord", json=body, headers=auth)
            found = response.json()
            seen[name] = (response.status_code, found.get("error", ""), found.get("message", ""))
            expected[name] = (status, error, message)

        pinned = {"$type": PROFILE, "pinnedPost": ref}
        invalid = f"Invalid {PROFILE} record: "
        answer(
            "not its key",
            put | {"rkey": "other", "record": pinned},
            400,
            "InvalidRequest",
            f'Invalid record key for {PROFILE}: Expected "self" (got "other") at $',
        )
        answer(
            "no cid",
            put | {"record": {"pinnedPost": {"uri": made["uri"]}}},
            400,
            "InvalidRequest",
            f'{invalid}Missing required key "cid" at $.record.pinnedPost',
        )
        answer(
            "not an at-uri",
            put | {"record": {"pinnedPost": {"uri": "https://bsky.app/x", "cid": made["cid"]}}},
            400,
            "InvalidRequest",
            f'{invalid}Invalid at-uri (got "https://bsky.app/x") at $.record.pinnedPost.uri',
        )
        answer(
            "not a cid",
            put | {"record": {"pinnedPost": {"uri": made["uri"], "cid": "nope"}}},
            400,
            "InvalidRequest",
            f'{invalid}Invalid CID string (got "nope") at $.record.pinnedPost.cid',
        )
        answer(
            "name too long",
            put | {"record": {"displayName": "a" * 65}},
            400,
            "InvalidRequest",
            f"{invalid}grapheme too big (maximum 64, got 65) at $.record.displayName",
        )
        answer(
            "swap when there is none",
            put | {"record": pinned, "swapRecord": made["cid"]},
            400,
            "InvalidSwap",
            "Record was at null",
        )
        answer(
            "swap not a cid",
            put | {"record": pinned, "swapRecord": "nope"},
            400,
            "InvalidRequest",
            'Invalid CID string (got "nope") at $.swapRecord',
        )
        created = http.post(
            f"{base}/com.atproto.repo.putRecord",
            json=put | {"record": pinned, "swapRecord": None},
            headers=auth,
        ).json()
        assert set(created) == {"uri", "cid", "commit", "validationStatus"}
        assert created["validationStatus"] == "valid"
        # The same record again is a no-op: no commit.
        same = http.post(
            f"{base}/com.atproto.repo.putRecord", json=put | {"record": pinned}, headers=auth
        ).json()
        assert same == {k: created[k] for k in ("uri", "cid", "validationStatus")}
        named = pinned | {"displayName": "Example"}
        answer(
            "must be new, is not",
            put | {"record": named, "swapRecord": None},
            400,
            "InvalidSwap",
            f"Record was at {created['cid']}",
        )
        answer(
            "stale swap",
            put | {"record": named, "swapRecord": made["cid"]},
            400,
            "InvalidSwap",
            f"Record was at {created['cid']}",
        )
        updated = http.post(
            f"{base}/com.atproto.repo.putRecord",
            json=put | {"record": named, "swapRecord": created["cid"]},
            headers=auth,
        ).json()
        assert updated["cid"] != created["cid"]
    assert seen == expected


# -- Mastodon -----------------------------------------------------------------------------------
running = test_mastodon.running  # one stand-in for the module


@pytest.fixture
def server(running: MastodonStandIn) -> MastodonStandIn:
    running.reset()
    running.token = SANDBOX_TOKEN
    running.scopes = None
    return running


@pytest.fixture
def adapter(server: MastodonStandIn) -> Iterator[mastodon.MastodonAdapter]:
    account, env = server.sandbox_settings()
    settings = Settings(root=Path(), account_tables={"mastodon": account})
    made = mastodon.from_settings(settings, env, timeout=GENEROUS, retry_delay=0.01)
    made.connect()
    yield made
    made.close()


def toot(adapter: mastodon.MastodonAdapter, text: str, visibility: str | None = None) -> Receipt:
    """`text` sent as a post of its own (its key names the text, so each is new)."""
    key = f"posts/{hashlib.sha256(text.encode()).hexdigest()[:12]}.md"
    sent = Outgoing(key, "mastodon", (OutgoingPart(0, text),), visibility=visibility)
    [receipt] = drive.send_all(adapter, sent)
    return receipt


def pinned(server: MastodonStandIn) -> list[str]:
    """The statuses the profile shows pinned, as a client reads them."""
    answer = httpx.get(
        f"{server.url}/api/v1/accounts/{server.account_id}/statuses",
        params={"pinned": "true"},
        headers={"Authorization": f"Bearer {server.token}"},
        timeout=GENEROUS,
        verify=tls(),
    )
    return [status["id"] for status in answer.json() if status["pinned"]]


def test_mastodon_pins_and_pinning_again_is_fine(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    receipt = toot(adapter, "Goodbye from this account")

    adapter.pin(receipt)
    adapter.pin(receipt)  # Mastodon answers 422 "Duplicate record": it is pinned

    assert pinned(server) == [receipt.id]
    assert [r["pinned"] for r in server.received()] == [True]
    statuses = [r for r in server.requests if r.path.endswith("/pin")]
    assert len(statuses) == 2


def test_mastodon_refuses_a_sixth_pin(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    for n in range(5):
        adapter.pin(toot(adapter, f"Pinned number {n + 1}"))
    sixth = toot(adapter, "One pin too many")

    with pytest.raises(NotSent, match="already pinned the maximum number of posts") as refused:
        adapter.pin(sixth)

    assert not refused.value.retryable
    assert len(pinned(server)) == 5
    assert sixth.id not in pinned(server)


def test_mastodon_refuses_to_pin_a_direct_message(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    receipt = toot(adapter, "@someone only for you", visibility="direct")

    with pytest.raises(NotSent, match="only visible to mentioned users cannot be pinned"):
        adapter.pin(receipt)
    assert pinned(server) == []


def test_mastodon_pinning_needs_the_write_accounts_scope(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    receipt = toot(adapter, "A token that may post but not pin")
    server.scopes = ("read", "write:statuses", "write:media")

    with pytest.raises(NotSent, match="write:accounts") as refused:
        adapter.pin(receipt)

    assert "outside the authorized scopes" in refused.value.message
    assert pinned(server) == []
    server.scopes = ("read", "write")  # the top-level scope covers it
    adapter.pin(receipt)
    assert pinned(server) == [receipt.id]


def test_mastodon_cannot_pin_a_deleted_status(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    receipt = toot(adapter, "Soon deleted")
    adapter.pin(receipt)
    adapter.delete(receipt)  # its pin goes with it

    with pytest.raises(NotSent, match="Record not found"):
        adapter.pin(receipt)
    assert pinned(server) == []
