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

import itertools
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
    for data in _records(path, on_bad, parts):
        yield _build(data)


def latest(
    folder: Path, on_bad: OnBadLine, *, parts: Collection[int] | None = None
) -> dict[tuple[str, str, int], MetricsLine]:
    """The newest line of each part, by (network, id, part). The id, not the path,
    names a part: a renamed post keeps its ids, so its old lines and new ones
    are one part. Of two lines at the same time, the later in the files wins."""
    found: dict[tuple[str, str, int], dict[str, Any]] = {}
    for path in metrics_files(folder):
        for data in _records(path, on_bad, parts):
            key = (data["network"], data["id"], data["part"])
            seen = found.get(key)
            if seen is None or data["at"] >= seen["at"]:
                found[key] = data
    return {key: _build(data) for key, data in found.items()}


# Lines parsed at once, as one JSON array: a call per line costs more than the parsing.
_CHUNK_BYTES = 1 << 20


def _records(
    path: Path, on_bad: OnBadLine, parts: Collection[int] | None
) -> Iterator[dict[str, Any]]:
    """The checked objects of `path`'s metrics lines (of `parts`), in file order."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        on_bad(BadLine(path, 0, f"cannot read the file ({exc.strerror})"))
        return
    number = 0  # lines before the chunk
    with handle:
        while chunk := handle.readlines(_CHUNK_BYTES):
            # No number in the chunk is negative (the usual case): the check is by types.
            unsigned = _MINUS.search(b"".join(chunk)) is None
            for offset, data in _parsed(_only(chunk, parts), path, number, on_bad):
                if parts is not None and data.get("part") not in parts:
                    continue
                if unsigned and _plainly_fine(data):
                    yield data
                    continue
                problem = _problem(data)
                if problem is None:
                    yield data
                else:
                    on_bad(BadLine(path, number + offset + 1, problem))
            number += len(chunk)


_FIELDS = ("network", "path", "part", "id", "at", *COUNTS, "followers")
# The types a line's fields may have, in _FIELDS' order: each count a number or null.
_SIGNATURES = frozenset(
    (str, str, int, str, str, *counts)
    for counts in itertools.product((int, type(None)), repeat=len(_FIELDS) - 5)
)
_MINUS = re.compile(rb":\s*-")


def _plainly_fine(data: dict[str, Any]) -> bool:
    """Whether `data` is a metrics line, told fast for a line with no negative number
    in it; False does not mean it is not one (`_problem` says)."""
    values: tuple[Any, ...] = tuple(map(data.get, _FIELDS))
    return (
        tuple(map(type, values)) in _SIGNATURES
        and bool(values[0] and values[1] and values[3])
        and _AT.fullmatch(values[4]) is not None
    )


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
        if len(lines) == len(chunk):
            yield from enumerate(items)
        else:
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
