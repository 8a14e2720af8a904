"""One module per `clarion` command: argument handling and output, no domain logic."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from clarion.errors import UsageError
from clarion.post import Post, discover, link_on_the_way, read_post
from clarion.settings import Settings

if TYPE_CHECKING:
    from clarion.check.result import PostResult


def post_paths(settings: Settings, paths: Iterable[Path]) -> list[Path]:
    """The post files named (files, or folders searched recursively); every post when none.

    A link is never followed: named, or met in a folder, it is listed as it is,
    and reading it reports it, so it is neither read nor merged with its target.
    """
    chosen = list(paths)
    root = settings.root
    if not chosen:
        if not settings.posts_dir.is_dir():
            raise UsageError(
                f"there is no {settings.posts} folder in {settings.root}: run clarion in "
                "the repository, or set [tool.clarion] posts in pyproject.toml"
            )
        return list(discover(settings.posts_dir, root))
    found: list[Path] = []
    for path in chosen:
        if path.is_dir() and link_on_the_way(path, root) is None:
            found.extend(discover(path, root))
        elif os.path.lexists(path):
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    # A post named twice (a file and its folder) is still one post.
    unique: dict[str, Path] = {}
    for path in found:
        unique.setdefault(os.path.normpath(path.absolute()), path)
    return list(unique.values())


def checked_posts(settings: Settings, paths: Iterable[Path]) -> list[tuple[Post, PostResult]]:
    """Each post named (or every post) read and checked, for preview, publish and status."""
    # Imported here: the checks take a tenth of a second to load, which the commands
    # that check nothing (site, metrics, engagement) need not pay.
    from clarion.check.checks import check_post

    items = []
    for path in post_paths(settings, paths):
        post = read_post(path, settings.root)
        items.append((post, check_post(post, settings)))
    return items
