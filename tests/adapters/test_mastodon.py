"""The Mastodon adapter through Mastodon.py over real HTTP against the Mastodon stand-in."""

from __future__ import annotations

import datetime as dt
import functools
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from clarion.adapters import mastodon
from clarion.adapters.base import (
    AuthError,
    Image,
    LinkCard,
    NotSent,
    OutcomeUnknown,
    Outgoing,
    OutgoingPart,
    Receipt,
)
from clarion.sandbox.mastodon import DEFAULT_LIMITS, SANDBOX_TOKEN, TOKEN_ENV, MastodonStandIn
from clarion.sandbox.server import Fault
from clarion.settings import MastodonAccount, Settings
from tests import images
from tests.adapters import drive
from tests.adapters.side_by_side import meet
from tests.timeouts import GENEROUS, GIVE_UP

STATUSES = "/api/v1/statuses"
png = functools.partial(images.png, rgb=(200, 30, 30))


# -- helpers -------------------------------------------------------------------------------------
def gif_image(folder: Path, name: str, alt: str) -> Image:
    """A valid 1x1 GIF89a of two frames: Mastodon transcodes an animated GIF to a gifv
    after the upload answers (a still one stays an image)."""
    frame = b"!\xf9\x04\x04\x0a\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00"
    path = folder / name
    path.write_bytes(
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00" + frame * 2 + b";"
    )
    return Image(path=path, alt=alt, mime="image/gif", width=1, height=1)


def image(folder: Path, name: str, alt: str, size: tuple[int, int] = (8, 4)) -> Image:
    path = folder / name
    path.write_bytes(png(*size))
    return Image(path=path, alt=alt, mime="image/png", width=size[0], height=size[1])


def outgoing(
    *texts: str,
    key: str = "posts/2026/cfp.md",
    images: tuple[Image, ...] = (),
    link: LinkCard | None = None,
    lang: str | None = "en",
    spoiler: str | None = None,
    visibility: str | None = None,
) -> Outgoing:
    parts = tuple(
        OutgoingPart(
            index=i,
            text=text,
            images=images if i == 0 else (),
            link=link if i == 0 else None,
        )
        for i, text in enumerate(texts)
    )
    return Outgoing(
        key=key,
        network="mastodon",
        parts=parts,
        lang=lang,
        spoiler=spoiler,
        visibility=visibility,
    )


def publish(
    adapter: mastodon.MastodonAdapter, post: Outgoing, *, attempts: int = 4
) -> list[Receipt]:
    return drive.send_all(adapter, post, attempts)


def from_file(receipt: Receipt) -> Receipt:
    """The receipt as the orchestrator reads it back from the post file."""
    return Receipt(at=receipt.at, id=receipt.id, url=receipt.url)


def posts_sent(server: MastodonStandIn) -> list[str | None]:
    """The Idempotency-Key of every POST /api/v1/statuses that reached the server."""
    return [
        r.header("Idempotency-Key") or None
        for r in server.requests
        if r.method == "POST" and r.path == STATUSES
    ]


@pytest.fixture(scope="module")
def running() -> Iterator[MastodonStandIn]:
    # One server for the module: stopping one waits out serve_forever's 0.5 s poll.
    with MastodonStandIn() as stand_in:
        yield stand_in


@pytest.fixture
def server(running: MastodonStandIn) -> MastodonStandIn:
    running.reset()
    running.max_characters = 500
    running.media_processing_polls = 2  # a GIF: 202, then 206 twice, then 200
    running.limits = dict(DEFAULT_LIMITS)
    running.token = SANDBOX_TOKEN
    return running


def make_adapter(server: MastodonStandIn, **options: object) -> mastodon.MastodonAdapter:
    account, env = server.sandbox_settings()
    settings = Settings(root=Path(), account_tables={"mastodon": account})
    defaults: dict[str, object] = {
        "timeout": GENEROUS,
        "retry_delay": 0.01,
        "media_poll_interval": 0.01,
    }
    adapter = mastodon.from_settings(settings, env, **{**defaults, **options})
    adapter.connect()
    return adapter


@pytest.fixture
def adapter(server: MastodonStandIn) -> Iterator[mastodon.MastodonAdapter]:
    adapter = make_adapter(server)
    yield adapter
    adapter.close()


# -- posting -------------------------------------------------------------------------------------
def test_single_post(server: MastodonStandIn, adapter: mastodon.MastodonAdapter) -> None:
    post = outgoing("The PyCon US 2027 call for proposals is open! 🐍\nhttps://us.pycon.org/2027/")

    [receipt] = publish(adapter, post)

    [status] = server.received()
    assert status["text"] == post.parts[0].text
    assert status["visibility"] == "public"
    assert status["language"] == "en"
    assert status["spoiler_text"] == ""
    assert status["in_reply_to_id"] is None
    assert receipt.id == status["id"]
    assert receipt.url == f"{server.url}/@clarion_example/{status['id']}"
    assert receipt.at.tzinfo == dt.UTC
    assert abs((dt.datetime.now(dt.UTC) - receipt.at).total_seconds()) < 5
    assert posts_sent(server) == [mastodon.idempotency_key(post, post.parts[0], None)]


def test_thread_replies_to_the_previous_part(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    post = outgoing("One", "Two", "Three", spoiler="Long thread", visibility="unlisted", lang="de")

    receipts = publish(adapter, post)

    statuses = server.received()
    assert [s["text"] for s in statuses] == ["One", "Two", "Three"]
    assert [s["id"] for s in statuses] == [r.id for r in receipts]
    assert [s["in_reply_to_id"] for s in statuses] == [None, receipts[0].id, receipts[1].id]
    assert {(s["visibility"], s["spoiler_text"], s["language"]) for s in statuses} == {
        ("unlisted", "Long thread", "de")
    }
    # Each part has its own key; a reply's key names its parent.
    assert len(set(posts_sent(server))) == 3


def test_thread_parent_read_back_from_the_file(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    post = outgoing("One", "Two")
    first = adapter.send_part(post, post.parts[0], root=None, parent=None)

    second = adapter.send_part(post, post.parts[1], root=from_file(first), parent=from_file(first))

    assert server.received()[1]["in_reply_to_id"] == first.id
    assert second.id != first.id


def test_spoiler_visibility_and_language(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    post = outgoing(
        "Spoilers for the keynote", spoiler="Keynote spoilers", visibility="private", lang="pt-BR"
    )

    publish(adapter, post)

    [status] = server.received()
    assert status["spoiler_text"] == "Keynote spoilers"
    assert status["sensitive"] is True  # Mastodon marks a status with a spoiler sensitive
    assert status["visibility"] == "private"
    assert status["language"] == "pt-BR"
    body = next(r for r in server.requests if r.method == "POST" and r.path == STATUSES)
    assert b"language=pt-BR" in body.body
    assert b"visibility=private" in body.body


def test_images_with_alt_text_wait_until_processed(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter, tmp_path: Path
) -> None:
    images = (
        gif_image(tmp_path, "banner.gif", "PyCon US 2027 banner, animated"),
        image(tmp_path, "skyline.png", "The Long Beach skyline at dusk", (4, 4)),
    )
    post = outgoing("Two pictures", images=images)

    publish(adapter, post)

    [status] = server.received()
    assert [m["description"] for m in status["media"]] == [i.alt for i in images]
    assert [(m["width"], m["height"]) for m in status["media"]] == [(1, 1), (4, 4)]
    assert [server.media_bytes(m["id"]) for m in status["media"]] == [i.read() for i in images]
    # The GIF's upload answered 202 and the PNG's 200 before any wait; then the GIF's GET
    # answered 206 twice and 200 once, and only then was the status posted.
    calls = [
        (r.method, r.path.rsplit("/", 1)[0])
        for r in server.requests
        if "/media" in r.path or r.path == STATUSES
    ]
    assert calls == [
        ("POST", "/api/v2"),
        ("POST", "/api/v2"),
        *[("GET", "/api/v1/media")] * 3,
        ("POST", "/api/v1"),
    ]


def test_images_go_up_side_by_side_with_the_look_back(
    server: MastodonStandIn,
    adapter: mastodon.MastodonAdapter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    images = (image(tmp_path, "a.png", "A"), image(tmp_path, "b.png", "B"))
    post = outgoing("Two pictures", images=images)
    # The look-back through the account's statuses and both uploads, in flight at once.
    meeting = meet(
        server, monkeypatch, {("GET", "/api/v1/accounts/"): 1, ("POST", "/api/v2/media"): 2}
    )

    [receipt] = publish(adapter, post, attempts=1)

    assert meeting.met
    [status] = server.received()
    assert receipt.id == status["id"]
    assert [m["description"] for m in status["media"]] == ["A", "B"]


def test_a_part_found_by_the_look_back_wins_over_a_failed_upload(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter, tmp_path: Path
) -> None:
    post = outgoing("A picture", images=(image(tmp_path, "a.png", "A"),))
    [sent] = publish(adapter, post)
    server.inject(Fault("status", "POST", "/api/v2/media", status=422, body=b'{"error":"no"}'))

    [again] = publish(make_adapter(server), post, attempts=1)  # a rerun that lost the receipt

    assert again.id == sent.id
    assert len(server.received()) == 1


def test_media_still_processing_is_bounded(server: MastodonStandIn, tmp_path: Path) -> None:
    server.media_processing_polls = 10_000
    adapter = make_adapter(server, media_timeout=0.2)
    post = outgoing("Slow picture", images=(gif_image(tmp_path, "a.gif", "A red dot"),))

    with pytest.raises(NotSent, match="still processing") as caught:
        adapter.send_part(post, post.parts[0], root=None, parent=None)

    assert caught.value.retryable
    assert server.received() == []


def test_link_card_is_left_to_mastodon(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    card = LinkCard(url="https://us.pycon.org/2027/", title="PyCon US 2027")
    post = outgoing("CFP open https://us.pycon.org/2027/", link=card)

    publish(adapter, post)

    [status] = server.received()
    assert status["text"] == "CFP open https://us.pycon.org/2027/"  # Mastodon unfurls the URL
    assert "link card: Mastodon fetches it" in server.describe()


def test_describe_shows_what_a_person_checks(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter, tmp_path: Path
) -> None:
    post = outgoing(
        "Hello #python https://example.org/",
        "Second part",
        images=(image(tmp_path, "a.png", "A red square"),),
        spoiler="CW",
    )
    receipts = publish(adapter, post)

    text = server.describe()

    assert "2 status(es) received" in text
    assert "content warning: CW" in text
    assert "| Hello #python https://example.org/" in text
    assert "text (39/500)" in text  # the URL counts 23, the spoiler counts
    assert "alt: A red square" in text
    assert f"in reply to {receipts[0].id}" in text
    assert receipts[1].url is not None
    assert receipts[1].url in text


# -- refusals ------------------------------------------------------------------------------------
def test_too_long_is_refused_with_mastodons_message(server: MastodonStandIn) -> None:
    server.max_characters = 30
    # An instance that does not say its limits: the adapter cannot stop the part before
    # sending it (tests/adapters/test_mastodon_instance.py), and Mastodon refuses it.
    server.inject(Fault("status", "GET", "/api/v2/instance", status=404, body=b"{}"))
    adapter = make_adapter(server)
    post = outgoing("x" * 25, spoiler="123456")

    with pytest.raises(NotSent) as caught:
        adapter.send_part(post, post.parts[0], root=None, parent=None)

    assert not caught.value.retryable
    assert "Text character limit of 30 exceeded" in caught.value.message
    assert server.received() == []


def test_bad_token_is_an_auth_error(server: MastodonStandIn) -> None:
    account, _ = server.sandbox_settings()
    settings = Settings(root=Path(), account_tables={"mastodon": account})
    adapter = mastodon.from_settings(settings, {TOKEN_ENV: "not-the-token"}, timeout=GENEROUS)

    with pytest.raises(AuthError) as caught:
        adapter.connect()

    assert "The access token is invalid" in caught.value.message
    assert TOKEN_ENV in caught.value.message
    assert "not-the-token" not in caught.value.message


def test_token_revoked_after_connect_is_an_auth_error(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    server.token = "rotated"
    post = outgoing("Hello")

    with pytest.raises(AuthError):
        adapter.send_part(post, post.parts[0], root=None, parent=None)

    assert server.received() == []


def test_missing_token_names_the_variable() -> None:
    settings = Settings(
        root=Path(), account_tables={"mastodon": MastodonAccount(instance="https://example.org")}
    )

    with pytest.raises(AuthError, match=TOKEN_ENV):
        mastodon.from_settings(settings, {})
    with pytest.raises(AuthError, match=r"accounts\.mastodon"):
        mastodon.from_settings(Settings(root=Path()), {TOKEN_ENV: "x"})


def test_forbidden_is_an_auth_error(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    server.inject(
        Fault(
            "status", "POST", STATUSES, status=403, body=b'{"error":"This action is not allowed"}'
        )
    )
    post = outgoing("Hello")

    with pytest.raises(AuthError, match="write:statuses"):
        adapter.send_part(post, post.parts[0], root=None, parent=None)


def test_media_refused_is_not_retryable(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter, tmp_path: Path
) -> None:
    path = tmp_path / "fake.png"
    path.write_bytes(b"GIF89a" + b"\x00" * 20)  # a GIF named and typed as PNG
    post = outgoing("Picture", images=(Image(path, "alt", "image/png", 1, 1),))

    with pytest.raises(NotSent, match="content type is invalid") as caught:
        adapter.send_part(post, post.parts[0], root=None, parent=None)

    assert not caught.value.retryable
    assert server.received() == []


# -- faults --------------------------------------------------------------------------------------
def test_server_error_on_second_part_then_retry(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    post = outgoing("One", "Two", "Three")
    first = adapter.send_part(post, post.parts[0], root=None, parent=None)
    server.inject(Fault("status", "POST", STATUSES, status=500, body=b'{"error":"We\'re sorry"}'))

    with pytest.raises(NotSent) as caught:
        adapter.send_part(post, post.parts[1], root=first, parent=first)
    assert caught.value.retryable

    second = adapter.send_part(post, post.parts[1], root=first, parent=first)
    third = adapter.send_part(post, post.parts[2], root=first, parent=second)

    statuses = server.live()
    assert [s["text"] for s in statuses] == ["One", "Two", "Three"]
    assert [s["in_reply_to_id"] for s in statuses] == [None, first.id, second.id]
    assert third.id == statuses[2]["id"]


def test_rate_limit_gives_retry_after_from_the_reset_header(server: MastodonStandIn) -> None:
    server.limits["statuses"] = (1, 10_800.0)
    adapter = make_adapter(server)
    post = outgoing("One", "Two")
    first = adapter.send_part(post, post.parts[0], root=None, parent=None)

    with pytest.raises(NotSent) as caught:
        adapter.send_part(post, post.parts[1], root=first, parent=first)

    answer = server.requests[-1]
    assert caught.value.retryable
    window_end = (time.time() // 10_800 + 1) * 10_800
    assert caught.value.retry_after is not None
    assert abs(caught.value.retry_after - (window_end - time.time())) < 2.5
    assert (answer.method, answer.path) == ("POST", STATUSES)
    assert len(server.received()) == 1


def test_injected_429_with_reset_header(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    reset = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=42)
    server.inject(
        Fault(
            "status",
            "POST",
            STATUSES,
            status=429,
            body=b'{"error":"Too many requests"}',
            headers={
                "Content-Type": "application/json",
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            },
        )
    )
    post = outgoing("Hello")

    with pytest.raises(NotSent) as caught:
        adapter.send_part(post, post.parts[0], root=None, parent=None)

    assert caught.value.retryable
    assert caught.value.retry_after is not None
    assert 40 <= caught.value.retry_after <= 43
    assert publish(adapter, post)[0].id == server.received()[0]["id"]


@pytest.mark.parametrize("kind", ["hang", "lose"])
def test_lost_answer_is_found_among_the_account_statuses_not_sent_again(
    server: MastodonStandIn, kind: str
) -> None:
    fault = Fault(kind, "POST", STATUSES)  # "hang": held, never answered, until released
    server.inject(fault)
    post = outgoing("Announcing the sprint schedule")
    adapter = make_adapter(server, timeout=GIVE_UP)

    receipt = adapter.send_part(post, post.parts[0], root=None, parent=None)
    fault.hold.release()
    adapter.close()

    [status] = server.received()  # exactly one on the server
    assert receipt.id == status["id"]
    key = mastodon.idempotency_key(post, post.parts[0], None)
    assert posts_sent(server) == [key]
    assert server.requests[-1].path.endswith(f"/statuses/{status['id']}/source")


def test_connection_reset_is_sent_again_by_the_next_attempt_with_the_same_key(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    server.inject(Fault("reset", "POST", STATUSES))
    post = outgoing("Hello after a reset")

    with pytest.raises(NotSent) as caught:  # one try per call: retrying is the orchestrator's
        adapter.send_part(post, post.parts[0], root=None, parent=None)
    assert caught.value.retryable
    assert "sending again is safe" in caught.value.message
    [receipt] = publish(adapter, post)

    [status] = server.received()
    assert receipt.id == status["id"]
    key = mastodon.idempotency_key(post, post.parts[0], None)
    assert posts_sent(server) == [key, key]


def test_one_part_has_one_budget_the_orchestrators(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    for _ in range(12):  # every send is cut off: formerly 4 attempts x 3 sends
        server.inject(Fault("reset", "POST", STATUSES))
    post = outgoing("Into the void")

    with pytest.raises(NotSent) as caught:
        publish(adapter, post, attempts=4)

    assert caught.value.retryable
    assert len(posts_sent(server)) == 4  # one send per attempt
    assert server.received() == []
    server.faults.clear()


def test_a_lost_answer_to_a_reply_is_found_among_the_account_statuses(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    post = outgoing("One", "Two")
    first = adapter.send_part(post, post.parts[0], root=None, parent=None)
    server.inject(Fault("lose", "POST", STATUSES))

    second = adapter.send_part(post, post.parts[1], root=first, parent=first)

    statuses = server.received()
    assert [s["text"] for s in statuses] == ["One", "Two"]
    assert second.id == statuses[1]["id"]
    assert server.requests[-1].path.endswith(f"/statuses/{second.id}/source")


def test_nothing_found_after_resets_is_safe_to_send_again(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    for _ in range(3):
        server.inject(Fault("reset", "POST", STATUSES))
    post = outgoing("Hello")

    with pytest.raises(NotSent) as caught:
        adapter.send_part(post, post.parts[0], root=None, parent=None)
    assert caught.value.retryable
    assert server.received() == []

    [receipt] = publish(adapter, post)
    assert [s["id"] for s in server.received()] == [receipt.id]


def test_outcome_unknown_only_when_the_account_cannot_be_read(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    accounts = "/api/v1/accounts/"
    server.inject(Fault("lose", "POST", STATUSES))  # made, answer lost
    # The look-back before sending goes through; then the account cannot be read:
    # after the send, and before each next attempt.
    server.inject(Fault("reset", "GET", accounts, skip=1))
    for _ in range(2):
        server.inject(Fault("reset", "GET", accounts))
    post = outgoing("Hello")

    with pytest.raises(OutcomeUnknown) as caught:
        publish(adapter, post, attempts=4)

    assert f"{server.url}/@clarion_example" in caught.value.message
    assert len(server.received()) == 1  # it did go out: a person must record it
    assert not server.faults


def test_unreachable_server_is_not_sent() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    account = MastodonAccount(instance=f"http://127.0.0.1:{port}")
    adapter = mastodon.MastodonAdapter(account, "token", timeout=GENEROUS, retry_delay=0.01)

    with pytest.raises(NotSent) as caught:
        adapter.connect()

    assert caught.value.retryable
    assert "could not reach" in caught.value.message


def test_lost_upload_answer_is_uploaded_again(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter, tmp_path: Path
) -> None:
    server.inject(Fault("lose", "POST", "/api/v2/media"))
    post = outgoing("Picture", images=(image(tmp_path, "a.png", "A red square"),))

    publish(adapter, post)

    [status] = server.received()
    assert [m["description"] for m in status["media"]] == ["A red square"]
    assert len(server.media) == 2  # the first upload stays unattached, invisible


# -- lost receipts across runs -------------------------------------------------------------------
def test_crashed_run_within_the_hour_gets_the_same_status(server: MastodonStandIn) -> None:
    post = outgoing("One", "Two")
    crashed = make_adapter(server)
    lost = publish(crashed, post)  # the job dies before writing these receipts

    again = publish(make_adapter(server, lookback_pages=0), post)  # the key alone

    assert [r.id for r in again] == [r.id for r in lost]
    assert len(server.received()) == 2


def test_crashed_run_after_the_hour_is_found_by_lookback(server: MastodonStandIn) -> None:
    post = outgoing("One", "Two")
    lost = publish(make_adapter(server), post)
    server.age_idempotency_keys(3_700)  # Mastodon has forgotten the keys

    again = publish(make_adapter(server), post)

    assert [r.id for r in again] == [r.id for r in lost]
    assert len(server.received()) == 2


def test_key_expiry_without_lookback_would_double_post(server: MastodonStandIn) -> None:
    """Why the lookback exists: Mastodon alone forgets the key after an hour."""
    post = outgoing("One")
    publish(make_adapter(server), post)
    server.age_idempotency_keys(3_700)

    publish(make_adapter(server, lookback_pages=0), post)

    assert len(server.received()) == 2


def test_same_words_in_another_post_are_not_adopted(server: MastodonStandIn) -> None:
    adapter = make_adapter(server)
    first = publish(adapter, outgoing("Reminder: sprints start today", key="posts/a.md"))
    second = publish(adapter, outgoing("Reminder: sprints start today", key="posts/b.md"))
    assert first[0].id != second[0].id

    # A later run, days after an identical post: outside the window, not this part.
    old = server.statuses[str(first[0].id)]
    old.created_at -= 3 * 86_400
    server.statuses[str(second[0].id)].created_at -= 3 * 86_400
    third = publish(
        make_adapter(server), outgoing("Reminder: sprints start today", key="posts/c.md")
    )

    assert third[0].id not in (first[0].id, second[0].id)
    assert len(server.received()) == 3


def test_lookback_matches_text_not_just_markup(server: MastodonStandIn) -> None:
    publish(make_adapter(server), outgoing("Hello   world", key="posts/a.md"))
    server.age_idempotency_keys(3_700)

    # Same HTML after whitespace is squashed, different source text: not adopted.
    publish(make_adapter(server), outgoing("Hello world", key="posts/a.md"))

    assert [s["text"] for s in server.received()] == ["Hello   world", "Hello world"]


def test_resend_after_deletion_gets_a_new_status(server: MastodonStandIn) -> None:
    adapter = make_adapter(server)
    post = outgoing("Oops, wrong date")
    [first] = publish(adapter, post)
    adapter.delete(from_file(first))

    [again] = publish(make_adapter(server), post)  # same key within the hour: Mastodon says 404

    assert again.id != first.id
    assert [s["deleted"] for s in server.received()] == [True, False]


def test_reply_to_a_deleted_parent_is_refused(server: MastodonStandIn) -> None:
    adapter = make_adapter(server)
    post = outgoing("One", "Two")
    first = adapter.send_part(post, post.parts[0], root=None, parent=None)
    adapter.delete(first)

    with pytest.raises(NotSent, match="no longer exists") as caught:
        adapter.send_part(post, post.parts[1], root=first, parent=first)

    assert not caught.value.retryable


# -- corrections ---------------------------------------------------------------------------------
def test_edit_replaces_text_spoiler_language_and_alt(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter, tmp_path: Path
) -> None:
    pic = image(tmp_path, "a.png", "A red square")
    post = outgoing("CFP closes on Friday", images=(pic,), lang="en")
    [receipt] = publish(adapter, post)
    fixed_image = Image(pic.path, "A red square on white", pic.mime, pic.width, pic.height)
    fixed = outgoing("CFP closes on Sunday", images=(fixed_image,), lang="nl", spoiler="Correction")

    edited = adapter.edit(from_file(receipt), fixed, fixed.parts[0])

    [status] = server.received()
    assert edited.id == receipt.id
    assert status["text"] == "CFP closes on Sunday"
    assert status["spoiler_text"] == "Correction"
    assert status["language"] == "nl"
    assert [m["description"] for m in status["media"]] == ["A red square on white"]
    assert status["edited"] is True


def test_edit_without_images_keeps_the_attachments(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter, tmp_path: Path
) -> None:
    pics = (image(tmp_path, "a.png", "First"), image(tmp_path, "b.png", "Second"))
    [receipt] = publish(adapter, outgoing("Two pictures", images=pics))
    fixed = outgoing("Two pictures, text fixed", images=pics[:1])

    adapter.edit(receipt, fixed, fixed.parts[0])

    [status] = server.received()
    assert status["text"] == "Two pictures, text fixed"
    assert [m["description"] for m in status["media"]] == ["First", "Second"]


def test_delete_and_delete_again(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter
) -> None:
    [receipt] = publish(adapter, outgoing("Retract me"))

    adapter.delete(receipt)
    adapter.delete(receipt)  # already gone: nothing to do

    assert server.live() == []
    assert [r.method for r in server.requests].count("DELETE") == 2


def test_retracting_deletes_the_media_at_once(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter, tmp_path: Path
) -> None:
    post = outgoing("With a picture", images=(image(tmp_path, "a.png", "A red square"),))
    [receipt] = publish(adapter, post)
    [media_id] = [m["id"] for m in server.received()[0]["media"]]

    adapter.delete(receipt)

    # DELETE /api/v1/statuses/:id with delete_media: Mastodon would otherwise keep the
    # images a day for a redraft, and a retracted image should not be left reachable.
    [delete] = [r for r in server.requests if r.method == "DELETE"]
    assert delete.path == f"{STATUSES}/{receipt.id}"
    assert server.statuses[str(receipt.id)].delete_media is True
    assert server.media[media_id].deleted
    answer = requests.get(
        f"{server.url}/api/v1/media/{media_id}",
        headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"},
        timeout=GENEROUS,
    )
    assert answer.status_code == 404


def test_without_delete_media_mastodon_keeps_the_media_for_a_redraft(
    server: MastodonStandIn, tmp_path: Path
) -> None:
    headers = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
    media = requests.post(
        f"{server.url}/api/v2/media",
        files={"file": ("a.png", png(2, 2), "image/png")},
        headers=headers,
        timeout=GENEROUS,
    ).json()
    status = requests.post(
        f"{server.url}{STATUSES}",
        data={"status": "x", "media_ids[]": [media["id"]]},
        headers=headers,
        timeout=GENEROUS,
    ).json()

    requests.delete(f"{server.url}{STATUSES}/{status['id']}", headers=headers, timeout=GENEROUS)
    redraft = requests.post(
        f"{server.url}{STATUSES}",
        data={"status": "x again", "media_ids[]": [media["id"]]},
        headers=headers,
        timeout=GENEROUS,
    ).json()

    assert server.statuses[status["id"]].delete_media is False
    assert [m["id"] for m in redraft["media_attachments"]] == [media["id"]]


def test_describe_shows_a_gifv_and_media_deleted_with_their_status(
    server: MastodonStandIn, adapter: mastodon.MastodonAdapter, tmp_path: Path
) -> None:
    post = outgoing("A moving picture", images=(gif_image(tmp_path, "dance.gif", "A dance"),))
    [receipt] = publish(adapter, post)
    adapter.delete(receipt)

    text = server.describe()

    assert "[public, lang en, DELETED with its media]" in text
    assert "image dance.gif (image/gif, 1x1, " in text
    assert "an animated GIF, shown as a video (gifv)" in text
    # The instance's limits, as a client reads them from /api/v2/instance.
    assert "images under 16,777,216 bytes, alt text up to 1500 characters" in text


# -- the stand-in's faithfulness -----------------------------------------------------------------
def test_idempotency_like_mastodon(server: MastodonStandIn) -> None:
    def post(text: str, key: str) -> requests.Response:
        return requests.post(
            f"{server.url}{STATUSES}",
            data={"status": text},
            headers={"Authorization": f"Bearer {SANDBOX_TOKEN}", "Idempotency-Key": key},
            timeout=2,
        )

    first = post("Hello", "k1").json()
    replay = post("Different text, same key", "k1").json()
    other = post("Hello", "k2").json()
    server.age_idempotency_keys(3_601)
    expired = post("Hello", "k1").json()

    assert replay["id"] == first["id"]
    assert replay["content"] == "<p>Hello</p>"
    assert other["id"] != first["id"]
    assert expired["id"] not in (first["id"], other["id"])
    assert len(server.received()) == 3


def test_answers_carry_rate_limit_headers_and_error_bodies(server: MastodonStandIn) -> None:
    instance = requests.get(f"{server.url}/api/v2/instance", timeout=2)
    refused = requests.post(
        f"{server.url}{STATUSES}",
        data={"status": "x"},
        headers={"Authorization": "Bearer wrong"},
        timeout=2,
    )
    missing = requests.get(
        f"{server.url}{STATUSES}/1",
        headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"},
        timeout=2,
    )

    config = instance.json()["configuration"]
    assert config["statuses"]["max_characters"] == 500
    assert config["statuses"]["characters_reserved_per_url"] == 23
    assert config["media_attachments"]["description_limit"] == 1500
    for answer in (instance, refused, missing):
        assert answer.headers["X-RateLimit-Limit"] == "300"
        assert int(answer.headers["X-RateLimit-Remaining"]) <= 300
        assert dt.datetime.fromisoformat(answer.headers["X-RateLimit-Reset"]) > dt.datetime.now(
            dt.UTC
        )
    assert refused.status_code == 401
    assert refused.json() == {"error": "The access token is invalid"}
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert missing.status_code == 404
    assert missing.json() == {"error": "Not Found"}


def test_media_limits(server: MastodonStandIn, tmp_path: Path) -> None:
    headers = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
    not_png = requests.post(
        f"{server.url}/api/v2/media",
        files={"file": ("a.png", b"GIF89a....", "image/png")},
        headers=headers,
        timeout=2,
    )
    long_alt = requests.post(
        f"{server.url}/api/v2/media",
        files={"file": ("a.png", png(2, 2), "image/png")},
        data={"description": "x" * 1501},
        headers=headers,
        timeout=2,
    )
    still = requests.post(
        f"{server.url}/api/v2/media",
        files={"file": ("a.png", png(2, 2), "image/png")},
        headers=headers,
        timeout=2,
    )
    animated = gif_image(tmp_path, "a.gif", "").read()
    gifs = [
        requests.post(
            f"{server.url}/api/v2/media",
            files={"file": ("a.gif", animated, "image/gif")},
            headers=headers,
            timeout=2,
        )
        for _ in range(4)
    ]
    ids = [answer.json()["id"] for answer in gifs] + [still.json()["id"]]
    unprocessed = requests.post(
        f"{server.url}{STATUSES}",
        data={"status": "x", "media_ids[]": ids[:1]},
        headers=headers,
        timeout=2,
    )
    too_many = requests.post(
        f"{server.url}{STATUSES}",
        data={"status": "x", "media_ids[]": ids},
        headers=headers,
        timeout=2,
    )

    # Mastodon processes a still image during the upload; a GIF becomes a gifv later.
    assert still.status_code == 200
    assert still.json()["url"] is not None
    assert [answer.status_code for answer in gifs] == [202] * 4
    assert all(answer.json()["url"] is None for answer in gifs)
    assert not_png.status_code == 422
    assert long_alt.status_code == 422
    assert "Description is too long" in long_alt.json()["error"]
    assert unprocessed.status_code == 422
    assert "not finished processing" in unprocessed.json()["error"]
    assert too_many.status_code == 422
    assert too_many.json() == {"error": "Cannot attach more than 4 files"}
    assert server.received() == []


def test_account_statuses_paginate_with_link_headers(server: MastodonStandIn) -> None:
    adapter = make_adapter(server)
    for n in range(5):
        publish(adapter, outgoing(f"Post {n}", key=f"posts/{n}.md"))
    api = adapter._api
    assert api is not None

    first = api.account_statuses(server.account_id, limit=2)
    second = api.fetch_next(first)

    assert [s["content"] for s in first] == ["<p>Post 4</p>", "<p>Post 3</p>"]
    assert second is not None
    assert [s["content"] for s in second] == ["<p>Post 2</p>", "<p>Post 1</p>"]


def test_sandbox_settings_round_trip(server: MastodonStandIn) -> None:
    account, env = server.sandbox_settings()

    assert account.instance == server.url
    assert account.max_characters == 500
    assert env == {TOKEN_ENV: SANDBOX_TOKEN}
