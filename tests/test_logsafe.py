"""Untrusted text printed in GitHub Actions cannot become a workflow command."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import Run

EVIL = "::add-mask::x\n::set-output name=a::b\n::stop-commands::tok\n##[set-output name=c;]d\n"


def _actions_env() -> dict[str, str]:
    return {**os.environ, "GITHUB_ACTIONS": "true"}


def _no_command(output: str) -> None:
    for line in output.splitlines():
        stripped = line.strip()
        assert not stripped.startswith("::"), line
        assert "::add-mask::" not in line, line
        assert not stripped.startswith("##["), line


def test_post_text_in_logs_stays_text(repo: Path, clarion: Run) -> None:
    (repo / "posts" / "evil.md").write_text(
        "---\nlang: en\nplatforms: [bluesky, mastodon, x]\n---\n" + EVIL
    )
    env = _actions_env()
    for args in (
        ("preview", "posts/evil.md"),
        ("validate",),
        ("status",),
        ("publish", "--dry-run"),
        ("publish", "--sandbox"),
    ):
        proc = clarion(*args, cwd=repo, env=env)
        assert proc.returncode in (0, 1), proc.stderr
        _no_command(proc.stdout)
        _no_command(proc.stderr)
    # It still reads the same to a person: only an invisible joiner is added.
    proc = clarion("preview", "posts/evil.md", cwd=repo, env=env)
    assert "add-mask" in proc.stdout.replace("\u2060", "")
