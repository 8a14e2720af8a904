"""What a Discourse forum refuses, and how it says so, with where it is written.

Sources: the API documentation (https://docs.discourse.org, generated from
spec/requests/api/*_spec.rb of github.com/discourse/discourse), the site
settings' defaults (config/site_settings.yml), the models and controllers
named beside each rule, and the English messages (config/locales/server.en.yml).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from clarion.sandbox.server import Response

SANDBOX_API_KEY = "sandbox-discourse-api-key-0123456789abcdef"
SANDBOX_USERNAME = "clarion_sandbox"
SANDBOX_CATEGORY = 4

# config/site_settings.yml ("posting", "files"): the defaults, all `client: true`,
# so served by GET /site/settings.json (app/controllers/site_controller.rb#settings).
DEFAULT_SITE_SETTINGS: Mapping[str, Any] = {
    "title": "Clarion sandbox forum",
    "min_topic_title_length": 15,
    "max_topic_title_length": 255,
    "min_first_post_length": 20,
    "min_post_length": 20,
    "max_post_length": 32000,
    "max_image_size_kb": 4096,
    "max_attachment_size_kb": 4096,
    "authorized_extensions": "jpg|jpeg|png|gif|heic|heif|webp",
    "allow_uncategorized_topics": False,
}
# Not `client: true` (the forum does not serve them), but enforced.
ALLOW_DUPLICATE_TOPIC_TITLES = False  # config/site_settings.yml
MAX_IMAGE_MEGAPIXELS = 40  # config/site_settings.yml, files
# app/models/topic.rb: EXTERNAL_ID_MAX_LENGTH = 50, `format: /\A[\w-]+\z/`.
EXTERNAL_ID_MAX_LENGTH = 50
EXTERNAL_ID = re.compile(r"[\w-]+", re.ASCII)

# "Admin API rate limits ... There is a limit of 60 requests per minute, shared
# between all keys" (DISCOURSE_MAX_ADMIN_API_REQS_PER_MINUTE), from
# https://meta.discourse.org/t/available-settings-for-global-rate-limits-and-throttling/78612
ADMIN_API_REQS_PER_MINUTE = 60
RATE_LIMIT_ERROR_CODE = "admin_api_key_rate_limit"

# config/locales/server.en.yml
INVALID_CREDENTIALS = (
    "You are not permitted to view the requested resource. The API username or key is invalid."
)
NOT_LOGGED_IN = "You need to be logged in to do that."
NOT_FOUND = "The requested URL or resource could not be found."
DELETE_TOPIC_FAILED = (
    "There was an error deleting that topic. Please contact the site's administrator."
)
TITLE_USED = "Title has already been used"
TITLE_BLANK = "Title can't be blank"
TITLE_UNCLEAR = "Title seems unclear, is it a complete sentence?"
CATEGORY_BLANK = "Category can't be blank"
EXTERNAL_ID_TAKEN = "External has already been taken"  # Rails humanizes external_id so
EXTERNAL_ID_TOO_LONG = f"External is too long (maximum is {EXTERNAL_ID_MAX_LENGTH} characters)"
EXTERNAL_ID_INVALID = "External is invalid"


def title_too_short(count: int) -> str:
    return f"Title is too short (minimum is {count} characters)"


def title_too_long(count: int) -> str:
    return f"Title is too long (maximum is {count} characters)"


def body_too_short(count: int) -> str:
    return f"Body is too short (minimum is {count} characters)"


def body_too_long(count: int, length: int) -> str:
    # errors.messages.too_long_validation
    return f"Body is limited to {count} characters; you entered {length}."


def too_large(max_kb: int) -> str:
    # upload.images.too_large_humanized, the size as Rails' number_to_human_size says it
    size = f"{max_kb / 1024:g} MB" if max_kb >= 1024 else f"{max_kb} KB"
    return (
        f"Sorry, the image you are trying to upload is too large (maximum size is {size}). "
        "Please resize it and try again."
    )


def not_authorized(extensions: str) -> str:
    # upload.unauthorized
    listed = ", ".join(extensions.split("|"))
    return (
        "Sorry, the file you are trying to upload is not authorized "
        f"(authorized extensions: {listed})."
    )


def too_many(wait: int) -> str:
    # rate_limiter.too_many_requests with rate_limiter.seconds
    return (
        f"You\u2019ve performed this action too many times. Please wait {wait} seconds "
        "before trying again."
    )


# -- answers -------------------------------------------------------------------------
def errors(messages: list[str], status: int = 422, **extra: Any) -> Response:
    """`render_json_error`'s shape (app/controllers/application_controller.rb)."""
    return Response.json({"errors": messages, **extra}, status)


def create_failed(messages: list[str]) -> Response:
    """A post the forum would not make: NewPostResult serialized with success false,
    status 422 (app/controllers/posts_controller.rb `backwards_compatible_json`)."""
    return Response.json({"action": "create_post", "errors": messages, "success": False}, 422)


def invalid_access(message: str = INVALID_CREDENTIALS) -> Response:
    return errors([message], 403, error_type="invalid_access")


def not_logged_in() -> Response:
    return errors([NOT_LOGGED_IN], 403, error_type="not_logged_in")


def not_found() -> Response:
    return errors([NOT_FOUND], 404, error_type="not_found")


def rate_limited(wait: int) -> Response:
    """app/controllers/application_controller.rb, rescue_from RateLimiter::LimitExceeded."""
    response = errors(
        [too_many(wait)],
        429,
        error_type="rate_limit",
        extras={"wait_seconds": wait, "time_left": f"{wait} seconds"},
    )
    response.headers["Retry-After"] = str(wait)
    response.headers["Discourse-Rate-Limit-Error-Code"] = RATE_LIMIT_ERROR_CODE
    return response


# -- names -----------------------------------------------------------------------------
def slug(title: str) -> str:
    """lib/slug.rb with slug_generation_method "ascii": the title in ASCII lower case,
    runs of anything else made one "-", "topic" when nothing is left."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    made = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    made = re.sub(r"-+", "-", made)[:100].strip("-")
    return made or "topic"


_BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def short_url(data: bytes, extension: str) -> str:
    """app/models/upload.rb `short_url`: upload:// and the SHA-1 in base 62."""
    number = int(hashlib.sha1(data).hexdigest(), 16)  # noqa: S324 - Discourse's own choice
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    return f"upload://{digits or '0'}.{extension}"


UPLOAD_REF = re.compile(r"upload://([0-9A-Za-z]+\.[a-z0-9]+)")
