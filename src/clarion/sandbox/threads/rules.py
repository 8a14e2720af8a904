"""Threads' rules that matter to a publisher, each with the page Meta documents it on,
and the answers the stand-in gives when one is broken.

Errors have the Graph API's shape, `{"error": {"message", "type", "code",
"error_subcode", "fbtrace_id"}}`
(https://developers.facebook.com/docs/graph-api/guides/error-handling). Meta does
not document which code Threads gives for each refusal; where it names the error
(THREADS_API__LINK_LIMIT_EXCEEDED) the message carries the name, and the codes
are the Graph API's general ones: 190 for a token refused, 10 for a permission
the token lacks, 4 for too many calls, 100 for a parameter refused.
"""

from __future__ import annotations

import itertools
from typing import Any

from clarion.sandbox.server import Response

API_VERSION = "v1.0"

# https://developers.facebook.com/docs/threads/posts, "Limitations": "Text posts are
# limited to 500 characters", "Emojis are counted as the number of UTF-8 bytes".
TEXT_LIMIT = 500
# https://developers.facebook.com/documentation/threads/create-posts/text-attachments:
# "Threads posts containing more than 5 links will fail to post during the media
# creation step (POST /{threads-user-id}/threads) with the error code:
# THREADS_API__LINK_LIMIT_EXCEEDED"; "All unique URLs found in the text field".
MAX_LINKS = 5
LINK_LIMIT_EXCEEDED = "THREADS_API__LINK_LIMIT_EXCEEDED"

# https://developers.facebook.com/docs/threads/overview, "Posts": "Threads profiles are
# limited to 250 API-published posts within a 24-hour moving period. Carousels count as
# a single post. This limit is enforced on the POST /{threads-user-id}/threads_publish
# endpoint"; GET /{threads-user-id}/threads_publishing_limit reports it.
POST_QUOTA = 250
# https://developers.facebook.com/documentation/threads/retrieve-and-manage-replies,
# "Rate limits": "limited to 1,000 API-published replies within a 24-hour moving period".
REPLY_QUOTA = 1000
# https://developers.facebook.com/docs/threads/posts/delete-posts, "Limitations": "The
# Delete endpoint has a rate limit of 100 deletes per day per account".
DELETE_QUOTA = 100
QUOTA_DURATION = 86400
# https://developers.facebook.com/docs/threads/overview, "Rate limiting": "Calls within
# 24 hours = 4800 * Number of Impressions", and "The minimum value for impressions is
# 10": an account nobody reads may make 48,000 calls a day.
CALL_LIMIT = 4800 * 10

# https://developers.facebook.com/docs/threads/troubleshooting: a container not
# published "within 24 hours" is EXPIRED; its statuses are EXPIRED, ERROR, FINISHED,
# IN_PROGRESS and PUBLISHED; error messages include UNKNOWN.
CONTAINER_TTL = 86400
STATUSES = ("EXPIRED", "ERROR", "FINISHED", "IN_PROGRESS", "PUBLISHED")

# https://developers.facebook.com/docs/threads/posts, "Media specifications", Image:
# JPEG and PNG, "File size: 8 MB maximum".
IMAGE_TYPES = ("image/jpeg", "image/png")
MAX_IMAGE_BYTES = 8 * 1024 * 1024
# Same page, "Carousel posts": "limited to 20 images, videos, or a mix of the two",
# and at least 2 children.
CAROUSEL_MIN, CAROUSEL_MAX = 2, 20


_trace = itertools.count(1)


def error(
    status: int,
    message: str,
    code: int,
    *,
    subcode: int | None = None,
    kind: str = "OAuthException",
    transient: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    """A Graph API error answer."""
    body: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        body["error_subcode"] = subcode
    if transient:
        body["is_transient"] = True
    body["fbtrace_id"] = f"AStandIn{next(_trace):06d}"
    return Response.json({"error": body}, status, headers)


def invalid_token() -> Response:
    return error(401, "Invalid OAuth access token - Cannot parse access token", 190)


def no_permission(scope: str) -> Response:
    return error(403, f"(#10) Application does not have permission for this action ({scope})", 10)


def invalid(message: str, subcode: int | None = None) -> Response:
    return error(400, f"Invalid parameter: {message}", 100, subcode=subcode, kind="THApiException")


def no_such_object(object_id: str) -> Response:
    """Graph's answer for an id that names nothing (or nothing any more)."""
    return error(
        400,
        f"Unsupported request - Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation",
        100,
        subcode=33,
        kind="GraphMethodException",
    )


def too_many_calls(reset_in: int) -> Response:
    """The call budget is spent. Meta documents no status or header for it; the
    stand-in answers 429 with Graph's code 4 and says when to come back."""
    return error(
        429,
        "(#4) Application request limit reached",
        4,
        transient=True,
        headers={"Retry-After": str(max(reset_in, 1))},
    )


def quota_spent(what: str, total: int) -> Response:
    return error(
        400,
        f"The Threads profile has reached its limit of {total} {what} published through "
        "the API in 24 hours",
        9,
        subcode=2207042,
    )
