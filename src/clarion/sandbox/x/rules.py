"""X's rules that matter to a publisher, each with where X documents it, and the
answers X gives when one is broken (its problem bodies, as X words them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clarion.sandbox.server import Response

TEXT_LIMIT = 280  # weighted, twitter-text v3
MAX_IMAGES = 4
# docs.x.com/x-api/media/quickstart/best-practices: "Image size: <= 5 MB",
# "Animated GIF size: <= 15 MB"; X counts them in MiB ("File size exceeds 5242880 bytes").
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_GIF_BYTES = 15 * 1024 * 1024
MAX_ALT_TEXT = 1000  # POST /2/media/metadata: alt_text.text "Must be <= 1000 chars"
MEDIA_EXPIRES_AFTER = 86400  # seconds an uploaded, unused media id stays valid
TIMESTAMP_SKEW = 300  # seconds of clock difference X tolerates in oauth_timestamp

# The one-shot upload, POST /2/media/upload, takes only these categories and types
# (docs.x.com/x-api/media/upload-media, the request body's `media_category`:
# "Available options: tweet_image, dm_image, subtitles"; `media_type`: text/srt,
# text/vtt, image/jpeg, image/bmp, image/png, image/webp, image/pjpeg, image/tiff).
# Animated GIFs and video go through the chunked upload
# (docs.x.com/x-api/media/quickstart/media-upload-chunked): initialize, append,
# finalize, then STATUS while X processes them.
ONE_SHOT_CATEGORIES = ("tweet_image", "dm_image", "subtitles")
ONE_SHOT_TYPES = (
    "text/srt",
    "text/vtt",
    "image/jpeg",
    "image/bmp",
    "image/png",
    "image/webp",
    "image/pjpeg",
    "image/tiff",
)
# What the chunked upload takes here: the image categories, each with its size limit
# (X also takes video, which no post of Clarion's carries).
CHUNKED_LIMITS: Mapping[str, int] = {"tweet_image": MAX_IMAGE_BYTES, "tweet_gif": MAX_GIF_BYTES}
CHUNKED_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
MAX_SEGMENT_BYTES = 5 * 1024 * 1024  # APPEND: "It must be <= 5 MB"
MAX_SEGMENT_INDEX = 999  # APPEND: segment_index "between 0-999 inclusive"

# X's answers, as it words them.
UNAUTHORIZED = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
TOO_MANY = {
    "title": "Too Many Requests",
    "detail": "Too Many Requests",
    "type": "about:blank",
    "status": 429,
}
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."
TOO_LONG_MESSAGE = (
    "Your Tweet text is too long. For more information on how Twitter determines "
    "text length see https://github.com/twitter/twitter-text."
)
DELETED_PARENT = "You attempted to reply to a Tweet that is deleted or not visible to you."
# Since February 2026 X lets self-serve API tiers reply only where the original
# post's author mentioned or quoted the replying account; whether a thread's own
# parts are exempt is not documented. X's 403 for a reply it will not take:
REPLY_NOT_ALLOWED = (
    "Reply to this conversation is not allowed because you have not been mentioned or "
    "otherwise engaged by the author of the post you are replying to."
)
INVALID_REQUEST = "https://api.twitter.com/2/problems/invalid-request"


def forbidden(detail: str) -> Response:
    return Response.json(
        {"detail": detail, "type": "about:blank", "title": "Forbidden", "status": 403}, 403
    )


def invalid(message: str, parameters: Mapping[str, list[str]] | None = None) -> Response:
    error: dict[str, Any] = {"message": message}
    if parameters:
        error = {"parameters": dict(parameters), "message": message}
    return Response.json(
        {
            "errors": [error],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": INVALID_REQUEST,
        },
        400,
    )


def not_one_of(name: str, value: str, allowed: tuple[str, ...]) -> Response:
    """X's answer to a value outside a parameter's enumeration."""
    return invalid(
        f"The `{name}` parameter value [{value}] is not one of [{', '.join(allowed)}]",
        {name: [value]},
    )
