"""The Git repository `clarion init` writes into: an existing one (at its root),
or a new one made with `git init`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from clarion.errors import UsageError
from clarion.git.run import run

# git@github.com:owner/name.git, https://github.com/owner/name(.git), ssh://git@github.com/...
_GITHUB = re.compile(
    r"^(?:https://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)(?:\.git)?/?$"
)


@dataclass(frozen=True)
class Repository:
    root: Path
    created: bool  # `git init` made it now
    default_branch: str
    github: str | None  # owner/name when `origin` is on github.com


def _git(root: Path, *args: str) -> str | None:
    """git's output, stripped; None when git fails."""
    try:
        done = run(root, *args)
    except FileNotFoundError:
        raise UsageError("git is not installed: clarion init needs it") from None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace").strip()


def prepare(target: Path) -> Repository:
    """The repository at `target`, made (folder and `git init`) when missing."""
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file, not a folder")
    target.mkdir(parents=True, exist_ok=True)
    root = target.resolve()
    top = _git(root, "rev-parse", "--show-toplevel")
    created = False
    if top is None:
        done = run(root, "init", "-q")
        if done.returncode != 0:
            raise UsageError(f"git init {root} failed: {done.stderr.decode(errors='replace')}")
        created = True
    elif Path(top).resolve() != root:
        raise UsageError(
            f"{target} is inside the Git repository {top}: the workflows and CODEOWNERS "
            f"must be at a repository's root, so run clarion init {top}"
        )
    return Repository(root, created, _default_branch(root), _github(root))


def _default_branch(root: Path) -> str:
    """origin's default branch when known, else the branch checked out, else main."""
    remote = _git(root, "symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD")
    if remote and remote.startswith("origin/"):
        return remote.removeprefix("origin/")
    return _git(root, "symbolic-ref", "-q", "--short", "HEAD") or "main"


def _github(root: Path) -> str | None:
    url = _git(root, "remote", "get-url", "origin")
    found = _GITHUB.match(url or "")
    return f"{found[1]}/{found[2]}" if found else None
