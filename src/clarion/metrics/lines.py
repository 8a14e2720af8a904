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
import operator
import re
from collections.abc import Callable, Collection, Iterable, Iterator
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
    for chunk in _chunks(path, on_bad, parts):
        for data in chunk.objects():
            yield _build(data)


def latest(
    folder: Path, on_bad: OnBadLine, *, parts: Collection[int] | None = None
) -> dict[tuple[str, str, int], MetricsLine]:
    """The newest line of each part, by (network, id, part). The id, not the path,
    names a part: a renamed post keeps its ids, so its old lines and new ones
    are one part. Of two lines at the same time, the later in the files wins.

    Most lines are superseded by a later one, so lines written as `format_line`
    writes them are compared by the key and time read from their text, and only
    the newest of each part is parsed."""
    # (network, id, part) as bytes -> (at as bytes, the line's text or its object)
    best: dict[tuple[bytes, bytes, bytes], tuple[bytes, bytes | dict[str, Any]]] = {}
    newest = b""  # the latest time merged into `best`
    for path in metrics_files(folder):
        for chunk in _chunks(path, on_bad, parts):
            if chunk.keys is not None:
                ats = list(map(_AT_OF, chunk.keys))
                pairs: Iterable[tuple[tuple[bytes, bytes, bytes], tuple[bytes, Any]]]
                pairs = zip(
                    map(_KEY_OF, chunk.keys), zip(ats, chunk.lines, strict=True), strict=True
                )
                if ats == sorted(ats):  # appended run after run: the chunk's last is newest
                    if not ats:
                        continue
                    if ats[0] >= newest:  # and newer than all before it: no need to compare
                        best.update(pairs)
                        newest = ats[-1]
                        continue
                    pairs = dict(pairs).items()
            else:
                pairs = (
                    (
                        (data["network"].encode(), data["id"].encode(), b"%d" % data["part"]),
                        (data["at"].encode(), data),
                    )
                    for data in chunk.objects()
                )
            for key, value in pairs:
                seen = best.get(key)
                if seen is None or value[0] >= seen[0]:
                    best[key] = value
                newest = max(newest, value[0])
    texts = [kept for _, kept in best.values() if isinstance(kept, bytes)]
    parsed = iter(_parse(texts))
    found: dict[tuple[str, str, int], MetricsLine] = {}
    for _, kept in best.values():
        line = _build(next(parsed) if isinstance(kept, bytes) else kept)
        found[line.network, line.id, line.part] = line
    return found


_KEY_OF = operator.itemgetter(0, 2, 1)  # (network, part, id, at) -> (network, id, part)
_AT_OF = operator.itemgetter(3)


@dataclass(frozen=True)
class _Chunk:
    """Some lines of a file: lines as `format_line` writes them, checked but not
    parsed yet (`lines`, with their `keys` when their strings hold no escape),
    or the checked objects of lines written any other way (`checked`)."""

    lines: list[bytes]
    keys: list[tuple[bytes, bytes, bytes, bytes]] | None  # (network, part, id, at) a line
    checked: list[dict[str, Any]] | None

    def objects(self) -> list[dict[str, Any]]:
        return self.checked if self.checked is not None else _parse(self.lines)


def _parse(lines: list[bytes]) -> list[dict[str, Any]]:
    """Lines checked by _LINE, parsed (one JSON array: one call, not one a line)."""
    if not lines:
        return []
    items: list[dict[str, Any]] = json.loads(b"[" + b",".join(lines) + b"]")
    return items


# Lines are read a chunk at a time: a call a line costs more than the work.
_CHUNK_BYTES = 1 << 20

# A line exactly as `format_line` writes it: its fields in order, each of its type
# (a string not empty, a count a whole number from 0 or null, `at` in UTC), with
# the network, part, id and time captured. A string's characters are matched in
# runs between escapes (an alternation a character would cost more than the
# parsing), and every quantifier is possessive: no backtracking.
_STRING = rb'"(?!")[^"\\\x00-\x1f]*+(?:\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4})[^"\\\x00-\x1f]*+)*+"'
_WHOLE = rb"(?:0|[1-9][0-9]*+)"
_COUNT = rb"(?:0|[1-9][0-9]*+|null)"
_LINE = re.compile(
    rb'^\{"network":"(' + _STRING[1:-1] + rb')","path":' + _STRING
    + rb',"part":(' + _WHOLE + rb'),"id":"(' + _STRING[1:-1]
    + rb')","at":"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?Z)"'
    + b"".join(b',"' + name.encode() + b'":' + _COUNT for name in (*COUNTS, "followers"))
    + rb"\}\r?(?:\n|\Z)",
    re.MULTILINE,
)  # fmt: skip


def _chunks(path: Path, on_bad: OnBadLine, parts: Collection[int] | None) -> Iterator[_Chunk]:
    """`path`'s metrics lines (of `parts`), a chunk at a time, in file order; the
    lines that are not metrics lines go to `on_bad`."""
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
            text = b"".join(lines)
            # One match a whole line, anchored at its start and end: as many matches
            # as lines means every line is one as format_line writes it.
            keys: list[tuple[bytes, bytes, bytes, bytes]] = _LINE.findall(text)
            if len(keys) == len(lines) and (b"\\u" not in text or _parses(lines)):
                yield _Chunk(lines, None if b"\\" in text else keys, None)
            else:
                checked = list(_one_by_one(kept, path, number, on_bad, parts))
                yield _Chunk([], None, checked)
            number += len(chunk)


def _parses(lines: list[bytes]) -> bool:
    """Whether lines _LINE accepts are JSON: only an escape it lets through (a lone
    surrogate, say) could make one not."""
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


# `"part": N` however a line writes it: lines of other parts are left unparsed.
_PART = re.compile(rb'"part"\s*:\s*(\d+)\s*[,}]')


def _only(chunk: list[bytes], parts: Collection[int] | None) -> list[bytes | None]:
    """`chunk` with None for each line that is plainly of a part not in `parts`
    (it still counts for the lines' numbers). A line that does not say its part
    plainly is kept, to be checked."""
    if parts is None:
        return list(chunk)
    marks = [b'"part":%d,' % part for part in parts]  # as format_line writes it
    wanted = {b"%d" % part for part in parts}
    search = _PART.search

    def keep(raw: bytes) -> bool:
        if any(mark in raw for mark in marks):
            return True
        found = search(raw)
        return found is None or found.group(1) in wanted

    if len(marks) == 1:  # the usual case, without a call for most lines
        (mark,) = marks
        return [
            raw
            if mark in raw or (found := search(raw)) is None or found.group(1) in wanted
            else None
            for raw in chunk
        ]
    return [raw if keep(raw) else None for raw in chunk]


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
