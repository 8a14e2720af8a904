"""What a Discourse forum takes: the lengths of a topic's title and body, and the
size and kind of its images (its site settings of these names, read at connect
from `GET /site/settings.json`, else the account's figures), and why a topic
would be refused, known before anything is uploaded or sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clarion.adapters.base import Image, OutgoingPart
from clarion.networks import DiscourseAccount
from clarion.text.discourse import body, clean_title, title_problem

EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


@dataclass(frozen=True)
class ForumLimits:
    """What the forum takes (its site settings of these names)."""

    min_topic_title_length: int
    max_topic_title_length: int
    min_first_post_length: int
    max_post_length: int
    max_image_size_kb: int = 4096
    authorized_extensions: tuple[str, ...] = ("jpg", "jpeg", "png", "gif", "heic", "heif", "webp")

    @classmethod
    def of(cls, account: DiscourseAccount) -> ForumLimits:
        return cls(
            account.min_topic_title_length,
            account.max_topic_title_length,
            account.min_first_post_length,
            account.max_post_length,
        )

    def read(self, settings: Mapping[str, Any]) -> ForumLimits:
        """These limits with the forum's own where it gave them."""

        def number(name: str, default: int) -> int:
            value = settings.get(name)
            try:
                return int(value) if value is not None and not isinstance(value, bool) else default
            except (TypeError, ValueError):
                return default

        extensions = settings.get("authorized_extensions")
        return ForumLimits(
            number("min_topic_title_length", self.min_topic_title_length),
            number("max_topic_title_length", self.max_topic_title_length),
            number("min_first_post_length", self.min_first_post_length),
            number("max_post_length", self.max_post_length),
            number("max_image_size_kb", self.max_image_size_kb),
            tuple(e.strip().lower().lstrip(".") for e in extensions.split("|") if e.strip())
            if isinstance(extensions, str)
            else self.authorized_extensions,
        )

    def problem(self, base: str, title: str, part: OutgoingPart) -> str | None:
        """Why the forum at `base` would refuse this topic, known before anything is sent."""
        settings = "[tool.clarion.accounts.discourse]"
        cleaned = clean_title(title)
        if not cleaned:
            return (
                "Discourse: the post has no title: add `title: ...` to its front matter "
                "(a topic needs one)"
            )
        if len(cleaned) < self.min_topic_title_length:
            return (
                f"Discourse: the title is {len(cleaned)} characters; {base} needs at least "
                f"{self.min_topic_title_length} (its min_topic_title_length): lengthen it, "
                f"and set min_topic_title_length in {settings} so the check knows"
            )
        if len(cleaned) > self.max_topic_title_length:
            return (
                f"Discourse: the title is {len(cleaned)} characters; {base} takes at most "
                f"{self.max_topic_title_length} (its max_topic_title_length): shorten it, "
                f"and set max_topic_title_length in {settings} so the check knows"
            )
        unclear = title_problem(cleaned, self.min_topic_title_length)
        if unclear:
            return f"Discourse: the title {unclear}"
        problem = self.body_problem(base, part.text, with_images=False)
        if problem:
            return problem
        for image in part.images:
            extension = EXTENSIONS.get(image.mime, "")
            allowed = self.authorized_extensions
            if extension not in allowed and not (extension == "jpg" and "jpeg" in allowed):
                return (
                    f"Discourse: {base} takes no {extension or image.mime} uploads "
                    f"(its authorized_extensions: {', '.join(allowed)}): {image.path.name}"
                )
            size = _size(image)
            if size is not None and size > self.max_image_size_kb * 1024:
                return (
                    f"Discourse: {image.path.name} is {size:,} bytes; {base} takes images "
                    f"of at most {self.max_image_size_kb} KB (its max_image_size_kb): make "
                    "it smaller"
                )
        return None

    def body_problem(self, base: str, raw: str, *, with_images: bool) -> str | None:
        """Why the forum at `base` would refuse this body (`raw`, with its images'
        Markdown when `with_images`)."""
        length = len(body(raw))
        if length > self.max_post_length:
            images = " with its images' Markdown" if with_images else ""
            return (
                f"Discourse: the body{images} is {length} characters; {base} takes at "
                f"most {self.max_post_length} (its max_post_length): shorten it, and set "
                "max_post_length in [tool.clarion.accounts.discourse] so the check knows"
            )
        if len(body(raw).strip()) < self.min_first_post_length:
            return (
                f"Discourse: the body is {len(body(raw).strip())} characters; {base} needs "
                f"at least {self.min_first_post_length} in a topic (its "
                "min_first_post_length): say more, and set min_first_post_length in "
                "[tool.clarion.accounts.discourse] so the check knows"
            )
        return None


def _size(image: Image) -> int | None:
    try:
        return image.path.stat().st_size
    except OSError:
        return None
