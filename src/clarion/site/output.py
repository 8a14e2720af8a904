"""Writing the site into its folder: each file replaced whole, unchanged files
left alone, leftovers of an earlier build removed, nothing written outside it.

A folder is Clarion's to replace only when it is new, empty, or marked by an
earlier build (`MARKER`); a top-level `.git` (a gh-pages checkout) is kept.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from clarion.errors import UsageError

MARKER = ".clarion-site"
MARKER_TEXT = "This folder is built by `clarion site`: the next build replaces everything in it.\n"


def claim(outdir: Path) -> None:
    """Make `outdir` a Clarion site folder, or refuse: it must be missing, empty,
    or hold the marker of an earlier build (everything else in it is replaced)."""
    if outdir.exists() and not outdir.is_dir():
        raise UsageError(f"{outdir} is not a folder: give the folder to build the site in")
    if outdir.is_dir() and not (outdir / MARKER).is_file() and any(outdir.iterdir()):
        raise UsageError(
            f"{outdir} is not empty and holds no earlier Clarion site (no {MARKER} file): "
            "clarion site replaces everything in its folder, so give a new or empty one "
            "(e.g. _site)"
        )
    outdir.mkdir(parents=True, exist_ok=True)
    marker = outdir / MARKER
    if not marker.is_file() or marker.is_symlink():
        _put(outdir, MARKER, MARKER_TEXT.encode(), set())


def write_site(
    outdir: Path, files: Mapping[str, bytes], images: Mapping[str, Path]
) -> tuple[int, int]:
    """Write `files` and copy `images` into `outdir`, then delete whatever an earlier
    build left that is no longer part of the site. Each file is replaced whole
    (written aside, then renamed over), and one whose bytes are unchanged is not
    touched. Returns (files written, files removed)."""
    claim(outdir)
    made: set[str] = set()
    written = 0
    wanted = {MARKER}
    for name, data in sorted(files.items()):
        wanted.add(name)
        written += _put(outdir, name, data, made)
    for name, source in sorted(images.items()):
        wanted.add(name)
        written += _put(outdir, name, source.read_bytes(), made)
    removed = _prune(outdir, wanted)
    return written, removed


def _put(outdir: Path, name: str, data: bytes, made: set[str]) -> int:
    """Write `data` at site path `name`; 1 when the file changed, 0 when it was already so."""
    folder = _folder(outdir, posixpath.dirname(name), made)
    path = folder / posixpath.basename(name)
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None:
        if not stat.S_ISREG(mode):  # a link or folder in the way: never written through
            _remove(path)
        else:
            with contextlib.suppress(OSError):
                if path.stat().st_size == len(data) and path.read_bytes() == data:
                    return 0
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".clarion-", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # served as they are: readable by the web server
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return 1


def _folder(outdir: Path, rel: str, made: set[str]) -> Path:
    """`outdir/rel`, each level a real folder: a symlink or file in the way is removed,
    so nothing is ever written outside `outdir`."""
    folder = outdir
    done = ""
    for segment in [s for s in rel.split("/") if s]:
        done = f"{done}/{segment}" if done else segment
        folder = folder / segment
        if done in made:
            continue
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            _remove(folder)
        folder.mkdir(exist_ok=True)
        made.add(done)
    return folder


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        for child in path.iterdir():
            _remove(child)
        path.rmdir()
    else:
        path.unlink()


def _prune(outdir: Path, wanted: set[str]) -> int:
    """Delete files under `outdir` that are not `wanted` (without following links),
    then the folders left empty; a top-level `.git` is left alone. Returns the
    number of files deleted."""
    removed = 0
    for top, dirs, names in _walk(outdir):
        for name in names:
            rel = posixpath.join(top, name) if top else name
            if rel not in wanted:
                (outdir / rel).unlink()
                removed += 1
        for name in dirs:
            rel = posixpath.join(top, name) if top else name
            folder = outdir / rel
            if not any(folder.iterdir()):
                folder.rmdir()
    return removed


# A site folder that is also a Git checkout (a gh-pages branch) keeps its history.
_KEEP = ".git"


def _walk(outdir: Path) -> list[tuple[str, list[str], list[str]]]:
    """(folder relative to outdir, its subfolders, its other entries), deepest first."""
    found = []
    for top, dirs, names in os.walk(outdir, topdown=True, followlinks=False):
        rel = Path(top).relative_to(outdir).as_posix()
        rel = "" if rel == "." else rel
        if not rel and _KEEP in dirs:
            dirs.remove(_KEEP)
        real_dirs = [d for d in dirs if not Path(top, d).is_symlink()]
        links = [d for d in dirs if Path(top, d).is_symlink()]
        found.append((rel, sorted(real_dirs), sorted(names + links)))
    found.reverse()
    return found
