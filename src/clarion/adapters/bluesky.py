"""Bluesky: each thread part is an `app.bsky.feed.post` record in the account's repository.

Only the account's PDS is used (any PDS, `service` in the settings), never the
app view: a session from the handle and an app password, then
`com.atproto.repo.*` calls.

No double posts: each part's record key is a TID derived from the post's key
and the part's index, the same on every attempt. Before creating a record the
adapter asks for that key; a record found there is a receipt that was lost and
is returned instead of posting again. A create whose answer is lost is settled
the same way, and creating under a key already taken fails on the PDS (a 500)
rather than duplicating, so trying again is always safe.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pydantic
from atproto import Client, Request, Session, SessionEvent, models  # type: ignore[import-untyped]
from atproto_client.exceptions import (  # type: ignore[import-untyped]
    BadRequestError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)

from clarion import tid
from clarion.adapters.base import (
    AdapterError,
    AuthError,
    Image,
    LinkCard,
    NotSent,
    Outgoing,
    OutgoingPart,
    Receipt,
)
from clarion.settings import BlueskyAccount, Settings
from clarion.text.bluesky import Mention, prepare

PASSWORD_ENV = "CLARION_BLUESKY_APP_PASSWORD"  # noqa: S105 (a variable name)
COLLECTION = "app.bsky.feed.post"
WEB = "https://bsky.app"
DEFAULT_TIMEOUT = 30.0

# Record keys are TIDs (atproto.com/specs/tid): 13 base32-sortable characters of a
# 64-bit integer: a zero bit, 53 bits of microseconds since the epoch, 10 bits of
# "clock id". Ours put a hash of the post's key in the timestamp, inside a span of
# the past no real post of Clarion's can collide with, and the part index in the
# clock id, so the parts of a thread sort in order.
_SPAN_START = int(dt.datetime(2023, 1, 1, tzinfo=dt.UTC).timestamp()) * 1_000_000
_SPAN_MICROS = 2 * 365 * 24 * 3600 * 1_000_000
MAX_PARTS = 1024  # the clock id's 10 bits

# Errors meaning "the access token is no longer good": log in again and retry once.
_STALE_SESSION = frozenset({"ExpiredToken", "InvalidToken"})

T = TypeVar("T")


def record_key(key: str, index: int) -> str:
    """The TID record key of part `index` of the post whose stable key is `key`."""
    if not 0 <= index < MAX_PARTS:
        raise ValueError(f"a thread has at most {MAX_PARTS} parts")
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    micros = _SPAN_START + int.from_bytes(digest[:8], "big") % _SPAN_MICROS
    return tid.encode(micros, index)


def post_url(handle: str, uri: str) -> str:
    """The bsky.app address of the post at `uri` (at://did/app.bsky.feed.post/rkey)."""
    return f"{WEB}/profile/{handle}/post/{uri.rsplit('/', 1)[1]}"


@dataclass(frozen=True)
class _Found:
    uri: str
    cid: str
    value: Mapping[str, Any]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _timestamp(moment: dt.datetime) -> str:
    """An atproto datetime as the official clients write it: UTC, milliseconds, `Z`."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _is_transport(exc: BaseException) -> bool:
    """No answer came back: a timeout, a reset, a connection closed without a response."""
    if isinstance(exc, httpx.TransportError):
        return True
    return isinstance(exc, RequestErrorBase) and exc.response is None


def _server_says(exc: RequestErrorBase) -> str:
    """The server's own words for an error answer: `Error: message`."""
    content = exc.response.content if exc.response is not None else None
    error = getattr(content, "error", None)
    message = getattr(content, "message", None)
    if error and message:
        return f"{error}: {message}"
    return str(error or message or f"HTTP {exc.response.status_code if exc.response else '?'}")


def _error_name(exc: BaseException) -> str | None:
    if isinstance(exc, RequestErrorBase) and exc.response is not None:
        name = getattr(exc.response.content, "error", None)
        return str(name) if name else None
    return None


def _status(exc: BaseException) -> int | None:
    if isinstance(exc, RequestErrorBase) and exc.response is not None:
        return int(exc.response.status_code)
    return None


def _retry_after(exc: RateLimitExceededError) -> float | None:
    seconds = exc.retry_after
    if seconds is not None:
        return float(seconds)
    reset_at: dt.datetime | None = exc.reset_at
    if reset_at is not None:
        return max((reset_at - dt.datetime.now(dt.UTC)).total_seconds(), 0.0)
    return None


class BlueskyAdapter:
    """Posts to one Bluesky account through its PDS."""

    name = "bluesky"

    def __init__(
        self,
        account: BlueskyAccount,
        app_password: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.account = account
        self._password = app_password
        self._timeout = timeout
        self._client: Any = None
        self._session: Session | None = None
        self._dids: dict[str, str | None] = {}  # handle -> did, None when it does not resolve

    # -- session ---------------------------------------------------------------------
    @property
    def did(self) -> str:
        return str(self._require_session().did)

    @property
    def handle(self) -> str:
        return str(self._require_session().handle)

    def _require_session(self) -> Session:
        if self._session is None:
            self.connect()
        if self._session is None:  # the client logged in without reporting a session
            raise AuthError("Bluesky: the PDS answered the login without a session")
        return self._session

    def connect(self) -> None:
        """Log in to the PDS (createSession only: no app view, no profile fetch)."""
        self.close()
        client = Client(base_url=self.account.service, request=Request(timeout=self._timeout))
        # The client refreshes the access token itself before it expires; the callback
        # keeps the session (did, handle) it holds after a login or a refresh.
        client.on_session_change(self._on_session_change)
        self._client = client
        self._login()

    def _login(self) -> None:
        try:
            self._client.login(self.account.handle, self._password, fetch_bsky_profile=False)
        except Exception as exc:
            if _is_transport(exc):
                raise NotSent(
                    f"Bluesky: could not reach {self.account.service} to log in "
                    f"({type(exc).__name__})",
                    retryable=True,
                ) from None
            if isinstance(exc, (UnauthorizedError, BadRequestError)):
                raise AuthError(
                    f"Bluesky: {self.account.service} refused to log in as "
                    f"{self.account.handle} ({_server_says(exc)}); check the handle in "
                    f"[tool.clarion.accounts.bluesky] and the app password in {PASSWORD_ENV}"
                ) from None
            if isinstance(exc, RequestErrorBase):
                raise self._refusal(exc, "logging in") from None
            raise

    def _on_session_change(self, event: SessionEvent, session: Session) -> None:
        self._session = session

    def close(self) -> None:
        if self._client is not None:
            self._client.request.close()
            self._client = None
            self._session = None

    def _call(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call the client; on a stale session, log in again and call once more."""
        self._require_session()
        try:
            return method(*args, **kwargs)
        except BadRequestError as exc:
            if _error_name(exc) not in _STALE_SESSION:
                raise
        self._login()  # on the same client, so `method` stays bound to it
        return method(*args, **kwargs)

    @property
    def _atproto(self) -> Any:
        """The client's com.atproto namespace, logged in."""
        self._require_session()
        return self._client.com.atproto

    # -- errors ----------------------------------------------------------------------
    def _refusal(self, exc: RequestErrorBase, doing: str) -> AdapterError:
        """What an error answer of the PDS means for the orchestrator."""
        where = f"Bluesky ({self.account.service}) {doing}"
        status = _status(exc) or 0
        if isinstance(exc, RateLimitExceededError) or status == 429:
            return NotSent(
                f"{where}: rate limited ({_server_says(exc)})",
                retryable=True,
                retry_after=_retry_after(exc) if isinstance(exc, RateLimitExceededError) else None,
            )
        if status in (401, 403):
            return AuthError(
                f"{where}: {_server_says(exc)}; check the account {self.account.handle} "
                f"and the app password in {PASSWORD_ENV}"
            )
        if status >= 500:
            return NotSent(f"{where}: server error ({_server_says(exc)})", retryable=True)
        return NotSent(f"{where}: {_server_says(exc)}", retryable=False)

    def _unreachable(self, exc: BaseException, doing: str) -> NotSent:
        return NotSent(
            f"Bluesky ({self.account.service}) {doing}: no answer ({type(exc).__name__})",
            retryable=True,
        )

    def _failure(self, exc: Exception, doing: str) -> AdapterError | None:
        """The adapter error for a failed call with no effect; None for a real bug."""
        if _is_transport(exc):
            return self._unreachable(exc, doing)
        if isinstance(exc, RequestErrorBase):
            return self._refusal(exc, doing)
        return None

    def _query(self, doing: str, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A call whose failure leaves nothing behind on the server."""
        try:
            return self._call(method, *args, **kwargs)
        except Exception as exc:
            failure = self._failure(exc, doing)
            if failure is None:
                raise
            raise failure from None

    # -- records ---------------------------------------------------------------------
    def _find(self, repo: str, rkey: str) -> _Found | None:
        """The post record under `rkey`, or None when there is none."""
        where = {"repo": repo, "collection": COLLECTION, "rkey": rkey}
        try:
            response = self._call(self._atproto.repo.get_record, where)
        except Exception as exc:
            if _error_name(exc) == "RecordNotFound":
                return None
            failure = self._failure(exc, f"looking up record {rkey}")
            if failure is None:
                raise
            raise failure from None
        value = response.value
        # A model of the record, or a DotDict for a type the client has no model of.
        fields = value.to_dict() if hasattr(value, "to_dict") else value.model_dump(by_alias=True)
        return _Found(str(response.uri), str(response.cid), dict(fields))

    def _receipt(self, uri: str, cid: str, at: dt.datetime) -> Receipt:
        return Receipt(at=at, id=uri, url=post_url(self.handle, uri), extra={"cid": cid})

    def _recovered(self, found: _Found) -> Receipt:
        """The receipt of a record already there, dated when it was created."""
        created = found.value.get("createdAt")
        try:
            at = dt.datetime.fromisoformat(str(created)).astimezone(dt.UTC).replace(microsecond=0)
        except ValueError:
            at = _now()
        return self._receipt(found.uri, found.cid, at)

    def send_part(
        self,
        outgoing: Outgoing,
        part: OutgoingPart,
        *,
        root: Receipt | None,
        parent: Receipt | None,
    ) -> Receipt:
        rkey = record_key(outgoing.key, part.index)
        found = self._find(self.did, rkey)
        if found is not None:
            return self._recovered(found)
        record = self._record(outgoing, part, root=root, parent=parent)
        return self._create(rkey, record)

    def _create(self, rkey: str, record: Any) -> Receipt:
        data = models.ComAtprotoRepoCreateRecord.Data(
            repo=self.did, collection=COLLECTION, rkey=rkey, record=record
        )
        doing = f"creating record {rkey}"
        for _attempt in range(2):
            try:
                response = self._call(self._atproto.repo.create_record, data)
            except Exception as exc:
                failure = self._failure(exc, doing)
                if failure is None:
                    raise
                lost = _is_transport(exc)  # the request went out, no answer came back
                if not lost and (_status(exc) or 0) < 500:
                    raise failure from None
                # The record may be there after all: this request landed and its answer
                # was lost, or an earlier one did and this one hit its key (a 500).
                found = self._find(self.did, rkey)
                if found is not None:
                    return self._recovered(found)
                if not lost:
                    raise failure from None
                continue  # it did not land; sending again under the same key cannot duplicate
            return self._receipt(str(response.uri), str(response.cid), _now())
        raise NotSent(
            f"Bluesky ({self.account.service}) {doing}: no answer, and no record under "
            "its key; trying again is safe",
            retryable=True,
        )

    def delete(self, receipt: Receipt) -> None:
        """Delete the post of `receipt` (a retraction). Deleting what is gone is fine."""
        if not receipt.id:
            raise NotSent(
                "Bluesky: nothing to delete: the receipt has no record uri", retryable=False
            )
        repo, collection, rkey = _parse_uri(receipt.id)
        self._query(
            f"deleting {receipt.id}",
            self._atproto.repo.delete_record,
            {"repo": repo, "collection": collection, "rkey": rkey},
        )

    # -- the record ------------------------------------------------------------------
    def _record(
        self,
        outgoing: Outgoing,
        part: OutgoingPart,
        *,
        root: Receipt | None,
        parent: Receipt | None,
    ) -> Any:
        prepared = prepare(part.text)
        try:
            facets = [
                models.AppBskyRichtextFacet.Main.model_validate(dict(facet))
                for facet in prepared.facets
            ]
            facets.extend(self._mention_facets(prepared.mentions))
            facets.sort(key=lambda facet: facet.index.byte_start)
            return models.AppBskyFeedPost.Record(
                text=prepared.text,
                created_at=_timestamp(dt.datetime.now(dt.UTC)),
                facets=facets or None,
                langs=[outgoing.lang] if outgoing.lang else None,
                reply=self._reply(root, parent),
                embed=self._embed(part),
            )
        except pydantic.ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(p) for p in problem["loc"])
            raise NotSent(
                f"Bluesky: part {part.index + 1} of {outgoing.key} is not a valid post: "
                f"{where}: {problem['msg']}",
                retryable=False,
            ) from None

    def _mention_facets(self, mentions: Sequence[Mention]) -> list[Any]:
        facets = []
        for mention in mentions:
            did = self._resolve(mention.handle)
            if did is None:
                continue  # a handle that does not resolve stays plain text
            facets.append(
                models.AppBskyRichtextFacet.Main(
                    index=models.AppBskyRichtextFacet.ByteSlice(
                        byte_start=mention.byte_start, byte_end=mention.byte_end
                    ),
                    features=[models.AppBskyRichtextFacet.Mention(did=did)],
                )
            )
        return facets

    def _resolve(self, handle: str) -> str | None:
        handle = handle.lower().lstrip("@")
        if handle not in self._dids:
            try:
                response = self._call(self._atproto.identity.resolve_handle, {"handle": handle})
            except Exception as exc:
                if _status(exc) != 400 or _error_name(exc) in _STALE_SESSION:
                    failure = self._failure(exc, f"resolving @{handle}")
                    if failure is None:
                        raise
                    raise failure from None
                self._dids[handle] = None  # no such account: the mention stays plain text
            else:
                self._dids[handle] = str(response.did)
        return self._dids[handle]

    def _strong_ref(self, receipt: Receipt, what: str) -> Any:
        """uri + cid of an earlier part; the cid is asked for when the receipt lacks it."""
        if not receipt.id:
            raise NotSent(
                f"Bluesky: the {what} of this reply has no record (its outcome is unknown); "
                "settle it first",
                retryable=False,
            )
        cid = receipt.extra.get("cid")
        if not cid:
            repo, _collection, rkey = _parse_uri(receipt.id)
            found = self._find(repo, rkey)
            if found is None:
                raise NotSent(
                    f"Bluesky: the {what} of this reply, {receipt.id}, is not on the PDS "
                    "(deleted?)",
                    retryable=False,
                )
            cid = found.cid
        return models.ComAtprotoRepoStrongRef.Main(uri=receipt.id, cid=cid)

    def _reply(self, root: Receipt | None, parent: Receipt | None) -> Any:
        first = root or parent
        if first is None:
            return None
        root_ref = self._strong_ref(first, "thread's first post")
        if parent is None or parent.id == first.id:
            parent_ref = root_ref
        else:
            parent_ref = self._strong_ref(parent, "previous post")
        return models.AppBskyFeedPost.ReplyRef(root=root_ref, parent=parent_ref)

    def _embed(self, part: OutgoingPart) -> Any:
        # Bluesky allows one embed: with images, the link card is dropped (its URL
        # stays a link in the text).
        if part.images:
            return models.AppBskyEmbedImages.Main(
                images=[self._image(image) for image in part.images]
            )
        if part.link is not None:
            return self._card(part.link)
        return None

    def _image(self, image: Image) -> Any:
        ratio = None
        if image.width > 0 and image.height > 0:
            ratio = models.AppBskyEmbedDefs.AspectRatio(width=image.width, height=image.height)
        return models.AppBskyEmbedImages.Image(
            alt=image.alt, image=self._upload(image), aspect_ratio=ratio
        )

    def _card(self, link: LinkCard) -> Any:
        thumb = self._upload(link.thumbnail) if link.thumbnail is not None else None
        return models.AppBskyEmbedExternal.Main(
            external=models.AppBskyEmbedExternal.External(
                uri=link.url, title=link.title, description=link.description, thumb=thumb
            )
        )

    def _upload(self, image: Image) -> Any:
        """Upload an image as a blob; unreferenced blobs are dropped by the PDS later."""
        response = self._query(
            f"uploading {image.path.name}",
            # `content=` rather than the data argument: httpx deprecates raw bytes as data.
            self._atproto.repo.upload_blob,
            None,
            content=image.read(),
            headers={"Content-Type": image.mime},
        )
        return response.blob


def _parse_uri(uri: str) -> tuple[str, str, str]:
    """at://repo/collection/rkey -> (repo, collection, rkey)."""
    parts = uri.removeprefix("at://").split("/")
    if not uri.startswith("at://") or len(parts) != 3:
        raise NotSent(f"Bluesky: {uri!r} is not the at:// uri of a record", retryable=False)
    return parts[0], parts[1], parts[2]


def from_settings(
    settings: Settings, env: Mapping[str, str], *, timeout: float = DEFAULT_TIMEOUT
) -> BlueskyAdapter:
    """The adapter for the repository's Bluesky account; the app password from `env`."""
    account = settings.account("bluesky")
    if not isinstance(account, BlueskyAccount):
        raise AuthError(
            "Bluesky: no account configured; add [tool.clarion.accounts.bluesky] with "
            "`handle` (and `service` for a PDS other than bsky.social) to pyproject.toml"
        )
    password = env.get(PASSWORD_ENV, "")
    if not password:
        raise AuthError(
            f"Bluesky: {PASSWORD_ENV} is not set; create an app password in Bluesky's "
            "settings (Privacy and security > App passwords) and store it as a secret"
        )
    return BlueskyAdapter(account, password, timeout=timeout)
