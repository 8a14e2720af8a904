"""The Bluesky adapter over HTTP (XRPC, `clarion.adapters.xrpc`), against the stand-in
and the reference PDS (`pds` cases, skipped where scripts/pds.sh has not installed it).

Fault cases need the stand-in's fault injection; the lost-receipt case runs on both.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from clarion.adapters.base import AuthError, LinkCard, NotSent, Outgoing, OutgoingPart, Receipt
from clarion.adapters.bluesky import BlueskyAdapter, from_settings, record_key
from clarion.adapters.http import tls
from clarion.sandbox.bluesky import (
    SANDBOX_APP_PASSWORD,
    BlueskyStandIn,
    dag_cbor,
    record_cid,
)
from clarion.sandbox.server import Fault
from clarion.settings import BlueskyAccount, Settings
from tests.adapters import drive
from tests.adapters.bluesky_fixtures import (
    Backend,
    as_in_file,
    image,
    outgoing,
    png,
    stand_in_backend,
)
from tests.adapters.side_by_side import meet
from tests.timeouts import GENEROUS, GIVE_UP

TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
CREATE = "/xrpc/com.atproto.repo.createRecord"
GET = "/xrpc/com.atproto.repo.getRecord"


@pytest.fixture
def sandbox_with() -> Iterator[Callable[..., Backend]]:
    """Make a stand-in with options (`write_points`, `access_ttl`, `blob_limit`)."""
    with contextlib.ExitStack() as stack:
        yield lambda **options: stack.enter_context(
            contextlib.contextmanager(stand_in_backend)(**options)
        )


def stand_in(backend: Backend) -> BlueskyStandIn:
    assert backend.stand_in is not None
    return backend.stand_in


def send_all(adapter: BlueskyAdapter, post: Outgoing, attempts: int = 1) -> list[Receipt]:
    return drive.send_all(adapter, post, attempts)


def features(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(kind, the text it covers, its target) of each facet of a record."""
    data = record["text"].encode("utf-8")
    found = []
    for facet in record.get("facets") or []:
        span = data[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8")
        for feature in facet["features"]:
            kind = feature["$type"].rpartition("#")[2]
            found.append((kind, span, feature.get("uri") or feature.get("tag") or feature["did"]))
    return found


# -- record keys ------------------------------------------------------------------------------
def test_record_keys_are_valid_tids_fixed_per_post_and_part() -> None:
    keys = [record_key("posts/2026/cfp.md", index) for index in range(4)]
    assert all(TID.match(key) for key in keys)
    assert keys == [record_key("posts/2026/cfp.md", index) for index in range(4)]
    assert keys == sorted(keys)  # the parts of a thread sort in order
    assert len(set(keys)) == 4
    assert record_key("posts/2026/other.md", 0) != keys[0]
    alphabet = "234567abcdefghijklmnopqrstuvwxyz"
    value = 0
    for char in keys[2]:
        value = value << 5 | alphabet.index(char)
    assert value >> 63 == 0  # the top bit is zero
    assert value & 0x3FF == 2  # the part index is the clock id
    micros = value >> 10
    when = dt.datetime.fromtimestamp(micros / 1e6, dt.UTC)
    assert dt.datetime(2023, 1, 1, tzinfo=dt.UTC) <= when < dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="at most"):
        record_key("posts/x.md", 1024)


def test_cids_are_computed_as_atproto_computes_them() -> None:
    # Vectors from atproto's data-model fixtures (lex-cbor/tests/data-model-fixtures.json).
    simple = {
        "string": "abc",
        "unicode": "a~öñ©⽘☎𓋓😀👨‍👩‍👧‍👧",
        "integer": 123,
        "bool": True,
        "null": None,
        "array": ["abc", "def", "ghi"],
        "object": {"string": "abc", "number": 123, "bool": True, "arr": ["abc", "def", "ghi"]},
    }
    assert record_cid(simple) == "bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq"
    links = {
        "a": {"$link": "bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a"},
        "b": {"$bytes": "nFERjvLLiw9qm45JrqH9QTzyC2Lu1Xb4ne6+sBrCzI0"},
        "c": {
            "$type": "blob",
            "ref": {"$link": "bafkreiccldh766hwcnuxnf2wh6jgzepf2nlu2lvcllt63eww5p6chi4ity"},
            "mimeType": "image/jpeg",
            "size": 10000,
        },
    }
    assert record_cid(links) == "bafyreihldkhcwijkde7gx4rpkkuw7pl6lbyu5gieunyc7ihactn5bkd2nm"
    assert dag_cbor(-1) == b"\x20"
    with pytest.raises(ValueError, match="floats"):
        dag_cbor({"ratio": 1.5})


# -- posting, on both backends ----------------------------------------------------------------
def test_a_single_post(backend: Backend) -> None:
    adapter = backend.adapter()
    adapter.connect()
    text = "The CfP is open! #PyCon https://us.pycon.org/2027/ 🐍"
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    [receipt] = send_all(adapter, outgoing("posts/cfp.md", OutgoingPart(0, text), lang="en"))

    rkey = record_key("posts/cfp.md", 0)
    assert receipt.id == f"at://{adapter.did}/app.bsky.feed.post/{rkey}"
    assert receipt.url == f"https://bsky.app/profile/{backend.handle}/post/{rkey}"
    assert receipt.at.tzinfo is not None
    assert before <= receipt.at <= dt.datetime.now(dt.UTC)
    assert receipt.extra["cid"].startswith("bafyrei")
    stored = backend.record(receipt.id)
    assert stored is not None
    assert stored["cid"] == receipt.extra["cid"]
    # The stand-in's cids are the reference PDS's: checked against the record it serves.
    assert record_cid(stored["value"]) == receipt.extra["cid"]
    value = stored["value"]
    assert value["$type"] == "app.bsky.feed.post"
    assert value["text"] == "The CfP is open! #PyCon us.pycon.org/2027/ 🐍"  # link shortened
    assert value["langs"] == ["en"]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", value["createdAt"])
    assert "reply" not in value
    assert "embed" not in value
    assert features(value) == [
        ("tag", "#PyCon", "PyCon"),
        ("link", "us.pycon.org/2027/", "https://us.pycon.org/2027/"),
    ]


def test_a_thread_of_three_replies_to_its_root_and_parent(backend: Backend) -> None:
    adapter = backend.adapter()
    post = outgoing(
        "posts/thread.md",
        OutgoingPart(0, "One: the news."),
        OutgoingPart(1, "Two: the details."),
        OutgoingPart(2, "Three: the thanks."),
    )
    first, second = send_all(adapter, outgoing(post.key, *post.parts[:2]))
    # The third part as after a restart: receipts read back from the file have no cid.
    third = adapter.send_part(
        post, post.parts[2], root=as_in_file(first), parent=as_in_file(second)
    )
    records = [backend.record(r.id or "") for r in (first, second, third)]
    assert all(records)
    values = [r["value"] for r in records if r]
    assert [v["text"] for v in values] == [
        "One: the news.",
        "Two: the details.",
        "Three: the thanks.",
    ]
    assert "reply" not in values[0]
    assert values[1]["reply"]["root"]["uri"] == first.id
    assert values[1]["reply"]["root"]["cid"] == first.extra["cid"]
    assert values[1]["reply"]["parent"]["uri"] == first.id
    assert values[1]["reply"]["parent"]["cid"] == first.extra["cid"]
    assert values[2]["reply"]["root"]["uri"] == first.id
    assert values[2]["reply"]["root"]["cid"] == first.extra["cid"]
    assert values[2]["reply"]["parent"]["uri"] == second.id
    assert values[2]["reply"]["parent"]["cid"] == second.extra["cid"]
    rkeys = [(r.id or "").rsplit("/", 1)[1] for r in (first, second, third)]
    assert rkeys == [record_key("posts/thread.md", i) for i in range(3)]
    assert len(backend.posts(adapter.did)) == 3


def test_images_with_alt_text_and_aspect_ratio_drop_the_card(
    backend: Backend, tmp_path: Path
) -> None:
    adapter = backend.adapter()
    images = (
        image(tmp_path, "banner.png", "PyCon US 2027 banner", 6, 3),
        image(tmp_path, "map.png", "A map of Long Beach", 2, 5),
    )
    card = LinkCard("https://us.pycon.org/2027/", "PyCon US 2027", "CfP open")
    text = "See you there https://us.pycon.org/2027/"
    [receipt] = send_all(
        adapter, outgoing("posts/img.md", OutgoingPart(0, text, images=images, link=card))
    )
    stored = backend.record(receipt.id or "")
    assert stored is not None
    embed = stored["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"  # one embed only: the card is dropped
    assert [i["alt"] for i in embed["images"]] == ["PyCon US 2027 banner", "A map of Long Beach"]
    assert [(i["aspectRatio"]["width"], i["aspectRatio"]["height"]) for i in embed["images"]] == [
        (6, 3),
        (2, 5),
    ]
    for picture, sent in zip(embed["images"], images, strict=True):
        blob = picture["image"]
        assert blob["$type"] == "blob"
        assert blob["mimeType"] == "image/png"
        assert blob["size"] == len(sent.read())
        assert blob["ref"]["$link"].startswith("bafkrei")
    assert features(stored["value"]) == [
        ("link", "us.pycon.org/2027/", "https://us.pycon.org/2027/")
    ]


def test_a_link_card_with_a_thumbnail(backend: Backend, tmp_path: Path) -> None:
    adapter = backend.adapter()
    thumb = image(tmp_path, "card.png", "", 4, 2)
    card = LinkCard("https://us.pycon.org/2027/", "PyCon US 2027", "Call for proposals", thumb)
    [receipt] = send_all(
        adapter, outgoing("posts/card.md", OutgoingPart(0, "Read more.", link=card))
    )
    stored = backend.record(receipt.id or "")
    assert stored is not None
    embed = stored["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.external"
    external = embed["external"]
    assert (external["uri"], external["title"], external["description"]) == (
        "https://us.pycon.org/2027/",
        "PyCon US 2027",
        "Call for proposals",
    )
    assert external["thumb"]["mimeType"] == "image/png"
    assert external["thumb"]["size"] == len(png(4, 2))


def test_mentions_link_to_resolved_accounts_only(backend: Backend) -> None:
    adapter = backend.adapter()
    text = f"Thanks @{backend.friend} and @nobody.test!"
    [receipt] = send_all(adapter, outgoing("posts/thanks.md", OutgoingPart(0, text)))
    stored = backend.record(receipt.id or "")
    assert stored is not None
    assert stored["value"]["text"] == text
    [(kind, span, did)] = features(stored["value"])
    assert (kind, span) == ("mention", f"@{backend.friend}")
    assert did.startswith("did:plc:")


def test_no_language_sends_no_langs(backend: Backend) -> None:
    adapter = backend.adapter()
    [receipt] = send_all(adapter, outgoing("posts/nolang.md", OutgoingPart(0, "Hi"), lang=None))
    stored = backend.record(receipt.id or "")
    assert stored is not None
    assert "langs" not in stored["value"]


def test_a_lost_receipt_is_recovered_not_posted_again(backend: Backend) -> None:
    post = outgoing("posts/again.md", OutgoingPart(0, "Only once."))
    [first] = send_all(backend.adapter(), post)
    # A later run that lost the receipt (the job was killed before it was written).
    [again] = send_all(backend.adapter(), post)
    assert again.id == first.id
    assert again.url == first.url
    assert again.extra["cid"] == first.extra["cid"]
    assert abs((again.at - first.at).total_seconds()) <= 2  # dated when it was created
    assert len(backend.posts(backend.adapter().did)) == 1


def test_a_too_long_post_is_refused_with_the_servers_reason(backend: Backend) -> None:
    adapter = backend.adapter()
    with pytest.raises(NotSent) as caught:
        send_all(adapter, outgoing("posts/long.md", OutgoingPart(0, "é" * 301)))
    assert not caught.value.retryable
    assert "grapheme too big (maximum 300, got 301) at $.record.text" in caught.value.message
    assert backend.posts(adapter.did) == []


def test_delete_retracts_a_post_and_is_idempotent(backend: Backend) -> None:
    adapter = backend.adapter()
    [receipt] = send_all(adapter, outgoing("posts/oops.md", OutgoingPart(0, "Oops.")))
    adapter.delete(as_in_file(receipt))
    assert backend.record(receipt.id or "") is None
    adapter.delete(receipt)  # already gone: fine
    # The same post can be sent again after a retraction (same key, new record).
    [again] = send_all(adapter, outgoing("posts/oops.md", OutgoingPart(0, "Oops, fixed.")))
    assert again.id == receipt.id
    assert again.extra["cid"] != receipt.extra["cid"]


def test_bad_credentials_are_an_auth_error(backend: Backend) -> None:
    adapter = backend.adapter(password="wrong-pass-word-0000")
    with pytest.raises(AuthError) as caught:
        adapter.connect()
    assert "Invalid identifier or password" in caught.value.message
    assert "wrong-pass" not in caught.value.message
    assert "CLARION_BLUESKY_APP_PASSWORD" in caught.value.message


# -- the fault matrix, on the stand-in ---------------------------------------------------------
def test_a_500_on_the_second_part_is_retried_without_duplicates(sandbox: Backend) -> None:
    adapter = sandbox.adapter()
    post = outgoing(
        "posts/t500.md", OutgoingPart(0, "one"), OutgoingPart(1, "two"), OutgoingPart(2, "three")
    )
    first = adapter.send_part(post, post.parts[0], root=None, parent=None)
    stand_in(sandbox).inject(
        Fault(
            "status",
            "POST",
            CREATE,
            500,
            b'{"error":"InternalServerError","message":"Internal Server Error"}',
            {"Content-Type": "application/json; charset=utf-8"},
        )
    )
    with pytest.raises(NotSent) as caught:
        adapter.send_part(post, post.parts[1], root=first, parent=first)
    assert caught.value.retryable
    assert "InternalServerError" in caught.value.message
    receipts = send_all(adapter, post, attempts=2)  # the orchestrator's rerun
    assert receipts[0].id == first.id
    posts = stand_in(sandbox).posts()
    assert [p.value["text"] for p in posts] == ["one", "two", "three"]
    assert posts[2].value["reply"]["parent"]["uri"] == receipts[1].id


def test_the_first_500_was_a_bare_fault_not_a_post(sandbox: Backend) -> None:
    # A 500 with no XRPC body (a proxy's) is still a retryable refusal.
    stand_in(sandbox).inject(Fault("status", "POST", CREATE, 502, b"Bad Gateway", {}))
    adapter = sandbox.adapter()
    post = outgoing("posts/t502.md", OutgoingPart(0, "one"))
    with pytest.raises(NotSent) as caught:
        send_all(adapter, post)
    assert caught.value.retryable
    assert send_all(adapter, post)[0].id is not None
    assert len(stand_in(sandbox).posts()) == 1


def test_a_rate_limit_says_when_to_retry(sandbox_with: Callable[..., Backend]) -> None:
    backend = sandbox_with(write_points=4)  # a post costs 3 points of the hourly budget
    adapter = backend.adapter()
    send_all(adapter, outgoing("posts/r1.md", OutgoingPart(0, "first")))
    with pytest.raises(NotSent) as caught:
        send_all(adapter, outgoing("posts/r2.md", OutgoingPart(0, "second")))
    assert caught.value.retryable
    assert "RateLimitExceeded" in caught.value.message
    assert caught.value.retry_after is not None
    assert 3500 <= caught.value.retry_after <= 3600  # the window's reset, from its header
    assert len(stand_in(backend).posts()) == 1


def test_a_429_with_reset_header(sandbox: Backend) -> None:
    reset = int(time.time()) + 42
    stand_in(sandbox).inject(
        Fault(
            "status",
            "POST",
            CREATE,
            429,
            b'{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}',
            {
                "Content-Type": "application/json; charset=utf-8",
                "RateLimit-Limit": "5000",
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(reset),
                "RateLimit-Policy": "5000;w=3600",
            },
        )
    )
    adapter = sandbox.adapter()
    post = outgoing("posts/r429.md", OutgoingPart(0, "hello"))
    with pytest.raises(NotSent) as caught:
        send_all(adapter, post)
    assert caught.value.retryable
    assert caught.value.retry_after is not None
    assert 40 <= caught.value.retry_after <= 42
    send_all(adapter, post)
    assert len(stand_in(sandbox).posts()) == 1


@pytest.mark.parametrize("kind", ["hang", "lose"])
def test_an_answer_lost_after_the_post_was_taken_is_recovered(sandbox: Backend, kind: str) -> None:
    fault = Fault(kind, "POST", CREATE)  # "hang": held, never answered, until released
    stand_in(sandbox).inject(fault)
    adapter = sandbox.adapter(timeout=GIVE_UP)
    post = outgoing("posts/lost.md", OutgoingPart(0, "one"), OutgoingPart(1, "two"))
    receipts = send_all(adapter, post)
    fault.hold.release()
    posts = stand_in(sandbox).posts()
    assert [p.value["text"] for p in posts] == ["one", "two"]
    assert [r.id for r in receipts] == [p.uri for p in posts]
    assert receipts[0].extra["cid"] == posts[0].cid
    creates = [r for r in stand_in(sandbox).requests if r.path == CREATE]
    assert len(creates) == 2  # recovered by asking, not by sending again


def test_a_connection_reset_before_the_post_was_taken_sends_again(sandbox: Backend) -> None:
    stand_in(sandbox).inject(Fault("reset", "POST", CREATE))
    adapter = sandbox.adapter()
    post = outgoing("posts/reset.md", OutgoingPart(0, "once"))
    with pytest.raises(NotSent) as caught:  # one try per call: retrying is the orchestrator's
        adapter.send_part(post, post.parts[0], root=None, parent=None)
    assert caught.value.retryable
    assert "sending again is safe" in caught.value.message
    [receipt] = send_all(adapter, post)
    posts = stand_in(sandbox).posts()
    assert [p.uri for p in posts] == [receipt.id]
    creates = [r for r in stand_in(sandbox).requests if r.path == CREATE]
    assert len(creates) == 2


def test_no_answer_at_all_is_retryable_and_then_recovered(sandbox: Backend) -> None:
    # The create lands but its answer is lost, and so is the answer of the check.
    stand_in(sandbox).inject(Fault("lose", "POST", CREATE))
    # The check before goes through; the check after gets no answer.
    stand_in(sandbox).inject(Fault("reset", "GET", GET, skip=1))
    adapter = sandbox.adapter()
    post = outgoing("posts/dark.md", OutgoingPart(0, "into the dark"))
    with pytest.raises(NotSent) as caught:
        send_all(adapter, post)
    assert caught.value.retryable
    [receipt] = send_all(adapter, post)  # the rerun finds it
    assert [p.uri for p in stand_in(sandbox).posts()] == [receipt.id]


def test_answers_without_what_the_method_returns_are_not_taken_for_it(sandbox: Backend) -> None:
    empty = {"Content-Type": "application/json"}
    adapter = sandbox.adapter()
    stand_in(sandbox).inject(
        Fault("status", "POST", "/xrpc/com.atproto.server.createSession", 200, b"{}", empty)
    )
    with pytest.raises(NotSent) as caught:  # no session in it: not logged in
        adapter.connect()
    assert caught.value.retryable
    assert "without accessJwt, refreshJwt, did, handle" in caught.value.message
    post = outgoing("posts/unread.md", OutgoingPart(0, "one"))
    stand_in(sandbox).inject(Fault("status", "GET", GET, 200, b"{}", empty))
    with pytest.raises(NotSent) as caught:  # no record in it: not a lost receipt
        send_all(adapter, post)
    assert caught.value.retryable
    stand_in(sandbox).inject(Fault("status", "POST", CREATE, 200, b"[]", empty))
    with pytest.raises(NotSent) as caught:  # not an object: looked for, not there
        send_all(adapter, post)
    assert "sending again is safe" in caught.value.message
    [receipt] = send_all(adapter, post)
    assert [p.uri for p in stand_in(sandbox).posts()] == [receipt.id]


def test_an_expired_token_logs_in_again(sandbox: Backend) -> None:
    stand_in(sandbox).inject(
        Fault(
            "status",
            "POST",
            CREATE,
            400,
            b'{"error":"ExpiredToken","message":"Token has expired"}',
            {"Content-Type": "application/json; charset=utf-8"},
        )
    )
    adapter = sandbox.adapter()
    [receipt] = send_all(adapter, outgoing("posts/expired.md", OutgoingPart(0, "still here")))
    assert receipt.id is not None
    sessions = [r for r in stand_in(sandbox).requests if r.path.endswith("createSession")]
    assert len(sessions) == 2


def test_a_short_lived_session_is_refreshed(sandbox_with: Callable[..., Backend]) -> None:
    # The client refreshes an access token 15 minutes before it expires: always, here.
    backend = sandbox_with(access_ttl=dt.timedelta(minutes=10))
    adapter = backend.adapter()
    send_all(adapter, outgoing("posts/refresh.md", OutgoingPart(0, "a"), OutgoingPart(1, "b")))
    paths = [r.path.rsplit("/", 1)[1] for r in stand_in(backend).requests]
    assert paths.count("com.atproto.server.createSession") == 1
    assert paths.count("com.atproto.server.refreshSession") >= 2
    assert len(stand_in(backend).posts()) == 2


def test_an_unreachable_pds_is_retryable() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    account = BlueskyAccount("clarion.test", f"http://127.0.0.1:{port}")
    adapter = BlueskyAdapter(account, SANDBOX_APP_PASSWORD, timeout=GENEROUS)
    with pytest.raises(NotSent) as caught:
        adapter.connect()
    assert caught.value.retryable
    adapter.close()


def test_a_too_large_image_is_refused_for_good(
    sandbox_with: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = sandbox_with(blob_limit=100)
    big = image(tmp_path, "big.png", "big", 64, 64)
    with pytest.raises(NotSent) as caught:
        send_all(backend.adapter(), outgoing("posts/big.md", OutgoingPart(0, "pic", images=(big,))))
    assert not caught.value.retryable
    assert "PayloadTooLarge: request entity too large" in caught.value.message


def test_a_reply_to_a_part_whose_outcome_is_unknown_is_refused(sandbox: Backend) -> None:
    adapter = sandbox.adapter()
    post = outgoing("posts/unk.md", OutgoingPart(0, "a"), OutgoingPart(1, "b"))
    unknown = Receipt(at=dt.datetime.now(dt.UTC), outcome="unknown")
    with pytest.raises(NotSent) as caught:
        adapter.send_part(post, post.parts[1], root=unknown, parent=unknown)
    assert not caught.value.retryable


# -- side by side: what does not depend on a record goes at once ------------------------------
UPLOAD = "/xrpc/com.atproto.repo.uploadBlob"
RESOLVE = "/xrpc/com.atproto.identity.resolveHandle"


def test_keys_images_and_mentions_are_asked_for_side_by_side(
    sandbox: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pictures = (image(tmp_path, "a.png", "A"), image(tmp_path, "b.png", "B"))
    post = outgoing(
        "posts/together.md",
        OutgoingPart(0, f"Hello @{sandbox.friend}", images=pictures),
        OutgoingPart(1, "Two"),
        OutgoingPart(2, "Three"),
    )
    adapter = sandbox.adapter()
    adapter.connect()
    # The three parts' keys, both images and the mention, all in flight at once.
    meeting = meet(
        stand_in(sandbox), monkeypatch, {("GET", GET): 3, ("POST", UPLOAD): 2, ("GET", RESOLVE): 1}
    )

    receipts = send_all(adapter, post)

    assert meeting.met
    posts = stand_in(sandbox).posts()
    assert [p.uri for p in posts] == [r.id for r in receipts]
    assert [p.value["text"] for p in posts] == [f"Hello @{sandbox.friend}", "Two", "Three"]
    calls = [r.path for r in stand_in(sandbox).requests]
    first_create = calls.index(CREATE)
    # Records are created one after the other, with no look-up between them.
    assert calls[first_create:] == [CREATE, CREATE, CREATE]


def test_a_later_part_found_ahead_is_recovered_without_asking_again(sandbox: Backend) -> None:
    post = outgoing("posts/ahead.md", OutgoingPart(0, "one"), OutgoingPart(1, "two"))
    first, second = send_all(sandbox.adapter(), post)
    sandbox.adapter().delete(first)  # the first part retracted by hand, the second still there
    before = len(stand_in(sandbox).requests)

    again = send_all(sandbox.adapter(), post)

    calls = [r.path for r in stand_in(sandbox).requests[before:]]
    assert calls.count(GET) == 2  # both keys, asked once, together
    assert calls.count(CREATE) == 1  # only the first part is sent again
    assert again[1].id == second.id
    assert again[1].extra["cid"] == second.extra["cid"]


def test_a_part_found_wins_over_an_upload_failing_beside_its_look_up(
    sandbox: Backend, tmp_path: Path
) -> None:
    post = outgoing("posts/won.md", OutgoingPart(0, "pic", images=(image(tmp_path, "a.png", "A"),)))
    [sent] = send_all(sandbox.adapter(), post)
    refused = b'{"error":"PayloadTooLarge","message":"request entity too large"}'
    stand_in(sandbox).inject(
        Fault("status", "POST", UPLOAD, 413, refused, {"Content-Type": "application/json"})
    )

    [again] = send_all(sandbox.adapter(), post)  # a rerun that lost the receipt

    assert again.id == sent.id


# -- settings, and the stand-in for `publish --sandbox` -------------------------------------------
def test_from_settings_needs_the_app_password(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path, account_tables={"bluesky": BlueskyAccount("example.test")})
    with pytest.raises(AuthError, match="CLARION_BLUESKY_APP_PASSWORD is not set"):
        from_settings(settings, {})
    with pytest.raises(AuthError, match=r"accounts\.bluesky"):
        from_settings(Settings(root=tmp_path), {"CLARION_BLUESKY_APP_PASSWORD": "x"})
    adapter = from_settings(settings, {"CLARION_BLUESKY_APP_PASSWORD": "abcd-efgh-ijkl-mnop"})
    assert adapter.name == "bluesky"
    assert adapter.account.handle == "example.test"


def test_sandbox_settings_publish_and_describe(sandbox: Backend, tmp_path: Path) -> None:
    account, env = stand_in(sandbox).sandbox_settings()
    adapter = from_settings(Settings(root=tmp_path, account_tables={"bluesky": account}), env)
    sandbox.adapters.append(adapter)
    adapter.connect()
    pictures = (image(tmp_path, "a.png", "A banner"),)
    post = outgoing(
        "posts/describe.md",
        OutgoingPart(0, "Hello #world https://example.org", images=pictures),
        OutgoingPart(1, "Second part"),
    )
    send_all(adapter, post)
    card = LinkCard("https://example.org", "Example", "An example")
    send_all(adapter, outgoing("posts/card2.md", OutgoingPart(0, "Card", link=card)))
    text = stand_in(sandbox).describe()
    assert "3 post(s)" in text
    assert "| Hello #world example.org" in text
    assert "language: en" in text
    assert "tag: '#world' -> world" in text
    assert "image 1: image/png 3x2" in text
    assert "alt 'A banner'" in text
    assert "reply to [1] in the thread of [1]" in text
    assert "link card: https://example.org" in text
    assert [r["record"]["text"] for r in stand_in(sandbox).received()] == [
        "Hello #world example.org",
        "Second part",
        "Card",
    ]


# -- the stand-in answers as the reference PDS: the same calls on both, the same answers -------
POST_NSID = "app.bsky.feed.post"
A_CID = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"
GONE_BLOB = "bafkreiccldh766hwcnuxnf2wh6jgzepf2nlu2lvcllt63eww5p6chi4ity"
RECORD = {"$type": POST_NSID, "text": "x", "createdAt": "2026-01-01T00:00:00.000Z"}


def _invalid_post(message: str) -> tuple[int, str, str]:
    return 400, "InvalidRequest", f"Invalid {POST_NSID} record: {message}"


def _images(*images: dict[str, Any]) -> dict[str, Any]:
    return RECORD | {"embed": {"$type": "app.bsky.embed.images", "images": list(images)}}


def _card(**external: Any) -> dict[str, Any]:
    return RECORD | {"embed": {"$type": "app.bsky.embed.external", "external": external}}


# name -> (record, expected status, error, message); "{blob}" stands for an uploaded blob.
REFUSED_RECORDS: dict[str, tuple[dict[str, Any], tuple[int, str, str]]] = {
    "too many bytes": (
        RECORD | {"text": "é" * 1600},
        _invalid_post("string too big (maximum 3000, got 3200) at $.record.text"),
    ),
    "too many graphemes": (
        RECORD | {"text": "a" * 301},
        _invalid_post("grapheme too big (maximum 300, got 301) at $.record.text"),
    ),
    "no createdAt": (
        {"$type": POST_NSID, "text": "x"},
        _invalid_post('Missing required key "createdAt" at $.record'),
    ),
    "bad createdAt": (
        RECORD | {"createdAt": "yesterday"},
        _invalid_post('Invalid datetime (got "yesterday") at $.record.createdAt'),
    ),
    "four langs": (
        RECORD | {"langs": ["en", "fr", "de", "nl"]},
        _invalid_post("array too big (maximum 3, got 4) at $.record.langs"),
    ),
    "bad lang": (
        RECORD | {"langs": ["english!"]},
        _invalid_post('Invalid language (got "english!") at $.record.langs[0]'),
    ),
    "bad link": (
        RECORD
        | {
            "facets": [
                {
                    "index": {"byteStart": 0, "byteEnd": 1},
                    "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "not a uri"}],
                }
            ]
        },
        _invalid_post('Invalid uri (got "not a uri") at $.record.facets[0].features[0].uri'),
    ),
    "bad mention": (
        RECORD
        | {
            "facets": [
                {
                    "index": {"byteStart": 0, "byteEnd": 1},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "nobody"}],
                }
            ]
        },
        _invalid_post('Invalid DID (got "nobody") at $.record.facets[0].features[0].did'),
    ),
    "bad reply uri": (
        RECORD
        | {
            "reply": {
                "root": {"uri": "at://x", "cid": A_CID},
                "parent": {"uri": "at://x", "cid": A_CID},
            }
        },
        _invalid_post('Invalid at-uri (got "at://x") at $.record.reply.root.uri'),
    ),
    "bad reply cid": (
        RECORD
        | {
            "reply": {
                "root": {"uri": "at://{did}/app.bsky.feed.post/3kaaaaaaaaaa2", "cid": "nope"},
                "parent": {"uri": "at://{did}/app.bsky.feed.post/3kaaaaaaaaaa2", "cid": "nope"},
            }
        },
        _invalid_post('Invalid CID string (got "nope") at $.record.reply.root.cid'),
    ),
    "reply without parent": (
        RECORD
        | {"reply": {"root": {"uri": "at://{did}/app.bsky.feed.post/3kaaaaaaaaaa2", "cid": A_CID}}},
        _invalid_post('Missing required key "parent" at $.record.reply'),
    ),
    "five images": (
        _images(*[{"alt": "a", "image": "{blob}"}] * 5),
        _invalid_post("array too big (maximum 4, got 5) at $.record.embed.images"),
    ),
    "image without alt": (
        _images({"image": "{blob}"}),
        _invalid_post('Missing required key "alt" at $.record.embed.images[0]'),
    ),
    "image too big": (
        _images({"alt": "a", "image": "{blob:2000001}"}),
        _invalid_post(
            "blob too big (maximum 2000000, got 2000001) at $.record.embed.images[0].image"
        ),
    ),
    "image not an image": (
        _images({"alt": "a", "image": "{blob:text/plain}"}),
        _invalid_post(
            'Expected "image/*" (got "text/plain") at $.record.embed.images[0].image.mimeType'
        ),
    ),
    "image never uploaded": (
        _images({"alt": "a", "image": "{gone}"}),
        (400, "BlobNotFound", f"Could not find blob: {GONE_BLOB}"),
    ),
    "zero aspect ratio": (
        _images({"alt": "a", "image": "{blob}", "aspectRatio": {"width": 0, "height": 1}}),
        _invalid_post(
            "integer too small (minimum 1, got 0) at $.record.embed.images[0].aspectRatio.width"
        ),
    ),
    "card without description": (
        _card(uri="https://example.org", title="t"),
        _invalid_post('Missing required key "description" at $.record.embed.external'),
    ),
    "thumbnail too big": (
        _card(uri="https://example.org", title="t", description="", thumb="{blob:1000001}"),
        _invalid_post(
            "blob too big (maximum 1000000, got 1000001) at $.record.embed.external.thumb"
        ),
    ),
    "a float": (
        RECORD | {"weight": 1.5},
        (
            400,
            "InvalidRequest",
            "Expected one of null, boolean, integer, string, cid, bytes, array or object "
            "value type (got 1.5) at $.record.weight",
        ),
    ),
}


def _fill(value: Any, did: str, blob: dict[str, Any]) -> Any:
    """The placeholders of REFUSED_RECORDS filled in."""
    if isinstance(value, dict):
        return {key: _fill(item, did, blob) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, did, blob) for item in value]
    if value == "{blob}":
        return blob
    if value == "{gone}":
        return blob | {"ref": {"$link": GONE_BLOB}}
    if isinstance(value, str) and value.startswith("{blob:"):
        change = value[6:-1]
        return blob | ({"size": int(change)} if change.isdigit() else {"mimeType": change})
    if isinstance(value, str):
        return value.replace("{did}", did)
    return value


def test_the_stand_in_answers_as_the_pds(backend: Backend) -> None:
    import httpx

    base = f"{backend.service}/xrpc"
    answers: dict[str, tuple[int, str, str]] = {}
    expected: dict[str, tuple[int, str, str]] = {}

    def answer(name: str, response: httpx.Response, status: int, error: str, message: str) -> None:
        body = response.json()
        answers[name] = (response.status_code, body.get("error", ""), body.get("message", ""))
        expected[name] = (status, error, message)

    with httpx.Client(timeout=10, verify=tls()) as http:
        login = {"identifier": backend.handle, "password": backend.password}
        session = http.post(f"{base}/com.atproto.server.createSession", json=login).json()
        did = session["did"]
        auth = {"Authorization": f"Bearer {session['accessJwt']}"}
        create = f"{base}/com.atproto.repo.createRecord"
        post = {"repo": did, "collection": POST_NSID, "rkey": "3kaaaaaaaaaa2", "record": RECORD}
        answer(
            "wrong password",
            http.post(f"{base}/com.atproto.server.createSession", json=login | {"password": "no"}),
            401,
            "AuthenticationRequired",
            "Invalid identifier or password",
        )
        answer(
            "no password",
            http.post(f"{base}/com.atproto.server.createSession", json={"identifier": did}),
            400,
            "InvalidRequest",
            'Missing required key "password" at $',
        )
        answer(
            "no token", http.post(create, json=post), 401, "AuthMissing", "Authentication Required"
        )
        answer(
            "bad token",
            http.post(create, json=post, headers={"Authorization": "Bearer abc.def.ghi"}),
            400,
            "InvalidToken",
            "Token could not be verified",
        )
        assert http.post(create, json=post, headers=auth).status_code == 200
        answer(
            "duplicate key",
            http.post(create, json=post, headers=auth),
            500,
            "InternalServerError",
            "Internal Server Error",
        )
        answer(
            "not a TID",
            http.post(create, json=post | {"rkey": "self"}, headers=auth),
            400,
            "InvalidRequest",
            f'Invalid record key for {POST_NSID}: Invalid TID string (got "self") at $',
        )
        answer(
            "not a record key",
            http.post(create, json=post | {"rkey": "a/b"}, headers=auth),
            400,
            "InvalidRequest",
            'Invalid record key (got "a/b") at $.rkey',
        )
        answer(
            "another repo",
            http.post(
                create, json=post | {"repo": "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"}, headers=auth
            ),
            403,
            "AccountNotFound",
            "Account not found",
        )
        uploaded = http.post(
            f"{base}/com.atproto.repo.uploadBlob",
            content=png(1, 1),
            headers=auth | {"Content-Type": "image/png"},
        ).json()["blob"]
        assert uploaded["ref"]["$link"].startswith("bafkrei")
        for name, (record, (status, error, message)) in REFUSED_RECORDS.items():
            body = post | {"rkey": "3kaaaaaaaaab2", "record": _fill(record, did, uploaded)}
            answer(name, http.post(create, json=body, headers=auth), status, error, message)
        get = f"{base}/com.atproto.repo.getRecord"
        where = {"repo": did, "collection": POST_NSID, "rkey": "3kaaaaaaaaac2"}
        answer(
            "no record",
            http.get(get, params=where),
            400,
            "RecordNotFound",
            f"Could not locate record: at://{did}/{POST_NSID}/3kaaaaaaaaac2",
        )
        answer(
            "no rkey",
            http.get(get, params={"repo": did, "collection": POST_NSID}),
            400,
            "InvalidRequest",
            'Invalid com.atproto.repo.getRecord params: Missing required key "rkey"',
        )
        resolve = f"{base}/com.atproto.identity.resolveHandle"
        answer(
            "unknown handle",
            http.get(resolve, params={"handle": "nobody.test"}),
            400,
            "HandleNotFound",
            "Unable to resolve handle",
        )
        answer(
            "not a handle",
            http.get(resolve, params={"handle": "not a handle"}),
            400,
            "InvalidRequest",
            "Invalid com.atproto.identity.resolveHandle params: "
            'Invalid handle (got "not a handle")',
        )
        answer(
            "blob without type",
            http.post(f"{base}/com.atproto.repo.uploadBlob", content=b"x", headers=auth),
            400,
            "InvalidRequest",
            "Request encoding (Content-Type) required but not provided",
        )
        assert http.get(resolve, params={"handle": backend.handle}).json() == {"did": did}
        stored = http.get(get, params=where | {"rkey": "3kaaaaaaaaaa2"}).json()
        assert stored == {
            "uri": f"at://{did}/{POST_NSID}/3kaaaaaaaaaa2",
            "cid": record_cid(RECORD),
            "value": RECORD,
        }
        delete = f"{base}/com.atproto.repo.deleteRecord"
        gone = {"repo": did, "collection": POST_NSID, "rkey": "3kaaaaaaaaaa2"}
        assert set(http.post(delete, json=gone, headers=auth).json()) == {"commit"}
        assert http.post(delete, json=gone, headers=auth).json() == {}
    assert answers == expected


def test_the_stand_in_sends_rate_limit_headers(sandbox: Backend) -> None:
    import httpx

    base = f"{sandbox.service}/xrpc"
    login = {"identifier": sandbox.handle, "password": sandbox.password}
    session = httpx.post(f"{base}/com.atproto.server.createSession", json=login, verify=tls())
    assert session.headers["RateLimit-Policy"] == "30;w=300"
    assert session.headers["RateLimit-Remaining"] == "29"
    assert int(session.headers["RateLimit-Reset"]) > time.time()
    # The dev-env PDS has its limits switched off; bsky.social sends these headers.
