"""The lexicons of app.bsky.feed.post and app.bsky.actor.profile, with the
reference PDS's messages.

A post: 300 graphemes and 3000 bytes of text, 3 languages, 4 images of at most
2,000,000 bytes, a link card's thumbnail of at most 1,000,000, ... A profile:
its one key `self`, a display name of 64 graphemes, a description of 256, an
avatar and banner of at most 1,000,000 bytes, the pinned post a strong reference
(uri and cid). Each issue worded as @atproto/lex-schema words it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

import regex  # type: ignore[import-untyped, unused-ignore]

from clarion.sandbox.bluesky.cids import cid_bytes

POST = "app.bsky.feed.post"
PROFILE = "app.bsky.actor.profile"
PROFILE_KEY = "self"  # the profile's record key: `literal:self`
AVATAR_MAX_SIZE = 1_000_000  # app.bsky.actor.profile avatar and banner maxSize
IMAGE_MAX_SIZE = 2_000_000  # app.bsky.embed.images#image.image maxSize
THUMB_MAX_SIZE = 1_000_000  # app.bsky.embed.external#external.thumb maxSize

_DID = re.compile(r"^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$")
_LANGUAGE = re.compile(r"^(i|[a-z]{2,3})(-[a-zA-Z0-9]+)*$")
_URI = re.compile(r"^\w+:(?://)?[^\s/][^\s]*$")


class Invalid(Exception):
    """One validation issue, worded as @atproto/lex-schema words it."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(f"{message} at {path}")


def show(value: Any) -> str:
    """A value in an issue message, as lex-schema's stringifyValue shows it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value if len(value) < 256 else value[:255] + "…", ensure_ascii=False)
    if isinstance(value, int | float):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, list):
        shown = ", ".join(show(item) for item in value[:2])
        return f"[{shown}{', ...' if len(value) > 2 else ''}]"
    if isinstance(value, dict):
        shown = ", ".join(f"{json.dumps(key)}: ..." for key in list(value)[:2])
        return f"{{{shown}{', ...' if len(value) > 2 else ''}}}"
    return type(value).__name__


def _of_type(value: Any, kind: str, path: str) -> Any:
    python = {"string": str, "integer": int, "array": list, "object": dict, "boolean": bool}[kind]
    if not isinstance(value, python) or (kind == "integer" and isinstance(value, bool)):
        raise Invalid(f"Expected {kind} value type (got {show(value)})", path)
    return value


def _required(obj: Mapping[str, Any], path: str, *keys: str) -> None:
    for key in keys:
        if key not in obj:
            raise Invalid(f'Missing required key "{key}"', path)


def _string(value: Any, path: str, *, max_bytes: int = 0, max_graphemes: int = 0) -> str:
    text: str = _of_type(value, "string", path)
    size = len(text.encode("utf-8"))
    if max_bytes and size > max_bytes:
        raise Invalid(f"string too big (maximum {max_bytes}, got {size})", path)
    if max_graphemes and len(text) > max_graphemes:
        count = len(regex.findall(r"\X", text))
        if count > max_graphemes:
            raise Invalid(f"grapheme too big (maximum {max_graphemes}, got {count})", path)
    return text


def _format(value: Any, path: str, name: str, pattern: re.Pattern[str]) -> str:
    text = _string(value, path)
    if not pattern.match(text):
        raise Invalid(f"Invalid {name} (got {show(text)})", path)
    return text


def _array(value: Any, path: str, max_length: int = 0) -> list[Any]:
    items: list[Any] = _of_type(value, "array", path)
    if max_length and len(items) > max_length:
        raise Invalid(f"array too big (maximum {max_length}, got {len(items)})", path)
    return items


def _is_datetime(text: str) -> bool:
    if not re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", text):
        return False
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def is_cid(text: str) -> bool:
    try:
        cid_bytes(text)
    except ValueError:
        return False
    return True


_AT_URI = re.compile(
    r"^at://(did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]|[a-zA-Z0-9.-]+\.[a-zA-Z][a-zA-Z0-9-]*)"
    r"(/[a-zA-Z][a-zA-Z0-9.-]*(/[a-zA-Z0-9._~:-]{1,512})?)?$"
)


def validate_post(record: Mapping[str, Any]) -> None:
    """Raise `Invalid` where `record` breaks the lexicon of app.bsky.feed.post."""
    path = "$.record"
    _required(record, path, "text", "createdAt")
    _string(record["text"], f"{path}.text", max_bytes=3000, max_graphemes=300)
    created = _string(record["createdAt"], f"{path}.createdAt")
    if not _is_datetime(created):
        raise Invalid(f"Invalid datetime (got {show(created)})", f"{path}.createdAt")
    if "langs" in record:
        for n, lang in enumerate(_array(record["langs"], f"{path}.langs", 3)):
            _format(lang, f"{path}.langs[{n}]", "language", _LANGUAGE)
    for n, facet in enumerate(_array(record.get("facets", []), f"{path}.facets")):
        _validate_facet(facet, f"{path}.facets[{n}]")
    if "reply" in record:
        reply = _of_type(record["reply"], "object", f"{path}.reply")
        _required(reply, f"{path}.reply", "root", "parent")
        for side in ("root", "parent"):
            _validate_strong_ref(reply[side], f"{path}.reply.{side}")
    if "embed" in record:
        _validate_embed(_of_type(record["embed"], "object", f"{path}.embed"), f"{path}.embed")


def validate_profile(record: Mapping[str, Any]) -> None:
    """Raise `Invalid` where `record` breaks the lexicon of app.bsky.actor.profile."""
    path = "$.record"
    if "displayName" in record:
        _string(record["displayName"], f"{path}.displayName", max_bytes=640, max_graphemes=64)
    if "description" in record:
        _string(record["description"], f"{path}.description", max_bytes=2560, max_graphemes=256)
    for name in ("avatar", "banner"):
        if name in record:
            _validate_blob(record[name], f"{path}.{name}", AVATAR_MAX_SIZE)
    for name in ("joinedViaStarterPack", "pinnedPost"):
        if name in record:
            _validate_strong_ref(record[name], f"{path}.{name}")
    if "createdAt" in record:
        created = _string(record["createdAt"], f"{path}.createdAt")
        if not _is_datetime(created):
            raise Invalid(f"Invalid datetime (got {show(created)})", f"{path}.createdAt")


def _validate_strong_ref(value: Any, path: str) -> None:
    """com.atproto.repo.strongRef: the uri and cid of one version of a record."""
    ref = _of_type(value, "object", path)
    _required(ref, path, "uri", "cid")
    _format(ref["uri"], f"{path}.uri", "at-uri", _AT_URI)
    cid = _string(ref["cid"], f"{path}.cid")
    if not is_cid(cid):
        raise Invalid(f"Invalid CID string (got {show(cid)})", f"{path}.cid")


def _validate_facet(facet: Any, path: str) -> None:
    _of_type(facet, "object", path)
    _required(facet, path, "index", "features")
    index = _of_type(facet["index"], "object", f"{path}.index")
    _required(index, f"{path}.index", "byteStart", "byteEnd")
    for bound in ("byteStart", "byteEnd"):
        value = _of_type(index[bound], "integer", f"{path}.index.{bound}")
        if value < 0:
            raise Invalid(f"integer too small (minimum 0, got {value})", f"{path}.index.{bound}")
    for m, feature in enumerate(_array(facet["features"], f"{path}.features")):
        where = f"{path}.features[{m}]"
        kind = _of_type(feature, "object", where).get("$type")
        if kind == "app.bsky.richtext.facet#link":
            _required(feature, where, "uri")
            _format(feature["uri"], f"{where}.uri", "uri", _URI)
        elif kind == "app.bsky.richtext.facet#mention":
            _required(feature, where, "did")
            _format(feature["did"], f"{where}.did", "DID", _DID)
        elif kind == "app.bsky.richtext.facet#tag":
            _required(feature, where, "tag")
            _string(feature["tag"], f"{where}.tag", max_bytes=640, max_graphemes=64)


def _validate_embed(embed: Mapping[str, Any], path: str) -> None:
    kind = embed.get("$type")
    if kind == "app.bsky.embed.images":
        _required(embed, path, "images")
        for n, image in enumerate(_array(embed["images"], f"{path}.images", 4)):
            where = f"{path}.images[{n}]"
            _required(_of_type(image, "object", where), where, "image", "alt")
            _string(image["alt"], f"{where}.alt")
            _validate_blob(image["image"], f"{where}.image", IMAGE_MAX_SIZE)
            if "aspectRatio" in image:
                ratio = _of_type(image["aspectRatio"], "object", f"{where}.aspectRatio")
                _required(ratio, f"{where}.aspectRatio", "width", "height")
                for side in ("width", "height"):
                    size = _of_type(ratio[side], "integer", f"{where}.aspectRatio.{side}")
                    if size < 1:
                        raise Invalid(
                            f"integer too small (minimum 1, got {size})",
                            f"{where}.aspectRatio.{side}",
                        )
    elif kind == "app.bsky.embed.external":
        _required(embed, path, "external")
        where = f"{path}.external"
        card = _of_type(embed["external"], "object", where)
        _required(card, where, "uri", "title", "description")
        _format(card["uri"], f"{where}.uri", "uri", _URI)
        _string(card["title"], f"{where}.title")
        _string(card["description"], f"{where}.description")
        if "thumb" in card:
            _validate_blob(card["thumb"], f"{where}.thumb", THUMB_MAX_SIZE)


def _validate_blob(blob: Any, path: str, max_size: int) -> None:
    if not isinstance(blob, dict) or blob.get("$type") != "blob":
        raise Invalid(f"Expected blob value type (got {show(blob)})", path)
    mime = str(blob.get("mimeType", ""))
    if not mime.startswith("image/"):
        raise Invalid(f'Expected "image/*" (got {show(mime)})', f"{path}.mimeType")
    size = blob.get("size")
    if not isinstance(size, int):
        raise Invalid(f"Expected integer value type (got {show(size)})", f"{path}.size")
    if size > max_size:
        raise Invalid(f"blob too big (maximum {max_size}, got {size})", path)
