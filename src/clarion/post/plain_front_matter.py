"""Front matter of one plain `key: value` a line, read without libyaml.

Most posts are written so: `lang: en`, `platforms: [bluesky, x]`, a
`publish_at`, a `title`, `mastodon: {visibility: unlisted}`. Turning libyaml's
events into data costs more than any other step of a post's check; this reader
takes only that shape and gives exactly what `clarion.post.frontmatter.load`
gives for it: the same data (each plain scalar read by the same YAML 1.2
core-schema rules), the same positions of keys and values, in the same order.
Anything else (a nested block, a comment after a value, a quoted scalar with an
escape, a character YAML treats apart, a duplicate key) returns None and the
YAML reader reads the whole front matter: an unusual post is read slower, never
differently. tests/test_plain_front_matter.py compares the two on every example
post, the receipts goldens and generated front matter full of near misses.

What is taken, line by line:

- a blank line, or a comment starting at the margin with "#";
- `key: value` at the margin, the key a name (letters, digits, `_`, `-`; not
  one that YAML reads as another type, such as `null`), one or more spaces, then
  - a plain scalar on one line: not starting with one of YAML's indicators,
    holding no ": " nor " #", not ending with ":" or a space;
  - a scalar in single or double quotes holding no quote nor backslash;
  - a flow list `[a, b]` or a flow mapping `{a: b}` of names (letters, digits
    and `_.+/-`), items separated by a comma and one space.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from clarion.post.frontmatter import MAX_VALUES, Pointer, Position, core_scalar

# The pointer of a mapping's key being read, as the YAML reader records it.
_KEY = "\0key"
# Characters libyaml refuses (controls, DEL, C1, the BOM inside the text) or
# reads as line breaks (NEL, line and paragraph separators); and the tab, which
# only a comment may hold here.
_APART = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
# libyaml refuses a key (an implicit one, on one line) of more than 1024 characters.
_LONGEST_KEY = 1024
_ENTRY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):( +)([^ \t].*)")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_SINGLE = re.compile(r"'[^'\t]*'")
_DOUBLE = re.compile(r'"[^"\\\t]*"')
_NAME = r"[A-Za-z0-9_][A-Za-z0-9_.+/-]*"
_FLOW_LIST = re.compile(rf"\[(?:{_NAME}(?:, {_NAME})*)?\]")
_FLOW_MAP = re.compile(rf"\{{(?:{_NAME}: {_NAME}(?:, {_NAME}: {_NAME})*)?\}}")

Read = tuple[dict[str, Any], dict[Pointer, Position], dict[Pointer, Position]]


class _NotPlain(Exception):
    """Written another way: the YAML reader reads it."""


def read_plain(front: str, first_line: int) -> Read | None:
    """(data, keys, values) as the YAML reader gives them for `front`, whose first
    line is the file's line `first_line`; None when it is not written this way."""
    if _APART.search(front):
        return None
    data: dict[str, Any] = {}
    keys: dict[Pointer, Position] = {}
    values: dict[Pointer, Position] = {}
    count = 1  # values, as the YAML reader counts them: the mapping itself first
    try:
        for index, line in enumerate(front.split("\n")):
            if not line or line[0] == "#":
                continue
            entry = _ENTRY.fullmatch(line)
            if entry is None or "\t" in line:
                return None
            key = entry.group(1)
            if key in data or len(key) > _LONGEST_KEY or not _string_key(key):
                return None  # twice or too long (the YAML reader says so), or not a string
            number = first_line + index
            at = _position(number, 1)
            if not values:
                values[()] = at  # a block mapping starts at its first key
            values[(_KEY,)] = at
            keys[(key,)] = at
            column = len(key) + len(entry.group(2)) + 2
            value = _value(entry.group(3), (key,), number, column, keys, values)
            data[key] = value
            count += 2 + (len(value) * (1 + isinstance(value, dict)) if _collection(value) else 0)
    except _NotPlain:
        return None
    if not data or count > MAX_VALUES:
        return None  # no mapping, or too big: the YAML reader says what it is
    return data, keys, values


def _collection(value: Any) -> bool:
    return isinstance(value, (list, dict))


@functools.lru_cache(maxsize=256)
def _string_key(key: str) -> bool:
    """Whether the YAML reader reads `key` as this string (not `null`, `true`...)."""
    return isinstance(core_scalar(key), str)


# Positions are frozen: the same line and column is one object, made once.
_position = functools.lru_cache(maxsize=4096)(Position)


def _value(
    text: str,
    pointer: Pointer,
    line: int,
    column: int,
    keys: dict[Pointer, Position],
    values: dict[Pointer, Position],
) -> Any:
    values[pointer] = _position(line, column)
    first = text[0]
    if first == "[":
        if not _FLOW_LIST.fullmatch(text):
            raise _NotPlain
        found = []
        at = column + 1
        for index, item in enumerate(text[1:-1].split(", ") if len(text) > 2 else ()):
            values[(*pointer, index)] = _position(line, at)
            found.append(core_scalar(item))
            at += len(item) + 2
        return found
    if first == "{":
        if not _FLOW_MAP.fullmatch(text):
            raise _NotPlain
        table: dict[str, Any] = {}
        at = column + 1
        for item in text[1:-1].split(", ") if len(text) > 2 else ():
            name, _, scalar = item.partition(": ")
            if name in table or len(name) > _LONGEST_KEY or not _string_key(name):
                raise _NotPlain
            where = _position(line, at)
            values[(*pointer, _KEY)] = where
            keys[(*pointer, name)] = where
            values[(*pointer, name)] = _position(line, at + len(name) + 2)
            table[name] = core_scalar(scalar)
            at += len(item) + 2
        return table
    if first == "'":
        if not _SINGLE.fullmatch(text):
            raise _NotPlain
        return text[1:-1]
    if first == '"':
        if not _DOUBLE.fullmatch(text):
            raise _NotPlain
        return text[1:-1]
    if first in _INDICATORS or ": " in text or " #" in text or text[-1] in ": " or "\t" in text:
        raise _NotPlain
    return core_scalar(text)
