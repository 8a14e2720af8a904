"""The GitHub API as the approval gate asks it, through PyGithub, each answer once per run.

Answers are cached for the run, since posts share pull requests, CODEOWNERS
files and teams; once the API is found down, nothing more is asked. A token
GitHub refuses is a configuration error.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from clarion.approval.codeowners import (
    CODEOWNERS_LOCATIONS,
    CODEOWNERS_MAX_BYTES,
    CodeOwners,
    parse_codeowners,
)
from clarion.errors import ClarionError, ConfigError

if TYPE_CHECKING:
    from github.Repository import Repository

DEFAULT_API_URL = "https://api.github.com"
# GitHub commits for a person who used the web interface: that person is the author.
WEB_FLOW = "web-flow"
PER_PAGE = 100  # GitHub's largest page: fewer requests for long review lists

T = TypeVar("T")


@dataclass(frozen=True)
class Review:
    user: str  # login; "" for a deleted account
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING
    commit_id: str | None  # the head of the pull request when the review was given
    submitted_at: dt.datetime | None = None


@dataclass(frozen=True)
class PullCommit:
    """A commit of a pull request: who wrote it, who committed it, what it touched."""

    sha: str
    people: frozenset[str]  # lower-cased logins of its author and committer
    files: frozenset[str]  # paths it changed (both names of a rename)


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

    def pull_commits(self, number: int) -> tuple[PullCommit, ...]:
        """The commits of pull request `number`, each with its people and changed files."""

        def ask() -> tuple[PullCommit, ...]:
            found = []
            for commit in self._repository().get_pull(number).get_commits():
                people = {
                    user.login.lower()
                    for user in (commit.author, commit.committer)
                    if user is not None and user.login and user.login != WEB_FLOW
                }
                files = set()
                for changed in commit.files:
                    files.add(changed.filename)
                    if changed.previous_filename:
                        files.add(changed.previous_filename)
                found.append(PullCommit(commit.sha, frozenset(people), frozenset(files)))
            return tuple(found)

        return self._cached(("pull_commits", str(number)), ask)

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
