"""The pull request's sticky preview comment, which preview-comment.yml keeps.

check.yml runs the pull request's own code with a read-only token, so it cannot
comment: it uploads an artifact instead (`pr-number`, `head-sha`,
`posts-changed`: how many posts the pull request adds or changes, and
`preview.md` once made). preview-comment.yml runs this module from the default
branch, with a token that may comment, after every check run, and trusts
nothing from that run:

- the artifact is data: small files read up to a bound, never through a
  link; the number and the count must be digits;
- the comment goes to a pull request only if that pull request's head is the
  commit the check ran on (the run's `head_sha`, which GitHub gives); with no
  artifact, the candidates are the pull requests GitHub lists for the run's
  branch (a fork's by `OWNER:BRANCH`), under the same test;
- the comment names the commit it describes, on its second line (a hidden
  mark, read from there only) and in words;
- when a check made no preview (the pull request changes no post now, or the
  check failed before making one), a comment describing another commit is
  replaced by a notice that it is out of date, naming the new head.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clarion import pygithub
from clarion.errors import ClarionError, ConfigError, UsageError
from clarion.preview.render import HEADING, MARKER

if TYPE_CHECKING:
    from github.IssueComment import IssueComment
    from github.Repository import Repository

# GitHub refuses comments over 65,536 characters; the preview keeps within
# 60,000 (preview.MARKDOWN_BUDGET), which leaves room for what is added here.
MAX_BODY = 64_000
CUT_NOTE = "\n\n*(The preview was cut here: it is too long.)*\n"
AUTHOR = "github-actions[bot]"  # whose comment is ours: the workflow token's
MAX_COMMENTS = 3_000  # looked through for ours; a pull request has far fewer

_HEAD = "<!-- clarion-preview-head: {} -->"
_HEAD_LINE = re.compile(r"<!-- clarion-preview-head: ([0-9a-f]{40}) -->")
_SHA = re.compile(r"[0-9a-f]{40}")
_NUMBER = re.compile(r"[0-9]{1,10}")
_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")


# ---------------------------------------------------------------- the body


@dataclass(frozen=True)
class Artifact:
    """What a check run uploaded, as untrusted data."""

    number: str | None = None  # as written; checked before use
    changed: int | None = None  # posts the pull request adds or changes; None: unknown
    preview: str | None = None


def _read(folder: Path, name: str, limit: int) -> str | None:
    """A file of the artifact, at most `limit` bytes; None if absent or not a plain file."""
    path = folder / name
    if path.is_symlink() or not path.is_file():
        return None
    with path.open("rb") as handle:
        return handle.read(limit).decode("utf-8", "replace")


def read_artifact(folder: Path) -> Artifact:
    number = _read(folder, "pr-number", 64)
    count = (_read(folder, "posts-changed", 32) or "").strip()
    return Artifact(
        number=number.strip() if number is not None else None,
        changed=int(count) if re.fullmatch(r"[0-9]{1,9}", count) else None,
        preview=_read(folder, "preview.md", 4 * MAX_BODY),
    )


@dataclass(frozen=True)
class CheckRun:
    """The check run a comment is about (from the workflow_run event)."""

    id: int
    head_sha: str
    repository: str
    server: str = "https://github.com"
    pulls: tuple[int, ...] = ()  # the pull requests GitHub lists for it (none for a fork)
    head_owner: str | None = None
    head_branch: str | None = None

    @property
    def url(self) -> str:
        return f"{self.server}/{self.repository}/actions/runs/{self.id}"

    def commit(self, number: int) -> str:
        """The head commit as a link, in the pull request (where a fork's commit shows too)."""
        sha = self.head_sha
        return f"[`{sha[:7]}`]({self.server}/{self.repository}/pull/{number}/commits/{sha})"


def described(body: str) -> str | None:
    """The commit a comment of ours says it describes (None: it does not say)."""
    lines = body.split("\n", 2)
    if len(lines) < 2 or lines[0].rstrip("\r") != MARKER:
        return None
    found = _HEAD_LINE.fullmatch(lines[1].rstrip("\r"))
    return found[1] if found else None


def _top(run: CheckRun) -> str:
    return f"{MARKER}\n{_HEAD.format(run.head_sha)}\n{HEADING}\n\n"


def _preview(run: CheckRun, number: int, preview: str) -> str:
    # The artifact's own marker and heading make way for ours.
    for line in (MARKER, HEADING):
        if preview.startswith(line + "\n"):
            preview = preview[len(line) + 1 :].lstrip("\n")
    body = (
        _top(run) + f"**Commit {run.commit(number)}**, this pull request's head when "
        f"[its check]({run.url}) ran. A later push makes this preview out of date until "
        "that commit's check has run.\n\n" + preview.rstrip("\n") + "\n"
    )
    if len(body) > MAX_BODY:
        body = body[:MAX_BODY] + CUT_NOTE
    return body


def _out_of_date(run: CheckRun, number: int, no_post: bool) -> str:
    why = (
        f"which changes no post ([its check]({run.url}))"
        if no_post
        else f"and [its check]({run.url}) made no preview (its log says why)"
    )
    return (
        _top(run) + f"⚠️ **Out of date.** This pull request's head is now "
        f"{run.commit(number)}, {why}. The preview that was here no longer shows what a "
        "merge will do, so it was removed.\n"
    )


def sticky_body(
    run: CheckRun, number: int, artifact: Artifact | None, existing: str | None
) -> str | None:
    """What our comment on pull request `number` should say after check run `run`
    (whose head is that pull request's), given what the run uploaded and our
    comment as it is; None: leave it as it is, or make none."""
    if artifact is not None and artifact.preview is not None:
        return _preview(run, number, artifact.preview)
    if existing is None or described(existing) == run.head_sha:
        return None  # nothing to show, or it still describes the head
    return _out_of_date(run, number, artifact is not None and artifact.changed == 0)


# ---------------------------------------------------------------- the event


def check_run(event: Mapping[str, Any], repository: str, server: str) -> CheckRun:
    """The check run of a workflow_run event, as far as it can be used."""
    run = event.get("workflow_run")
    if not isinstance(run, Mapping):
        raise UsageError(
            "preview-comment reads a workflow_run event (GITHUB_EVENT_PATH): "
            "run it in preview-comment.yml, after check.yml"
        )
    head, run_id = run.get("head_sha"), run.get("id")
    if not isinstance(head, str) or not _SHA.fullmatch(head) or not isinstance(run_id, int):
        raise UsageError("the workflow_run event has no head_sha or id")
    pulls = tuple(
        pull["number"]
        for pull in run.get("pull_requests") or ()
        if isinstance(pull, Mapping) and isinstance(pull.get("number"), int)
    )
    repo = run.get("head_repository")
    full_name = repo.get("full_name") if isinstance(repo, Mapping) else None
    owner = full_name.split("/", 1)[0] if isinstance(full_name, str) else None
    branch = run.get("head_branch")
    return CheckRun(
        id=run_id,
        head_sha=head,
        repository=repository,
        server=server.rstrip("/"),
        pulls=pulls,
        head_owner=owner if owner and _OWNER.fullmatch(owner) else None,
        head_branch=branch if isinstance(branch, str) and branch else None,
    )


# ---------------------------------------------------------------- GitHub


def _refusal(what: str, status: int, said: str) -> ClarionError:
    if status in (401, 403):
        return ConfigError(
            f"GitHub refused to {what} ({status}): preview-comment.yml's token needs "
            "`pull-requests: write`"
        )
    return ClarionError(f"GitHub answered {status} when asked to {what}")


def _asking(what: str) -> AbstractContextManager[None]:
    return pygithub.asking(what, _refusal)


class PullRequests:
    """The few questions and edits the comment needs, through PyGithub."""

    def __init__(self, api_url: str, repository: str, token: str) -> None:
        self._repo: Repository = pygithub.repository(api_url, repository, token)

    def head_of(self, number: int) -> str | None:
        """The head commit of pull request `number`; None if there is none such."""
        from github.GithubException import UnknownObjectException

        with _asking(f"read pull request #{number}"):
            try:
                return self._repo.get_pull(number).head.sha
            except UnknownObjectException:
                return None

    def open_at(self, owner: str, branch: str, sha: str) -> list[int]:
        """The open pull requests from `owner:branch` whose head is `sha`."""
        with _asking(f"list the pull requests from {owner}:{branch}"):
            return [
                pull.number
                for pull in self._repo.get_pulls(state="open", head=f"{owner}:{branch}")
                if pull.head.sha == sha
            ]

    def ours(self, number: int) -> IssueComment | None:
        """Our sticky comment on pull request `number`, found by author and marker."""
        with _asking(f"read the comments of pull request #{number}"):
            for index, comment in enumerate(self._repo.get_issue(number).get_comments()):
                if index >= MAX_COMMENTS:
                    break
                author = comment.user.login if comment.user is not None else ""
                if author == AUTHOR and (comment.body or "").startswith(MARKER):
                    return comment
        return None

    def create(self, number: int, body: str) -> str:
        with _asking(f"comment on pull request #{number}"):
            return self._repo.get_issue(number).create_comment(body).html_url

    def edit(self, comment: IssueComment, body: str) -> str:
        with _asking("edit the preview comment"):
            comment.edit(body)
            return comment.html_url


def update(
    github: PullRequests, run: CheckRun, artifact: Artifact | None, say: Callable[[str], None]
) -> None:
    """Create, update or leave the sticky comment of each pull request whose head
    is the run's, as `sticky_body` decides; `say` what was done."""
    short = run.head_sha[:7]
    if artifact is not None and artifact.number is not None:
        if not _NUMBER.fullmatch(artifact.number):
            raise ClarionError("the artifact's pr-number is not a number")
        numbers = [int(artifact.number)]
    else:
        numbers = list(run.pulls)
        if not numbers and run.head_owner and run.head_branch:
            numbers = github.open_at(run.head_owner, run.head_branch, run.head_sha)
        if not numbers:
            say(f"No open pull request has {short} as its head: no comment.")
            return
    for number in dict.fromkeys(numbers):
        head = github.head_of(number)
        if head != run.head_sha:
            # An older run, or an artifact naming another pull request.
            at = f"at {head}" if head else "not found"
            say(
                f"Not commenting: pull request #{number} is {at}, this check ran on {run.head_sha}."
            )
            continue
        comment = github.ours(number)
        body = sticky_body(run, number, artifact, comment.body if comment else None)
        if body is None:
            if comment is not None:
                say(f"The comment on #{number} describes {short} already: left as it is.")
            elif artifact is not None and artifact.changed == 0:
                say(f"Pull request #{number} changes no post: no comment.")
            else:
                say(f"The check of {short} made no preview for #{number}, and there is no comment.")
        elif comment is None:
            say(f"Commented on pull request #{number}: {github.create(number, body)}")
        elif comment.body == body:
            say(f"The comment on pull request #{number} is up to date.")
        else:
            say(f"Updated the comment on pull request #{number}: {github.edit(comment, body)}")
