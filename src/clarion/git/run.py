"""The one way Clarion runs git: one environment scrub, literal pathspecs, no prompts.

Every git process Clarion starts goes through `git_env` (and most through
`run`), so that no repository content or inherited variable changes what git
reads:

- `GIT_LITERAL_PATHSPECS=1`: a path is a file name, never a pattern. A post
  named `posts/*.md` would otherwise take the history of every post.
- `GIT_NO_REPLACE_OBJECTS=1`: a `refs/replace/` ref cannot make git show other
  content than a commit holds.
- variables that point git at another repository or index are dropped (set,
  for example, when Clarion runs inside a git hook);
- the C locale, since messages are parsed in English; no prompt ever waits
  for a person; no editor is ever started.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import IO

REPOSITORY_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_GLOB_PATHSPECS",
    "GIT_NOGLOB_PATHSPECS",
    "GIT_ICASE_PATHSPECS",
    "GIT_REPLACE_REF_BASE",
)


def git_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """`environ` (default: this process's) made safe for running git on a repository."""
    source = os.environ if environ is None else environ
    env = {k: v for k, v in source.items() if k not in REPOSITORY_ENV}
    env.update(
        LC_ALL="C",
        LANG="C",
        GIT_TERMINAL_PROMPT="0",
        GIT_EDITOR="true",
        GIT_LITERAL_PATHSPECS="1",
        GIT_NO_REPLACE_OBJECTS="1",
    )
    return env


def run(
    root: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    input: bytes | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """`git -C root args`, output as bytes, never raising for git's exit status."""
    return subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        env=git_env(env),
        input=input,
        timeout=timeout,
        check=False,
    )


class _CatFile:
    """One `git cat-file` process answering names line by line."""

    def __init__(self, root: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            ["git", "-C", str(root), "cat-file", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=git_env(),
        )
        if self.proc.stdin is None or self.proc.stdout is None:  # pragma: no cover - PIPE given
            raise OSError("git cat-file started without pipes")
        self.stdin: IO[bytes] = self.proc.stdin
        self.stdout: IO[bytes] = self.proc.stdout

    def ask(self, name: str) -> bytes:
        self.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
        self.stdin.flush()
        return self.stdout.readline()

    def close(self) -> None:
        if not self.stdin.closed:
            self.stdin.close()  # git ends when its input does
        self.proc.wait()
        self.stdout.close()


class Objects:
    """Files at commits, read through two long-lived `git cat-file` processes.

    A history walk asks for thousands of files; one process per question would
    cost more than the walk. `blob` reads a file as stored (a symbolic link's
    target text, never what it points to); `resolved_id` gives the blob id of
    what a path leads to, links inside the repository followed, as a checkout
    would open it.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._batch: _CatFile | None = None
        self._check: _CatFile | None = None

    @staticmethod
    def _usable(name: str) -> bool:
        return "\n" not in name and "\r" not in name

    def blob(self, commit: str, path: str) -> bytes | None:
        """The blob at `commit:path`; None when there is none (or it is not a blob)."""
        if not self._usable(path):
            return None
        if self._batch is None:
            self._batch = _CatFile(self.root, "--batch")
        header = self._batch.ask(f"{commit}:{path}").split()
        if len(header) != 3:  # "<name> missing", "<name> ambiguous"
            return None
        data = self._batch.stdout.read(int(header[2]) + 1)[:-1]  # the object, then LF
        return data if header[1] == b"blob" else None

    def resolved_id(self, commit: str, path: str) -> str | None:
        """The blob id `commit:path` leads to inside the repository; None if none."""
        if not self._usable(path):
            return None
        if self._check is None:
            self._check = _CatFile(self.root, "--batch-check", "--follow-symlinks")
        header = self._check.ask(f"{commit}:{path}").split()
        if header and header[0] in (b"dangling", b"loop", b"notdir", b"symlink"):
            self._check.stdout.readline()  # these answers take a second line
            return None
        if len(header) != 3 or header[1] != b"blob":
            return None
        return header[0].decode("ascii")

    def close(self) -> None:
        for cat in (self._batch, self._check):
            if cat is not None:
                cat.close()
        self._batch = self._check = None

    def __enter__(self) -> Objects:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
