"""Pushing receipts to the working branch's upstream, and never losing them.

The push rebases and retries while the branch moves. A push the remote refuses
(a protected branch), a rebase that conflicts, or a branch that keeps moving
first saves the commits on `clarion/receipts` (`clarion.git.receipts_branch`);
a push that lands deletes the `clarion/receipts` this run adopted.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

from clarion.errors import GitError, PushRefusedError
from clarion.git.receipts_branch import RECEIPTS_BRANCH, ReceiptsBranch
from clarion.git.worktree import RebaseConflict, RefStatus, Upstream, WorkTree

PROTECTED_BRANCH_HELP = (
    "The branch is protected: create a GitHub App with 'Contents: read and write' "
    "permission, install it on this repository, add it to the bypass list of the "
    "branch's ruleset, and give its token to the publish workflow as GITHUB_TOKEN "
    "(actions/create-github-app-token makes one from the App's id and private key); "
    "see README 'Set up your own repository'."
)

_TRANSIENT = (
    "could not resolve host",
    "connection timed out",
    "connection reset",
    "operation timed out",
    "failed to connect",
    "rpc failed",
    "early eof",
    "the remote end hung up unexpectedly",
    "the requested url returned error: 500",
    "the requested url returned error: 502",
    "the requested url returned error: 503",
    "the requested url returned error: 504",
)


@dataclass(frozen=True)
class PushResult:
    remote: str
    branch: str
    head: str  # the commit the remote branch points at now
    pushed: int  # commits the push added to the remote branch (0: it was up to date)
    attempts: int  # pushes tried (1: no retry was needed)
    rebased: int  # times the local commits were rebased onto a branch that had moved
    receipts_branch_deleted: bool  # an adopted `clarion/receipts` was deleted remotely
    no_remote: bool = False  # the repository has no such remote: nothing was pushed

    def describe(self) -> str:
        if self.no_remote:
            return f"no remote {self.remote!r}: the receipts are committed here only"
        if self.pushed == 0:
            text = f"{self.remote}/{self.branch} is up to date"
        else:
            commits = "commit" if self.pushed == 1 else "commits"
            text = f"pushed {self.pushed} {commits} to {self.remote}/{self.branch}"
        if self.rebased:
            text += f" (rebased {self.rebased}x onto newer commits)"
        if self.receipts_branch_deleted:
            text += f"; deleted {RECEIPTS_BRANCH}, now merged"
        return text


def _transient(stderr: str) -> bool:
    """Whether a failed push looks like the network's fault, worth another try."""
    text = stderr.lower()
    return any(sign in text for sign in _TRANSIENT)


def _remote_says(stderr: str) -> str:
    """The lines the remote printed (a hook's or GitHub's explanation)."""
    lines = [line.rstrip() for line in stderr.splitlines() if line.startswith("remote:")]
    return "\n".join(line for line in lines if line != "remote:")


def push_to_upstream(
    tree: WorkTree, receipts_branch: ReceiptsBranch, *, attempts: int, backoff: float
) -> PushResult:
    """Push the current branch to its upstream, rebasing and retrying while it moves.

    At most `attempts` pushes are tried. The second follows at once; attempt n
    waits `backoff * (n - 2)` seconds first. Raises PushRefusedError when the
    remote refuses the branch (after saving the commits on `clarion/receipts`),
    GitError when a rebase conflicts or the branch keeps moving (after saving
    them likewise), and GitError for anything else (authentication, network),
    with the local commits kept.
    """
    upstream = tree.upstream()
    if not tree.has_remote(upstream.remote):
        return PushResult(
            remote=upstream.remote,
            branch=upstream.branch,
            head=tree.head_sha(),
            pushed=0,
            attempts=0,
            rebased=0,
            receipts_branch_deleted=False,
            no_remote=True,
        )
    for attempt in range(1, attempts + 1):
        status, proc = tree.push_refspec(upstream.remote, f"HEAD:{upstream.ref}")
        if status is None and _transient(proc.stderr) and attempt < attempts:
            # A network blip or a 5xx from the host: the commits are kept; try again.
            time.sleep(backoff * attempt)
            continue
        if status is None:
            raise tree.error(("push", upstream.remote, f"HEAD:{upstream.ref}"), proc)
        if status.ok:
            return PushResult(
                remote=upstream.remote,
                branch=upstream.branch,
                head=tree.head_sha(),
                pushed=_pushed_count(tree, status),
                attempts=attempt,
                rebased=attempt - 1,  # each retry follows one rebase
                receipts_branch_deleted=receipts_branch.delete_adopted(upstream.remote),
            )
        if not status.moved:
            _refused(tree, receipts_branch, upstream, status, proc)
        if attempt == attempts:
            break
        if attempt > 1:
            time.sleep(backoff * (attempt - 1))
        tree.fetch(upstream.remote, upstream.branch)
        try:
            tree.rebase(upstream.tracking_ref)
        except RebaseConflict as conflict:
            saved, outcome = receipts_branch.save(upstream.remote)
            text = (
                f"{upstream.remote}/{upstream.branch} has changed the same lines as the "
                f"receipts commits ({', '.join(conflict.files)}), so they cannot be "
                f"rebased onto it; the local commits are kept. {outcome}"
            )
            if saved:
                text += (
                    f" Merge {RECEIPTS_BRANCH} into {upstream.branch} by hand, keeping "
                    "every receipt, then delete that branch."
                )
            raise GitError(text) from None
    _, outcome = receipts_branch.save(upstream.remote)
    raise GitError(
        f"{upstream.remote}/{upstream.branch} kept moving: gave up after "
        f"{attempts} push attempts. {outcome}"
    )


def _pushed_count(tree: WorkTree, status: RefStatus) -> int:
    if status.flag == "=":
        return 0
    if ".." in status.summary and status.flag != "-":
        old, _, new = status.summary.replace("...", "..").partition("..")
        return tree.count(f"{old}..{new}")
    return tree.count("HEAD")  # a new branch: all of it


# What the remote said, read for its cause: (signs in its words, the cause, the fix).
_CAUSES = (
    (
        (
            "gh006",
            "protected branch",
            "changes must be made through a pull request",
            "rule violations",
        ),
        "protected",
        PROTECTED_BRANCH_HELP,
    ),
    (
        ("permission to", "denied to", "write access to repository not granted", "403"),
        "auth",
        "The token may not push to this repository: give the publish workflow a token with "
        "contents: write (with branch protection, the App's; see README 'Set up your own "
        "repository').",
    ),
    (
        ("branch is currently checked out", "refusing to update checked out branch"),
        "checked-out",
        "The remote is a non-bare repository with this branch checked out, and git refuses to "
        "update it: push to a bare repository (git clone --bare), or check out another branch "
        "there.",
    ),
)


def refusal_cause(said: str, reason: str) -> tuple[str, str]:
    """The cause of a refused push and its fix, from the remote's own words."""
    words = f"{said}\n{reason}".lower()
    for signs, cause, fix in _CAUSES:
        if any(sign in words for sign in signs):
            return cause, fix
    if "hook declined" in words:
        return "hook", (
            "A hook on the remote refused the push: its message above says why; fix that, "
            "or ask whoever runs the remote."
        )
    return "unknown", "The remote refused the push; its message above says why."


def _refused(
    tree: WorkTree,
    receipts_branch: ReceiptsBranch,
    upstream: Upstream,
    status: RefStatus,
    proc: subprocess.CompletedProcess[str],
) -> None:
    """Raise for a push the remote refused, diagnosed from what it said; the commits
    are saved on `clarion/receipts` (when the remote takes that branch)."""
    where = f"{upstream.remote}/{upstream.branch}"
    said = _remote_says(proc.stderr)
    detail = f"{status.summary} ({status.reason})" if status.reason else status.summary
    text = f"The push to {where} was refused by the remote: {detail}."
    if said:
        text += f"\n{said}"
    _, fix = refusal_cause(f"{said}\n{proc.stderr}", status.reason)
    if status.summary != "[remote rejected]":
        raise GitError(tree.redact(f"{text}\n{fix}\n{proc.stderr.strip()}"))
    # Whatever the cause, the receipts are kept where the next run finds them.
    _, outcome = receipts_branch.save(upstream.remote)
    raise PushRefusedError(tree.redact(f"{text}\n{fix}\n{outcome}"))
