"""A screenshot's pixels, enough to tell a rendered page from a blank one.

Read with Pillow (which matplotlib, drawing the site's charts, needs anyway):
undoing each scanline's filter in Python took a second of CPU for each
screenshot."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from PIL import Image


@dataclass(frozen=True)
class Pixels:
    width: int
    height: int
    channels: int
    data: bytes  # the rows, one after another, `channels` bytes a pixel

    def colours(self, step: int = 3) -> Counter[bytes]:
        """How often each colour occurs, sampling every `step`-th pixel of every `step`-th row."""
        found: Counter[bytes] = Counter()
        size = self.channels
        stride = self.width * size
        for start in range(0, len(self.data), stride * step):
            row = self.data[start : start + stride]
            found.update(row[i : i + size] for i in range(0, stride, size * step))
        return found


def decode(path: Path) -> Pixels:
    """The pixels of a PNG as RGB or RGBA (what Chromium writes)."""
    with Image.open(path) as opened:
        assert opened.format == "PNG", f"not a PNG: {opened.format}"
        image = opened if opened.mode in ("RGB", "RGBA") else opened.convert("RGBA")
        return Pixels(image.width, image.height, len(image.mode), image.tobytes())
