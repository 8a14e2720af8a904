"""One module per `clarion` command: argument handling and output, no domain logic."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from clarion.checks import check_post
from clarion.errors import UsageError
from clarion.post import Post, discover, read_post
from clarion.result import PostResult
from clarion.settings import Settings


def post_paths(settings: Settings, paths: Iterable[Path]) -> list[Path]:
    """The post files named (files, or folders searched recursively); every post when none."""
    chosen = list(paths)
    if not chosen:
        if not settings.posts_dir.is_dir():
            raise UsageError(
                f"there is no {settings.posts} folder in {settings.root}: run clarion in "
                "the repository, or set [tool.clarion] posts in pyproject.toml"
            )
        return list(discover(settings.posts_dir))
    found: list[Path] = []
    for path in chosen:
        if path.is_dir():
            found.extend(discover(path))
        elif path.is_file() or path.is_symlink():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    # A post named twice (a file and its folder) is still one post.
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def checked_posts(settings: Settings, paths: Iterable[Path]) -> list[tuple[Post, PostResult]]:
    """Each post named (or every post) read and checked, for preview, publish and status."""
    items = []
    for path in post_paths(settings, paths):
        post = read_post(path, settings.root)
        items.append((post, check_post(post, settings)))
    return items
