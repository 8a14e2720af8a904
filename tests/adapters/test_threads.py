"""The Threads adapter over httpx, over real HTTP, against the Threads stand-in: the
two-step publishing, images by URL, the quotas, and no part ever posted twice."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from clarion.adapters.base import (
    AuthError,
    Image,
    NotSent,
    OutcomeUnknown,
    Outgoing,
    OutgoingPart,
    Receipt,
)
from clarion.adapters.threads import ThreadsAdapter, from_settings, published_commit
from clarion.adapters.threads_session import expiry_notice
from clarion.media.public import image_url
from clarion.networks import ThreadsAccount
from clarion.sandbox.server import Fault
from clarion.sandbox.threads import (
    LINK_LIMIT_EXCEEDED,
    SANDBOX_TOKEN,
    TOKEN_ENV,
    ThreadsStandIn,
)
from clarion.settings import Settings
from tests.adapters.drive import send_all
from tests.adapters.test_x import png
from tests.timeouts import GENEROUS, GIVE_UP

JSON = {"Content-Type": "application/json"}
SERVER_ERROR = b'{"error":{"message":"An unknown error occurred","type":"OAuthException","code":1,"is_transient":true}}'


# -- helpers ----------------------------------------------------------------------
def image(root: Path, name: str, alt: str, data: bytes | None = None) -> Image:
    path = root / "media" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if data is not None else png(3, 2))
    return Image(path=path, alt=alt, mime="image/png", width=3, height=2)


def post(*texts: str, images: tuple[Image, ...] = (), key: str = "posts/test.md") -> Outgoing:
    parts = tuple(
        OutgoingPart(index=i, text=text, images=images if i == 0 else ())
        for i, text in enumerate(texts)
    )
    return Outgoing(key=key, network="threads", parts=parts)


def paths(stand_in: ThreadsStandIn, method: str = "POST") -> list[str]:
    return [r.path for r in stand_in.requests if r.method == method]


# -- fixtures ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def running_stand_in() -> Iterator[ThreadsStandIn]:
    with ThreadsStandIn() as server:
        yield server


@pytest.fixture
def stand_in(running_stand_in: ThreadsStandIn, tmp_path: Path) -> ThreadsStandIn:
    running_stand_in.reset()
    running_stand_in.root = tmp_path
    return running_stand_in


@pytest.fixture
def slept() -> list[float]:
    """The waits the adapter asked for (between status reads), none of them taken."""
    return []


_OPEN: list[ThreadsAdapter] = []


@pytest.fixture(autouse=True)
def _close_adapters() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def make(
    stand_in: ThreadsStandIn,
    root: Path,
    slept: list[float],
    *,
    timeout: float = GENEROUS,
    token: str = SANDBOX_TOKEN,
    **account: str,
) -> ThreadsAdapter:
    """A connected adapter, closed after the test."""
    base = stand_in.sandbox_settings()[0]
    fields = {
        "user_id": base.user_id,
        "api": base.api,
        "media_base_url": base.media_base_url,
        "handle": "",
        **account,
    }
    adapter = ThreadsAdapter(
        ThreadsAccount(**fields), token, root=root, timeout=timeout, sleep=slept.append
    )
    _OPEN.append(adapter)
    adapter.connect()
    return adapter


@pytest.fixture
def adapter(stand_in: ThreadsStandIn, tmp_path: Path, slept: list[float]) -> ThreadsAdapter:
    return make(stand_in, tmp_path, slept)


# -- publishing -------------------------------------------------------------------
def test_a_thread_with_an_image_is_published_part_by_part(
    adapter: ThreadsAdapter, stand_in: ThreadsStandIn, tmp_path: Path, slept: list[float]
) -> None:
    banner = image(tmp_path, "banner.png", "A green banner")
    outgoing = post("Part one 👍 https://example.org", "Part two", "Part three", images=(banner,))
    receipts = send_all(adapter, outgoing)
    got = stand_in.received()
    assert [p["text"] for p in got] == [p.text for p in outgoing.parts]
    assert [p["reply_to"] for p in got] == [None, got[0]["id"], got[1]["id"]]
    assert [p["media_type"] for p in got] == ["IMAGE", "TEXT_POST", "TEXT_POST"]
    [shown] = got[0]["images"]
    # Threads fetched the image itself, from the repository's file the sandbox serves.
    assert shown["url"] == f"{stand_in.url}/files/media/banner.png"
    assert (shown["alt_text"], shown["mime"], shown["width"]) == ("A green banner", "image/png", 3)
    assert [r.id for r in receipts] == [p["id"] for p in got]
    assert [r.url for r in receipts] == [p["permalink"] for p in got]
    assert all(
        r.url and r.url.startswith(stand_in.url + "/@clarion.sandbox/post/") for r in receipts
    )
    # The image's container was read until FINISHED, once IN_PROGRESS; then published.
    assert slept == [0.25]
    creates = paths(stand_in).count(f"/v1.0/{stand_in.user_id}/threads")
    publishes = paths(stand_in).count(f"/v1.0/{stand_in.user_id}/threads_publish")
    assert (creates, publishes) == (3, 3)
    # The first part was looked for among the account's posts; the replies to parts
    # this run made were not.
    assert paths(stand_in, "GET").count(f"/v1.0/{stand_in.user_id}/threads") == 1


def test_several_images_go_as_a_carousel_with_their_alt_texts(
    adapter: ThreadsAdapter, stand_in: ThreadsStandIn, tmp_path: Path
) -> None:
    images = (image(tmp_path, "a.png", "First"), image(tmp_path, "b c.png", "Second"))
    [receipt] = send_all(adapter, post("Two pictures", images=images))
    [got] = stand_in.received()
    assert got["media_type"] == "CAROUSEL_ALBUM"
    assert [i["alt_text"] for i in got["images"]] == ["First", "Second"]
    assert got["images"][1]["url"].endswith("/files/media/b%20c.png")
    assert receipt.id == got["id"]


def test_an_image_threads_cannot_fetch_stops_the_part_and_says_where_it_looked(
    stand_in: ThreadsStandIn, tmp_path: Path, slept: list[float]
) -> None:
    missing = image(tmp_path, "gone.png", "Gone")
    adapter = make(stand_in, tmp_path, slept, media_base_url=f"{stand_in.url}/files/nowhere")
    with pytest.raises(NotSent) as caught:
        send_all(adapter, post("With a picture", images=(missing,)))
    assert not caught.value.retryable
    assert "ERROR UNKNOWN" in caught.value.message
    assert f"{stand_in.url}/files/nowhere/media/gone.png" in caught.value.message
    assert "media_base_url" in caught.value.message
    assert stand_in.received() == []
    assert "ERROR: fetching the image_url answered 404" in stand_in.describe()


def test_a_container_still_processing_is_read_again_then_given_up(
    stand_in: ThreadsStandIn, tmp_path: Path, slept: list[float]
) -> None:
    stand_in.processing_polls = 50
    adapter = ThreadsAdapter(
        stand_in.sandbox_settings()[0],
        SANDBOX_TOKEN,
        root=tmp_path,
        timeout=GENEROUS,
        sleep=slept.append,
        poll_limit=10.0,
    )
    _OPEN.append(adapter)
    adapter.connect()
    with pytest.raises(NotSent, match="still IN_PROGRESS") as caught:
        send_all(adapter, post("pic", images=(image(tmp_path, "a.png", "A"),)))
    assert caught.value.retryable
    assert slept == [0.25, 0.5, 1.0, 2.0, 4.0]  # doubling, at most `poll_limit` in all
    assert stand_in.received() == []


def test_the_default_image_address_is_the_repositorys_raw_file_at_the_commit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "posts" / "media" / "a b.png"
    assert (
        image_url(path, tmp_path, repository="psf/announcements", commit="abc123")
        == "https://raw.githubusercontent.com/psf/announcements/abc123/posts/media/a%20b.png"
    )
    assert (
        image_url(path, tmp_path, base="https://cdn.example.org/repo/", commit="x")
        == "https://cdn.example.org/repo/posts/media/a%20b.png"
    )
    with pytest.raises(ValueError, match="set media_base_url"):
        image_url(path, tmp_path)


def test_the_published_commit_is_the_upstreams_tip(tmp_path: Path) -> None:
    def git(*args: str, cwd: Path = tmp_path) -> str:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            check=True,
            capture_output=True,
            text=True,
            env={
                "GIT_AUTHOR_NAME": "A",
                "GIT_AUTHOR_EMAIL": "a@e.org",
                "GIT_COMMITTER_NAME": "A",
                "GIT_COMMITTER_EMAIL": "a@e.org",
                "HOME": str(tmp_path),
            },
        ).stdout.strip()

    assert published_commit(tmp_path) == ""
    git("init", "-q", "-b", "main", "remote", cwd=tmp_path)
    remote = tmp_path / "remote"
    git("commit", "-q", "--allow-empty", "-m", "one", cwd=remote)
    git("clone", "-q", str(remote), "work")
    work = tmp_path / "work"
    pushed = git("rev-parse", "HEAD", cwd=work)
    git("commit", "-q", "--allow-empty", "-m", "a local receipt commit", cwd=work)
    # GitHub serves what was pushed, not the run's own unpushed receipt commits.
    assert published_commit(work) == pushed
    settings = Settings(root=work, account_tables={"threads": ThreadsAccount(user_id="1")})
    env = {TOKEN_ENV: "t", "GITHUB_REPOSITORY": "psf/announcements"}
    assert from_settings(settings, env).commit == pushed
    assert from_settings(settings, env, commit="given").commit == "given"


def test_a_part_over_five_links_is_refused_when_its_container_is_made(
    adapter: ThreadsAdapter, stand_in: ThreadsStandIn
) -> None:
    text = "a.org b.org c.org d.org e.org https://f.org/x"
    with pytest.raises(NotSent, match=LINK_LIMIT_EXCEEDED) as caught:
        send_all(adapter, post(text))
    assert not caught.value.retryable
    assert stand_in.received() == []


def test_a_reply_to_a_post_deleted_since_is_refused(
    adapter: ThreadsAdapter, stand_in: ThreadsStandIn
) -> None:
    outgoing = post("one", "two")
    first = adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    adapter.delete(first)
    with pytest.raises(NotSent) as caught:
        adapter.send_part(outgoing, outgoing.parts[1], root=first, parent=first)
    assert not caught.value.retryable
    assert len(stand_in.live()) == 0


# -- the token and the quotas -------------------------------------------------------
def test_connect_says_how_many_days_the_token_has_left(adapter: ThreadsAdapter) -> None:
    assert adapter.notices == [adapter.notices[0]]
    assert adapter.notices[0].startswith("access token expires in 60 days (on ")
    assert adapter.username == "clarion.sandbox"


def test_expiry_wording() -> None:
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert expiry_notice(now + dt.timedelta(days=1), now).startswith(
        "access token expires in 1 day "
    )
    soon = expiry_notice(now + dt.timedelta(days=9, hours=2), now)
    assert soon.startswith("access token expires in 10 days (on 2026-12-10); refresh it")
    assert expiry_notice(now + dt.timedelta(hours=5), now).startswith(
        "access token expires in 5 hours"
    )
    assert expiry_notice(now - dt.timedelta(days=1), now) == "access token expired on 2026-11-30"


def test_a_token_debug_token_will_not_read_is_said_not_refused(
    stand_in: ThreadsStandIn, tmp_path: Path, slept: list[float]
) -> None:
    stand_in.tester = False
    adapter = make(stand_in, tmp_path, slept)
    [notice] = adapter.notices
    assert notice.startswith("the access token's expiry could not be read")
    assert "60 days" in notice
    send_all(adapter, post("still publishes"))
    assert len(stand_in.received()) == 1


def test_a_refused_token_is_an_auth_error_naming_the_variable(
    stand_in: ThreadsStandIn, tmp_path: Path, slept: list[float]
) -> None:
    with pytest.raises(AuthError) as caught:
        make(stand_in, tmp_path, slept, token="not-the-token")
    assert TOKEN_ENV in caught.value.message
    assert "not-the-token" not in caught.value.message
    assert paths(stand_in) == []


def test_a_token_of_another_account_is_refused(
    stand_in: ThreadsStandIn, tmp_path: Path, slept: list[float]
) -> None:
    with pytest.raises(AuthError, match=f"set user_id to {stand_in.user_id}"):
        make(stand_in, tmp_path, slept, user_id="999")


def test_a_token_without_the_publish_permission_is_refused_at_connect(
    stand_in: ThreadsStandIn, tmp_path: Path, slept: list[float]
) -> None:
    stand_in.scopes = ("threads_basic",)
    with pytest.raises(AuthError, match="threads_content_publish"):
        make(stand_in, tmp_path, slept)


def test_a_token_without_delete_is_said_at_connect_and_refused_when_retracting(
    stand_in: ThreadsStandIn, tmp_path: Path, slept: list[float]
) -> None:
    stand_in.scopes = tuple(s for s in stand_in.scopes if s != "threads_delete")
    adapter = make(stand_in, tmp_path, slept)
    assert any("lacks threads_delete" in n for n in adapter.notices)
    [receipt] = send_all(adapter, post("posted"))
    with pytest.raises(AuthError, match="threads_delete"):
        adapter.delete(receipt)


def test_a_spent_publishing_quota_is_refused_before_anything_is_sent(
    stand_in: ThreadsStandIn, tmp_path: Path, slept: list[float]
) -> None:
    stand_in.posts_quota.fill(250)
    adapter = make(stand_in, tmp_path, slept)
    assert any("published 250 posts in the last 24 hours" in n for n in adapter.notices)
    with pytest.raises(NotSent, match="250 posts in the last 24 hours") as caught:
        send_all(adapter, post("one more"))
    assert not caught.value.retryable
    assert paths(stand_in) == []  # not even a container


def test_the_quota_counts_the_posts_this_run_makes(
    stand_in: ThreadsStandIn, tmp_path: Path, slept: list[float]
) -> None:
    stand_in.posts_quota.fill(249)
    adapter = make(stand_in, tmp_path, slept)
    send_all(adapter, post("the last one today", "a reply still fits"))
    with pytest.raises(NotSent, match="250 posts"):
        send_all(adapter, post("one too many", key="posts/other.md"))
    assert len(stand_in.received()) == 2


def test_too_many_calls_is_retryable_with_the_wait_threads_gives(
    adapter: ThreadsAdapter, stand_in: ThreadsStandIn
) -> None:
    stand_in.inject(
        Fault(
            "status",
            "POST",
            f"/v1.0/{stand_in.user_id}/threads",
            status=429,
            body=b'{"error":{"message":"(#4) Application request limit reached","code":4,"is_transient":true}}',
            headers={**JSON, "Retry-After": "7"},
        )
    )
    outgoing = post("limited")
    with pytest.raises(NotSent) as caught:
        adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    assert (caught.value.retryable, caught.value.retry_after) == (True, 7.0)
    assert stand_in.received() == []


def test_the_stand_in_answers_429_when_the_call_budget_is_spent(
    adapter: ThreadsAdapter, stand_in: ThreadsStandIn
) -> None:
    stand_in.calls.total = stand_in.calls.usage()
    outgoing = post("limited")
    with pytest.raises(NotSent, match="too many calls") as caught:
        adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    assert caught.value.retryable and caught.value.retry_after
    stand_in.calls.total = 48000


# -- never twice ----------------------------------------------------------------------
def publish_path(stand_in: ThreadsStandIn) -> str:
    return f"/v1.0/{stand_in.user_id}/threads_publish"


def test_a_server_error_on_publishing_part_2_is_retried_with_the_same_container(
    adapter: ThreadsAdapter, stand_in: ThreadsStandIn
) -> None:
    stand_in.inject(
        Fault(
            "status",
            "POST",
            publish_path(stand_in),
            status=500,
            body=SERVER_ERROR,
            headers=JSON,
            skip=1,
        )
    )
    receipts = send_all(adapter, post("one", "two", "three"), attempts=2)
    assert len(stand_in.received()) == 3
    assert len({r.id for r in receipts}) == 3
    # Part 2's container was asked about, found FINISHED (not published), and
    # published again: three containers, four publish calls, three posts.
    assert paths(stand_in).count(f"/v1.0/{stand_in.user_id}/threads") == 3
    assert paths(stand_in).count(publish_path(stand_in)) == 4


@pytest.mark.parametrize("kind", ["reset", "lose"])
def test_a_publish_that_went_unanswered_is_settled_by_its_container(
    adapter: ThreadsAdapter, stand_in: ThreadsStandIn, kind: str
) -> None:
    stand_in.inject(Fault(kind, "POST", publish_path(stand_in), skip=1))
    receipts = send_all(adapter, post("one", "two", "three"), attempts=2)
    got = stand_in.received()
    assert [p["text"] for p in got] == ["one", "two", "three"]
    assert [r.id for r in receipts] == [p["id"] for p in got]


def test_an_answer_lost_after_publishing_finds_the_post_and_sends_nothing_twice(
    stand_in: ThreadsStandIn, tmp_path: Path, slept: list[float]
) -> None:
    adapter = make(stand_in, tmp_path, slept, timeout=GIVE_UP)
    hold = Fault("hang", "POST", publish_path(stand_in), skip=1)
    stand_in.inject(hold)
    outgoing = post("one", "two", "three")
    first = adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    # Part 2 is published, then its answer never comes: the client gives up.
    second = adapter.send_part(outgoing, outgoing.parts[1], root=first, parent=first)
    hold.hold.release()
    got = stand_in.received()
    assert [p["text"] for p in got] == ["one", "two"]
    assert second.id == got[1]["id"] and second.url == got[1]["permalink"]
    adapter.send_part(outgoing, outgoing.parts[2], root=first, parent=second)
    assert len(stand_in.received()) == 3
    assert paths(stand_in).count(publish_path(stand_in)) == 3


def test_a_run_killed_before_its_receipts_finds_its_parts_next_time(
    adapter: ThreadsAdapter, stand_in: ThreadsStandIn, tmp_path: Path, slept: list[float]
) -> None:
    outgoing = post("one", "two", "three", images=(image(tmp_path, "a.png", "A"),))
    first = adapter.send_part(outgoing, outgoing.parts[0], root=None, parent=None)
    second = adapter.send_part(outgoing, outgoing.parts[1], root=first, parent=first)
    adapter.close()
    # A new run, which has only the first receipt (the second was never written).
    again = make(stand_in, tmp_path, slept)
    kept = Receipt(at=first.at, id=first.id, url=first.url)
    found = again.send_part(outgoing, outgoing.parts[1], root=kept, parent=kept)
    assert (found.id, found.url) == (second.id, second.url)
    third = again.send_part(outgoing, outgoing.parts[2], root=kept, parent=found)
    assert [p["id"] for p in stand_in.received()] == [first.id, second.id, third.id]
    # And a first part whose receipt was lost is found among the account's posts.
    newest = make(stand_in, tmp_path, slept)
    assert newest.send_part(outgoing, outgoing.parts[0], root=None, parent=None).id == first.id
    assert len(stand_in.received()) == 3


def test_a_part_whose_fate_cannot_be_read_goes_to_a_person(
    stand_in: ThreadsStandIn, tmp_path: Path, slept: list[float]
) -> None:
    adapter = make(stand_in, tmp_path, slept, timeout=GIVE_UP)
    adapter.retries = 0
    stand_in.inject(Fault("hang", "POST", publish_path(stand_in)))
    # Every status read of the container after the one before publishing fails.
    for skip in (1, 0, 0):
        stand_in.inject(
            Fault(
                "status", "GET", "/v1.0/179", status=500, body=SERVER_ERROR, headers=JSON, skip=skip
            )
        )
    outgoing = post("one")
    part = outgoing.parts[0]
    with pytest.raises(NotSent) as first:
        adapter.send_part(outgoing, part, root=None, parent=None)
    assert first.value.retryable
    with pytest.raises(NotSent):
        adapter.send_part(outgoing, part, root=None, parent=None)
    with pytest.raises(OutcomeUnknown, match="record its id and url"):
        adapter.send_part(outgoing, part, root=None, parent=None)
    stand_in.release_holds()
    assert paths(stand_in).count(publish_path(stand_in)) == 1  # never sent again


# -- retracting ----------------------------------------------------------------------
def test_delete_removes_a_post_and_a_post_already_gone_counts_as_deleted(
    adapter: ThreadsAdapter, stand_in: ThreadsStandIn
) -> None:
    [receipt] = send_all(adapter, post("to be retracted"))
    adapter.delete(receipt)
    adapter.delete(receipt)
    assert stand_in.live() == []
    assert [p["deleted"] for p in stand_in.received()] == [True]


def test_the_sandbox_stand_in_takes_the_repositorys_own_account(tmp_path: Path) -> None:
    account = ThreadsAccount(user_id="4242", handle="@psf.org_news")
    made = ThreadsStandIn.for_sandbox(account, root=tmp_path)
    assert (made.user_id, made.username, made.root) == ("4242", "psf.org_news", tmp_path)
    default = ThreadsStandIn.for_sandbox(ThreadsAccount(user_id="me!", handle="not a name"))
    assert (default.user_id, default.username) == ("17841400000000001", "clarion.sandbox")


def test_describe_says_what_went_out(adapter: ThreadsAdapter, stand_in: ThreadsStandIn) -> None:
    send_all(adapter, post("Hello 👋 https://example.org", "Bye"))
    shown = stand_in.describe()
    assert "@clarion.sandbox, 2 post(s)" in shown
    assert "| Hello 👋 https://example.org" in shown
    assert "30/500 characters, 1 link(s)" in shown
    assert "link preview: Threads builds it from https://example.org" in shown
    assert json.dumps(stand_in.received()[0]["permalink"])[1:-1] in shown
