"""Threads through Meta's Threads API (graph.threads.net, v1.0), over plain HTTP (httpx).

No maintained Python client covers publishing, and the packages that call
Threads' private app API are not an option; the Graph calls are few.

Publishing is two steps (https://developers.facebook.com/docs/threads/posts): a
media container (`POST /{user-id}/threads`: TEXT, IMAGE with `image_url` and
`alt_text`, or a CAROUSEL of image items), whose status is read until FINISHED
(bounded: Meta advises reading it "once per minute, for no more than 5 minutes",
https://developers.facebook.com/docs/threads/troubleshooting; an ERROR stops the
part with its message), then `POST /{user-id}/threads_publish` with its
`creation_id`. A thread's later parts reply to the part before (`reply_to_id`).

Images: Threads takes no upload; it fetches each image from a public URL, the
account's `media_base_url` followed by the image's path in the repository, or
by default the repository's raw file on GitHub at the published commit
(`clarion.media.public`).

No double posts, without an idempotency key:

* A container is published at most once: after a publish whose answer was lost
  (a timeout, a reset connection, a server error) the container's status says
  whether it went out (PUBLISHED) or not (FINISHED, and the same container is
  published again: it cannot make a second post).
* A run killed between the publish and the receipt leaves nothing the next run
  holds, so before sending a part the adapter looks through the account's
  recent posts (a first part: its own posts of the last `lookback_window`; a
  reply: the replies to the part before) for that exact part and adopts it
  (`threads_lookback`). The look-back is skipped for a reply to a part this run
  made. Its limit: another post with the same text and kind of media within the
  window would be taken for this one.
* A part that went out and whose post cannot be found, or whose fate cannot be
  read, is tried again `UNSETTLED_LIMIT` times, then handed to a person
  (`OutcomeUnknown`).

At connect it checks the token (`GET /me`, and that it is the configured
`user_id`'s), reads its expiry and permissions where Meta lets it
(`GET /debug_token`, which answers a Threads tester's token:
https://developers.facebook.com/documentation/threads/troubleshooting/debug-access-token),
and the 24-hour publishing quotas (`GET /{user-id}/threads_publishing_limit`:
250 posts, 1,000 replies); a part is refused before anything is sent when its
quota is used up. What it learns for people (the days the token has left) is in
`notices`, which the run prints.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from clarion.adapters import http
from clarion.adapters.base import (
    AdapterError,
    AuthError,
    Image,
    NotSent,
    OutcomeUnknown,
    Outgoing,
    OutgoingPart,
    Receipt,
    SideBySide,
)
from clarion.adapters.threads_errors import (
    TOKEN_ENV,
    graph_error,
    no_such_object,
    rate_limited,
    refusal,
    server_trouble,
    transport,
)
from clarion.adapters.threads_graph import GraphCalls
from clarion.adapters.threads_lookback import find_sent, timestamp
from clarion.adapters.threads_session import Quotas, token_facts
from clarion.media.public import image_url
from clarion.networks import ThreadsAccount
from clarion.settings import Settings

API_VERSION = "v1.0"
DEFAULT_TIMEOUT = 30.0
UNSETTLED_LIMIT = 3
# Status reads of a container: the first at once, then waits doubling from
# `poll_first` up to `POLL_CAP`, for at most `poll_limit` seconds in all.
POLL_CAP = 30.0
PROFILE = "https://www.threads.net/@{}"


@dataclass(frozen=True)
class _Attempt:
    """A part being sent: which (`key`), in reply to what, and how messages name it."""

    key: tuple[str, int, str]
    part: OutgoingPart
    reply_to: str | None
    where: str


@dataclass
class _Pending:
    """A container whose publish went unanswered in this run."""

    container: str
    unsettled: int = 0  # times its fate could not be read


class ThreadsAdapter(GraphCalls):
    """One Threads account. `connect()` first; then `send_part`, `delete`."""

    name = "threads"

    def __init__(
        self,
        account: ThreadsAccount,
        access_token: str,
        *,
        root: Path,
        repository: str = "",
        commit: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 2,
        poll_first: float = 0.25,
        poll_limit: float = 300.0,
        lookback_pages: int = 3,
        lookback_window: dt.timedelta = dt.timedelta(hours=24),
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        if not access_token:
            raise AuthError(f"{TOKEN_ENV} is empty")
        self.account = account
        self.user_id = account.user_id.strip()
        self.root = root
        self.repository = repository  # "owner/name", for the default image URLs
        self.commit = commit  # the published commit, for the default image URLs
        self.timeout = timeout
        self.retries = retries  # extra tries of the reads the orchestrator does not repeat
        self.poll_first = poll_first
        self.poll_limit = poll_limit
        self.lookback_pages = lookback_pages
        self.lookback_window = lookback_window
        self._sleep = sleep
        self._now = now
        self._token = access_token
        self._client: httpx.Client | None = None
        self.username = account.handle.strip().lstrip("@")
        # For people, printed by the run: the token's days left, a quota used up.
        self.notices: list[str] = []
        self.expires_at: dt.datetime | None = None
        self.scopes: tuple[str, ...] | None = None
        self._quotas = Quotas()  # left None: the quotas could not be read
        self._created: set[str] = set()  # posts this run made
        self._given: set[str] = set()  # posts handed out as receipts: never adopted again
        self._looked: set[tuple[str, int, str]] = set()  # parts already looked back for
        self._pending: dict[tuple[str, int, str], _Pending] = {}

    # -- session -----------------------------------------------------------------------
    def connect(self) -> None:
        """Check the token and learn its expiry and the account's quotas."""
        self.close()
        self.notices.clear()
        self._client = http.client(
            f"{self.account.api.rstrip('/')}/{API_VERSION}", timeout=self.timeout
        )
        with SideBySide() as batch:
            me = batch.submit(
                self._read_retrying, "/me", {"fields": "id,username"}, "checking the access token"
            )
            token = batch.submit(self._token_info)
            limits = batch.submit(
                self._read_retrying,
                f"/{self.user_id}/threads_publishing_limit",
                {"fields": "quota_usage,config,reply_quota_usage,reply_config"},
                "reading the publishing limits",
            )
        if me.exception() is not None:
            batch.raise_failure()
        profile = me.result()
        found_id = str(profile.get("id") or "")
        if found_id and found_id != self.user_id:
            raise AuthError(
                f"Threads: the access token in {TOKEN_ENV} is the account "
                f"@{profile.get('username') or '?'}'s (user id {found_id}), but the settings "
                f"say user_id = {self.user_id!r}: set user_id to {found_id}, or use that "
                "account's token"
            )
        self.username = str(profile.get("username") or self.username)
        facts = token_facts(token.result(), self._now())
        self.scopes, self.expires_at = facts.scopes, facts.expires_at
        self.notices.extend(facts.notices)
        if limits.exception() is None:
            self._quotas = Quotas.read(limits.result())
            spent = self._quotas.notice()
            self.notices.extend([spent] if spent else [])
        else:
            error = limits.exception()
            if isinstance(error, AuthError):
                raise error
            reason = error.message if isinstance(error, AdapterError) else str(error)
            self.notices.append(f"the publishing limits could not be read ({reason})")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client = None

    def _token_info(self) -> Mapping[str, Any] | str:
        """debug_token's data, or why it could not be read."""
        try:
            answer = self._read(
                "/debug_token", {"input_token": self._token}, "reading the token's expiry"
            )
        except AuthError as exc:
            return exc.message
        except AdapterError as exc:
            return exc.message
        data = answer.get("data")
        return data if isinstance(data, dict) else "debug_token answered without data"

    # -- sending -----------------------------------------------------------------------
    def send_part(
        self,
        outgoing: Outgoing,
        part: OutgoingPart,
        *,
        root: Receipt | None,
        parent: Receipt | None,
    ) -> Receipt:
        self._connected()
        where = f"part {part.index + 1} of {outgoing.key}"
        if parent is not None and not parent.id:
            raise NotSent(
                f"Threads: {where}: the part before it has no post id to reply to (its outcome "
                "is unknown); settle it in the post file first",
                retryable=False,
            )
        reply_to = parent.id if parent is not None else None
        key = (outgoing.key, part.index, reply_to or "")
        attempt = _Attempt(key, part, reply_to, where)
        pending = self._pending.get(key)
        container: str | None = None
        if pending is not None:
            settled = self._settle(pending, attempt)
            if isinstance(settled, Receipt):
                return settled
            container = settled  # not published: the same container, or None for a new one
        elif key not in self._looked and (reply_to is None or reply_to not in self._created):
            # The look-back and the part's container go side by side: a container is
            # not a post, and one left unpublished (the part was found) expires in
            # 24 hours (https://developers.facebook.com/docs/threads/troubleshooting).
            with SideBySide() as batch:
                looked = batch.submit(self._look_back, part, reply_to, where)
                made = batch.submit(self._ready_container, part, reply_to, where)
            if looked.exception() is None:
                self._looked.add(key)
                found = looked.result()
                if found is not None:
                    return found
            batch.raise_failure()
            return self._publish(made.result(), attempt)
        if container is None:
            container = self._ready_container(part, reply_to, where)
        else:
            self._quotas.check(reply_to is not None, where)
        return self._publish(container, attempt)

    def _ready_container(self, part: OutgoingPart, reply_to: str | None, where: str) -> str:
        """A new FINISHED container for `part`, once the quotas allow its publishing."""
        self._quotas.check(reply_to is not None, where)
        return self._container(part, reply_to, where)

    def _container(self, part: OutgoingPart, reply_to: str | None, where: str) -> str:
        """A FINISHED media container for `part`: its id."""
        base: dict[str, str] = {"text": part.text}
        if reply_to is not None:
            base["reply_to_id"] = reply_to
        doing = f"creating the container of {where}"
        images = part.images
        if not images:
            made = self._create({**base, "media_type": "TEXT"}, doing)
        elif len(images) == 1:
            made = self._create({**base, **self._image_fields(images[0])}, doing)
        else:
            with SideBySide() as batch:
                items = [
                    batch.submit(
                        self._create,
                        {**self._image_fields(image), "is_carousel_item": "true"},
                        doing,
                    )
                    for image in images
                ]
            batch.raise_failure()
            children = [item.result() for item in items]
            # Each item is fetched and processed on its own: ready before the carousel.
            with SideBySide() as batch:
                for child in children:
                    batch.submit(self._wait_finished, child, part, where)
            batch.raise_failure()
            made = self._create(
                {**base, "media_type": "CAROUSEL", "children": ",".join(children)}, doing
            )
        self._wait_finished(made, part, where)
        return made

    def _image_fields(self, image: Image) -> dict[str, str]:
        try:
            url = image_url(
                image.path,
                self.root,
                base=self.account.media_base_url,
                repository=self.repository,
                commit=self.commit,
            )
        except ValueError as exc:
            raise NotSent(f"Threads: {exc}", retryable=False) from None
        fields = {"media_type": "IMAGE", "image_url": url}
        if image.alt:
            fields["alt_text"] = image.alt
        return fields

    def _create(self, fields: dict[str, str], doing: str) -> str:
        """POST /{user-id}/threads: a container (not a post: a failure is safe to retry)."""
        try:
            response = self._request("POST", f"/{self.user_id}/threads", data=fields)
        except httpx.TransportError as exc:
            raise NotSent(
                f"Threads: {doing} failed ({transport(exc)}); nothing was posted", retryable=True
            ) from None
        answer = self._json(response, doing)
        made = str(answer.get("id") or "")
        if not made:
            raise NotSent(f"Threads answered {doing} without an id", retryable=True)
        return made

    def _wait_finished(self, container: str, part: OutgoingPart, where: str) -> None:
        """Read the container's status until FINISHED; bounded by `poll_limit`."""
        waited = 0.0
        wait = self.poll_first
        while True:
            status, message = self._status(container, f"reading the container of {where}")
            if status == "FINISHED":
                return
            if status == "ERROR":
                raise NotSent(
                    self._failed_message(container, message, part, where), retryable=False
                )
            if status == "EXPIRED":
                raise NotSent(f"Threads: the container of {where} expired", retryable=True)
            if status == "PUBLISHED":
                raise NotSent(
                    f"Threads: the container of {where} is published already", retryable=False
                )
            if waited + wait > self.poll_limit:
                raise NotSent(
                    f"Threads: the container of {where} is still {status or 'not ready'} after "
                    f"{waited:.0f} s; the next try makes a new one",
                    retryable=True,
                )
            self._sleep(wait)
            waited += wait
            wait = min(wait * 2, POLL_CAP)

    def _failed_message(self, container: str, message: str, part: OutgoingPart, where: str) -> str:
        text = f"Threads could not make {where} (container {container}: ERROR {message or ''})"
        if not part.images:
            return text.replace(" )", ")")
        urls = [self._image_fields(image)["image_url"] for image in part.images]
        fix = (
            "set media_base_url in the account's settings to where the repository's files "
            "are served publicly (the default, the repository's raw files on GitHub, "
            "answers only for a public repository)"
            if not self.account.media_base_url.strip()
            else "check that media_base_url serves them publicly"
        )
        return (
            f"{text.replace(' )', ')')}: Threads fetches each image from its URL "
            f"({', '.join(urls)}) and could not use it; it must be a JPEG or PNG of at most "
            f"8 MB that anyone can fetch: {fix}"
        )

    def _status(self, container: str, doing: str) -> tuple[str, str]:
        answer = self._read_retrying(f"/{container}", {"fields": "status,error_message"}, doing)
        return str(answer.get("status") or ""), str(answer.get("error_message") or "")

    def _publish(self, container: str, attempt: _Attempt) -> Receipt:
        key, where = attempt.key, attempt.where
        doing = f"publishing {where}"
        try:
            response = self._request(
                "POST", f"/{self.user_id}/threads_publish", data={"creation_id": container}
            )
        except httpx.TransportError as exc:
            pending = self._pending.setdefault(key, _Pending(container))
            if http.never_sent(exc):
                raise NotSent(
                    f"Threads: could not connect to publish {where} ({transport(exc)})",
                    retryable=True,
                ) from None
            return self._settled_now(pending, attempt, transport(exc))
        if response.status_code >= 400:
            error = graph_error(response)
            if server_trouble(error) and not rate_limited(error):
                pending = self._pending.setdefault(key, _Pending(container))
                return self._settled_now(pending, attempt, error.describe())
            self._pending[key] = _Pending(container)  # refused: the container may be used again
            raise refusal(error, response, doing)
        answer = self._body(response, doing)
        media_id = str(answer.get("id") or "")
        if not media_id:
            pending = self._pending.setdefault(key, _Pending(container))
            return self._settled_now(pending, attempt, "an answer without a post id")
        self._pending.pop(key, None)
        self._quotas.spend(attempt.reply_to is not None)
        return self._receipt_of(media_id)

    def _settled_now(self, pending: _Pending, attempt: _Attempt, lost: str) -> Receipt:
        """Right after a publish that went unanswered: its receipt if it went out; else
        a retryable refusal (the next try publishes the same container)."""
        settled = self._settle(pending, attempt)
        if isinstance(settled, Receipt):
            return settled
        raise NotSent(
            f"Threads: no answer to publishing {attempt.where} ({lost}), and it did not go out; "
            "publishing it again is safe (the same container cannot make two posts)",
            retryable=True,
        )

    def _settle(self, pending: _Pending, attempt: _Attempt) -> Receipt | str | None:
        """The fate of a container whose publish went unanswered: its post's receipt
        when it went out; else the container to publish again, or None for a new one."""
        try:
            status, _ = self._status(
                pending.container, f"checking whether {attempt.where} went out"
            )
        except AuthError:
            raise
        except AdapterError as exc:
            raise self._unsettled(
                pending, attempt, f"its container could not be read: {exc.message}"
            ) from None
        if status == "FINISHED":
            return pending.container
        if status != "PUBLISHED":
            self._pending.pop(attempt.key, None)
            return None
        try:
            found = self._find_sent(attempt.part, attempt.reply_to)
        except AuthError:
            raise
        except AdapterError as exc:
            raise self._unsettled(
                pending, attempt, f"the account could not be read: {exc.message}"
            ) from None
        if found is None:
            raise self._unsettled(pending, attempt, "its post is not among the account's posts yet")
        self._pending.pop(attempt.key, None)
        self._quotas.spend(attempt.reply_to is not None)
        return found

    def _unsettled(self, pending: _Pending, attempt: _Attempt, why: str) -> AdapterError:
        where = attempt.where
        pending.unsettled += 1
        if pending.unsettled >= UNSETTLED_LIMIT:
            self._pending.pop(attempt.key, None)
            return OutcomeUnknown(
                f"Threads: {where} was published (or may have been) but {why}; see "
                f"{self._profile()} and record its id and url, or delete this entry to send it"
            )
        return NotSent(f"Threads: {where} went out but {why}; looking again", retryable=True)

    # -- finding a part already sent ----------------------------------------------------
    def _look_back(self, part: OutgoingPart, reply_to: str | None, where: str) -> Receipt | None:
        try:
            return self._find_sent(part, reply_to)
        except AuthError:
            raise
        except AdapterError as exc:
            if isinstance(exc, NotSent):
                raise NotSent(
                    f"Threads: the account's recent posts could not be read before sending "
                    f"{where}: {exc.message}",
                    retryable=exc.retryable,
                    retry_after=exc.retry_after,
                ) from None
            raise

    def _find_sent(self, part: OutgoingPart, reply_to: str | None) -> Receipt | None:
        post = find_sent(
            lambda path, params: self._read(path, params, "reading the account's posts"),
            user_id=self.user_id,
            username=self.username,
            part=part,
            reply_to=reply_to,
            pages=self.lookback_pages,
            window=self.lookback_window,
            given=self._given,
        )
        if post is None:
            return None
        media_id = str(post["id"])
        permalink = str(post.get("permalink") or "")
        if not permalink:
            return self._receipt_of(media_id)
        return self._receipt(media_id, permalink, timestamp(post.get("timestamp")))

    # -- receipts ------------------------------------------------------------------------
    def _receipt_of(self, media_id: str) -> Receipt:
        """The receipt of a post just made: its permalink and time, read from Threads."""
        self._created.add(media_id)
        try:
            answer = self._read_retrying(
                f"/{media_id}", {"fields": "id,permalink,timestamp"}, f"reading post {media_id}"
            )
        except AuthError:
            raise
        except AdapterError:
            # It is out: a receipt with the profile's address beats none.
            return self._receipt(media_id, self._profile(), None)
        permalink = str(answer.get("permalink") or "") or self._profile()
        return self._receipt(media_id, permalink, timestamp(answer.get("timestamp")))

    def _receipt(self, media_id: str, url: str, at: dt.datetime | None) -> Receipt:
        self._given.add(media_id)
        return Receipt(at=(at or self._now()).replace(microsecond=0), id=media_id, url=url)

    def _profile(self) -> str:
        return PROFILE.format(self.username) if self.username else "the Threads account"

    # -- retracting ----------------------------------------------------------------------
    def delete(self, receipt: Receipt) -> None:
        """Delete a post (DELETE /{media-id}, https://developers.facebook.com/docs/threads/posts/delete-posts);
        one already gone counts as deleted."""
        self._connected()
        if not receipt.id:
            raise NotSent("Threads: this receipt has no post id to delete", retryable=False)
        doing = f"deleting post {receipt.id}"
        try:
            response = self._request("DELETE", f"/{receipt.id}")
        except httpx.TransportError as exc:
            # Deleting twice is harmless: any failure to hear back is retried.
            raise NotSent(f"Threads: {doing} failed ({transport(exc)})", retryable=True) from None
        if response.status_code >= 400:
            error = graph_error(response)
            if no_such_object(error):
                return
            raise refusal(error, response, doing)


def published_commit(root: Path) -> str:
    """The commit whose files GitHub serves for the images: the upstream's tip (after
    the run caught up with it), else HEAD; "" outside a git repository."""
    from clarion.git.run import run

    for rev in ("@{upstream}", "HEAD"):
        proc = run(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        if proc.returncode == 0:
            return proc.stdout.decode("ascii", "replace").strip()
    return ""


def from_settings(settings: Settings, env: Mapping[str, str], **options: Any) -> ThreadsAdapter:
    """The adapter for the repository's Threads account; the token comes from `env` only.

    `commit` may be given; else, when images need the repository's raw files, it is
    the published commit (`published_commit`).
    """
    account = settings.account("threads")
    if not isinstance(account, ThreadsAccount):
        raise AuthError(
            f"no Threads account: add {settings.table('accounts.threads')} with user_id"
        )
    token = env.get(TOKEN_ENV, "").strip()
    if not token:
        raise AuthError(
            f"{TOKEN_ENV} is not set: it must hold the Threads account's long-lived access token"
        )
    repository = env.get("GITHUB_REPOSITORY", "").strip()
    commit = str(options.pop("commit", "") or "")
    if not commit and repository and not account.media_base_url.strip():
        commit = published_commit(settings.root)
    return ThreadsAdapter(
        account, token, root=settings.root, repository=repository, commit=commit, **options
    )
