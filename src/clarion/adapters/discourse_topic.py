"""A Discourse topic as Clarion makes it and as the forum's JSON gives it back:
its `external_id`, its body (`raw`: the text, then the images the composer's
way), and its first post in `GET /t/{id}.json` (the one that holds the body and
its likes). Shared by the adapter, the counts reader and the watcher; no HTTP here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

# app/models/topic.rb: EXTERNAL_ID_MAX_LENGTH = 50, format /\A[\w-]+\z/.
EXTERNAL_ID_MAX_LENGTH = 50
# An image line the adapter writes: ![alt|WxH](upload://…), alt escaped.
IMAGE_LINE = re.compile(
    r"!\[(?P<alt>(?:[^\]\\]|\\.)*?)(?:\|(?P<size>\d+x\d+))?\]\((?P<ref>upload://[^)\s]+)\)"
)


def external_id(key: str) -> str:
    """The topic's `external_id` for the post at `key` (its path): stable across
    runs and machines, 48 characters of [a-z0-9-], within Discourse's 50."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
    return f"clarion-{digest}"


def image_line(alt: str, width: int, height: int, short_url: str) -> str:
    """An uploaded image as the composer writes it: `![alt|WxH](upload://…)`.

    The alt text is one line with its brackets and backslashes escaped; a "|"
    would start the size, so it becomes "/".
    """
    flat = " ".join(alt.split())
    escaped = re.sub(r"([\\\[\]])", r"\\\1", flat).replace("|", "/")
    return f"![{escaped}|{width}x{height}]({short_url})"


def compose_raw(text: str, images: list[str]) -> str:
    """The topic's body: the text, then each image on a line of its own."""
    return text if not images else text + "\n\n" + "\n".join(images)


def first_post(topic: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The topic's first post (post_number 1) in its `post_stream`; None when the
    answer holds none."""
    stream = topic.get("post_stream")
    posts = stream.get("posts") if isinstance(stream, dict) else None
    for post in posts if isinstance(posts, list) else []:
        if isinstance(post, dict) and post.get("post_number") == 1:
            return post
    return None
