"""A repository and its GitHub, for the approval gate's tests.

`remote.git` plays GitHub's copy of the repository: branches of pull requests
are pushed to `refs/pull/N/head` there, as GitHub keeps them, so a clone of
`main` has a pull request's own commits only when they were merged with a
merge commit. The `GitHubAPI` stand-in reads files from it. People work in the
`people` clone; the publisher's checkout is `work`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from clarion.approval import approval_gate
from clarion.post import Post, read_post
from clarion.settings import load_settings
from tests.github_api import DEFAULT_TOKEN, GitHubAPI

REPOSITORY = "octo-org/announcements"

PYPROJECT = """\
[project]
name = "announcements"
version = "0"

[tool.clarion]
posts = "posts"
platforms = ["bluesky", "mastodon", "x"]
require_approval = true
timeout = 2
retries = 2
retry_backoff = 0.05
max_retry_wait = 2

[tool.clarion.accounts.bluesky]
handle = "example.test"

[tool.clarion.accounts.mastodon]
instance = "https://mastodon.example"

[tool.clarion.accounts.x]
handle = "example"
"""

CODEOWNERS = """\
# Posts are approved by the communications team.
/posts/        @bob @octo-org/comms
/.github/      @admin
"""

POST = """\
---
lang: en
---
The winter sprint starts on Monday! #Clarion
"""

RECEIPTS = """\
published:
  bluesky:
    - id: "at://did:plc:abc/app.bsky.feed.post/3l"
      url: https://bsky.app/profile/example.test/post/3l
      at: 2026-12-01T15:00:04Z
"""

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415478da63606060000000040001f61738550000000049454e44ae426082"
)


def git(cwd: Path, *args: str, author: str = "admin") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": f"{author}@example.org",
        "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": f"{author}@example.org",
    }
    proc = subprocess.run(
        ["git", "-C", str(cwd), *args], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {proc.stderr}")
    return proc.stdout.strip()


def with_receipts(text: str) -> str:
    """`text` with a `published:` block added to its front matter, as the publisher writes it."""
    head, _, rest = text[4:].partition("\n---\n")
    return f"---\n{head}\n{RECEIPTS.rstrip()}\n---\n{rest}"


Files = Mapping[str, str | bytes | None]  # path → content; None deletes


@dataclass
class PR:
    number: int
    author: str
    branch: str
    base_sha: str
    commits: list[str] = field(default_factory=list)
    merge_sha: str | None = None

    @property
    def head(self) -> str:
        return self.commits[-1]


@dataclass
class GateWorld:
    base: Path
    api: GitHubAPI
    remote: Path = field(init=False)
    people: Path = field(init=False)
    work: Path = field(init=False)
    _pending: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.remote = self.base / "remote.git"
        self.people = self.base / "people"
        self.work = self.base / "work"

    def setup(self, codeowners: str | None = CODEOWNERS) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        git(self.base, "init", "-q", "--bare", "-b", "main", str(self.remote))
        git(self.base, "clone", "-q", str(self.remote), str(self.people))
        files: dict[str, str | bytes | None] = {
            "pyproject.toml": PYPROJECT,
            "posts/README.md": "# Posts\n",
        }
        if codeowners is not None:
            files[".github/CODEOWNERS"] = codeowners
        self._write(self.people, files)
        git(self.people, "add", "-A")
        git(self.people, "commit", "-qm", "Start the repository")
        git(self.people, "push", "-q", "origin", "HEAD:refs/heads/main")
        git(self.base, "clone", "-q", str(self.remote), str(self.work))

    # ------------------------------------------------------------ people

    @staticmethod
    def _write(root: Path, files: Files) -> None:
        for name, content in files.items():
            path = root / name
            if content is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")

    def _head(self) -> str:
        """HEAD of the `people` clone, read from its files (no git process: tests stay fast)."""
        git_dir = self.people / ".git"
        head = (git_dir / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            return (git_dir / head[5:]).read_text().strip()
        return head

    def _main(self) -> str:
        git(self.people, "checkout", "-q", "main")
        return self._head()

    def _commit(self, files: Files, message: str, author: str) -> str:
        self._write(self.people, files)
        git(self.people, "add", "-A")
        git(self.people, "commit", "-qm", message, author=author)
        return self._head()

    def _push(self, refspec: str) -> None:
        """Pushed to "GitHub" with the next `sync`, in one go."""
        self._pending.append(refspec)

    def push_direct(self, files: Files, author: str = "admin", message: str = "Edit") -> str:
        """A commit pushed straight to main, with no pull request."""
        self._main()
        sha = self._commit(files, message, author)
        self._push("main")
        return sha

    def open_pr(self, number: int, author: str, files: Files, message: str = "") -> PR:
        base = self._main()
        branch = f"{author}/pr-{number}"
        git(self.people, "checkout", "-q", "-b", branch)
        sha = self._commit(files, message or f"Change for #{number}", author)
        self._push(f"+{branch}:refs/pull/{number}/head")
        pr = PR(number, author, branch, base, [sha])
        self.api.add_pull(number, sha, base, merged=False, author=author, head_ref=branch)
        return pr

    def push_to_pr(self, pr: PR, files: Files, author: str | None = None) -> str:
        """A commit pushed to the pull request's branch (by its author unless `author`)."""
        git(self.people, "checkout", "-q", pr.branch)
        sha = self._commit(files, f"More for #{pr.number}", author or pr.author)
        self._push(f"+{pr.branch}:refs/pull/{pr.number}/head")
        pr.commits.append(sha)
        pull = self.api.pulls[pr.number]
        pull.commits.append(pull.head_sha)  # GitHub finds a pull request by any of its commits
        pull.head_sha = sha
        return sha

    def review(self, pr: PR, user: str, state: str = "APPROVED") -> None:
        self.api.add_review(pr.number, user, state)

    def merge(self, pr: PR, strategy: str = "merge", resolution: Files | None = None) -> str:
        """Merge `pr` into main on "GitHub": a merge commit, a squash, or a rebase.

        With `resolution`, the merge commit holds those files as the person
        merging wrote them (as when resolving a conflict), not the branch's.
        """
        before = self._main()
        pull = self.api.pulls[pr.number]
        if resolution is not None:
            git(self.people, "merge", "-q", "--no-ff", "--no-commit", pr.branch)
            self._write(self.people, resolution)
            git(self.people, "add", "-A")
            git(self.people, "commit", "-qm", f"Merge pull request #{pr.number}")
        elif strategy == "merge":
            git(
                self.people,
                "merge",
                "-q",
                "--no-ff",
                "-m",
                f"Merge pull request #{pr.number}",
                pr.branch,
            )
        elif strategy == "squash":
            git(self.people, "merge", "-q", "--squash", pr.branch)
            git(self.people, "commit", "-qm", f"Change (#{pr.number})", author=pr.author)
        elif strategy == "rebase":
            git(self.people, "cherry-pick", f"{pr.base_sha}..{pr.branch}", author=pr.author)
            pull.commits += git(self.people, "rev-list", "--reverse", f"{before}..HEAD").split()
        else:
            raise ValueError(strategy)
        merged = self._head()
        self._push("main")
        pr.merge_sha = merged
        pull.merged = True
        pull.state = "closed"
        pull.merge_commit_sha = merged
        pull.merged_at = "2026-01-02T00:00:00Z"
        return merged

    def approved_post(
        self,
        number: int,
        name: str,
        text: str = POST,
        *,
        author: str = "alice",
        approver: str = "bob",
    ) -> PR:
        """A post added by `author` in pull request `number`, approved by `approver`, merged."""
        pr = self.open_pr(number, author, {f"posts/{name}": text})
        self.review(pr, approver)
        self.merge(pr)
        return pr

    # ------------------------------------------------------------ the publisher

    def sync(self) -> None:
        """Push what people did to "GitHub", and bring the publisher's checkout up to date."""
        if self._pending:
            git(self.people, "push", "-q", "origin", *dict.fromkeys(self._pending))
            self._pending.clear()
        git(self.work, "pull", "-q", "--ff-only", "origin", "main")

    def env(self, **overrides: str) -> dict[str, str]:
        env = {"GITHUB_REPOSITORY": REPOSITORY, "GITHUB_TOKEN": DEFAULT_TOKEN, **overrides}
        if "GITHUB_API_URL" not in env:
            env["GITHUB_API_URL"] = self.api.url
        return env

    def post(self, name: str) -> Post:
        return read_post(self.work / "posts" / name, self.work)

    def judge(self, *names: str, **env: str) -> list[str | None]:
        """The gate's answer for each post, in one run (one gate, as `clarion publish` has)."""
        self.sync()
        gate = approval_gate(load_settings(self.work), self.env(**env))
        return [gate(self.post(name)) for name in names]
