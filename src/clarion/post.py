"""The post model: a post file read into typed fields, with positions for messages.

`read_post` never raises for a bad file: it returns a `Post` whose `error` says
what is wrong and where, so one broken file never stops the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clarion.frontmatter import (
    BodyPart,
    Document,
    FrontMatterError,
    Pointer,
    Position,
    load,
    split_parts,
)
from clarion.settings import NETWORKS


@dataclass(frozen=True)
class MediaRef:
    path: str
    alt: str
    pointer: Pointer  # ("media", i) or ("link", "thumbnail")


@dataclass(frozen=True)
class Link:
    url: str
    title: str
    description: str = ""
    thumbnail: str | None = None


@dataclass(frozen=True)
class StoredReceipt:
    """A receipt as read from `published:`."""

    at: str
    id: str | None = None
    url: str | None = None
    outcome: str | None = None
    retracted: str | None = None  # when Clarion deleted it from the network
    edited: str | None = None  # when Clarion last applied a correction

    @property
    def unknown(self) -> bool:
        return self.outcome == "unknown"


@dataclass(frozen=True)
class Post:
    path: Path  # absolute
    rel: str  # relative to the repository root, POSIX: the post's identity
    doc: Document | None = None
    parts: tuple[BodyPart, ...] = ()
    error: FrontMatterError | None = None
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # -- front matter, read leniently (the schema check says what is wrong) ----
    @property
    def data(self) -> Mapping[str, Any]:
        return self.doc.data if self.doc else {}

    def position(self, pointer: Pointer) -> Position:
        return self.doc.position(pointer) if self.doc else Position(1, 1)

    @property
    def platforms(self) -> tuple[str, ...] | None:
        value = self.data.get("platforms")
        return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else None

    @property
    def publish_at_text(self) -> str | None:
        value = self.data.get("publish_at")
        return value if isinstance(value, str) else None

    @property
    def publish_at(self) -> dt.datetime | None:
        """The schedule, or None when absent or unreadable (the checks report that)."""
        text = self.publish_at_text
        if text is None:
            return None
        try:
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        return when if when.tzinfo is not None else None

    @property
    def lang(self) -> str | None:
        value = self.data.get("lang")
        return value if isinstance(value, str) else None

    @property
    def content_warning(self) -> str | None:
        value = self.data.get("content_warning")
        return value if isinstance(value, str) else None

    @property
    def example(self) -> bool:
        return self.data.get("example") is True

    @property
    def retract(self) -> bool:
        return self.data.get("retract") is True

    @property
    def edit(self) -> bool:
        return self.data.get("edit") is True

    @property
    def media(self) -> tuple[MediaRef, ...]:
        items = self.data.get("media")
        if not isinstance(items, list):
            return ()
        return tuple(
            MediaRef(str(item.get("path", "")), str(item.get("alt") or ""), ("media", i))
            for i, item in enumerate(items)
            if isinstance(item, dict)
        )

    @property
    def link(self) -> Link | None:
        value = self.data.get("link")
        if not isinstance(value, dict) or not isinstance(value.get("url"), str):
            return None
        thumb = value.get("thumbnail")
        return Link(
            value["url"],
            str(value.get("title", "")),
            str(value.get("description", "")),
            thumb if isinstance(thumb, str) else None,
        )

    def option(self, network: str, key: str) -> Any:
        table = self.data.get(network)
        return table.get(key) if isinstance(table, dict) else None

    def body_parts(self, network: str) -> tuple[BodyPart, ...]:
        """The thread parts for `network`: its own `body` when given, else the body."""
        override = self.option(network, "body")
        if not isinstance(override, str):
            return self.parts
        cached = self._cache.get(f"body:{network}")
        if cached is None:
            line = self.position((network, "body")).line
            cached = tuple(split_parts(override, line))
            self._cache[f"body:{network}"] = cached
        return tuple(cached)

    @property
    def receipts(self) -> dict[str, tuple[StoredReceipt, ...]]:
        published = self.data.get("published")
        result: dict[str, tuple[StoredReceipt, ...]] = {}
        if not isinstance(published, dict):
            return result
        for network in NETWORKS:
            entries = published.get(network)
            if isinstance(entries, list):
                result[network] = tuple(_receipt(e) for e in entries if isinstance(e, dict))
        return result

    def networks(self, default: tuple[str, ...]) -> tuple[str, ...]:
        """Where this post goes: its `platforms`; else the default when it has no
        receipt at all; else the networks it has receipts on (an imported archive)."""
        listed = self.platforms
        if listed is not None:
            return listed
        receipts = self.receipts
        if any(receipts.values()):
            return tuple(n for n in NETWORKS if receipts.get(n))
        return default

    def is_history(self, network: str) -> bool:
        """Every part already has a receipt on `network`: nothing left to send there."""
        receipts = self.receipts.get(network, ())
        return bool(receipts) and len(receipts) >= len(self.body_parts(network))


def _receipt(entry: Mapping[str, Any]) -> StoredReceipt:
    def text(key: str) -> str | None:
        value = entry.get(key)
        return None if value is None else str(value)

    return StoredReceipt(
        at=str(entry.get("at", "")),
        id=text("id"),
        url=text("url"),
        outcome=text("outcome"),
        retracted=text("retracted"),
        edited=text("edited"),
    )


def read_post(path: Path, root: Path) -> Post:
    """Read one post file. Never raises for a bad file: see `Post.error`."""
    rel = relative(path, root)
    try:
        raw = path.read_bytes()
        doc = load(raw)
    except FrontMatterError as exc:
        return Post(path, rel, error=exc)
    except OSError as exc:
        return Post(
            path, rel, error=FrontMatterError("unreadable", f"cannot read the file: {exc.strerror}")
        )
    return Post(path, rel, doc, tuple(split_parts(doc.body, doc.body_line)))


def relative(path: Path, root: Path) -> str:
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return path.as_posix()


def discover(posts_dir: Path) -> Iterator[Path]:
    """Every post under `posts_dir`, recursively, sorted: `*.md` except README.md."""
    found = [p for p in posts_dir.rglob("*.md") if p.name != "README.md" and p.is_file()]
    yield from sorted(found)
