"""A work tree that Clarion runs git in as its bot: the base `Repo` builds on.

`WorkTree` runs git through `clarion.git.run`'s environment, with the bot as
committer and the push token (`clarion.git.token`) on network commands only;
answers the small questions (head, branch, upstream, a file at a revision);
commits; and holds the steps the publishing parts are made of: ask, fetch or
push one branch of a remote, and rebase without ever leaving a conflict behind.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from clarion.errors import ConfigError, GitError
from clarion.git.run import git_env
from clarion.git.token import auth_config, credentials_hint, redact

DEFAULT_AUTHOR = "clarion[bot] <clarion@users.noreply.github.com>"
NETWORK_TIMEOUT = 300  # seconds for one fetch, push or ls-remote

_AUTHOR = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<email>[^<>\s]+)>\s*$")
_PORCELAIN = re.compile(r"^(?P<flag>[ +\-*!=])\t(?P<ref>[^\t]*)\t(?P<rest>.*)$")
_REASON = re.compile(r"^(?P<summary>.*?)(?: \((?P<reason>.*)\))?$")


@dataclass(frozen=True)
class Author:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


@dataclass(frozen=True)
class Upstream:
    """Where the working branch is pushed: `remote` and the branch name there."""

    remote: str
    branch: str

    @property
    def ref(self) -> str:
        return f"refs/heads/{self.branch}"

    @property
    def tracking_ref(self) -> str:
        return f"refs/remotes/{self.remote}/{self.branch}"


@dataclass(frozen=True)
class RefStatus:
    """One line of `git push --porcelain`."""

    flag: str  # " " fast-forward, "+" forced, "-" deleted, "*" new, "=" up to date, "!" rejected
    summary: str  # "old..new", "[rejected]", "[remote rejected]", ...
    reason: str  # the text in parentheses, if any

    @property
    def ok(self) -> bool:
        return self.flag != "!"

    @property
    def moved(self) -> bool:
        """Rejected because the remote branch has commits we lack."""
        if self.summary == "[rejected]":
            return self.reason in ("fetch first", "non-fast-forward")
        # A concurrent update on the server side: as good as "moved".
        return self.summary == "[remote rejected]" and "lock" in self.reason


class RebaseConflict(Exception):
    """A rebase stopped on a conflict, and was aborted: nothing changed."""

    def __init__(self, files: Sequence[str]) -> None:
        super().__init__(", ".join(files))
        self.files = tuple(files)


def parse_author(text: str) -> Author:
    """`"Name <email>"` → Author; ConfigError if it is not of that shape."""
    match = _AUTHOR.match(text)
    if match is None or not match["name"]:
        raise ConfigError(f"[tool.clarion] git_author = {text!r} is not of the form 'Name <email>'")
    return Author(match["name"], match["email"])


def receipts_commit_message(path: str) -> str:
    """The message of the commit recording one post's receipts."""
    # [skip ci]: receipt commits must not start the workflows again.
    return f"Record receipts for {path} [skip ci]"


def repo_root(path: Path) -> Path:
    """The top folder of the git work tree holding `path`."""
    folder = path if path.is_dir() else path.parent
    proc = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        env=git_env(os.environ),
        check=False,
    )
    if proc.returncode != 0:
        raise GitError(f"{path} is not inside a git repository: {proc.stderr.strip()}")
    return Path(proc.stdout.strip())


def _parse_porcelain(stdout: str) -> RefStatus | None:
    for line in stdout.splitlines():
        match = _PORCELAIN.match(line)
        if match:
            rest = _REASON.match(match["rest"])
            if rest is not None:  # it matches any text
                return RefStatus(match["flag"], rest["summary"], rest["reason"] or "")
    return None


class WorkTree:
    """The git work tree at `root`, run as `author` with the environment `environ`
    (default: this process's), whose `GITHUB_TOKEN` is sent to the remote."""

    def __init__(
        self,
        root: Path,
        author: str = DEFAULT_AUTHOR,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.root = root
        self.author = parse_author(author)
        self._environ = dict(os.environ if environ is None else environ)
        self._token = self._environ.get("GITHUB_TOKEN") or ""
        # The branch and its configuration, read once: a run asks at catching up,
        # at adopting receipts and at pushing (eight git processes each time), and
        # Clarion never changes them (a rebase it starts ends on the branch).
        self._branch: str | None = None
        self._configs: dict[str, str | None] = {}

    # ------------------------------------------------------------ running git

    def redact(self, text: str) -> str:
        """`text` with the token, in any form git might show, and URL passwords masked."""
        return redact(text, self._token)

    def _env(self, *, network: bool = False, commit: bool = False) -> dict[str, str]:
        env = git_env(self._environ)
        env.update(
            GIT_COMMITTER_NAME=self.author.name,
            GIT_COMMITTER_EMAIL=self.author.email,
        )
        if commit:
            env.update(GIT_AUTHOR_NAME=self.author.name, GIT_AUTHOR_EMAIL=self.author.email)
        if network and self._token:
            env.update(auth_config(self._environ, self._token))
        return env

    def run(
        self, *args: str, network: bool = False, commit: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """`git args` in the work tree, never raising for git's exit status."""
        try:
            return subprocess.run(
                ["git", "-C", str(self.root), *args],
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                env=self._env(network=network, commit=commit),
                # A stalled connection must end the command, not the whole job.
                timeout=NETWORK_TIMEOUT if network else None,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise GitError(
                f"git {args[0]} got no answer from the remote within {NETWORK_TIMEOUT} s"
            ) from None

    def git(self, *args: str, network: bool = False, commit: bool = False) -> str:
        """`git args` in the work tree; its output, or GitError if it fails."""
        proc = self.run(*args, network=network, commit=commit)
        if proc.returncode != 0:
            raise self.error(args, proc)
        return proc.stdout

    def error(self, args: Sequence[str], proc: subprocess.CompletedProcess[str]) -> GitError:
        """The GitError for `git args` having failed as `proc`, the token masked."""
        output = (proc.stderr.strip() or proc.stdout.strip()) or f"exit status {proc.returncode}"
        text = f"git {' '.join(args)} failed in {self.root}:\n{output}"
        text += credentials_hint(output, self._token)
        return GitError(self.redact(text))

    # ------------------------------------------------------------ small queries

    def head_sha(self) -> str:
        return self.git("rev-parse", "--verify", "HEAD").strip()

    def is_clean(self, paths: Iterable[Path | str] = ()) -> bool:
        """No staged, unstaged or untracked change (under `paths`, if given)."""
        rel = [self.relative(p) for p in paths]
        return not self.git("status", "--porcelain", "--", *rel).strip()

    def file_at(self, rev: str, path: Path | str) -> str | None:
        """The text of `path` at commit `rev`; None if the file is not in it."""
        proc = self.run("cat-file", "blob", f"{rev}:{self.relative(path)}")
        if proc.returncode == 0:
            return proc.stdout
        self._commit_of(rev)  # a bad revision is an error, a missing file is not
        return None

    def _commit_of(self, rev: str) -> str:
        proc = self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        if proc.returncode != 0:
            raise GitError(f"{rev!r} is not a commit in {self.root}")
        return proc.stdout.strip()

    def relative(self, path: Path | str) -> str:
        """`path` relative to the root, as git names it; GitError if it is outside."""
        p = Path(path)
        if p.is_absolute():
            try:
                p = p.resolve().relative_to(self.root.resolve())
            except ValueError:
                raise GitError(f"{path} is outside the repository {self.root}") from None
        return p.as_posix()

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        proc = self.run("merge-base", "--is-ancestor", ancestor, descendant)
        if proc.returncode not in (0, 1):
            raise self.error(("merge-base", "--is-ancestor", ancestor, descendant), proc)
        return proc.returncode == 0

    def count(self, revisions: str) -> int:
        """How many commits `git rev-list revisions` lists."""
        return int(self.git("rev-list", "--count", revisions).strip())

    def current_branch(self) -> str:
        if self._branch is None:
            proc = self.run("symbolic-ref", "--quiet", "--short", "HEAD")
            if proc.returncode != 0:
                raise GitError(
                    f"{self.root} is not on a branch (detached HEAD): check out the branch "
                    "to publish from (actions/checkout does, for push and schedule events)"
                )
            self._branch = proc.stdout.strip()
        return self._branch

    def upstream(self) -> Upstream:
        """The remote branch the current branch pushes to; `origin/<same name>` if unset."""
        branch = self.current_branch()
        remote = self._config(f"branch.{branch}.remote") or "origin"
        merge = self._config(f"branch.{branch}.merge") or f"refs/heads/{branch}"
        if remote == ".":
            raise GitError(f"branch {branch} tracks a local branch; it must track a remote one")
        return Upstream(remote, merge.removeprefix("refs/heads/"))

    def _config(self, key: str) -> str | None:
        if key not in self._configs:
            proc = self.run("config", "--get", key)
            self._configs[key] = proc.stdout.strip() if proc.returncode == 0 else None
        return self._configs[key]

    def has_remote(self, remote: str) -> bool:
        return self._config(f"remote.{remote}.url") is not None

    # ------------------------------------------------------------ committing

    def commit(self, paths: Iterable[Path | str], message: str) -> str | None:
        """Commit exactly `paths` (other changes stay as they are); the new sha, or None.

        None means the files were unchanged, so there was nothing to commit.
        """
        rel = [self.relative(p) for p in paths]
        if not rel:
            return None
        self.git("add", "--", *rel)
        if self.run("diff", "--cached", "--quiet", "--", *rel).returncode == 0:
            return None
        # --no-verify: a local hook must not stop receipts from being recorded.
        # --only: anything else already staged stays out of this commit.
        self.git(
            "commit", "--no-verify", "--quiet", "-m", message, "--only", "--", *rel, commit=True
        )
        return self.head_sha()

    # ------------------------------------------------------------ the remote

    def remote_sha(self, remote: str, branch: str) -> str | None:
        """The commit `branch` points at on `remote`, asked now; None if it has none."""
        out = self.git("ls-remote", "--heads", remote, f"refs/heads/{branch}", network=True)
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            if ref == f"refs/heads/{branch}":
                return sha
        return None

    def fetch(self, remote: str, branch: str) -> str:
        """Fetch `branch` of `remote` into its tracking ref; the commit it points at."""
        tracking = f"refs/remotes/{remote}/{branch}"
        self.git(
            "fetch",
            "--quiet",
            "--no-tags",
            remote,
            f"+refs/heads/{branch}:{tracking}",
            network=True,
        )
        return self.git("rev-parse", "--verify", tracking).strip()

    def push_refspec(
        self, remote: str, refspec: str, *, lease: tuple[str, str] | None = None
    ) -> tuple[RefStatus | None, subprocess.CompletedProcess[str]]:
        """One `git push` of `refspec`, `lease` = (ref, expected sha) for a forced one;
        the remote's answer for the ref (None: git gave none) and the process."""
        args = ["push", "--porcelain", "--no-verify"]
        if lease is not None:
            args.append(f"--force-with-lease={lease[0]}:{lease[1]}")
        proc = self.run(*args, remote, refspec, network=True)
        return _parse_porcelain(proc.stdout), proc

    # ------------------------------------------------------------ rebasing

    def rebase(self, *args: str) -> None:
        """`git rebase args`; on a conflict, abort it (nothing is lost) and raise
        RebaseConflict."""
        proc = self.run("rebase", "--no-verify", *args)
        if proc.returncode == 0:
            return
        if not self._rebase_in_progress():
            raise self.error(("rebase", *args), proc)
        files = self.git("diff", "--name-only", "--diff-filter=U").split()
        self.git("rebase", "--abort")
        raise RebaseConflict(files or ["unknown files"])

    def _rebase_in_progress(self) -> bool:
        for name in ("rebase-merge", "rebase-apply"):
            git_path = self.git("rev-parse", "--git-path", name).strip()
            if (self.root / git_path).exists():
                return True
        return False
