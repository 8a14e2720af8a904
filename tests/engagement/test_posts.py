"""Engagement reads posts without the full YAML reader where it can
(clarion.engagement.posts): what it reads must be what the post reader reads,
for every shape a post file comes in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clarion.engagement.posts import Copy, first_receipts, has_url, read_copies, top_level_entries
from clarion.post import discover, read_post

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
RECEIPT_GOLDEN = sorted((ROOT / "tests" / "receipts" / "golden").glob("*/after.md"))


def expected(path: Path, root: Path) -> set[Copy]:
    """The copies as the post reader reads the file."""
    post = read_post(path, root)
    assert post.error is None, post.error
    found = set()
    for network, receipts in post.receipts.items():
        if receipts and receipts[0].id:
            parts = post.body_parts(network)
            link = post.link is not None or has_url(parts[0].text if parts else "")
            found.add(Copy(post.rel, network, receipts[0].id, receipts[0].at, link))
    return found


def read(tmp_path: Path, *files: Path) -> tuple[set[Copy], set[Copy]]:
    root = tmp_path / "repo"
    (root / "posts").mkdir(parents=True)
    for n, source in enumerate(files):
        shutil.copyfile(source, root / "posts" / f"{n:02d}-{source.parent.name}.md")
    copies = read_copies(root, root / "posts")
    want = {c for path in discover(root / "posts") for c in expected(path, root)}
    return set(copies.by_id.values()), want


@pytest.mark.parametrize("path", RECEIPT_GOLDEN, ids=lambda p: p.parent.name)
def test_every_shape_receipts_are_written_in_reads_as_the_post_reader_reads_it(
    tmp_path: Path, path: Path
) -> None:
    got, want = read(tmp_path, path)
    assert got == want


def test_the_example_repository_reads_as_the_post_reader_reads_it(tmp_path: Path) -> None:
    posts = sorted((HERE / "data" / "repo" / "posts").rglob("*.md"))
    got, want = read(tmp_path, *posts)
    assert got == want
    assert len(got) == 10


SHAPES = {
    "flow-receipts": """\
---
published:
  bluesky: [{id: "at://did:plc:abc/app.bsky.feed.post/f0", url: "https://bsky.app/x", at: 2026-01-01T00:00:00Z}]
---
No link here.
""",
    "quoted-key": """\
---
"published":
  x:
    - id: '2001'
      at: '2026-01-01T00:00:00Z'
---
Quoted keys.
""",
    "escaped-id": """\
---
published:
  x:
    - id: "20\\u0030"
      at: 2026-01-01T00:00:00Z
---
An escape in the id.
""",
    "x-body-with-link": """\
---
x:
  body: Details at example.org/x
published:
  x:
    - id: "1"
      at: 2026-01-01T00:00:00Z
  mastodon:
    - id: "2"
      at: 2026-01-01T00:00:00Z
---
No link in the body.
""",
    "link-in-later-part-only": """\
---
published:
  x:
    - id: "1"
      at: 2026-01-01T00:00:00Z
    - id: "2"
      at: 2026-01-01T00:00:01Z
---
First part.

---

Second part: https://example.org
""",
    "thread-single-on-x": """\
---
x: {thread: single}
published:
  x:
    - id: "1"
      at: 2026-01-01T00:00:00Z
---
First part.

---

Second part: https://example.org
""",
    "link-card-flow": """\
---
link: {url: "https://example.org", title: Example}
published:
  mastodon:
    - id: "7"
      at: 2026-01-01T00:00:00Z # a comment
---
Card only.
""",
    "unknown-first-receipt": """\
---
published:
  x:
    - outcome: unknown
      at: 2026-01-01T00:00:00Z
  mastodon:
  - id: "9"   # indentless
    url: https://mastodon.example/@a/9
    at: "2026-01-01T00:00:00Z"
---
Nothing sure on X.
""",
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_unusual_shapes_read_as_the_post_reader_reads_them(tmp_path: Path, name: str) -> None:
    source = tmp_path / name / "post.md"
    source.parent.mkdir()
    source.write_text(SHAPES[name], encoding="utf-8")
    got, want = read(tmp_path, source)
    assert got == want
    assert got


@pytest.mark.parametrize("case", ["plain", "comments-everywhere", "indent-four", "second-part"])
def test_receipts_as_clarion_writes_them_are_read_without_the_yaml_reader(case: str) -> None:
    text = (ROOT / "tests" / "receipts" / "golden" / case / "after.md").read_text()
    front = text.split("---\n")[1]
    entries = top_level_entries(front)
    assert entries is not None
    assert first_receipts(entries["published"])


def test_a_bare_domain_and_a_scheme_are_links_a_sentence_is_not() -> None:
    assert has_url("See https://example.org/x")
    assert has_url("See example.org/x")
    assert not has_url("Version 2.4.1 is out. Thanks, e.g. to Ana.")
    assert not has_url("Node.js and Vue.js users: welcome")


def test_the_scanners_give_up_on_what_they_do_not_know() -> None:
    assert top_level_entries('"quoted": 1\n') is None
    assert top_level_entries("- a list\n") is None
    assert top_level_entries("# c\na: 1\n\nb:\n  - x\n") == {"a": "a: 1\n\n", "b": "b:\n  - x\n"}
    assert first_receipts("published:\n  x: []") is None
    assert first_receipts('published:\n  x:\n    - id: "1"\n      at: >\n        folded') is None


def test_the_copies_read_aside_are_the_copies(tmp_path: Path) -> None:
    from clarion.engagement.posts import read_copies_aside

    repo = HERE / "data" / "repo"
    assert read_copies_aside(repo, repo / "posts")() == read_copies(repo, repo / "posts")
    # A child that cannot read them (the folder gone) leaves the reading to the caller.
    assert read_copies_aside(tmp_path, tmp_path / "nothing")() == read_copies(
        tmp_path, tmp_path / "nothing"
    )
