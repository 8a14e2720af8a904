"""LinkedIn: an organisation page's posts through the Posts and Images APIs, over httpx.

Every call carries the access token, `Linkedin-Version` (the account's `version`;
LinkedIn applies no default) and `X-Restli-Protocol-Version: 2.0.0`
(https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api).
A post is `POST /rest/posts` with the organisation as author, the text as its
`commentary` in the little text format (`clarion.text.linkedin.commentary`: every
reserved character escaped, which LinkedIn would otherwise cut the post at, and
hashtags as hashtag templates), visibility PUBLIC on the main feed; LinkedIn
answers 201 with the post's URN in `x-restli-id`. LinkedIn makes one post of a
thread: the registry's `joins_parts` has the parts joined by blank lines before
they come here. Images go through the Images API (initialise an upload, PUT the
bytes, reference the image's URN with its alt text: one image as `media`, more as
`multiImage`); a link card with no images goes as an `article` (its thumbnail
uploaded the same way).

No double posts, LinkedIn's way: LinkedIn takes no idempotency key, so before a
post is sent, and again when the answer to a send was lost (a timeout, a reset, a
5xx from a service that may have made it), the page's recent posts are read
(`GET /rest/posts?q=author`, newest first) and one that is exactly this part
(the text a reader sees, the images' alt texts) is adopted instead of sending
again. Limits: `lookback_pages` pages of `PAGE_SIZE` posts, only posts created in
the last `lookback_window` (so an older post with the same words is not taken for
this one, but another post with the same text and alt texts made within the
window would be), and never a post this adapter already handed out. When the page
cannot be read to settle a lost answer `UNSETTLED_LIMIT` times, `send_part`
raises `OutcomeUnknown` for a person.

Each `send_part` makes one attempt; the orchestrator's retry policy is the one
budget of a part. A 429 is retryable: LinkedIn's limits are per day and reset at
midnight UTC, and its 429 says nothing of when (a `Retry-After`, if one comes, is
honoured), so the orchestrator's back-off tries again and a part still refused is
left for the next run, with the time of the reset in the message.

A post is deleted (`retract`) with `DELETE /rest/posts/{urn}`, and corrected
(`edit`) with a PARTIAL_UPDATE of its commentary, after reading it back to see
whether it differs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

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
    could_not_connect,
    read_image,
    refused,
    secret,
)
from clarion.networks import LinkedInAccount
from clarion.text.linkedin import commentary, shown

DEFAULT_TIMEOUT = 30.0
TOKEN_ENV = "CLARION_LINKEDIN_ACCESS_TOKEN"  # noqa: S105 - a variable name
PROTOCOL_VERSION = "2.0.0"
PAGE_SIZE = 50  # posts per look-back page
UNSETTLED_LIMIT = 3  # reads of the page that may fail while a lost answer is settled
VERSIONING = "https://learn.microsoft.com/en-us/linkedin/marketing/versioning"
SCOPES = "w_organization_social and r_organization_social"


@dataclass(frozen=True)
class _Answer:
    """An HTTP answer LinkedIn gave: its status, its own words, when to come back."""

    status: int
    code: str
    message: str
    retry_after: float | None

    @classmethod
    def of(cls, response: httpx.Response) -> _Answer:
        body = http.json_object(response) or {}
        return cls(
            response.status_code,
            str(body.get("code") or ""),
            str(body.get("message") or response.reason_phrase or "").strip(),
            http.retry_after(response),
        )

    @property
    def says(self) -> str:
        return " ".join(p for p in (str(self.status), self.code, self.message) if p)


def _until_midnight_utc() -> str:
    now = dt.datetime.now(dt.UTC)
    left = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), dt.UTC) - now
    hours, minutes = divmod(int(left.total_seconds()) // 60, 60)
    return f"{hours} h {minutes:02d} min"


class LinkedInAdapter:
    """One organisation page (the `Adapter` protocol, with `Deletes` and `Edits`)."""

    name = "linkedin"

    def __init__(
        self,
        account: LinkedInAccount,
        token: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        lookback_pages: int = 2,
        lookback_window: dt.timedelta = dt.timedelta(hours=24),
    ) -> None:
        if not token:
            raise AuthError(f"LinkedIn: {TOKEN_ENV} is empty")
        self.account = account
        self.api = account.api.rstrip("/")
        self.organization = account.organization.strip()
        self.timeout = timeout
        self.lookback_pages = lookback_pages
        self.lookback_window = lookback_window
        self._token = token
        self._http: httpx.Client | None = None
        self._given: set[str] = set()  # post URNs handed out as receipts by this adapter
        self._unsettled: dict[str, int] = {}  # a post's key -> failed reads while settling it

    # -- the Adapter protocol ---------------------------------------------------
    def connect(self) -> None:
        """Nothing to open (a bearer token signs each call): the token is checked by
        the first call, the look-back before the first post, before anything is sent."""
        if self._http is None:
            self._http = http.client(
                self.api,
                timeout=self.timeout,
                headers={
                    "Authorization": f"Bearer {self._token}",
                    "Linkedin-Version": self.account.version.strip(),
                    "X-Restli-Protocol-Version": PROTOCOL_VERSION,
                },
            )

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def send_part(
        self,
        outgoing: Outgoing,
        part: OutgoingPart,
        *,
        root: Receipt | None,
        parent: Receipt | None,
    ) -> Receipt:
        """Post the part (LinkedIn gets one part: a thread is joined into one post),
        unless the page already holds it."""
        with SideBySide() as batch:
            earlier = batch.submit(self._look_back, outgoing, part)
            uploads = [batch.submit(self._upload, image) for image in part.images]
            thumbnail = None
            if not part.images and part.link is not None and part.link.thumbnail is not None:
                thumbnail = batch.submit(self._upload, part.link.thumbnail)
        found = earlier.result() if earlier.exception() is None else None
        if found is not None:
            return found  # whatever else failed beside the look-back
        batch.raise_failure()
        content = self._content(
            part,
            [upload.result() for upload in uploads],
            thumbnail.result() if thumbnail is not None else None,
        )
        return self._create(outgoing, part, content)

    # -- sending ------------------------------------------------------------------
    def _content(
        self, part: OutgoingPart, images: Sequence[str], thumbnail: str | None
    ) -> dict[str, Any] | None:
        """The post's `content`: one image, a multiImage, or the link card as an article."""
        alts = [image.alt for image in part.images]
        if len(images) == 1:
            return {"media": {"id": images[0], "altText": alts[0]}}
        if images:
            return {
                "multiImage": {
                    "images": [{"id": u, "altText": a} for u, a in zip(images, alts, strict=True)]
                }
            }
        if part.link is not None:
            article: dict[str, Any] = {"source": part.link.url, "title": part.link.title}
            if part.link.description:
                article["description"] = part.link.description
            if thumbnail is not None:
                article["thumbnail"] = thumbnail
            return {"article": article}
        return None

    def _create(
        self, outgoing: Outgoing, part: OutgoingPart, content: dict[str, Any] | None
    ) -> Receipt:
        body: dict[str, Any] = {
            "author": self.organization,
            "commentary": commentary(part.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if content is not None:
            body["content"] = content
        where = f"the post of {outgoing.key}"
        try:
            response = self._client().post("/rest/posts", json=body)
        except httpx.RequestError as exc:
            if http.never_sent(exc):
                raise could_not_connect("LinkedIn", self.api, f"send {where}", exc) from None
            return self._settle(outgoing, part, f"no answer came back ({type(exc).__name__})")
        if response.status_code == 201:
            urn = response.headers.get("x-restli-id", "").strip()
            if urn:
                self._unsettled.pop(outgoing.key, None)
                return self._receipt(urn)
            return self._settle(outgoing, part, "LinkedIn answered 201 without the post's URN")
        answer = _Answer.of(response)
        if answer.status >= 500:
            # The service behind may have made the post before failing: ask the page.
            return self._settle(outgoing, part, f"LinkedIn answered {answer.says}")
        raise self._refusal(answer, f"sending {where}")

    def _settle(self, outgoing: Outgoing, part: OutgoingPart, lost: str) -> Receipt:
        """After a send whose outcome is not known: the post if the page holds it."""
        self._unsettled.setdefault(outgoing.key, 0)
        found = self._look_back(outgoing, part)
        if found is not None:
            return found
        raise NotSent(
            f"LinkedIn: {lost} for the post of {outgoing.key}, and the page's recent posts do "
            "not hold it: sending it again is safe (the page is read again first)",
            retryable=True,
        )

    # -- finding a post already sent ------------------------------------------------
    def _look_back(self, outgoing: Outgoing, part: OutgoingPart) -> Receipt | None:
        """This exact part among the page's recent posts, or None."""
        cutoff = dt.datetime.now(dt.UTC) - self.lookback_window
        for page in range(self.lookback_pages):
            try:
                elements = self._recent(page * PAGE_SIZE)
            except AuthError:
                raise
            except AdapterError as exc:
                raise self._unreadable(outgoing, exc) from None
            for post in elements:
                created = post.get("createdAt")
                if isinstance(created, int) and created / 1000 < cutoff.timestamp():
                    return None  # newest first: the rest are older still
                urn = str(post.get("id") or "")
                if urn and urn not in self._given and self._same(post, part):
                    self._unsettled.pop(outgoing.key, None)
                    return self._receipt(urn)
            if len(elements) < PAGE_SIZE:
                return None
        return None

    def _recent(self, start: int) -> list[Mapping[str, Any]]:
        params = {
            "q": "author",
            "author": self.organization,
            "count": str(PAGE_SIZE),
            "start": str(start),
            "sortBy": "CREATED",
        }
        answer = self._call(
            "GET",
            "/rest/posts",
            "reading the page's recent posts",
            params=params,
            headers={"X-RestLi-Method": "FINDER"},
        )
        elements = answer.get("elements")
        return [e for e in elements if isinstance(e, dict)] if isinstance(elements, list) else []

    def _same(self, post: Mapping[str, Any], part: OutgoingPart) -> bool:
        """Whether `post` on the page is `part`: its author, the text a reader sees,
        and the alt texts of its images, in order."""
        if post.get("author") != self.organization:
            return False
        if shown(str(post.get("commentary") or "")).strip() != part.text.strip():
            return False
        content = post.get("content") or {}
        media = content.get("media") if isinstance(content, dict) else None
        multi = content.get("multiImage") if isinstance(content, dict) else None
        listed = [media] if isinstance(media, dict) else []
        if isinstance(multi, dict) and isinstance(multi.get("images"), list):
            listed = [i for i in multi["images"] if isinstance(i, dict)]
        alts = [str(i.get("altText") or "").strip() for i in listed]
        return alts == [image.alt.strip() for image in part.images]

    def _unreadable(self, outgoing: Outgoing, exc: AdapterError) -> AdapterError:
        """The page could not be read. Before a first send nothing is out: try again
        later. While a lost answer is being settled, after `UNSETTLED_LIMIT` tries, a
        person must look."""
        if outgoing.key not in self._unsettled:
            return exc  # nothing was sent: the orchestrator tries again, or gives up
        why = exc.message.removeprefix("LinkedIn: ")
        self._unsettled[outgoing.key] += 1
        if self._unsettled[outgoing.key] >= UNSETTLED_LIMIT:
            return OutcomeUnknown(
                f"LinkedIn: the post of {outgoing.key} was sent but no answer came back, and "
                f"the page's posts could not be read to check ({why}); see "
                f"{self._page_url()} and record the post, or delete this entry to send it again"
            )
        return NotSent(
            f"LinkedIn: the post of {outgoing.key} was sent but no answer came back, and the "
            f"page's posts could not be read to check ({why}); trying again",
            retryable=True,
        )

    # -- images ----------------------------------------------------------------------
    def _upload(self, image: Image) -> str:
        """Upload one image through the Images API; its URN. Nothing is posted yet, so
        every failure here is safe to retry."""
        data = read_image(image, "LinkedIn")
        answer = self._call(
            "POST",
            "/rest/images",
            "starting an image upload",
            params={"action": "initializeUpload"},
            json={"initializeUploadRequest": {"owner": self.organization}},
        )
        value = answer.get("value")
        value = value if isinstance(value, dict) else {}
        upload_url, urn = str(value.get("uploadUrl") or ""), str(value.get("image") or "")
        if not upload_url or not urn:
            raise NotSent(
                f"LinkedIn: the image upload answered without an address: {answer}", retryable=True
            )
        if not self._ours(upload_url):
            where = urlsplit(upload_url).netloc
            raise NotSent(
                f"LinkedIn gave an upload address outside LinkedIn ({where}): "
                "the image was not sent",
                retryable=False,
            )
        self._call(
            "PUT",
            upload_url,
            f"uploading {image.path.name}",
            content=data,
            headers={"Content-Type": image.mime},
        )
        return urn

    def _ours(self, url: str) -> bool:
        """An address the token may go to: LinkedIn's, or the configured API's host."""
        parts, api = urlsplit(url), urlsplit(self.api)
        host = (parts.hostname or "").lower()
        if (parts.scheme, parts.netloc) == (api.scheme, api.netloc):
            return True
        return parts.scheme == "https" and (
            host == "linkedin.com" or host.endswith(".linkedin.com")
        )

    # -- retract and edit ------------------------------------------------------------
    def delete(self, receipt: Receipt) -> None:
        """Delete a post (a retraction). A post already gone counts as deleted."""
        if not receipt.id:
            raise NotSent("LinkedIn: this receipt has no post URN to delete", retryable=False)
        try:
            self._call(
                "DELETE",
                f"/rest/posts/{quote(receipt.id, safe='')}",
                f"deleting {receipt.id}",
                headers={"X-RestLi-Method": "DELETE"},
                gone_ok=True,
            )
        except _Gone:
            return

    def needs_edit(self, receipt: Receipt, outgoing: Outgoing, part: OutgoingPart) -> bool:
        """Whether the post's text on LinkedIn differs from `part` (asking LinkedIn, not
        the file, makes a correction idempotent)."""
        if not receipt.id:
            return False
        try:
            post = self._call(
                "GET",
                f"/rest/posts/{quote(receipt.id, safe='')}",
                f"reading {receipt.id}",
                gone_ok=True,
            )
        except _Gone:
            raise NotSent(
                f"LinkedIn: {receipt.id} is no longer on the page, so it cannot be corrected",
                retryable=False,
            ) from None
        return shown(str(post.get("commentary") or "")).strip() != part.text.strip()

    def edit(self, receipt: Receipt, outgoing: Outgoing, part: OutgoingPart) -> Receipt:
        """Correct the post's text in place (a PARTIAL_UPDATE of its commentary)."""
        if not receipt.id:
            raise NotSent("LinkedIn: only a post with a URN can be corrected", retryable=False)
        self._call(
            "POST",
            f"/rest/posts/{quote(receipt.id, safe='')}",
            f"correcting {receipt.id}",
            headers={"X-RestLi-Method": "PARTIAL_UPDATE"},
            json={"patch": {"$set": {"commentary": commentary(part.text)}}},
        )
        return Receipt(at=_now(), id=receipt.id, url=receipt.url or self.post_url(receipt.id))

    # -- calls -----------------------------------------------------------------------
    def _client(self) -> httpx.Client:
        if self._http is None:
            self.connect()
        if self._http is None:  # pragma: no cover - connect() made it
            raise AdapterError("LinkedInAdapter.connect() did not open a client")
        return self._http

    def _call(
        self, method: str, path: str, doing: str, *, gone_ok: bool = False, **request: Any
    ) -> dict[str, Any]:
        """A call that changes nothing if repeated, or whose failure leaves nothing
        behind: its JSON answer ({} when it has none). Failures are `AdapterError`s."""
        try:
            response = self._client().request(method, path, **request)
        except httpx.RequestError as exc:
            raise NotSent(
                f"LinkedIn: {doing} failed ({type(exc).__name__}: {exc})", retryable=True
            ) from None
        if response.is_success:
            answer = http.json_object(response) if response.content else {}
            if answer is None:
                raise NotSent(f"LinkedIn: {doing}: an answer that is not JSON", retryable=True)
            return answer
        failure = _Answer.of(response)
        if gone_ok and failure.status in (404, 410):
            raise _Gone
        raise self._refusal(failure, doing)

    def _refusal(self, answer: _Answer, doing: str) -> AdapterError:
        """What an error answer of LinkedIn means for the orchestrator."""
        if answer.status == 429:
            return NotSent(
                f"LinkedIn: rate limited while {doing} ({answer.says}); LinkedIn's limits are "
                f"per day and reset at midnight UTC, in {_until_midnight_utc()}",
                retryable=True,
                retry_after=answer.retry_after,
            )
        if answer.status == 426 or answer.code in ("VERSION_MISSING", "NONEXISTENT_VERSION"):
            return AuthError(
                f"LinkedIn does not serve API version {self.account.version!r} ({answer.says}): "
                "set `version` under [tool.clarion.accounts.linkedin] to a version LinkedIn "
                f"serves now (YYYYMM, at most a year old; {VERSIONING})"
            )
        if answer.status == 401:
            return AuthError(
                f"LinkedIn refused the access token while {doing} ({answer.says}): "
                f"{TOKEN_ENV} must hold a current token (they last 60 days) of an "
                f"administrator of the page, with the scopes {SCOPES}"
            )
        if answer.status == 403:
            return AuthError(
                f"LinkedIn does not let this token do that while {doing} ({answer.says}): the "
                f"token's member must administer the page {self.organization} and the token "
                f"needs the scopes {SCOPES} (the Community Management API product)"
            )
        return refused("LinkedIn", doing, answer.says, server_error=answer.status >= 500)

    def _receipt(self, urn: str) -> Receipt:
        self._given.add(urn)
        return Receipt(at=_now(), id=urn, url=self.post_url(urn))

    def post_url(self, urn: str) -> str:
        """The post's address on the web: {web}/feed/update/{urn}/."""
        return f"{self.account.web.rstrip('/')}/feed/update/{urn}/"

    def _page_url(self) -> str:
        page = self.account.page.strip().strip("/")
        return f"{self.account.web.rstrip('/')}/company/{page}/" if page else self.account.web


class _Gone(Exception):
    """The post is not (or no longer) on LinkedIn."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def from_settings(
    settings: Any, env: Mapping[str, str], *, timeout: float = DEFAULT_TIMEOUT, **options: Any
) -> LinkedInAdapter:
    """The adapter for the repository's LinkedIn page; the token comes from `env` only."""
    account = settings.account("linkedin")
    if not isinstance(account, LinkedInAccount):
        raise AuthError("LinkedIn: the settings have no [tool.clarion.accounts.linkedin] table")
    token = secret(env, TOKEN_ENV, "LinkedIn")
    return LinkedInAdapter(account, token, timeout=timeout, **options)
