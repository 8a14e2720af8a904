"""The Discourse adapter over real HTTP against the Discourse stand-in, and the
stand-in refusing what a forum refuses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from clarion.adapters.base import AuthError, Image, NotSent, Outgoing, OutgoingPart, Receipt
from clarion.adapters.discourse import (
    ENV_VAR,
    DiscourseAdapter,
    external_id,
    from_settings,
    image_line,
)
from clarion.adapters.http import tls
from clarion.networks import DiscourseAccount
from clarion.sandbox.discourse import EXTERNAL_ID_TAKEN, TITLE_USED, DiscourseStandIn
from clarion.sandbox.server import Fault
from clarion.settings import Settings
from tests.adapters.drive import send_all
from tests.images import png
from tests.timeouts import GENEROUS, GIVE_UP

TITLE = "Clarion joins the forum at last"
TEXT = "Part one of the announcement, with a link https://example.org/news\n\nPart two."


# -- helpers ----------------------------------------------------------------------
def image(tmp_path: Path, name: str, alt: str, data: bytes | None = None) -> Image:
    path = tmp_path / name
    path.write_bytes(png() if data is None else data)
    return Image(path=path, alt=alt, mime="image/png", width=2, height=2)


def post(
    text: str = TEXT,
    title: str | None = TITLE,
    images: tuple[Image, ...] = (),
    key: str = "posts/2026/forum.md",
) -> Outgoing:
    return Outgoing(
        key=key,
        network="discourse",
        parts=(OutgoingPart(index=0, text=text, images=images),),
        title=title,
    )


def send(adapter: DiscourseAdapter, outgoing: Outgoing) -> Receipt:
    return adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)


def make(forum: DiscourseStandIn, timeout: float = GENEROUS, **changes: object) -> DiscourseAdapter:
    account, env = forum.sandbox_settings()
    fields = {**account.__dict__, **changes}
    return DiscourseAdapter(
        DiscourseAccount(**fields),  # type: ignore[arg-type]
        env[ENV_VAR],
        timeout=timeout,
        sleep=lambda _s: None,
    )


def creates(forum: DiscourseStandIn) -> int:
    return sum(1 for r in forum.requests if (r.method, r.path) == ("POST", "/posts.json"))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def running() -> Iterator[DiscourseStandIn]:
    with DiscourseStandIn() as forum:
        assert isinstance(forum, DiscourseStandIn)
        yield forum


@pytest.fixture
def forum(running: DiscourseStandIn) -> Iterator[DiscourseStandIn]:
    running.reset()
    yield running
    assert not running.faults, "a fault never fired"


@pytest.fixture
def adapter(forum: DiscourseStandIn) -> Iterator[DiscourseAdapter]:
    made = make(forum)
    made.connect()
    yield made
    made.close()


# -- publishing ---------------------------------------------------------------------
def test_a_post_becomes_one_topic_with_its_title_category_and_external_id(
    adapter: DiscourseAdapter, forum: DiscourseStandIn
) -> None:
    receipt = send(adapter, post())
    [topic] = forum.received()
    assert topic["title"] == TITLE
    assert topic["raw"] == TEXT
    assert topic["category"] == forum.category
    assert topic["external_id"] == external_id("posts/2026/forum.md")
    assert receipt.id == str(topic["id"])
    assert receipt.url == forum.topic_url(topic)
    assert receipt.url.startswith(forum.url + "/t/clarion-joins-the-forum-at-last/")
    # The receipt's address is the topic's page, on the stand-in itself.
    page = httpx.get(receipt.url, timeout=GENEROUS, verify=tls())
    assert page.status_code == 200 and TITLE in page.text
    sent = next(r for r in forum.requests if r.path == "/posts.json")
    assert sent.header("Api-Key") == forum.api_key
    assert sent.header("Api-Username") == forum.username


def test_the_external_id_is_stable_short_and_of_the_forums_alphabet() -> None:
    one = external_id("posts/2026/forum.md")
    assert one == external_id("posts/2026/forum.md")
    assert one != external_id("posts/2026/other.md")
    assert len(one) <= 50 and re.fullmatch(r"[\w-]+", one, re.ASCII)


def test_images_are_uploaded_and_placed_by_their_short_url(
    adapter: DiscourseAdapter, forum: DiscourseStandIn, tmp_path: Path
) -> None:
    first = image(tmp_path, "dot.png", "A green dot [small] | round")
    second = image(tmp_path, "big.png", "A larger dot", png(3, 2))
    send(adapter, post(images=(first, second)))
    [topic] = forum.received()
    lines = topic["raw"].split("\n")
    assert topic["raw"].startswith(TEXT + "\n\n")
    assert lines[-2] == image_line(
        "A green dot [small] | round", 2, 2, topic["images"][0].short_url
    )
    assert lines[-2].startswith("![A green dot \\[small\\] / round|2x2](upload://")
    assert lines[-1].startswith("![A larger dot|3x2](upload://")
    assert [i.width for i in topic["images"]] == [2, 3]
    uploads = [r for r in forum.requests if r.path == "/uploads.json"]
    assert [u.form_data()["type"].text() for u in uploads] == ["composer", "composer"]  # type: ignore[index]


def test_a_lost_answer_is_recovered_by_its_external_id_not_posted_again(
    adapter: DiscourseAdapter, forum: DiscourseStandIn
) -> None:
    forum.inject(Fault("lose", "POST", "/posts.json"))  # made, then no answer
    receipt = send(adapter, post())
    [topic] = forum.received()
    assert receipt.id == str(topic["id"]) and receipt.url == forum.topic_url(topic)
    assert creates(forum) == 1


def test_an_answer_that_never_comes_is_settled_by_asking(forum: DiscourseStandIn) -> None:
    adapter = make(forum, timeout=GIVE_UP)
    adapter.connect()
    hang = Fault("hang", "POST", "/posts.json")  # made, never answered until released
    forum.inject(hang)
    try:
        receipt = send(adapter, post())
        assert hang.hold.arrived == 1  # still held: the client's own timeout ended the call
    finally:
        hang.hold.release()
        adapter.close()
    [topic] = forum.received()
    assert receipt.id == str(topic["id"])


@pytest.mark.parametrize(
    "fault",
    [
        Fault("reset", "POST", "/posts.json"),
        Fault("status", "POST", "/posts.json", status=502, body=b"Bad Gateway"),
        Fault(
            "status",
            "POST",
            "/posts.json",
            status=500,
            body=b'{"errors":["Internal Server Error"]}',
            headers={"Content-Type": "application/json"},
        ),
    ],
    ids=["reset", "bad-gateway", "server-error"],
)
def test_a_create_that_failed_is_asked_about_then_sent_again_once(
    adapter: DiscourseAdapter, forum: DiscourseStandIn, fault: Fault
) -> None:
    forum.inject(fault)
    with pytest.raises(NotSent) as caught:
        send(adapter, post())
    assert caught.value.retryable
    assert forum.received() == []
    [receipt] = send_all(adapter, post(), attempts=2)
    [topic] = forum.received()
    assert receipt.id == str(topic["id"])


def test_the_next_run_finds_the_topic_a_killed_run_made(forum: DiscourseStandIn) -> None:
    first = make(forum)
    first.connect()
    made = send(first, post())  # the run is killed before writing this receipt
    first.close()
    again = make(forum)
    again.connect()
    found = send(again, post())
    again.close()
    assert (found.id, found.url) == (made.id, made.url)
    assert creates(forum) == 1 and len(forum.received()) == 1


def test_a_deleted_topic_holding_the_external_id_is_named(
    adapter: DiscourseAdapter, forum: DiscourseStandIn
) -> None:
    receipt = send(adapter, post())
    adapter.delete(receipt)
    with pytest.raises(NotSent) as caught:
        send(adapter, post())
    assert not caught.value.retryable
    assert EXTERNAL_ID_TAKEN in caught.value.message
    assert "deleted topic" in caught.value.message


# -- the forum's limits and refusals ------------------------------------------------------
def test_the_forums_rate_limit_says_when_to_come_back() -> None:
    clock = Clock()
    with DiscourseStandIn(rate_limit=4, clock=clock) as forum:
        assert isinstance(forum, DiscourseStandIn)
        adapter = make(forum)
        adapter.connect()  # two requests: settings and categories
        clock.now += 15
        # One look-up and the create fit; the third post's look-up does not.
        send(adapter, post())
        with pytest.raises(NotSent) as caught:
            send(adapter, post(key="posts/2026/second.md"))
        assert caught.value.retryable
        assert caught.value.retry_after == 45.0
        limited = forum.requests[-1]
        assert limited.path.startswith("/t/external_id/")
        clock.now += 45
        send(adapter, post(key="posts/2026/second.md", title="A second topic for the forum"))
        adapter.close()
        assert len(forum.received()) == 2


def test_a_429_from_the_forum_is_retryable_after_retry_after(
    adapter: DiscourseAdapter, forum: DiscourseStandIn
) -> None:
    forum.inject(
        Fault(
            "status",
            "POST",
            "/posts.json",
            status=429,
            body=b'{"errors":["slow down"],"error_type":"rate_limit","extras":{"wait_seconds":7}}',
            headers={"Content-Type": "application/json", "Retry-After": "7"},
        )
    )
    with pytest.raises(NotSent) as caught:
        send(adapter, post())
    assert caught.value.retryable and caught.value.retry_after == 7.0
    assert forum.received() == []


@pytest.mark.parametrize(
    ("changes", "wanted"),
    [
        ({"api_key": "not-the-key"}, ENV_VAR),
        ({"username": "someone_else"}, "username"),
    ],
)
def test_a_refused_key_or_user_is_an_auth_error_at_connect(
    forum: DiscourseStandIn, changes: dict[str, str], wanted: str
) -> None:
    account, env = forum.sandbox_settings()
    if "username" in changes:
        account = DiscourseAccount(**{**account.__dict__, "username": changes["username"]})
    adapter = DiscourseAdapter(account, changes.get("api_key", env[ENV_VAR]), timeout=GENEROUS)
    with pytest.raises(AuthError) as caught:
        adapter.connect()
    adapter.close()
    assert wanted in caught.value.message
    assert "The API username or key is invalid" in caught.value.message
    assert "not-the-key" not in caught.value.message


def test_a_category_the_forum_lacks_is_named_at_connect(forum: DiscourseStandIn) -> None:
    adapter = make(forum, category=99)
    with pytest.raises(AuthError, match="no category 99"):
        adapter.connect()
    adapter.close()


def test_the_forums_own_limits_refuse_a_post_before_anything_is_sent(
    forum: DiscourseStandIn, tmp_path: Path
) -> None:
    forum.site_settings["max_post_length"] = 60
    forum.site_settings["min_topic_title_length"] = 40
    adapter = make(forum)
    adapter.connect()
    try:
        with pytest.raises(NotSent) as too_short_a_title:
            send(adapter, post(images=(image(tmp_path, "dot.png", "A dot"),)))
        long_title = "A title long enough for this particular forum's rules"
        with pytest.raises(NotSent) as too_long:
            send(adapter, post(text="x " * 40, title=long_title))
    finally:
        adapter.close()
    assert "min_topic_title_length" in too_short_a_title.value.message
    assert not too_short_a_title.value.retryable
    # 79: the forum drops the trailing space before counting.
    assert "body is 79 characters" in too_long.value.message
    assert "at most 60 (its max_post_length)" in too_long.value.message
    assert creates(forum) == 0
    assert not [r for r in forum.requests if r.path == "/uploads.json"]


def test_a_forum_without_its_settings_page_keeps_the_accounts_figures(
    forum: DiscourseStandIn,
) -> None:
    forum.inject(Fault("status", "GET", "/site/settings.json", status=404, body=b"{}"))
    adapter = make(forum, max_post_length=50)
    adapter.connect()
    assert adapter.limits.max_post_length == 50
    adapter.close()


def test_a_title_already_used_is_refused_for_good(
    adapter: DiscourseAdapter, forum: DiscourseStandIn
) -> None:
    send(adapter, post())
    with pytest.raises(NotSent) as caught:
        send(adapter, post(key="posts/2026/copy.md", title=TITLE.upper()))
    assert not caught.value.retryable
    assert TITLE_USED in caught.value.message and "change `title:`" in caught.value.message


def test_from_settings_needs_the_key(forum: DiscourseStandIn, tmp_path: Path) -> None:
    account, env = forum.sandbox_settings()
    settings = Settings(root=tmp_path, account_tables={"discourse": account})
    with pytest.raises(AuthError, match=ENV_VAR):
        from_settings(settings, {})
    assert isinstance(from_settings(settings, env, timeout=5.0), DiscourseAdapter)


# -- corrections and retractions -------------------------------------------------------
def test_edit_corrects_the_body_and_title_in_place_once(
    adapter: DiscourseAdapter, forum: DiscourseStandIn, tmp_path: Path
) -> None:
    dot = image(tmp_path, "dot.png", "A green dot")
    original = post(images=(dot,))
    receipt = send(adapter, original)
    assert not adapter.needs_edit(receipt, original, original.parts[0])
    fixed_dot = Image(dot.path, "A green dot, corrected", dot.mime, dot.width, dot.height)
    corrected = post(
        text="Part one, corrected.\n\nPart two.", title=TITLE + " again", images=(fixed_dot,)
    )
    assert adapter.needs_edit(receipt, corrected, corrected.parts[0])
    adapter.edit(receipt, corrected, corrected.parts[0])
    [topic] = forum.received()
    assert topic["title"] == TITLE + " again"
    assert topic["raw"].startswith(
        "Part one, corrected.\n\nPart two.\n\n![A green dot, corrected|2x2]"
    )
    assert topic["version"] == 2
    assert not adapter.needs_edit(receipt, corrected, corrected.parts[0])
    assert len([r for r in forum.requests if r.path == "/uploads.json"]) == 1  # not again


def test_delete_removes_the_topic_and_a_second_delete_is_a_success(
    adapter: DiscourseAdapter, forum: DiscourseStandIn
) -> None:
    receipt = send(adapter, post())
    adapter.delete(receipt)
    assert forum.live() == []
    adapter.delete(receipt)  # the forum answers 422; the topic is gone: deleted
    assert httpx.get(receipt.url or "", timeout=GENEROUS, verify=tls()).status_code == 404


# -- the stand-in refuses what a forum refuses ---------------------------------------------
def _create(forum: DiscourseStandIn, **fields: object) -> httpx.Response:
    payload = {"title": TITLE, "raw": TEXT, "category": forum.category, **fields}
    headers = {"Api-Key": forum.api_key, "Api-Username": forum.username}
    return httpx.post(
        f"{forum.url}/posts.json", json=payload, headers=headers, timeout=GENEROUS, verify=tls()
    )


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"title": "Too short"}, "Title is too short (minimum is 15 characters)"),
        ({"title": "A" + "b" * 255}, "Title is too long (maximum is 255 characters)"),
        ({"title": "Wow!!!!!!!!!!!!!!!!!"}, "Title is too short (minimum is 15 characters)"),
        ({"title": "aaaa bbbb aaaa bbbb"}, "Title seems unclear, is it a complete sentence?"),
        ({"raw": "Too short a body"}, "Body is too short (minimum is 20 characters)"),
        ({"raw": "x" * 32001}, "Body is limited to 32000 characters; you entered 32001."),
        ({"category": 1}, "Category can't be blank"),
        ({"category": 12345}, "Category can't be blank"),
        ({"external_id": "x" * 51}, "External is too long (maximum is 50 characters)"),
        ({"external_id": "has space"}, "External is invalid"),
    ],
)
def test_the_stand_in_refuses_a_topic_as_the_forum_does(
    forum: DiscourseStandIn, fields: dict[str, object], error: str
) -> None:
    answer = _create(forum, **fields)
    assert answer.status_code == 422
    assert error in answer.json()["errors"]
    assert forum.received() == []


def test_the_stand_in_keeps_external_ids_unique_and_redirects_to_them(
    forum: DiscourseStandIn,
) -> None:
    assert _create(forum, external_id="clarion-one").status_code == 200
    again = _create(forum, title="Another title for the forum", external_id="CLARION-ONE")
    assert again.status_code == 422 and EXTERNAL_ID_TAKEN in again.json()["errors"]
    headers = {"Api-Key": forum.api_key, "Api-Username": forum.username}
    found = httpx.get(f"{forum.url}/t/external_id/clarion-one.json", headers=headers, verify=tls())
    assert found.status_code == 301
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/t/[\w-]+/\d+\.json", found.headers["Location"])


def test_the_stand_in_refuses_anonymous_writes_and_answers_429_with_retry_after() -> None:
    clock = Clock()
    with DiscourseStandIn(rate_limit=1, clock=clock) as forum:
        assert isinstance(forum, DiscourseStandIn)
        anonymous = httpx.post(f"{forum.url}/posts.json", json={}, timeout=GENEROUS, verify=tls())
        assert anonymous.status_code == 403
        assert anonymous.json()["error_type"] == "not_logged_in"
        headers = {"Api-Key": forum.api_key, "Api-Username": forum.username}
        assert httpx.get(f"{forum.url}/site.json", headers=headers, verify=tls()).status_code == 200
        clock.now += 20
        limited = httpx.get(f"{forum.url}/site.json", headers=headers, verify=tls())
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "40"
        assert limited.headers["Discourse-Rate-Limit-Error-Code"] == "admin_api_key_rate_limit"
        assert limited.json()["extras"]["wait_seconds"] == 40


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("notes.txt", b"hello", "is not authorized"),
        ("big.png", png() + b"\0" * (4096 * 1024), "is too large (maximum size is 4 MB)"),
    ],
)
def test_the_stand_in_refuses_uploads_as_the_forum_does(
    forum: DiscourseStandIn, name: str, data: bytes, error: str
) -> None:
    headers = {"Api-Key": forum.api_key, "Api-Username": forum.username}
    answer = httpx.post(
        f"{forum.url}/uploads.json",
        data={"type": "composer", "synchronous": "true"},
        files={"file": (name, data, "application/octet-stream")},
        headers=headers,
        timeout=GENEROUS,
        verify=tls(),
    )
    assert answer.status_code == 422
    assert error in answer.json()["errors"][0]
