"""The images a post attaches, judged as each network will judge them.

A file's type is read from its first bytes, never from its name: the networks
sniff what they receive (the Bluesky PDS, Mastodon's Paperclip, X's upload
endpoint), so a text file called `banner.png` must fail here, in the pull
request, not at publish time.

This module is on the `clarion validate` fast path: standard library only, and
nothing heavier than what `clarion.settings` already imports.
"""

from __future__ import annotations

import importlib
import mmap
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Final, Literal

from clarion.check.result import ERROR, WARNING, Severity
from clarion.errors import ClarionError

PNG: Final = "image/png"
JPEG: Final = "image/jpeg"
GIF: Final = "image/gif"
WEBP: Final = "image/webp"


_KIND = {PNG: "PNG", JPEG: "JPEG", GIF: "GIF", WEBP: "WebP"}


# --------------------------------------------------------------------------- sniffing


@dataclass(frozen=True)
class ImageInfo:
    """What the first bytes of an image say about it."""

    mime: str  # one of PNG, JPEG, GIF, WEBP
    width: int  # as displayed: a JPEG's EXIF rotation by 90° is applied, since
    height: int  # every network shows it rotated and Bluesky wants that aspect ratio
    size: int  # bytes: the whole file for `sniff_file`, the data given for `sniff`
    animated: bool = False  # more than one frame (GIF, APNG, animated WebP)

    @property
    def kind(self) -> str:
        """ "PNG", "JPEG", "GIF" or "WebP", for messages."""
        return _KIND[self.mime]


# Sized reads: a slice of an mmap is bytes, an index is an int, like bytes.
_Data = bytes | bytearray | mmap.mmap


def _u16be(d: _Data, i: int) -> int:
    return (d[i] << 8) | d[i + 1]


def _u16le(d: _Data, i: int) -> int:
    return d[i] | (d[i + 1] << 8)


def _u24le(d: _Data, i: int) -> int:
    return d[i] | (d[i + 1] << 8) | (d[i + 2] << 16)


def _u32be(d: _Data, i: int) -> int:
    return (d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png(d: _Data) -> ImageInfo | None:
    if len(d) < 24 or d[12:16] != b"IHDR":
        return None
    width, height = _u32be(d, 16), _u32be(d, 20)
    # An APNG announces itself with an acTL chunk before the first IDAT.
    animated = False
    pos = 8
    while pos + 8 <= len(d):
        kind = d[pos + 4 : pos + 8]
        if kind == b"acTL":
            animated = pos + 12 <= len(d) and _u32be(d, pos + 8) > 1
            break
        if kind in (b"IDAT", b"IEND"):
            break
        pos += 12 + _u32be(d, pos)
    return _info(PNG, width, height, len(d), animated)


# Start-of-frame markers carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC)
# share the range but are not frames.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE = frozenset({0x01, 0xD8, *range(0xD0, 0xD8)})


def _jpeg(d: _Data) -> ImageInfo | None:
    # Walk the segments: the frame header can sit far in, after EXIF, ICC
    # profiles and XMP (each up to 64 KiB, and there can be several).
    orientation = 1
    pos = 2
    end = len(d)
    while pos + 4 <= end:
        if d[pos] != 0xFF:
            return None
        marker = d[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker in _JPEG_STANDALONE:
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, or a scan before any frame header
            return None
        length = _u16be(d, pos + 2)
        if length < 2:
            return None
        body = pos + 4
        if marker in _JPEG_SOF:
            if body + 5 > end:
                return None
            height, width = _u16be(d, body + 1), _u16be(d, body + 3)
            if orientation in (5, 6, 7, 8):  # transposed or rotated by 90°
                width, height = height, width
            return _info(JPEG, width, height, len(d), False)
        if marker == 0xE1 and d[body : body + 6] == b"Exif\x00\x00":
            orientation = _exif_orientation(d[body + 6 : pos + 2 + length])
        pos += 2 + length
    return None


def _exif_orientation(tiff: bytes | bytearray) -> int:
    """The Orientation tag (0x0112) of IFD0, or 1 when absent or unreadable."""
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        return 1
    order: Literal["little", "big"] = "little" if tiff[:2] == b"II" else "big"

    def u16(i: int) -> int:
        return int.from_bytes(tiff[i : i + 2], order)

    ifd = int.from_bytes(tiff[4:8], order)
    if ifd + 2 > len(tiff):
        return 1
    for n in range(u16(ifd)):
        entry = ifd + 2 + 12 * n
        if entry + 12 > len(tiff):
            break
        if u16(entry) == 0x0112:
            value = u16(entry + 8)  # a SHORT, left-aligned in the value field
            return value if 1 <= value <= 8 else 1
    return 1


def _skip_sub_blocks(d: _Data, pos: int) -> int:
    while pos < len(d):
        size = d[pos]
        pos += 1 + size
        if size == 0:
            return pos
    return len(d)


def _gif(d: _Data) -> ImageInfo | None:
    if len(d) < 13:
        return None
    width, height = _u16le(d, 6), _u16le(d, 8)
    packed = d[10]
    pos = 13
    if packed & 0x80:  # global colour table
        pos += 3 << ((packed & 0x07) + 1)
    frames = 0
    first: tuple[int, int] | None = None
    while pos < len(d) and frames < 2:
        block = d[pos]
        if block == 0x2C:  # image descriptor
            if pos + 10 > len(d):
                break
            frames += 1
            if first is None:
                first = (_u16le(d, pos + 5), _u16le(d, pos + 7))
            local = d[pos + 9]
            pos += 10
            if local & 0x80:
                pos += 3 << ((local & 0x07) + 1)
            pos = _skip_sub_blocks(d, pos + 1)  # +1: LZW minimum code size
        elif block == 0x21:  # extension: label, then sub-blocks
            pos = _skip_sub_blocks(d, pos + 2)
        else:  # trailer (0x3B) or damage
            break
    if (width == 0 or height == 0) and first is not None:
        # A zero logical screen: decoders fall back to the first frame.
        width, height = first
    return _info(GIF, width, height, len(d), frames > 1)


def _webp(d: _Data) -> ImageInfo | None:
    if len(d) < 30:
        return None
    chunk = d[12:16]
    animated = False
    if chunk == b"VP8 ":  # lossy: a key frame's start code, then 14-bit sizes
        if d[23:26] != b"\x9d\x01\x2a":
            return None
        width, height = _u16le(d, 26) & 0x3FFF, _u16le(d, 28) & 0x3FFF
    elif chunk == b"VP8L":  # lossless: signature byte, then 14-bit sizes minus one
        if d[20] != 0x2F:
            return None
        bits = int.from_bytes(d[21:25], "little")
        width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    elif chunk == b"VP8X":  # extended: flags, then 24-bit canvas sizes minus one
        animated = bool(d[20] & 0x02)
        width, height = _u24le(d, 24) + 1, _u24le(d, 27) + 1
    else:
        return None
    return _info(WEBP, width, height, len(d), animated)


def _info(mime: str, width: int, height: int, size: int, animated: bool) -> ImageInfo | None:
    if width <= 0 or height <= 0:
        return None  # no network takes an image without area
    return ImageInfo(mime, width, height, size, animated)


def _sniff(d: _Data) -> ImageInfo | None:
    head = d[:16]
    if head.startswith(_PNG_SIGNATURE):
        return _png(d)
    if head.startswith(b"\xff\xd8\xff"):
        return _jpeg(d)
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _gif(d)
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return _webp(d)
    return None


def sniff(data: bytes) -> ImageInfo | None:
    """The image `data` holds (PNG, JPEG, GIF or WebP, by content), or None.

    Never raises: garbage and truncated input give None (or, for a GIF or PNG
    cut after its header, what the header says). `size` is `len(data)`.
    """
    try:
        return _sniff(data)
    except (IndexError, ValueError):  # a bounds check missed: still not an image
        return None


# Past every network's limit: a file this large is refused for its size anyway.
_FALLBACK_READ = 32 * 1024 * 1024


def sniff_file(path: Path) -> ImageInfo | None:
    """`sniff` for a file, reading only the pages the parser touches.

    The file is memory-mapped, so a JPEG whose frame header sits behind
    megabytes of metadata costs a few page reads, and a large file that is not
    an image costs one. Raises OSError when the file cannot be opened.
    """
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            return None
        try:
            view = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # a file system without mmap: read the head
            info = sniff(f.read(_FALLBACK_READ))
        else:
            try:
                info = _sniff(view)
            except (IndexError, ValueError):
                info = None
            finally:
                view.close()
    return replace(info, size=size) if info is not None else None


def describe_other(head: bytes) -> str:
    """What a file that `sniff` refused looks like, for the message ("a text file")."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        return "an empty file"
    if head.startswith(_PNG_SIGNATURE):
        return "a damaged PNG (its header cannot be read)"
    if head.startswith(b"\xff\xd8\xff"):
        return "a damaged JPEG (no frame header before the image data)"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "a damaged GIF (its header cannot be read)"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "a damaged WebP (its header cannot be read)"
    if head.startswith(b"BM"):
        return "a BMP image"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "a TIFF image"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return "an AVIF image"
        if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"):
            return "a HEIC/HEIF image"
        return "a video"
    if head.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL ")):
        return "a JPEG XL image"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.startswith(b"\x00\x00\x01\x00"):
        return "an ICO icon"
    if stripped.startswith(b"<svg") or (stripped.startswith(b"<?xml") and b"<svg" in head):
        return "an SVG drawing"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 3:  # not just a character cut at the end of head
                return "not an image Clarion can read"
        return "a text file"
    return "not an image Clarion can read"


# --------------------------------------------------------------------------- paths


class MediaProblem(ClarionError):
    """A media path a post cannot use; `code` is the check's kebab-case code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def resolve_media(post_file: Path, repo_root: Path, rel: str) -> Path:
    """The file `rel` (relative to the post file) names, resolved inside the repository.

    Raises `MediaProblem` when the path is absolute, leaves the repository by
    `..` or through a symbolic link, or is not an existing regular file. The
    returned path has every link resolved: open that one, not `rel` again.
    """
    if not rel.strip():
        raise MediaProblem(
            "media-missing", "no path is given: write `path:`, relative to the post file"
        )
    if "\x00" in rel:
        raise MediaProblem("media-missing", f"{rel!r} is not a usable path (it holds a NUL byte)")
    if PurePosixPath(rel).is_absolute() or Path(rel).is_absolute():
        raise MediaProblem(
            "media-absolute-path",
            f"{rel} is an absolute path: write it relative to the post file "
            "(e.g. ../media/banner.png) so it works in every checkout",
        )
    root = repo_root.resolve()
    base = post_file.resolve().parent
    lexical = Path(os.path.normpath(base / rel))
    if not lexical.is_relative_to(root):
        raise MediaProblem(
            "media-outside-repo",
            f"{rel} goes outside the repository through '..': "
            "copy the image into the repository and point to the copy",
        )
    target = (base / rel).resolve()
    if not target.is_relative_to(root):
        raise MediaProblem(
            "media-outside-repo",
            f"{rel} leads outside the repository through a symbolic link: "
            "copy the image into the repository instead of linking to it",
        )
    if not target.exists():
        raise MediaProblem(
            "media-missing",
            f"{rel} does not exist (looked for {target.relative_to(root).as_posix()}): "
            "add the file, or fix the path (it is relative to the post file)",
        )
    if not target.is_file():
        raise MediaProblem("media-not-file", f"{rel} is not a file: point `path:` to an image file")
    return target


# --------------------------------------------------------------------------- limits

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

LIMITS: Mapping[str, NetworkLimits] = {
    BLUESKY.network: BLUESKY,
    MASTODON.network: MASTODON,
    X.network: X,
}


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class MediaIssue:
    """One problem with a post's media. `message` says what and how to fix it;
    the reporter adds the file and line."""

    code: str
    message: str
    line: int | None
    network: str | None = None  # None: a problem on every network
    severity: Severity = ERROR
    index: int | None = None  # position in the `images` given; None: the thumbnail or the post

    def format(self, where: str) -> str:
        """`where:line: message`, for plain text."""
        return f"{where}:{self.line}: {self.message}" if self.line else f"{where}: {self.message}"


@dataclass(frozen=True)
class CheckedImage:
    """An image that exists inside the repository and is one Clarion can send."""

    rel: str  # as written in the post
    path: Path  # resolved, inside the repository
    alt: str
    line: int | None
    info: ImageInfo


@dataclass(frozen=True)
class MediaReport:
    issues: tuple[MediaIssue, ...]
    # Every image that resolved and sniffed, in order, even when a network's
    # limit refuses it: a refusal on a network already published is only a warning.
    images: tuple[CheckedImage, ...]

    @property
    def ok(self) -> bool:
        return not any(issue.severity == ERROR for issue in self.issues)


ImageEntry = tuple[str, str, int | None]  # (path relative to the post, alt text, line)


def _limits_for(
    networks: Iterable[str], limits: Mapping[str, NetworkLimits] | None
) -> list[NetworkLimits]:
    table = LIMITS if limits is None else {**LIMITS, **limits}
    chosen = []
    for network in dict.fromkeys(networks):
        if network not in table:
            raise ValueError(f"no media limits for network {network!r}")
        chosen.append(table[network])
    return chosen


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB ({n:,} bytes)"


def _alt_length(alt: str, graphemes: bool, limit: int) -> int:
    if not graphemes or len(alt) <= limit:
        # A grapheme holds one or more code points: within the limit in code
        # points means within it in graphemes, and `regex` need not load.
        return len(alt)
    # Loaded only for the rare alt text past the limit in code points; through
    # importlib because `regex` ships no type stubs.
    regex = importlib.import_module("regex")
    return len(regex.findall(r"\X", alt))


def _locate(
    post_file: Path, repo_root: Path, rel: str, *, line: int | None, index: int | None, what: str
) -> tuple[Path, ImageInfo] | MediaIssue:
    """The resolved file and what it holds, or the issue that stops further checks."""
    try:
        path = resolve_media(post_file, repo_root, rel)
    except MediaProblem as problem:
        return MediaIssue(problem.code, f"{what}{problem.message}", line, index=index)
    head = b""
    try:
        info = sniff_file(path)
        if info is None:
            with path.open("rb") as f:
                head = f.read(4096)
    except OSError as exc:
        return MediaIssue(
            "media-unreadable",
            f"{what}{rel} cannot be read ({exc.strerror or exc}): check its permissions",
            line,
            index=index,
        )
    if info is None:
        return MediaIssue(
            "media-not-image",
            f"{what}{rel} is {describe_other(head)}, not a PNG, JPEG, GIF or WebP image "
            "(the type is read from the content, not the name): export it as PNG or JPEG",
            line,
            index=index,
        )
    return path, info


def _network_issues(
    limits: NetworkLimits,
    rel: str,
    info: ImageInfo,
    line: int | None,
    index: int | None,
    *,
    max_bytes: int,
    accepts: str,
    what: str = "",
) -> list[MediaIssue]:
    out: list[MediaIssue] = []
    net = limits.name

    def issue(code: str, message: str, severity: Severity = ERROR) -> None:
        out.append(
            MediaIssue(code, f"{net}: {what}{message}", line, limits.network, severity, index)
        )

    if info.mime not in limits.mime_types:
        issue(
            "media-type-unsupported",
            f"{rel} is a {info.kind} image, which {net} does not accept: convert it to "
            + " or ".join(sorted(_KIND[m] for m in limits.mime_types)),
        )
        return out
    if info.size > max_bytes:
        issue(
            "media-too-large",
            f"{rel} is {_size(info.size)}; {net} accepts {accepts} up to {max_bytes:,} bytes: "
            "resize or recompress it",
        )
    pixels = info.width * info.height
    pixel_limit = limits.max_gif_pixels if info.mime == GIF else None
    pixel_limit = pixel_limit or limits.max_pixels
    if pixel_limit is not None and pixels > pixel_limit:
        kind = "GIFs" if info.mime == GIF and limits.max_gif_pixels else "images"
        issue(
            "media-too-many-pixels",
            f"{rel} is {info.width}x{info.height} ({pixels:,} pixels); {net} refuses {kind} "
            f"over {pixel_limit:,} pixels: scale it down",
        )
    if info.mime == GIF and info.animated and limits.gif_advised_max is not None:
        max_w, max_h = limits.gif_advised_max
        if info.width > max_w or info.height > max_h:
            issue(
                "media-gif-dimensions",
                f"{rel} is {info.width}x{info.height}; {net} advises animated GIFs of at most "
                f"{max_w}x{max_h} and may refuse larger ones: scale it down",
                WARNING,
            )
    if info.animated and not limits.shows_animation:
        issue(
            "media-animation-lost",
            f"{rel} is animated, but {net} shows only its first frame",
            WARNING,
        )
    return out


def check_images(
    post_file: Path,
    repo_root: Path,
    images: Sequence[ImageEntry],
    networks: Iterable[str],
    *,
    limits: Mapping[str, NetworkLimits] | None = None,
) -> MediaReport:
    """Check a post's `media:` list against the repository and each network.

    `images` holds `(path, alt, line)` per entry, path as written (relative to
    the post file). `networks` are the post's target networks; a network-specific
    issue carries its `network`, so a caller can downgrade a network that is
    history. `limits` replaces entries of `LIMITS` (e.g. `{"bluesky": BLUESKY_1MB}`).
    """
    targets = _limits_for(networks, limits)
    issues: list[MediaIssue] = []
    good: list[CheckedImage] = []
    for index, (rel, alt, line) in enumerate(images):
        if not alt.strip():
            issues.append(
                MediaIssue(
                    "alt-missing",
                    f"{rel or 'an image'} has no alt text: add `alt:` describing the image "
                    "for people who cannot see it",
                    line,
                    index=index,
                )
            )
        else:
            for net in targets:
                length = _alt_length(alt, net.alt_in_graphemes, net.max_alt)
                if length > net.max_alt:
                    issues.append(
                        MediaIssue(
                            "alt-too-long",
                            f"{net.name}: the alt text of {rel} is {length:,} characters; "
                            f"{net.name} accepts up to {net.max_alt:,}: shorten it",
                            line,
                            net.network,
                            index=index,
                        )
                    )
        found = _locate(post_file, repo_root, rel, line=line, index=index, what="")
        if isinstance(found, MediaIssue):
            issues.append(found)
            continue
        path, info = found
        good.append(CheckedImage(rel, path, alt, line, info))
        for net in targets:
            animated_gif = info.mime == GIF and info.animated
            if animated_gif and net.max_animated_gif_bytes is not None:
                max_bytes, accepts = net.max_animated_gif_bytes, "animated GIFs"
            else:
                max_bytes, accepts = net.max_bytes, "images"
            issues.extend(
                _network_issues(net, rel, info, line, index, max_bytes=max_bytes, accepts=accepts)
            )
            if animated_gif and net.animated_gif_alone and len(images) > 1:
                issues.append(
                    MediaIssue(
                        "media-gif-not-alone",
                        f"{net.name}: {rel} is an animated GIF, and {net.name} takes an "
                        "animated GIF only as the sole image of a post: remove the other "
                        "images, or use a still image",
                        line,
                        net.network,
                        index=index,
                    )
                )
    for net in targets:
        if len(images) > net.max_images:
            extra = len(images) - net.max_images
            _, _, line = images[net.max_images]
            issues.append(
                MediaIssue(
                    "media-too-many",
                    f"{net.name}: the post has {len(images)} images; {net.name} takes up to "
                    f"{net.max_images} per post: remove {extra}",
                    line,
                    net.network,
                    index=net.max_images,
                )
            )
    return MediaReport(tuple(issues), tuple(good))


def check_thumbnail(
    post_file: Path,
    repo_root: Path,
    rel: str,
    line: int | None,
    networks: Iterable[str],
    *,
    limits: Mapping[str, NetworkLimits] | None = None,
) -> MediaReport:
    """Check `link.thumbnail`. Only networks with `max_thumbnail_bytes` upload it
    (Bluesky; the others draw their own card from the URL), so pass the networks
    that will get the card: not Bluesky when the post has images, since there the
    card is dropped. The path is checked whatever the networks."""
    what = "link thumbnail: "
    found = _locate(post_file, repo_root, rel, line=line, index=None, what=what)
    if isinstance(found, MediaIssue):
        return MediaReport((found,), ())
    path, info = found
    issues: list[MediaIssue] = []
    for net in _limits_for(networks, limits):
        if net.max_thumbnail_bytes is None:
            continue
        issues.extend(
            issue
            for issue in _network_issues(
                net,
                rel,
                info,
                line,
                None,
                max_bytes=net.max_thumbnail_bytes,
                accepts="link card thumbnails",
                what=what,
            )
            if issue.code != "media-animation-lost"  # a card thumbnail is a still anyway
        )
    return MediaReport(tuple(issues), (CheckedImage(rel, path, "", line, info),))
