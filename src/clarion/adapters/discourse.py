"""Discourse: one topic per post, over the forum's JSON API with httpx.

Every request carries the `Api-Key` and `Api-Username` headers (docs.discourse.org,
"Authentication"). A post is one topic in the configured category: the title from
its front matter, its thread parts joined into the body (`raw`, Markdown), its
images uploaded (`POST /uploads.json`, type "composer") and placed after the text
by their `upload://` short URLs, as the forum's composer writes them.

The receipt names the topic: its id is the topic id, its URL the topic's
(`{url}/t/{slug}/{id}`); the first post, which holds the body and is what an
edit changes, is found from the topic when needed.

No double posts, Discourse's way: each topic is created with an `external_id`
derived from the post's path (`external_id`), which the forum keeps unique, and
before creating one the adapter asks the forum for the topic holding it
(`GET /t/external_id/{id}.json`). So a topic whose answer was lost (a timeout,
a reset connection, a server error after the forum made it, a run killed before
the receipt was written) is found and its receipt recovered, never posted
again; and if two attempts ever raced, the forum would refuse the second for
its `external_id`, which is looked up in turn. Nothing here is ever an unknown
outcome: what cannot be settled now is retried, and the retry asks first.

At connect the forum's own limits are read (`GET /site/settings.json`, its
client site settings: title and body lengths, image size and extensions) and
its categories (`GET /site.json`), so a post the forum would refuse is refused
here before anything is uploaded or sent, with a message that says which
setting to change. A forum that does not answer those keeps the account's
figures.

A 429 is a retryable refusal that says when to come back (`Retry-After`, the
admin API's 60 requests a minute by default).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from clarion.adapters import http
from clarion.adapters.base import (
    AdapterError,
    AuthError,
    Image,
    NotSent,
    Outgoing,
    OutgoingPart,
    Receipt,
    SideBySide,
    could_not_connect,
    read_image,
    refused,
    secret,
)
from clarion.adapters.discourse_limits import EXTENSIONS, ForumLimits
from clarion.adapters.discourse_topic import (
    IMAGE_LINE,
    compose_raw,
    external_id,
    first_post,
    image_line,
)
from clarion.networks import DiscourseAccount
from clarion.settings import Settings
from clarion.text.discourse import body, clean_title

ENV_VAR = "CLARION_DISCOURSE_API_KEY"
DEFAULT_TIMEOUT = 30.0
EDIT_REASON = "Corrected by Clarion (edit: true)"


def _errors(response: httpx.Response) -> str:
    """The forum's own words for a refusal (`{"errors": [...]}`), else the status."""
    found = (http.json_object(response) or {}).get("errors")
    if isinstance(found, list) and found:
        return "; ".join(str(e) for e in found)
    return f"{response.status_code} {response.reason_phrase}".strip()


def _retry_after(response: httpx.Response) -> float | None:
    """When the forum says to come back: `Retry-After`, else `extras.wait_seconds`."""
    header = http.retry_after(response)
    if header is not None:
        return header
    extras = (http.json_object(response) or {}).get("extras")
    wait = extras.get("wait_seconds") if isinstance(extras, dict) else None
    return float(wait) if isinstance(wait, int | float) and not isinstance(wait, bool) else None


def _utc(text: object) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    return when.astimezone(dt.UTC).replace(microsecond=0)


def from_settings(settings: Settings, env: Mapping[str, str], **options: Any) -> DiscourseAdapter:
    """The adapter for the repository's forum account; the key comes from `env` only."""
    account = settings.account("discourse")
    if not isinstance(account, DiscourseAccount):
        raise AuthError(
            "no Discourse account: add [tool.clarion.accounts.discourse] (url, username, "
            "category) to the settings"
        )
    return DiscourseAdapter(account, secret(env, ENV_VAR, "Discourse"), **options)


class DiscourseAdapter:
    """One forum account (the `Adapter` protocol, with `delete`, `needs_edit`, `edit`)."""

    name = "discourse"

    def __init__(
        self,
        account: DiscourseAccount,
        api_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 2,
        retry_delay: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.account = account
        self.base = account.url.strip().rstrip("/")
        self.timeout = timeout
        self.retries = retries  # extra tries of the reads at connect, which nothing repeats
        self.retry_delay = retry_delay
        self._sleep = sleep
        self._key = api_key
        self._transport = transport
        self._client: httpx.Client | None = None
        self.limits = ForumLimits.of(account)

    # -- session ---------------------------------------------------------------------
    def connect(self) -> None:
        """Open the session and read the forum's limits and categories; `AuthError`
        when the forum refuses the key or the user cannot post in the category."""
        self.close()
        self._client = http.client(
            self.base,
            timeout=self.timeout,
            headers={
                "Api-Key": self._key,
                "Api-Username": self.account.username,
                "Accept": "application/json",
            },
            transport=self._transport,
        )
        with SideBySide() as batch:
            settings = batch.submit(self._reading, "/site/settings.json", "reading its settings")
            site = batch.submit(self._reading, "/site.json", "reading its categories")
        batch.raise_failure()
        found = settings.result()
        if found is not None:
            self.limits = self.limits.read(found)
        self._check_category(site.result())

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client = None

    def _connected(self) -> httpx.Client:
        if self._client is None:
            raise AdapterError("Discourse: connect() first")
        return self._client

    def _reading(self, path: str, doing: str) -> dict[str, Any] | None:
        """A read at connect, tried again after a network failure; None when the
        forum has no such page (an older forum: the account's figures stay)."""
        attempt = 0
        while True:
            try:
                response = self._connected().get(path)
            except httpx.TransportError as exc:
                attempt += 1
                if attempt > self.retries:
                    raise NotSent(
                        f"Discourse: could not reach {self.base} while {doing}: {exc}",
                        retryable=True,
                    ) from None
                self._sleep(self.retry_delay * attempt)
                continue
            if response.status_code == 404:
                return None
            if response.status_code >= 400:
                raise self._refusal(response, doing)
            return http.json_object(response)

    def _check_category(self, site: Mapping[str, Any] | None) -> None:
        if site is None or not isinstance(site.get("categories"), list):
            return
        wanted = self.account.category
        for category in site["categories"]:
            if isinstance(category, dict) and category.get("id") == wanted:
                # CategoryGroup.permission_types: 1 full (may create topics).
                if category.get("permission") not in (None, 1):
                    raise AuthError(
                        f"Discourse: @{self.account.username} may not create topics in "
                        f"category {wanted} ({category.get('name')}) on {self.base}: give the "
                        "user's group Create permission there, or set another category in "
                        "[tool.clarion.accounts.discourse] category"
                    )
                return
        raise AuthError(
            f"Discourse: {self.base} has no category {wanted} that @{self.account.username} "
            "can see: set [tool.clarion.accounts.discourse] category to the id of the "
            "category topics go to (its number in the category's address, /c/name/ID)"
        )

    # -- sending ---------------------------------------------------------------------
    def send_part(
        self,
        outgoing: Outgoing,
        part: OutgoingPart,
        *,
        root: Receipt | None,
        parent: Receipt | None,
    ) -> Receipt:
        """Create the post's topic, or recover it when the forum already holds it."""
        if part.index > 0 or parent is not None:
            raise NotSent(
                "Discourse takes a post as one topic: its parts are joined into one body",
                retryable=False,
            )
        eid = external_id(outgoing.key)
        title = outgoing.title or ""
        problem = self.limits.problem(self.base, title, part)
        with SideBySide() as batch:
            found = batch.submit(self._lookup, eid)
            uploads = [] if problem else [batch.submit(self._upload, i) for i in part.images]
        if found.exception() is None and (receipt := found.result()) is not None:
            return receipt  # out already: a lost receipt recovered
        batch.raise_failure()
        if problem:
            raise NotSent(problem, retryable=False)
        raw = compose_raw(part.text, [upload.result() for upload in uploads])
        problem = self.limits.body_problem(self.base, raw, with_images=bool(part.images))
        if problem:
            raise NotSent(problem, retryable=False)
        payload = {
            "title": title,
            "raw": raw,
            "category": self.account.category,
            "external_id": eid,
        }
        try:
            response = self._connected().post("/posts.json", json=payload)
        except httpx.TransportError as exc:
            if http.never_sent(exc):
                raise could_not_connect("Discourse", self.base, "create the topic", exc) from None
            return self._settle(eid, f"no answer came back ({type(exc).__name__})")
        if response.status_code == 200:
            return self._receipt_of_post(response)
        if response.status_code >= 500:
            return self._settle(eid, f"the forum answered {_errors(response)}")
        if response.status_code == 422 and "External" in _errors(response):
            found_again = self._lookup(eid)
            if found_again is not None:
                return found_again
            raise NotSent(
                f"Discourse refused the topic ({_errors(response)}): a deleted topic on "
                f"{self.base} still holds this post's external_id {eid}; restore that topic "
                "(and fill in the receipt), or ask an admin to remove it for good",
                retryable=False,
            )
        if response.status_code == 422 and "already been used" in _errors(response):
            raise NotSent(
                f"Discourse refused the topic ({_errors(response)}): another topic on "
                f"{self.base} has this title; change `title:` in the post",
                retryable=False,
            )
        raise self._refusal(response, "creating the topic")

    def _settle(self, eid: str, what: str) -> Receipt:
        """After a create whose fate is not known: the topic if the forum holds it,
        else a retryable refusal (the next attempt asks again before sending)."""
        try:
            found = self._lookup(eid)
        except AdapterError:
            found = None
        if found is not None:
            return found
        raise NotSent(
            f"Discourse: creating the topic failed ({what}); the forum does not hold it, "
            "so it is sent again, after asking again",
            retryable=True,
        )

    def _lookup(self, eid: str) -> Receipt | None:
        """The topic holding `eid` (the forum answers 301 to it), or None."""
        try:
            response = self._connected().get(f"/t/external_id/{eid}.json", follow_redirects=True)
        except httpx.TransportError as exc:
            raise NotSent(
                f"Discourse: could not ask {self.base} whether the topic is out ({exc})",
                retryable=True,
            ) from None
        if response.status_code in (404, 410):
            return None
        if response.status_code >= 400:
            raise self._refusal(response, "looking the topic up")
        topic = http.json_object(response)
        if topic is None or not isinstance(topic.get("id"), int):
            raise NotSent(
                f"Discourse answered the look-up of {eid} without a topic", retryable=True
            )
        return Receipt(
            at=_utc(topic.get("created_at")),
            id=str(topic["id"]),
            url=self.topic_url(str(topic.get("slug") or "topic"), topic["id"]),
        )

    def _receipt_of_post(self, response: httpx.Response) -> Receipt:
        try:
            post = response.json()
            topic_id = int(post["topic_id"])
        except (ValueError, KeyError, TypeError):
            raise NotSent(
                f"Discourse answered the topic's creation without its id: {response.text[:200]}",
                retryable=True,  # the next attempt looks it up by external_id first
            ) from None
        return Receipt(
            at=_utc(post.get("created_at")),
            id=str(topic_id),
            url=self.topic_url(str(post.get("topic_slug") or "topic"), topic_id),
            extra={"post_id": str(post.get("id", ""))},
        )

    def topic_url(self, slug: str, topic_id: int | str) -> str:
        return f"{self.base}/t/{slug}/{topic_id}"

    # -- images ----------------------------------------------------------------------
    def _upload(self, image: Image) -> str:
        """Upload one image; its Markdown line. Nothing is posted yet, so a failure
        here is safe to retry (an upload no topic uses is removed by the forum)."""
        data = read_image(image, "Discourse")
        extension = EXTENSIONS.get(image.mime, "png")
        name = f"{image.path.stem or 'image'}.{extension}"
        try:
            response = self._connected().post(
                "/uploads.json",
                data={"type": "composer", "synchronous": "true"},
                files={"file": (name, data, image.mime)},
            )
        except httpx.TransportError as exc:
            raise NotSent(
                f"Discourse: uploading {image.path.name} failed ({type(exc).__name__}); "
                "nothing was posted",
                retryable=True,
            ) from None
        if response.status_code >= 400:
            raise self._refusal(response, f"uploading {image.path.name}")
        try:
            upload = response.json()
            short_url = str(upload["short_url"])
        except (ValueError, KeyError, TypeError):
            raise NotSent(
                f"Discourse: the upload of {image.path.name} answered without its short URL",
                retryable=True,
            ) from None
        width = int(upload.get("width") or image.width)
        height = int(upload.get("height") or image.height)
        return image_line(image.alt, width, height, short_url)

    # -- corrections -----------------------------------------------------------------
    def _first_post(self, receipt: Receipt) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the topic, its first post with its raw)."""
        if not receipt.id:
            raise NotSent("Discourse: only a topic with an id can be edited", retryable=False)
        topic = self._get(f"/t/{receipt.id}.json", f"reading topic {receipt.id}")
        first = first_post(topic)
        if first is None or not isinstance(first.get("id"), int):
            raise NotSent(f"Discourse: topic {receipt.id} has no first post", retryable=False)
        post = self._get(f"/posts/{first['id']}.json", f"reading topic {receipt.id}'s post")
        return topic, post

    def _corrected(self, post: Mapping[str, Any], part: OutgoingPart) -> str:
        """The body as it should be now: the new text, and the images already in the
        topic (images are not replaced) with their alt texts updated."""
        alts = [image.alt for image in part.images]
        lines = []
        for n, match in enumerate(IMAGE_LINE.finditer(str(post.get("raw") or ""))):
            if n >= len(alts):  # an image the post no longer lists stays as it is
                lines.append(match.group(0))
                continue
            width, height = (match.group("size") or "0x0").split("x")
            lines.append(image_line(alts[n], int(width), int(height), match.group("ref")))
        return body(compose_raw(part.text, lines))

    def needs_edit(self, receipt: Receipt, outgoing: Outgoing, part: OutgoingPart) -> bool:
        """Whether the topic's title or body differs from the post now (asked of the
        forum, so a correction applies once however many runs see `edit: true`)."""
        topic, post = self._first_post(receipt)
        return bool(
            self._new_title(topic, outgoing)
            or body(str(post.get("raw") or "")) != self._corrected(post, part)
        )

    @staticmethod
    def _new_title(topic: Mapping[str, Any], outgoing: Outgoing) -> str | None:
        """The post's title when the topic's differs; None when they agree (the forum
        may have changed its case: lib/text_cleaner.rb capitalises, lowers capitals)."""
        title = clean_title(outgoing.title or "")
        same = str(topic.get("title") or "").casefold() == title.casefold()
        return None if not title or same else title

    def edit(self, receipt: Receipt, outgoing: Outgoing, part: OutgoingPart) -> Receipt:
        """Correct the topic in place: its first post's body and the title, in one
        `PUT /posts/{id}.json`."""
        topic, post = self._first_post(receipt)
        raw = self._corrected(post, part)
        problem = self.limits.body_problem(self.base, raw, with_images=bool(part.images))
        if problem:
            raise NotSent(problem, retryable=False)
        payload: dict[str, Any] = {"post": {"raw": raw, "edit_reason": EDIT_REASON}}
        title = self._new_title(topic, outgoing)
        if title:
            payload["title"] = title
        where = f"topic {receipt.id}"
        try:
            response = self._connected().put(f"/posts/{post['id']}.json", json=payload)
        except httpx.TransportError as exc:
            # Editing twice is harmless: a failure to hear back can be retried.
            raise NotSent(f"Discourse: editing {where} failed: {exc}", retryable=True) from None
        if response.status_code >= 400:
            raise self._refusal(response, f"editing {where}")
        answer = response.json().get("post") or {}
        slug = str(answer.get("topic_slug") or topic.get("slug") or "topic")
        return Receipt(at=receipt.at, id=receipt.id, url=self.topic_url(slug, str(receipt.id)))

    # -- retraction ------------------------------------------------------------------
    def delete(self, receipt: Receipt) -> None:
        """Delete the topic (`DELETE /t/{id}.json`); one already gone counts as deleted."""
        if not receipt.id:
            raise NotSent("Discourse: this receipt has no topic id to delete", retryable=False)
        where = f"deleting topic {receipt.id}"
        try:
            response = self._connected().delete(f"/t/{receipt.id}.json")
        except httpx.TransportError as exc:
            # Deleting twice is harmless, so any failure to hear back can be retried.
            raise NotSent(f"Discourse: {where} failed: {exc}", retryable=True) from None
        if response.status_code < 400:
            return
        if response.status_code in (403, 404, 410, 422) and self._gone(receipt.id):
            return  # the forum answers a second delete with delete_topic_failed
        raise self._refusal(response, where)

    def _gone(self, topic_id: str) -> bool:
        try:
            response = self._connected().get(f"/t/{topic_id}.json")
        except httpx.TransportError:
            return False
        if response.status_code in (404, 410):
            return True
        if response.status_code >= 400:
            return False
        return (http.json_object(response) or {}).get("deleted_at") is not None

    # -- helpers ---------------------------------------------------------------------
    def _get(self, path: str, doing: str) -> dict[str, Any]:
        try:
            response = self._connected().get(path)
        except httpx.TransportError as exc:
            raise NotSent(f"Discourse: {doing} failed: {exc}", retryable=True) from None
        if response.status_code >= 400:
            raise self._refusal(response, doing)
        data = http.json_object(response)
        if data is None:
            raise NotSent(f"Discourse: {doing} gave no JSON object", retryable=True)
        return data

    def _refusal(self, response: httpx.Response, doing: str) -> AdapterError:
        """The exception for an error answer. Every call that reaches here created
        nothing (a create's server errors are settled by asking first)."""
        status = response.status_code
        message = _errors(response)
        if status == 429:
            return NotSent(
                f"Discourse: rate limited while {doing} ({message})",
                retryable=True,
                retry_after=_retry_after(response),
            )
        if status in (401, 403):
            return AuthError(
                f"Discourse refused the request while {doing} ({message}): check "
                f"{ENV_VAR} (an API key for @{self.account.username}, or for all users) and "
                "[tool.clarion.accounts.discourse] username; a granular key needs the scopes "
                "README.md lists"
            )
        return refused("Discourse", doing, message, server_error=status >= 500)
