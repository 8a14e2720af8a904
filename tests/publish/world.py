"""A small world for publishing tests: a bare remote, a clone that publishes, a
second clone that pushes in between, and the three network stand-ins, with the
real `clarion publish` run as a separate process.

Nothing here waits on the clock: a fault that must last while the test does
something holds its request until the test releases it (`Fault.hold`), and the
run's client timeout (`timeout`) is generous unless the test wants a held
request to time out (tests/timeouts.py)."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from clarion.sandbox.networks import Sandbox
from clarion.sandbox.server import Fault, StandIn
from tests import forkrun
from tests.timeouts import GENEROUS

# The path of the create-a-post call of each network, for fault injection.
CREATE = {
    "bluesky": ("POST", "/xrpc/com.atproto.repo.createRecord"),
    "mastodon": ("POST", "/api/v1/statuses"),
    "x": ("POST", "/2/tweets"),
}

THREAD = """\
---
platforms: [bluesky, mastodon, x]
lang: en
media:
  - path: ../media/dot.png
    alt: A single green dot
---
Part one of the announcement, with a link https://example.org/news #Clarion

---

Part two says more about it.

---

Part three thanks everyone.
"""

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415478da63606060000000040001f61738550000000049454e44ae426082"
)


def _toml_fields(account: object) -> str:
    """An account dataclass as the lines of its TOML table (strings, numbers,
    booleans and lists of those: what account settings hold)."""
    lines = []
    for item in dataclasses.fields(account):  # type: ignore[arg-type]
        value = getattr(account, item.name)
        lines.append(f"{item.name} = {json.dumps(value)}")  # JSON's scalars are TOML's
    return "\n".join(lines) + "\n"


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Author",
        "GIT_AUTHOR_EMAIL": "author@example.org",
        "GIT_COMMITTER_NAME": "Author",
        "GIT_COMMITTER_EMAIL": "author@example.org",
    }
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return proc.stdout


@dataclass
class World:
    root: Path
    box: Sandbox
    env: dict[str, str] = field(default_factory=dict)
    timeout: float = (
        GENEROUS  # the run's client timeout: GIVE_UP where a held request must time out
    )

    @property
    def remote(self) -> Path:
        return self.root / "remote.git"

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def other(self) -> Path:
        return self.root / "other"

    def stand_in(self, network: str) -> StandIn:
        stand_in: StandIn = self.box.get(network)
        return stand_in

    def setup(self, posts: dict[str, str]) -> None:
        git(self.root, "init", "-q", "--bare", "-b", "main", str(self.remote))
        git(self.root, "clone", "-q", str(self.remote), str(self.work))
        (self.work / "posts" / "media").mkdir(parents=True)
        (self.work / "posts" / "media" / "dot.png").write_bytes(PNG)
        (self.work / "pyproject.toml").write_text(self.pyproject())
        for name, text in posts.items():
            self.write(name, text)
        git(self.work, "add", ".")
        git(self.work, "commit", "-qm", "Add posts")
        git(self.work, "push", "-q", "origin", "main")
        git(self.root, "clone", "-q", str(self.remote), str(self.other))
        self.env = self.box.accounts()[1]

    def pyproject(self) -> str:
        """Settings with every registered network's account on its stand-in."""
        tables = "".join(
            f"\n[tool.clarion.accounts.{name}]\n{_toml_fields(account)}"
            for name, account in self.box.accounts()[0].items()
        )
        return f"""\
[tool.clarion]
platforms = ["bluesky", "mastodon", "x"]
require_approval = false
git_author = "Clarion Test <clarion@example.org>"
timeout = {self.timeout}
retries = 3
retry_backoff = 0.1
max_retry_wait = 5
{tables}"""

    def write(self, name: str, text: str) -> None:
        path = self.work / "posts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def command(self, *args: str, env: dict[str, str] | None = None) -> list[str]:
        return [sys.executable, "-m", "clarion", "publish", *args]

    def _env(self, overrides: dict[str, str] | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CLARION_", "GITHUB_"))}
        env.update(self.env)
        env.update(overrides or {})
        return env

    def publish(
        self, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`clarion publish args` in `cwd` (default: the publishing clone)."""
        return forkrun.run(["publish", *args], cwd=cwd or self.work, env=self._env(env))

    def start(self) -> Background:
        """A publish run in the background, its output read as it comes."""
        return Background(
            subprocess.Popen(
                self.command(),
                cwd=self.work,
                env=self._env(None),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )

    @staticmethod
    def wait_until(run: Background, ready: Callable[[], bool]) -> None:
        """Wait, while `run` is still going, until `ready()` holds. The deadline only
        turns a moment that never comes into a failure instead of a hung test."""
        deadline = time.monotonic() + 60
        while not ready():
            if time.monotonic() > deadline or run.process.poll() is not None:
                run.process.kill()
                raise AssertionError("the run ended before the moment came")
            time.sleep(0.01)

    def publish_and_kill_when(self, ready: Callable[[], bool]) -> None:
        """Start a publish run and SIGKILL it once `ready()` holds."""
        run = self.start()
        self.wait_until(run, ready)
        run.process.send_signal(signal.SIGKILL)
        run.finish()

    def on_remote(self, name: str, branch: str = "main") -> str:
        return git(self.remote, "show", f"{branch}:posts/{name}")

    def created(self, network: str) -> int:
        """How many posts the network holds (a duplicate shows as one too many)."""
        stand_in = self.stand_in(network)
        return len(stand_in.received())  # type: ignore[attr-defined]

    def fault(self, network: str, fault: Fault) -> None:
        method, path = CREATE[network]
        fault.method, fault.path_prefix = method, path
        self.stand_in(network).inject(fault)


@contextmanager
def published(tmp_path: Path, posts: dict[str, str]) -> Iterator[World]:
    """A world, on the sandbox's stand-ins, whose `clarion publish` sent `posts`."""
    with Sandbox() as box:
        world = World(tmp_path, box)
        world.setup(posts)
        done = world.publish()
        assert done.returncode == 0, done.stdout + done.stderr
        yield world


class Background:
    """A run in the background whose output is read as it comes: the test can wait
    for a line, and the run never blocks on a full pipe."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self._changed = threading.Condition()
        self._output: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self._readers = [
            threading.Thread(target=self._read, args=(name, stream), daemon=True)
            for name, stream in (("stdout", process.stdout), ("stderr", process.stderr))
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, name: str, stream: IO[str] | None) -> None:
        assert stream is not None
        with stream:
            for line in stream:
                with self._changed:
                    self._output[name].append(line)
                    self._changed.notify_all()
        with self._changed:
            self._output[name].append("")  # the end
            self._changed.notify_all()

    def _ended(self) -> bool:
        return all(lines[-1:] == [""] for lines in self._output.values())

    def wait_for_line(self, text: str, timeout: float = 60.0) -> None:
        """Until a line of its output contains `text`; a failure if the run ends first."""

        def seen() -> bool:
            return any(text in line for lines in self._output.values() for line in lines)

        with self._changed:
            self._changed.wait_for(lambda: seen() or self._ended(), timeout)
            if not seen():
                raise AssertionError(f"the run never said {text!r}:\n{self._joined()}")

    def _joined(self) -> str:
        return "".join(self._output["stdout"]) + "".join(self._output["stderr"])

    def finish(self, timeout: float = 120.0) -> tuple[str, str]:
        """Wait for the end of the run: its stdout and stderr."""
        self.process.wait(timeout)
        for reader in self._readers:
            reader.join(timeout)
        return "".join(self._output["stdout"]), "".join(self._output["stderr"])

    @property
    def returncode(self) -> int | None:
        return self.process.returncode
