"""What an image file holds, read from its first bytes: type, size, animation.

A file's type is read from its content, never from its name: the networks
sniff what they receive (the Bluesky PDS, Mastodon's Paperclip, X's upload
endpoint), so a text file called `banner.png` must fail here, in the pull
request, not at publish time.

This module is on the `clarion validate` fast path: standard library only.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final, Literal

PNG: Final = "image/png"
JPEG: Final = "image/jpeg"
GIF: Final = "image/gif"
WEBP: Final = "image/webp"

# Each type's name, for messages.
KINDS: Final[Mapping[str, str]] = {PNG: "PNG", JPEG: "JPEG", GIF: "GIF", WEBP: "WebP"}


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
        return KINDS[self.mime]


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
