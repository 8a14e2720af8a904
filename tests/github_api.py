"""A stand-in for the parts of GitHub's REST API that Clarion and its workflows use.

It answers on 127.0.0.1 as GitHub does (the documented JSON shapes, status
codes, `Link` pagination, error bodies `{"message", "documentation_url",
"status"}`), for one repository:

    GET   /repos/{o}/{r}                            the repository (default_branch)
    GET   /repos/{o}/{r}/commits/{sha}              a commit (from `git_dir`, or one a pull
                                                    request names)
    GET   /repos/{o}/{r}/commits/{sha}/pulls        pull requests associated with a commit
    GET   /repos/{o}/{r}/pulls/{n}                  a pull request
    GET   /repos/{o}/{r}/pulls/{n}/reviews          its reviews, oldest first
    GET   /repos/{o}/{r}/pulls/{n}/files            the files it changed
    GET   /repos/{o}/{r}/contents/{path}?ref=       a file at a commit (base64; over 1 MB:
                                                    encoding "none", as GitHub does)
    GET   /repos/{o}/{r}/git/blobs/{sha}            a blob (base64)
    GET   /orgs/{org}                               an organization (the repository's owner,
                                                    or one with teams)
    GET   /orgs/{org}/teams/{slug}                  a team
    GET   /orgs/{org}/teams/{slug}/members          a team's members (403 or 404 when the
                                                    token may not read the team)
    GET   /repos/{o}/{r}/issues/{n}                 an issue (a pull request is one too)
    GET   /user                                     the token's user (403 for an app token)
    GET   /repos/{o}/{r}/issues/{n}/comments        comments on an issue or pull request
    POST  /repos/{o}/{r}/issues/{n}/comments        {"body"} → 201
    GET   /repos/{o}/{r}/issues/comments/{id}       one comment
    PATCH /repos/{o}/{r}/issues/comments/{id}       {"body"} → 200
    GET   /repos/{o}/{r}/issues                     issues, filtered by state and labels
    POST  /repos/{o}/{r}/issues                     {"title", "body", "labels"} → 201
    PATCH /repos/{o}/{r}/issues/{n}                 {"body", "state", "state_reason", ...}
                                                    (tests/github_issues.py: issues written
                                                    through the API, `written_issues`)
    GET   /__state                                  not GitHub: the state below, plus
                                                    "requests" (["GET /repos/…", …]);
                                                    needs no token

Every other route is 404. Every request but `/__state` needs a known token
(`Authorization: token T`, `Bearer T`, or git's `Basic x-access-token:T`):
none is 401 "Requires authentication", an unknown one 401 "Bad credentials".
List endpoints page with `per_page` (default 30, at most 100) and `page`, and
send `Link` headers (next, last, first, prev) built from the request's Host.

In tests, set the state up with Python methods (`add_pull`, `add_review`,
`set_file`, `add_team`, `add_issue`, `add_comment`, `add_token`) on a started
`GitHubAPI`; file contents not set with `set_file` are read from `git_dir`, a
real repository (bare or not), when one is given, so CODEOWNERS and posts at a
commit are the real ones.

Standalone, for workflow tests run by `act`:

    python -m tests.github_api --state STATE.json --ready-file READY [--port 0]

loads the state from STATE.json, starts on a free 127.0.0.1 port, writes its
base URL (`http://127.0.0.1:PORT`, no newline) to READY once it answers, and
writes the state back to STATE.json (atomically, by rename) after every
comment created or edited, and on SIGTERM/SIGINT, when it stops. `GET /__state`
returns the same JSON at any time.

The state JSON (every key optional):

    {
      "repository": "octo-org/announcements",     # owner/name served
      "default_branch": "main",
      "private": false,
      "tokens": {"ghs_test": "clarion-bot",       # token → its user's login; null: an
                 "ghs_app": null},                #   installation token (/user 403); default
                                                  #   {"ghs_clarion_test_token": "clarion-test"}
      "git_dir": "/path/to/repo",                 # contents fallback (see above)
      "pulls": [{
          "number": 12, "author": "alice", "title": "Announce the sprint",
          "head_sha": "<40 hex>", "base_sha": "<40 hex>",
          "head_ref": "alice/sprint",             # default "pr-12"
          "base_ref": "main",                     # default: default_branch
          "merged": true,                         # false: "state" decides
          "state": "closed",                      # open | closed (merged ⇒ closed)
          "merge_commit_sha": "<40 hex>",         # null if not merged
          "commits": ["<40 hex>", ...],           # other commits associated with it
          "files": ["posts/2026/sprint.md"],
          "reviews": [{"user": "bob", "state": "APPROVED",   # APPROVED | CHANGES_REQUESTED |
                       "commit_id": "<40 hex>",              #   COMMENTED | DISMISSED | PENDING
                       "body": "", "submitted_at": "2026-01-01T00:00:00Z"}]
      }],
      "issues": [7],                              # issue numbers (pulls are issues too)
      "files": [{"ref": "<sha or branch>", "path": ".github/CODEOWNERS",
                 "content": "/posts/ @octo-org/comms\n"}],   # or "base64": "..."
      "teams": [{"org": "octo-org", "slug": "comms", "members": ["bob"],
                 "access": "ok"}],                # ok | forbidden (403) | not_found (404)
      "comments": [{"id": 1, "issue": 12, "user": "github-actions[bot]", "body": "...",
                    "created_at": "...", "updated_at": "..."}]
    }

Comments are made as the token's user (`github-actions[bot]` for a token
mapped to null).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode

from clarion.sandbox.server import Request, Response, StandIn
from tests import github_issues
from tests.github_issues import IssueRecord

DEFAULT_REPOSITORY = "octo-org/announcements"
DEFAULT_TOKEN = "ghs_clarion_test_token"  # opens nothing but this server
DEFAULT_LOGIN = "clarion-test"
APP_LOGIN = "github-actions[bot]"
DOCS = "https://docs.github.com/rest"
CONTENTS_LIMIT = 1024 * 1024  # larger files come with encoding "none" and no content
REVIEW_STATES = ("APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING")
_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _now() -> str:
    return _iso(dt.datetime.now(dt.UTC))


def _id_of(name: str) -> int:
    """A stable numeric id for a login, team or repository name."""
    return int(hashlib.sha1(name.encode()).hexdigest()[:7], 16) + 1000  # noqa: S324


def blob_sha(data: bytes) -> str:
    """Git's object id of a blob holding `data` (what GitHub reports as a file's sha)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324


def error(status: int, message: str, docs: str = DOCS) -> Response:
    return Response.json(
        {"message": message, "documentation_url": docs, "status": str(status)}, status
    )


@dataclass
class Review:
    id: int
    user: str
    state: str
    commit_id: str
    body: str = ""
    submitted_at: str | None = None


@dataclass
class Pull:
    number: int
    author: str
    head_sha: str
    base_sha: str
    head_ref: str
    base_ref: str
    title: str
    merged: bool
    state: str
    merge_commit_sha: str | None
    commits: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    created_at: str = ""
    merged_at: str | None = None

    def associated(self, sha: str) -> bool:
        return sha in (self.head_sha, self.merge_commit_sha, *self.commits)


@dataclass
class Team:
    org: str
    slug: str
    members: list[str]
    access: str = "ok"  # ok | forbidden | not_found


@dataclass
class Comment:
    id: int
    issue: int
    user: str
    body: str
    created_at: str
    updated_at: str


class GitHubAPI(StandIn):
    """GitHub's REST API for one repository, on 127.0.0.1."""

    name = "github"

    def __init__(
        self,
        repository: str = DEFAULT_REPOSITORY,
        *,
        default_branch: str = "main",
        token: str = DEFAULT_TOKEN,
        login: str | None = DEFAULT_LOGIN,
        git_dir: Path | None = None,
        private: bool = False,
        latency: float = 0.0,
    ) -> None:
        super().__init__(latency)
        self.repository = repository
        self.default_branch = default_branch
        self.private = private
        self.git_dir = git_dir
        self.tokens: dict[str, str | None] = {token: login}
        self.pulls: dict[int, Pull] = {}
        self.issues: set[int] = set()
        self.files: dict[tuple[str, str], bytes] = {}
        self.teams: dict[tuple[str, str], Team] = {}
        self.comments: list[Comment] = []
        self.written_issues: dict[int, IssueRecord] = {}  # made through the API
        self.state_file: Path | None = None  # written after every comment change
        self._ids = 0
        for method in ("GET", "POST", "PATCH", "PUT", "DELETE"):
            self.route(method, "/", self._handle, prefix=True)

    # ------------------------------------------------------------ setting up

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def add_token(self, token: str, login: str | None = DEFAULT_LOGIN) -> None:
        """Accept `token`, as `login`'s (None: a GitHub App installation token)."""
        with self._lock:
            self.tokens[token] = login

    def add_pull(
        self,
        number: int,
        head_sha: str,
        base_sha: str,
        *,
        merged: bool = True,
        merge_commit_sha: str | None = None,
        author: str = "octocat",
        base_ref: str | None = None,
        head_ref: str | None = None,
        title: str | None = None,
        state: str | None = None,
        commits: Iterable[str] = (),
        files: Iterable[str] = (),
    ) -> Pull:
        """A pull request; `commits/{sha}/pulls` finds it by its head, merge and `commits`."""
        with self._lock:
            created = _EPOCH + dt.timedelta(minutes=number)
            pull = Pull(
                number=number,
                author=author,
                head_sha=head_sha,
                base_sha=base_sha,
                head_ref=head_ref or f"pr-{number}",
                base_ref=base_ref or self.default_branch,
                title=title or f"Pull request {number}",
                merged=merged,
                state="closed" if merged else (state or "open"),
                merge_commit_sha=merge_commit_sha if merged else None,
                commits=list(commits),
                files=list(files),
                created_at=_iso(created),
                merged_at=_iso(created + dt.timedelta(hours=1)) if merged else None,
            )
            self.pulls[number] = pull
            return pull

    def add_review(
        self,
        number: int,
        user: str,
        state: str = "APPROVED",
        *,
        commit_id: str | None = None,
        body: str = "",
        submitted_at: str | None = None,
    ) -> Review:
        """A review of pull request `number` (on its head commit unless `commit_id`)."""
        if state not in REVIEW_STATES:
            raise ValueError(f"review state {state!r} is not one of {REVIEW_STATES}")
        with self._lock:
            pull = self.pulls[number]
            if submitted_at is None and state != "PENDING":
                later = _EPOCH + dt.timedelta(minutes=number, seconds=len(pull.reviews) + 1)
                submitted_at = _iso(later)
            review = Review(
                self._next_id() + 80_000_000,
                user,
                state,
                commit_id or pull.head_sha,
                body,
                submitted_at if state != "PENDING" else None,
            )
            pull.reviews.append(review)
            return review

    def set_file(self, ref: str, path: str, content: str | bytes) -> None:
        """The file `path` at commit or branch `ref` (over what `git_dir` holds)."""
        data = content.encode() if isinstance(content, str) else content
        with self._lock:
            self.files[(ref, path.strip("/"))] = data

    def add_team(self, org: str, slug: str, members: Iterable[str], *, access: str = "ok") -> Team:
        """A team; `access` "forbidden" (403) or "not_found" (404): the token may not read it."""
        if access not in ("ok", "forbidden", "not_found"):
            raise ValueError(f"access {access!r} is not ok, forbidden or not_found")
        with self._lock:
            team = Team(org, slug, list(members), access)
            self.teams[(org.lower(), slug.lower())] = team
            return team

    def add_issue(self, number: int) -> None:
        with self._lock:
            self.issues.add(number)

    def add_comment(self, issue: int, body: str, user: str = APP_LOGIN) -> Comment:
        with self._lock:
            now = _now()
            comment = Comment(self._next_id() + 1_000_000_000, issue, user, body, now, now)
            self.comments.append(comment)
            return comment

    def next_issue_number(self) -> int:
        """The number GitHub gives the next issue: after every issue and pull request."""
        taken = [*self.pulls, *self.issues, *self.written_issues, 0]
        return max(taken) + 1

    def comments_on(self, issue: int) -> list[Comment]:
        with self._lock:
            return [c for c in self.comments if c.issue == issue]

    def paths_requested(self, prefix: str = "") -> list[str]:
        """ "METHOD /path" of every request so far (starting with `prefix`, if given)."""
        with self._lock:
            lines = [f"{r.method} {r.path}" for r in self.requests]
        return [line for line in lines if line.split(" ", 1)[1].startswith(prefix)]

    # ------------------------------------------------------------ state as JSON

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "repository": self.repository,
                "default_branch": self.default_branch,
                "private": self.private,
                "tokens": dict(self.tokens),
                "git_dir": str(self.git_dir) if self.git_dir else None,
                "pulls": [
                    {
                        "number": p.number,
                        "author": p.author,
                        "title": p.title,
                        "head_sha": p.head_sha,
                        "base_sha": p.base_sha,
                        "head_ref": p.head_ref,
                        "base_ref": p.base_ref,
                        "merged": p.merged,
                        "state": p.state,
                        "merge_commit_sha": p.merge_commit_sha,
                        "commits": list(p.commits),
                        "files": list(p.files),
                        "reviews": [
                            {
                                "user": r.user,
                                "state": r.state,
                                "commit_id": r.commit_id,
                                "body": r.body,
                                "submitted_at": r.submitted_at,
                            }
                            for r in p.reviews
                        ],
                    }
                    for p in sorted(self.pulls.values(), key=lambda p: p.number)
                ],
                "issues": sorted(self.issues),
                "files": [
                    {"ref": ref, "path": path, "base64": base64.b64encode(data).decode()}
                    for (ref, path), data in self.files.items()
                ],
                "teams": [
                    {"org": t.org, "slug": t.slug, "members": list(t.members), "access": t.access}
                    for t in self.teams.values()
                ],
                "comments": [
                    {
                        "id": c.id,
                        "issue": c.issue,
                        "user": c.user,
                        "body": c.body,
                        "created_at": c.created_at,
                        "updated_at": c.updated_at,
                    }
                    for c in self.comments
                ],
            }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> GitHubAPI:
        tokens: Mapping[str, str | None] = state.get("tokens") or {DEFAULT_TOKEN: DEFAULT_LOGIN}
        first, *_ = tokens.items()
        git_dir = state.get("git_dir")
        api = cls(
            state.get("repository", DEFAULT_REPOSITORY),
            default_branch=state.get("default_branch", "main"),
            token=first[0],
            login=first[1],
            git_dir=Path(git_dir) if git_dir else None,
            private=bool(state.get("private", False)),
        )
        for token, login in tokens.items():
            api.add_token(token, login)
        for p in state.get("pulls", ()):
            api.add_pull(
                int(p["number"]),
                p["head_sha"],
                p["base_sha"],
                merged=bool(p.get("merged", True)),
                merge_commit_sha=p.get("merge_commit_sha"),
                author=p.get("author", "octocat"),
                base_ref=p.get("base_ref"),
                head_ref=p.get("head_ref"),
                title=p.get("title"),
                state=p.get("state"),
                commits=p.get("commits", ()),
                files=p.get("files", ()),
            )
            for r in p.get("reviews", ()):
                api.add_review(
                    int(p["number"]),
                    r["user"],
                    r.get("state", "APPROVED"),
                    commit_id=r.get("commit_id"),
                    body=r.get("body", ""),
                    submitted_at=r.get("submitted_at"),
                )
        for number in state.get("issues", ()):
            api.add_issue(int(number))
        for f in state.get("files", ()):
            data = base64.b64decode(f["base64"]) if "base64" in f else f["content"].encode()
            api.set_file(f["ref"], f["path"], data)
        for t in state.get("teams", ()):
            api.add_team(t["org"], t["slug"], t.get("members", ()), access=t.get("access", "ok"))
        for c in state.get("comments", ()):
            comment = api.add_comment(int(c["issue"]), c["body"], c.get("user", APP_LOGIN))
            if "id" in c:
                comment.id = int(c["id"])
                api._ids = max(api._ids, comment.id)
            comment.created_at = c.get("created_at", comment.created_at)
            comment.updated_at = c.get("updated_at", comment.updated_at)
        return api

    def _save(self) -> None:
        if self.state_file is None:
            return
        temporary = self.state_file.with_name(f".{self.state_file.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(self.state(), indent=2) + "\n", encoding="utf-8")
        temporary.replace(self.state_file)

    # ------------------------------------------------------------ answering

    def _handle(self, request: Request) -> Response:
        if request.method == "GET" and request.path == "/__state":
            return Response.json({**self.state(), "requests": self.paths_requested()})
        login, refusal = self._authenticate(request)
        if refusal is not None:
            return refusal
        base = f"http://{request.header('Host') or '127.0.0.1'}"
        answer = _Answer(self, request, base, login)
        return answer.route()

    def _authenticate(self, request: Request) -> tuple[str | None, Response | None]:
        header = request.header("Authorization")
        if not header:
            return None, error(401, "Requires authentication")
        scheme, _, value = header.partition(" ")
        token = value.strip()
        if scheme.lower() == "basic":
            try:
                token = base64.b64decode(token).decode().partition(":")[2]
            except (ValueError, UnicodeDecodeError):
                token = ""
        elif scheme.lower() not in ("token", "bearer"):
            token = ""
        if token not in self.tokens:
            return None, error(401, "Bad credentials")
        return self.tokens[token], None

    # ------------------------------------------------------------ files

    def file_at(self, ref: str, path: str) -> bytes | None:
        path = path.strip("/")
        if (ref, path) in self.files:
            return self.files[(ref, path)]
        if self.git_dir is None or not path:
            return None
        proc = subprocess.run(
            ["git", "-C", str(self.git_dir), "cat-file", "blob", f"{ref}:{path}"],
            capture_output=True,
            check=False,
        )
        return proc.stdout if proc.returncode == 0 else None

    def commit_fields(self, sha: str) -> dict[str, Any] | None:
        """A commit of `git_dir`: sha, parents, author name, message, date; None if unknown."""
        if self.git_dir is None:
            return None
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(self.git_dir),
                "show",
                "-s",
                "--format=%H%x00%P%x00%an%x00%cn%x00%aI%x00%B",
                f"{sha}^{{commit}}",
                "--",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            return None
        full, parents, author, committer, date, message = proc.stdout.split("\0", 5)
        when = dt.datetime.fromisoformat(date) if date else _EPOCH
        return {
            "sha": full,
            "parents": parents.split(),
            "author": author,
            "committer": committer,
            "files": self._changed(full, parents.split()),
            "date": _iso(when),
            "message": message.rstrip("\n"),
        }

    def _changed(self, sha: str, parents: list[str]) -> list[dict[str, str]]:
        """The files a commit changed, against its first parent, as GitHub lists them."""
        against = [parents[0], sha] if parents else ["--root", sha]
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(self.git_dir),
                "diff-tree",
                "-r",
                "-M",
                "--name-status",
                "-z",
                *against,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        fields = [f for f in proc.stdout.split("\0") if f]
        if not parents:
            fields = fields[1:]  # --root prints the commit first
        files = []
        i = 0
        while i < len(fields):
            status = fields[i]
            if status.startswith("R"):
                files.append(
                    {
                        "status": "renamed",
                        "previous_filename": fields[i + 1],
                        "filename": fields[i + 2],
                    }
                )
                i += 3
            else:
                files.append({"status": "modified", "filename": fields[i + 1]})
                i += 2
        return files

    def pull_commit_shas(self, pull: Pull) -> list[str]:
        """The commits of a pull request, oldest first: from git when it has them."""
        if self.git_dir is not None:
            proc = subprocess.run(
                [
                    "git",
                    "-C",
                    str(self.git_dir),
                    "rev-list",
                    "--reverse",
                    f"{pull.base_sha}..{pull.head_sha}",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode == 0 and proc.stdout.strip():
                return proc.stdout.split()
        return [*pull.commits, pull.head_sha]

    def blob(self, sha: str) -> bytes | None:
        for data in self.files.values():
            if blob_sha(data) == sha:
                return data
        if self.git_dir is None or not re.fullmatch(r"[0-9a-f]{40}", sha):
            return None
        proc = subprocess.run(
            ["git", "-C", str(self.git_dir), "cat-file", "blob", sha],
            capture_output=True,
            check=False,
        )
        return proc.stdout if proc.returncode == 0 else None


_REPO = r"/repos/(?P<o>[^/]+)/(?P<r>[^/]+)"


class _Answer:
    """One request, routed; GitHub's JSON built with the request's own base URL."""

    ROUTES: tuple[tuple[str, str, str], ...] = (
        ("GET", r"/user", "user"),
        ("GET", _REPO, "repository"),
        ("GET", _REPO + r"/commits/(?P<sha>[^/]+)", "commit"),
        ("GET", _REPO + r"/commits/(?P<sha>[^/]+)/pulls", "commit_pulls"),
        ("GET", _REPO + r"/pulls/(?P<n>\d+)", "pull"),
        ("GET", _REPO + r"/pulls/(?P<n>\d+)/reviews", "reviews"),
        ("GET", _REPO + r"/pulls/(?P<n>\d+)/files", "pull_files"),
        ("GET", _REPO + r"/pulls/(?P<n>\d+)/commits", "pull_commits"),
        ("GET", _REPO + r"/contents(?:/(?P<path>.*))?", "contents"),
        ("GET", _REPO + r"/git/blobs/(?P<sha>[^/]+)", "git_blob"),
        ("GET", r"/orgs/(?P<org>[^/]+)", "organization"),
        ("GET", r"/orgs/(?P<org>[^/]+)/teams/(?P<slug>[^/]+)", "team"),
        ("GET", r"/orgs/(?P<org>[^/]+)/teams/(?P<slug>[^/]+)/members", "team_members"),
        # The URL a team object names itself by (PyGithub follows it when not lazy).
        (
            "GET",
            r"/organizations/(?P<org_id>\d+)/team/(?P<team_id>\d+)/members",
            "team_members_by_id",
        ),
        ("GET", _REPO + r"/issues/(?P<n>\d+)", "issue"),
        ("GET", _REPO + r"/issues/(?P<n>\d+)/comments", "list_comments"),
        ("POST", _REPO + r"/issues/(?P<n>\d+)/comments", "create_comment"),
        ("GET", _REPO + r"/issues/comments/(?P<id>\d+)", "get_comment"),
        ("PATCH", _REPO + r"/issues/comments/(?P<id>\d+)", "update_comment"),
        ("GET", _REPO + r"/issues", "list_issues"),
        ("POST", _REPO + r"/issues", "create_issue"),
        ("PATCH", _REPO + r"/issues/(?P<n>\d+)", "update_issue"),
    )

    def __init__(self, api: GitHubAPI, request: Request, base: str, login: str | None) -> None:
        self.api = api
        self.request = request
        self.base = base
        self.login = login
        self.repo_url = f"{base}/repos/{api.repository}"
        self.html = f"https://github.com/{api.repository}"

    def route(self) -> Response:
        path = self.request.path.rstrip("/") or "/"
        for method, pattern, name in self.ROUTES:
            match = re.fullmatch(pattern, path)
            if match is None or method != self.request.method:
                continue
            groups = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
            if (
                "o" in groups
                and f"{groups['o']}/{groups['r']}".lower() != self.api.repository.lower()
            ):
                return error(404, "Not Found")
            handler = getattr(self, name)
            response: Response = handler(**{k: v for k, v in groups.items() if k not in ("o", "r")})
            return self._with_rate_headers(response)
        return error(404, "Not Found")

    @staticmethod
    def _with_rate_headers(response: Response) -> Response:
        reset = int(dt.datetime.now(dt.UTC).timestamp()) + 3600
        response.headers.update(
            {
                "X-RateLimit-Limit": "5000",
                "X-RateLimit-Remaining": "4999",
                "X-RateLimit-Reset": str(reset),
                "X-RateLimit-Used": "1",
                "X-RateLimit-Resource": "core",
                "X-GitHub-Api-Version-Selected": "2022-11-28",
            }
        )
        return response

    # ------------------------------------------------------------ shapes

    def user(self, login: str | None = None) -> Response:
        if login is None:
            if self.login is None:
                return error(
                    403,
                    "Resource not accessible by integration",
                    "https://docs.github.com/rest/users/users#get-the-authenticated-user",
                )
            return Response.json({**self._user(self.login), "name": self.login})
        return Response.json(self._user(login))

    def _user(self, login: str) -> dict[str, Any]:
        url = f"{self.base}/users/{login}"
        return {
            "login": login,
            "id": _id_of(login),
            "node_id": f"U_{_id_of(login)}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{_id_of(login)}?v=4",
            "gravatar_id": "",
            "url": url,
            "html_url": f"https://github.com/{login}",
            "followers_url": f"{url}/followers",
            "following_url": f"{url}/following{{/other_user}}",
            "gists_url": f"{url}/gists{{/gist_id}}",
            "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{url}/subscriptions",
            "organizations_url": f"{url}/orgs",
            "repos_url": f"{url}/repos",
            "events_url": f"{url}/events{{/privacy}}",
            "received_events_url": f"{url}/received_events",
            "type": "Bot" if login.endswith("[bot]") else "User",
            "user_view_type": "public",
            "site_admin": False,
        }

    def _repo(self) -> dict[str, Any]:
        owner, name = self.api.repository.split("/", 1)
        url = self.repo_url
        return {
            "id": _id_of(self.api.repository),
            "node_id": f"R_{_id_of(self.api.repository)}",
            "name": name,
            "full_name": self.api.repository,
            "private": self.api.private,
            "owner": {**self._user(owner), "type": "Organization"},
            "html_url": self.html,
            "description": None,
            "fork": False,
            "url": url,
            "pulls_url": f"{url}/pulls{{/number}}",
            "issues_url": f"{url}/issues{{/number}}",
            "commits_url": f"{url}/commits{{/sha}}",
            "contents_url": f"{url}/contents/{{+path}}",
            "git_url": f"git://github.com/{self.api.repository}.git",
            "clone_url": f"{self.html}.git",
            "created_at": _iso(_EPOCH),
            "updated_at": _iso(_EPOCH),
            "pushed_at": _iso(_EPOCH),
            "visibility": "private" if self.api.private else "public",
            "default_branch": self.api.default_branch,
            "archived": False,
            "disabled": False,
            "has_issues": True,
            "permissions": {
                "admin": False,
                "maintain": False,
                "push": True,
                "triage": True,
                "pull": True,
            },
        }

    def _pull(self, pull: Pull, *, full: bool) -> dict[str, Any]:
        url = f"{self.repo_url}/pulls/{pull.number}"
        issue = f"{self.repo_url}/issues/{pull.number}"
        html = f"{self.html}/pull/{pull.number}"
        data: dict[str, Any] = {
            "url": url,
            "id": 100_000 + pull.number,
            "node_id": f"PR_{100_000 + pull.number}",
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": issue,
            "number": pull.number,
            "state": pull.state,
            "locked": False,
            "title": pull.title,
            "user": self._user(pull.author),
            "body": None,
            "created_at": pull.created_at,
            "updated_at": pull.merged_at or pull.created_at,
            "closed_at": pull.merged_at if pull.state == "closed" else None,
            "merged_at": pull.merged_at,
            "merge_commit_sha": pull.merge_commit_sha,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "labels": [],
            "milestone": None,
            "draft": False,
            "commits_url": f"{url}/commits",
            "review_comments_url": f"{url}/comments",
            "review_comment_url": f"{self.repo_url}/pulls/comments{{/number}}",
            "comments_url": f"{issue}/comments",
            "statuses_url": f"{self.repo_url}/statuses/{pull.head_sha}",
            "head": self._branch(pull.head_ref, pull.head_sha, pull.author),
            "base": self._branch(pull.base_ref, pull.base_sha, self.api.repository.split("/")[0]),
            "_links": {
                "self": {"href": url},
                "html": {"href": html},
                "issue": {"href": issue},
                "comments": {"href": f"{issue}/comments"},
                "review_comments": {"href": f"{url}/comments"},
                "review_comment": {"href": f"{self.repo_url}/pulls/comments{{/number}}"},
                "commits": {"href": f"{url}/commits"},
                "statuses": {"href": f"{self.repo_url}/statuses/{pull.head_sha}"},
            },
            "author_association": "CONTRIBUTOR",
            "auto_merge": None,
            "active_lock_reason": None,
        }
        if full:
            data.update(
                {
                    "merged": pull.merged,
                    "mergeable": None,
                    "rebaseable": None,
                    "mergeable_state": "unknown",
                    "merged_by": self._user(DEFAULT_LOGIN) if pull.merged else None,
                    "comments": len(self.api.comments_on(pull.number)),
                    "review_comments": 0,
                    "maintainer_can_modify": False,
                    "commits": 1 + len(pull.commits),
                    "additions": 0,
                    "deletions": 0,
                    "changed_files": len(pull.files),
                }
            )
        return data

    def _branch(self, ref: str, sha: str, owner: str) -> dict[str, Any]:
        return {
            "label": f"{owner}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": self._user(owner),
            "repo": self._repo(),
        }

    def _review(self, pull: Pull, review: Review) -> dict[str, Any]:
        html = f"{self.html}/pull/{pull.number}#pullrequestreview-{review.id}"
        data: dict[str, Any] = {
            "id": review.id,
            "node_id": f"PRR_{review.id}",
            "user": self._user(review.user),
            "body": review.body,
            "state": review.state,
            "html_url": html,
            "pull_request_url": f"{self.repo_url}/pulls/{pull.number}",
            "author_association": "MEMBER",
            "_links": {
                "html": {"href": html},
                "pull_request": {"href": f"{self.repo_url}/pulls/{pull.number}"},
            },
            "commit_id": review.commit_id,
        }
        if review.submitted_at is not None:
            data["submitted_at"] = review.submitted_at
        return data

    def _comment(self, comment: Comment) -> dict[str, Any]:
        url = f"{self.repo_url}/issues/comments/{comment.id}"
        kind = "pull" if comment.issue in self.api.pulls else "issues"
        return {
            "id": comment.id,
            "node_id": f"IC_{comment.id}",
            "url": url,
            "html_url": f"{self.html}/{kind}/{comment.issue}#issuecomment-{comment.id}",
            "body": comment.body,
            "user": self._user(comment.user),
            "created_at": comment.created_at,
            "updated_at": comment.updated_at,
            "issue_url": f"{self.repo_url}/issues/{comment.issue}",
            "author_association": "NONE" if comment.user.endswith("[bot]") else "MEMBER",
            "performed_via_github_app": None,
            "reactions": {
                "url": f"{url}/reactions",
                "total_count": 0,
                "+1": 0,
                "-1": 0,
                "laugh": 0,
                "hooray": 0,
                "confused": 0,
                "heart": 0,
                "rocket": 0,
                "eyes": 0,
            },
        }

    def _page(self, items: list[Any]) -> Response:
        """One page of `items`, with GitHub's `Link` header."""
        query = self.request.query
        try:
            per_page = int(query.get("per_page", ["30"])[0])
            page = int(query.get("page", ["1"])[0])
        except ValueError:
            return error(422, "Invalid request.")
        per_page = min(max(per_page, 1), 100)
        page = max(page, 1)
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        headers: dict[str, str] = {}
        links = []
        others = {k: v[0] for k, v in query.items() if k not in ("page", "per_page")}

        def link(number: int, rel: str) -> str:
            params = urlencode({**others, "per_page": per_page, "page": number})
            return f'<{self.base}{self.request.path}?{params}>; rel="{rel}"'

        if page > 1:
            links += [link(page - 1, "prev"), link(1, "first")]
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if links:
            headers["Link"] = ", ".join(links)
        return Response.json(chunk, headers=headers)

    def _find_pull(self, n: str) -> Pull | None:
        return self.api.pulls.get(int(n))

    # ------------------------------------------------------------ endpoints

    def repository(self) -> Response:
        return Response.json(self._repo())

    def commit_pulls(self, sha: str) -> Response:
        pulls = [p for p in self.api.pulls.values() if p.associated(sha)]
        unknown = self.api.git_dir is not None and self.api.commit_fields(sha) is None
        if not pulls and (unknown or not re.fullmatch(r"[0-9a-fA-F]{7,40}", sha)):
            return error(
                422,
                f"No commit found for SHA: {sha}",
                "https://docs.github.com/rest/commits/commits"
                "#list-pull-requests-associated-with-a-commit",
            )
        pulls.sort(key=lambda p: p.number, reverse=True)
        return self._page([self._pull(p, full=False) for p in pulls])

    def pull(self, n: str) -> Response:
        pull = self._find_pull(n)
        if pull is None:
            return error(
                404, "Not Found", "https://docs.github.com/rest/pulls/pulls#get-a-pull-request"
            )
        return Response.json(self._pull(pull, full=True))

    def reviews(self, n: str) -> Response:
        pull = self._find_pull(n)
        if pull is None:
            return error(404, "Not Found")
        # A pending review is seen only by its author.
        visible = [r for r in pull.reviews if r.state != "PENDING" or r.user == self.login]
        return self._page([self._review(pull, r) for r in visible])

    def pull_files(self, n: str) -> Response:
        pull = self._find_pull(n)
        if pull is None:
            return error(404, "Not Found")
        files = []
        for name in pull.files:
            data = self.api.file_at(pull.head_sha, name)
            files.append(
                {
                    "sha": blob_sha(data) if data is not None else None,
                    "filename": name,
                    "status": "modified" if data is not None else "removed",
                    "additions": 0,
                    "deletions": 0,
                    "changes": 0,
                    "blob_url": f"{self.html}/blob/{pull.head_sha}/{name}",
                    "raw_url": f"{self.html}/raw/{pull.head_sha}/{name}",
                    "contents_url": f"{self.repo_url}/contents/{name}?ref={pull.head_sha}",
                }
            )
        return self._page(files)

    def contents(self, path: str = "") -> Response:
        ref = self.request.query.get("ref", [self.api.default_branch])[0]
        docs = "https://docs.github.com/rest/repos/contents#get-repository-content"
        data = self.api.file_at(ref, path)
        if data is None:
            return error(404, "Not Found", docs)
        sha = blob_sha(data)
        name = path.rsplit("/", 1)[-1]
        url = f"{self.repo_url}/contents/{path}?ref={ref}"
        git_url = f"{self.repo_url}/git/blobs/{sha}"
        html_url = f"{self.html}/blob/{ref}/{path}"
        small = len(data) <= CONTENTS_LIMIT
        encoded = base64.encodebytes(data).decode("ascii") if small else ""
        return Response.json(
            {
                "type": "file",
                "encoding": "base64" if small else "none",
                "size": len(data),
                "name": name,
                "path": path,
                "content": encoded,
                "sha": sha,
                "url": url,
                "git_url": git_url,
                "html_url": html_url,
                "download_url": f"https://raw.githubusercontent.com/{self.api.repository}/{ref}/{path}",
                "_links": {"self": url, "git": git_url, "html": html_url},
            }
        )

    def git_blob(self, sha: str) -> Response:
        data = self.api.blob(sha)
        if data is None:
            return error(404, "Not Found", "https://docs.github.com/rest/git/blobs#get-a-blob")
        return Response.json(
            {
                "sha": sha,
                "node_id": f"B_{sha[:12]}",
                "size": len(data),
                "url": f"{self.repo_url}/git/blobs/{sha}",
                "content": base64.encodebytes(data).decode("ascii"),
                "encoding": "base64",
            }
        )

    def commit(self, sha: str) -> Response:
        docs = "https://docs.github.com/rest/commits/commits#get-a-commit"
        fields = self.api.commit_fields(sha)
        if fields is None:
            named = any(p.associated(sha) for p in self.api.pulls.values())
            if not named:
                return error(422, f"No commit found for SHA: {sha}", docs)
            fields = {"sha": sha, "parents": [], "author": "octocat", "message": "", "date": ""}
        return Response.json(self._commit_json(fields))

    def _commit_json(self, fields: dict[str, Any]) -> dict[str, Any]:
        full = fields["sha"]
        url = f"{self.repo_url}/commits/{full}"
        committer = fields.get("committer") or fields["author"]
        person = {
            "name": fields["author"],
            "email": f"{fields['author']}@example.org",
            "date": fields["date"] or _iso(_EPOCH),
        }
        return {
            "sha": full,
            "node_id": f"C_{full[:12]}",
            "url": url,
            "html_url": f"{self.html}/commit/{full}",
            "comments_url": f"{url}/comments",
            "commit": {
                "url": f"{self.repo_url}/git/commits/{full}",
                "author": person,
                "committer": person,
                "message": fields["message"],
                "comment_count": 0,
            },
            "author": self._user(fields["author"]),
            "committer": self._user(committer),
            "parents": [
                {"sha": parent, "url": f"{self.repo_url}/commits/{parent}"}
                for parent in fields["parents"]
            ],
            "files": fields.get("files", []),
        }

    def pull_commits(self, n: str) -> Response:
        pull = self._find_pull(n)
        if pull is None:
            return error(404, "Not Found")
        found = []
        for sha in self.api.pull_commit_shas(pull):
            fields = self.api.commit_fields(sha) or {
                "sha": sha,
                "parents": [],
                "author": pull.author,
                "message": "",
                "date": "",
            }
            found.append(self._commit_json(fields))
        return self._page(found)

    def organization(self, org: str) -> Response:
        known = {self.api.repository.split("/")[0].lower()} | {o for o, _ in self.api.teams}
        if org.lower() not in known:
            return error(
                404, "Not Found", "https://docs.github.com/rest/orgs/orgs#get-an-organization"
            )
        url = f"{self.base}/orgs/{org}"
        return Response.json(
            {
                "login": org,
                "id": _id_of(org),
                "node_id": f"O_{_id_of(org)}",
                "url": url,
                "repos_url": f"{url}/repos",
                "members_url": f"{url}/members{{/member}}",
                "html_url": f"https://github.com/{org}",
                "type": "Organization",
            }
        )

    def _team_or_refusal(self, org: str, slug: str, docs: str) -> Team | Response:
        team = self.api.teams.get((org.lower(), slug.lower()))
        if team is None or team.access == "not_found":
            return error(404, "Not Found", docs)
        if team.access == "forbidden":
            return error(403, "Resource not accessible by integration", docs)
        return team

    def team(self, org: str, slug: str) -> Response:
        found = self._team_or_refusal(
            org, slug, "https://docs.github.com/rest/teams/teams#get-a-team-by-name"
        )
        if isinstance(found, Response):
            return found
        team_id = _id_of(f"{found.org.lower()}/{found.slug.lower()}")
        url = f"{self.base}/organizations/{_id_of(found.org.lower())}/team/{team_id}"
        return Response.json(
            {
                "id": team_id,
                "node_id": f"T_{team_id}",
                "url": url,
                "html_url": f"https://github.com/orgs/{org}/teams/{slug}",
                "name": slug,
                "slug": slug,
                "description": None,
                "privacy": "closed",
                "notification_setting": "notifications_enabled",
                "permission": "pull",
                "members_url": f"{url}/members{{/member}}",
                "repositories_url": f"{url}/repos",
                "parent": None,
                "members_count": len(found.members),
                "repos_count": 1,
                "organization": json.loads(self.organization(org).body),
            }
        )

    def list_issues(self) -> Response:
        return github_issues.list_issues(self)

    def create_issue(self) -> Response:
        return github_issues.create_issue(self)

    def update_issue(self, n: str) -> Response:
        return github_issues.update_issue(self, n)

    def issue(self, n: str) -> Response:
        written = self.api.written_issues.get(int(n))
        if written is not None:
            return Response.json(github_issues.issue_json(self, written))
        if not self._issue_exists(n):
            return error(
                404, "Not Found", "https://docs.github.com/rest/issues/issues#get-an-issue"
            )
        number = int(n)
        pull = self.api.pulls.get(number)
        url = f"{self.repo_url}/issues/{number}"
        data: dict[str, Any] = {
            "url": url,
            "repository_url": self.repo_url,
            "comments_url": f"{url}/comments",
            "html_url": f"{self.html}/{'pull' if pull else 'issues'}/{number}",
            "id": 200_000 + number,
            "node_id": f"I_{200_000 + number}",
            "number": number,
            "title": pull.title if pull else f"Issue {number}",
            "user": self._user(pull.author if pull else "octocat"),
            "labels": [],
            "state": pull.state if pull else "open",
            "locked": False,
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "comments": len(self.api.comments_on(number)),
            "created_at": pull.created_at if pull else _iso(_EPOCH),
            "updated_at": pull.created_at if pull else _iso(_EPOCH),
            "closed_at": pull.merged_at if pull else None,
            "author_association": "CONTRIBUTOR",
            "body": None,
        }
        if pull is not None:
            pull_url = f"{self.repo_url}/pulls/{number}"
            data["pull_request"] = {
                "url": pull_url,
                "html_url": f"{self.html}/pull/{number}",
                "diff_url": f"{self.html}/pull/{number}.diff",
                "patch_url": f"{self.html}/pull/{number}.patch",
                "merged_at": pull.merged_at,
            }
        return Response.json(data)

    def team_members(self, org: str, slug: str) -> Response:
        found = self._team_or_refusal(
            org, slug, "https://docs.github.com/rest/teams/members#list-team-members"
        )
        if isinstance(found, Response):
            return found
        return self._page([self._user(member) for member in found.members])

    def team_members_by_id(self, org_id: str, team_id: str) -> Response:
        for org, slug in list(self.api.teams):
            if _id_of(org) == int(org_id) and _id_of(f"{org}/{slug}") == int(team_id):
                team = self.api.teams[(org, slug)]
                return self.team_members(team.org, team.slug)
        return error(
            404, "Not Found", "https://docs.github.com/rest/teams/members#list-team-members"
        )

    def _issue_exists(self, n: str) -> bool:
        number = int(n)
        return (
            number in self.api.pulls
            or number in self.api.issues
            or number in self.api.written_issues
        )

    def list_comments(self, n: str) -> Response:
        if not self._issue_exists(n):
            return error(
                404, "Not Found", "https://docs.github.com/rest/issues/comments#list-issue-comments"
            )
        return self._page([self._comment(c) for c in self.api.comments_on(int(n))])

    def _body(self) -> str | Response:
        try:
            data = self.request.json()
        except (ValueError, UnicodeDecodeError):
            return error(400, "Problems parsing JSON")
        if not isinstance(data, dict) or not isinstance(data.get("body"), str):
            return error(422, 'Invalid request.\n\n"body" wasn\'t supplied.')
        body: str = data["body"]
        return body

    def create_comment(self, n: str) -> Response:
        if not self._issue_exists(n):
            return error(
                404,
                "Not Found",
                "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
            )
        body = self._body()
        if isinstance(body, Response):
            return body
        comment = self.api.add_comment(int(n), body, self.login or APP_LOGIN)
        self.api._save()
        data = self._comment(comment)
        return Response.json(data, 201, headers={"Location": data["url"]})

    def _find_comment(self, id: str) -> Comment | None:
        return next((c for c in self.api.comments if c.id == int(id)), None)

    def get_comment(self, id: str) -> Response:
        comment = self._find_comment(id)
        if comment is None:
            return error(
                404,
                "Not Found",
                "https://docs.github.com/rest/issues/comments#get-an-issue-comment",
            )
        return Response.json(self._comment(comment))

    def update_comment(self, id: str) -> Response:
        comment = self._find_comment(id)
        if comment is None:
            return error(
                404,
                "Not Found",
                "https://docs.github.com/rest/issues/comments#update-an-issue-comment",
            )
        body = self._body()
        if isinstance(body, Response):
            return body
        comment.body = body
        comment.updated_at = _now()
        self.api._save()
        return Response.json(self._comment(comment))


# ---------------------------------------------------------------- standalone


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.github_api", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument(
        "--state", type=Path, required=True, help="the state JSON (read and written)"
    )
    parser.add_argument("--ready-file", type=Path, required=True, help="receives the base URL")
    parser.add_argument("--port", type=int, default=0, help="only 0: a free port is chosen")
    args = parser.parse_args(argv)
    if args.port != 0:
        parser.error("only --port 0 is supported: read the chosen URL from --ready-file")
    state = json.loads(args.state.read_text(encoding="utf-8")) if args.state.exists() else {}
    api = GitHubAPI.from_state(state)
    api.state_file = args.state
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    api.start()
    try:
        with api._lock:
            api._save()
        ready = args.ready_file.with_name(f".{args.ready_file.name}.tmp")
        ready.write_text(api.url, encoding="utf-8")
        ready.replace(args.ready_file)  # whole or absent: the reader never sees half a URL
        print(f"GitHub API stand-in for {api.repository} on {api.url}", file=sys.stderr, flush=True)
        stop.wait()
    finally:
        api.stop()
        with api._lock:
            api._save()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
