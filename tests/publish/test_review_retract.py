"""Review: retracting a post that went out only in part, and what `clarion status`
says of it (SPEC.md's states: published, scheduled, due, held, needs-person,
retracted)."""

from __future__ import annotations

from pathlib import Path

from clarion.sandbox.networks import Sandbox
from clarion.sandbox.server import Fault
from tests.conftest import Run
from tests.publish.world import THREAD, World, git
from tests.timeouts import GIVE_UP

RETRACTED_ON_BLUESKY_ONLY = """\
---
platforms: [bluesky, x]
lang: en
retract: true
published:
  bluesky:
    - id: "at://did:plc:abc/app.bsky.feed.post/3lxyz"
      url: https://bsky.app/profile/example.test/post/3lxyz
      at: 2026-01-01T10:00:00Z
      retracted: 2026-01-02T10:00:00Z
---
X refused this one; then it was withdrawn.
"""


def status_lines(proc_stdout: str) -> dict[str, str]:
    """Network name → its state, from `clarion status` for one post."""
    lines = [line.split() for line in proc_stdout.splitlines() if line.startswith("  ")]
    return {words[0]: words[1] for words in lines}


def test_status_of_a_withdrawn_post_never_says_due(repo: Path, clarion: Run) -> None:
    """Nothing more of a `retract: true` post is ever sent, so a network it never
    reached is not 'due' (which `clarion publish` would not honour)."""
    (repo / "posts" / "withdrawn.md").write_text(RETRACTED_ON_BLUESKY_ONLY)
    proc = clarion("status", "--all", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert status_lines(proc.stdout) == {"Bluesky": "retracted", "X": "retracted"}


def test_retracting_a_thread_with_a_part_of_unknown_fate_needs_a_person(
    tmp_path: Path, clarion: Run
) -> None:
    """X took part 1, and part 2's answer was lost. Retracting deletes part 1, but
    part 2 may be live: the run must say a person is needed, not 'retracted'."""
    with Sandbox() as box:
        # Part 2 is taken and held unanswered: the run's client times out.
        world = World(tmp_path, box, timeout=GIVE_UP)
        world.setup({"2026/launch.md": THREAD.replace("bluesky, mastodon, x", "x")})
        world.fault("x", Fault("hang", skip=1))
        first = world.publish()
        assert first.returncode == 1, first.stdout + first.stderr
        path = world.work / "posts" / "2026" / "launch.md"
        path.write_text(path.read_text().replace("lang: en\n", "lang: en\nretract: true\n", 1))
        git(world.work, "commit", "-qam", "Withdraw the post")
        second = world.publish()
        assert second.returncode == 1, second.stdout + second.stderr
        assert "needs-person" in second.stdout
        assert len(world.box.x.live()) == 1  # part 2 went out: it is still there
        status = clarion("status", "--all", cwd=world.work, env=world._env(None))
        assert status_lines(status.stdout) == {"X": "needs-person"}


FROM_THE_X_ARCHIVE = """\
---
lang: en
retract: true
published:
  x:
    - id: "1864012345678901234"
      url: https://x.com/example/status/1864012345678901234
      at: 2024-12-01T15:00:05Z
---
An old post imported from X, whose account this repository no longer has.
"""


def test_retracting_on_a_network_without_an_account_is_a_clear_failure(
    repo: Path, clarion: Run
) -> None:
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(
        text[: text.index("[tool.clarion.accounts.x]")].replace(
            "timezone", "require_approval = false\ntimezone"
        )
    )
    (repo / "posts" / "old.md").write_text(FROM_THE_X_ARCHIVE)
    proc = clarion("publish", cwd=repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "no X account" in proc.stdout


def test_retract_needs_no_image_of_the_post(tmp_path: Path) -> None:
    """A withdrawn post whose image was removed since: the deletion needs only the
    receipts, and it must not stop the run."""
    with Sandbox() as box:
        world = World(tmp_path, box)
        world.setup({"2026/launch.md": THREAD})
        assert world.publish().returncode == 0
        path = world.work / "posts" / "2026" / "launch.md"
        path.write_text(path.read_text().replace("lang: en\n", "lang: en\nretract: true\n", 1))
        (world.work / "posts" / "media" / "dot.png").unlink()
        git(world.work, "commit", "-qam", "Withdraw the post; its image goes too")
        proc = world.publish()
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert world.box.x.live() == []
        assert world.box.mastodon.live() == []
