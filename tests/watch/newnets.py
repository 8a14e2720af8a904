"""A post published for real to the LinkedIn and Discourse stand-ins (every network's
account in the settings, on the sandbox's stand-ins), then the real `clarion
watch` in a process of its own: the tests of those two networks' watchers."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from clarion.post import read_post
from tests import forkrun
from tests.publish.world import World, git
from tests.publish.world import published as world_published

NAME = "2026/sprint.md"
POST = """\
---
platforms: [linkedin, discourse]
title: Our spring sprint starts on Monday
lang: en
---
Our spring sprint starts on Monday https://example.org/sprint #Clarion

---

Everyone is welcome, in person or online.
"""


def published(tmp_path: Path) -> contextlib.AbstractContextManager[World]:
    return world_published(tmp_path, {NAME: POST})


def watch_json(world: World, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    """`clarion watch --format json`: its exit status and its report."""
    done = forkrun.run(["watch", "--format", "json"], cwd=world.work, env=world._env(env))
    assert done.stdout.strip(), done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    report["stderr"] = done.stderr
    return done.returncode, report


def findings(report: dict[str, Any], network: str) -> list[tuple[str, bool]]:
    """`network`'s findings as (kind, new)."""
    return [(f["kind"], f["new"]) for f in report["findings"] if f["network"] == network]


def receipt_id(world: World, network: str) -> str:
    [receipt] = read_post(world.work / "posts" / NAME, world.work).receipts[network]
    assert receipt.id
    return receipt.id


def change(world: World, old: str, new: str) -> None:
    """Change the post file and commit it, as a merged pull request would."""
    path = world.work / "posts" / NAME
    text = path.read_text(encoding="utf-8")
    assert old in text, text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    git(world.work, "commit", "-qam", "Change the post")
