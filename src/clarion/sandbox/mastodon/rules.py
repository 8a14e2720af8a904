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
DESCRIPTION_LIMIT = 1500
IMAGE_SIZE_LIMIT = 16 * 1024 * 1024
IMAGE_MATRIX_LIMIT = 33_177_600
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
    info = sniff(data)
    if info is None:
        # Types clarion.media.sniff does not sniff (heic, avif) are taken on trust.
        return None if mime in _SNIFFED else (0, 0)
    return (info.width, info.height) if info.mime == mime else None


_SNIFFED = frozenset({"image/png", "image/gif", "image/jpeg", "image/webp"})
