"""A Bluesky repository export: the CAR file `com.atproto.sync.getRepo` returns
(Settings → "Export my data" in the app).

The CAR holds DAG-CBOR blocks: the commit (the root, naming the `did` and the
repository's Merkle Search Tree), the tree's nodes, whose entries map
`collection/rkey` keys to records, and the records. Posts are the
`app.bsky.feed.post` records; `app.bsky.feed.repost` records are reposts.

Images are blobs, and getRepo does not include blobs. Given a folder instead of
the CAR, the importer finds the CAR in it and takes each blob from a file named
by its CID (`<cid>` or `<cid>.<ext>`, anywhere in the folder; fetch them with
`com.atproto.sync.getBlob`); a link in the folder that leads outside it is not
followed. An image whose blob is not there is not attached: its alt text is
kept in a comment in the post file, so no description is lost.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from clarion import tid
from clarion.errors import UsageError
from clarion.importers import (
    IMAGE,
    REPLIES,
    REPOSTS,
    UNREADABLE,
    VIDEO,
    ArchiveError,
    Entry,
    Harvest,
    LinkCard,
    Media,
    Options,
    Part,
    join_threads,
    language,
    parse_iso,
)
from clarion.importers.sources import Archive

NETWORK = "bluesky"
POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
_HANDLE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$")
_DID = re.compile(r"^did:[a-z]+:[A-Za-z0-9._:%-]+$")
_RKEY = re.compile(r"^[A-Za-z0-9._:~-]{1,512}$")
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
_TITLE_MAX = 300
_DESCRIPTION_MAX = 1000


@dataclass(frozen=True)
class _Post:
    uri: str
    rkey: str
    at: dt.datetime
    record: Mapping[str, Any]
    parent: str | None


def read(path: Path, options: Options) -> Harvest:
    handle = _handle(options.handle)
    car_path, blobs, refused = _locate(path)
    did, records = _records(car_path)
    posts: list[_Post] = []
    skipped = dict.fromkeys((REPOSTS, REPLIES, UNREADABLE), 0)
    for key, record in records:
        collection, _, rkey = key.partition("/")
        if collection == REPOST:
            skipped[REPOSTS] += 1
        elif collection == POST:
            post = _post(did, rkey, record) if record is not None else None
            if post is None:
                skipped[UNREADABLE] += 1
            else:
                posts.append(post)
    posts.sort(key=lambda p: (p.at, p.rkey))
    own_prefix = f"at://{did}/{POST}/"
    entries: list[Entry] = []
    for thread in join_threads(posts, lambda p: p.uri, lambda p: p.parent):
        parent = thread[0].parent
        if parent is not None and not parent.startswith(own_prefix) and not options.include_replies:
            skipped[REPLIES] += len(thread)
            continue
        entries.append(_entry(thread, did, handle or did, blobs))
    return Harvest(entries, skipped, refused)


def _handle(handle: str | None) -> str | None:
    if handle is None:
        return None
    cleaned = handle.strip().lstrip("@")
    if not _HANDLE.match(cleaned) and not _DID.match(cleaned):
        raise UsageError(f"--handle {handle}: not a Bluesky handle such as example.bsky.social")
    return cleaned


def _locate(path: Path) -> tuple[Path, dict[str, Callable[[], bytes]], list[str]]:
    """The CAR file, the blob files' readers by CID (only when given a folder), and
    which files of the folder were refused because they lead outside it."""
    if path.is_file():
        return path, {}, []
    if not path.is_dir():
        raise ArchiveError(f"{path}: no such file or folder")
    folder = Archive(path)  # a folder: nothing held open to close
    files = folder.names()
    cars = [name for name in files if PurePosixPath(name).suffix.lower() == ".car"]
    if len(cars) != 1:
        found = "no .car file" if not cars else f"{len(cars)} .car files"
        refused = "".join(f" (refused: {line})" for line in folder.refused)
        raise ArchiveError(
            f"{path}: {found} in it{refused}: give the CAR file of the repository, or a folder "
            "holding it and the blobs named by their CID"
        )
    blobs: dict[str, Callable[[], bytes]] = {
        PurePosixPath(name).name.split(".", 1)[0]: partial(folder.read, name)
        for name in files
        if name not in cars
    }
    return path / cars[0], blobs, folder.refused


def _records(car_path: Path) -> tuple[str, list[tuple[str, Mapping[str, Any] | None]]]:
    """The repository's did, and every record under its key, in key order (None: the
    record's block is not in the CAR)."""
    from atproto_core.car import CAR  # type: ignore[import-untyped]
    from atproto_core.exceptions import AtProtocolError  # type: ignore[import-untyped]

    try:
        car = CAR.from_bytes(car_path.read_bytes())
    except OSError as exc:
        raise ArchiveError(f"{car_path}: cannot read it ({exc.strerror})") from None
    except (AtProtocolError, ValueError, RecursionError) as exc:
        raise ArchiveError(f"{car_path}: not a CAR file of a repository ({exc})") from None
    blocks: dict[str, Any] = {str(cid): block for cid, block in car.blocks.items()}
    commit = blocks.get(str(car.root))
    if not isinstance(commit, dict) or not isinstance(commit.get("did"), str):
        raise ArchiveError(f"{car_path}: its root is not a repository commit")
    did = str(commit["did"])
    if not _DID.match(did):
        raise ArchiveError(f"{car_path}: the commit names no valid did ({did!r})")
    records: list[tuple[str, Mapping[str, Any] | None]] = []
    for key, cid in _tree(blocks, commit.get("data"), car_path):
        record = blocks.get(cid)
        records.append((key, record if isinstance(record, dict) else None))
    return did, records


def _link(value: object) -> str | None:
    """A CID link as its string form, however the decoder gave it."""
    if value is None:
        return None
    if isinstance(value, bytes):
        from atproto_core.cid import CID  # type: ignore[import-untyped]

        return str(CID.from_decoded_bytes(value))
    return str(value)


def _tree(blocks: Mapping[str, Any], root: object, car_path: Path) -> Iterator[tuple[str, str]]:
    """(key, record CID) of every entry of the Merkle Search Tree, in key order.

    A node is `{l: left subtree, e: [{p: prefix length shared with the previous
    key, k: the rest of the key, v: the record, t: the subtree after it}]}`.
    """
    start = _link(root)
    if start is None:
        raise ArchiveError(f"{car_path}: the commit has no data tree")
    # In order, without recursion: ("node", cid, "") expands a node, ("key", key, cid) yields.
    stack: list[tuple[str, str, str]] = [("node", start, "")]
    seen: set[str] = set()
    while stack:
        kind, first, second = stack.pop()
        if kind == "key":
            yield first, second
            continue
        if first in seen:
            raise ArchiveError(f"{car_path}: the repository tree loops")
        seen.add(first)
        node = blocks.get(first)
        if not isinstance(node, dict):
            raise ArchiveError(
                f"{car_path}: a block of the repository tree is missing: the export is incomplete"
            )
        todo: list[tuple[str, str, str]] = []
        left = _link(node.get("l"))
        if left is not None:
            todo.append(("node", left, ""))
        key = b""
        for entry in node.get("e") or []:
            prefix, rest = (entry.get("p"), entry.get("k")) if isinstance(entry, dict) else (0, 0)
            if not isinstance(prefix, int) or not isinstance(rest, bytes):
                raise ArchiveError(f"{car_path}: a node of the repository tree is malformed")
            key = key[:prefix] + rest
            value = _link(entry.get("v"))
            if value is not None:
                todo.append(("key", key.decode("utf-8", "replace"), value))
            subtree = _link(entry.get("t"))
            if subtree is not None:
                todo.append(("node", subtree, ""))
        stack.extend(reversed(todo))


def _post(did: str, rkey: str, record: Mapping[str, Any]) -> _Post | None:
    if not _RKEY.match(rkey) or not isinstance(record.get("text", ""), str):
        return None
    at = parse_iso(record.get("createdAt")) or tid.moment(rkey)
    if at is None:
        return None
    reply = record.get("reply")
    parent = reply.get("parent") if isinstance(reply, dict) else None
    parent_uri = parent.get("uri") if isinstance(parent, dict) else None
    return _Post(
        f"at://{did}/{POST}/{rkey}",
        rkey,
        at,
        record,
        parent_uri if isinstance(parent_uri, str) else None,
    )


def _entry(
    thread: list[_Post], did: str, profile: str, blobs: Mapping[str, Callable[[], bytes]]
) -> Entry:
    parts = []
    notes: list[str] = []
    link: LinkCard | None = None
    many = len(thread) > 1
    for index, post in enumerate(thread):
        record = post.record
        found = record.get("embed")
        embed: Mapping[str, Any] = found if isinstance(found, dict) else {}
        media = _media(post, embed, blobs)
        where = f"part {index + 1}: " if many else ""
        quoted = _quoted(embed)
        if quoted:
            notes.append(f"{where}quotes {quoted}")
        card = _card(embed)
        if card is not None and index == 0:
            link = card
        elif card is not None:
            notes.append(f"{where}link card {card.url}")
        parts.append(
            Part(
                post.uri,
                f"https://bsky.app/profile/{profile}/post/{post.rkey}",
                post.at,
                expand_links(str(record.get("text", "")), record.get("facets")),
                media,
            )
        )
    first = thread[0].record
    langs = first.get("langs")
    return Entry(
        NETWORK,
        tuple(parts),
        lang=language(langs[0]) if isinstance(langs, list) and langs else None,
        content_warning=_labels(first),
        link=link,
        notes=tuple(notes),
    )


def _embeds(embed: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The embed, and the media and record of a recordWithMedia embed."""
    found = [embed]
    for key in ("media", "record"):
        inner = embed.get(key)
        if embed.get("$type") == "app.bsky.embed.recordWithMedia" and isinstance(inner, dict):
            found.append(inner)
    return found


def _media(
    post: _Post, embed: Mapping[str, Any], blobs: Mapping[str, Callable[[], bytes]]
) -> tuple[Media, ...]:
    media: list[Media] = []
    for item in _embeds(embed):
        kind = item.get("$type")
        if kind == "app.bsky.embed.images":
            for image in item.get("images") or []:
                if isinstance(image, dict):
                    media.append(_blob_media(post, IMAGE, image.get("image"), image, blobs, media))
        elif kind == "app.bsky.embed.video":
            media.append(_blob_media(post, VIDEO, item.get("video"), item, blobs, media))
    return tuple(media)


def _blob_media(
    post: _Post,
    kind: str,
    blob: object,
    holder: Mapping[str, Any],
    blobs: Mapping[str, Callable[[], bytes]],
    before: list[Media],
) -> Media:
    cid, mime = None, ""
    if isinstance(blob, dict):
        cid = _link(blob.get("ref")) or _link(blob.get("cid"))  # `cid`: the legacy blob form
        mime = str(blob.get("mimeType") or "")
    alt = holder.get("alt")
    read = blobs.get(cid) if cid else None
    extension = _EXTENSIONS.get(mime, "mp4" if kind == VIDEO else "bin")
    return Media(
        kind,
        f"{post.rkey}-{len(before) + 1}.{extension}",
        alt if isinstance(alt, str) else "",
        read,
    )


def _quoted(embed: Mapping[str, Any]) -> str | None:
    """The address of the record a post quotes: a post's on bsky.app, else its at:// URI."""
    from atproto_core.exceptions import InvalidAtUriError  # type: ignore[import-untyped, unused-ignore]
    from atproto_core.uri import AtUri  # type: ignore[import-untyped]

    for item in _embeds(embed):
        if item.get("$type") != "app.bsky.embed.record":
            continue
        target = item.get("record")
        uri = target.get("uri") if isinstance(target, dict) else None
        if isinstance(uri, str) and uri.startswith("at://"):
            try:
                at = AtUri.from_str(uri)
            except InvalidAtUriError:
                return uri
            if at.collection == POST and at.rkey:
                return f"https://bsky.app/profile/{at.host}/post/{at.rkey}"
            return uri
    return None


def _card(embed: Mapping[str, Any]) -> LinkCard | None:
    if embed.get("$type") != "app.bsky.embed.external":
        return None
    external = embed.get("external")
    if not isinstance(external, dict):
        return None
    url, title = external.get("uri"), external.get("title")
    description = external.get("description")
    if not isinstance(url, str) or not re.match(r"^https?://\S+$", url):
        return None
    title = title.strip() if isinstance(title, str) else ""
    return LinkCard(
        url,
        title[:_TITLE_MAX] or url[:_TITLE_MAX],
        description.strip()[:_DESCRIPTION_MAX] if isinstance(description, str) else "",
    )


def _labels(record: Mapping[str, Any]) -> str | None:
    """The author's own content labels (nudity, graphic-media, ...) as a content warning."""
    labels = record.get("labels")
    values = labels.get("values") if isinstance(labels, dict) else None
    if not isinstance(values, list):
        return None
    names = [
        str(v["val"]).replace("-", " ").capitalize()
        for v in values
        if isinstance(v, dict) and isinstance(v.get("val"), str) and v["val"]
    ]
    return ", ".join(names) or None


def expand_links(text: str, facets: object) -> str:
    """The text with each link the app shortened for display (`example.org/lo...`)
    written out in full, as its link facet holds it. Facets count UTF-8 bytes."""
    if not isinstance(facets, list):
        return text
    data = text.encode("utf-8")
    spans: list[tuple[int, int, str]] = []
    for facet in facets:
        if not isinstance(facet, dict):
            continue
        index, features = facet.get("index"), facet.get("features")
        if not isinstance(index, dict) or not isinstance(features, list):
            continue
        start, end = index.get("byteStart"), index.get("byteEnd")
        uri = next(
            (
                f.get("uri")
                for f in features
                if isinstance(f, dict) and f.get("$type") == "app.bsky.richtext.facet#link"
            ),
            None,
        )
        if not isinstance(start, int) or not isinstance(end, int) or not isinstance(uri, str):
            continue
        if 0 <= start < end <= len(data):
            spans.append((start, end, uri))
    out = bytearray()
    position = 0
    for start, end, uri in sorted(spans):
        if start < position:
            continue  # overlapping facets: keep the first
        shown = data[start:end].decode("utf-8", "replace")
        out += data[position:start]
        out += (uri if _shortened(shown, uri) else shown).encode("utf-8")
        position = end
    out += data[position:]
    return out.decode("utf-8", "replace")


def _shortened(shown: str, uri: str) -> bool:
    """Whether `shown` is `uri` as the app displays it: no scheme, maybe cut with `...`."""
    if shown == uri:
        return False
    stem = shown.removesuffix("...").removesuffix("…")
    bare = re.sub(r"^https?://", "", uri)
    return bool(stem) and (uri.startswith(stem) or bare.startswith(stem))
