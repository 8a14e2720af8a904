"""A stand-in for one Mastodon account's client API, as Mastodon.py 2.3.3 calls it.

It answers what a Mastodon 4.3 server answers for the calls Clarion makes, in
the shapes recorded in Mastodon.py's test cassettes (tests/cassettes/ in
halcy/Mastodon.py): the instance documents (v1 and v2), verify_credentials,
posting, reading, editing and deleting statuses, the account's statuses with
`Link` pagination, and media uploads (POST /api/v2/media answers 200 for a
still image; for an animated GIF 202, then GET /api/v1/media/:id answers 206
until processing is done, then 200).

It keeps Mastodon's rules that matter to a publisher: the character limit
counted Mastodon's way (URLs 23, `@user@domain` as `@user`, graphemes, spoiler
text included), at most 4 attachments and only processed ones, 1500 characters
of alt text, `Idempotency-Key` replays for one hour per account (a replay of a
deleted status answers 404, as Mastodon's `find` does), error bodies
`{"error": "..."}` with the real status codes, and `X-RateLimit-*` headers on
every answer from Rack::Attack-style windows (429 when one is used up).

The modules, by concern:

- `standin`: `MastodonStandIn`, its routes, authentication and rate limits
  around every route, and what it received;
- `state`: what the account holds (statuses, uploads, keys, windows);
- `statuses`, `media`, `instance`: the route handlers;
- `rules`: Mastodon's limits and messages, with where Mastodon keeps them;
- `limits`: the Rack::Attack-style windows;
- `shapes`, `render`: the JSON it answers with, and the HTML of a status;
- `params`: a request's parameters as Rails reads them.
"""

from clarion.sandbox.mastodon.instance import VERSION
from clarion.sandbox.mastodon.limits import DEFAULT_LIMITS
from clarion.sandbox.mastodon.rules import (
    CHARACTERS_RESERVED_PER_URL,
    DESCRIPTION_LIMIT,
    IDEMPOTENCY_TTL,
    IMAGE_MATRIX_LIMIT,
    IMAGE_SIZE_LIMIT,
    INVALID_TOKEN,
    MAX_MEDIA,
    NOT_FOUND,
    NOT_READY,
    RECORD_NOT_FOUND,
    REPLY_NOT_FOUND,
    SUPPORTED_IMAGES,
    TOO_MANY,
    TOO_MANY_FILES,
    image_size,
    status_length,
)
from clarion.sandbox.mastodon.standin import TOKEN_ENV, MastodonStandIn
from clarion.sandbox.mastodon.state import ACCOUNT_ID, SANDBOX_TOKEN, USERNAME

__all__ = [
    "ACCOUNT_ID",
    "CHARACTERS_RESERVED_PER_URL",
    "DEFAULT_LIMITS",
    "DESCRIPTION_LIMIT",
    "IDEMPOTENCY_TTL",
    "IMAGE_MATRIX_LIMIT",
    "IMAGE_SIZE_LIMIT",
    "INVALID_TOKEN",
    "MAX_MEDIA",
    "NOT_FOUND",
    "NOT_READY",
    "RECORD_NOT_FOUND",
    "REPLY_NOT_FOUND",
    "SANDBOX_TOKEN",
    "SUPPORTED_IMAGES",
    "TOKEN_ENV",
    "TOO_MANY",
    "TOO_MANY_FILES",
    "USERNAME",
    "VERSION",
    "MastodonStandIn",
    "image_size",
    "status_length",
]
