"""Appending metrics lines to a month's file, as `clarion metrics` and `clarion import` do.

Lines are appended, never rewritten: the file's history in Git is its lines in
the order they were read. A file whose last line was cut short (a run killed
while writing, a hand edit) first gets the newline it lacks, so the new line
is not glued to the broken one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from clarion.metrics.lines import MetricsLine, format_line


class LineSink:
    """Appends lines to one metrics file, opened when the first line comes; several
    threads (one per network) may write, a batch at a time, each batch whole."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.written = 0
        self._file: IO[str] | None = None
        self._lock = threading.Lock()

    def write(self, line: MetricsLine) -> None:
        self.write_batch([line])

    def write_batch(self, lines: Iterable[MetricsLine]) -> None:
        """Append `lines` together and flush them: on disk before the next request."""
        text = "".join(format_line(line) + "\n" for line in lines)
        if not text:
            return
        with self._lock:
            if self._file is None:
                self._file = self._open()
            self._file.write(text)
            self._file.flush()
            self.written += text.count("\n")

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def __enter__(self) -> LineSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open(self) -> IO[str]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8", newline="\n")
        if handle.tell() > 0:
            handle.seek(handle.tell() - 1)
            if handle.read(1) != "\n":
                handle.write("\n")
        return handle


class KeptLines(LineSink):
    """The lines kept in memory, in the order they come, and no file written: what
    `clarion metrics --sandbox` prints."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.lines: list[MetricsLine] = []

    def write_batch(self, lines: Iterable[MetricsLine]) -> None:
        batch = list(lines)
        with self._lock:
            self.lines.extend(batch)
            self.written += len(batch)
