"""Networks publish in parallel threads, each recording into the same file."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path

from clarion.adapters.base import Receipt
from clarion.post import frontmatter
from clarion.post.receipts import record_receipt

FRONT = "# the author's comment\nplatforms: [bluesky, mastodon, x]  # all three\nlang: en\n"
BODY = "Part one.\n---\nPart two.\n"


def run_together(count: int, work: Callable[[int], None]) -> None:
    """Run `work(0..count-1)` in as many threads, released at the same moment."""
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def thread(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as exc:  # checked below: a thread's failure fails the test
            errors.append(exc)

    threads = [threading.Thread(target=thread, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def receipt(n: int, part: int) -> Receipt:
    at = dt.datetime(2026, 12, 1, 15, n % 60, part, tzinfo=dt.UTC)
    return Receipt(at=at, id=f"{n}-{part}", url=f"https://example.org/{n}/{part}")


def make_post(tmp_path: Path) -> Path:
    post = tmp_path / "post.md"
    post.write_text(f"---\n{FRONT}---\n{BODY}")
    return post


def assert_kept(post: Path) -> dict[str, list[dict[str, str]]]:
    text = post.read_text()
    assert text.startswith(f"---\n{FRONT}published:\n")
    assert text.endswith(f"---\n{BODY}")
    published: dict[str, list[dict[str, str]]] = frontmatter.load(post.read_bytes()).data[
        "published"
    ]
    return published


def test_fifty_threads_lose_nothing(tmp_path: Path) -> None:
    post = make_post(tmp_path)
    # Half the threads spell the path another way: the lock is per file, not per name.
    (tmp_path / "sub").mkdir()
    other_name = tmp_path / "sub" / ".." / "post.md"

    def one_network(n: int) -> None:
        record_receipt(post if n % 2 else other_name, f"net{n:02}", 0, receipt(n, 0))

    run_together(50, one_network)
    published = assert_kept(post)
    assert sorted(published) == [f"net{n:02}" for n in range(50)]
    for n in range(50):
        assert [e["id"] for e in published[f"net{n:02}"]] == [f"{n}-0"]


def test_three_networks_in_parallel_keep_part_order(tmp_path: Path) -> None:
    post = make_post(tmp_path)
    networks = ["bluesky", "mastodon", "x"]
    parts = 8

    def network_thread(n: int) -> None:
        for part in range(parts):
            record_receipt(post, networks[n], part, receipt(n, part))

    run_together(len(networks), network_thread)
    published = assert_kept(post)
    for n, network in enumerate(networks):
        assert [e["id"] for e in published[network]] == [f"{n}-{p}" for p in range(parts)]
