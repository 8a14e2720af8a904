"""Catching up: bring the checkout to its upstream's tip before a run reads posts.

A run that waited its turn starts from its own event's commit, without the
receipts the runs before it pushed; publishing from there could post twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from clarion.errors import GitError
from clarion.git.worktree import WorkTree


@dataclass(frozen=True)
class CatchUp:
    """What `Repo.catch_up` did to the checked-out `branch`."""

    remote: str | None  # None: the repository has no remote to catch up with
    branch: str
    upstream: str  # "origin/main"
    moved: int  # commits the branch was fast-forwarded by

    def describe(self) -> str:
        if self.remote is None:
            return f"no remote for {self.branch}: publishing from this checkout as it is"
        if self.moved == 0:
            return f"{self.branch} is up to date with {self.upstream}"
        commits = "newer commit" if self.moved == 1 else "newer commits"
        return f"brought {self.branch} up to {self.upstream} ({self.moved} {commits})"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def catch_up_with_upstream(tree: WorkTree) -> CatchUp:
    """Fast-forward the current branch to its upstream's tip, fetched now.

    Call it at the start of a publish run, before reading posts: a run that
    waited for the one before it starts from its own event's commit, and
    would not see the receipts that run pushed. A repository without the
    remote is left as it is. Local commits the upstream lacks, while it has
    newer ones, are an error: publishing from there could post twice.
    """
    branch = tree.current_branch()
    upstream = tree.upstream()
    where = f"{upstream.remote}/{upstream.branch}"
    if not tree.has_remote(upstream.remote):
        return CatchUp(None, branch, where, 0)
    fetch = ("fetch", "--quiet", "--no-tags", upstream.remote)
    proc = tree.run(*fetch, f"+{upstream.ref}:{upstream.tracking_ref}", network=True)
    if proc.returncode != 0:
        if "couldn't find remote ref" in proc.stderr:
            return CatchUp(upstream.remote, branch, where, 0)  # not pushed there yet
        raise tree.error((*fetch, upstream.ref), proc)
    tip = tree.git("rev-parse", "--verify", upstream.tracking_ref).strip()
    head = tree.head_sha()
    if tree.is_ancestor(tip, head):
        return CatchUp(upstream.remote, branch, where, 0)
    if not tree.is_ancestor(head, tip):
        mine, theirs = tree.count(f"{tip}..{head}"), tree.count(f"{head}..{tip}")
        raise GitError(
            f"{branch} cannot be fast-forwarded to {where}: it has "
            f"{_plural(mine, 'commit')} that {where} lacks, and {where} has "
            f"{_plural(theirs, 'newer commit')}. Publishing stops: posts read from this "
            f"checkout could lack receipts that are on {where}, and be posted twice. "
            f"Bring the local commits onto {where} (git pull --rebase {upstream.remote} "
            f"{upstream.branch}) or drop them, then run again."
        )
    proc = tree.run("merge", "--ff-only", "--quiet", tip)
    if proc.returncode != 0:
        output = proc.stderr.strip() or proc.stdout.strip()
        raise GitError(
            tree.redact(
                f"{branch} could not be fast-forwarded to {where} in {tree.root}:\n{output}\n"
                "Commit, stash or remove those local changes, then run again."
            )
        )
    return CatchUp(upstream.remote, branch, where, tree.count(f"{head}..{tip}"))
