"""`clarion metrics --commit`: the lines committed and pushed as publish pushes receipts.

The same parts as publishing (`clarion.git.repo.Repo`): the checkout is first
brought up to its upstream's tip, the metrics file is committed as Clarion's
bot with `[skip ci]`, and the push rebases and retries while the branch moves.
One thing differs: lines are not receipts, so a push the remote refuses is
never saved on `clarion/receipts` (whose take-in accepts receipts only, and
would stop publishing). Nothing is lost but a day's sample: the next run reads
the counts again and writes what changed since the last line pushed.
"""

from __future__ import annotations

from pathlib import Path

from clarion.git.receipts_branch import ReceiptsBranch
from clarion.git.repo import Repo


def commit_message(file: str) -> str:
    # [skip ci]: the lines must not start the workflows again.
    return f"Record engagement counts in {file} [skip ci]"


class _LinesOnly(ReceiptsBranch):
    """Metrics lines are never saved on `clarion/receipts`, nor is it deleted."""

    def save(self, remote: str) -> tuple[bool, str]:
        return False, (
            "The metrics lines were not pushed and are kept only in this run's commit; "
            "nothing else is lost: the next run reads the counts again and writes what "
            "changed since the last lines pushed."
        )

    def delete_adopted(self, remote: str) -> bool:
        return False


class LinesRepo(Repo):
    """The repository the metrics lines are committed in and pushed from."""

    def __init__(self, root: Path, author: str) -> None:
        super().__init__(root, author)
        self.receipts_branch = _LinesOnly(self, self.posts)


def open_repo(root: Path, author: str) -> tuple[LinesRepo, str]:
    """The repository at `root` brought up to its upstream's tip, and what that did."""
    from clarion.git.repo import repo_root

    repo = LinesRepo(repo_root(root), author)
    caught_up = repo.catch_up()
    return repo, caught_up.describe()


def commit_and_push(repo: LinesRepo, path: Path, file: str) -> str:
    """Commit the metrics file `path` (if it changed) and push; what happened, for people."""
    made = repo.commit([path], commit_message(file))
    pushed = repo.push()
    done = f"committed {file}" if made else f"nothing new to commit in {file}"
    if pushed.no_remote:
        return f"{done}; no remote {pushed.remote!r}: the lines are committed here only"
    return f"{done}; {pushed.describe()}"
