"""Where a post's media path leads: resolved inside the repository, or refused.

A post names its images relative to its own file; a path may not be absolute,
nor leave the repository by `..` or through a symbolic link.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from clarion.errors import ClarionError


class MediaProblem(ClarionError):
    """A media path a post cannot use; `code` is the check's kebab-case code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def resolve_media(post_file: Path, repo_root: Path, rel: str) -> Path:
    """The file `rel` (relative to the post file) names, resolved inside the repository.

    Raises `MediaProblem` when the path is absolute, leaves the repository by
    `..` or through a symbolic link, or is not an existing regular file. The
    returned path has every link resolved: open that one, not `rel` again.
    """
    if not rel.strip():
        raise MediaProblem(
            "media-missing", "no path is given: write `path:`, relative to the post file"
        )
    if "\x00" in rel:
        raise MediaProblem("media-missing", f"{rel!r} is not a usable path (it holds a NUL byte)")
    if PurePosixPath(rel).is_absolute() or Path(rel).is_absolute():
        raise MediaProblem(
            "media-absolute-path",
            f"{rel} is an absolute path: write it relative to the post file "
            "(e.g. ../media/banner.png) so it works in every checkout",
        )
    root = repo_root.resolve()
    base = post_file.resolve().parent
    lexical = Path(os.path.normpath(base / rel))
    if not lexical.is_relative_to(root):
        raise MediaProblem(
            "media-outside-repo",
            f"{rel} goes outside the repository through '..': "
            "copy the image into the repository and point to the copy",
        )
    target = (base / rel).resolve()
    if not target.is_relative_to(root):
        raise MediaProblem(
            "media-outside-repo",
            f"{rel} leads outside the repository through a symbolic link: "
            "copy the image into the repository instead of linking to it",
        )
    if not target.exists():
        raise MediaProblem(
            "media-missing",
            f"{rel} does not exist (looked for {target.relative_to(root).as_posix()}): "
            "add the file, or fix the path (it is relative to the post file)",
        )
    if not target.is_file():
        raise MediaProblem("media-not-file", f"{rel} is not a file: point `path:` to an image file")
    return target
