"""The text each network receives for each part of a post.

One place decides this so that what the check counts is exactly what the
publisher sends: the network's own `body` or the common body, split into
thread parts and trimmed (or joined into one post by blank lines, where the
network makes one post of a thread, `joins_parts`, or the post says `thread:
single` under the network), with the content warning prepended on networks that
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
    joined: int = 1  # the thread parts it holds (joined: all of them)


def compose(post: Post, network: str) -> tuple[ComposedPart, ...]:
    parts = [(part.text, part.line) for part in post.body_parts(network)]
    written = len(post.thread_parts(network))
    joined = written if len(parts) < written else 1
    warning = post.content_warning
    in_text = not networks.get(network).spoiler_field
    composed = []
    for index, (body, line) in enumerate(parts):
        text = f"CW: {warning}\n\n{body}" if index == 0 and warning and in_text else body
        composed.append(ComposedPart(index, text, line, joined))
    return tuple(composed)


def spoiler(post: Post, network: str) -> str | None:
    """The content warning as sent in the network's own field, where it has one."""
    return post.content_warning if networks.get(network).spoiler_field else None
