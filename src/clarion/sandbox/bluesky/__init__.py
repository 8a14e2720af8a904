"""A stand-in for a Bluesky PDS: the XRPC methods Clarion's adapter calls.

It answers as the reference PDS (@atproto/pds) does for those methods: the same
response bodies, error names and messages, status codes (a duplicate record key
is a 500, a missing record a 400 `RecordNotFound`, an expired token a 400
`ExpiredToken`), `RateLimit-*` headers and 429s, HS256 session tokens that the
client refreshes, content ids computed from the record's DAG-CBOR as a PDS
computes them, and the lexicon checks of `app.bsky.feed.post` (300 graphemes,
3000 bytes, 4 images of at most 2,000,000 bytes, ...). It keeps what it was
sent so tests and `clarion publish --sandbox` can show it.

The modules, by concern:

- `standin`: `BlueskyStandIn`, its XRPC routes, and what it received;
- `state`: what the PDS holds (accounts, records, blobs, sessions, limits);
- `sessions`, `identity`, `repo`, `blobs`: the XRPC methods, by namespace;
- `lexicon`: the lexicon of app.bsky.feed.post, with the PDS's messages;
- `cids`: content ids and DAG-CBOR;
- `limits`: the rate limiters and their headers;
- `xrpc`: error answers and a method's input.
"""

from clarion.sandbox.bluesky.cids import blob_cid, dag_cbor, record_cid
from clarion.sandbox.bluesky.identity import SERVICE_DOMAINS
from clarion.sandbox.bluesky.lexicon import IMAGE_MAX_SIZE, POST, THUMB_MAX_SIZE
from clarion.sandbox.bluesky.limits import RateLimit
from clarion.sandbox.bluesky.sessions import REFRESH_TTL
from clarion.sandbox.bluesky.standin import PASSWORD_ENV, BlueskyStandIn
from clarion.sandbox.bluesky.state import (
    ACCESS_TTL,
    BLOB_UPLOAD_LIMIT,
    SANDBOX_APP_PASSWORD,
    SANDBOX_HANDLE,
    Account,
    Blob,
    StoredRecord,
)
from clarion.sandbox.bluesky.xrpc import XrpcError

__all__ = [
    "ACCESS_TTL",
    "BLOB_UPLOAD_LIMIT",
    "IMAGE_MAX_SIZE",
    "PASSWORD_ENV",
    "POST",
    "REFRESH_TTL",
    "SANDBOX_APP_PASSWORD",
    "SANDBOX_HANDLE",
    "SERVICE_DOMAINS",
    "THUMB_MAX_SIZE",
    "Account",
    "Blob",
    "BlueskyStandIn",
    "RateLimit",
    "StoredRecord",
    "XrpcError",
    "blob_cid",
    "dag_cbor",
    "record_cid",
]
