"""Git for publishing: commit receipts, push them, and never lose them.

The publisher writes receipts into post files; `Repo` records them in Git and
brings them to the remote, built from one part per job:

- `Repo.catch_up` (`clarion.git.catch_up`), at the start of a run,
  fast-forwards the checkout to its upstream's tip: a run that waited its turn
  starts from its own event's commit, without the receipts the runs before it
  pushed;
- `Repo.commit` (`clarion.git.worktree`) commits the files of one post as
  Clarion's bot author;
- `Repo.push` (`clarion.git.push`) pushes to the branch's upstream, rebasing
  and retrying while the branch moves; a push the remote refuses (a protected
  branch) or a rebase that conflicts first saves the commits on the remote
  branch `clarion/receipts`;
- `Repo.adopt_receipts_branch` (`clarion.git.receipts_branch`), at the start
  of a run, brings those saved commits into the working branch so their
  receipts are read and nothing is posted twice, once it has checked that they
  change nothing but receipts; after a successful push the remote
  `clarion/receipts` is deleted, since the default branch then holds
  everything it held.

The push token (`GITHUB_TOKEN`) reaches git only through the environment of
the git process (`clarion.git.token`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from clarion.git.catch_up import CatchUp, catch_up_with_upstream
from clarion.git.push import PROTECTED_BRANCH_HELP, PushResult, push_to_upstream
from clarion.git.receipts_branch import RECEIPTS_BRANCH, AdoptResult, ReceiptsBranch
from clarion.git.token import DEFAULT_SERVER_URL
from clarion.git.worktree import (
    DEFAULT_AUTHOR,
    NETWORK_TIMEOUT,
    Author,
    Upstream,
    WorkTree,
    parse_author,
    receipts_commit_message,
    repo_root,
)

__all__ = [
    "DEFAULT_AUTHOR",
    "DEFAULT_SERVER_URL",
    "NETWORK_TIMEOUT",
    "PROTECTED_BRANCH_HELP",
    "RECEIPTS_BRANCH",
    "AdoptResult",
    "Author",
    "CatchUp",
    "PushResult",
    "Repo",
    "Upstream",
    "parse_author",
    "receipts_commit_message",
    "repo_root",
]


class Repo(WorkTree):
    """A git work tree that Clarion commits receipts in and pushes from.

    `attempts` bounds the pushes tried while the branch keeps moving. The second
    attempt follows at once; attempt n waits `backoff * (n - 2)` seconds first
    (with the defaults, 5 attempts and at most 6 s of waiting). `posts` is the
    posts folder: the only place `clarion/receipts` may change anything.
    """

    def __init__(
        self,
        root: Path,
        author: str = DEFAULT_AUTHOR,
        *,
        environ: Mapping[str, str] | None = None,
        attempts: int = 5,
        backoff: float = 1.0,
        posts: Path | str = "posts",
    ) -> None:
        super().__init__(root, author, environ=environ)
        self.posts = posts
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.receipts_branch = ReceiptsBranch(self, posts)

    @classmethod
    def at(
        cls,
        path: Path,
        author: str = DEFAULT_AUTHOR,
        *,
        environ: Mapping[str, str] | None = None,
        posts: Path | str = "posts",
    ) -> Repo:
        """The repository holding `path` (any folder or file inside it)."""
        return cls(repo_root(path), author, environ=environ, posts=posts)

    def catch_up(self) -> CatchUp:
        """Fast-forward the current branch to its upstream's tip, fetched now.

        Call it at the start of a publish run, before reading posts (see
        `clarion.git.catch_up`).
        """
        return catch_up_with_upstream(self)

    def adopt_receipts_branch(self) -> AdoptResult:
        """Bring the remote's `clarion/receipts` commits into the current branch.

        Call it at the start of a publish run, before reading posts; GitError,
        with nothing changed, when the branch holds more than receipts or
        conflicts (see `ReceiptsBranch.adopt`).
        """
        return self.receipts_branch.adopt()

    def push(self) -> PushResult:
        """Push the current branch to its upstream, rebasing and retrying while it moves.

        Call it at the end of every run, failed ones included, and even with
        nothing new committed: it also lands what `adopt_receipts_branch` took in.

        Raises PushRefusedError when the remote refuses the branch (after saving
        the commits on `clarion/receipts`), GitError when a rebase conflicts or
        the branch keeps moving (after saving them likewise), and GitError for
        anything else (authentication, network), with the local commits kept.
        """
        return push_to_upstream(
            self, self.receipts_branch, attempts=self.attempts, backoff=self.backoff
        )
