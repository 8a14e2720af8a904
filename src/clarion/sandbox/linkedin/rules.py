"""LinkedIn's rules that matter to a publisher, each with where LinkedIn documents
it, and the answers LinkedIn gives when one is broken (Rest.li error bodies:
`status`, `code`, `message`, and a `serviceErrorCode` where LinkedIn sends one).

The pages:

POSTS   https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api
IMAGES  https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api
MULTI   https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/multiimage-post-api
LITTLE  https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format
VERSION https://learn.microsoft.com/en-us/linkedin/marketing/versioning
LIMITS  https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from clarion.sandbox.server import Response

# POSTS: commentary "little text", 3000 characters of it (what a reader sees).
COMMENTARY_LIMIT = 3000
# POSTS and MULTI: a media's `altText` is "limited to 4086 characters".
MAX_ALT_TEXT = 4086
# MULTI: "minimum of 2 images and maximum of 20 images".
MULTI_IMAGE_MIN, MULTI_IMAGE_MAX = 2, 20
# IMAGES, "Image specifications": JPG, GIF, PNG, "less than 36,152,320 pixels".
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif")
MAX_PIXELS = 36_152_320
# POSTS: the finder `q=author` pages with `start` and `count`; LinkedIn pages at most 100.
MAX_COUNT = 100
DEFAULT_COUNT = 10

# POSTS: "All APIs require the request header Linkedin-Version: {Version in YYYYMM
# format}" and "X-Restli-Protocol-Version: 2.0.0".
PROTOCOL_VERSION = "2.0.0"
# VERSION: monthly versions, each "supported and stable for a minimum of one year
# before sunset" (the migrations table sunsets version YYYYMM in month YYYYMM + 12,
# mid-month); the latest version is not applied by default: no header, no answer.
SUPPORTED_MONTHS = 12
SUNSET_DAY = 15
_VERSION = re.compile(r"(\d{4})(\d{2})(?:\.\d{2})?")

# POSTS: the fields the create call requires, and the values they take.
REQUIRED = ("author", "visibility", "distribution", "lifecycleState")
VISIBILITY = ("PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER")
LIFECYCLE = ("PUBLISHED", "DRAFT", "PUBLISH_REQUESTED", "PUBLISH_FAILED")
FEED_DISTRIBUTION = ("MAIN_FEED", "NONE")
# POSTS, "Update Posts": PARTIAL_UPDATE may `$set` only these.
UPDATABLE = ("commentary", "contentCallToActionLabel", "contentLandingPage", "lifecycleState")

# POSTS, "Permissions": posting as an organisation, and reading its posts.
WRITE_SCOPE = "w_organization_social"
READ_SCOPE = "r_organization_social"


def version_active(version: str, today: dt.date) -> bool:
    """Whether LinkedIn serves `version` (YYYYMM, maybe .NN) on `today` (VERSION)."""
    found = _VERSION.fullmatch(version.strip())
    if not found:
        return False
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12:
        return False
    age = (today.year - year) * 12 + (today.month - month)
    if age < 0:
        return False  # not released yet
    return age < SUPPORTED_MONTHS or (age == SUPPORTED_MONTHS and today.day < SUNSET_DAY)


def error(status: int, code: str, message: str, service_code: int | None = None) -> Response:
    """A Rest.li error answer as LinkedIn words one."""
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if service_code is not None:
        body["serviceErrorCode"] = service_code
    return Response.json(body, status)


def version_missing() -> Response:
    return error(
        400,
        "VERSION_MISSING",
        "A version must be present. Please specify a version by adding the "
        "LinkedIn-Version header.",
    )


def version_inactive(version: str) -> Response:
    return error(426, "NONEXISTENT_VERSION", f"Requested version {version} is not active")


def protocol_missing() -> Response:
    return error(
        400,
        "ILLEGAL_ARGUMENT",
        f"X-Restli-Protocol-Version: {PROTOCOL_VERSION} is required by this API",
    )


def invalid_token() -> Response:
    return error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)


def denied(what: str) -> Response:
    return error(403, "ACCESS_DENIED", f"Not enough permissions to access: {what}", 100)


def unprocessable(path: str, why: str) -> Response:
    """LinkedIn's 422 for a request body that breaks the schema: `ERROR :: /path :: why`."""
    return Response.json({"status": 422, "message": f"ERROR :: {path} :: {why}\n"}, 422)


def not_found(what: str) -> Response:
    return error(404, "NOT_FOUND", f"Not Found: {what}")


def throttled() -> Response:
    """LIMITS: "Rate limited requests will receive a 429 response"; the limits are
    per day and "reset at midnight UTC"; no header says when."""
    return Response.json(
        {
            "status": 429,
            "message": "Resource level throttle APPLICATION DAY limit for calls to this "
            "resource is reached.",
        },
        429,
    )
