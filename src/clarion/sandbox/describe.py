"""What stand-ins share in telling what they received: `received()`'s images, and
the lines of `describe()` (for people) that say the same things on every network."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

INDENT = "      "  # below a post's head


class Stored(Protocol):
    """An image a stand-in keeps."""

    @property
    def mime(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...


def image(stored: Stored, alt: str | None, **more: object) -> dict[str, Any]:
    """An image as `received()` lists it: what the network keeps of it (`more`: its
    id, its URL), its type, bytes and size, and its alt text."""
    return {
        **more,
        "mime": stored.mime,
        "size": stored.size,
        "width": stored.width,
        "height": stored.height,
        "alt_text": alt,
    }


def head(
    number: int, post_id: str, reply_to: str | None, deleted: bool, *, edited: bool = False
) -> str:
    """A post's first line: its number in the list, its id, what it is, what became of it."""
    where = f"reply to {reply_to}" if reply_to else "new post"
    state = (", since deleted" if deleted else "") + (", edited" if edited else "")
    return f"  [{number}] {post_id} ({where}{state})"


def text_lines(text: str) -> list[str]:
    """A post's text, each line behind a bar."""
    return [f"{INDENT}| {line}".rstrip() for line in text.splitlines() or [""]]


def image_line(image: Mapping[str, Any], *, fetched_from: str | None = None) -> str:
    """One of a post's images (as `image` lists it), where the network fetched it
    from when it fetches images itself, and its alt text."""
    alt = image["alt_text"]
    shown = json.dumps(alt, ensure_ascii=False) if alt else "(none)"
    source = f"fetched from {fetched_from}, " if fetched_from else ""
    return (
        f"{INDENT}image {image['mime']} {image['width']}x{image['height']}, "
        f"{image['size']} bytes, {source}alt: {shown}"
    )
