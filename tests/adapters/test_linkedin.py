"""The LinkedIn adapter over real HTTP against the LinkedIn stand-in: posts, images,
link cards, the look-back that recovers a lost answer, faults, retract and edit,
and the stand-in refusing (or silently cutting) what LinkedIn does."""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

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
from clarion.adapters.http import tls
from clarion.adapters.linkedin import LinkedInAdapter, from_settings
from clarion.networks import LinkedInAccount
from clarion.publish.retry import RetryPolicy, retrying
from clarion.sandbox.linkedin import (
    SANDBOX_ACCESS_TOKEN,
    SANDBOX_ORGANIZATION,
    LinkedInStandIn,
    encoded,
)
from clarion.sandbox.server import Fault, Request, Response
from clarion.settings import Settings
from clarion.text.linkedin import commentary
from tests.adapters.test_x import gif, png
from tests.timeouts import GENEROUS, GIVE_UP

POSTS = "/rest/posts"
TEXT = "Our call for proposals (CFP) is open: https://us.pycon.org/2027/a_b #PyCon2027 *now*"


# The stand-in serves the versions LinkedIn serves on a day (the calendar's, in the
# sandbox); here a fixed day, so that these tests do not age with the default version.
TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def server() -> Iterator[LinkedInStandIn]:
    with LinkedInStandIn(today=lambda: TODAY) as stand_in:
        yield stand_in


OPEN: list[LinkedInAdapter] = []  # closed after each test


@pytest.fixture(autouse=True)
def _close_adapters() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def adapter_for(
    server: LinkedInStandIn, timeout: float = GENEROUS, token: str = "", **changes: str
) -> LinkedInAdapter:
    """An adapter for the stand-in's page (a new one: what the next run would have)."""
    account, env = server.sandbox_settings()
    for name, value in changes.items():
        account = LinkedInAccount(**{**account.__dict__, name: value})
    token = token or env["CLARION_LINKEDIN_ACCESS_TOKEN"]
    adapter = LinkedInAdapter(account, token, timeout=timeout)
    adapter.connect()
    OPEN.append(adapter)
    return adapter


@pytest.fixture
def adapter(server: LinkedInStandIn) -> LinkedInAdapter:
    return adapter_for(server)


def post(
    text: str = TEXT,
    images: tuple[Image, ...] = (),
    link: LinkCard | None = None,
    key: str = "posts/2026/cfp.md",
) -> Outgoing:
    return Outgoing(key=key, network="linkedin", parts=(OutgoingPart(0, text, images, link),))


def send(adapter: LinkedInAdapter, outgoing: Outgoing, attempts: int = 1) -> Receipt:
    """One part as the orchestrator sends it: its own retry loop, no waiting."""
    call = functools.partial(adapter.send_part, outgoing, outgoing.parts[0], root=None, parent=None)
    policy = RetryPolicy(attempts=attempts, backoff=0.0, max_wait=3600.0)
    return retrying(call, policy, sleep=lambda _s: None, stopping=threading.Event(), say=print)


def image(tmp_path: Path, name: str, alt: str, data: bytes, mime: str = "image/png") -> Image:
    path = tmp_path / name
    path.write_bytes(data)
    return Image(path=path, alt=alt, mime=mime, width=2, height=2)


def raw(server: LinkedInStandIn, body: object, **headers: str) -> httpx.Response:
    """A create call made by hand, as a client that does not escape would make it."""
    sent = {
        "Authorization": f"Bearer {SANDBOX_ACCESS_TOKEN}",
        "Linkedin-Version": server.version,
        "X-Restli-Protocol-Version": "2.0.0",
        **headers,
    }
    return httpx.post(server.url + POSTS, json=body, headers=sent, timeout=GENEROUS, verify=tls())


def create_body(text: str, author: str = SANDBOX_ORGANIZATION) -> dict[str, object]:
    return {
        "author": author,
        "commentary": text,
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED"},
        "lifecycleState": "PUBLISHED",
    }


# -- posting -----------------------------------------------------------------------
def test_a_post_goes_out_whole_with_its_receipt_on_the_stand_in(
    server: LinkedInStandIn, adapter: LinkedInAdapter
) -> None:
    receipt = send(adapter, post())
    [made] = server.received()
    assert made["text"] == TEXT  # nothing cut: every reserved character was escaped
    assert not made["cut"]
    assert made["commentary"] == commentary(TEXT)
    assert "{hashtag|\\#|PyCon2027}" in made["commentary"]  # still a hashtag
    assert receipt.id == made["id"] and receipt.id.startswith("urn:li:share:")
    assert receipt.url == f"{server.url}/feed/update/{receipt.id}/"
    page = httpx.get(receipt.url, timeout=GENEROUS, verify=tls())
    assert page.status_code == 200 and "call for proposals (CFP)" in page.text
    create = next(r for r in server.requests if r.method == "POST" and r.path == POSTS)
    body = create.json()
    assert body["author"] == SANDBOX_ORGANIZATION
    assert body["visibility"] == "PUBLIC"
    assert body["lifecycleState"] == "PUBLISHED"
    assert body["distribution"]["feedDistribution"] == "MAIN_FEED"
    assert create.header("X-Restli-Protocol-Version") == "2.0.0"
    assert create.header("Linkedin-Version") == server.version


def test_unescaped_text_is_cut_short_by_the_stand_in_as_by_linkedin(
    server: LinkedInStandIn, adapter: LinkedInAdapter
) -> None:
    """LinkedIn takes a commentary with an unescaped reserved character and keeps
    it up to there, without an error; the adapter's escaping prevents it."""
    answer = raw(server, create_body(TEXT))
    assert answer.status_code == 201
    [cut] = server.received()
    assert cut["text"] == "Our call for proposals "
    assert cut["cut"]
    assert "CUT SHORT" in server.describe()
    send(adapter, post(key="posts/other.md"))
    assert server.received()[1]["text"] == TEXT


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("snake_case", "snake"),
        ("a ~tilde", "a "),
        ("mail me@example.org", "mail me"),
        ("a #tag and (more)", "a #tag and "),  # a hashtag element is not a cut
        ("Hello @[Acme](urn:li:organization:1) <b>", "Hello Acme "),
        ("\\(escaped\\)", "(escaped)"),
    ],
)
def test_the_stand_in_cuts_at_the_first_unescaped_reserved_character(
    server: LinkedInStandIn, text: str, kept: str
) -> None:
    assert raw(server, create_body(text)).status_code == 201
    assert server.received()[-1]["text"] == kept


def test_3000_characters_as_a_reader_sees_them(
    server: LinkedInStandIn, adapter: LinkedInAdapter
) -> None:
    full = "(" * 100 + "a" * 2898 + "🐍"  # 3000, sent as 3100 characters
    send(adapter, post(full))
    assert server.received()[0]["text"] == full
    with pytest.raises(NotSent) as refused:
        send(adapter, post(full + "a", key="posts/long.md"))
    assert not refused.value.retryable
    assert "422" in refused.value.message and "3000" in refused.value.message
    assert len(server.received()) == 1


def test_one_image_with_alt_text(
    server: LinkedInStandIn, adapter: LinkedInAdapter, tmp_path: Path
) -> None:
    dot = image(tmp_path, "dot.png", "A green dot", png())
    receipt = send(adapter, post(images=(dot,)))
    [made] = server.received()
    assert receipt.id is not None and receipt.id.startswith("urn:li:ugcPost:")
    assert [(i["mime"], i["alt_text"]) for i in made["images"]] == [("image/png", "A green dot")]
    init = next(r for r in server.requests if r.path == "/rest/images")
    assert init.query == {"action": ["initializeUpload"]}
    assert init.json() == {"initializeUploadRequest": {"owner": SANDBOX_ORGANIZATION}}
    upload = next(r for r in server.requests if r.method == "PUT")
    assert upload.body == png()


def test_several_images_are_a_multi_image(
    server: LinkedInStandIn, adapter: LinkedInAdapter, tmp_path: Path
) -> None:
    images = tuple(image(tmp_path, f"{n}.png", f"Picture {n}", png(n + 2, 2)) for n in range(3))
    send(adapter, post(images=(*images, image(tmp_path, "g.gif", "A GIF", gif(), "image/gif"))))
    [made] = server.received()
    assert [i["alt_text"] for i in made["images"]] == [
        "Picture 0",
        "Picture 1",
        "Picture 2",
        "A GIF",
    ]
    body = next(r for r in server.requests if r.method == "POST" and r.path == POSTS).json()
    assert len(body["content"]["multiImage"]["images"]) == 4


def test_an_image_linkedin_cannot_take_fails_the_post_for_good(
    server: LinkedInStandIn, adapter: LinkedInAdapter, tmp_path: Path
) -> None:
    webp = image(tmp_path, "x.webp", "WebP", b"RIFF\x1a\x00\x00\x00WEBPVP8L", "image/webp")
    with pytest.raises(NotSent) as refused:
        send(adapter, post(images=(webp,)))
    assert not refused.value.retryable
    assert "PROCESSING_FAILED" in refused.value.message
    assert server.received() == []


def test_a_link_card_is_an_article_with_its_thumbnail(
    server: LinkedInStandIn, adapter: LinkedInAdapter, tmp_path: Path
) -> None:
    thumb = image(tmp_path, "card.png", "PyCon US 2027", png())
    card = LinkCard("https://us.pycon.org/2027/", "PyCon US 2027", "CFP open", thumb)
    send(adapter, post(link=card))
    [made] = server.received()
    article = made["article"]
    assert article["source"] == "https://us.pycon.org/2027/"
    assert article["title"] == "PyCon US 2027" and article["description"] == "CFP open"
    assert article["thumbnail"].startswith("urn:li:image:")


def test_an_upload_address_outside_linkedin_gets_no_token(
    server: LinkedInStandIn, adapter: LinkedInAdapter, tmp_path: Path
) -> None:
    def elsewhere(request: Request) -> Response:
        value = {"uploadUrl": "https://attacker.example/put", "image": "urn:li:image:1"}
        return Response.json({"value": value})

    server.route("POST", "/rest/images", elsewhere)
    server._routes.insert(0, server._routes.pop())  # answered before the stand-in's own
    with pytest.raises(NotSent) as refused:
        send(adapter, post(images=(image(tmp_path, "dot.png", "A dot", png()),)))
    assert "attacker.example" in refused.value.message and not refused.value.retryable


# -- the headers and the token -----------------------------------------------------
def test_every_call_needs_the_version_and_protocol_headers(server: LinkedInStandIn) -> None:
    missing = raw(server, create_body("x"), **{"Linkedin-Version": ""})
    assert missing.status_code == 400 and missing.json()["code"] == "VERSION_MISSING"
    old = raw(server, create_body("x"), **{"Linkedin-Version": "202301"})
    assert old.status_code == 426 and old.json()["code"] == "NONEXISTENT_VERSION"
    future = raw(server, create_body("x"), **{"Linkedin-Version": "209912"})
    assert future.status_code == 426
    protocol = raw(server, create_body("x"), **{"X-Restli-Protocol-Version": ""})
    assert protocol.status_code == 400
    assert server.received() == []


def test_a_version_linkedin_no_longer_serves_is_a_settings_error(
    server: LinkedInStandIn,
) -> None:
    adapter = adapter_for(server, version="202301")
    with pytest.raises(AuthError) as refused:
        send(adapter, post())
    message = refused.value.message
    assert "202301" in message and "[tool.clarion.accounts.linkedin]" in message
    assert server.received() == []


def test_a_bad_token_is_an_auth_error_before_anything_is_sent(server: LinkedInStandIn) -> None:
    adapter = adapter_for(server, token="not-the-token")
    with pytest.raises(AuthError) as refused:
        send(adapter, post())
    assert "CLARION_LINKEDIN_ACCESS_TOKEN" in refused.value.message
    assert "not-the-token" not in refused.value.message
    assert server.received() == []


@pytest.mark.parametrize("scope", ["r_organization_social", "w_organization_social"])
def test_a_token_without_a_scope_is_an_auth_error(
    server: LinkedInStandIn, adapter: LinkedInAdapter, scope: str
) -> None:
    server.scopes.discard(scope)
    with pytest.raises(AuthError) as refused:
        send(adapter, post())
    assert "w_organization_social and r_organization_social" in refused.value.message
    assert server.received() == []


def test_only_the_organisation_may_be_the_author(server: LinkedInStandIn) -> None:
    assert raw(server, create_body("x", "urn:li:organization:1")).status_code == 403
    adapter = adapter_for(server, organization="urn:li:organization:1")
    with pytest.raises(AuthError):
        send(adapter, post())
    assert server.received() == []


def test_from_settings_names_what_is_missing(server: LinkedInStandIn, tmp_path: Path) -> None:
    account, env = server.sandbox_settings()
    settings = Settings(root=tmp_path, account_tables={"linkedin": account})
    with pytest.raises(AuthError, match="CLARION_LINKEDIN_ACCESS_TOKEN"):
        from_settings(settings, {})
    with pytest.raises(AuthError, match=r"\[tool.clarion.accounts.linkedin\]"):
        from_settings(Settings(root=tmp_path), env)
    assert isinstance(from_settings(settings, env), LinkedInAdapter)


# -- exactly once ------------------------------------------------------------------
def test_a_post_already_on_the_page_is_adopted_not_sent_again(
    server: LinkedInStandIn, adapter: LinkedInAdapter
) -> None:
    """A run killed after LinkedIn made the post, before its receipt was written:
    the next run's adapter finds it among the page's posts."""
    first = send(adapter, post())
    again = send(adapter_for(server), post())
    assert again.id == first.id and again.url == first.url
    assert len(server.received()) == 1
    finder = [r for r in server.requests if r.method == "GET" and r.path == POSTS][-1]
    assert finder.query["q"] == ["author"] and finder.query["author"] == [SANDBOX_ORGANIZATION]


def test_the_look_back_takes_only_this_very_post(
    server: LinkedInStandIn, adapter: LinkedInAdapter, tmp_path: Path
) -> None:
    first = send(adapter, post())
    # The same words in a second post of this run: a post of its own.
    assert send(adapter, post(key="posts/again.md")).id != first.id
    # Other alt texts: another post.
    dot = image(tmp_path, "dot.png", "A dot", png())
    fresh = adapter_for(server)
    with_image = send(fresh, post(images=(dot,), key="posts/img.md"))
    assert with_image.id not in (first.id,)
    # Older than the look-back's window: another post.
    for stored in server.posts.values():
        stored.created -= 2 * 24 * 3600 * 1000
        stored.modified = stored.created
    assert send(adapter_for(server), post(key="posts/old.md")).id not in {
        p["id"] for p in server.received()[:3]
    }
    assert len(server.received()) == 4


@pytest.mark.parametrize("kind", ["hang", "lose"])
def test_a_lost_answer_is_found_on_the_page_and_not_sent_again(
    server: LinkedInStandIn, kind: str
) -> None:
    fault = Fault(kind, "POST", POSTS)  # made, then no answer ("hang": held until released)
    server.inject(fault)
    adapter = adapter_for(server, timeout=GIVE_UP)
    try:
        receipt = send(adapter, post())
    finally:
        fault.hold.release()
    [made] = server.received()
    assert receipt.id == made["id"]
    assert [r.method for r in server.requests if r.path == POSTS].count("POST") == 1


@pytest.mark.parametrize("fault", ["reset", "status"])
def test_a_post_not_made_is_sent_again_after_looking(
    server: LinkedInStandIn, adapter: LinkedInAdapter, fault: str
) -> None:
    body = b'{"status":500,"message":"Internal Server Error"}'
    server.inject(Fault(fault, "POST", POSTS, status=500, body=body))
    with pytest.raises(NotSent) as first:
        send(adapter, post())
    assert first.value.retryable and "do not hold it" in first.value.message
    server.inject(Fault(fault, "POST", POSTS, status=500, body=body))
    receipt = send(adapter, post(), attempts=3)
    [made] = server.received()
    assert receipt.id == made["id"]


def test_outcome_unknown_only_when_the_page_cannot_be_read(server: LinkedInStandIn) -> None:
    server.inject(Fault("lose", "POST", POSTS))  # made, answer lost
    server.inject(Fault("status", "GET", POSTS, status=500, skip=1))  # the first read works
    for _ in range(5):
        server.inject(Fault("status", "GET", POSTS, status=503))
    adapter = adapter_for(server)
    with pytest.raises(OutcomeUnknown) as unknown:
        send(adapter, post(), attempts=5)
    assert "could not be read" in unknown.value.message
    assert len(server.received()) == 1


def test_the_page_unreadable_before_sending_sends_nothing(
    server: LinkedInStandIn, adapter: LinkedInAdapter
) -> None:
    server.inject(Fault("status", "GET", POSTS, status=503))
    with pytest.raises(NotSent) as refused:
        send(adapter, post())
    assert refused.value.retryable
    assert server.received() == []


def test_rate_limited_is_retryable_and_says_when_linkedin_resets(
    server: LinkedInStandIn, adapter: LinkedInAdapter
) -> None:
    server.daily_limits["POST /rest/posts"] = 1
    send(adapter, post())
    with pytest.raises(NotSent) as limited:
        send(adapter, post(key="posts/second.md"))
    assert limited.value.retryable and limited.value.retry_after is None
    assert "429" in limited.value.message and "midnight UTC" in limited.value.message
    throttled = next(r for r in reversed(server.requests) if r.path == POSTS)
    assert throttled.method == "POST"
    assert len(server.received()) == 1


def test_a_retry_after_is_honoured_when_one_comes(
    server: LinkedInStandIn, adapter: LinkedInAdapter
) -> None:
    server.inject(Fault("status", "POST", POSTS, status=429, headers={"Retry-After": "7"}))
    with pytest.raises(NotSent) as limited:
        send(adapter, post())
    assert limited.value.retry_after == 7.0


# -- retract and edit --------------------------------------------------------------
def test_delete_and_delete_again(server: LinkedInStandIn, adapter: LinkedInAdapter) -> None:
    receipt = send(adapter, post())
    adapter.delete(receipt)
    adapter.delete(receipt)  # already gone: deleted
    assert server.live() == []
    deletes = [r for r in server.requests if r.method == "DELETE"]
    assert deletes[0].path == f"{POSTS}/{encoded(receipt.id or '')}"
    assert "Post not found" in httpx.get(receipt.url or "", timeout=GENEROUS, verify=tls()).text


def test_edit_corrects_the_commentary_in_place_once(
    server: LinkedInStandIn, adapter: LinkedInAdapter
) -> None:
    receipt = send(adapter, post())
    fixed = post("Corrected: the CFP (call for proposals) closes 1 March #PyCon2027")
    part = fixed.parts[0]
    assert not adapter.needs_edit(receipt, post(), post().parts[0])
    assert adapter.needs_edit(receipt, fixed, part)
    edited = adapter.edit(receipt, fixed, part)
    assert edited.id == receipt.id and edited.url == receipt.url
    [made] = server.received()
    assert made["text"] == part.text and made["edited"]
    assert not adapter.needs_edit(receipt, fixed, part)
    patch = next(r for r in server.requests if r.method == "POST" and r.path != POSTS)
    assert patch.header("X-RestLi-Method") == "PARTIAL_UPDATE"
    assert patch.json() == {"patch": {"$set": {"commentary": commentary(part.text)}}}


def test_a_post_gone_cannot_be_corrected(server: LinkedInStandIn, adapter: LinkedInAdapter) -> None:
    receipt = send(adapter, post())
    adapter.delete(receipt)
    with pytest.raises(NotSent, match="no longer on the page"):
        adapter.needs_edit(receipt, post(), post().parts[0])


# -- the sandbox -------------------------------------------------------------------
def test_for_sandbox_takes_the_repositorys_page(tmp_path: Path) -> None:
    account = LinkedInAccount("urn:li:organization:77132573", page="ropensci")
    with LinkedInStandIn.for_sandbox(account) as stand_in:
        stand_in.today = lambda: TODAY
        settings, env = stand_in.sandbox_settings()
        assert settings.organization == "urn:li:organization:77132573"
        assert settings.page == "ropensci" and settings.version == account.version
        assert settings.api == settings.web == stand_in.url
        adapter = LinkedInAdapter(settings, env["CLARION_LINKEDIN_ACCESS_TOKEN"])
        OPEN.append(adapter)
        send(adapter, post("Hello from the sandbox"))
        assert "ropensci" in stand_in.describe()
        stand_in.reset()
        assert stand_in.received() == [] and stand_in.requests == []
    with LinkedInStandIn.for_sandbox(None) as default:
        assert default.sandbox_settings()[0].organization == SANDBOX_ORGANIZATION


def test_the_version_window_follows_the_calendar() -> None:
    from clarion.sandbox.linkedin.rules import version_active

    today = dt.date(2026, 12, 7)
    assert version_active("202612", today)
    assert version_active("202512", today)  # sunset in December 2027
    assert not version_active("202511", today)  # sunset mid-November 2026
    assert not version_active("202701", today)  # not released yet
    assert version_active("202511", dt.date(2026, 11, 10))
    assert not version_active("2026-11", today)


def test_the_default_version_is_one_linkedin_serves_today() -> None:
    """LinkedIn serves a version for about a year, and applies none by default: when
    this fails, the default `version` of LinkedInAccount (and SPEC.md's) needs a bump,
    or every repository that keeps the default stops publishing to LinkedIn."""
    from clarion.sandbox.linkedin.rules import version_active

    default = LinkedInAccount.version
    assert version_active(default, dt.datetime.now(dt.UTC).date()), (
        f"LinkedIn no longer serves version {default}: set a current one as the default"
    )
