"""Real image bytes, written by hand (no Pillow), and a throwaway repository.

Every builder makes a file a decoder would accept, except where a docstring
says only the header is real (the sniffer reads no further).
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


class Images:
    """Builders, as static methods so tests reach them through one fixture."""

    png_chunk = staticmethod(_png_chunk)

    @staticmethod
    def png(width: int = 3, height: int = 2, *, frames: int = 1, before_idat: bytes = b"") -> bytes:
        """A black greyscale PNG at one bit per pixel (small even when huge),
        or an APNG when `frames` > 1."""
        ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
        row = b"\x00" + bytes(math.ceil(width / 8))  # filter byte, then the pixels
        pixels = zlib.compress(row * height)
        out = b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + before_idat
        if frames > 1:
            out += _png_chunk(b"acTL", struct.pack(">II", frames, 0))
            seq = 0
            for frame in range(frames):
                fctl = struct.pack(">IIIIIHHBB", seq, width, height, 0, 0, 1, 10, 0, 0)
                out += _png_chunk(b"fcTL", fctl)
                seq += 1
                if frame == 0:
                    out += _png_chunk(b"IDAT", pixels)
                else:
                    out += _png_chunk(b"fdAT", struct.pack(">I", seq) + pixels)
                    seq += 1
        else:
            out += _png_chunk(b"IDAT", pixels)
        return out + _png_chunk(b"IEND", b"")

    @staticmethod
    def jpeg(
        width: int = 16,
        height: int = 8,
        *,
        orientation: int | None = None,
        padding: tuple[int, ...] = (),
        sof: int = 0xC0,
    ) -> bytes:
        """A grey baseline JPEG: one-code Huffman tables, every block "DC 0, EOB".

        `orientation` adds an EXIF APP1 with that Orientation; `padding` adds
        APP2 segments of those payload sizes before the frame header (as ICC
        profiles do), pushing it deep into the file. With `sof` other than 0xC0
        only the headers are real.
        """

        def segment(marker: int, payload: bytes) -> bytes:
            return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload

        out = b"\xff\xd8" + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        if orientation is not None:
            ifd = struct.pack(">HHHIHHI", 1, 0x0112, 3, 1, orientation, 0, 0)
            tiff = b"MM\x00*" + struct.pack(">I", 8) + ifd
            out += segment(0xE1, b"Exif\x00\x00" + tiff)
        for size in padding:
            out += segment(0xE2, b"ICC_PROFILE\x00" + bytes(size - 12))
        out += segment(0xDB, b"\x00" + bytes([1]) * 64)  # quantisation table 0: all ones
        out += segment(sof, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
        one_code = bytes([1]) + bytes(15)  # a single code, of length 1
        out += segment(0xC4, b"\x00" + one_code + b"\x00")  # DC table 0: category 0
        out += segment(0xC4, b"\x10" + one_code + b"\x00")  # AC table 0: end of block
        out += segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        blocks = math.ceil(width / 8) * math.ceil(height / 8)
        bits = "00" * blocks
        bits += "1" * (-len(bits) % 8)  # pad the last byte with ones
        out += int(bits, 2).to_bytes(len(bits) // 8, "big")
        return out + b"\xff\xd9"

    @staticmethod
    def gif(width: int = 4, height: int = 3, *, frames: int = 1) -> bytes:
        """A GIF with a `width` x `height` screen and `frames` one-pixel frames."""
        out = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0)
        out += b"\x00\x00\x00\xff\xff\xff"  # global colour table: black, white
        if frames > 1:
            out += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"  # loop forever
        for _ in range(frames):
            out += b"\x21\xf9\x04\x04\x0a\x00\x00\x00"  # graphic control: 0.1 s
            out += b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0)
            out += b"\x02\x02\x44\x01\x00"  # LZW: clear, index 0, end
        return out + b";"

    # The 1x1 lossless bitstream after the VP8L header (alpha used, version 0).
    _VP8L_1X1 = b"\x07\x10\x11\x11\x88\x88\xfe\x07\x00"

    @staticmethod
    def _riff(chunks: bytes) -> bytes:
        return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + chunks

    @staticmethod
    def _chunk(kind: bytes, data: bytes) -> bytes:
        return kind + struct.pack("<I", len(data)) + data + b"\x00" * (len(data) % 2)

    @staticmethod
    def webp_lossless(width: int = 1, height: int = 1) -> bytes:
        """A VP8L WebP; decodable at 1x1, header only at other sizes."""
        bits = (width - 1) | ((height - 1) << 14) | (1 << 28)
        data = b"\x2f" + struct.pack("<I", bits) + Images._VP8L_1X1
        return Images._riff(Images._chunk(b"VP8L", data))

    @staticmethod
    def webp_lossy(width: int = 1, height: int = 1) -> bytes:
        """A VP8 key frame; decodable at 1x1, header only at other sizes."""
        data = b"\x30\x01\x00\x9d\x01\x2a" + struct.pack("<HH", width, height)
        data += b"\x0e\xc0\xfe\x25\xa4\x00\x03\x70\x00\x00\x00\x00"
        return Images._riff(Images._chunk(b"VP8 ", data))

    @staticmethod
    def webp_extended(width: int = 1, height: int = 1, *, frames: int = 1) -> bytes:
        """A VP8X WebP holding `frames` 1x1 lossless frames (animated when > 1)."""
        flags = 0x10 | (0x02 if frames > 1 else 0)  # alpha, animation
        vp8x = bytes([flags, 0, 0, 0])
        vp8x += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
        chunks = Images._chunk(b"VP8X", vp8x)
        frame = Images._chunk(b"VP8L", b"\x2f" + struct.pack("<I", 1 << 28) + Images._VP8L_1X1)
        if frames > 1:
            chunks += Images._chunk(b"ANIM", b"\x00\x00\x00\x00\x00\x00")
            for _ in range(frames):
                anmf = bytes(6) + bytes(6) + (100).to_bytes(3, "little") + b"\x00"
                chunks += Images._chunk(b"ANMF", anmf + frame)
        else:
            chunks += frame
        return Images._riff(chunks)


@pytest.fixture
def images() -> type[Images]:
    return Images


@dataclass
class Repo:
    """A repository with one post, posts/2026/cfp.md; images go next to it."""

    root: Path

    @property
    def post(self) -> Path:
        return self.root / "posts" / "2026" / "cfp.md"

    def write(self, rel: str, data: bytes, *, size: int | None = None) -> Path:
        """Write `data` at `rel` (relative to the post's folder), then extend the
        file with a hole to `size` bytes: large files cost no disk or time."""
        path = self.post.parent / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            f.write(data)
            if size is not None:
                f.truncate(size)
        return path


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    root = tmp_path / "repo"
    repo = Repo(root)
    repo.post.parent.mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.clarion]\n", encoding="utf-8")
    repo.post.write_text("---\nmedia: []\n---\nHello\n", encoding="utf-8")
    return repo
