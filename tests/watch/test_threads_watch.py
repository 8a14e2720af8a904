"""Watching Threads, over real HTTP against the Threads stand-in: a post deleted on
Threads is found, and the access token's expiry is raised 10 days ahead."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from clarion.adapters.base import Outgoing, OutgoingPart
from clarion.adapters.threads import ThreadsAdapter
from clarion.sandbox.threads import SANDBOX_TOKEN, TOKEN_ENV, ThreadsStandIn
from clarion.watch.model import Kind, Watched, WatchFailed
from clarion.watch.threads import watch
from tests.adapters.drive import send_all
from tests.timeouts import GENEROUS


@pytest.fixture
def stand_in() -> Iterator[ThreadsStandIn]:
    with ThreadsStandIn() as server:
        yield server


def published(stand_in: ThreadsStandIn, tmp_path: Path) -> list[Watched]:
    adapter = ThreadsAdapter(stand_in.sandbox_settings()[0], SANDBOX_TOKEN, root=tmp_path)
    adapter.connect()
    try:
        outgoing = Outgoing(
            key="posts/a.md",
            network="threads",
            parts=(OutgoingPart(0, "one"), OutgoingPart(1, "two")),
        )
        receipts = send_all(adapter, outgoing)
    finally:
        adapter.close()
    return [
        Watched(path="posts/a.md", part=n, id=r.id or "", url=r.url) for n, r in enumerate(receipts)
    ]


def test_a_deleted_post_is_found_and_a_token_far_from_expiry_is_not_raised(
    stand_in: ThreadsStandIn, tmp_path: Path
) -> None:
    parts = published(stand_in, tmp_path)
    stand_in.posts[parts[1].id].deleted = True
    account, env = stand_in.sandbox_settings()
    observed = watch(account, env, parts, timeout=GENEROUS)
    assert [(s.kind, s.part) for s in observed.seen] == [(Kind.DELETED, parts[1])]
    assert observed.notes == []


def test_the_token_is_raised_ten_days_before_it_expires(stand_in: ThreadsStandIn) -> None:
    account, env = stand_in.sandbox_settings()
    stand_in.expires_at = int(time.time() + 9.5 * 86400)
    [seen] = watch(account, env, [], timeout=GENEROUS).seen
    assert seen.kind == Kind.TOKEN_EXPIRING
    assert seen.part is None
    assert seen.detail.startswith("the access token expires in 10 day(s), on ")
    assert TOKEN_ENV in seen.detail
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=11)
    [expired] = watch(account, env, [], timeout=GENEROUS, now=later).seen
    assert expired.detail.startswith("the access token expired on ")
    assert expired.key == seen.key  # the same finding: the same expiry


def test_a_token_debug_token_will_not_read_is_a_note(stand_in: ThreadsStandIn) -> None:
    stand_in.tester = False
    account, env = stand_in.sandbox_settings()
    observed = watch(account, env, [], timeout=GENEROUS)
    assert observed.seen == []
    assert "expiry could not be read" in observed.notes[0]


def test_a_refused_token_is_a_configuration_failure(stand_in: ThreadsStandIn) -> None:
    account, _ = stand_in.sandbox_settings()
    with pytest.raises(WatchFailed) as caught:
        watch(account, {TOKEN_ENV: "wrong"}, [Watched("posts/a.md", 0, "1")], timeout=GENEROUS)
    assert caught.value.config
    with pytest.raises(WatchFailed, match=TOKEN_ENV) as missing:
        watch(account, {}, [], timeout=GENEROUS)
    assert missing.value.config
