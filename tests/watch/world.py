"""A small world for watching: the Bluesky, Mastodon and X stand-ins, a repository
whose posts the real `clarion publish` sent to them (receipts written into the
files), and the real `clarion watch` run as a separate process.

The stand-ins do what platforms do to published posts through their test
hooks: `bluesky.appview` hides, labels and deletes; `mastodon.moderation`
removes, marks sensitive, edits and warns; `x.reading` withholds, hides and
deletes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clarion.post import read_post
from clarion.sandbox.bluesky import BlueskyStandIn
from clarion.sandbox.mastodon import MastodonStandIn
from clarion.sandbox.x import XStandIn
from tests import forkrun
from tests.timeouts import GENEROUS

LAUNCH = """\
---
platforms: [bluesky, mastodon, x]
lang: en
---
Clarion 1.0 is out: announcements as code https://example.org/clarion #Clarion

---

Part two: every post is reviewed in a pull request before it goes out.

---

Part three: thanks to everyone who tried the betas.
"""

SPRINT = """\
---
platforms: [bluesky, mastodon, x]
lang: en
---
The spring sprint starts on Monday! Join us https://example.org/sprint #Sprint
"""


@dataclass
class WatchWorld:
    root: Path
    mastodon_scopes: tuple[str, ...] | None = None  # None: every scope
    x_reads: bool = True  # X's `metrics`
    max_reads: int = 100
    labelers: tuple[str, ...] = ()
    bluesky: BlueskyStandIn = field(init=False)
    mastodon: MastodonStandIn = field(init=False)
    x: XStandIn = field(init=False)
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.bluesky = BlueskyStandIn(handle="clarion.test")
        self.mastodon = MastodonStandIn(media_processing_polls=0, scopes=self.mastodon_scopes)
        self.x = XStandIn()

    def __enter__(self) -> WatchWorld:
        for stand_in in (self.bluesky, self.mastodon, self.x):
            stand_in.start()
        self.env = {
            **self.bluesky.sandbox_settings()[1],
            **self.mastodon.sandbox_settings()[1],
            **self.x.sandbox_settings()[1],
        }
        (self.repo / "posts").mkdir(parents=True, exist_ok=True)
        self.write_settings()
        return self

    def __exit__(self, *exc: object) -> None:
        for stand_in in (self.bluesky, self.mastodon, self.x):
            stand_in.stop()

    @property
    def repo(self) -> Path:
        return self.root / "repo"

    def write_settings(self, **bluesky: Any) -> None:
        labelers = json.dumps(list(bluesky.get("labelers", self.labelers)))
        (self.repo / "pyproject.toml").write_text(
            f"""\
[tool.clarion]
platforms = ["bluesky", "mastodon", "x"]
require_approval = false
timeout = {GENEROUS}
retries = 2
retry_backoff = 0.05
max_retry_wait = 5

[tool.clarion.accounts.bluesky]
handle = "{self.bluesky.account.handle}"
service = "{self.bluesky.url}"
web = "{self.bluesky.url}"
appview = "{bluesky.get("appview", self.bluesky.url)}"
labelers = {labelers}

[tool.clarion.accounts.mastodon]
instance = "{self.mastodon.url}"

[tool.clarion.accounts.x]
handle = "{self.x.username}"
api = "{self.x.url}"
web = "{self.x.url}"
metrics = {"true" if self.x_reads else "false"}
max_reads = {self.max_reads}
""",
            encoding="utf-8",
        )

    def _env(self, extra: dict[str, str] | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CLARION_", "GITHUB_"))}
        env.update(self.env)
        env.update(extra or {})
        return env

    def clarion(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return forkrun.run(args, cwd=self.repo, env=self._env(env))

    def publish(self, posts: dict[str, str]) -> None:
        """Write `posts` (name → text, under posts/) and publish them for real."""
        for name, text in posts.items():
            path = self.repo / "posts" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        done = self.clarion("publish")
        assert done.returncode == 0, done.stdout + done.stderr

    def watch(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.clarion("watch", *args, env=env)

    def watch_json(
        self, *args: str, env: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any], str]:
        done = self.watch("--format", "json", *args, env=env)
        assert done.stdout.strip(), done.stderr
        return done.returncode, json.loads(done.stdout), done.stderr

    def ids(self, name: str, network: str) -> list[str]:
        """The ids of post `name`'s parts on `network`, from its receipts."""
        post = read_post(self.repo / "posts" / name, self.repo)
        return [r.id or "" for r in post.receipts[network]]

    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.repo / "metrics" / "watch.json").read_text())
        return data


def anonymised(report: dict[str, Any], world: WatchWorld) -> str:
    """The JSON report with the run's own ids and times as stable names, for a golden file."""
    names: dict[str, str] = {}
    for path in sorted((world.repo / "posts").rglob("*.md")):
        post = read_post(path, world.repo)
        for network, receipts in post.receipts.items():
            for index, receipt in enumerate(receipts):
                if receipt.id:
                    names[receipt.id] = f"<{network} {post.rel} part {index}>"
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    for real, name in sorted(names.items(), key=lambda item: -len(item[0])):
        text = text.replace(real, name)
    return re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z", "<time>", text)
