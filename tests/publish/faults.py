"""What the fault tests of one network through the real `clarion publish` share
(test_threads_faults.py, test_linkedin_faults.py, test_discourse_faults.py): the
sandbox, a post of that network with the one image, the world it is published
from, and a change committed to it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from clarion.sandbox.networks import Sandbox
from tests.publish.world import World, git
from tests.timeouts import GENEROUS

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def box() -> Iterator[Sandbox]:
    """The sandbox; a test module takes it with `box = faults.box`."""
    with Sandbox() as box:  # stopping it releases any request still held
        yield box


def post(network: str, parts: Sequence[str], *, title: str | None = None) -> str:
    """A post to `network` alone: the thread `parts`, the repository's one image on
    the first, and a `title:` where given."""
    head = f"platforms: [{network}]\nlang: en\n" + (f"title: {title}\n" if title else "")
    media = "media:\n  - path: ../media/dot.png\n    alt: A single green dot\n"
    return f"---\n{head}{media}---\n" + "\n\n---\n\n".join(parts) + "\n"


def launch(tmp_path: Path, box: Sandbox, posts: dict[str, str], timeout: float = GENEROUS) -> World:
    """The repository, its remote and a clone holding `posts`, published with the
    client `timeout` (GIVE_UP where a held answer must be given up on)."""
    world = World(tmp_path, box, timeout=timeout)
    world.setup(posts)
    return world


def change(world: World, name: str, old: str, new: str) -> None:
    """Replace `old` with `new` in post `name`, committed."""
    path = world.work / "posts" / name
    path.write_text(path.read_text().replace(old, new, 1))
    git(world.work, "commit", "-qam", "Change the post")
