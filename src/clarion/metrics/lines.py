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
    loads = json.loads
    try:
        handle = path.open("rb")
    except OSError as exc:
        on_bad(BadLine(path, 0, f"cannot read the file ({exc.strerror})"))
        return
    with handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue  # a blank line (an editor's last newline) is no line
            try:
                data = loads(raw)
            except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
                on_bad(BadLine(path, number, f"not JSON ({_short(exc)})"))
                continue
            if parts is not None and isinstance(data, dict) and data.get("part") not in parts:
                continue
            line = _line(data)
            if isinstance(line, str):
                on_bad(BadLine(path, number, line))
            else:
                yield line


def latest(
    folder: Path, on_bad: OnBadLine, *, parts: Collection[int] | None = None
) -> dict[tuple[str, str, int], MetricsLine]:
    """The newest line of each part, by (network, id, part). The id, not the path,
    names a part: a renamed post keeps its ids, so its old lines and new ones
    are one part. Of two lines at the same time, the later in the files wins."""
    found: dict[tuple[str, str, int], MetricsLine] = {}
    for line in read_lines(folder, on_bad, parts=parts):
        key = (line.network, line.id, line.part)
        seen = found.get(key)
        if seen is None or line.at >= seen.at:
            found[key] = line
    return found


def _line(data: Any) -> MetricsLine | str:
    """`data` as a MetricsLine, or why it is not one."""
    if not isinstance(data, dict):
        return f"not a JSON object but {type(data).__name__}"
    network, path, part, ident, at = (
        data.get("network"),
        data.get("path"),
        data.get("part"),
        data.get("id"),
        data.get("at"),
    )
    if not isinstance(network, str) or not network:
        return '"network" must be a network\'s name, e.g. "bluesky"'
    if not isinstance(path, str) or not path:
        return '"path" must be the post file, e.g. "posts/2026/cfp.md"'
    if type(part) is not int or part < 0:
        return '"part" must be the 0-based number of the thread part'
    if not isinstance(ident, str) or not ident:
        return '"id" must be the part\'s id on the network, a string'
    if not isinstance(at, str) or not _AT.fullmatch(at):
        return '"at" must be a UTC time ending in Z, e.g. "2026-12-02T06:00:00Z"'
    counts: list[int | None] = []
    for name in (*COUNTS, "followers"):
        value = data.get(name)
        if value is not None and (type(value) is not int or value < 0):
            return f'"{name}" must be a whole number of at least 0, or null'
        counts.append(value)
    likes, reposts, replies, quotes, views, followers = counts
    return MetricsLine(
        network, path, part, ident, at, likes, reposts, replies, quotes, views, followers
    )


def _short(exc: ValueError) -> str:
    text = str(exc)
    return text if len(text) <= 120 else text[:119] + "…"
