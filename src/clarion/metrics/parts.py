"""The published parts: every receipt with an id, read from the posts.

A part is counted where it went out: a receipt with an id, not `outcome:
unknown` (nothing is known to be there) and not retracted (Clarion deleted it).
A post file that cannot be read is named, and the others are still read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from clarion.post import discover, read_post
from clarion.settings import Settings


@dataclass(frozen=True, slots=True)
class Published:
    network: str
    path: str  # the post file, relative to the repository
    part: int  # 0-based
    id: str
    at: str  # the receipt's `at`, as written


def published_parts(settings: Settings, unreadable: list[str]) -> Iterator[Published]:
    """Every published part of every post, post by post; each post file that cannot
    be read is added to `unreadable` as "path:line: why"."""
    posts_dir = settings.posts_dir
    if not posts_dir.is_dir():
        return
    for path in discover(posts_dir):
        if not _may_have_receipts(path):
            continue
        post = read_post(path, settings.root)
        if post.error is not None:
            line = f":{post.error.line}" if post.error.line else ""
            unreadable.append(f"{post.rel}{line}: {post.error.message}")
            continue
        for network, receipts in post.receipts.items():
            for index, receipt in enumerate(receipts):
                if receipt.id and not receipt.unknown and not receipt.retracted:
                    yield Published(network, post.rel, index, receipt.id, receipt.at)


def _may_have_receipts(path: Path) -> bool:
    """Whether the file holds `published:` at all: most of an archive has receipts,
    a draft has none, and a file without the word needs no parsing."""
    try:
        return b"published:" in path.read_bytes()
    except OSError:
        return True  # read_post says what is wrong with it
