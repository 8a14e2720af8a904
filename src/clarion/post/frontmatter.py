"""Split a post file into front matter and body, and load the front matter safely.

The front matter is read as libyaml's events (fast, keeps line numbers) and
turned into plain data here, under YAML 1.2's core schema: `no`, `on` and `yes`
stay strings, dates stay strings (the checks parse `publish_at`), no tag can
construct an object, and aliases are refused, so an alias bomb costs nothing.
No recursion: nesting depth and the number of values are bounded, and refused
where they are exceeded, so no file can exhaust the stack or the memory. Every
key and value keeps its line and column for messages. Most posts, one plain `key:
value` a line, are read without libyaml to the same result (plain_front_matter.py).
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: the plain reader reads most posts without it
    import yaml

MAX_FILE_BYTES = 1_000_000
# A post needs four levels (published > network > list > receipt) and a few hundred
# values; these bounds keep a hostile file from exhausting memory or the stack.
MAX_DEPTH = 20
MAX_VALUES = 50_000

Pointer = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    line: int  # 1-based, in the file
    column: int  # 1-based


class FrontMatterError(Exception):
    """A post file cannot be read; `line` is 1-based in the file, when known."""

    def __init__(self, code: str, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Document:
    """A post file split up. `body_line` is the file line where the body starts."""

    data: dict[str, Any]
    keys: dict[Pointer, Position]  # where each mapping key is
    values: dict[Pointer, Position]  # where each value starts
    front_text: str  # the front matter, without the --- lines, LF line endings
    body: str  # everything after the closing ---, LF line endings
    body_line: int

    def position(self, pointer: Pointer) -> Position:
        """The best place to point at for `pointer`: its key, else its value, else a parent."""
        while True:
            found = self.keys.get(pointer) or self.values.get(pointer)
            if found is not None or not pointer:
                return found or Position(1, 1)
            pointer = pointer[:-1]


@functools.cache
def _loader() -> type[yaml.SafeLoader]:
    """libyaml's, without implicit resolution: the core-schema rules below type scalars."""
    import yaml

    base = yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader
    return type("_Loader", (base,), {"yaml_implicit_resolvers": {}})


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_TRUE = re.compile(r"^(?:true|True|TRUE)$")
_FALSE = re.compile(r"^(?:false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")


def core_scalar(value: str) -> Any:
    """YAML 1.2 core schema for a plain scalar."""
    if not value or value[0] in "~nNtTfF0123456789+-.":
        if _NULL.match(value):
            return None
        if _TRUE.match(value):
            return True
        if _FALSE.match(value):
            return False
        if _INT.match(value):
            return int(value)
        if _OCT.match(value):
            return int(value[2:], 8)
        if _HEX.match(value):
            return int(value[2:], 16)
        if _FLOAT.match(value):
            return float(value)
        if _INF.match(value):
            return float("-inf") if value[0] == "-" else float("inf")
        if _NAN.match(value):
            return float("nan")
    return value


@dataclass
class _Open:
    """A list or mapping being built: where it goes and, in a mapping, the key
    waiting for its value."""

    value: list[Any] | dict[str, Any]
    pointer: Pointer
    position: Position
    key: str | None = None


class _Builder:
    """Plain data from libyaml's events, without recursion: a nesting depth or a
    count of values past any post's needs is refused where it happens, before
    the rest of the front matter is even parsed."""

    def __init__(self, first_line: int) -> None:
        self.first_line = first_line
        self.keys: dict[Pointer, Position] = {}
        self.values: dict[Pointer, Position] = {}
        self.anchors: dict[str, Position] = {}
        self.stack: list[_Open] = []
        self.count = 0
        self.documents = 0
        self.root: Any = None
        self.root_flow = False

    def _pos(self, event: yaml.Event) -> Position:
        mark = event.start_mark
        if mark is None:  # pragma: no cover - libyaml marks every event
            return Position(self.first_line, 1)
        return Position(mark.line + self.first_line, mark.column + 1)

    def build(self, events: Iterator[yaml.Event]) -> Any:
        import yaml

        for event in events:
            if isinstance(event, yaml.ScalarEvent):
                pos, pointer = self._start(event)
                self._finish(self._scalar(event, pos), pos, pointer)
            elif isinstance(event, yaml.CollectionStartEvent):
                self._open(event, isinstance(event, yaml.MappingStartEvent))
            elif isinstance(event, yaml.CollectionEndEvent):
                done = self.stack.pop()
                self._finish(done.value, done.position, done.pointer)
            elif isinstance(event, yaml.AliasEvent):
                pos = self.anchors.get(event.anchor or "") or self._pos(event)
                raise FrontMatterError(
                    "yaml-alias",
                    "YAML anchors and aliases (&name, *name) are not allowed in a post: "
                    "write the value out",
                    pos.line,
                    pos.column,
                )
            elif isinstance(event, yaml.DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:
                    raise FrontMatterError(
                        "yaml-invalid",
                        "the front matter holds more than one YAML document: "
                        "remove the '---' or '...' line inside it",
                        self._pos(event).line,
                    )
        return self.root

    def _start(self, event: yaml.NodeEvent) -> tuple[Position, Pointer]:
        """Count a new value and find its pointer."""
        pos = self._pos(event)
        self.count += 1
        if self.count > MAX_VALUES:
            raise FrontMatterError(
                "yaml-too-large",
                f"the front matter holds more than {MAX_VALUES:,} values; a post needs far "
                "fewer: remove what is not a post setting",
                pos.line,
                pos.column,
            )
        if event.anchor is not None:
            self.anchors.setdefault(event.anchor, pos)
        if not self.stack:
            pointer: Pointer = ()
        else:
            top = self.stack[-1]
            if isinstance(top.value, list):
                pointer = (*top.pointer, len(top.value))
            elif top.key is None:
                pointer = (*top.pointer, "\0key")
            else:
                pointer = (*top.pointer, top.key)
        self.values[pointer] = pos
        return pos, pointer

    def _open(self, event: yaml.CollectionStartEvent, mapping: bool) -> None:
        pos, pointer = self._start(event)
        if event.tag not in (None, "!", _MAP if mapping else _SEQ):
            raise self._bad_tag(event.tag, pos)
        if len(self.stack) >= MAX_DEPTH:
            raise _too_deep(pos.line, pos.column)
        if not self.stack:
            self.root_flow = mapping and bool(event.flow_style)
        self.stack.append(_Open({} if mapping else [], pointer, pos))

    def _scalar(self, event: yaml.ScalarEvent, pos: Position) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            # No implicit resolution: a plain scalar is read by the core-schema
            # rules, a quoted one is a string.
            return event.value if event.style else core_scalar(event.value)
        if tag == _STR:
            return event.value
        if tag in _SCALAR_TAGS:
            # An explicit standard tag (!!int 3): let the core rules read it.
            return core_scalar(event.value)
        raise self._bad_tag(tag, pos)

    def _finish(self, value: Any, pos: Position, pointer: Pointer) -> None:
        """Put a complete value where it belongs: the root, a list, or a mapping."""
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if isinstance(top.value, list):
            top.value.append(value)
        elif top.key is None:
            key = value if isinstance(value, str) else _key_text(value)
            if key in top.value:
                raise FrontMatterError(
                    "yaml-duplicate-key",
                    f"the key '{key}' appears twice: keep one",
                    pos.line,
                    pos.column,
                )
            self.keys[(*top.pointer, key)] = pos
            top.key = key
        else:
            top.value[top.key] = value
            top.key = None

    def _bad_tag(self, tag: str, pos: Position) -> FrontMatterError:
        return FrontMatterError(
            "yaml-tag",
            f"the YAML tag {tag} is not allowed in a post: remove it and write a plain value",
            pos.line,
            pos.column,
        )


def _too_deep(line: int | None, column: int | None) -> FrontMatterError:
    return FrontMatterError(
        "yaml-too-deep",
        f"the front matter nests lists and mappings more than {MAX_DEPTH} deep; "
        "a post needs a few levels: remove the extra brackets or indentation",
        line,
        column,
    )


def _key_text(key: Any) -> str:
    return str(key).lower() if isinstance(key, bool) else str(key)


_OPEN = re.compile(r"---[ \t]*\n")
_CLOSE = re.compile(r"^---[ \t]*$", re.MULTILINE)


def read(path: Path) -> bytes:
    """The bytes of the post file `path`, which must be a regular file, not a
    symbolic link (never followed: it could lead anywhere) nor a pipe or device
    (which could block or never end). Raises FrontMatterError, or OSError."""
    if not _NOFOLLOW and path.is_symlink():  # pragma: no cover - every POSIX has O_NOFOLLOW
        raise _symlink()
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | getattr(os, "O_BINARY", 0))
    except OSError:
        if path.is_symlink():  # ELOOP on Linux and macOS, EMLINK on FreeBSD
            raise _symlink() from None
        raise
    try:  # the descriptor itself, without a file object around it: this runs for every post
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FrontMatterError(
                "post-not-regular",
                "this is not a regular file (a folder, pipe or device): "
                "a post is a Markdown file; remove it or rename it",
            )
        if info.st_size > MAX_FILE_BYTES:
            raise _too_large(info.st_size)
        # Sized by the file, not the limit: a buffer of the limit for every post costs.
        data = os.read(fd, info.st_size + 1)
        if len(data) > info.st_size:  # growing while read: read on, within the limit
            data += os.read(fd, MAX_FILE_BYTES + 1 - len(data))
        return data
    finally:
        os.close(fd)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)

SYMLINK_ADVICE = (
    "Clarion reads and writes posts only as regular files in the repository, never "
    "through a link (it could lead outside the repository, or make one post two): "
    "replace the link by the file or folder itself"
)


def _symlink() -> FrontMatterError:
    return FrontMatterError("post-symlink", f"the file is a symbolic link: {SYMLINK_ADVICE}")


def _too_large(size: int) -> FrontMatterError:
    return FrontMatterError(
        "file-too-large",
        f"the file is {size:,} bytes; a post is at most {MAX_FILE_BYTES:,} bytes "
        "(images belong in separate files listed under media:)",
    )


def decode(raw: bytes) -> str:
    """Bytes of a post file as text with LF line endings, or a FrontMatterError."""
    if len(raw) > MAX_FILE_BYTES:
        raise _too_large(len(raw))
    nul = raw.find(b"\0")
    if nul >= 0:
        raise FrontMatterError(
            "nul-byte",
            "the file contains a NUL byte: it is not a text file",
            raw.count(b"\n", 0, nul) + 1,
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise FrontMatterError(
            "not-utf8",
            f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}): save it as UTF-8",
            line,
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split(text: str) -> tuple[str, str, int]:
    """(front matter, body, line where the body starts) of decoded text."""
    if not _OPEN.match(text):
        raise FrontMatterError(
            "no-front-matter",
            "a post starts with a line '---', its YAML front matter, and another '---'",
            1,
        )
    start = text.index("\n") + 1
    close = _CLOSE.search(text, start)
    if close is None:
        raise FrontMatterError(
            "no-closing-dashes",
            "the front matter is not closed: add a line '---' after it, before the text",
            1,
        )
    front = text[start : close.start()]
    rest = close.end() + 1
    body_line = text.count("\n", 0, rest) + 1
    return front, text[rest:], body_line


def load(raw: bytes) -> Document:
    """Decode, split and load a post file. Raises FrontMatterError."""
    text = decode(raw)
    front, body, body_line = split(text)
    plain = read_plain(front, 2)  # one `key: value` a line, as most posts: read so
    if plain is not None:
        return Document(*plain, front, body, body_line)
    return load_yaml(front, body, body_line)


def load_yaml(front: str, body: str, body_line: int) -> Document:
    """The front matter read by libyaml, whatever its shape. Raises FrontMatterError."""
    import yaml

    builder = _Builder(2)
    try:
        data = builder.build(yaml.parse(front, Loader=_loader()))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        if "maximum nesting depth" in what:
            # libyaml looks ahead past our own bound, and stops at 1000 levels itself.
            line, column = (mark.line + 2, mark.column + 1) if mark else (None, None)
            raise _too_deep(line, column) from None
        from clarion.post.yaml_errors import explain

        raise explain(exc, front) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(
            "yaml-invalid", f"the front matter is not valid YAML: {exc}", 2
        ) from None
    if builder.root_flow:
        # Receipts are written into the front matter after publishing, keeping
        # every other byte: that needs one key per line.
        raise FrontMatterError(
            "front-matter-flow",
            "the front matter is written as one {...} mapping: write one key per line "
            "(platforms: [x, bluesky] on its own line, lang: en on the next)",
            2,
        )
    if builder.documents == 0:
        data = {}
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise FrontMatterError(
            "front-matter-not-mapping",
            f"the front matter is {kind}; it must be keys and values "
            "(platforms: [...], media: ...)",
            2,
        )
    return Document(data, builder.keys, builder.values, front, body, body_line)


_SEPARATORS = re.compile(r"^---[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class BodyPart:
    text: str  # trimmed
    line: int  # file line of its first non-blank line (or of where it would be)


def split_parts(body: str, first_line: int) -> list[BodyPart]:
    """Thread parts: lines holding only `---` separate them; each part is trimmed."""
    if "---" not in body:
        return [_part(body, first_line)]
    parts: list[BodyPart] = []
    start = 0
    line = first_line
    for separator in _SEPARATORS.finditer(body):
        chunk = body[start : separator.start()]
        parts.append(_part(chunk, line))
        line += chunk.count("\n") + 1  # its lines, and the separator's
        start = separator.end() + 1
    parts.append(_part(body[start:], line))
    return parts


def _part(chunk: str, line: int) -> BodyPart:
    """The part in `chunk` (lines from the file's `line`), trimmed, at its first non-blank."""
    text = chunk.strip()
    if not text:
        return BodyPart(text, line)
    return BodyPart(text, line + chunk.count("\n", 0, len(chunk) - len(chunk.lstrip())))


from clarion.post.plain_front_matter import read_plain  # noqa: E402 - it imports names above
