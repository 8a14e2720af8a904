"""A published thread on the stand-ins, and the real `clarion metrics` run against them.

The thread goes out with the real `clarion publish` (tests/publish/world.py), so
the receipts are what a repository has; then the tests move counts on the
stand-ins (`set_counts`, `followers`) and run `clarion metrics` in a process of
its own, as the workflow does.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from clarion.sandbox.networks import Sandbox
from tests import forkrun
from tests.publish.world import World

THREAD = """\
---
platforms: [bluesky, mastodon, x]
lang: en
---
Our spring sprint starts on Monday https://example.org/sprint #Clarion

---

Everyone is welcome, in person or online.
"""

FIELDS = [
    "network",
    "path",
    "part",
    "id",
    "at",
    "likes",
    "reposts",
    "replies",
    "quotes",
    "views",
    "followers",
]


@dataclass
class Metrics:
    """The world after publishing, with what the tests need to read counts."""

    world: World

    @property
    def work(self) -> Path:
        return self.world.work

    def stand_in(self, network: str) -> Any:
        return self.world.stand_in(network)

    def ids(self, network: str) -> list[str]:
        """The part ids on `network`, in order, as the stand-in holds them."""
        received = self.stand_in(network).received()
        return [r["uri"] if network == "bluesky" else r["id"] for r in received]

    def settings(self, old: str, new: str) -> None:
        """Change the settings' text (`metrics = false` → `metrics = true`)."""
        path = self.work / "pyproject.toml"
        text = path.read_text(encoding="utf-8")
        assert old in text, text
        path.write_text(text.replace(old, new), encoding="utf-8")

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return forkrun.run(["metrics", *args], cwd=self.work, env=self.world._env(env))

    def run_json(self, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
        proc = self.run("--format", "json", *args, env=env)
        assert proc.returncode in (0, 1, 2), proc.stderr
        report: dict[str, Any] = json.loads(proc.stdout)
        report["exit"] = proc.returncode
        report["stderr"] = proc.stderr
        return report

    def lines(self) -> list[dict[str, Any]]:
        """Every metrics line written, in file order, each as it reads back."""
        found: list[dict[str, Any]] = []
        for path in sorted((self.work / "metrics").glob("*.jsonl")):
            for raw in path.read_text(encoding="utf-8").splitlines():
                found.append(json.loads(raw))
        return found


@pytest.fixture
def metrics(tmp_path: Path) -> Iterator[Metrics]:
    with Sandbox() as box:
        world = World(tmp_path, box)
        world.setup({"2026/sprint.md": THREAD})
        published = world.publish()
        assert published.returncode == 0, published.stdout + published.stderr
        yield Metrics(world)
