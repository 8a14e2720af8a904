"""What the site shows of a post (`Entry`) and of the archive (`Archive`): the
model that `collect` reads from the post files and the pages and feeds render.

Text in the model is already clean of what neither HTML nor XML may carry, but
not escaped: escaping is the templates' (autoescape) and the feeds' writers' job.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from clarion import networks
from clarion.metrics.lines import MetricsLine

TITLE_LENGTH = 80
# What neither HTML nor XML 1.0 may carry (C0 controls but tab and newline, DEL,
# the two non-characters XML names): dropped from post text before it is written.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@dataclass(frozen=True)
class SiteImage:
    source: Path  # inside the repository, links resolved
    target: str  # site path: media/<digest><suffix>
    alt: str
    width: int
    height: int
    described: bool = True  # False: no description was written, only a placeholder


@dataclass(frozen=True)
class Card:
    url: str
    title: str
    description: str
    thumbnail: SiteImage | None

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc


@dataclass(frozen=True)
class NetworkCopy:
    network: str
    urls: tuple[str, ...]  # one per thread part that has a receipt, in order
    # Its first part's latest counts (the post's figures), when metrics lines hold them.
    counts: MetricsLine | None = None

    @property
    def label(self) -> str:
        return networks.display(self.network)


@dataclass(frozen=True)
class Entry:
    """One post as the site shows it."""

    rel: str  # the post file, relative to the repository: its identity
    page: str  # its page, relative to the site root: posts/2026/cfp.html
    date: dt.datetime  # UTC: the earliest receipt, else publish_at
    updated: dt.datetime  # UTC: the latest receipt or edit
    edited: dt.datetime | None
    lang: str | None
    parts: tuple[str, ...]
    content_warning: str | None
    images: tuple[SiteImage, ...]
    card: Card | None
    copies: tuple[NetworkCopy, ...]

    @property
    def title(self) -> str:
        """A short name for the post: its first line, or its content warning."""
        if self.content_warning:
            return truncate(f"Content warning: {self.content_warning}")
        first = next((line.strip() for line in self.parts[0].split("\n") if line.strip()), "")
        return truncate(first) or "Untitled post"


@dataclass(frozen=True)
class Archive:
    entries: tuple[Entry, ...]  # newest first
    warnings: tuple[str, ...] = ()  # "posts/x.md: ...": things left out, and why
    left_out: Mapping[str, int] = field(default_factory=dict)  # reason -> number of posts


def clean(text: str) -> str:
    """`text` without the characters HTML and XML cannot carry."""
    return _UNWRITABLE.sub("", text)


def is_web(url: object) -> bool:
    """An absolute http(s) URL: the only kind the site links to."""
    if not isinstance(url, str) or _UNWRITABLE.search(url) or any(c.isspace() for c in url):
        return False
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def truncate(text: str, limit: int = TITLE_LENGTH) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"
