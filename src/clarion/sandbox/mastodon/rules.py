"""Mastodon's rules that matter to a publisher, each with where Mastodon keeps it.

The character limit counted Mastodon's way (URLs 23, `@user@domain` as
`@user`, graphemes, spoiler text included), at most 4 attachments and only
processed ones, 1500 characters of alt text, the image types and sizes an
upload may have, `Idempotency-Key` replays for one hour per account, and the
error messages a client reads when one is broken.
"""

from __future__ import annotations

import re

from clarion.media.sniff import sniff
from clarion.text.mastodon import length as mastodon_length

IDEMPOTENCY_TTL = 3600.0  # PostStatusService keeps the key in Redis for one hour
MAX_MEDIA = 4
# app/models/media_attachment.rb: MAX_DESCRIPTION_LENGTH = 1_500, published by
# GET /api/v2/instance as configuration.media_attachments.description_limit
# (app/serializers/rest/instance_serializer.rb; docs.joinmastodon.org/entities/Instance/).
DESCRIPTION_LIMIT = 1500
# app/models/media_attachment.rb: IMAGE_LIMIT = 16.megabytes, checked with
# `validates_attachment_size :file, less_than: IMAGE_LIMIT`: exclusive, so a file of
# exactly 16 MiB is refused. At validation a GIF is still an `image` (its type
# becomes `gifv` only when transcoded, later), so the image limit holds for GIFs too.
# Published as configuration.media_attachments.image_size_limit.
IMAGE_SIZE_LIMIT = 16 * 1024 * 1024
# app/models/concerns/attachmentable.rb check_image_dimension: MAX_MATRIX_LIMIT =
# 33_177_600 (7680x4320) for images, GIF_MATRIX_LIMIT = 921_600 (1280x720) for every
# image/gif, still or animated; both refuse `width * height >` the limit, raising
# Mastodon::DimensionsValidationError, which Api::BaseController answers 422 with its
# message. Only the first is published (configuration.media_attachments.image_matrix_limit).
IMAGE_MATRIX_LIMIT = 33_177_600
GIF_MATRIX_LIMIT = 921_600
CHARACTERS_RESERVED_PER_URL = 23
SUPPORTED_IMAGES = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/heic",
    "image/heif",
    "image/webp",
    "image/avif",
)

INVALID_TOKEN = "The access token is invalid"  # noqa: S105 - an error message
NOT_FOUND = "Not Found"  # what Mastodon 4.x answers for a missing status (test_status_missing)
RECORD_NOT_FOUND = "Record not found"
REPLY_NOT_FOUND = "The post you are trying to reply to does not appear to exist."
TOO_MANY = "Too many requests"
NOT_READY = "Cannot attach files that have not finished processing. Try again in a moment!"
TOO_MANY_FILES = "Cannot attach more than 4 files"
# Pinning (Api::V1::Statuses::PinsController, StatusPinValidator, config/locales/en.yml).
MAX_PINNED = 5  # MAX_PINNED_STATUSES unless the server sets it; Instance#max_pinned_statuses
PIN_LIMIT = "You have already pinned the maximum number of posts"
PIN_DIRECT = "Posts that are only visible to mentioned users cannot be pinned"
DUPLICATE_RECORD = "Duplicate record"  # a second pin of one status (RecordNotUnique)
OUTSIDE_SCOPES = "This action is outside the authorized scopes"

# Regional language codes Mastodon keeps whole; any other `xx-YY` loses its region.
_REGIONAL_LANGUAGES = frozenset(
    {"zh-CN", "zh-HK", "zh-TW", "pt-BR", "pt-PT", "es-AR", "es-MX", "en-GB", "fr-CA"}
)


def status_length(text: str, spoiler: str = "") -> int:
    """Mastodon's count of a status, by the same rule the checks use."""
    return mastodon_length(text, spoiler or None)


def language(value: object) -> str | None:
    """Mastodon's valid_locale_or_nil, roughly: keep known regional codes, else drop the region."""
    if not value:
        return None
    code = str(value)
    if code in _REGIONAL_LANGUAGES:
        return code
    primary = re.split(r"[-_]", code)[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def image_size(data: bytes, mime: str) -> tuple[int, int] | None:
    """Width and height read from the image's own header, or None if it is not that type."""
    found = image_info(data, mime)
    return None if found is None else found[:2]


def image_info(data: bytes, mime: str) -> tuple[int, int, bool] | None:
    """Width, height and whether it moves (more than one frame), read from the image
    itself; None if it is not an image of type `mime`."""
    info = sniff(data)
    if info is None:
        # Types clarion.media.sniff does not sniff (heic, avif) are taken on trust.
        return None if mime in _SNIFFED else (0, 0, False)
    return (info.width, info.height, info.animated) if info.mime == mime else None


def dimensions_refused(width: int, height: int, mime: str) -> str | None:
    """Attachmentable#check_image_dimension's message when the pixels are too many."""
    if mime == "image/gif" and width * height > GIF_MATRIX_LIMIT:
        return f"{width}x{height} GIF files are not supported"
    if width * height > IMAGE_MATRIX_LIMIT:
        return f"{width}x{height} images are not supported"
    return None


def human_size(size: int) -> str:
    """ActiveSupport's number_to_human_size, as Paperclip's size message shows a limit:
    binary units, three significant digits, no trailing zeros ("16 MB", "977 KB")."""
    units = ("Bytes", "KB", "MB", "GB", "TB")
    if size < 1024:
        return f"{size} Bytes"
    exponent = 0
    value = float(size)
    while value >= 1024 and exponent < len(units) - 1:
        value /= 1024
        exponent += 1
    shown = f"{value:.3g}"
    if "e" in shown:  # 1000 and more in the largest unit
        shown = f"{value:.0f}"
    return f"{shown} {units[exponent]}"


_SNIFFED = frozenset({"image/png", "image/gif", "image/jpeg", "image/webp"})
