"""One GitHub issue kept current with what `clarion watch` finds (`--issue`, the
watch workflow).

The issue carries the label `clarion-watch` and starts with a hidden marker;
the newest such issue, open or closed, is the one kept:

- findings and no issue yet: it is created;
- an open issue: its body is updated when the findings change, and it is
  closed ("completed") once all is clear;
- a closed issue (all was clear, or a person closed it to acknowledge what it
  listed): it is reopened when something new is found; otherwise its body is
  kept current and it stays closed.

The workflow's token may not push, so the issue is also where the findings are
remembered from one scheduled run to the next: its body ends with them in a
hidden block, which `state_from_body` reads back (anyone who may edit the issue
may edit that block: the worst it does is report a finding as new again).

The API is `GITHUB_API_URL` (default https://api.github.com), the repository
`GITHUB_REPOSITORY`, the token `GITHUB_TOKEN` (the workflow's `issues: write`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clarion import networks, pygithub
from clarion.errors import ClarionError, ConfigError
from clarion.watch import state as state_file
from clarion.watch.model import Finding, WatchReport
from clarion.watch.reporters import finding_markdown, markdown

if TYPE_CHECKING:
    from github.Issue import Issue
    from github.Repository import Repository

LABEL = "clarion-watch"
TITLE = "Clarion watch: what the networks did to published posts"
MARKER = "<!-- clarion-watch -->"
_STATE_START = "<!-- clarion-watch-state\n"
_STATE_END = "\n-->"
BODY_LIMIT = 65_536  # GitHub refuses a longer issue body
SHOWN = 200  # findings listed in the body; the state keeps them all


class IssueError(ClarionError):
    """The issue could not be created or changed (GitHub down, an odd answer)."""

    exit_code = 1


# ---------------------------------------------------------------- the body


def _hidden(kept: Sequence[tuple[Finding, str]]) -> str:
    """The state, as a comment no renderer shows and no value can end early."""
    text = state_file.dumps(kept).strip()
    # Inside JSON strings only: "--" could end the comment, "<" start a tag, "@" mention.
    text = text.replace("--", "-\\u002d").replace("<", "\\u003c").replace("@", "\\u0040")
    return f"{_STATE_START}{text}{_STATE_END}"


def state_from_body(body: str | None) -> list[tuple[Finding, str]] | None:
    """The findings kept in an issue's body; None when it holds none that can be read."""
    if not body or _STATE_START not in body:
        return None
    start = body.index(_STATE_START) + len(_STATE_START)
    end = body.find(_STATE_END, start)
    if end < 0:
        return None
    try:
        return state_file.loads(body[start:end], "the watch issue")
    except state_file.UnreadableState:
        return None


def issue_body(
    report: WatchReport,
    kept: Sequence[tuple[Finding, str]],
    file_url: Callable[[str], str] | None = None,
    *,
    shown: int = SHOWN,
) -> str:
    """The issue's Markdown: what is wrong now, with links, and the hidden state."""
    since = {finding.identity: moment for finding, moment in kept}
    out = [MARKER]
    if report.findings:
        out.append(
            f"`clarion watch` finds {len(report.findings)} thing(s) the networks did to "
            "published posts. This issue is kept current by the watch workflow: updated when "
            "the findings change, closed when all is clear."
        )
        out.append("")
        for finding in report.findings[:shown]:
            first = since.get(finding.identity, "")
            out.append(
                # No "(new)": the body changes only when the findings do.
                finding_markdown(finding, file_url, mark_new=False)
                + (f" (since {first[:10]})" if first else "")
            )
        if len(report.findings) > shown:
            out.append(
                f"- … and {len(report.findings) - shown} more (`clarion watch` lists them all)"
            )
    else:
        out.append("All clear: every published post is shown as it was sent.")
    failed = [r for r in report.networks if r.failure is not None]
    notes = [n for r in report.networks for n in r.notes] + report.notes
    if failed or notes:
        out += ["", "### Not watched, or only in part", ""]
        out += [f"- {networks.display(r.network)}: {markdown(r.failure or '')}" for r in failed]
        out += [f"- {markdown(note)}" for note in notes]
    out += [
        "",
        "Closing this issue by hand acknowledges what it lists: it is reopened when "
        "something new is found. What each finding means: README, “Watching”.",
        "",
        _hidden(kept),
    ]
    body = "\n".join(out) + "\n"
    if len(body) > BODY_LIMIT and shown > 0:  # the list goes before the state does
        return issue_body(report, kept, file_url, shown=shown // 4)
    return body


# ---------------------------------------------------------------- deciding


@dataclass(frozen=True)
class Found:
    """The issue kept, as GitHub has it."""

    number: int
    open: bool
    body: str
    url: str


@dataclass(frozen=True)
class Change:
    """What to do to the issue: create, edit (body, and maybe open or close), or nothing."""

    action: str  # "create" | "update" | "reopen" | "close" | "none"
    body: str = ""


def decide(found: Found | None, report: WatchReport, body: str) -> Change:
    """The rule, a pure function of the issue, the run and the body it should have."""
    if found is None:
        return Change("create", body) if report.findings else Change("none")
    if found.open:
        if report.clear:
            return Change("close", body)
        return Change("update", body) if found.body != body else Change("none")
    if report.new:
        return Change("reopen", body)
    return Change("update", body) if found.body != body else Change("none")


# ---------------------------------------------------------------- GitHub


def _refusal(what: str, status: int, said: str) -> ClarionError:
    why = f" ({said})" if said else ""
    if status == 401:
        return ConfigError(f"GitHub refused GITHUB_TOKEN when asked to {what}{why}")
    if status in (403, 404):
        return ConfigError(
            f"GitHub refused to {what}{why}: the watch workflow's token needs "
            "`issues: write` on GITHUB_REPOSITORY"
        )
    if status == 410:
        return ConfigError(
            f"GitHub refused to {what}{why}: issues are turned off in this repository "
            "(Settings → General → Features → Issues)"
        )
    return IssueError(f"GitHub answered {status}{why} when asked to {what}")


def _asking(what: str) -> AbstractContextManager[None]:
    return pygithub.asking(what, _refusal, IssueError)


class WatchIssues:
    """The watch issue of one repository, through PyGithub."""

    def __init__(self, api_url: str, repository: str, token: str) -> None:
        self._repo: Repository = pygithub.repository(api_url, repository, token)
        self._issue: Issue | None = None

    def find(self) -> Found | None:
        """The newest issue with the label and the marker, open or closed."""
        with _asking(f"list the issues labelled {LABEL}"):
            for issue in self._repo.get_issues(
                state="all", labels=[LABEL], sort="created", direction="desc"
            ):
                if issue.pull_request is None and (issue.body or "").startswith(MARKER):
                    self._issue = issue
                    return Found(
                        issue.number, issue.state == "open", issue.body or "", issue.html_url
                    )
        return None

    def apply(self, change: Change) -> str:
        """Do `change`; what was done, for the log."""
        if change.action == "create":
            with _asking("create the watch issue"):
                made = self._repo.create_issue(title=TITLE, body=change.body, labels=[LABEL])
            return f"opened the watch issue #{made.number}: {made.html_url}"
        kept = self._issue
        if kept is None:
            return "no watch issue needed: nothing is found"
        if change.action == "none":
            return f"the watch issue #{kept.number} is up to date"
        with _asking(f"update the watch issue #{kept.number}"):
            if change.action == "close":
                kept.edit(body=change.body, state="closed", state_reason="completed")
                return f"all clear: closed the watch issue #{kept.number}: {kept.html_url}"
            if change.action == "reopen":
                kept.edit(body=change.body, state="open")
                return f"something new: reopened the watch issue #{kept.number}: {kept.html_url}"
            kept.edit(body=change.body)
        return f"updated the watch issue #{kept.number}: {kept.html_url}"


def from_env(env: Mapping[str, str]) -> tuple[WatchIssues, Callable[[str], str]]:
    """The issue client for the repository the environment names, and how a post
    file's address on GitHub is made."""
    repository = env.get("GITHUB_REPOSITORY", "").strip()
    token = env.get("GITHUB_TOKEN", "").strip()
    missing = [n for n, v in (("GITHUB_REPOSITORY", repository), ("GITHUB_TOKEN", token)) if not v]
    if missing:
        raise ConfigError(
            f"clarion watch --issue needs {' and '.join(missing)}: the watch workflow sets "
            "them (GITHUB_TOKEN with `issues: write`)"
        )
    api = env.get("GITHUB_API_URL", "").strip() or "https://api.github.com"
    server = env.get("GITHUB_SERVER_URL", "").strip().rstrip("/") or "https://github.com"

    def file_url(path: str) -> str:
        # HEAD: the default branch, whatever it is called.
        return f"{server}/{repository}/blob/HEAD/{path}"

    return WatchIssues(api, repository, token), file_url


def read_issue_state(found: Found | None) -> list[tuple[Finding, str]] | None:
    return state_from_body(found.body) if found is not None else None
