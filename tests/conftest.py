"""Shared fixtures: a temporary repository laid out like the template."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import forkrun, housekeeping

# Bytecode caches are kept, as on any machine without PYTHONDONTWRITEBYTECODE
# (which this one may set): otherwise each worker rewrites the asserts of every
# test module at every collection (half of collecting), and every `clarion`
# the tests start compiles Clarion's modules again. The caches are gitignored.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def _temporary_files_in_memory() -> None:
    """The tests' temporary files (tmp_path, the runs' and act's) on tmpfs, in a
    folder of this user's own under /dev/shm, unless TMPDIR names a place.

    The suite makes about 100,000 files (repositories, sites, act's job folders
    and environments) and removes most of them again. On this machine's ext4,
    mounted with `discard`, each removal costs the kernel a block discard: the
    whole suite on 2 cores took 219 s with its files there, 189 s in memory.
    With `tmp_path_retention_policy = "failed"` (pyproject.toml) a test's
    folder is removed when it passes, so the memory they hold stays small."""
    if os.environ.get("TMPDIR"):
        return
    shm = Path("/dev/shm")  # noqa: S108 - used only through a folder of this user alone
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return
    if not any(line.split()[1:3] == [str(shm), "tmpfs"] for line in mounts):
        return
    folder = shm / f"clarion-tests-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        found = folder.lstat()
    except OSError:
        return
    # /dev/shm is everyone's: use the folder only if it is this user's alone.
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
        return
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = None  # read TMPDIR again


_temporary_files_in_memory()
os.environ.update(housekeeping.config_env(os.environ))

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = Path(__file__).parent / "examples"
SHARED = ROOT.parent / "shared"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` (pyproject.toml): one worker more than the cores this process may
    use. A worker spends much of its time waiting, for a `clarion` or git it
    started, a stand-in's answer or act, and with one worker a core the cores
    idle: the whole suite on 2 cores took 340 s with 2 workers, 260 s with 3
    and 320 s with 4."""
    return len(os.sched_getaffinity(0)) + 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked `slow` (act's workflow runs, the end-to-end runs) first, in
    their order: collected last, the longest of them started last and ran on alone
    while the other workers sat idle."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


pytest_plugins = ["tests.pds_plugin"] if (Path(__file__).parent / "pds_plugin.py").exists() else []

PYPROJECT = """\
[project]
name = "example-announcements"
version = "0"

[tool.clarion]
posts = "posts"
platforms = ["bluesky", "mastodon", "x"]
timezone = "UTC"

[tool.clarion.accounts.bluesky]
handle = "example.test"
service = "https://bsky.social"

[tool.clarion.accounts.mastodon]
instance = "https://mastodon.example"
max_characters = 500

[tool.clarion.accounts.x]
handle = "example"
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty repository: pyproject.toml with the three accounts and posts/."""
    root = tmp_path / "repo"
    (root / "posts").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    return root


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def clarion() -> Run:
    """Run the real `clarion` command in a folder, as a user would: a process of
    its own, forked from one that has loaded Clarion (tests/forkrun.py)."""

    def run(
        *args: str, cwd: Path, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return forkrun.run(args, cwd=cwd, env=env)

    return run


def copy_examples(kind: str, dest: Path) -> None:
    shutil.copytree(EXAMPLES / kind, dest, symlinks=True, dirs_exist_ok=True)
