"""What a post sends: the one thing the approval gate compares.

A post's content is its front matter as parsed, without `published:` (the
receipts, which only Clarion writes); its thread parts as they are sent; and
the bytes of every image it sends (media and the link card's thumbnail), as
git blob ids. Two versions of a post with equal content send the same thing;
any difference in what is sent is a difference here.

It is computed from parsed data, never from text, so quoting, comments, key
order, a byte-order mark or CRLF line endings do not count as changes, and no
text can hide inside something that looks like a receipts block. The gate
(`clarion.approval`), the take-in of `clarion/receipts`, and the pull-request
check of receipt edits all use this module.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from clarion.post.frontmatter import FrontMatterError, load, split_parts


@dataclass(frozen=True)
class Content:
    front: str  # the front matter without `published:`, as canonical JSON
    parts: tuple[str, ...]  # the thread parts, trimmed, as sent
    images: tuple[str, ...]  # one git blob id per image reference, in order

    @classmethod
    def unreadable(cls, raw: bytes) -> Content:
        """A file that does not parse: equal only to the very same bytes."""
        return cls(f"unreadable {blob_id(raw)}", (), ())


def blob_id(data: bytes) -> str:
    """The id git gives `data` as a blob (so files compare with commits without git)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def image_references(data: Mapping[str, Any]) -> list[str]:
    """The image paths a post sends, as written: each `media` path, then the thumbnail."""
    refs: list[str] = []
    media = data.get("media")
    if isinstance(media, list):
        refs.extend(item["path"] for item in media if isinstance(item, dict) and "path" in item)
    link = data.get("link")
    if isinstance(link, dict) and "thumbnail" in link:
        refs.append(link["thumbnail"])
    return [ref if isinstance(ref, str) else repr(ref) for ref in refs]


def image_path(post_path: str, ref: str) -> str | None:
    """The repository path `ref` names from the post at `post_path`; None if it leaves it."""
    if not ref or ref.startswith("/") or "\0" in ref or "\n" in ref or "\\" in ref:
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(post_path), ref))
    if joined == ".." or joined.startswith(("../", "/")):
        return None
    return joined


def content_of(raw: bytes, post_path: str, image_id: Callable[[str], str | None]) -> Content:
    """The content of the post file `raw` at repository path `post_path`.

    `image_id(path)` gives the blob id of the image at a repository path (links
    inside the repository followed), or None when there is none.
    """
    try:
        doc = load(raw)
    except FrontMatterError:
        return Content.unreadable(raw)
    data = {key: value for key, value in doc.data.items() if key != "published"}
    front = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    parts = tuple(part.text for part in split_parts(doc.body, doc.body_line))
    images = []
    for ref in image_references(doc.data):
        path = image_path(post_path, ref)
        found = image_id(path) if path is not None else None
        images.append(found or f"none {ref!r}")
    return Content(front, parts, tuple(images))


def receipts_of(raw: bytes) -> dict[str, list[Any]]:
    """The `published:` block of a post file, per network; empty when unreadable."""
    try:
        published = load(raw).data.get("published")
    except FrontMatterError:
        return {}
    if not isinstance(published, dict):
        return {}
    return {net: entries for net, entries in published.items() if isinstance(entries, list)}
