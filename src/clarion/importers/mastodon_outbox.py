"""Mastodon's account export ("Request your archive"): a zip (a .tar.gz before
Mastodon 4.2), or the folder it unpacks to, or its `outbox.json` alone.

`outbox.json` is an ActivityStreams `OrderedCollection`: a `Create` activity
per post, whose `Note` object has the HTML `content`, `published`, `url`,
`inReplyTo`, `summary` and `sensitive` (the content warning), `to`/`cc` (the
visibility), `tag` (mentions with their full `@user@domain`) and `attachment`
(media with `name` as the alt text and `url` as the file's path inside the
export, `media_attachments/files/...`); and an `Announce` per boost, which
holds only the boosted post's address. `actor.json` is the account.

Followers-only and direct posts are left out: a repository is usually public,
and they were not.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from clarion.html_text import html_to_text
from clarion.importers import (
    BOOSTS,
    IMAGE,
    OTHER,
    PRIVATE,
    REPLIES,
    UNREADABLE,
    VIDEO,
    ArchiveError,
    Entry,
    Harvest,
    Media,
    Options,
    Part,
    join_threads,
    language,
    parse_iso,
)
from clarion.importers.sources import Archive, RefusedName, member_name, shown

NETWORK = "mastodon"
PUBLIC = frozenset({"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"})
_POSTS = frozenset({"Note", "Question", "Article"})

T = TypeVar("T")


@dataclass(frozen=True)
class _Status:
    id: str  # the object's id (a URL): what inReplyTo names
    status_id: str  # the number at its end: the receipt's id
    url: str
    at: dt.datetime
    data: Mapping[str, Any]
    reply_to: str | None


def read(archive: Archive, options: Options) -> Harvest:
    root = archive.find_root(("outbox.json",))
    outbox = _json(archive, root + "outbox.json")
    items = outbox.get("orderedItems") if isinstance(outbox, dict) else None
    if not isinstance(items, list):
        raise ArchiveError(f"{archive.path}: outbox.json holds no orderedItems: not an outbox")
    actor_id = _actor_id(archive, root, items)

    statuses: list[_Status] = []
    skipped = dict.fromkeys((BOOSTS, REPLIES, PRIVATE, UNREADABLE), 0)
    for item in items:
        if not isinstance(item, dict):
            continue
        if item.get("type") == "Announce":
            skipped[BOOSTS] += 1
            continue
        obj = item.get("object")
        if item.get("type") != "Create" or not isinstance(obj, dict):
            continue
        if obj.get("type") not in _POSTS:
            continue
        status = _status(obj)
        if status is None:
            skipped[UNREADABLE] += 1
            continue
        if _visibility(obj) in ("private", "direct"):
            skipped[PRIVATE] += 1
            continue
        statuses.append(status)
    statuses.sort(key=lambda s: (s.at, s.status_id.zfill(24)))

    own = {s.id for s in statuses}
    own_prefix = f"{actor_id.rstrip('/')}/statuses/" if actor_id else None

    def mine(reply_to: str) -> bool:
        return reply_to in own or bool(own_prefix and reply_to.startswith(own_prefix))

    entries: list[Entry] = []
    for thread in join_threads(statuses, lambda s: s.id, lambda s: s.reply_to):
        first = thread[0]
        if first.reply_to is not None and not mine(first.reply_to) and not options.include_replies:
            skipped[REPLIES] += len(thread)
            continue
        entries.append(_entry(thread, archive, root))
    return Harvest(entries, skipped, archive.refused)


def _json(archive: Archive, name: str) -> Any:
    try:
        return json.loads(archive.read(name).decode("utf-8-sig", errors="replace"))
    except json.JSONDecodeError as exc:
        raise ArchiveError(
            f"{archive.path}: {name} is not readable JSON (line {exc.lineno}: {exc.msg})"
        ) from None


def _actor_id(archive: Archive, root: str, items: Sequence[Any]) -> str:
    if archive.exists(root + "actor.json"):
        actor = _json(archive, root + "actor.json")
        if isinstance(actor, dict) and isinstance(actor.get("id"), str):
            return str(actor["id"])
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("actor"), str):
            return str(item["actor"])
    return ""


def _status(obj: Mapping[str, Any]) -> _Status | None:
    object_id = obj.get("id")
    at = parse_iso(obj.get("published"))
    if not isinstance(object_id, str) or at is None:
        return None
    status_id = PurePosixPath(urlsplit(object_id).path).name
    url = obj.get("url")
    if isinstance(url, list):  # some servers give several representations
        url = next((u for u in url if isinstance(u, str)), None)
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        url = object_id
    usable = url.startswith(("https://", "http://")) and not any(c.isspace() for c in url)
    if not status_id or not usable:
        return None
    reply = obj.get("inReplyTo")
    if isinstance(reply, dict):
        reply = reply.get("id")
    return _Status(object_id, status_id, url, at, obj, reply if isinstance(reply, str) else None)


def _values(value: object, kind: type[T]) -> list[T]:
    """A property's values of type `kind`: ActivityStreams gives a property one value,
    or a list of them."""
    if isinstance(value, kind):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, kind)]
    return []


def _visibility(obj: Mapping[str, Any]) -> str:
    to, cc = _values(obj.get("to"), str), _values(obj.get("cc"), str)
    if PUBLIC.intersection(to):
        return "public"
    if PUBLIC.intersection(cc):
        return "unlisted"
    if any(a.endswith("/followers") for a in to + cc):
        return "private"
    return "direct"


def _entry(thread: list[_Status], archive: Archive, root: str) -> Entry:
    parts = []
    notes: list[str] = []
    for index, status in enumerate(thread):
        obj = status.data
        text = html_to_text(_content(obj), _mentions(obj), with_domain=True)
        media = tuple(
            _media(status, item, archive, root) for item in _values(obj.get("attachment"), dict)
        )
        parts.append(Part(status.status_id, status.url, status.at, text, media))
        options = obj.get("oneOf") or obj.get("anyOf")
        if obj.get("type") == "Question" and isinstance(options, list):
            names = [o.get("name") for o in options if isinstance(o, dict)]
            where = f"part {index + 1}: " if len(thread) > 1 else ""
            listed = " / ".join(n for n in names if isinstance(n, str))
            notes.append(f"{where}a poll: {listed} (the poll itself is not part of the post)")
    first = thread[0].data
    summary = first.get("summary")
    warning = summary.strip() if isinstance(summary, str) and summary.strip() else None
    if warning is None and first.get("sensitive") is True:
        warning = "Sensitive content"
    visibility = _visibility(first)
    return Entry(
        NETWORK,
        tuple(parts),
        lang=_lang(first),
        content_warning=warning,
        visibility=None if visibility == "public" else visibility,
        notes=tuple(notes),
    )


def _content(obj: Mapping[str, Any]) -> str:
    content = obj.get("content")
    if isinstance(content, str):
        return content
    mapped = obj.get("contentMap")
    if isinstance(mapped, dict):
        return next((v for v in mapped.values() if isinstance(v, str)), "")
    return ""


def _lang(obj: Mapping[str, Any]) -> str | None:
    mapped = obj.get("contentMap")
    if isinstance(mapped, dict) and mapped:
        return language(next(iter(mapped)))
    return None


def _mentions(obj: Mapping[str, Any]) -> list[str]:
    """The full `@user@domain` of everyone the post mentions."""
    return [
        tag["name"]
        for tag in _values(obj.get("tag"), dict)
        if tag.get("type") == "Mention" and isinstance(tag.get("name"), str)
    ]


def _media(status: _Status, item: Mapping[str, Any], archive: Archive, root: str) -> Media:
    mime = str(item.get("mediaType") or "")
    kind = IMAGE if mime.startswith("image/") else VIDEO if mime.startswith("video/") else OTHER
    url = item.get("url")
    if isinstance(url, dict):
        url = url.get("href")
    path = urlsplit(url).path if isinstance(url, str) else ""
    found = item.get("name")
    alt = found if isinstance(found, str) else ""
    name = f"{status.status_id}-{PurePosixPath(path).name or 'media'}"
    try:
        member = _member(archive, root, path)
    except RefusedName as refused:
        return Media(kind, name, alt, refused=f"{shown(str(url))} {refused.why}")
    return Media(kind, name, alt, partial(archive.read, member) if member is not None else None)


def _member(archive: Archive, root: str, path: str) -> str | None:
    """The export's copy of an attachment: its `url` is the path inside the export
    (`/system/` removed), or ends with it when the instance serves media elsewhere.

    The path is taken from the export's top whether or not it starts with `/`;
    one that leads outside the export (`/../x`, `%2e%2e/x`, `..\\x`, or through a
    link in a folder) raises `RefusedName`, and nothing is read.
    """
    inside = member_name(unquote(path).lstrip("/"))
    candidates = [inside]
    at = inside.find("media_attachments/")
    if at > 0:
        candidates.append(inside[at:])
    for candidate in candidates:
        if candidate and archive.exists(root + candidate):
            return root + candidate
    return None
