"""Bluesky: each thread part is an `app.bsky.feed.post` record in the account's repository.

Only the account's PDS is used (any PDS, `service` in the settings), never the
app view: a session from the handle and an app password, then
`com.atproto.repo.*` calls, over `clarion.adapters.xrpc` (plain HTTP and JSON:
atproto's own client costs half a second of imports before the first request).

No double posts: each part's record key is a TID derived from the post's key
and the part's index, the same on every attempt. Before creating a record the
adapter asks for that key; a record found there is a receipt that was lost and
is returned instead of posting again. A create whose answer is lost is settled
the same way, and creating under a key already taken fails on the PDS (a 500)
rather than duplicating, so trying again is always safe.

At the speed of the network: the first part's look-up asks for the keys of the
parts after it at the same time, and a part's images are uploaded, its mentions
resolved and its reply references read side by side with its look-up; only the
records are created one after the other, each replying to the one before.

Pinning (`pin: true`) sets `pinnedPost` in the account's profile record
(app.bsky.actor.profile, key `self`): the profile is read, changed in that one
field and put back with `swapRecord`, so a profile edited meanwhile is read
again rather than overwritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from atproto_core.exceptions import InvalidAtUriError  # type: ignore[import-untyped]
from atproto_core.uri import AtUri  # type: ignore[import-untyped]

from clarion import __version__, tid
from clarion.adapters.base import (
    AdapterError,
    AuthError,
    Image,
    LinkCard,
    NotSent,
    Outgoing,
    OutgoingPart,
    Receipt,
    SideBySide,
)
from clarion.adapters.xrpc import STALE_SESSION, NoAnswer, Session, XrpcClient, XrpcError
from clarion.settings import BlueskyAccount, Settings
from clarion.text.bluesky import Mention, prepare

PASSWORD_ENV = "CLARION_BLUESKY_APP_PASSWORD"  # noqa: S105 (a variable name)
COLLECTION = "app.bsky.feed.post"
PROFILE = "app.bsky.actor.profile"
PROFILE_KEY = "self"  # the profile record's one key
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


def record_key(key: str, index: int) -> str:
    """The TID record key of part `index` of the post whose stable key is `key`."""
    if not 0 <= index < MAX_PARTS:
        raise ValueError(f"a thread has at most {MAX_PARTS} parts")
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    micros = _SPAN_START + int.from_bytes(digest[:8], "big") % _SPAN_MICROS
    return tid.encode(micros, index)


def post_url(handle: str, uri: str, web: str = WEB) -> str:
    """The web address of the post at `uri` (at://did/app.bsky.feed.post/rkey): on
    bsky.app, or where the account's `web` setting says (the sandbox's stand-in)."""
    return f"{web.rstrip('/')}/profile/{handle}/post/{record_uri(uri).rkey}"


def record_uri(uri: str) -> Any:
    """`uri` as atproto's `AtUri`, when it is the at:// uri of one record
    (repository, collection, key, nothing more); otherwise `NotSent`."""
    try:
        parsed = AtUri.from_str(uri)
    except InvalidAtUriError:
        parsed = None
    # AtUri takes "at://" as optional and ignores path segments past the key.
    if (
        parsed is None
        or not uri.startswith("at://")
        or not parsed.rkey
        or parsed.pathname != f"/{parsed.collection}/{parsed.rkey}"
        or parsed.search_params
        or parsed.hash
    ):
        raise NotSent(f"Bluesky: {uri!r} is not the at:// uri of a record", retryable=False)
    return parsed


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


def _handle(mention: Mention) -> str:
    return mention.handle.lower().lstrip("@")


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
        self._xrpc: XrpcClient | None = None
        self._dids: dict[str, str | None] = {}  # handle -> did, None when it does not resolve
        # What the look-ahead found under the keys of a thread's later parts; each is
        # used once, by that part's first attempt (a retry looks again).
        self._ahead: dict[str, _Found | None] = {}

    # -- session ---------------------------------------------------------------------
    @property
    def did(self) -> str:
        return self._session().did

    @property
    def handle(self) -> str:
        return self._session().handle

    def connect(self) -> None:
        """Log in to the PDS (createSession only: no app view, no profile fetch)."""
        self._connect()

    def _connect(self) -> XrpcClient:
        self.close()
        client = XrpcClient(
            self.account.service,
            self.account.handle,
            self._password,
            timeout=self._timeout,
            user_agent=f"clarion/{__version__}",
        )
        self._xrpc = client
        try:
            client.login()
        except NoAnswer as exc:
            raise self._failure(exc, "logging in") from None
        except XrpcError as exc:
            if exc.status in (400, 401):
                raise AuthError(
                    f"Bluesky: {self.account.service} refused to log in as "
                    f"{self.account.handle} ({exc.says}); check the handle in "
                    f"[tool.clarion.accounts.bluesky] and the app password in {PASSWORD_ENV}"
                ) from None
            raise self._refusal(exc, "logging in") from None
        return client

    def _client(self) -> XrpcClient:
        return self._xrpc if self._xrpc is not None else self._connect()

    def _session(self) -> Session:
        client = self._client()
        try:
            return client.session  # refreshed here when it is about to expire
        except (XrpcError, NoAnswer) as exc:
            raise self._failure(exc, "renewing the session") from None

    def close(self) -> None:
        if self._xrpc is not None:
            self._xrpc.close()
            self._xrpc = None

    # -- errors ----------------------------------------------------------------------
    def _refusal(self, exc: XrpcError, doing: str) -> AdapterError:
        """What an error answer of the PDS means for the orchestrator."""
        where = f"Bluesky ({self.account.service}) {doing}"
        if exc.status == 429:
            return NotSent(
                f"{where}: rate limited ({exc.says})",
                retryable=True,
                retry_after=exc.retry_after(),
            )
        if exc.status in (401, 403):
            return AuthError(
                f"{where}: {exc.says}; check the account {self.account.handle} "
                f"and the app password in {PASSWORD_ENV}"
            )
        if exc.status >= 500:
            return NotSent(f"{where}: server error ({exc.says})", retryable=True)
        return NotSent(f"{where}: {exc.says}", retryable=False)

    def _failure(self, exc: XrpcError | NoAnswer, doing: str) -> AdapterError:
        """The adapter error for a call that failed without effect."""
        if isinstance(exc, XrpcError):
            return self._refusal(exc, doing)
        if isinstance(exc, httpx.DecodingError):
            return NotSent(
                f"Bluesky ({self.account.service}) {doing}: an answer it could not read ({exc})",
                retryable=True,
            )
        return NotSent(
            f"Bluesky ({self.account.service}) {doing}: no answer ({type(exc).__name__})",
            retryable=True,
        )

    def _procedure(self, doing: str, nsid: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """A procedure whose failure leaves nothing behind on the server."""
        try:
            return self._client().procedure(nsid, body)
        except (XrpcError, NoAnswer) as exc:
            raise self._failure(exc, doing) from None

    # -- records ---------------------------------------------------------------------
    def _find(self, repo: str, rkey: str, collection: str = COLLECTION) -> _Found | None:
        """The record under `rkey` (a post unless `collection` says), or None when there is none."""
        where = {"repo": repo, "collection": collection, "rkey": rkey}
        try:
            answer = self._client().query(
                "com.atproto.repo.getRecord", where, expect=("uri", "cid", "value")
            )
        except XrpcError as exc:
            if exc.error == "RecordNotFound":
                return None
            raise self._refusal(exc, f"looking up record {rkey}") from None
        except NoAnswer as exc:
            raise self._failure(exc, f"looking up record {rkey}") from None
        value = answer["value"]
        return _Found(
            str(answer["uri"]), str(answer["cid"]), value if isinstance(value, dict) else {}
        )

    def _receipt(self, uri: str, cid: str, at: dt.datetime) -> Receipt:
        return Receipt(
            at=at, id=uri, url=post_url(self.handle, uri, self.account.web), extra={"cid": cid}
        )

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
        did = self.did
        rkey = record_key(outgoing.key, part.index)
        keys: list[str] = []
        if rkey in self._ahead:  # looked up moments ago, with an earlier part
            known = self._ahead.pop(rkey)
            if known is not None:
                return self._recovered(known)
        else:  # this part's key, and those of the parts after it while we are asking
            keys = [record_key(outgoing.key, p.index) for p in outgoing.parts[part.index :]]
        thread = self._thread(root, parent)
        prepared = prepare(part.text)
        handles = [h for h in dict.fromkeys(map(_handle, prepared.mentions)) if h not in self._dids]
        images = part.images
        if not images and part.link is not None and part.link.thumbnail is not None:
            images = (part.link.thumbnail,)
        with SideBySide() as batch:
            looked = {key: batch.submit(self._find, did, key) for key in keys}
            blobs = [batch.submit(self._upload, image) for image in images]
            dids = {handle: batch.submit(self._resolve, handle) for handle in handles}
            refs = {role: batch.submit(self._strong_ref, *ref) for role, ref in thread.items()}
        found = {key: f.result() for key, f in looked.items() if f.exception() is None}
        mine = found.pop(rkey, None)
        self._ahead.update(found)
        if mine is not None:
            return self._recovered(mine)  # whatever else failed beside its look-up
        batch.raise_failure()
        self._dids.update((handle, f.result()) for handle, f in dids.items())
        record = self._record(
            outgoing,
            part,
            prepared.text,
            [*map(dict, prepared.facets), *self._mention_facets(prepared.mentions)],
            {role: f.result() for role, f in refs.items()},
            [f.result() for f in blobs],
        )
        return self._create(did, rkey, record)

    def _create(self, did: str, rkey: str, record: Mapping[str, Any]) -> Receipt:
        """Create the record under `rkey`, once: trying again is the orchestrator's to decide
        (its retry policy is the one budget of a part), and is safe under the same key."""
        doing = f"creating record {rkey}"
        body = {"repo": did, "collection": COLLECTION, "rkey": rkey, "record": record}
        try:
            answer = self._client().procedure(
                "com.atproto.repo.createRecord", body, expect=("uri", "cid")
            )
        except (XrpcError, NoAnswer) as exc:
            failure = self._failure(exc, doing)
            lost = isinstance(exc, NoAnswer)  # the request went out, no answer came back
            if isinstance(exc, XrpcError) and exc.status < 500:
                raise failure from None
            # The record may be there after all: this request landed and its answer
            # was lost, or an earlier one did and this one hit its key (a 500).
            found = self._find(did, rkey)
            if found is not None:
                return self._recovered(found)
            if lost:
                raise NotSent(
                    f"Bluesky ({self.account.service}) {doing}: no answer it could read, and "
                    "no record under its key; sending again is safe",
                    retryable=True,
                ) from None
            raise failure from None
        return self._receipt(str(answer["uri"]), str(answer["cid"]), _now())

    def delete(self, receipt: Receipt) -> None:
        """Delete the post of `receipt` (a retraction). Deleting what is gone is fine."""
        if not receipt.id:
            raise NotSent(
                "Bluesky: nothing to delete: the receipt has no record uri", retryable=False
            )
        uri = record_uri(receipt.id)
        self._procedure(
            f"deleting {receipt.id}",
            "com.atproto.repo.deleteRecord",
            {"repo": uri.host, "collection": uri.collection, "rkey": uri.rkey},
        )

    def pin(self, receipt: Receipt) -> None:
        """Pin the post of `receipt` on the account's profile: the profile record's
        `pinnedPost`, every other field of the profile kept. Pinning what is pinned
        changes nothing, so trying again is always safe."""
        if not receipt.id:
            raise NotSent("Bluesky: nothing to pin: the receipt has no record uri", retryable=False)
        doing = f"pinning {receipt.id}"
        uri = record_uri(receipt.id)
        cid = receipt.extra.get("cid")
        if not cid:  # a receipt read back from the file
            found = self._find(uri.host, uri.rkey, uri.collection)
            if found is None:
                raise NotSent(
                    f"Bluesky: {doing}: the post is not on the PDS (deleted?)", retryable=False
                )
            cid = found.cid
        post = {"uri": receipt.id, "cid": cid}
        did = self.did
        profile = self._find(did, PROFILE_KEY, PROFILE)
        record: dict[str, Any] = dict(profile.value) if profile else {"$type": PROFILE}
        if record.get("pinnedPost") == post:
            return
        record["pinnedPost"] = post
        body = {
            "repo": did,
            "collection": PROFILE,
            "rkey": PROFILE_KEY,
            "record": record,
            # The profile as read, or none yet: a change made meanwhile is not overwritten.
            "swapRecord": profile.cid if profile else None,
        }
        try:
            self._client().procedure("com.atproto.repo.putRecord", body, expect=("uri", "cid"))
        except XrpcError as exc:
            if exc.error == "InvalidSwap":
                raise NotSent(
                    f"Bluesky ({self.account.service}) {doing}: the profile changed while it "
                    "was being pinned; reading it again is safe",
                    retryable=True,
                ) from None
            raise self._refusal(exc, doing) from None
        except NoAnswer as exc:
            raise self._failure(exc, doing) from None

    # -- the record ------------------------------------------------------------------
    def _record(
        self,
        outgoing: Outgoing,
        part: OutgoingPart,
        text: str,
        facets: list[dict[str, Any]],
        reply: Mapping[str, Mapping[str, str]],
        blobs: Sequence[Mapping[str, Any]],
    ) -> dict[str, Any]:
        """The record in its JSON form; the PDS checks it against the lexicon."""
        record: dict[str, Any] = {
            "$type": COLLECTION,
            "text": text,
            "createdAt": _timestamp(dt.datetime.now(dt.UTC)),
        }
        if facets:
            record["facets"] = sorted(facets, key=lambda facet: facet["index"]["byteStart"])
        if outgoing.lang:
            record["langs"] = [outgoing.lang]
        if reply:
            record["reply"] = {"root": reply["root"], "parent": reply.get("parent", reply["root"])}
        # Bluesky allows one embed: with images, the link card is dropped (its URL
        # stays a link in the text).
        if part.images:
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [
                    _image(image, blob) for image, blob in zip(part.images, blobs, strict=True)
                ],
            }
        elif part.link is not None:
            record["embed"] = _card(part.link, blobs[0] if blobs else None)
        return record

    def _mention_facets(self, mentions: Sequence[Mention]) -> list[dict[str, Any]]:
        facets = []
        for mention in mentions:
            did = self._dids.get(_handle(mention))
            if did is None:
                continue  # a handle that does not resolve stays plain text
            facets.append(
                {
                    "index": {"byteStart": mention.byte_start, "byteEnd": mention.byte_end},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
                }
            )
        return facets

    def _resolve(self, handle: str) -> str | None:
        """The DID of `handle`, or None when there is no such account."""
        doing = f"resolving @{handle}"
        try:
            answer = self._client().query(
                "com.atproto.identity.resolveHandle", {"handle": handle}, expect=("did",)
            )
        except XrpcError as exc:
            if exc.status == 400 and exc.error not in STALE_SESSION:
                return None  # no such account: the mention stays plain text
            raise self._refusal(exc, doing) from None
        except NoAnswer as exc:
            raise self._failure(exc, doing) from None
        return str(answer["did"])

    def _thread(
        self, root: Receipt | None, parent: Receipt | None
    ) -> dict[str, tuple[Receipt, str]]:
        """The earlier parts a reply names (role -> receipt, what it is), checked to have a
        record; the parent is left out when it is the root, whose reference serves both."""
        first = root or parent
        if first is None:
            return {}
        thread = {"root": (first, "thread's first post")}
        if parent is not None and parent.id != first.id:
            thread["parent"] = (parent, "previous post")
        for receipt, what in thread.values():
            if not receipt.id:
                raise NotSent(
                    f"Bluesky: the {what} of this reply has no record (its outcome is "
                    "unknown); settle it first",
                    retryable=False,
                )
        return thread

    def _strong_ref(self, receipt: Receipt, what: str) -> dict[str, str]:
        """uri + cid of an earlier part; the cid is asked for when the receipt lacks it."""
        uri = str(receipt.id)
        cid = receipt.extra.get("cid")
        if not cid:
            parsed = record_uri(uri)
            found = self._find(parsed.host, parsed.rkey)
            if found is None:
                raise NotSent(
                    f"Bluesky: the {what} of this reply, {uri}, is not on the PDS (deleted?)",
                    retryable=False,
                )
            cid = found.cid
        return {"uri": uri, "cid": cid}

    def _upload(self, image: Image) -> dict[str, Any]:
        """Upload an image as a blob; unreferenced blobs are dropped by the PDS later."""
        doing = f"uploading {image.path.name}"
        try:
            answer = self._client().procedure(
                "com.atproto.repo.uploadBlob",
                content=image.read(),
                content_type=image.mime,
                expect=("blob",),
            )
        except (XrpcError, NoAnswer) as exc:
            raise self._failure(exc, doing) from None
        blob = answer["blob"]
        if not isinstance(blob, dict):
            raise NotSent(
                f"Bluesky ({self.account.service}) {doing}: the answer's blob is not an object",
                retryable=True,
            )
        return blob


def _image(image: Image, blob: Mapping[str, Any]) -> dict[str, Any]:
    embedded: dict[str, Any] = {"alt": image.alt, "image": dict(blob)}
    if image.width > 0 and image.height > 0:
        embedded["aspectRatio"] = {"width": image.width, "height": image.height}
    return embedded


def _card(link: LinkCard, thumb: Mapping[str, Any] | None) -> dict[str, Any]:
    external: dict[str, Any] = {
        "uri": link.url,
        "title": link.title,
        "description": link.description,
    }
    if thumb is not None:
        external["thumb"] = dict(thumb)
    return {"$type": "app.bsky.embed.external", "external": external}


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
