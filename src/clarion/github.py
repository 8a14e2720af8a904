"""GitHub: the approval gate's questions to the API (pull requests, reviews, code owners).

With `require_approval`, a post goes out only if every file it sends (the post,
its images, its link card's thumbnail) was last changed by a commit that
reached the default branch through a merged pull request that a code owner of
that file approved, the pull request's author excepted:

- the commit is the newest that changed the file, receipts (`published:`)
  aside and renames followed (`Repo.last_commit_touching`);
- its pull requests come from `GET /repos/{o}/{r}/commits/{sha}/pulls`; only
  those merged into the default branch count;
- each reviewer's latest review that states an opinion counts, as on GitHub:
  APPROVED, CHANGES_REQUESTED or DISMISSED replaces that person's earlier
  state; COMMENTED changes nothing; PENDING is not submitted;
- an approval counts for the version of the file it was given on: when the
  file changed after it (new commits pushed to the pull request), it does not;
- the code owners are those of the CODEOWNERS file at the pull request's BASE
  commit (`.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`, the first
  found), so a pull request cannot appoint its own approvers;
- `@org/team` owners are resolved with `GET /orgs/{org}/teams/{slug}/members`;
  a team the token cannot read counts as no approval, and the message names the
  permission needed; owners given by e-mail are not resolved.

Anything that cannot be confirmed holds the post, with a message saying how to
fix it: a file not committed, or changed in the checkout since; a commit GitHub
does not have; a shallow checkout (its history is cut); an API that does not
answer. The gate never lets a post through on doubt. A token GitHub refuses, an
unknown repository or a malformed GITHUB_API_URL are configuration errors.
Answers are cached for the run, since posts share pull requests, CODEOWNERS
files and teams; once the API is found down, nothing more is asked.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import math
import os
import re
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from clarion.errors import ClarionError, ConfigError, GitError
from clarion.gitrepo import Repo, remove_published, repo_root
from clarion.post import Post
from clarion.settings import Settings

if TYPE_CHECKING:
    from github.Repository import Repository

DEFAULT_API_URL = "https://api.github.com"
CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
CODEOWNERS_MAX_BYTES = 3 * 1024 * 1024  # GitHub does not load a larger file
PER_PAGE = 100  # GitHub's largest page: fewer requests for long review lists

TEAM_PERMISSION_HELP = (
    "give the publish workflow a token that can read the organization's teams: a GitHub App "
    "token with the organization permission 'Members: read' (made with "
    "actions/create-github-app-token), or list the approvers as @username in CODEOWNERS"
)

# An opinion replaces the reviewer's earlier state; a comment does not.
_OPINIONS = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})

_USER = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_TEAM = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9_.-]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# Variables that would point git at another repository than the one judged.
_REPOSITORY_ENV = frozenset(
    {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR"}
)

T = TypeVar("T")


# ---------------------------------------------------------------- CODEOWNERS


@dataclass(frozen=True)
class Rule:
    """One line of CODEOWNERS: a gitignore-style pattern and its owners (maybe none)."""

    line: int
    pattern: str
    owners: tuple[str, ...]
    # One matcher per path segment; None stands for `**` (any number of segments).
    segments: tuple[re.Pattern[str] | None, ...] = field(repr=False, compare=False)
    # Whether a match of a directory covers everything below it. Not for a last
    # segment that is a lone `*`: `docs/*` owns docs/a.md, not docs/sub/b.md.
    descendants: bool = field(repr=False, compare=False)

    def matches(self, path: str) -> bool:
        """Whether the file `path` (relative to the repository root, with `/`) is covered."""
        parts = tuple(part for part in path.split("/") if part)
        return bool(parts) and self._match(0, parts, 0)

    def _match(self, i: int, parts: tuple[str, ...], j: int) -> bool:
        if i == len(self.segments):
            return j == len(parts) or (self.descendants and j < len(parts))
        matcher = self.segments[i]
        if matcher is None:
            if i == len(self.segments) - 1:
                return j < len(parts)  # a trailing `**` is everything inside, not the folder
            return any(self._match(i + 1, parts, k) for k in range(j, len(parts)))
        return (
            j < len(parts)
            and matcher.fullmatch(parts[j]) is not None
            and self._match(i + 1, parts, j + 1)
        )


@dataclass(frozen=True)
class CodeOwners:
    rules: tuple[Rule, ...]
    skipped: tuple[tuple[int, str], ...] = ()  # (line, why): lines GitHub skips too

    def rule_for(self, path: str) -> Rule | None:
        """The rule that decides `path`'s owners: the last one that matches."""
        return next((rule for rule in reversed(self.rules) if rule.matches(path)), None)


class PatternError(ValueError):
    """A CODEOWNERS pattern uses syntax GitHub does not support there."""


def compile_rule(pattern: str, owners: Sequence[str] = (), line: int = 0) -> Rule:
    """A rule for `pattern`, with GitHub's reading of gitignore patterns.

    A leading `/` (or a `/` anywhere but at the end) anchors the pattern at the
    root; otherwise it matches at any depth. A trailing `/` matches folders
    only, so everything below them. `*` and `?` stay inside one segment; `**`
    as a whole segment spans any number of them. A matched folder owns what
    is below it, except after a final lone `*`. `\\` escapes the next character.
    """
    if pattern.startswith("!"):
        raise PatternError("negation with ! does not work in CODEOWNERS")
    if pattern.startswith("\\#"):
        raise PatternError("escaping a leading # with \\ does not work in CODEOWNERS")
    if "[" in pattern or "]" in pattern:
        raise PatternError("character ranges with [ ] do not work in CODEOWNERS")
    if "***" in pattern:
        raise PatternError("three asterisks in a row are not a pattern")
    folder_only = pattern.endswith("/")
    anchored = "/" in pattern.rstrip("/")
    names = [name for name in pattern.strip("/").split("/") if name]
    if not names:  # "/" alone matches nothing
        return Rule(line, pattern, tuple(owners), (re.compile(r"(?!)"),), descendants=False)
    if not anchored and names[0] != "**":
        names.insert(0, "**")
    if folder_only:
        names.append("**")
    segments = tuple(None if name == "**" else _segment(name) for name in names)
    return Rule(line, pattern, tuple(owners), segments, descendants=names[-1] != "*")


def _segment(name: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(name):
        char = name[i]
        if char == "\\" and i + 1 < len(name):
            out.append(re.escape(name[i + 1]))
            i += 2
            continue
        if char == "*":
            while i + 1 < len(name) and name[i + 1] == "*":
                i += 1  # `a**b` is `a*b`, as in gitignore
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))


def _split_pattern(text: str) -> tuple[str, str]:
    """The pattern (up to the first unescaped blank) and the rest of the line."""
    i = 0
    while i < len(text) and not text[i].isspace():
        i += 2 if text[i] == "\\" else 1
    return text[:i], text[i:]


def parse_codeowners(text: str) -> CodeOwners:
    """Read a CODEOWNERS file; lines GitHub would skip are skipped and listed."""
    rules: list[Rule] = []
    skipped: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pattern, rest = _split_pattern(line)
        owners: list[str] = []
        problem = ""
        for token in rest.split():
            if token.startswith("#"):
                break  # an inline comment
            if not (_USER.fullmatch(token) or _TEAM.fullmatch(token) or _EMAIL.fullmatch(token)):
                problem = f"{token} is not an owner (@user, @org/team or an e-mail address)"
                break
            owners.append(token)
        if not problem:
            try:
                rules.append(compile_rule(pattern, owners, number))
                continue
            except PatternError as exc:
                problem = str(exc)
        skipped.append((number, problem))
    return CodeOwners(tuple(rules), tuple(skipped))


# ---------------------------------------------------------------- reviews


@dataclass(frozen=True)
class Review:
    user: str  # login; "" for a deleted account
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING
    commit_id: str | None  # the head of the pull request when the review was given
    submitted_at: dt.datetime | None = None


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


# ---------------------------------------------------------------- the API


@dataclass(frozen=True)
class PullRequest:
    number: int
    author: str
    base_ref: str
    base_sha: str
    head_sha: str
    merged: bool

    @property
    def ref(self) -> str:
        return f"#{self.number}"


@dataclass(frozen=True)
class RemoteFile:
    sha: str  # the blob's object id
    data: bytes | None  # None when GitHub does not send the content (over 1 MB)


class TeamUnreadable(Exception):
    def __init__(self, team: str, status: int) -> None:
        super().__init__(team)
        self.team = team
        self.status = status


class Unreachable(Exception):
    """The API did not answer (or not usably): nothing more is asked in this run."""


class GitHubClient:
    """The questions the gate asks, through PyGithub, each answered once per run."""

    def __init__(
        self,
        api_url: str,
        repository: str,
        token: str,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 2.0,
        max_wait: float = 120.0,
    ) -> None:
        from github import Auth, Github
        from github.GithubRetry import GithubRetry

        # PyGithub prints every refused or retried request to stderr (INFO); the
        # gate says what went wrong in the post's held message instead.
        logging.getLogger("github").setLevel(logging.WARNING)

        retry = GithubRetry(
            total=max(0, retries - 1),
            backoff_factor=backoff / 2,  # urllib3 doubles it from the second retry on
            backoff_max=max_wait,
            # Waiting out a long Retry-After would stall the publish run: give up
            # instead, and the post waits for the next run.
            respect_retry_after_header=False,
            secondary_rate_wait=min(60.0, max_wait),
            max_rate_limit_wait=max_wait,
        )
        self.repository = repository
        self._github = Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            timeout=max(1, math.ceil(timeout)),
            retry=retry,
            per_page=PER_PAGE,
            # Requests are made one at a time, as GitHub asks; no pause is needed for reads.
            seconds_between_requests=None,
            seconds_between_writes=None,
            lazy=True,
        )
        self._repo: Repository | None = None
        self._cache: dict[tuple[str, ...], object] = {}
        self._down: str | None = None

    def _cached(self, key: tuple[str, ...], ask: Callable[[], T]) -> T:
        if key in self._cache:
            value = self._cache[key]
            if isinstance(value, Exception):
                raise value
            return value  # type: ignore[return-value]  # stored by this same key's `ask`
        if self._down is not None:
            raise Unreachable(self._down)
        try:
            answer = ask()
        except TeamUnreadable as exc:
            self._cache[key] = exc
            raise
        except ClarionError:
            raise
        except Exception as exc:
            problem = _api_problem(exc)
            if problem is None:
                raise
            reason, down = problem
            if down:  # asking again would only make the run wait again
                self._down = reason
            raise Unreachable(reason) from None
        self._cache[key] = answer
        return answer

    def _repository(self) -> Repository:
        if self._repo is None:
            self._repo = self._github.get_repo(self.repository)
        return self._repo

    def default_branch(self) -> str:
        def ask() -> str:
            from github.GithubException import UnknownObjectException

            try:
                return self._repository().default_branch
            except UnknownObjectException:
                raise ConfigError(
                    f"GitHub answers 404 for the repository {self.repository} "
                    "(GITHUB_REPOSITORY): it does not exist, or GITHUB_TOKEN cannot read it"
                ) from None

        return self._cached(("default_branch",), ask)

    def pulls_for(self, sha: str) -> tuple[PullRequest, ...] | None:
        """The pull requests GitHub associates with commit `sha`; None if it has no such commit."""

        def ask() -> tuple[PullRequest, ...] | None:
            from github.GithubException import GithubException

            commit = self._repository().get_commit(sha)
            try:
                pulls = list(commit.get_pulls())
            except GithubException as exc:
                if exc.status in (404, 422):  # "No commit found for SHA"
                    return None
                raise
            return tuple(
                PullRequest(
                    number=pull.number,
                    author=pull.user.login if pull.user is not None else "",
                    base_ref=pull.base.ref,
                    base_sha=pull.base.sha,
                    head_sha=pull.head.sha,
                    merged=pull.merged_at is not None,
                )
                for pull in pulls
            )

        return self._cached(("pulls", sha), ask)

    def reviews(self, number: int) -> tuple[Review, ...]:
        def ask() -> tuple[Review, ...]:
            pull = self._repository().get_pull(number)
            return tuple(
                Review(
                    user=review.user.login if review.user is not None else "",
                    state=review.state,
                    commit_id=review.commit_id,
                    submitted_at=review.submitted_at,
                )
                for review in pull.get_reviews()
            )

        return self._cached(("reviews", str(number)), ask)

    def file(self, ref: str, path: str) -> RemoteFile | None:
        """The file `path` at commit `ref`; None if it is not there."""

        def ask() -> RemoteFile | None:
            from github.GithubException import UnknownObjectException

            try:
                found = self._repository().get_contents(path, ref=ref)
            except UnknownObjectException:
                return None
            if isinstance(found, list):
                return None  # a folder
            if found.encoding == "base64":
                return RemoteFile(found.sha, base64.b64decode(found.content))
            return RemoteFile(found.sha, None)

        return self._cached(("file", ref, path), ask)

    def blob(self, sha: str) -> bytes:
        def ask() -> bytes:
            return base64.b64decode(self._repository().get_git_blob(sha).content)

        return self._cached(("blob", sha), ask)

    def codeowners(self, ref: str) -> tuple[str, CodeOwners] | None:
        """The CODEOWNERS file GitHub uses at commit `ref`: where it is, and its rules."""

        def ask() -> tuple[str, CodeOwners] | None:
            for location in CODEOWNERS_LOCATIONS:
                found = self.file(ref, location)
                if found is None:
                    continue
                data = found.data if found.data is not None else self.blob(found.sha)
                if len(data) >= CODEOWNERS_MAX_BYTES:
                    return location, CodeOwners((), ((0, "the file is 3 MB or larger"),))
                return location, parse_codeowners(data.decode("utf-8", errors="replace"))
            return None

        return self._cached(("codeowners", ref), ask)

    def team_members(self, team: str) -> frozenset[str]:
        """The lower-cased logins in `org/slug`; TeamUnreadable when the token may not see it."""

        def ask() -> frozenset[str]:
            from github.GithubException import GithubException

            org, _, slug = team.partition("/")
            try:
                members = self._github.get_organization(org).get_team_by_slug(slug).get_members()
                return frozenset(member.login.lower() for member in members)
            except GithubException as exc:
                if exc.status in (403, 404):
                    raise TeamUnreadable(team, exc.status) from None
                raise

        return self._cached(("team", team.lower()), ask)


def _api_problem(exc: Exception) -> tuple[str, bool] | None:
    """What went wrong in asking GitHub, and whether the API is down (no use asking more);
    None when `exc` is not about the API. A refused token is a ConfigError."""
    import requests
    from github.GithubException import (
        BadCredentialsException,
        GithubException,
        RateLimitExceededException,
    )

    if isinstance(exc, BadCredentialsException):
        raise ConfigError(
            "GitHub refused GITHUB_TOKEN (401 Bad credentials): it is expired or wrong, and "
            "the approval gate cannot read pull requests without it"
        ) from None
    if isinstance(exc, RateLimitExceededException):
        return "GitHub's API rate limit is used up", True
    if isinstance(exc, GithubException):
        message = exc.data.get("message") if isinstance(exc.data, dict) else None
        said = f" ({message})" if isinstance(message, str) and message else ""
        return f"GitHub answered {exc.status}{said}", exc.status >= 500
    if isinstance(exc, requests.exceptions.RetryError):
        return "GitHub's API kept answering with server errors", True
    if isinstance(exc, requests.exceptions.Timeout):
        return "GitHub's API did not answer in time", True
    if isinstance(exc, requests.RequestException):
        return f"GitHub's API could not be reached ({type(exc).__name__})", True
    return None


# ---------------------------------------------------------------- the gate


class Held(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class _Sent:
    """A file a post sends, as the gate judges it."""

    path: str  # relative to the repository's top folder
    subject: str  # how messages name it
    is_post: bool  # receipts inside it are not changes


class ApprovalGate:
    """Callable on a post: None if it may go, or the reason it is held."""

    def __init__(
        self, settings: Settings, client: GitHubClient, repo: Repo, *, prefix: str = ""
    ) -> None:
        self.settings = settings
        self.client = client
        self.repo = repo
        self.prefix = prefix  # where settings.root is inside the repository ("" at its top)
        self._last_change: dict[tuple[str, bool], str | None] = {}
        self._shallow: bool | None = None

    def __call__(self, post: Post) -> str | None:
        try:
            for sent in self._files(post):
                self._check(sent)
        except Held as held:
            return held.reason
        except Unreachable as exc:
            return (
                f"{post.rel}: its approval could not be confirmed, because {exc}; "
                "it stays unpublished until a run can ask GitHub (the next run tries again)"
            )
        except GitError as exc:
            return f"{post.rel}: its history could not be read from git: {exc.message}"
        return None

    # ------------------------------------------------------------ what is sent

    def _files(self, post: Post) -> list[_Sent]:
        from clarion.media import MediaProblem, resolve_media

        files = [_Sent(self._in_repo(post.rel), post.rel, is_post=True)]
        references = [ref.path for ref in post.media]
        if post.link is not None and post.link.thumbnail:
            references.append(post.link.thumbnail)
        top = self.repo.root.resolve()
        for reference in references:
            try:
                resolved = resolve_media(post.path, self.settings.root, reference)
            except MediaProblem:
                continue  # the validator reports it; such a post is not due
            path = resolved.relative_to(top).as_posix()
            if all(f.path != path for f in files):
                files.append(_Sent(path, f"{post.rel} (its image {path})", is_post=False))
        return files

    def _in_repo(self, rel: str) -> str:
        return f"{self.prefix}/{rel}" if self.prefix else rel

    # ------------------------------------------------------------ one file

    def _check(self, sent: _Sent) -> None:
        sha = self._last_commit(sent)
        branch = self.client.default_branch()
        pulls = self.client.pulls_for(sha)
        if pulls is None:
            raise Held(
                f"{sent.subject} last changed in commit {sha[:7]}, which GitHub does not have: "
                f"publish from a checkout of {branch} as it is on GitHub"
            )
        merged = [p for p in pulls if p.merged and p.base_ref == branch]
        if not merged:
            if pulls:
                listed = ", ".join(p.ref for p in pulls)
                raise Held(
                    f"{sent.subject} last changed in commit {sha[:7]}, which is in {listed} but "
                    f"did not reach {branch} through it: merge a pull request with the change "
                    f"into {branch} after a code owner approves it"
                )
            raise Held(
                f"{sent.subject} was pushed to {branch} without a pull request (commit "
                f"{sha[:7]}): open a pull request for it and have a code owner approve it"
            )
        reasons = []
        for pull in merged:
            reason = self._approval(pull, sent, sha)
            if reason is None:
                return
            reasons.append(reason)
        raise Held("; ".join(reasons))

    def _last_commit(self, sent: _Sent) -> str:
        if self._shallow is None:
            out = self._git("rev-parse", "--is-shallow-repository").stdout
            self._shallow = out.strip() == b"true"
        if self._shallow:
            # Cut history makes every file look changed by the oldest commit kept.
            raise Held(
                f"{sent.subject}: the checkout is shallow, so the commit that last changed it "
                "cannot be found: check out the full history (actions/checkout with "
                "fetch-depth: 0)"
            )
        key = (sent.path, sent.is_post)
        if key not in self._last_change:
            sha = self.repo.last_commit_touching(sent.path, ignore_published=sent.is_post)
            self._last_change[key] = self._not_before_a_copy(sent.path, sha)
        sha = self._last_change[key]
        if sha is None:
            raise Held(
                f"{sent.subject} is not committed to git: commit it in a pull request and "
                "have a code owner approve it"
            )
        if not self.repo.is_clean([sent.path]) and self._differs_from_head(sent):
            raise Held(
                f"{sent.subject} has changes that are not committed: what would be sent is not "
                "what was reviewed (commit them in a pull request, or discard them)"
            )
        return sha

    def _differs_from_head(self, sent: _Sent) -> bool:
        committed = self.repo.file_at("HEAD", sent.path)
        path = self.repo.root / sent.path
        if committed is None or not path.is_file():
            return True
        if not sent.is_post:
            return path.read_bytes() != self._local_bytes("HEAD", sent.path)
        current = path.read_text(encoding="utf-8", errors="replace")
        return remove_published(current) != remove_published(committed)

    # ------------------------------------------------------------ one pull request

    def _approval(self, pull: PullRequest, sent: _Sent, sha: str) -> str | None:
        """None if a code owner other than the author approved `sent` in `pull`; else why not."""
        found = self.client.codeowners(pull.base_sha)
        where = f"pull request {pull.ref}"
        posts_dir = self._in_repo(self.settings.posts).strip("/")
        example = f"`/{posts_dir}/ @your-org/communications`"
        if found is None:
            return (
                f"{sent.subject} came through {where}, but its base ({pull.base_sha[:7]}) has "
                f"no CODEOWNERS file ({', '.join(CODEOWNERS_LOCATIONS)} were looked for): add "
                f"one that names who approves posts, e.g. {example}, in a pull request of its own"
            )
        location, owners_file = found
        rule = owners_file.rule_for(sent.path)
        if rule is None or not rule.owners:
            decided = f" (line {rule.line} leaves it without owners)" if rule else ""
            return (
                f"{sent.subject} came through {where}, but {location} at its base "
                f"({pull.base_sha[:7]}) names no code owner for {sent.path}{decided}: add one, "
                f"e.g. {example}"
            )
        users = {o[1:].lower() for o in rule.owners if _USER.fullmatch(o)}
        teams = [o[1:] for o in rule.owners if _TEAM.fullmatch(o)]
        emails = [o for o in rule.owners if _EMAIL.fullmatch(o)]
        owner_list = " ".join(rule.owners)
        source = f"{location} line {rule.line} at the base of {pull.ref}"

        standing = latest_opinions(self.client.reviews(pull.number))
        author = pull.author.lower()
        unreadable: list[TeamUnreadable] = []

        def is_owner(login: str) -> bool:
            if login in users:
                return True
            for team in teams:
                try:
                    if login in self.client.team_members(team):
                        return True
                except TeamUnreadable as exc:
                    if exc not in unreadable:
                        unreadable.append(exc)
            return False

        owner_reviews = {login: r for login, r in standing.items() if is_owner(login)}
        approvals = {
            login: r
            for login, r in owner_reviews.items()
            if r.state == "APPROVED" and login != author
        }
        stale = []
        for login, review in approvals.items():
            if self._covers(review, sent, sha):
                return None
            stale.append(f"@{login} ({(review.commit_id or '?')[:7]})")

        # Held: say what is missing, most specific first.
        notes: list[str] = []
        if stale:
            return (
                f"{sent.subject}: the approval of {where} by {', '.join(stale)} was given before "
                f"the file last changed (commit {sha[:7]}), so it does not cover what would be "
                f"sent: have a code owner approve {pull.ref} again as merged (an approval after "
                "the merge counts), or approve a new pull request with the change"
            )
        withdrawn = [
            f"@{login} ({'requested changes' if r.state == 'CHANGES_REQUESTED' else 'dismissed'})"
            for login, r in owner_reviews.items()
            if r.state != "APPROVED" and login != author
        ]
        if withdrawn:
            notes.append(
                f"the latest review of code owner {', '.join(withdrawn)} is not an approval"
            )
        if author in owner_reviews and owner_reviews[author].state == "APPROVED":
            notes.append(
                f"the only owner approval is by the author @{pull.author}, which does not count"
            )
        others = sorted(
            login
            for login, r in standing.items()
            if r.state == "APPROVED" and login not in owner_reviews and login != author
        )
        if others:
            named = ", ".join(f"@{login}" for login in others)
            notes.append(f"approved by {named}, not a code owner of {sent.path}")
        if unreadable:
            named = ", ".join(f"@{exc.team} (HTTP {exc.status})" for exc in unreadable)
            notes.append(f"team {named} could not be read with this token: {TEAM_PERMISSION_HELP}")
        if emails:
            notes.append(
                f"owners given by e-mail ({', '.join(emails)}) are not resolved: name them as "
                "@username"
            )
        detail = "; ".join(notes) if notes else "no review approves it"
        return (
            f"{sent.subject} came through {where}, which no code owner approved ({owner_list}, "
            f"per {source}): {detail}. A code owner other than the author must approve "
            f"{pull.ref} (an approval after the merge counts) or a new pull request that "
            "changes the file"
        )

    # ------------------------------------------------------------ the approved version

    def _covers(self, review: Review, sent: _Sent, sha: str) -> bool:
        """Whether `review` was given on the version of the file that `sha` holds."""
        if review.commit_id is None:
            return False
        if review.commit_id == sha:
            return True
        name = self._name_at(sent.path, sha)
        if sent.is_post:
            merged = self.repo.file_at(sha, name)
            reviewed = self._text_at(review.commit_id, name)
            if merged is None or reviewed is None:
                return False
            return remove_published(merged) == remove_published(reviewed)
        local = self._local_blob(sha, name)
        remote = self._blob_id_at(review.commit_id, name)
        return local is not None and local == remote

    def _text_at(self, commit: str, path: str) -> str | None:
        """The file at `commit`: from the local repository if it has the commit, else GitHub."""
        if self._has_commit(commit):
            return self.repo.file_at(commit, path)
        found = self.client.file(commit, path)
        if found is None:
            return None
        data = found.data if found.data is not None else self.client.blob(found.sha)
        return data.decode("utf-8", errors="replace")

    def _blob_id_at(self, commit: str, path: str) -> str | None:
        if self._has_commit(commit):
            return self._local_blob(commit, path)
        found = self.client.file(commit, path)
        return found.sha if found is not None else None

    # ------------------------------------------------------------ local git

    def _git(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        env = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_ENV}
        env.update(LC_ALL="C", GIT_TERMINAL_PROMPT="0")
        return subprocess.run(
            ["git", "-C", str(self.repo.root), *args], capture_output=True, env=env, check=False
        )

    def _has_commit(self, sha: str) -> bool:
        return self._git("cat-file", "-e", f"{sha}^{{commit}}").returncode == 0

    def _local_blob(self, commit: str, path: str) -> str | None:
        proc = self._git("rev-parse", "--verify", "--quiet", f"{commit}:{path}")
        return proc.stdout.decode().strip() if proc.returncode == 0 else None

    def _local_bytes(self, commit: str, path: str) -> bytes | None:
        proc = self._git("cat-file", "blob", f"{commit}:{path}")
        return proc.stdout if proc.returncode == 0 else None

    def _history(self, path: str) -> list[tuple[str, str, str]]:
        """(commit, status, name) of each commit that touched `path`, renames followed."""
        out = self._git(
            "log", "--follow", "-z", "--format=%x01%H", "--name-status", "HEAD", "--", path
        ).stdout.decode("utf-8", errors="replace")
        history = []
        for chunk in out.split("\x01")[1:]:
            fields = [f.strip() for f in chunk.split("\0")]
            if len(fields) >= 3:
                # "A|M name", or "R100|C100 old new": the name here is the last one.
                status = fields[1]
                name = fields[3] if status[:1] in "RC" and len(fields) > 3 else fields[2]
                history.append((fields[0], status, name))
        return history

    def _not_before_a_copy(self, path: str, sha: str | None) -> str | None:
        """`sha`, unless the file was made as a copy of another after it: then that commit.

        `git log --follow` follows copies as well as renames, so a new post that
        is an exact copy of an approved one would otherwise borrow its approval.
        """
        if sha is None:
            return None
        for commit, status, _ in self._history(path):
            if commit == sha:
                return sha
            if status.startswith("C"):
                return commit
        return sha

    def _name_at(self, path: str, sha: str) -> str:
        """The file's name in commit `sha` (it may have been renamed since)."""
        if self._local_blob(sha, path) is not None:
            return path
        return next((name for commit, _, name in self._history(path) if commit == sha), path)


def approval_gate(settings: Settings, env: Mapping[str, str]) -> Callable[[Post], str | None]:
    """The gate for a publish run: None (the post may go) or why it is held.

    The API is `GITHUB_API_URL` (default https://api.github.com), the repository
    `GITHUB_REPOSITORY` (owner/name), the token `GITHUB_TOKEN`. Raises
    ConfigError (at the first post judged) when GitHub refuses the token or
    does not know the repository.
    """
    repository = env.get("GITHUB_REPOSITORY", "").strip()
    token = env.get("GITHUB_TOKEN", "")
    if not repository or not token:
        reason = (
            "approvals are read from GitHub, but GITHUB_REPOSITORY and GITHUB_TOKEN are not set"
        )
        return lambda _post: reason
    try:
        top = repo_root(settings.root)
    except ClarionError as exc:
        not_git = f"the approval gate reads each post's history from git, and {exc.message}"
        return lambda _post: not_git
    api_url = env.get("GITHUB_API_URL") or DEFAULT_API_URL
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"GITHUB_API_URL={api_url!r} is not an http(s) URL: leave it unset for "
            f"{DEFAULT_API_URL}, or give your GitHub Enterprise API, e.g. "
            "https://github.example.com/api/v3"
        )
    client = GitHubClient(
        api_url,
        repository,
        token,
        timeout=settings.timeout,
        retries=settings.retries,
        backoff=settings.retry_backoff,
        max_wait=settings.max_retry_wait,
    )
    inside = settings.root.resolve().relative_to(top.resolve())
    prefix = "" if inside == Path() else PurePosixPath(*inside.parts).as_posix()
    return ApprovalGate(settings, client, Repo(top), prefix=prefix)
