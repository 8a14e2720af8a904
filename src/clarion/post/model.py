"""The post model: a post file read into typed fields, with positions for messages.

`read_post` never raises for a bad file: it returns a `Post` whose `error` says
what is wrong and where, so one broken file never stops the others. A post is a
regular file inside the repository, named without glob characters and reached
without a symbolic link; anything else is refused before a byte of it is read.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clarion import networks
from clarion.post.frontmatter import (
    SYMLINK_ADVICE,
    BodyPart,
    Document,
    FrontMatterError,
    Pointer,
    Position,
    load,
    read,
    split_parts,
)


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
    def title(self) -> str | None:
        """`title:`, where a network needs one (a Discourse topic's title)."""
        value = self.data.get("title")
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
    def pin(self) -> bool:
        """`pin: true`: once published, pinned on the account's profile."""
        return self.data.get("pin") is True

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

    def thread_parts(self, network: str) -> tuple[BodyPart, ...]:
        """The thread as written for `network`: its own `body` when given, else the body."""
        override = self.option(network, "body")
        if not isinstance(override, str):
            return self.parts
        cached = self._cache.get(f"body:{network}")
        if cached is None:
            line = self.position((network, "body")).line
            cached = tuple(split_parts(override, line))
            self._cache[f"body:{network}"] = cached
        return tuple(cached)

    def body_parts(self, network: str) -> tuple[BodyPart, ...]:
        """The parts `network` receives: the thread; or the thread joined into one post
        by blank lines, where the network makes one post of it (`joins_parts`: a
        Discourse topic) or the post asks so (`thread: single` under the network)."""
        parts = self.thread_parts(network)
        entry = networks.find(network)
        joins = entry is not None and entry.joins_parts
        if len(parts) > 1 and (joins or self.option(network, "thread") == "single"):
            text = "\n\n".join(part.text for part in parts if part.text)
            return (BodyPart(text, parts[0].line),)
        return parts

    @property
    def receipts(self) -> dict[str, tuple[StoredReceipt, ...]]:
        published = self.data.get("published")
        result: dict[str, tuple[StoredReceipt, ...]] = {}
        if not isinstance(published, dict):
            return result
        for network in networks.names():
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
            return tuple(n for n in networks.names() if receipts.get(n))
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
    inside = _inside(path, root)
    rel = inside[1] if inside else path.as_posix()
    try:
        place = _place(inside, root, path)
        raw = read(place)
        doc = load(raw)
    except FrontMatterError as exc:
        return Post(path, rel, error=exc)
    except OSError as exc:
        return Post(
            path, rel, error=FrontMatterError("unreadable", f"cannot read the file: {exc.strerror}")
        )
    return Post(place, rel, doc, tuple(split_parts(doc.body, doc.body_line)))


def relative(path: Path, root: Path) -> str:
    """The post's identity: its path from the repository root, POSIX."""
    inside = _inside(path, root)
    return inside[1] if inside else path.as_posix()


# Git reads these in a path as a pattern, and a leading ':' as pathspec magic, so
# a post so named could match another post's history (and borrow its approval).
_GLOB = re.compile(r"[*?\[\]\\]|(?:^|/):")


def _place(inside: tuple[str, str] | None, root: Path, path: Path) -> Path:
    """Where to read a post from, once it is known to be a place a post can be:
    inside the repository, named without glob characters, and reached without a
    symbolic link (`path` itself when it names it so already, as `discover`'s
    do: a new Path costs more than the rest). Raises FrontMatterError saying why not."""
    if inside is None:
        raise FrontMatterError(
            "post-outside-repo",
            f"the file is outside the repository ({root}): posts are files inside "
            "the repository; move it into the posts folder",
        )
    top, rel = inside
    if _GLOB.search(rel):
        part = next(p for p in rel.split("/") if _GLOB.search(p))
        raise FrontMatterError(
            "post-name-glob",
            f"the name '{part}' holds {_glob_characters(part)}, which Git reads as a "
            "pattern that can match other posts: rename it, using only letters, "
            "digits, '-', '_' and '.'",
        )
    place = path if os.fspath(path) == f"{top}{os.sep}{rel}" else Path(top, rel)
    link = _first_link(top, rel)
    if link is not None:
        if link != rel:
            what = f"the folder {link}"
        else:
            what = "this folder" if place.is_dir() else "this file"
        raise FrontMatterError("post-symlink", f"{what} is a symbolic link: {SYMLINK_ADVICE}")
    return place


def link_on_the_way(path: Path, root: Path) -> str | None:
    """The first symbolic link (from the repository root) that `path` goes through
    or is, as a path from the root; None when there is none, or when `path` is
    not inside the repository."""
    inside = _inside(path, root)
    return _first_link(*inside) if inside else None


def _first_link(top: str, rel: str) -> str | None:
    # Strings, not pathlib: this runs for every post, and pathlib costs more than
    # the lstat calls themselves. Folders are shared by many posts: each is looked
    # at once a run.
    current = top
    parts = rel.split("/")
    for count, part in enumerate(parts, 1):
        current = f"{current}{os.sep}{part}"
        is_link = _is_link(current) if count == len(parts) else _folder_is_link(current)
        if is_link is None:
            return None  # missing: reading it says so
        if is_link:
            return "/".join(parts[:count])
    return None


def _is_link(path: str) -> bool | None:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return None


@functools.lru_cache(maxsize=4096)
def _folder_is_link(path: str) -> bool | None:
    return _is_link(path)


def _inside(path: Path, root: Path) -> tuple[str, str] | None:
    """(the repository root as `path` names it, `path` from there with `..` folded,
    POSIX), or None when `path` is outside the repository."""
    absolute = os.path.normpath(path if path.is_absolute() else path.absolute())
    top = os.path.normpath(root if root.is_absolute() else root.absolute())
    prefix = top.rstrip(os.sep) + os.sep
    if absolute.startswith(prefix):
        return top.rstrip(os.sep) or os.sep, _posix(absolute[len(prefix) :])
    # The repository may be named through a link above it (a CI workspace):
    # find the outermost folder on the way that is the repository.
    real = _realpath(root)
    as_path = Path(absolute)
    for folder in reversed(as_path.parents):
        if _realpath(folder) == real:
            return str(folder), as_path.relative_to(folder).as_posix()
    return None


def _posix(rel: str) -> str:
    return rel if os.sep == "/" else rel.replace(os.sep, "/")


def _glob_characters(part: str) -> str:
    found = [c for c in "*?[]\\" if c in part]
    if part.startswith(":"):
        found.append(":")
    return " and ".join(f"'{c}'" for c in found)


def discover(posts_dir: Path, root: Path | None = None) -> Iterator[Path]:
    """Every post under `posts_dir`, recursively, sorted: `*.md` except README.md.

    Links are never followed. A linked `.md` file is listed, for `read_post` to
    refuse it; with `root` given, so is a linked folder that leads outside the
    repository (its posts would otherwise vanish without a word).
    """
    found: list[Path] = []
    real_root = _realpath(root) if root is not None else None
    for top, folders, files in os.walk(posts_dir):
        folder = Path(top)  # each post's Path made from it: parsing every full path costs
        posts = (name for name in files if name.endswith(".md") and name != "README.md")
        found.extend(folder / name for name in posts)
        if real_root is not None:
            links = (Path(top, name) for name in folders)
            found.extend(
                link
                for link in links
                if link.is_symlink() and not _realpath(link).is_relative_to(real_root)
            )
    # In Path's order (by parts), compared as tuples of strings: a Python call per
    # comparison of Paths costs more than the walk. Windows compares parts by case.
    yield from sorted(found) if os.name == "nt" else sorted(found, key=_parts)


_parts = operator.attrgetter("parts")


def _realpath(path: Path) -> Path:
    # Unlike Path.resolve, never raises for a loop of links.
    return Path(os.path.realpath(path))
