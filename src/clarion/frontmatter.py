"""Split a post file into front matter and body, and load the front matter safely.

The front matter is read with libyaml's composer (fast, keeps line numbers) and
turned into plain data here, under YAML 1.2's core schema: `no`, `on` and `yes`
stay strings, dates stay strings (the checks parse `publish_at`), no tag can
construct an object, and anchors and aliases are refused, so an alias bomb costs
nothing. Every key and value keeps its line and column for messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

MAX_FILE_BYTES = 1_000_000

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


class _Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """No implicit resolution: every plain scalar arrives as a string and the
    core-schema rules below decide its type."""

    yaml_implicit_resolvers: dict[str, Any] = {}  # noqa: RUF012


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


def _core_scalar(value: str) -> Any:
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


class _Builder:
    def __init__(self, first_line: int) -> None:
        self.first_line = first_line
        self.keys: dict[Pointer, Position] = {}
        self.values: dict[Pointer, Position] = {}
        self.seen: set[int] = set()

    def _pos(self, node: yaml.Node) -> Position:
        mark = node.start_mark
        return Position(mark.line + self.first_line, mark.column + 1)

    def build(self, node: yaml.Node, pointer: Pointer) -> Any:
        if id(node) in self.seen:
            raise FrontMatterError(
                "yaml-alias",
                "YAML anchors and aliases (&name, *name) are not allowed in a post: "
                "write the value out",
                self._pos(node).line,
                self._pos(node).column,
            )
        self.seen.add(id(node))
        self.values[pointer] = self._pos(node)
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _SCALAR_TAGS:
                raise self._bad_tag(node)
            if node.tag != _STR:
                # An explicit standard tag (!!int 3): let the core rules read it.
                return _core_scalar(node.value)
            return _core_scalar(node.value) if not node.style else node.value
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self._bad_tag(node)
            return [self.build(item, (*pointer, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                raise self._bad_tag(node)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, (*pointer, "\0key"))
                if not isinstance(key, str):
                    key = str(key).lower() if isinstance(key, bool) else str(key)
                if key in result:
                    pos = self._pos(key_node)
                    raise FrontMatterError(
                        "yaml-duplicate-key",
                        f"the key '{key}' appears twice: keep one",
                        pos.line,
                        pos.column,
                    )
                self.keys[(*pointer, key)] = self._pos(key_node)
                result[key] = self.build(value_node, (*pointer, key))
            return result
        raise self._bad_tag(node)  # pragma: no cover - libyaml makes no other node

    def _bad_tag(self, node: yaml.Node) -> FrontMatterError:
        pos = self._pos(node)
        return FrontMatterError(
            "yaml-tag",
            f"the YAML tag {node.tag} is not allowed in a post: remove it and write a plain value",
            pos.line,
            pos.column,
        )


_OPEN = re.compile(r"---[ \t]*\n")
_CLOSE = re.compile(r"^---[ \t]*$", re.MULTILINE)


def decode(raw: bytes) -> str:
    """Bytes of a post file as text with LF line endings, or a FrontMatterError."""
    if len(raw) > MAX_FILE_BYTES:
        raise FrontMatterError(
            "file-too-large",
            f"the file is {len(raw):,} bytes; a post is at most {MAX_FILE_BYTES:,} bytes "
            "(images belong in separate files listed under media:)",
        )
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
    try:
        node = yaml.compose(front, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else None
        column = mark.column + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        raise FrontMatterError(
            "yaml-invalid", f"the front matter is not valid YAML: {what}", line, column
        ) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(
            "yaml-invalid", f"the front matter is not valid YAML: {exc}", 2
        ) from None
    if isinstance(node, yaml.MappingNode) and node.flow_style:
        # Receipts are written into the front matter after publishing, keeping
        # every other byte: that needs one key per line.
        raise FrontMatterError(
            "front-matter-flow",
            "the front matter is written as one {...} mapping: write one key per line "
            "(platforms: [x, bluesky] on its own line, lang: en on the next)",
            2,
        )
    if node is None:
        data: Any = {}
        builder = _Builder(2)
    else:
        builder = _Builder(2)
        data = builder.build(node, ())
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise FrontMatterError(
            "front-matter-not-mapping",
            f"the front matter is {kind}; it must be keys and values "
            "(platforms: [...], media: ...)",
            2,
        )
    return Document(data, builder.keys, builder.values, front, body, body_line)


_SEPARATOR = re.compile(r"^---[ \t]*$")


@dataclass(frozen=True)
class BodyPart:
    text: str  # trimmed
    line: int  # file line of its first non-blank line (or of where it would be)


def split_parts(body: str, first_line: int) -> list[BodyPart]:
    """Thread parts: lines holding only `---` separate them; each part is trimmed."""
    parts: list[BodyPart] = []
    current: list[str] = []
    start = first_line
    for number, line in _numbered(body, first_line):
        if _SEPARATOR.match(line):
            parts.append(_part(current, start))
            current, start = [], number + 1
        else:
            current.append(line)
    parts.append(_part(current, start))
    return parts


def _numbered(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    for offset, line in enumerate(body.split("\n")):
        yield first_line + offset, line


def _part(lines: list[str], start: int) -> BodyPart:
    skipped = 0
    while skipped < len(lines) and not lines[skipped].strip():
        skipped += 1
    return BodyPart("\n".join(lines).strip(), start + (skipped if skipped < len(lines) else 0))
