"""A post published for real to the Threads, LinkedIn and Discourse stand-ins (with
every other network's account in the settings too), for the tests of their counts
readers: `clarion metrics` is then run against the same stand-ins."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from clarion.post import read_post
from tests.metrics.conftest import Metrics
from tests.publish.world import published as world_published

NAME = "2026/sprint.md"
POST = """\
---
platforms: [threads, linkedin, discourse]
title: Our spring sprint starts on Monday
lang: en
---
Our spring sprint starts on Monday https://example.org/sprint #Clarion

---

Everyone is welcome, in person or online.
"""


@contextlib.contextmanager
def published(tmp_path: Path, posts: dict[str, str] | None = None) -> Iterator[Metrics]:
    """The world after `clarion publish` sent `posts` (by default POST)."""
    with world_published(tmp_path, posts or {NAME: POST}) as world:
        yield Metrics(world)


def receipt_ids(metrics: Metrics, network: str, name: str = NAME) -> list[str]:
    """The ids of post `name`'s parts on `network`, from its receipts."""
    post = read_post(metrics.work / "posts" / name, metrics.work)
    return [receipt.id or "" for receipt in post.receipts[network]]


def lines_of(metrics: Metrics, network: str) -> list[dict[str, object]]:
    """The metrics lines of `network`, part by part in file order."""
    return [line for line in metrics.lines() if line["network"] == network]
