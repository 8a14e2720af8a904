"""Threads' text rules: 500 characters a post, an emoji counting as its UTF-8 bytes,
and at most 5 links.

Meta documents the rule in two sentences
(https://developers.facebook.com/docs/threads/posts, "Limitations"): "Text posts
are limited to 500 characters." and "Emojis are counted as the number of UTF-8
bytes", the latter linking the grapheme-splitter package. So a character is a
grapheme cluster (what grapheme-splitter splits a text into) and counts 1,
except an emoji, which counts the bytes of its UTF-8 encoding: 👍 counts 4, a
flag 🇺🇸 8, ❤️ (U+2764 U+FE0F) 6, the family 👨‍👩‍👧 18 (its code points and
joiners together). 日本 counts 2: an ideograph is a character, not an emoji.

What is an emoji: a cluster that holds a code point shown as an emoji by default
(Unicode's Emoji_Presentation: 👍, the regional indicators of a flag, skin
tones), or the emoji presentation selector U+FE0F (❤️, ©️), or the keycap mark
U+20E3 (1️⃣). A bare © or ❤ without U+FE0F is text and counts 1, as it is shown.

Links: "Threads posts containing more than 5 links will fail to post during the
media creation step" with THREADS_API__LINK_LIMIT_EXCEEDED, and "All unique URLs
found in the text field are counted as links"
(https://developers.facebook.com/documentation/threads/create-posts/text-attachments).
Meta does not say how it finds a URL in text; its own example counts
www.facebook.com, a link without a scheme. Here a link is what twitter-text
finds (with or without a scheme, a known top-level domain), the same URL
written twice counting once. URLs count their full length: Threads shortens
nothing.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import regex

    from clarion.networks import Measured

MAX_CHARACTERS = 500
MAX_LINKS = 5


def length(text: str) -> int:
    """The length Threads counts for `text` against its limit of 500."""
    if text.isascii():  # no emoji; "\r\n" is one cluster
        return len(text) - text.count("\r\n")
    pattern = _patterns()
    count = 0
    for cluster in pattern.cluster.findall(text):
        count += len(cluster.encode("utf-8")) if pattern.emoji.search(cluster) else 1
    return count


def links(text: str) -> list[str]:
    """The distinct links Threads counts in `text`, in order of first appearance."""
    if "." not in text:
        return []
    from clarion.text.x import urls

    return list(dict.fromkeys(urls(text)))


def too_many_links(text: str) -> str | None:
    """Why Threads refuses `text` for its links, worded to follow "part 2" or "the
    text"; None when it has at most 5."""
    found = links(text)
    if len(found) <= MAX_LINKS:
        return None
    return (
        f"has {len(found)} different links ({', '.join(found)}); Threads refuses a post "
        f"with more than {MAX_LINKS}: remove {len(found) - MAX_LINKS}, or move some to "
        "another part of the thread"
    )


def measure(text: str, spoiler: str | None, account: object) -> Measured:
    """Threads' rule, for the registry: 500 characters as Meta counts them, and at
    most 5 links. Threads has no content-warning field: a "CW: …" line is part of
    the text already."""
    from clarion.networks import Measured

    return Measured(
        text,
        length(text),
        MAX_CHARACTERS,
        invalid=too_many_links(text),
        invalid_code="too-many-links",
    )


class _Patterns:
    def __init__(self, cluster: regex.Pattern[str], emoji: regex.Pattern[str]) -> None:
        self.cluster = cluster
        self.emoji = emoji


@functools.cache
def _patterns() -> _Patterns:
    import regex

    return _Patterns(
        regex.compile(r"\X"),
        regex.compile(r"[\p{Emoji_Presentation}\uFE0F\u20E3]"),
    )
