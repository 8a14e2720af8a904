"""The metrics lines: `metrics/YYYY-MM.jsonl`, one JSON object a line, one line
each time a published part's counts changed (SPEC, "Engagement").

    {"network": "bluesky", "path": "posts/2026/cfp.md", "part": 0,
     "id": "at://did:plc:abc/app.bsky.feed.post/3lxyz", "at": "2026-12-02T06:00:00Z",
     "likes": 41, "reposts": 12, "replies": 3, "quotes": 1, "views": null,
     "followers": 15200}

`clarion metrics` writes them (`format_line`, `month_file`); `clarion
engagement` and the site read them (`read_lines`, `latest`). The files are
committed to the repository and edited by merges, so a line that is not one
(a conflict marker, a truncated write, a hand edit) is data, not a crash: it is
reported as a `BadLine` naming the file and line, and the rest is read.

Reading streams: a file is never held whole, and `latest` keeps one line per
part (the newest), so memory follows the number of parts, not of lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FOLDER = "metrics"  # at the repository's root
_FILE = re.compile(r"(\d{4})-(\d{2})\.jsonl")
_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z")
COUNTS = ("likes", "reposts", "replies", "quotes", "views")


@dataclass(frozen=True, slots=True)
class MetricsLine:
    """One part's counts at one moment. A count is None where the network does
    not give it (views on most networks)."""

    network: str
    path: str  # the post file, relative to the repository: posts/2026/cfp.md
    part: int  # 0-based thread part
    id: str  # the part's id on the network, as in its receipt
    at: str  # when the counts were read, UTC: 2026-12-02T06:00:00Z
    likes: int | None
    reposts: int | None
    replies: int | None
    quotes: int | None
    views: int | None
    followers: int | None  # the account's followers when the counts were read

    @property
    def month(self) -> str:
        """YYYY-MM of `at`: the file the line belongs in."""
        return self.at[:7]


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line of a metrics file that is not a metrics line, and why."""

    file: Path
    line: int  # 1-based
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: {self.reason}; the line is skipped "
            "(fix or delete it: each line is one JSON object, as clarion metrics writes)"
        )


OnBadLine = Callable[[BadLine], None]


def format_line(line: MetricsLine) -> str:
    """`line` as written in its file (no newline): the fields in the documented
    order, compact, non-ASCII kept as it is."""
    return json.dumps(
        {
            "network": line.network,
            "path": line.path,
            "part": line.part,
            "id": line.id,
            "at": line.at,
            "likes": line.likes,
            "reposts": line.reposts,
            "replies": line.replies,
            "quotes": line.quotes,
            "views": line.views,
            "followers": line.followers,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def month_file(folder: Path, at: str) -> Path:
    """The file a line read at `at` (UTC, "...Z") is appended to: folder/YYYY-MM.jsonl."""
    return folder / f"{at[:7]}.jsonl"


def metrics_files(folder: Path) -> list[Path]:
    """The metrics files in `folder`, oldest month first; [] when there is none.
    Other files are not metrics files and are left alone."""
    try:
        names = [p for p in folder.iterdir() if _FILE.fullmatch(p.name) and p.is_file()]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(names, key=lambda p: p.name)


def read_lines(
    folder: Path, on_bad: OnBadLine, *, parts: Collection[int] | None = None
) -> Iterator[MetricsLine]:
    """Every metrics line in `folder`'s files, oldest file first, in file order.
    Lines that are not metrics lines go to `on_bad`. With `parts`, only lines of
    those parts are checked and given (engagement reads only first parts)."""
    for path in metrics_files(folder):
        yield from read_file(path, on_bad, parts=parts)


def read_file(
    path: Path, on_bad: OnBadLine, *, parts: Collection[int] | None = None
) -> Iterator[MetricsLine]:
    """The metrics lines of one file (see `read_lines`)."""
    for written, items in _chunks(path, on_bad, parts):
        for data in items if written is None else _parse(written):
            yield _build(data)


def latest(
    folder: Path, on_bad: OnBadLine, *, parts: Collection[int] | None = None
) -> dict[tuple[str, str, int], MetricsLine]:
    """The newest line of each part, by (network, id, part). The id, not the path,
    names a part: a renamed post keeps its ids, so its old lines and new ones
    are one part. Of two lines at the same time, the later in the files wins.

    Most lines are superseded by a later one, so lines written as `format_line`
    writes them are compared by their key and time, read from their text, and
    only the newest are parsed."""
    # (network, id, part) as bytes -> (at as bytes, the line's text or its object)
    best: dict[tuple[bytes, bytes, bytes], tuple[bytes, bytes | dict[str, Any]]] = {}
    for path in metrics_files(folder):
        for written, items in _chunks(path, on_bad, parts):
            keys = None if written is None else _keys(written)
            if written is not None and keys is not None:
                for (network, part, ident, at), raw in zip(keys, written, strict=True):
                    key = (network, ident, part)
                    seen = best.get(key)
                    if seen is None or at >= seen[0]:
                        best[key] = (at, raw)
                continue
            for data in items if written is None else _parse(written):
                key = (data["network"].encode(), data["id"].encode(), str(data["part"]).encode())
                at = data["at"].encode()
                seen = best.get(key)
                if seen is None or at >= seen[0]:
                    best[key] = (at, data)
    texts = [value for _, value in best.values() if isinstance(value, bytes)]
    parsed = iter(_parse(texts))
    found: dict[tuple[str, str, int], MetricsLine] = {}
    for _, value in best.values():
        line = _build(next(parsed) if isinstance(value, bytes) else value)
        found[line.network, line.id, line.part] = line
    return found


# The key and time of each line written as format_line writes it, in order; a line
# with an escape in its strings (rare) is not read this way.
_KEY = re.compile(
    rb'"network":"([^"]*)","path":"[^"]*","part":([0-9]+),"id":"([^"]*)","at":"([^"]*)"'
)


def _keys(lines: list[bytes]) -> list[tuple[bytes, bytes, bytes, bytes]] | None:
    """(network, part, id, at) of each line of a chunk checked by _WRITTEN; None when
    a string holds an escape: parse them then."""
    text = b"".join(lines)
    if b"\\" in text:
        return None
    found: list[tuple[bytes, bytes, bytes, bytes]] = _KEY.findall(text)
    return found if len(found) == len(lines) else None


def _parse(lines: list[bytes]) -> list[dict[str, Any]]:
    """Lines checked by _WRITTEN, parsed (one JSON array: one call, not one a line)."""
    if not lines:
        return []
    items: list[dict[str, Any]] = json.loads(b"[" + b",".join(lines) + b"]")
    return items


# Lines are read a chunk at a time and parsed as one JSON array: a call per line
# costs more than the parsing.
_CHUNK_BYTES = 1 << 20

# A line exactly as `format_line` writes it: its fields in order, each of its type
# (a string not empty, a count a whole number from 0 or null, `at` in UTC). A chunk
# of such lines is checked by this one expression; any other goes line by line.
# A string not empty, its characters in runs between escapes (an alternation per
# character would cost more than the parsing); quantifiers possessive: no backtracking.
_STRING = rb'"(?!")[^"\\\x00-\x1f]*+(?:\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4})[^"\\\x00-\x1f]*+)*+"'
_WHOLE = rb"(?:0|[1-9][0-9]*+)"
_COUNT = rb"(?:0|[1-9][0-9]*+|null)"
_WRITTEN = re.compile(
    rb"(?:\{"
    rb'"network":' + _STRING + rb',"path":' + _STRING + rb',"part":' + _WHOLE
    + rb',"id":' + _STRING
    + rb',"at":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?Z"'
    + b"".join(b',"' + name.encode() + b'":' + _COUNT for name in (*COUNTS, "followers"))
    + rb"\}\r?\n?)*+"
)  # fmt: skip


def _chunks(
    path: Path, on_bad: OnBadLine, parts: Collection[int] | None
) -> Iterator[tuple[list[bytes] | None, list[dict[str, Any]]]]:
    """`path`'s metrics lines (of `parts`), a chunk at a time, in file order: (lines
    written as format_line writes them, checked but not parsed yet; []) or (None,
    the checked objects); the lines that are not metrics lines go to `on_bad`."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        on_bad(BadLine(path, 0, f"cannot read the file ({exc.strerror})"))
        return
    number = 0  # lines before the chunk
    with handle:
        while chunk := handle.readlines(_CHUNK_BYTES):
            kept = _only(chunk, parts)
            lines = [raw for raw in kept if raw is not None]
            if _WRITTEN.fullmatch(b"".join(lines)) and _parses(lines):
                yield lines, []
            else:
                yield None, list(_one_by_one(kept, path, number, on_bad, parts))
            number += len(chunk)


def _parses(lines: list[bytes]) -> bool:
    """Whether lines that look right to _WRITTEN are JSON: only an escape it lets
    through (a lone surrogate, say) could make one not."""
    text = b"".join(lines)
    if b"\\u" not in text:
        return True
    try:
        _parse(lines)
    except ValueError:
        return False
    return True


def _one_by_one(
    chunk: list[bytes | None],
    path: Path,
    number: int,
    on_bad: OnBadLine,
    parts: Collection[int] | None,
) -> Iterator[dict[str, Any]]:
    """The checked objects of the lines of `chunk`, each checked on its own."""
    for offset, data in _parsed(chunk, path, number, on_bad):
        if parts is not None and data.get("part") not in parts:
            continue
        problem = _problem(data)
        if problem is None:
            yield data
        else:
            on_bad(BadLine(path, number + offset + 1, problem))


# `"part": N` as a line writes it: lines of other parts are left unparsed.
_PART = re.compile(rb'"part"\s*:\s*(\d+)\s*[,}]')


def _only(chunk: list[bytes], parts: Collection[int] | None) -> list[bytes | None]:
    """`chunk` with None for each line that is plainly of a part not in `parts`
    (it still counts for the lines' numbers). A line that does not say its part
    plainly is kept, to be checked."""
    if parts is None:
        return list(chunk)
    wanted = {str(part).encode() for part in parts}
    search = _PART.search
    kept: list[bytes | None] = []
    for raw in chunk:
        found = search(raw)
        kept.append(raw if found is None or found.group(1) in wanted else None)
    return kept


def _parsed(
    chunk: list[bytes | None], path: Path, number: int, on_bad: OnBadLine
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(offset in `chunk`, object) of each line holding a JSON object; the others go
    to `on_bad`; None stands for a line left out. The lines are parsed as one
    array when every one is an object (one item a line); else line by line, to
    say which line is wrong."""
    lines = [raw for raw in chunk if raw is not None]
    try:
        items = json.loads(b"[" + b",".join(lines) + b"]")
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        items = None
    if (
        isinstance(items, list)
        and len(items) == len(lines)
        and all(type(item) is dict for item in items)
    ):
        offsets = (offset for offset, raw in enumerate(chunk) if raw is not None)
        yield from zip(offsets, items, strict=True)
        return
    for offset, raw in enumerate(chunk):
        if raw is None or not raw.strip():
            continue  # a blank line (an editor's last newline) is no line
        try:
            data = json.loads(raw.rstrip(b"\r\n"))
        except ValueError as exc:
            on_bad(BadLine(path, number + offset + 1, _not_json(exc)))
            continue
        if type(data) is not dict:
            kind = _KINDS.get(type(data).__name__, "value")
            on_bad(BadLine(path, number + offset + 1, f"not a JSON object but {kind}"))
            continue
        yield offset, data


_KINDS = {"list": "an array", "str": "a string", "int": "a number", "float": "a number"}


def _problem(data: dict[str, Any]) -> str | None:
    """Why `data` is not a metrics line; None when it is one."""
    network, path, part, ident, at = (
        data.get("network"),
        data.get("path"),
        data.get("part"),
        data.get("id"),
        data.get("at"),
    )
    if type(network) is not str or not network:
        return '"network" must be a network\'s name, e.g. "bluesky"'
    if type(path) is not str or not path:
        return '"path" must be the post file, e.g. "posts/2026/cfp.md"'
    if type(part) is not int or part < 0:
        return '"part" must be the 0-based number of the thread part'
    if type(ident) is not str or not ident:
        return '"id" must be the part\'s id on the network, a string'
    if type(at) is not str or not _AT.fullmatch(at):
        return '"at" must be a UTC time ending in Z, e.g. "2026-12-02T06:00:00Z"'
    for name in _NUMBERS:
        value = data.get(name)
        if value is not None and (type(value) is not int or value < 0):
            return f'"{name}" must be a whole number of at least 0, or null'
    return None


_NUMBERS = (*COUNTS, "followers")


def _build(data: dict[str, Any]) -> MetricsLine:
    """A checked object (`_problem` found none) as a MetricsLine."""
    get = data.get
    return MetricsLine(
        data["network"],
        data["path"],
        data["part"],
        data["id"],
        data["at"],
        get("likes"),
        get("reposts"),
        get("replies"),
        get("quotes"),
        get("views"),
        get("followers"),
    )


def _not_json(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON ({exc.msg} at column {exc.colno})"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte {exc.start + 1})"
    return f"not JSON ({exc})"  # pragma: no cover - json raises no other ValueError
