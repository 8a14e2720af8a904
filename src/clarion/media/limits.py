"""What each network accepts for a post's images, with where each figure comes from.

The network registry (`clarion.networks`) names each network's entry here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from clarion.media.sniff import GIF, JPEG, PNG, WEBP

_ALL_TYPES = frozenset({PNG, JPEG, GIF, WEBP})
_MIB = 1024 * 1024


@dataclass(frozen=True)
class NetworkLimits:
    """What one network accepts for the images of a post."""

    network: str  # "bluesky" | "mastodon" | "x"
    name: str  # for messages
    mime_types: frozenset[str]
    max_bytes: int  # per image, inclusive
    max_images: int  # per post
    max_alt: int  # alt text length, inclusive
    alt_in_graphemes: bool = False  # else counted in code points
    max_animated_gif_bytes: int | None = None  # None: max_bytes applies to GIFs too
    max_pixels: int | None = None  # width * height, inclusive
    max_gif_pixels: int | None = None
    animated_gif_alone: bool = False  # an animated GIF cannot share a post with other images
    gif_advised_max: tuple[int, int] | None = None  # (width, height) past which a GIF may fail
    shows_animation: bool = True
    max_thumbnail_bytes: int | None = None  # link card thumbnail, where it is uploaded


BLUESKY = NetworkLimits(
    network="bluesky",
    name="Bluesky",
    # app.bsky.embed.images#image accepts "image/*"; the PDS sniffs the type of
    # the uploaded blob, and the AppView renders these four.
    mime_types=_ALL_TYPES,
    # lexicons/app/bsky/embed/images.json: `maxSize: 2000000` ("May be up to
    # 2 MB, formerly limited to 1 MB"), bluesky-social/atproto#4823, April 2026.
    # A PDS older than that refuses more than 1,000,000 bytes: see BLUESKY_1MB.
    max_bytes=2_000_000,
    # lexicons/app/bsky/embed/images.json: `images.maxLength: 4`.
    max_images=4,
    # The lexicon sets no alt limit; the Bluesky app stops at MAX_ALT_TEXT = 2000
    # graphemes (bluesky-social/social-app src/lib/constants.ts).
    max_alt=2000,
    alt_in_graphemes=True,
    # The lexicon dropped maxWidth/maxHeight; the CDN resizes whatever it gets.
    # Image embeds are shown as still images: only the first frame of a GIF.
    shows_animation=False,
    # lexicons/app/bsky/embed/external.json: `thumb.maxSize: 1000000`.
    max_thumbnail_bytes=1_000_000,
)

# For an account on a self-hosted PDS that predates the 2 MB images lexicon.
BLUESKY_1MB = replace(BLUESKY, max_bytes=1_000_000)

MASTODON = NetworkLimits(
    network="mastodon",
    name="Mastodon",
    # app/models/media_attachment.rb IMAGE_MIME_TYPES: jpeg png gif heic heif
    # webp avif; Clarion sends the four it can read.
    mime_types=_ALL_TYPES,
    # app/models/media_attachment.rb: IMAGE_LIMIT = 16.megabytes (MAX_IMAGE_SIZE
    # overrides it per server), checked with `less_than:`, so one byte under.
    max_bytes=16 * _MIB - 1,
    # app/models/status.rb: MEDIA_ATTACHMENTS_LIMIT = 4.
    max_images=4,
    # app/models/media_attachment.rb: MAX_DESCRIPTION_LENGTH = 1_500, a Rails
    # length validation: Ruby counts code points.
    max_alt=1500,
    # app/models/concerns/attachmentable.rb check_image_dimension:
    # MAX_MATRIX_LIMIT = 33_177_600 (7680x4320) and GIF_MATRIX_LIMIT = 921_600
    # (1280x720), the latter for still GIFs too (mastodon/mastodon#24356).
    max_pixels=33_177_600,
    max_gif_pixels=921_600,
)

X = NetworkLimits(
    network="x",
    name="X",
    # docs.x.com/x-api/media/quickstart/best-practices: "Supported image media
    # types: JPG, PNG, GIF, WEBP".
    mime_types=_ALL_TYPES,
    # Same page: "Image size: <= 5 MB", "Animated GIF size: <= 15 MB"; the
    # upload endpoint counts in MiB ("File size exceeds 5242880 bytes",
    # "... 15728640 bytes").
    max_bytes=5 * _MIB,
    max_animated_gif_bytes=15 * _MIB,
    # Same page: "You may attach up to 4 photos, 1 animated GIF or 1 video".
    max_images=4,
    animated_gif_alone=True,
    # POST media/metadata/create: alt_text.text "Must be <= 1000 chars".
    max_alt=1000,
    # Same page, "Animated GIF recommendations": resolution <= 1280x1080.
    gif_advised_max=(1280, 1080),
)

THREADS = NetworkLimits(
    network="threads",
    name="Threads",
    # developers.facebook.com/docs/threads/posts, "Media specifications", Image:
    # "Format: JPEG and PNG image types are the officially supported formats".
    mime_types=frozenset({JPEG, PNG}),
    # Same page: "File size: 8 MB maximum". Meta does not say whether a MB is 10^6
    # or 2^20 bytes: the smaller, so that what passes the check is taken.
    max_bytes=8_000_000,
    # A carousel takes 2 to 20 images (same page, "Carousel posts"); a post's
    # `media` holds at most 4, which every network shares.
    max_images=4,
    # Meta documents no limit on `alt_text` (.../docs/threads/posts/accessibility);
    # 1,000 characters is what publishing tools give for it (repliz-docs.pages.dev,
    # "Threads Specifications": "Alt Text Limit: Maximum 1,000 characters").
    max_alt=1000,
    # Threads fetches each image from its URL; an animated GIF is not a format it takes.
    shows_animation=False,
)

LINKEDIN = NetworkLimits(
    network="linkedin",
    name="LinkedIn",
    # learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api,
    # "Image specifications": JPG, GIF and PNG (a GIF of up to 250 frames).
    mime_types=frozenset({JPEG, PNG, GIF}),
    # The Images API states no byte limit; LinkedIn's media guidelines as publishing
    # tools give them say 5 MB (ayrshare.com/docs/media-guidelines/linkedin): the
    # smaller reading, so that what passes the check is taken.
    max_bytes=5_000_000,
    # A post has one image (content.media) or a multiImage of 2 to 20
    # (.../shares/multiimage-post-api); a post's `media` holds at most 4.
    max_images=4,
    # Posts API, content.media and multiImage images: altText "limited to 4086 characters".
    max_alt=4086,
    # Images API: "less than 36,152,320 pixels".
    max_pixels=36_152_319,
)

DISCOURSE = NetworkLimits(
    network="discourse",
    name="Discourse",
    # Images go up through POST /uploads.json (type "composer") and into the topic's
    # Markdown by their short URL (docs.discourse.org, "Creates an upload").
    # config/site_settings.yml, authorized_extensions: "jpg|jpeg|png|gif|heic|heif|webp"
    # by default; Clarion sends the four it can read.
    mime_types=_ALL_TYPES,
    # Same file, max_image_size_kb: 4096 (KiB), a forum may set it otherwise;
    # lib/validators/upload_validator.rb refuses a file larger than that.
    max_bytes=4096 * 1024,
    # No count of images per post for a staff or trusted account (a new user's is
    # newuser_max_embedded_media, 1); a post's `media` holds at most 4.
    max_images=4,
    # The alt text is part of the topic's Markdown: no limit of its own beyond the
    # body's max_post_length (32000), which the adapter checks with the images in.
    max_alt=32000,
    # Same file, max_image_megapixels: 40.
    max_pixels=40_000_000,
)

LIMITS: Mapping[str, NetworkLimits] = {
    BLUESKY.network: BLUESKY,
    MASTODON.network: MASTODON,
    X.network: X,
    THREADS.network: THREADS,
    LINKEDIN.network: LINKEDIN,
    DISCOURSE.network: DISCOURSE,
}


def for_account(limits: NetworkLimits, account: object) -> NetworkLimits:
    """`limits` as the account's settings change them: `image_max_bytes` (Bluesky's, for
    a PDS that takes less than the lexicon's 2,000,000 bytes) replaces `max_bytes`."""
    image_max_bytes = getattr(account, "image_max_bytes", None)
    if isinstance(image_max_bytes, int) and image_max_bytes != limits.max_bytes:
        return replace(limits, max_bytes=image_max_bytes)
    return limits
