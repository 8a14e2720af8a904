"""A stand-in for the X API v2 calls Clarion makes, on 127.0.0.1.

Endpoints (as tweepy 4.17 and Clarion's media upload call them):

    GET    /2/users/me                        the authenticated account
    POST   /2/tweets                          create a post (text, reply, media)
    DELETE /2/tweets/:id                      delete a post
    POST   /2/media/upload                    one-shot upload of a still image
    POST   /2/media/upload/initialize         a chunked upload (animated GIFs) begins
    POST   /2/media/upload/:id/append         one segment of it
    POST   /2/media/upload/:id/finalize       its end; GIFs are then processed
    GET    /2/media/upload                    ?command=STATUS&media_id=… (processing)
    POST   /2/media/metadata                  alt text

It checks what X checks: an OAuth 1.0a HMAC-SHA1 signature over the RFC 5849
base string with the sandbox secrets (401 with X's problem body otherwise, also
for a stale timestamp or a replayed nonce), the 280 weighted-character limit,
duplicate text, up to 4 images of at most 5 MB or one animated GIF of at most
15 MB (which the one-shot upload refuses, as X does), alt text of at most 1000
characters, replies to posts that exist (and, when asked, no replies at all, as
X may refuse them since February 2026), 15-minute rate-limit windows with the
`x-rate-limit-*` headers, and the 24-hour posting caps per app and per user
with the `x-app-limit-24hour-*` and `x-user-limit-24hour-*` headers. Bodies are
shaped as in tweepy's recorded cassettes and X's error answers.

The modules, by concern:

- `standin`: `XStandIn`, its routes, the signature check and rate limits
  around every route, and what it received;
- `state`: what the account holds (posts, uploads, nonces, windows);
- `tweets`, `media`: the route handlers;
- `rules`: X's limits and answers, with where X documents them;
- `limits`: the rate-limit windows, the 24-hour caps and their headers;
- `oauth`: the OAuth 1.0a signature.
"""

from clarion.sandbox.x.limits import DAY, DEFAULT_DAILY_LIMITS, DEFAULT_RATE_LIMITS, WINDOW
from clarion.sandbox.x.oauth import (
    SANDBOX_ACCESS_TOKEN,
    SANDBOX_ACCESS_TOKEN_SECRET,
    SANDBOX_API_KEY,
    SANDBOX_API_SECRET,
    hmac_sha1_signature,
    parse_oauth_header,
    signature_base_string,
)
from clarion.sandbox.x.rules import (
    DUPLICATE_DETAIL,
    MAX_ALT_TEXT,
    MAX_GIF_BYTES,
    MAX_IMAGE_BYTES,
    MAX_IMAGES,
    MEDIA_EXPIRES_AFTER,
    REPLY_NOT_ALLOWED,
    TEXT_LIMIT,
    TOO_LONG_MESSAGE,
)
from clarion.sandbox.x.standin import XStandIn
from clarion.sandbox.x.state import (
    SANDBOX_USER_ID,
    SANDBOX_USERNAME,
    StoredMedia,
    StoredTweet,
    UploadSession,
)

__all__ = [
    "DAY",
    "DEFAULT_DAILY_LIMITS",
    "DEFAULT_RATE_LIMITS",
    "DUPLICATE_DETAIL",
    "MAX_ALT_TEXT",
    "MAX_GIF_BYTES",
    "MAX_IMAGES",
    "MAX_IMAGE_BYTES",
    "MEDIA_EXPIRES_AFTER",
    "REPLY_NOT_ALLOWED",
    "SANDBOX_ACCESS_TOKEN",
    "SANDBOX_ACCESS_TOKEN_SECRET",
    "SANDBOX_API_KEY",
    "SANDBOX_API_SECRET",
    "SANDBOX_USERNAME",
    "SANDBOX_USER_ID",
    "TEXT_LIMIT",
    "TOO_LONG_MESSAGE",
    "WINDOW",
    "StoredMedia",
    "StoredTweet",
    "UploadSession",
    "XStandIn",
    "hmac_sha1_signature",
    "parse_oauth_header",
    "signature_base_string",
]
