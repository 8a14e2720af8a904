"""The text each network receives for each part of a post.

One place decides this so that what the check counts is exactly what the
publisher sends: the network's own `body` or the common body, split into
thread parts and trimmed, with the content warning prepended on networks that
have no spoiler field.
"""

from __future__ import annotations

from dataclasses import dataclass

from clarion import networks
from clarion.post import Post


@dataclass(frozen=True)
class ComposedPart:
    index: int
    text: str
    line: int  # where the part starts in the file, for messages


def compose(post: Post, network: str) -> tuple[ComposedPart, ...]:
    parts = post.body_parts(network)
    warning = post.content_warning
    in_text = not networks.get(network).spoiler_field
    composed = []
    for index, part in enumerate(parts):
        text = part.text
        if index == 0 and warning and in_text:
            text = f"CW: {warning}\n\n{text}"
        composed.append(ComposedPart(index, text, part.line))
    return tuple(composed)


def spoiler(post: Post, network: str) -> str | None:
    """The content warning as sent in the network's own field, where it has one."""
    return post.content_warning if networks.get(network).spoiler_field else None
