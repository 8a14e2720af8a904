"""`clarion/receipts`: where receipts wait when the working branch cannot take them.

A push the remote refuses (a protected branch), or a rebase that conflicts,
first saves the commits on the remote branch `clarion/receipts`. The next run
adopts them, at its start, into the working branch, so their receipts are read
and nothing is posted twice; after a successful push the remote
`clarion/receipts` is deleted, since the default branch then holds everything
it held.

Anyone who may push a branch may push `clarion/receipts`, and what is taken in
from it is pushed with the publish token. So it is taken in only when every
commit on it, and the tree the take-in leaves, change nothing but the
`published:` blocks of posts the branch already has (compared as parsed data,
with `clarion.post.content`), and drop no receipt; anything else is refused
whole, and the branch is left for a person.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clarion.errors import GitError
from clarion.git.run import Objects
from clarion.git.worktree import RebaseConflict, WorkTree
from clarion.post.content import content_of, receipts_of

RECEIPTS_BRANCH = "clarion/receipts"
REGULAR_FILE = "100644"
# What a run adds to a receipt after it was made (`clarion.post.receipts`).
RECEIPT_MARKS = frozenset({"retracted", "edited"})


@dataclass(frozen=True)
class AdoptResult:
    found: bool  # the remote has a `clarion/receipts` branch
    sha: str | None  # its commit
    adopted: int  # commits it held that the working branch did not, now added to it


class _NotReceipts(Exception):
    """`clarion/receipts` changes more than receipts; each problem names a path."""

    def __init__(self, problems: Sequence[str], commit: str | None = None) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)
        self.commit = commit  # the first commit that goes beyond; None: the result does

    def where(self) -> str:
        return f"commit {self.commit[:12]}" if self.commit else "taking it in"


# ---------------------------------------------------------------- receipts only


def _shown(path: str) -> str:
    """A path from someone else's commit, as a message shows it: on one line."""
    return path if path.isprintable() else repr(path)


def _is_post(path: str, posts: str) -> bool:
    """Whether `path` names a post: a `*.md` file under the posts folder, not README.md."""
    inside = not posts or path.startswith(f"{posts}/")
    return inside and path.endswith(".md") and posixpath.basename(path) != "README.md"


def _receipt_kept(before: Any, after: Any) -> bool:
    """Whether the receipt `before` is still there as `after`: the same, settled
    (an `outcome: unknown` given its id), or marked retracted or edited by a run."""
    if before == after:
        return True
    if not isinstance(before, dict) or not isinstance(after, dict):
        return False
    if "id" not in before and before.get("outcome") == "unknown":
        return "id" in after
    if not set(after) - set(before) <= RECEIPT_MARKS:
        return False
    return all(after.get(key) == value for key, value in before.items() if key != "edited")


def _receipts_dropped(before: bytes, after: bytes) -> list[str]:
    """What `after` removes or changes of the receipts in `before` (receipts only grow)."""
    old, new = receipts_of(before), receipts_of(after)
    problems = []
    for network, entries in old.items():
        kept = new.get(network, [])
        for index, entry in enumerate(entries):
            now = kept[index] if index < len(kept) else None
            if not _receipt_kept(entry, now):
                what = "removes" if now is None else "changes"
                problems.append(f"{what} the {network} receipt of part {index + 1}")
    return problems


def _post_change(objects: Objects, old: str, new: str, path: str) -> list[str]:
    before, after = objects.blob(old, path), objects.blob(new, path)
    if before is None or after is None:
        return ["cannot be read"]
    sent_before = content_of(before, path, lambda image: objects.resolved_id(old, image))
    sent_after = content_of(after, path, lambda image: objects.resolved_id(new, image))
    if sent_before != sent_after:
        return [
            "what the post sends changes (its text, front matter or images), "
            "not only its published: block"
        ]
    return _receipts_dropped(before, after)


# ---------------------------------------------------------------- the branch


class ReceiptsBranch:
    """The `clarion/receipts` branch of the remotes of `tree`, whose posts folder is
    `posts`: the only place the branch may change anything."""

    def __init__(self, tree: WorkTree, posts: Path | str) -> None:
        self.tree = tree
        self.posts = posts
        # The `clarion/receipts` commit adopted in this run: the lease for
        # deleting or replacing it, so a newer one is never clobbered.
        self.adopted: str | None = None

    def _posts_folder(self) -> str:
        folder = self.tree.relative(self.posts)
        return "" if folder == "." else folder.rstrip("/")

    def _beyond_receipts(self, old: str, new: str) -> list[str]:
        """What going from commit `old` to commit `new` changes besides the
        `published:` blocks of existing posts, or removes of their receipts."""
        posts = self._posts_folder()
        fields = self.tree.git("diff-tree", "-r", "-z", "--no-renames", old, new).split("\0")
        problems: list[str] = []
        with Objects(self.tree.root) as objects:
            for meta, path in zip(fields[0::2], fields[1::2], strict=False):
                old_mode, new_mode, _, _, status = meta.lstrip(":").split()
                shown = _shown(path)
                if not _is_post(path, posts):
                    problems.append(f"{shown}: not a post (only posts' receipts may change)")
                elif status != "M":
                    what = {"A": "a new file", "D": "deleted", "T": "no longer a regular file"}
                    problems.append(f"{shown}: {what.get(status, f'changed ({status})')}")
                elif old_mode != new_mode:
                    problems.append(f"{shown}: its mode changes from {old_mode} to {new_mode}")
                elif new_mode != REGULAR_FILE:
                    problems.append(f"{shown}: not a regular file (mode {new_mode})")
                else:
                    problems.extend(f"{shown}: {p}" for p in _post_change(objects, old, new, path))
        return problems

    def _check_commits(self, head: str, sha: str) -> None:
        """Raise _NotReceipts at the first commit of `sha` that `head` lacks and that
        goes beyond receipts: main must not gain any commit that anyone wrote."""
        listing = self.tree.git(
            "rev-list", "--reverse", "--topo-order", "--parents", f"{head}..{sha}"
        )
        for line in listing.splitlines():
            commit, *parents = line.split()
            if len(parents) != 1:
                kind = "a merge" if parents else "the start of another history"
                raise _NotReceipts([f"it is {kind}: only single commits are taken in"], commit)
            problems = self._beyond_receipts(parents[0], commit)
            if problems:
                raise _NotReceipts(problems, commit)

    def _take_in(self, branch: str, sha: str) -> int:
        """Add to `branch` (checked out) the commits of `sha` it lacks; how many were added.

        The commits are rebased onto the branch, never the other way round, so
        the branch stays a fast-forward of its upstream. Commits whose change
        the branch already has are dropped by the rebase. Raises _NotReceipts,
        with the branch as it was, when a commit or the result changes more
        than receipts (each commit is judged before the rebase writes it out).
        """
        tree = self.tree
        head = tree.head_sha()
        if tree.is_ancestor(sha, head):
            return 0
        self._check_commits(head, sha)
        try:
            # Replays head..sha onto head, leaving a detached HEAD at the result.
            tree.rebase("--onto", head, head, sha)
        except RebaseConflict:
            tree.git("switch", "--quiet", branch)  # the abort left us detached at sha
            raise
        new = tree.head_sha()
        problems = self._beyond_receipts(head, new)
        if problems:  # the rebase merged the receipts into something else
            tree.git("switch", "--quiet", branch)
            raise _NotReceipts(problems)
        tree.git("update-ref", f"refs/heads/{branch}", new, head)
        tree.git("switch", "--quiet", branch)
        return tree.count(f"{head}..{new}")

    def adopt(self) -> AdoptResult:
        """Bring the remote's `clarion/receipts` commits into the current branch.

        Call it at the start of a publish run, before reading posts: receipts
        saved there by an earlier run whose push was refused or conflicted are
        then read, so nothing is posted twice. The next successful push lands
        them on the upstream branch and deletes `clarion/receipts`.

        A branch that changes anything but the receipts of existing posts is
        refused whole: GitError, with the branch left as it is. So is one that
        conflicts. Either way the run must stop: receipts that went out may be
        on that branch, and only a person can tell them from the rest.
        """
        tree = self.tree
        upstream = tree.upstream()
        if not tree.has_remote(upstream.remote):
            return AdoptResult(found=False, sha=None, adopted=0)
        if tree.remote_sha(upstream.remote, RECEIPTS_BRANCH) is None:
            return AdoptResult(found=False, sha=None, adopted=0)
        sha = tree.fetch(upstream.remote, RECEIPTS_BRANCH)
        where = f"{upstream.remote}/{RECEIPTS_BRANCH}"
        try:
            adopted = self._take_in(tree.current_branch(), sha)
        except RebaseConflict as conflict:
            raise GitError(
                f"{where} holds receipts saved by an earlier "
                f"run that conflict with {upstream.branch} ({', '.join(conflict.files)}). "
                f"Publishing stops, so that nothing is posted twice: merge "
                f"{RECEIPTS_BRANCH} into {upstream.branch} by hand, keeping every receipt "
                f"(git fetch {upstream.remote} {RECEIPTS_BRANCH} && git merge FETCH_HEAD), "
                f"push, then delete {RECEIPTS_BRANCH}."
            ) from None
        except _NotReceipts as refused:
            listed = "\n".join(f"  - {p}" for p in refused.problems[:20])
            if len(refused.problems) > 20:
                listed += f"\n  - and {len(refused.problems) - 20} more"
            raise GitError(
                f"{where} (commit {sha[:12]}) changes more than the receipts of posts on "
                f"{upstream.branch}, so none of it is taken in. In {refused.where()}:\n"
                f"{listed}\n"
                "Publishing stops, so that nothing is posted twice: receipts of posts that "
                "went out may be on that branch too. The branch is left as it is for a "
                f"person: see what it changes (git fetch {upstream.remote} {RECEIPTS_BRANCH} "
                f"&& git diff {upstream.remote}/{upstream.branch}...FETCH_HEAD), bring any "
                f"genuine receipts onto {upstream.branch} through a pull request, then delete "
                f"{RECEIPTS_BRANCH}. Only the publish run should write there: put a ruleset on "
                "clarion/* (README, 'Protect the default branch')."
            ) from None
        self.adopted = sha
        return AdoptResult(found=True, sha=sha, adopted=adopted)

    def save(self, remote: str) -> tuple[bool, str]:
        """Push HEAD to `clarion/receipts`, keeping what it held; whether it worked, and a
        sentence saying so. A branch holding more than receipts is left as it is."""
        tree = self.tree
        where = f"{remote}/{RECEIPTS_BRANCH}"
        try:
            current = tree.remote_sha(remote, RECEIPTS_BRANCH)
            if current is not None and current != self.adopted:
                # Saved by a run whose receipts this one has not taken in: keep them.
                current = tree.fetch(remote, RECEIPTS_BRANCH)
                self._take_in(tree.current_branch(), current)
            status, proc = tree.push_refspec(
                remote,
                f"HEAD:refs/heads/{RECEIPTS_BRANCH}",
                lease=(f"refs/heads/{RECEIPTS_BRANCH}", current or ""),
            )
        except _NotReceipts as refused:
            return False, tree.redact(
                f"The receipts could NOT be saved to {where}: it holds more than receipts "
                f"({refused.where()}: {'; '.join(refused.problems[:5])}), so it is neither "
                "taken in nor "
                f"overwritten, and waits for a person. The receipts exist only in the local "
                f"commits up to {tree.head_sha()}."
            )
        except (GitError, RebaseConflict) as exc:
            return False, tree.redact(
                f"The receipts could NOT be saved to {where} ({exc}); they exist only in "
                f"the local commits up to {tree.run('rev-parse', 'HEAD').stdout.strip()}."
            )
        if status is None or not status.ok:
            detail = (
                proc.stderr.strip() if status is None else f"{status.summary} ({status.reason})"
            )
            return False, tree.redact(
                f"The receipts could NOT be saved to {where} ({detail}); they exist only in "
                f"the local commits up to {tree.head_sha()}."
            )
        self.adopted = tree.head_sha()
        return True, (
            f"Nothing is lost: the receipts were pushed to {where} (commit {self.adopted[:12]}), "
            "and the next publish run takes them in before posting anything."
        )

    def delete_adopted(self, remote: str) -> bool:
        """Delete `clarion/receipts` after a push that landed what it held."""
        if self.adopted is None:
            return False
        status, _ = self.tree.push_refspec(
            remote,
            f":refs/heads/{RECEIPTS_BRANCH}",
            lease=(f"refs/heads/{RECEIPTS_BRANCH}", self.adopted),
        )
        if status is None or not status.ok:
            return False  # left in place: the next run finds it already merged
        self.adopted = None
        return True
