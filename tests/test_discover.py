"""Every post under the posts folder, recursively, in path order: compared part
by part ("a/b.md" before "a b.md" and "a-b/c.md"), case and all."""

from __future__ import annotations

from pathlib import Path

from clarion.post import discover

# The posts in the order they are listed.
IN_ORDER = [
    "A/x.md",
    "Z.md",
    "_.md",
    "a/a/q.md",
    "a/b.md",
    "a b.md",
    "a-b/c.md",
    "a.md",
    "a.md.d/y.md",
    "ab.md",
    "e.md",
    "é.md",
]
NOT_POSTS = ["README.md", "a/README.md", "notes.txt"]


def test_posts_in_path_order(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    for name in [*reversed(IN_ORDER), *NOT_POSTS]:
        (posts / name).parent.mkdir(parents=True, exist_ok=True)
        (posts / name).write_text("---\nlang: en\n---\nHi\n", encoding="utf-8")
    found = [path.relative_to(posts).as_posix() for path in discover(posts, tmp_path)]
    assert found == IN_ORDER
    by_path = sorted(p for p in posts.rglob("*.md") if p.name != "README.md")
    assert found == [path.relative_to(posts).as_posix() for path in by_path]
