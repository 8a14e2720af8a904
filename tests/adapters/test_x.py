"""The X adapter through tweepy and requests-oauthlib, over real HTTP, against the X stand-in."""

from __future__ import annotations

import datetime as dt
import functools
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from requests_oauthlib import OAuth1  # type: ignore[import-untyped]

from clarion.adapters.base import (
    AdapterError,
    AuthError,
    Image,
    LinkCard,
    NotSent,
    OutcomeUnknown,
    Outgoing,
    OutgoingPart,
    Receipt,
)
from clarion.adapters.x import ENV_VARS, XAdapter, XCredentials, from_settings
from clarion.publish.retry import RetryPolicy, retrying
from clarion.sandbox.server import Fault
from clarion.sandbox.x import (
    DUPLICATE_DETAIL,
    REPLY_NOT_ALLOWED,
    SANDBOX_ACCESS_TOKEN,
    SANDBOX_API_KEY,
    XStandIn,
    hmac_sha1_signature,
    signature_base_string,
)
from clarion.settings import Settings, XAccount
from tests.adapters.side_by_side import meet
from tests.images import png
from tests.timeouts import GENEROUS, GIVE_UP


# -- helpers ----------------------------------------------------------------------
def gif() -> bytes:
    """A 1x1 GIF89a: two-colour table, one image, LZW minimum code size 2."""
    return (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
        b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )


def image(tmp_path: Path, name: str, alt: str, data: bytes, mime: str = "image/png") -> Image:
    path = tmp_path / name
    path.write_bytes(data)
    return Image(path=path, alt=alt, mime=mime, width=2, height=2)


def post(*texts: str, images: tuple[Image, ...] = (), key: str = "posts/test.md") -> Outgoing:
    parts = tuple(
        OutgoingPart(index=i, text=text, images=images if i == 0 else ())
        for i, text in enumerate(texts)
    )
    return Outgoing(key=key, network="x", parts=parts)


def as_in_file(receipt: Receipt) -> Receipt:
    """A receipt as read back from the post file: only id, url, at."""
    return Receipt(at=receipt.at, id=receipt.id, url=receipt.url, outcome=receipt.outcome)


def publish(adapter: XAdapter, outgoing: Outgoing, receipts: list[Receipt]) -> list[Receipt]:
    """What the orchestrator does for one post on X: the parts without a receipt, in
    order; `NotSent(retryable)` retried (waits shortened for the tests); an unknown
    outcome recorded and the thread stopped, never retried."""
    receipts = [as_in_file(r) for r in receipts]
    for part in outgoing.parts[len(receipts) :]:
        for attempt in range(3):
            try:
                receipt = adapter.send_part(
                    outgoing,
                    part,
                    root=receipts[0] if receipts else None,
                    parent=receipts[-1] if receipts else None,
                )
            except NotSent as exc:
                if not exc.retryable or attempt == 2:
                    raise
                time.sleep(min(exc.retry_after or 0.0, 0.05))
                continue
            except OutcomeUnknown:
                receipts.append(Receipt(at=dt.datetime.now(dt.UTC), outcome="unknown"))
                return receipts
            receipts.append(as_in_file(receipt))
            break
    return receipts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> bytes:
    return json.dumps({"title": title, "detail": detail, "type": kind, "status": status}).encode()


JSON = {"Content-Type": "application/json; charset=utf-8"}


# -- fixtures ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def running_stand_in() -> Iterator[XStandIn]:
    # One server for the module: stopping one takes half a second.
    with XStandIn() as server:
        assert isinstance(server, XStandIn)
        yield server


@pytest.fixture
def stand_in(running_stand_in: XStandIn) -> XStandIn:
    running_stand_in.reset()
    return running_stand_in


@pytest.fixture
def env(stand_in: XStandIn) -> dict[str, str]:
    return stand_in.sandbox_settings()[1]


def make_adapter(
    stand_in: XStandIn, env: dict[str, str], root: Path, timeout: float, slept: list[float]
) -> XAdapter:
    account = stand_in.sandbox_settings()[0]
    settings = Settings(root=root, account_tables={"x": account})
    x = from_settings(settings, env, timeout=timeout, sleep=slept.append)
    x.connect()
    return x


@pytest.fixture
def slept() -> list[float]:
    """The waits the adapter asked for (between STATUS polls), none of them taken."""
    return []


@pytest.fixture
def adapter(
    stand_in: XStandIn, env: dict[str, str], tmp_path: Path, slept: list[float]
) -> Iterator[XAdapter]:
    x = make_adapter(stand_in, env, tmp_path, GENEROUS, slept)
    yield x
    x.close()


@pytest.fixture
def impatient(
    stand_in: XStandIn, env: dict[str, str], tmp_path: Path, slept: list[float]
) -> Iterator[XAdapter]:
    """For the requests a test holds until the client gives up."""
    x = make_adapter(stand_in, env, tmp_path, GIVE_UP, slept)
    yield x
    x.close()


def assert_no_secret(exc: AdapterError, env: dict[str, str]) -> None:
    for name in ENV_VARS:
        assert env[name] not in str(exc)


# -- credentials and connecting ---------------------------------------------------------
@pytest.mark.parametrize("missing", ENV_VARS)
def test_a_missing_variable_is_named(
    missing: str, env: dict[str, str], stand_in: XStandIn, tmp_path: Path
) -> None:
    settings = Settings(root=tmp_path, account_tables={"x": stand_in.sandbox_settings()[0]})
    with pytest.raises(AuthError, match=missing) as caught:
        from_settings(settings, {k: v for k, v in env.items() if k != missing})
    assert_no_secret(caught.value, env)
    shown = repr(XCredentials.from_env(env))
    assert all(env[name] not in shown for name in ENV_VARS)


def test_no_x_account_in_settings_is_a_configuration_error(
    env: dict[str, str], tmp_path: Path
) -> None:
    with pytest.raises(AuthError, match=r"accounts\.x"):
        from_settings(Settings(root=tmp_path), env)


def test_the_key_check_learns_the_username(stand_in: XStandIn, env: dict[str, str]) -> None:
    account = XAccount(handle="configured_handle", api=stand_in.url)
    x = XAdapter(account, XCredentials.from_env(env))
    assert x.status_url("1") == "https://x.com/configured_handle/status/1"
    x.connect()  # no session to open: nothing is asked yet
    assert stand_in.requests == []
    outgoing = post("hello", "again")
    first = x.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    x.send_part(outgoing, outgoing.parts[1], root=first, parent=first)
    assert x.handle == "clarion_sandbox"
    assert first.url == f"https://x.com/clarion_sandbox/status/{first.id}"
    # The keys are checked once, before anything is posted.
    assert [r.path for r in stand_in.requests] == ["/2/users/me", "/2/tweets", "/2/tweets"]
    x.close()


@pytest.mark.parametrize("wrong", ["CLARION_X_API_SECRET", "CLARION_X_ACCESS_TOKEN_SECRET"])
def test_bad_credentials_are_refused(wrong: str, stand_in: XStandIn, env: dict[str, str]) -> None:
    bad = {**env, wrong: "not-the-secret"}
    x = XAdapter(stand_in.sandbox_settings()[0], XCredentials.from_env(bad))
    x.connect()
    with pytest.raises(AuthError, match="401 Unauthorized") as caught:
        x.send_part(post("hello"), post("hello").parts[0], root=None, parent=None)
    assert_no_secret(caught.value, bad)
    assert "refused the credentials" in caught.value.message
    assert [r.path for r in stand_in.requests] == ["/2/users/me"]  # nothing was posted
    with pytest.raises(AuthError):  # nor deleted
        x.delete(Receipt(at=dt.datetime.now(dt.UTC), id="1"))
    assert stand_in.received() == []


def test_refused_keys_win_over_an_image_refused_beside_them(
    stand_in: XStandIn, env: dict[str, str], tmp_path: Path
) -> None:
    bad = {**env, "CLARION_X_API_SECRET": "not-the-secret"}
    x = XAdapter(stand_in.sandbox_settings()[0], XCredentials.from_env(bad))
    x.connect()
    outgoing = post("pic", images=(image(tmp_path, "a.png", "A", png(2, 2)),))
    with pytest.raises(AuthError, match="refused the credentials"):
        x.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    assert stand_in.received() == []


def test_connection_refused_is_safe_to_retry(env: dict[str, str]) -> None:
    account = XAccount(handle="example", api=f"http://127.0.0.1:{free_port()}")
    x = XAdapter(account, XCredentials.from_env(env), timeout=GENEROUS)
    x.connect()
    outgoing = post("hello")
    with pytest.raises(NotSent) as caught:  # the key check cannot connect
        x.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    assert caught.value.retryable
    assert "could not reach" in caught.value.message


def test_connection_refused_on_posting_is_safe_to_retry(env: dict[str, str]) -> None:
    outgoing = post("hello", "again")
    with XStandIn() as server:  # the keys checked and part 1 posted, then the server goes
        x = XAdapter(server.sandbox_settings()[0], XCredentials.from_env(env), timeout=GENEROUS)
        x.connect()
        first = x.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    x.close()  # its kept-alive connection goes too: the next request must connect
    with pytest.raises(NotSent) as caught:
        x.send_part(outgoing, outgoing.parts[1], root=first, parent=first)
    assert caught.value.retryable
    assert "could not connect" in caught.value.message


# -- posting ------------------------------------------------------------------------
def test_a_single_post(adapter: XAdapter, stand_in: XStandIn) -> None:
    outgoing = post("The call for proposals is open! 🐍\nhttps://us.pycon.org/2027/")
    receipt = adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    assert receipt.id is not None
    assert receipt.id.isdigit()
    assert len(receipt.id) >= 18  # snowflake ids, as X's
    assert receipt.url == f"{stand_in.url}/clarion_sandbox/status/{receipt.id}"
    assert receipt.at.tzinfo == dt.UTC
    assert receipt.outcome is None
    [tweet] = stand_in.received()
    assert tweet["id"] == receipt.id
    assert tweet["text"] == outgoing.parts[0].text
    assert tweet["in_reply_to"] is None


def test_a_three_part_thread_replies_in_a_chain(adapter: XAdapter, stand_in: XStandIn) -> None:
    outgoing = post("one", "two", "three")
    receipts = publish(adapter, outgoing, [])
    assert all(r.id for r in receipts)
    tweets = stand_in.received()
    assert [t["text"] for t in tweets] == ["one", "two", "three"]
    assert [t["id"] for t in tweets] == [r.id for r in receipts]
    assert [t["in_reply_to"] for t in tweets] == [None, receipts[0].id, receipts[1].id]
    assert {t["conversation_id"] for t in tweets} == {receipts[0].id}
    sent = [json.loads(r.body) for r in stand_in.requests if r.path == "/2/tweets"]
    assert sent[1] == {"text": "two", "reply": {"in_reply_to_tweet_id": receipts[0].id}}


def test_images_with_alt_text(adapter: XAdapter, stand_in: XStandIn, tmp_path: Path) -> None:
    images = (
        image(tmp_path, "a.png", "A blue square", png(2, 2)),
        image(tmp_path, "b.png", "Ein grünes Rechteck, 3×1", png(3, 1)),
    )
    outgoing = post("two pictures", "no pictures here", images=images)
    receipts = publish(adapter, outgoing, [])
    first, second = stand_in.received()
    assert [(m["mime"], m["width"], m["height"], m["alt_text"]) for m in first["media"]] == [
        ("image/png", 2, 2, "A blue square"),
        ("image/png", 3, 1, "Ein grünes Rechteck, 3×1"),
    ]
    assert first["media"][0]["size"] == len(png(2, 2))
    assert second["media"] == []
    assert second["in_reply_to"] == receipts[0].id
    uploads = [r for r in stand_in.requests if r.path == "/2/media/upload"]
    assert all(r.header("Content-Type").startswith("multipart/form-data") for r in uploads)
    assert all(b'name="media_category"\r\n\r\ntweet_image' in r.body for r in uploads)


def test_images_go_up_side_by_side(
    adapter: XAdapter, stand_in: XStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    images = (
        image(tmp_path, "a.png", "A blue square", png(2, 2)),
        image(tmp_path, "b.png", "A green rectangle", png(3, 1)),
    )
    meeting = meet(stand_in, monkeypatch, {("POST", "/2/media/upload"): 2})

    publish(adapter, post("two pictures", images=images), [])

    assert meeting.met
    [tweet] = stand_in.received()
    assert [m["alt_text"] for m in tweet["media"]] == ["A blue square", "A green rectangle"]


def test_an_animated_gif_goes_up_in_chunks_and_waits_for_processing(
    adapter: XAdapter, stand_in: XStandIn, tmp_path: Path, slept: list[float]
) -> None:
    """X's one-shot upload refuses `tweet_gif`: a GIF goes through initialize,
    append and finalize, then STATUS until X has processed it, waiting as long as
    X says each time (`check_after_secs`), and keeps its alt text."""
    outgoing = post("a gif", images=(image(tmp_path, "a.gif", "A dot", gif(), "image/gif"),))
    adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    [tweet] = stand_in.received()
    [media] = tweet["media"]
    assert (media["mime"], media["size"], media["alt_text"]) == ("image/gif", len(gif()), "A dot")
    media_id = media["id"]
    calls = [(r.method, r.path) for r in stand_in.requests if r.path.startswith("/2/media")]
    assert calls == [
        ("POST", "/2/media/upload/initialize"),
        ("POST", f"/2/media/upload/{media_id}/append"),
        ("POST", f"/2/media/upload/{media_id}/finalize"),
        ("GET", "/2/media/upload"),  # in_progress, check after 2 s
        ("GET", "/2/media/upload"),  # succeeded
        ("POST", "/2/media/metadata"),
    ]
    [initialize] = [r for r in stand_in.requests if r.path.endswith("/initialize")]
    assert json.loads(initialize.body) == {
        "media_type": "image/gif",
        "total_bytes": len(gif()),
        "media_category": "tweet_gif",
    }
    status = [r for r in stand_in.requests if r.method == "GET" and r.path == "/2/media/upload"]
    assert status[0].query == {"command": ["STATUS"], "media_id": [media_id]}
    assert slept == [1.0, 2.0]  # pending: 1 s; in progress: 2 s


def test_a_big_gif_goes_up_in_several_segments(
    adapter: XAdapter, stand_in: XStandIn, tmp_path: Path
) -> None:
    adapter.chunk_bytes = 16
    data = gif()
    outgoing = post("segments", images=(image(tmp_path, "a.gif", "A dot", data, "image/gif"),))
    adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    appends = [r for r in stand_in.requests if r.path.endswith("/append")]
    assert len(appends) == -(-len(data) // 16) > 1
    indexes = [r.form_data()["segment_index"].text() for r in appends]  # type: ignore[index]
    assert indexes == [str(i) for i in range(len(appends))]
    [tweet] = stand_in.received()
    assert tweet["media"][0]["size"] == len(data)


def test_xs_one_shot_upload_refuses_a_gif(stand_in: XStandIn, env: dict[str, str]) -> None:
    """As X does (docs.x.com/x-api/media/upload-media): tweet_image, dm_image or
    subtitles only, and no image/gif."""

    def one_shot(category: str) -> requests.Response:
        auth = OAuth1(
            env["CLARION_X_API_KEY"],
            client_secret=env["CLARION_X_API_SECRET"],
            resource_owner_key=env["CLARION_X_ACCESS_TOKEN"],
            resource_owner_secret=env["CLARION_X_ACCESS_TOKEN_SECRET"],
        )
        return requests.post(
            f"{stand_in.url}/2/media/upload",
            files={"media": ("a.gif", gif(), "image/gif")},
            data={"media_category": category},
            auth=auth,
            timeout=GENEROUS,
        )

    refused = one_shot("tweet_gif")
    assert refused.status_code == 400
    body = refused.json()
    assert body["title"] == "Invalid Request"
    assert body["errors"] == [
        {
            "parameters": {"media_category": ["tweet_gif"]},
            "message": "The `media_category` parameter value [tweet_gif] is not one of "
            "[tweet_image, dm_image, subtitles]",
        }
    ]
    assert one_shot("tweet_image").status_code == 400  # nor as a still image
    assert stand_in.media == {}


def test_a_gif_x_cannot_process_is_not_retried(
    stand_in: XStandIn, env: dict[str, str], tmp_path: Path, slept: list[float]
) -> None:
    stand_in.gif_processing = ("in_progress", "failed")
    x = make_adapter(stand_in, env, tmp_path, GENEROUS, slept)
    outgoing = post("broken", images=(image(tmp_path, "a.gif", "A dot", gif(), "image/gif"),))
    with pytest.raises(NotSent, match="could not process") as caught:
        x.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    assert not caught.value.retryable
    assert stand_in.received() == []
    x.close()


def test_processing_that_never_ends_is_given_up_without_waiting(
    stand_in: XStandIn, env: dict[str, str], tmp_path: Path, slept: list[float]
) -> None:
    stand_in.gif_processing = ("in_progress",)  # for ever
    x = make_adapter(stand_in, env, tmp_path, GENEROUS, slept)
    outgoing = post("slow", images=(image(tmp_path, "a.gif", "A dot", gif(), "image/gif"),))
    with pytest.raises(NotSent, match="still being processed") as caught:
        x.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    assert caught.value.retryable  # a new upload may fare better
    assert sum(slept) <= 120
    assert len(slept) >= 50  # X was asked again and again, each after 2 s
    assert stand_in.received() == []
    x.close()


def test_link_card_and_language_are_left_to_x(adapter: XAdapter, stand_in: XStandIn) -> None:
    part = OutgoingPart(
        index=0,
        text="Read the programme: https://example.org/programme",
        link=LinkCard(url="https://example.org/programme", title="Programme"),
    )
    outgoing = Outgoing(key="posts/p.md", network="x", parts=(part,), lang="de")
    adapter.send_part(outgoing, part, root=None, parent=None)
    [create] = [r for r in stand_in.requests if r.path == "/2/tweets"]
    # X unfurls the link and detects the language itself: only the text is sent.
    assert json.loads(create.body) == {"text": part.text}
    assert "link card: X builds it from https://example.org/programme" in stand_in.describe()


def test_weighted_length_is_enforced_by_x(adapter: XAdapter, stand_in: XStandIn) -> None:
    fits = post("日" * 140, key="posts/cjk.md")  # CJK weighs 2: exactly 280
    adapter.send_part(fits, fits.parts[0], root=None, parent=None)
    too_long = post("本" * 141, key="posts/long.md")
    with pytest.raises(NotSent, match="too long") as caught:
        adapter.send_part(too_long, too_long.parts[0], root=None, parent=None)
    assert not caught.value.retryable
    assert len(stand_in.received()) == 1


def test_reply_to_a_deleted_post_is_refused(adapter: XAdapter, stand_in: XStandIn) -> None:
    outgoing = post("first", "second")
    first = adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    adapter.delete(first)
    with pytest.raises(NotSent, match="deleted or not visible") as caught:
        adapter.send_part(outgoing, outgoing.parts[1], root=first, parent=first)
    assert not caught.value.retryable


def test_a_refused_reply_names_the_rule_and_is_not_retried(
    adapter: XAdapter, stand_in: XStandIn
) -> None:
    """X may refuse a thread's replies (self-serve tiers, since February 2026):
    the part fails once, saying why and what to do; the part before stays out."""
    stand_in.refuse_replies = True
    outgoing = post("first", "second")
    first = adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    second = functools.partial(
        adapter.send_part, outgoing, outgoing.parts[1], root=first, parent=first
    )
    with pytest.raises(NotSent) as caught:
        retrying(second, RetryPolicy(), sleep=pytest.fail, stopping=threading.Event(), say=print)
    assert not caught.value.retryable
    message = caught.value.message
    assert message.startswith(f"X refused part 2 as a reply (403 {REPLY_NOT_ALLOWED})")
    assert "Since February 2026" in message
    assert "The parts already posted keep their receipts" in message
    assert "x: {thread: single}" in message
    assert [t["text"] for t in stand_in.received()] == ["first"]
    assert [r.path for r in stand_in.requests].count("/2/tweets") == 2  # tried once


def test_the_stand_in_refuses_replies_only_when_asked(
    adapter: XAdapter, stand_in: XStandIn
) -> None:
    outgoing = post("first", "second")
    assert len(publish(adapter, outgoing, [])) == 2  # the switch is off by default
    stand_in.refuse_replies = True
    lone = post("a post of its own, not a reply")
    adapter.send_part(lone, lone.parts[0], root=None, parent=None)
    stand_in.reset()
    assert not stand_in.refuse_replies


def test_a_parent_without_id_is_not_replied_to(adapter: XAdapter) -> None:
    outgoing = post("first", "second")
    unknown = Receipt(at=dt.datetime.now(dt.UTC), outcome="unknown")
    with pytest.raises(NotSent, match="no post id"):
        adapter.send_part(outgoing, outgoing.parts[1], root=unknown, parent=unknown)


def test_delete_and_delete_again(adapter: XAdapter, stand_in: XStandIn) -> None:
    outgoing = post("to be retracted")
    receipt = adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    adapter.delete(as_in_file(receipt))
    assert stand_in.live() == []
    adapter.delete(as_in_file(receipt))  # already gone: still fine
    assert [r.method for r in stand_in.requests].count("DELETE") == 2


# -- the fault matrix ---------------------------------------------------------------------
def test_server_error_on_the_second_part_is_unknown_then_settled(
    adapter: XAdapter, stand_in: XStandIn
) -> None:
    outgoing = post("one", "two", "three")
    error = problem(500, "Internal Server Error", "Internal Server Error")
    stand_in.inject(
        Fault("status", "POST", "/2/tweets", status=500, body=error, headers=JSON, skip=1)
    )
    receipts = publish(adapter, outgoing, [])
    # X may have posted it before failing: recorded unknown, not retried, thread stopped.
    assert [r.outcome for r in receipts] == [None, "unknown"]
    assert len(stand_in.received()) == 1
    # A person checked the account, found nothing, and deleted the unknown entry.
    receipts = publish(adapter, outgoing, receipts[:1])
    tweets = stand_in.received()
    assert [t["text"] for t in tweets] == ["one", "two", "three"]
    assert [t["in_reply_to"] for t in tweets] == [None, receipts[0].id, receipts[1].id]


def test_service_unavailable_on_create_is_unknown(adapter: XAdapter, stand_in: XStandIn) -> None:
    body = problem(503, "Service Unavailable", "Service Unavailable")
    stand_in.inject(Fault("status", "POST", "/2/tweets", status=503, body=body, headers=JSON))
    outgoing = post("hello")
    with pytest.raises(OutcomeUnknown, match="503"):
        adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)


def test_rate_limit_is_retried_after_the_reset(adapter: XAdapter, stand_in: XStandIn) -> None:
    reset = int(time.time()) + 60
    stand_in.inject(
        Fault(
            "status",
            "POST",
            "/2/tweets",
            status=429,
            body=problem(429, "Too Many Requests", "Too Many Requests"),
            headers={**JSON, "x-rate-limit-limit": "200", "x-rate-limit-remaining": "0"}
            | {"x-rate-limit-reset": str(reset)},
        )
    )
    outgoing = post("patience")
    with pytest.raises(NotSent) as caught:
        adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    assert caught.value.retryable
    assert caught.value.retry_after is not None
    assert 55 <= caught.value.retry_after <= 60
    assert stand_in.received() == []
    publish(adapter, outgoing, [])
    assert [t["text"] for t in stand_in.received()] == ["patience"]


def test_a_spent_daily_cap_is_waited_for_not_the_window(
    adapter: XAdapter, stand_in: XStandIn
) -> None:
    """X also caps posts per 24 hours: when that is spent, the window's reset is
    not the time to try again."""
    window, day = int(time.time()) + 60, int(time.time()) + 20_000
    stand_in.inject(
        Fault(
            "status",
            "POST",
            "/2/tweets",
            status=429,
            body=problem(429, "Too Many Requests", "Too Many Requests"),
            headers={**JSON, "x-rate-limit-remaining": "10", "x-rate-limit-reset": str(window)}
            | {"x-user-limit-24hour-remaining": "0", "x-user-limit-24hour-reset": str(day)},
        )
    )
    outgoing = post("tomorrow")
    with pytest.raises(NotSent) as caught:
        adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    assert caught.value.retry_after is not None
    assert 19_990 <= caught.value.retry_after <= 20_000


def test_the_stand_in_counts_its_rate_limit(env: dict[str, str]) -> None:
    with XStandIn(rate_limits={"POST /2/tweets": 1}) as server:
        assert isinstance(server, XStandIn)
        x = XAdapter(server.sandbox_settings()[0], XCredentials.from_env(env))
        outgoing = post("one", "two")
        first = x.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
        with pytest.raises(NotSent) as caught:
            x.send_part(outgoing, outgoing.parts[1], root=first, parent=first)
        assert caught.value.retryable
        assert caught.value.retry_after is not None
        assert 890 <= caught.value.retry_after <= 900
        assert len(server.received()) == 1
        x.close()


def test_the_stand_in_answers_with_xs_documented_limits(
    stand_in: XStandIn, env: dict[str, str]
) -> None:
    """100 posts per 15 minutes per user; 10,000 a day per app, 2,400 per account."""
    auth = OAuth1(
        env["CLARION_X_API_KEY"],
        client_secret=env["CLARION_X_API_SECRET"],
        resource_owner_key=env["CLARION_X_ACCESS_TOKEN"],
        resource_owner_secret=env["CLARION_X_ACCESS_TOKEN_SECRET"],
    )
    now = time.time()
    answer = requests.post(
        f"{stand_in.url}/2/tweets", json={"text": "hello"}, auth=auth, timeout=GENEROUS
    )
    assert answer.status_code == 201
    limits = {k: v for k, v in answer.headers.items() if "-limit" in k}
    resets = {k: int(limits.pop(k)) for k in list(limits) if k.endswith("-reset")}
    assert limits == {
        "x-rate-limit-limit": "100",
        "x-rate-limit-remaining": "99",
        "x-app-limit-24hour-limit": "10000",
        "x-app-limit-24hour-remaining": "9999",
        "x-user-limit-24hour-limit": "2400",
        "x-user-limit-24hour-remaining": "2399",
    }
    assert now + 895 <= resets["x-rate-limit-reset"] <= now + 905
    for scope in ("app", "user"):
        assert now + 86_395 <= resets[f"x-{scope}-limit-24hour-reset"] <= now + 86_405


@pytest.mark.parametrize(("scope", "whose"), [("user", "account's"), ("app", "app's")])
def test_a_spent_24_hour_cap_is_left_to_the_next_run(
    scope: str, whose: str, env: dict[str, str]
) -> None:
    """The stand-in's own cap, through the orchestrator's retry loop: the wait is
    the cap's day, not the window's 15 minutes, and nobody sleeps through it."""
    with XStandIn(daily_limits={scope: 1}) as server:
        assert isinstance(server, XStandIn)
        x = XAdapter(server.sandbox_settings()[0], XCredentials.from_env(env))
        outgoing = post("one", "two")
        first = x.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
        second = functools.partial(
            x.send_part, outgoing, outgoing.parts[1], root=first, parent=first
        )
        with pytest.raises(NotSent) as caught:
            second()
        assert caught.value.retryable
        assert caught.value.retry_after is not None
        assert 86_390 <= caught.value.retry_after <= 86_400
        assert f"the {whose} 24-hour posting cap is spent" in caught.value.message
        assert "X takes posts again at " in caught.value.message
        slept: list[float] = []
        with pytest.raises(NotSent, match="the next run will do it") as given_up:
            retrying(
                second, RetryPolicy(), sleep=slept.append, stopping=threading.Event(), say=print
            )
        assert not given_up.value.retryable
        assert slept == []
        assert [t["text"] for t in server.received()] == ["one"]
        x.close()


def test_lost_response_is_unknown_and_posted_once(adapter: XAdapter, stand_in: XStandIn) -> None:
    stand_in.inject(Fault("lose", "POST", "/2/tweets"))
    outgoing = post("did it go out?")
    with pytest.raises(OutcomeUnknown, match="a person must check") as caught:
        adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    assert_no_secret(caught.value, stand_in.sandbox_settings()[1])
    assert len(stand_in.received()) == 1
    stand_in.inject(Fault("lose", "POST", "/2/tweets"))
    receipts = publish(adapter, post("another one"), [])
    assert [r.outcome for r in receipts] == ["unknown"]
    assert len(stand_in.received()) == 2  # exactly one each: never retried


def test_the_timeout_really_fires(impatient: XAdapter, stand_in: XStandIn) -> None:
    hang = Fault("hang", "POST", "/2/tweets")  # never answered until released
    stand_in.inject(hang)
    outgoing = post("slow")
    with pytest.raises(OutcomeUnknown, match="ReadTimeout"):
        impatient.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    assert hang.hold.arrived == 1  # still held: the client's own timeout ended the call
    hang.hold.release()
    assert len(stand_in.received()) == 1


def test_connection_reset_is_unknown(adapter: XAdapter, stand_in: XStandIn) -> None:
    stand_in.inject(Fault("reset", "POST", "/2/tweets"))
    outgoing = post("reset")
    receipts = publish(adapter, outgoing, [])
    assert [r.outcome for r in receipts] == ["unknown"]
    assert stand_in.received() == []  # this time it really was not taken
    receipts = publish(adapter, outgoing, [])  # the person deleted the unknown entry
    assert [t["text"] for t in stand_in.received()] == ["reset"]


def test_duplicate_refusal_is_unknown(adapter: XAdapter, stand_in: XStandIn) -> None:
    outgoing = post("We are hiring!")
    adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    # A later run that lost the receipt tries again: X's duplicate check is the backstop.
    with pytest.raises(OutcomeUnknown, match="a person must check") as caught:
        adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    assert "duplicate" in caught.value.message
    assert DUPLICATE_DETAIL in caught.value.message
    assert len(stand_in.received()) == 1


def test_a_permission_refusal_is_a_credentials_problem(
    adapter: XAdapter, stand_in: XStandIn
) -> None:
    body = problem(
        403,
        "Forbidden",
        "Your client app is not configured with the appropriate oauth1 app permissions "
        "for this endpoint.",
        "https://api.twitter.com/2/problems/oauth1-permissions",
    )
    stand_in.inject(Fault("status", "POST", "/2/tweets", status=403, body=body, headers=JSON))
    outgoing = post("read-only app")
    with pytest.raises(AuthError, match="Read and Write"):
        adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)


MEDIA_FAULTS = {
    "upload-500": lambda: Fault("status", "POST", "/2/media/upload", status=500, headers=JSON),
    "upload-503": lambda: Fault("status", "POST", "/2/media/upload", status=503),
    "upload-lost": lambda: Fault("lose", "POST", "/2/media/upload"),
    "metadata-reset": lambda: Fault("reset", "POST", "/2/media/metadata"),
    "metadata-timeout": lambda: Fault("hang", "POST", "/2/media/metadata"),
}


@pytest.mark.parametrize("case", MEDIA_FAULTS)
def test_media_failures_are_safe_to_retry(
    case: str, impatient: XAdapter, stand_in: XStandIn, tmp_path: Path
) -> None:
    outgoing = post("with a picture", images=(image(tmp_path, "a.png", "A square", png()),))
    fault = MEDIA_FAULTS[case]()
    stand_in.inject(fault)
    with pytest.raises(NotSent, match=r"nothing was posted|server error") as caught:
        impatient.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    fault.hold.release()
    assert caught.value.retryable
    assert stand_in.received() == []
    again = MEDIA_FAULTS[case]()
    stand_in.inject(again)
    publish(impatient, outgoing, [])  # fails once more, then goes through
    again.hold.release()
    [tweet] = stand_in.received()
    assert tweet["media"][0]["alt_text"] == "A square"


def test_alt_text_over_xs_limit_is_not_retried(
    adapter: XAdapter, stand_in: XStandIn, tmp_path: Path
) -> None:
    outgoing = post("long alt", images=(image(tmp_path, "a.png", "x" * 1001, png()),))
    with pytest.raises(NotSent, match="1000") as caught:
        adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    assert not caught.value.retryable
    assert stand_in.received() == []


def test_not_an_image_is_refused(adapter: XAdapter, stand_in: XStandIn, tmp_path: Path) -> None:
    fake = image(tmp_path, "a.png", "Not really", b"<svg></svg>")
    outgoing = post("svg", images=(fake,))
    with pytest.raises(NotSent, match="media type unrecognized") as caught:
        adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    assert not caught.value.retryable


# -- the stand-in itself ------------------------------------------------------------------
def test_stand_in_verifies_the_oauth_signature(stand_in: XStandIn, env: dict[str, str]) -> None:
    def auth(secret: str = env["CLARION_X_API_SECRET"]) -> OAuth1:
        return OAuth1(
            env["CLARION_X_API_KEY"],
            client_secret=secret,
            resource_owner_key=env["CLARION_X_ACCESS_TOKEN"],
            resource_owner_secret=env["CLARION_X_ACCESS_TOKEN_SECRET"],
        )

    url = f"{stand_in.url}/2/users/me"
    # Query parameters are part of the signature base string.
    fields = {"user.fields": "created_at,description"}
    good = requests.get(url, params=fields, auth=auth(), timeout=5)
    assert good.status_code == 200
    assert good.json()["data"]["username"] == "clarion_sandbox"
    assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= set(
        good.headers
    )
    bad = requests.get(url, auth=auth("wrong"), timeout=5)
    assert bad.status_code == 401
    assert bad.json() == {
        "title": "Unauthorized",
        "type": "about:blank",
        "status": 401,
        "detail": "Unauthorized",
    }
    assert requests.get(url, timeout=5).status_code == 401
    # So are form-encoded body parameters: a signed form reaches the endpoint (400,
    # no media), a tampered one does not.
    form = requests.Request(
        "POST", f"{stand_in.url}/2/media/upload", data={"media_category": "tweet_image"}
    ).prepare()
    auth()(form)
    with requests.Session() as session:
        assert session.send(form, timeout=5).status_code == 400
        form.body = "media_category=tweet_video"  # same length, other value
        assert session.send(form, timeout=5).status_code == 401
        # The same signed request twice: the nonce is spent.
        again = requests.Request("GET", url).prepare()
        auth()(again)
        assert session.send(again, timeout=5).status_code == 200
        assert session.send(again, timeout=5).status_code == 401


def test_signature_base_string_matches_rfc_5849() -> None:
    # The worked example of RFC 5849 section 3.4.1.1.
    params = [
        ("b5", "=%3D"),
        ("a3", "a"),
        ("c@", ""),
        ("a2", "r b"),
        ("oauth_consumer_key", "9djdj82h48djs9d2"),
        ("oauth_token", "kkk9d7dh3k39sjv7"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131201"),
        ("oauth_nonce", "7d8f3e4a"),
        ("c2", ""),
        ("a3", "2 q"),
    ]
    base = signature_base_string("post", "http://example.com/request", params)
    assert base == (
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q"
        "%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_"
        "key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m"
        "ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk"
        "9d7dh3k39sjv7"
    )
    # Twitter's own documented example ("Creating a signature").
    twitter = signature_base_string(
        "POST",
        "https://api.twitter.com/1.1/statuses/update.json",
        [
            ("include_entities", "true"),
            ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
            ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1318622958"),
            ("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
            ("oauth_version", "1.0"),
            ("status", "Hello Ladies + Gentlemen, a signed OAuth request!"),
        ],
    )
    signature = hmac_sha1_signature(
        twitter,
        "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    )
    assert signature == "hCtSmYh+iHYCEqBWrE7C7hYmtUk="


def test_describe_tells_what_x_received(
    adapter: XAdapter, stand_in: XStandIn, tmp_path: Path
) -> None:
    outgoing = post(
        "Line one\nline two https://example.org",
        "the reply",
        images=(image(tmp_path, "a.png", "A tiny square", png()),),
    )
    receipts = publish(adapter, outgoing, [])
    text = stand_in.describe()
    assert "X: received 2 post(s) from @clarion_sandbox" in text
    assert "| Line one\n      | line two https://example.org" in text
    assert f"(reply to {receipts[0].id})" in text
    assert "image image/png 2x2, " in text
    assert 'alt: "A tiny square"' in text
    assert "41/280 weighted characters" in text
    assert SANDBOX_API_KEY not in text
    assert SANDBOX_ACCESS_TOKEN not in text
