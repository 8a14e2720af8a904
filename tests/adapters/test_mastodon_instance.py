"""The Mastodon adapter reads the instance's own limits at connect and refuses a post
that exceeds them before sending any of its parts (over real HTTP, against the stand-in).

The check counts against `max_characters` in the settings; an instance may take less.
Mastodon would refuse the part over its limit only once the parts before it were out,
leaving half a thread: so the adapter asks GET /api/v2/instance first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clarion.adapters import mastodon
from clarion.adapters.base import NotSent, Outgoing
from clarion.sandbox.mastodon import (
    DESCRIPTION_LIMIT,
    IMAGE_SIZE_LIMIT,
    MastodonStandIn,
)
from clarion.sandbox.server import Fault
from clarion.settings import MastodonAccount, Settings
from tests.adapters import drive, test_mastodon
from tests.adapters.test_mastodon import STATUSES, image, outgoing, png
from tests.timeouts import GENEROUS

running = test_mastodon.running  # one stand-in for the module


@pytest.fixture
def server(running: MastodonStandIn) -> MastodonStandIn:
    running.reset()
    running.max_characters = 500
    running.image_size_limit = IMAGE_SIZE_LIMIT
    running.description_limit = DESCRIPTION_LIMIT
    running.media_processing_polls = 0
    return running


def connected(server: MastodonStandIn, max_characters: int = 1000) -> mastodon.MastodonAdapter:
    """An adapter whose settings allow `max_characters`, whatever the instance says."""
    _, env = server.sandbox_settings()
    account = MastodonAccount(instance=server.url, max_characters=max_characters)
    settings = Settings(root=Path(), account_tables={"mastodon": account})
    adapter = mastodon.from_settings(settings, env, timeout=GENEROUS, retry_delay=0.01)
    adapter.connect()
    return adapter


def host(server: MastodonStandIn) -> str:
    return server.url.removeprefix("http://")


def refused(adapter: mastodon.MastodonAdapter, post: Outgoing) -> NotSent:
    with pytest.raises(NotSent) as caught:
        adapter.send_part(post, post.parts[0], root=None, parent=None)
    assert not caught.value.retryable
    return caught.value


def nothing_went_out(server: MastodonStandIn) -> bool:
    """No status and no upload: the post was refused before any of its requests."""
    return not [r for r in server.requests if r.method == "POST"]


def test_connect_reads_the_instance(server: MastodonStandIn) -> None:
    connected(server)

    assert ("GET", "/api/v2/instance/") in [(r.method, r.path) for r in server.requests]


def test_a_part_over_the_instances_limit_stops_the_post_before_its_first_part(
    server: MastodonStandIn,
) -> None:
    adapter = connected(server, max_characters=1000)  # the settings allow more
    post = outgoing("Part one is short.", "x" * 612, "Part three.")

    error = refused(adapter, post)

    assert error.message == (
        f"nothing of this post was sent: part 2 is 612/500 characters on {host(server)} "
        "(the instance's limit); set max_characters = 500 in "
        "[tool.clarion.accounts.mastodon] so the check catches it"
    )
    assert nothing_went_out(server)


def test_the_content_warning_counts(server: MastodonStandIn) -> None:
    adapter = connected(server)

    error = refused(adapter, outgoing("y" * 490, spoiler="x" * 17))

    assert "part 1 is 507/500 characters" in error.message
    assert drive.send_all(adapter, outgoing("y" * 483, spoiler="x" * 17), 1)[0].id


def test_urls_count_23_as_mastodon_counts_them(server: MastodonStandIn) -> None:
    adapter = connected(server)
    url = "https://example.org/" + "a" * 600
    post = outgoing(f"{'z' * 477} {url}")  # 477 + 1 + 23 = 501

    assert "part 1 is 501/500 characters" in refused(adapter, post).message
    assert drive.send_all(adapter, outgoing(f"{'z' * 476} {url}"), 1)[0].id


def test_an_image_over_the_instances_size_limit(server: MastodonStandIn, tmp_path: Path) -> None:
    server.image_size_limit = 1_000
    adapter = connected(server)
    picture = image(tmp_path, "big.png", "A red square")
    picture.path.write_bytes(png(8, 4) + bytes(1_000 - len(png(8, 4))))

    error = refused(adapter, outgoing("A picture", images=(picture,)))

    assert error.message == (
        f"nothing of this post was sent: big.png (part 1) is 1,000 bytes; {host(server)} "
        "takes images under 1,000 bytes (the instance's limit): resize or recompress it"
    )
    assert nothing_went_out(server)


def test_alt_text_over_the_instances_limit(server: MastodonStandIn, tmp_path: Path) -> None:
    server.description_limit = 10
    adapter = connected(server)
    picture = image(tmp_path, "a.png", "Eleven char")

    error = refused(adapter, outgoing("A picture", images=(picture,)))

    assert error.message == (
        "nothing of this post was sent: the alt text of a.png (part 1) is 11 characters; "
        f"{host(server)} takes up to 10 (the instance's limit): shorten it"
    )
    assert nothing_went_out(server)


def test_a_later_part_checks_only_what_is_left_to_send(server: MastodonStandIn) -> None:
    post = outgoing("One", "Two", "x" * 501)
    server.max_characters = 1000
    first = connected(server).send_part(post, post.parts[0], root=None, parent=None)
    server.max_characters = 500  # the instance lowered its limit since

    # Part 1 went out in an earlier run (its receipt is in the file); part 3 is too long.
    with pytest.raises(NotSent) as caught:
        connected(server).send_part(post, post.parts[1], root=first, parent=first)

    assert caught.value.message.startswith("not sent: part 3 is 501/500 characters")
    assert len(server.received()) == 1


def test_an_instance_that_does_not_say_its_limits_is_still_posted_to(
    server: MastodonStandIn,
) -> None:
    server.inject(Fault("status", "GET", "/api/v2/instance", status=404, body=b"{}"))
    adapter = connected(server, max_characters=500)

    [receipt] = drive.send_all(adapter, outgoing("Hello"), 1)

    assert receipt.id == server.received()[0]["id"]
    # Without the instance's figures, Mastodon's own refusal still stops a long part.
    with pytest.raises(NotSent, match="Text character limit of 500 exceeded"):
        drive.send_all(adapter, outgoing("x" * 501, key="posts/long.md"), 1)
    assert [r.path for r in server.requests if r.method == "POST"].count(STATUSES) == 2
