"""A stand-in for a Bluesky PDS: the XRPC methods Clarion's adapter calls.

It answers as the reference PDS (@atproto/pds) does for those methods: the same
response bodies, error names and messages, status codes (a duplicate record key
is a 500, a missing record a 400 `RecordNotFound`, an expired token a 400
`ExpiredToken`), `RateLimit-*` headers and 429s, HS256 session tokens that the
client refreshes, content ids computed from the record's DAG-CBOR as a PDS
computes them, and the lexicon checks of `app.bsky.feed.post` (300 graphemes,
3000 bytes, 4 images of at most 2,000,000 bytes, ...). It keeps what it was
sent so tests and `clarion publish --sandbox` can show it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
import libipld
import regex  # type: ignore[import-untyped, unused-ignore]

from clarion import tid
from clarion.sandbox.server import Request, Response, StandIn
from clarion.settings import BlueskyAccount

SANDBOX_HANDLE = "clarion.test"
SANDBOX_APP_PASSWORD = "sand-box0-clar-ion0"  # noqa: S105 (the sandbox's, public)
PASSWORD_ENV = "CLARION_BLUESKY_APP_PASSWORD"  # noqa: S105 (a variable name)

POST = "app.bsky.feed.post"
SERVICE_DOMAINS = (".test",)  # handles this PDS is authoritative for, as a dev-env PDS
BLOB_UPLOAD_LIMIT = 5 * 1024 * 1024  # the PDS default (PDS_BLOB_UPLOAD_LIMIT)
IMAGE_MAX_SIZE = 2_000_000  # app.bsky.embed.images#image.image maxSize
THUMB_MAX_SIZE = 1_000_000  # app.bsky.embed.external#external.thumb maxSize
ACCESS_TTL = dt.timedelta(hours=2)
REFRESH_TTL = dt.timedelta(days=90)

_RECORD_KEY = re.compile(r"^[a-zA-Z0-9_~.:-]{1,512}$")
_DID = re.compile(r"^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$")
_LANGUAGE = re.compile(r"^(i|[a-z]{2,3})(-[a-zA-Z0-9]+)*$")
_URI = re.compile(r"^\w+:(?://)?[^\s/][^\s]*$")
_HANDLE = re.compile(
    r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)


class XrpcError(Exception):
    """An error answer in the XRPC shape `{"error": ..., "message": ...}`."""

    def __init__(
        self, status: int, error: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.headers = dict(headers or {})

    def response(self) -> Response:
        return Response.json(
            {"error": self.error, "message": self.message}, self.status, self.headers
        )


def _invalid(message: str, error: str = "InvalidRequest") -> XrpcError:
    return XrpcError(400, error, message)


# -- content ids ----------------------------------------------------------------


def _cid_bytes(cid: str) -> bytes:
    """The binary form of a CID in its string form; ValueError if it is not one."""
    _, raw = libipld.decode_multibase(cid)
    libipld.decode_cid(raw)
    return raw


def _ipld(value: Any) -> Any:
    """A record in its JSON form (`$link`, `$bytes`) as the IPLD data libipld encodes.

    libipld takes a link as the CID's bytes: it writes any bytes that parse as a
    CID as a link (tag 42), so a `$bytes` value holding exactly a CID would come
    out a link. Post records hold no `$bytes`.
    """
    if isinstance(value, float):
        raise ValueError("floats are not allowed in atproto records")  # noqa: TRY004
    if isinstance(value, list):
        return [_ipld(item) for item in value]
    if isinstance(value, dict):
        if set(value) == {"$link"}:
            return _cid_bytes(value["$link"])
        if set(value) == {"$bytes"}:
            return base64.b64decode(value["$bytes"] + "=" * (-len(value["$bytes"]) % 4))
        return {key: _ipld(item) for key, item in value.items()}
    return value


def dag_cbor(value: Any) -> bytes:
    """The DAG-CBOR encoding of a record in its JSON form (`$link` and `$bytes` included)."""
    return libipld.encode_dag_cbor(_ipld(value))


def _cid(codec: int, data: bytes) -> str:
    # CIDv1, the codec, then the multihash: sha2-256 (0x12) of 32 bytes (0x20).
    return libipld.encode_cid(bytes([0x01, codec, 0x12, 0x20]) + hashlib.sha256(data).digest())


def record_cid(record: Any) -> str:
    """The CIDv1 (dag-cbor, sha-256) a PDS gives this record: `bafyrei...`."""
    return _cid(0x71, dag_cbor(record))


def blob_cid(data: bytes) -> str:
    """The CIDv1 (raw, sha-256) a PDS gives an uploaded blob: `bafkrei...`."""
    return _cid(0x55, data)


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# -- rate limits ------------------------------------------------------------------


@dataclass
class RateLimit:
    """A fixed window of `points` per `window` seconds per key, as the PDS's limiters."""

    points: int
    window: int
    used: dict[str, tuple[float, int]] = field(default_factory=dict)

    def consume(self, key: str, cost: int) -> tuple[bool, dict[str, str]]:
        now = time.time()
        start, spent = self.used.get(key, (now, 0))
        if now - start >= self.window:
            start, spent = now, 0
        allowed = spent + cost <= self.points
        if allowed:
            spent += cost
        self.used[key] = (start, spent)
        headers = {
            "RateLimit-Limit": str(self.points),
            "RateLimit-Reset": str(int(start + self.window)),
            "RateLimit-Remaining": str(max(self.points - spent, 0)),
            "RateLimit-Policy": f"{self.points};w={self.window}",
        }
        return allowed, headers


# -- state ----------------------------------------------------------------------


@dataclass
class Account:
    handle: str
    did: str
    passwords: tuple[str, ...] = ()


@dataclass
class StoredRecord:
    uri: str
    cid: str
    value: dict[str, Any]
    created: str  # when the PDS took it
    deleted: bool = False

    @property
    def rkey(self) -> str:
        return self.uri.rsplit("/", 1)[1]


@dataclass
class Blob:
    cid: str
    mime: str
    data: bytes


def _did_for(handle: str) -> str:
    digest = hashlib.sha256(handle.encode("utf-8")).digest()
    return "did:plc:" + base64.b32encode(digest).decode("ascii").lower()[:24]


class BlueskyStandIn(StandIn):
    """A Bluesky PDS on 127.0.0.1 with one account (`SANDBOX_HANDLE`, `SANDBOX_APP_PASSWORD`).

    `other_handles` are further accounts it knows (to resolve @mentions of them);
    `access_ttl` shortens the access tokens' life to exercise the client's refresh;
    `write_points` is the hourly repo-write budget (a post costs 3).
    """

    name = "bluesky"

    def __init__(
        self,
        *,
        handle: str = SANDBOX_HANDLE,
        app_password: str = SANDBOX_APP_PASSWORD,
        other_handles: tuple[str, ...] = (),
        access_ttl: dt.timedelta = ACCESS_TTL,
        write_points: int = 5000,
        blob_limit: int = BLOB_UPLOAD_LIMIT,
        latency: float = 0.0,
    ) -> None:
        super().__init__(latency=latency)
        self.account = Account(handle, _did_for(handle), (app_password,))
        self.accounts = [self.account, *(Account(h, _did_for(h)) for h in other_handles)]
        self.access_ttl = access_ttl
        self.blob_limit = blob_limit
        self.records: dict[str, StoredRecord] = {}  # by at:// uri
        self.blobs: dict[str, Blob] = {}
        self._secret = secrets.token_bytes(32)
        self._rotated: dict[str, dict[str, Any]] = {}  # refresh token id -> its successor
        self._clock_id = secrets.randbelow(tid.CLOCK_IDS)
        self._limits = {
            "write-hour": RateLimit(write_points, 3600),
            "write-day": RateLimit(write_points * 7, 86400),
            "session-5min": RateLimit(30, 300),
            "session-day": RateLimit(300, 86400),
            "blob-day": RateLimit(1000, 86400),
        }
        xrpc: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("POST", "com.atproto.server.createSession"): self._create_session,
            ("POST", "com.atproto.server.refreshSession"): self._refresh_session,
            ("GET", "com.atproto.server.getSession"): self._get_session,
            ("GET", "com.atproto.identity.resolveHandle"): self._resolve_handle,
            ("POST", "com.atproto.repo.createRecord"): self._create_record,
            ("GET", "com.atproto.repo.getRecord"): self._get_record,
            ("GET", "com.atproto.repo.listRecords"): self._list_records,
            ("POST", "com.atproto.repo.deleteRecord"): self._delete_record,
            ("POST", "com.atproto.repo.uploadBlob"): self._upload_blob,
        }
        for (method, nsid), handler in xrpc.items():
            self.route(method, f"/xrpc/{nsid}", self._answering(handler))

    # -- what it received ---------------------------------------------------------
    def posts(self, *, include_deleted: bool = False) -> list[StoredRecord]:
        """The `app.bsky.feed.post` records it took, in the order it took them."""
        return [
            r
            for r in self.records.values()
            if f"/{POST}/" in r.uri and (include_deleted or not r.deleted)
        ]

    def received(self) -> list[dict[str, Any]]:
        """Each post record as stored: uri, cid, rkey, the record itself, deleted."""
        return [
            {"uri": r.uri, "cid": r.cid, "rkey": r.rkey, "record": r.value, "deleted": r.deleted}
            for r in self.posts(include_deleted=True)
        ]

    def describe(self) -> str:
        """What it received, for people: each post's text, thread, images, card, language."""
        posts = self.posts(include_deleted=True)
        lines = [f"Bluesky stand-in ({self.account.handle}): {len(posts)} post(s)"]
        numbers = {r.uri: n for n, r in enumerate(posts, 1)}
        handles = {a.did: a.handle for a in self.accounts}
        for number, stored in enumerate(posts, 1):
            value = stored.value
            head = f"[{number}] {stored.uri}"
            if stored.deleted:
                head += " (deleted)"
            lines.append(head)
            reply = value.get("reply")
            if isinstance(reply, dict):
                parent = reply.get("parent", {}).get("uri", "")
                root = reply.get("root", {}).get("uri", "")
                lines.append(
                    f"    reply to [{numbers.get(parent, parent)}] in the thread of "
                    f"[{numbers.get(root, root)}]"
                )
            if value.get("langs"):
                lines.append(f"    language: {', '.join(value['langs'])}")
            lines.extend("    | " + line for line in str(value.get("text", "")).split("\n"))
            lines.extend(self._describe_facets(value, handles))
            lines.extend(self._describe_embed(value.get("embed")))
        return "\n".join(lines)

    @staticmethod
    def _describe_facets(value: Mapping[str, Any], handles: Mapping[str, str]) -> list[str]:
        text = str(value.get("text", "")).encode("utf-8")
        lines = []
        for facet in value.get("facets") or []:
            index = facet.get("index", {})
            span = text[index.get("byteStart", 0) : index.get("byteEnd", 0)].decode(
                "utf-8", "replace"
            )
            for feature in facet.get("features", []):
                kind = str(feature.get("$type", "")).rpartition("#")[2]
                target = feature.get("uri") or feature.get("tag") or feature.get("did", "")
                if kind == "mention":
                    target = f"{target} ({handles.get(target, 'unknown account')})"
                lines.append(f"    {kind}: {span!r} -> {target}")
        return lines

    def _describe_embed(self, embed: Any) -> list[str]:
        if not isinstance(embed, dict):
            return []
        lines = []
        if embed.get("$type") == "app.bsky.embed.images":
            for n, image in enumerate(embed.get("images", []), 1):
                blob = image.get("image", {})
                ratio = image.get("aspectRatio")
                size = f" {ratio['width']}x{ratio['height']}" if ratio else ""
                lines.append(
                    f"    image {n}: {blob.get('mimeType')}{size}, {blob.get('size')} bytes, "
                    f"alt {image.get('alt', '')!r}"
                )
        elif embed.get("$type") == "app.bsky.embed.external":
            card = embed.get("external", {})
            lines.append(f"    link card: {card.get('uri')}")
            lines.append(f"      title: {card.get('title', '')!r}")
            lines.append(f"      description: {card.get('description', '')!r}")
            if card.get("thumb"):
                thumb = card["thumb"]
                lines.append(f"      thumbnail: {thumb.get('mimeType')}, {thumb.get('size')} bytes")
        return lines

    # -- plumbing -------------------------------------------------------------------
    def not_found(self, request: Request) -> Response:
        if request.path.startswith("/xrpc/"):
            # A PDS hands methods it does not serve to the app view, for signed-in
            # callers only; this one has no app view to hand them to.
            try:
                self._authed(request)
            except XrpcError as exc:
                return exc.response()
            return XrpcError(502, "UpstreamFailure", "Upstream service unreachable").response()
        return super().not_found(request)

    def _answering(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def answer(request: Request) -> Response:
            try:
                return handler(request)
            except XrpcError as exc:
                return exc.response()

        return answer

    def _limit(self, key: str, *limits: tuple[str, int]) -> dict[str, str]:
        """Spend points on each named limiter; the headers of the tightest one, or a 429."""
        tightest: dict[str, str] = {}
        for name, cost in limits:
            allowed, headers = self._limits[name].consume(key, cost)
            if not allowed:
                raise XrpcError(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
            if not tightest or int(headers["RateLimit-Remaining"]) < int(
                tightest["RateLimit-Remaining"]
            ):
                tightest = headers
        return tightest

    def _body(self, request: Request, *required: str) -> dict[str, Any]:
        try:
            body = request.json()
        except ValueError as exc:
            raise _invalid(str(exc), "SyntaxError") from None
        if not isinstance(body, dict):
            raise _invalid(f"Expected object value type (got {_show(body)}) at $")
        for name in required:
            if name not in body:
                raise _invalid(f'Missing required key "{name}" at $')
        return body

    def _param(self, request: Request, name: str) -> str:
        values = request.query.get(name)
        if not values:
            nsid = request.path.rsplit("/", 1)[1]
            raise _invalid(f'Invalid {nsid} params: Missing required key "{name}"')
        return values[0]

    def _find_account(self, actor: str) -> Account | None:
        actor = actor.lower() if not actor.startswith("did:") else actor
        return next((a for a in self.accounts if actor in (a.handle, a.did)), None)

    # -- sessions ---------------------------------------------------------------------
    def _jwt(self, typ: str, payload: Mapping[str, Any]) -> str:
        return jwt.encode(dict(payload), self._secret, algorithm="HS256", headers={"typ": typ})

    def _verify(self, request: Request, typ: str) -> dict[str, Any]:
        auth = request.header("Authorization")
        if not auth.startswith("Bearer "):
            raise XrpcError(401, "AuthMissing", "Authentication Required")
        token = auth.removeprefix("Bearer ").strip()
        try:
            decoded = jwt.decode_complete(
                token,
                self._secret,
                algorithms=["HS256"],
                options={"require": ["exp"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise _invalid("Token has expired", "ExpiredToken") from None
        except jwt.InvalidTokenError:
            raise _invalid("Token could not be verified", "InvalidToken") from None
        if decoded["header"].get("typ") != typ:
            raise _invalid("Invalid token type", "InvalidToken")
        return dict(decoded["payload"])

    def _authed(self, request: Request) -> Account:
        payload = self._verify(request, "at+jwt")
        account = self._find_account(str(payload.get("sub", "")))
        if account is None:
            raise XrpcError(403, "AccountNotFound", "Account not found")
        return account

    def _did_doc(self, account: Account) -> dict[str, Any]:
        key = base64.b32encode(hashlib.sha256(account.did.encode()).digest()).decode().lower()
        return {
            "@context": [
                "https://www.w3.org/ns/did/v1",
                "https://w3id.org/security/multikey/v1",
                "https://w3id.org/security/suites/secp256k1-2019/v1",
            ],
            "id": account.did,
            "alsoKnownAs": [f"at://{account.handle}"],
            "verificationMethod": [
                {
                    "id": f"{account.did}#atproto",
                    "type": "Multikey",
                    "controller": account.did,
                    "publicKeyMultibase": "zQ3sh" + key[:44],
                }
            ],
            "service": [
                {
                    "id": "#atproto_pds",
                    "type": "AtprotoPersonalDataServer",
                    "serviceEndpoint": self.url,
                }
            ],
        }

    def _session_body(self, account: Account) -> dict[str, Any]:
        now = int(time.time())
        audience = f"did:web:{self.url.split('://', 1)[1].split(':', 1)[0]}"
        access = self._jwt(
            "at+jwt",
            {
                "scope": "com.atproto.appPass",
                "sub": account.did,
                "iat": now,
                "exp": now + int(self.access_ttl.total_seconds()),
                "aud": audience,
            },
        )
        refresh = self._jwt(
            "refresh+jwt",
            {
                "scope": "com.atproto.refresh",
                "sub": account.did,
                "aud": audience,
                "jti": secrets.token_urlsafe(32),
                "iat": now,
                "exp": now + int(REFRESH_TTL.total_seconds()),
            },
        )
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": account.handle,
            "did": account.did,
            "didDoc": self._did_doc(account),
            "email": f"{account.handle.split('.')[0]}@example.com",
            "emailConfirmed": True,
            "active": True,
        }

    def _create_session(self, request: Request) -> Response:
        body = self._body(request, "identifier", "password")
        identifier = str(body["identifier"]).lower()
        headers = self._limit(identifier, ("session-5min", 1), ("session-day", 1))
        account = self._find_account(identifier)
        if account is None or body["password"] not in account.passwords:
            raise XrpcError(
                401, "AuthenticationRequired", "Invalid identifier or password", headers
            )
        return Response.json(self._session_body(account), headers=headers)

    def _refresh_session(self, request: Request) -> Response:
        payload = self._verify(request, "refresh+jwt")
        token_id = str(payload.get("jti"))
        account = self._find_account(str(payload.get("sub", "")))
        if account is None:
            raise _invalid(f"Could not find user info for account: {payload.get('sub')}")
        # Refresh tokens rotate; as on the PDS, using a rotated one again (a client
        # that lost the answer) gets the same successor.
        if token_id not in self._rotated:
            self._rotated[token_id] = self._session_body(account)
        return Response.json(self._rotated[token_id])

    def _get_session(self, request: Request) -> Response:
        account = self._authed(request)
        return Response.json(
            {
                "handle": account.handle,
                "did": account.did,
                "didDoc": self._did_doc(account),
                "email": f"{account.handle.split('.')[0]}@example.com",
                "emailConfirmed": True,
                "active": True,
            }
        )

    def _resolve_handle(self, request: Request) -> Response:
        handle = self._param(request, "handle").lower()
        if not _HANDLE.match(handle):
            raise _invalid(
                "Invalid com.atproto.identity.resolveHandle params: "
                f"Invalid handle (got {_show(handle)})"
            )
        account = self._find_account(handle)
        if account is not None:
            return Response.json({"did": account.did})
        if handle.endswith(SERVICE_DOMAINS):
            raise _invalid("Unable to resolve handle", "HandleNotFound")
        # A real PDS would ask DNS and the handle's web server; a stand-in knows no one else.
        raise _invalid("Unable to resolve handle")

    # -- repository -------------------------------------------------------------------
    def _repo_account(self, requester: Account, repo: str) -> Account:
        account = self._find_account(repo)
        if account is None:
            raise XrpcError(403, "AccountNotFound", "Account not found")
        if account.did != requester.did:
            raise XrpcError(401, "AuthenticationRequired", "Authentication Required")
        return account

    def _create_record(self, request: Request) -> Response:
        body = self._body(request, "repo", "collection", "record")
        requester = self._authed(request)
        headers = self._limit(requester.did, ("write-hour", 3), ("write-day", 3))
        account = self._repo_account(requester, str(body["repo"]))
        collection = str(body["collection"])
        record = body["record"]
        if not isinstance(record, dict):
            raise _invalid("Input/record must be an object")
        record.setdefault("$type", collection)
        if record["$type"] != collection:
            raise _invalid(f"Invalid $type: expected {collection}, got {record['$type']}")
        rkey = body.get("rkey") or tid.now(self._clock_id)
        if not _RECORD_KEY.match(rkey) or rkey in (".", ".."):
            raise _invalid(f"Invalid record key (got {_show(rkey)}) at $.rkey")
        floating = _first_float(record, "$.record")
        if floating:
            raise _invalid(
                "Expected one of null, boolean, integer, string, cid, bytes, array or object "
                f"value type (got {floating[1]}) at {floating[0]}"
            )
        if collection == POST and body.get("validate") is not False:
            if not tid.is_tid(rkey):
                raise _invalid(
                    f"Invalid record key for {POST}: Invalid TID string (got {_show(rkey)}) at $"
                )
            try:
                _validate_post(record)
            except _Invalid as exc:
                raise _invalid(f"Invalid {POST} record: {exc}") from None
        blobs = list(_blob_refs(record))
        for ref in blobs:
            if ref not in self.blobs:
                raise _invalid(f"Could not find blob: {ref}", "BlobNotFound")
        uri = f"at://{account.did}/{collection}/{rkey}"
        stored = self.records.get(uri)
        if stored is not None and not stored.deleted:
            # The reference PDS adds the key to its repository tree, which throws
            # "There is already a value at key"; that surfaces as a bare 500.
            raise XrpcError(500, "InternalServerError", "Internal Server Error", headers)
        try:
            cid = record_cid(record)
        except ValueError as exc:
            raise _invalid(f"Invalid record: {exc}") from None
        self.records.pop(uri, None)  # a deleted record's key can be used again
        self.records[uri] = StoredRecord(uri, cid, record, _now_iso())
        rev = tid.now(self._clock_id)
        return Response.json(
            {
                "uri": uri,
                "cid": cid,
                "commit": {"cid": record_cid({"rev": rev, "data": cid}), "rev": rev},
                "validationStatus": "valid" if collection == POST else "unknown",
            },
            headers=headers,
        )

    def _get_record(self, request: Request) -> Response:
        repo = self._param(request, "repo")
        collection = self._param(request, "collection")
        rkey = self._param(request, "rkey")
        account = self._find_account(repo)
        if account is None:
            raise _invalid("Could not locate record")
        uri = f"at://{account.did}/{collection}/{rkey}"
        stored = self.records.get(uri)
        wanted_cid = request.query.get("cid", [None])[0]
        if stored is None or stored.deleted or (wanted_cid and wanted_cid != stored.cid):
            raise _invalid(f"Could not locate record: {uri}", "RecordNotFound")
        return Response.json({"uri": uri, "cid": stored.cid, "value": stored.value})

    def _list_records(self, request: Request) -> Response:
        repo = self._param(request, "repo")
        collection = self._param(request, "collection")
        limit = int(request.query.get("limit", ["50"])[0])
        if not 1 <= limit <= 100:
            raise _invalid("Params/limit must be between 1 and 100")
        cursor = request.query.get("cursor", [""])[0]
        reverse = request.query.get("reverse", ["false"])[0] == "true"
        account = self._find_account(repo)
        if account is None:
            raise _invalid(f"Could not find repo: {repo}")
        prefix = f"at://{account.did}/{collection}/"
        found = sorted(
            (r for r in self.records.values() if r.uri.startswith(prefix) and not r.deleted),
            key=lambda r: r.rkey,
            reverse=not reverse,  # newest key first, unless reversed
        )
        if cursor:
            found = [r for r in found if (r.rkey > cursor if reverse else r.rkey < cursor)]
        page = found[:limit]
        body: dict[str, Any] = {
            "records": [{"uri": r.uri, "cid": r.cid, "value": r.value} for r in page]
        }
        if len(page) == limit:
            body["cursor"] = page[-1].rkey
        return Response.json(body)

    def _delete_record(self, request: Request) -> Response:
        body = self._body(request, "repo", "collection", "rkey")
        requester = self._authed(request)
        headers = self._limit(requester.did, ("write-hour", 1), ("write-day", 1))
        account = self._repo_account(requester, str(body["repo"]))
        uri = f"at://{account.did}/{body['collection']}/{body['rkey']}"
        stored = self.records.get(uri)
        if stored is None or stored.deleted:
            return Response.json({}, headers=headers)  # deleting nothing is a no-op
        stored.deleted = True
        rev = tid.now(self._clock_id)
        return Response.json(
            {"commit": {"cid": record_cid({"rev": rev, "deleted": uri}), "rev": rev}},
            headers=headers,
        )

    def _upload_blob(self, request: Request) -> Response:
        requester = self._authed(request)
        headers = self._limit(requester.did, ("blob-day", 1))
        if not request.header("Content-Type"):
            raise _invalid("Request encoding (Content-Type) required but not provided")
        if len(request.body) > self.blob_limit:
            raise XrpcError(413, "PayloadTooLarge", "request entity too large", headers)
        mime = request.header("Content-Type", "application/octet-stream").split(";")[0].strip()
        cid = blob_cid(request.body)
        self.blobs[cid] = Blob(cid, mime, request.body)
        blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(request.body)}
        return Response.json({"blob": blob}, headers=headers)

    # -- for `clarion publish --sandbox` --------------------------------------------------
    def sandbox_settings(self) -> tuple[BlueskyAccount, dict[str, str]]:
        """The account settings pointing here, and the environment with its credentials."""
        return (
            BlueskyAccount(handle=self.account.handle, service=self.url),
            {PASSWORD_ENV: self.account.passwords[0]},
        )


def _first_float(value: Any, path: str) -> tuple[str, float] | None:
    """Where the record holds a float (atproto data has none), and the float."""
    if isinstance(value, float):
        return path, value
    items: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        items = [(f"{path}.{key}", item) for key, item in value.items()]
    elif isinstance(value, list):
        items = [(f"{path}[{n}]", item) for n, item in enumerate(value)]
    for where, item in items:
        found = _first_float(item, where)
        if found:
            return found
    return None


def _blob_refs(value: Any) -> list[str]:
    """The cids of every blob a record references."""
    found: list[str] = []
    if isinstance(value, dict):
        if value.get("$type") == "blob" and isinstance(value.get("ref"), dict):
            found.append(str(value["ref"].get("$link")))
        for item in value.values():
            found.extend(_blob_refs(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_blob_refs(item))
    return found


# -- the lexicon of app.bsky.feed.post, with the reference PDS's messages ----------------------


class _Invalid(Exception):
    """One validation issue, worded as @atproto/lex-schema words it."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(f"{message} at {path}")


def _show(value: Any) -> str:
    """A value in an issue message, as lex-schema's stringifyValue shows it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value if len(value) < 256 else value[:255] + "…", ensure_ascii=False)
    if isinstance(value, int | float):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, list):
        shown = ", ".join(_show(item) for item in value[:2])
        return f"[{shown}{', ...' if len(value) > 2 else ''}]"
    if isinstance(value, dict):
        shown = ", ".join(f"{json.dumps(key)}: ..." for key in list(value)[:2])
        return f"{{{shown}{', ...' if len(value) > 2 else ''}}}"
    return type(value).__name__


def _of_type(value: Any, kind: str, path: str) -> Any:
    python = {"string": str, "integer": int, "array": list, "object": dict, "boolean": bool}[kind]
    if not isinstance(value, python) or (kind == "integer" and isinstance(value, bool)):
        raise _Invalid(f"Expected {kind} value type (got {_show(value)})", path)
    return value


def _required(obj: Mapping[str, Any], path: str, *keys: str) -> None:
    for key in keys:
        if key not in obj:
            raise _Invalid(f'Missing required key "{key}"', path)


def _string(value: Any, path: str, *, max_bytes: int = 0, max_graphemes: int = 0) -> str:
    text: str = _of_type(value, "string", path)
    size = len(text.encode("utf-8"))
    if max_bytes and size > max_bytes:
        raise _Invalid(f"string too big (maximum {max_bytes}, got {size})", path)
    if max_graphemes and len(text) > max_graphemes:
        count = len(regex.findall(r"\X", text))
        if count > max_graphemes:
            raise _Invalid(f"grapheme too big (maximum {max_graphemes}, got {count})", path)
    return text


def _format(value: Any, path: str, name: str, pattern: re.Pattern[str]) -> str:
    text = _string(value, path)
    if not pattern.match(text):
        raise _Invalid(f"Invalid {name} (got {_show(text)})", path)
    return text


def _array(value: Any, path: str, max_length: int = 0) -> list[Any]:
    items: list[Any] = _of_type(value, "array", path)
    if max_length and len(items) > max_length:
        raise _Invalid(f"array too big (maximum {max_length}, got {len(items)})", path)
    return items


def _is_datetime(text: str) -> bool:
    if not re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", text):
        return False
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_cid(text: str) -> bool:
    try:
        _cid_bytes(text)
    except ValueError:
        return False
    return True


_AT_URI = re.compile(
    r"^at://(did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]|[a-zA-Z0-9.-]+\.[a-zA-Z][a-zA-Z0-9-]*)"
    r"(/[a-zA-Z][a-zA-Z0-9.-]*(/[a-zA-Z0-9._~:-]{1,512})?)?$"
)


def _validate_post(record: Mapping[str, Any]) -> None:
    """Raise `_Invalid` where `record` breaks the lexicon of app.bsky.feed.post."""
    path = "$.record"
    _required(record, path, "text", "createdAt")
    _string(record["text"], f"{path}.text", max_bytes=3000, max_graphemes=300)
    created = _string(record["createdAt"], f"{path}.createdAt")
    if not _is_datetime(created):
        raise _Invalid(f"Invalid datetime (got {_show(created)})", f"{path}.createdAt")
    if "langs" in record:
        for n, lang in enumerate(_array(record["langs"], f"{path}.langs", 3)):
            _format(lang, f"{path}.langs[{n}]", "language", _LANGUAGE)
    for n, facet in enumerate(_array(record.get("facets", []), f"{path}.facets")):
        _validate_facet(facet, f"{path}.facets[{n}]")
    if "reply" in record:
        reply = _of_type(record["reply"], "object", f"{path}.reply")
        _required(reply, f"{path}.reply", "root", "parent")
        for side in ("root", "parent"):
            where = f"{path}.reply.{side}"
            ref = _of_type(reply[side], "object", where)
            _required(ref, where, "uri", "cid")
            _format(ref["uri"], f"{where}.uri", "at-uri", _AT_URI)
            cid = _string(ref["cid"], f"{where}.cid")
            if not _is_cid(cid):
                raise _Invalid(f"Invalid CID string (got {_show(cid)})", f"{where}.cid")
    if "embed" in record:
        _validate_embed(_of_type(record["embed"], "object", f"{path}.embed"), f"{path}.embed")


def _validate_facet(facet: Any, path: str) -> None:
    _of_type(facet, "object", path)
    _required(facet, path, "index", "features")
    index = _of_type(facet["index"], "object", f"{path}.index")
    _required(index, f"{path}.index", "byteStart", "byteEnd")
    for bound in ("byteStart", "byteEnd"):
        value = _of_type(index[bound], "integer", f"{path}.index.{bound}")
        if value < 0:
            raise _Invalid(f"integer too small (minimum 0, got {value})", f"{path}.index.{bound}")
    for m, feature in enumerate(_array(facet["features"], f"{path}.features")):
        where = f"{path}.features[{m}]"
        kind = _of_type(feature, "object", where).get("$type")
        if kind == "app.bsky.richtext.facet#link":
            _required(feature, where, "uri")
            _format(feature["uri"], f"{where}.uri", "uri", _URI)
        elif kind == "app.bsky.richtext.facet#mention":
            _required(feature, where, "did")
            _format(feature["did"], f"{where}.did", "DID", _DID)
        elif kind == "app.bsky.richtext.facet#tag":
            _required(feature, where, "tag")
            _string(feature["tag"], f"{where}.tag", max_bytes=640, max_graphemes=64)


def _validate_embed(embed: Mapping[str, Any], path: str) -> None:
    kind = embed.get("$type")
    if kind == "app.bsky.embed.images":
        _required(embed, path, "images")
        for n, image in enumerate(_array(embed["images"], f"{path}.images", 4)):
            where = f"{path}.images[{n}]"
            _required(_of_type(image, "object", where), where, "image", "alt")
            _string(image["alt"], f"{where}.alt")
            _validate_blob(image["image"], f"{where}.image", IMAGE_MAX_SIZE)
            if "aspectRatio" in image:
                ratio = _of_type(image["aspectRatio"], "object", f"{where}.aspectRatio")
                _required(ratio, f"{where}.aspectRatio", "width", "height")
                for side in ("width", "height"):
                    size = _of_type(ratio[side], "integer", f"{where}.aspectRatio.{side}")
                    if size < 1:
                        raise _Invalid(
                            f"integer too small (minimum 1, got {size})",
                            f"{where}.aspectRatio.{side}",
                        )
    elif kind == "app.bsky.embed.external":
        _required(embed, path, "external")
        where = f"{path}.external"
        card = _of_type(embed["external"], "object", where)
        _required(card, where, "uri", "title", "description")
        _format(card["uri"], f"{where}.uri", "uri", _URI)
        _string(card["title"], f"{where}.title")
        _string(card["description"], f"{where}.description")
        if "thumb" in card:
            _validate_blob(card["thumb"], f"{where}.thumb", THUMB_MAX_SIZE)


def _validate_blob(blob: Any, path: str, max_size: int) -> None:
    if not isinstance(blob, dict) or blob.get("$type") != "blob":
        raise _Invalid(f"Expected blob value type (got {_show(blob)})", path)
    mime = str(blob.get("mimeType", ""))
    if not mime.startswith("image/"):
        raise _Invalid(f'Expected "image/*" (got {_show(mime)})', f"{path}.mimeType")
    size = blob.get("size")
    if not isinstance(size, int):
        raise _Invalid(f"Expected integer value type (got {_show(size)})", f"{path}.size")
    if size > max_size:
        raise _Invalid(f"blob too big (maximum {max_size}, got {size})", path)
