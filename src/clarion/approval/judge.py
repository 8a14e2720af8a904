"""The rule, as one pure function: did a code owner approve exactly this, in a merged pull request?

`judge` sees only facts gathered beforehand (no git, no HTTP), so every case
is a table row in the tests. For the commit that brought a post's content:

- a pull request counts only if it was merged into the default branch;
- each reviewer's latest review that states an opinion stands, as on GitHub:
  APPROVED, CHANGES_REQUESTED or DISMISSED replaces that person's earlier one;
  COMMENTED changes nothing; PENDING is not submitted;
- an approval counts only if the pull request's head, when it was given, held
  exactly the content that would be sent (`covered`);
- it must come from a code owner of the post (CODEOWNERS at the pull
  request's base, so a pull request cannot appoint its own approvers), and of
  every image the post sends;
- never from the pull request's author, nor from anyone who pushed a commit
  changing what is sent in it (GitHub's "most recent push" rule, widened).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from clarion.approval.client import PullRequest, Review
from clarion.approval.codeowners import EMAIL, TEAM, USER

TEAM_PERMISSION_HELP = (
    "give the publish workflow a token that can read the organization's teams: a GitHub App "
    "token with the organization permission 'Members: read' (made with "
    "actions/create-github-app-token), or list the approvers as @username in CODEOWNERS"
)

# An opinion replaces the reviewer's earlier state; a comment does not.
_OPINIONS = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})


@dataclass(frozen=True)
class FileOwners:
    """Who owns one file a post sends, per CODEOWNERS at a pull request's base."""

    path: str
    owners: tuple[str, ...]  # "@user", "@org/team" or an e-mail address, as written
    source: str = ""  # e.g. ".github/CODEOWNERS line 3 at the base of #12"
    problem: str = ""  # why no owner applies (no CODEOWNERS, no rule), when none does


@dataclass(frozen=True)
class PullEvidence:
    pull: PullRequest
    into_default: bool  # merged into the default branch
    files: tuple[FileOwners, ...]  # the post first, then each image
    reviews: tuple[Review, ...]
    writers: frozenset[str]  # lower-cased logins that pushed a commit changing what is sent
    covered: frozenset[str]  # commits whose content is exactly what would be sent
    teams: Mapping[str, frozenset[str] | int]  # team → members, or the HTTP status refusing it


@dataclass(frozen=True)
class Verdict:
    approved: bool
    reason: str = ""  # why not, in words that say how to fix it


def latest_opinions(reviews: Iterable[Review]) -> dict[str, Review]:
    """Each reviewer's standing review (by lower-cased login), as GitHub counts them."""
    listed = list(reviews)
    never = dt.datetime.max.replace(tzinfo=dt.UTC)
    # GitHub lists reviews oldest first; the sort only settles a list that is not.
    ordered = sorted(enumerate(listed), key=lambda item: (item[1].submitted_at or never, item[0]))
    latest: dict[str, Review] = {}
    for _, review in ordered:
        if review.user and review.state in _OPINIONS:
            latest[review.user.lower()] = review
    return latest


def judge(subject: str, sha: str, branch: str, pulls: Sequence[PullEvidence] | None) -> Verdict:
    """Whether the content `subject` sends, brought by commit `sha`, was approved."""
    short = sha[:7]
    if pulls is None:
        return Verdict(
            False,
            f"{subject} last changed in commit {short}, which GitHub does not have: "
            f"publish from a checkout of {branch} as it is on GitHub",
        )
    merged = [p for p in pulls if p.pull.merged and p.into_default]
    if not merged:
        if pulls:
            listed = ", ".join(p.pull.ref for p in pulls)
            return Verdict(
                False,
                f"{subject} last changed in commit {short}, which is in {listed} but did not "
                f"reach {branch} through it: merge a pull request with the change into "
                f"{branch} after a code owner approves it",
            )
        return Verdict(
            False,
            f"{subject} was pushed to {branch} without a pull request (commit {short}): open "
            "a pull request for it and have a code owner approve it",
        )
    reasons = []
    for evidence in merged:
        reason = _approval(subject, sha, evidence)
        if reason is None:
            return Verdict(True)
        reasons.append(reason)
    return Verdict(False, "; ".join(reasons))


def _approval(subject: str, sha: str, e: PullEvidence) -> str | None:
    """None if code owners other than the writers approved what is sent in `e`; else why not."""
    ref = e.pull.ref
    for file in e.files:
        if file.problem:
            return f"{subject} came through pull request {ref}, but {file.problem}"
    standing = latest_opinions(e.reviews)
    excluded = {e.pull.author.lower(), *e.writers}
    unreadable: dict[str, int] = {}

    def owns(login: str, file: FileOwners) -> bool:
        for owner in file.owners:
            if USER.fullmatch(owner) and owner[1:].lower() == login:
                return True
            if TEAM.fullmatch(owner):
                members = e.teams.get(owner[1:].lower())
                if isinstance(members, int):
                    unreadable[owner[1:]] = members
                elif members is not None and login in members:
                    return True
        return False

    approvals = {
        login: r for login, r in standing.items() if r.state == "APPROVED" and login not in excluded
    }
    good = {login for login, r in approvals.items() if r.commit_id in e.covered}
    missing = [f for f in e.files if not any(owns(login, f) for login in good)]
    if not missing:
        return None

    # Held: say what is missing, most specific first.
    file = missing[0]
    what = subject if file is e.files[0] else f"{subject} (its image {file.path})"
    stale = sorted(
        f"@{login} ({(r.commit_id or '?')[:7]})"
        for login, r in approvals.items()
        if login not in good and owns(login, file)
    )
    if stale:
        return (
            f"{what}: the approval of pull request {ref} by {', '.join(stale)} was given on "
            f"another version than the one that would be sent (from commit {sha[:7]}), so it "
            f"does not cover it: have a code owner approve {ref} again as merged (an approval "
            "after the merge counts), or approve a new pull request with the change"
        )
    notes: list[str] = []
    withdrawn = [
        f"@{login} ({'requested changes' if r.state == 'CHANGES_REQUESTED' else 'dismissed'})"
        for login, r in standing.items()
        if r.state != "APPROVED" and login not in excluded and owns(login, file)
    ]
    if withdrawn:
        notes.append(f"the latest review of code owner {', '.join(withdrawn)} is not an approval")
    own = sorted(
        login
        for login, r in standing.items()
        if r.state == "APPROVED" and login in excluded and owns(login, file)
    )
    if own:
        named = ", ".join(f"@{login}" for login in own)
        notes.append(
            f"the owner approval by {named} does not count: they wrote the change "
            "(the pull request's author, or pushed a commit changing what is sent)"
        )
    others = sorted(
        login
        for login, r in standing.items()
        if r.state == "APPROVED" and login not in excluded and not owns(login, file)
    )
    if others:
        named = ", ".join(f"@{login}" for login in others)
        notes.append(f"approved by {named}, not a code owner of {file.path}")
    if unreadable:
        named = ", ".join(f"@{team} (HTTP {status})" for team, status in sorted(unreadable.items()))
        notes.append(f"team {named} could not be read with this token: {TEAM_PERMISSION_HELP}")
    emails = [o for o in file.owners if EMAIL.fullmatch(o) and not o.startswith("@")]
    if emails:
        notes.append(
            f"owners given by e-mail ({', '.join(emails)}) are not resolved: name them as @username"
        )
    detail = "; ".join(notes) if notes else "no review approves it"
    return (
        f"{what} came through pull request {ref}, which no code owner approved "
        f"({' '.join(file.owners)}, per {file.source}): {detail}. A code owner who did not "
        f"write the change must approve {ref} (an approval after the merge counts) or a new "
        "pull request that changes the file"
    )
