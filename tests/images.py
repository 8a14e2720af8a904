"""Real, tiny PNGs made by hand for the tests: a colour (RGB) or a grey one."""

from __future__ import annotations

import struct
import zlib


def _png(width: int, height: int, colour_type: int, pixel: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    rows = b"".join(b"\x00" + pixel * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (0x20, 0x60, 0xA0)) -> bytes:
    """An RGB PNG of one colour."""
    return _png(width, height, 2, bytes(rgb))


def grey_png(width: int, height: int, shade: int = 0x80) -> bytes:
    """A greyscale PNG of one shade."""
    return _png(width, height, 0, bytes([shade]))
