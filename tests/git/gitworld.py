"""Real git for the gitrepo tests: a bare repository as the remote and clones
of it, as the publisher and as other people, plus the posts they edit."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

POST = """\
---
platforms: [bluesky, mastodon]
lang: en
---
The call for proposals is open!

---

Second part of the thread.
"""

OTHER = """\
---
lang: en
---
Another post.
"""

# The rest of the repository, which nothing on `clarion/receipts` may change.
TOOLING = {
    "pyproject.toml": "[tool.clarion]\nrequire_approval = true\n",
    "CODEOWNERS": "/posts/ @org/comms\n* @org/maintainers\n",
    "action/action.yml": "runs:\n  using: composite\n  steps: []\n",
    "src/clarion/__init__.py": '__version__ = "1.0"\n',
    "uv.lock": "version = 1\n",
    "posts/README.md": "# Posts\n",
}

RECEIPT = """\
published:
  {network}:
    - id: "{id}"
      url: https://example.org/{id}
      at: 2026-12-01T15:00:04Z
"""


def add_receipt(text: str, network: str = "bluesky", id: str = "1") -> str:
    """`text` with a `published:` block (or one more network in it) as the publisher writes it."""
    head, sep, rest = text[4:].partition("\n---\n")
    assert sep, "no front matter"
    block = RECEIPT.format(network=network, id=id)
    if "\npublished:\n" in f"\n{head}\n":
        block = block.removeprefix("published:\n")
    return f"---\n{head}\n{block.rstrip(chr(10))}\n---\n{rest}"


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        ["git", "-C", str(cwd), *args], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {proc.stderr}")
    return proc.stdout


@dataclass(frozen=True)
class Link:
    """A symbolic link to `target`, as a change in `World.push_branch`."""

    target: str


@dataclass
class World:
    """A remote and its clones under `base`."""

    base: Path
    remote: Path = field(init=False)

    def __post_init__(self) -> None:
        self.remote = self.base / "remote.git"
        self.base.mkdir(parents=True)
        git(self.base, "init", "--quiet", "--bare", str(self.remote))
        seed = self.clone("seed")
        self.write(seed, "posts/2026/cfp.md", POST)
        self.write(seed, "posts/2026/other.md", OTHER)
        for rel, text in TOOLING.items():
            self.write(seed, rel, text)
        git(seed, "add", ".")
        git(seed, "commit", "--quiet", "-m", "Add posts")
        git(seed, "push", "--quiet", "origin", "HEAD:refs/heads/main")

    def clone(self, name: str) -> Path:
        path = self.base / name
        git(self.base, "clone", "--quiet", str(self.remote), str(path))
        return path

    @staticmethod
    def write(clone: Path, rel: str, text: str) -> None:
        path = clone / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    @staticmethod
    def read(clone: Path, rel: str) -> str:
        return (clone / rel).read_text(encoding="utf-8")

    def push_change(self, name: str, rel: str, text: str) -> str:
        """Another person commits `text` to `rel` and pushes it to main."""
        other = self.base / name
        if other.exists():
            git(other, "pull", "--quiet", "--rebase")
        else:
            self.clone(name)
        self.write(other, rel, text)
        git(other, "commit", "--quiet", "-am", f"Change {rel}")
        git(other, "push", "--quiet", "origin", "HEAD:refs/heads/main")
        return git(other, "rev-parse", "HEAD").strip()

    def push_branch(
        self,
        name: str,
        changes: Mapping[str, str | Link | None],
        branch: str = "clarion/receipts",
        message: str = "Record receipts [skip ci]",
    ) -> str:
        """Another person commits `changes` (text, a symbolic link, or None: deleted) on
        top of main and pushes that to `branch` (forced); the commit."""
        other = self.base / name
        if not other.exists():
            self.clone(name)
        git(other, "fetch", "--quiet", "origin")
        git(other, "switch", "--quiet", "--force-create", f"to-{name}", "origin/main")
        self.commit_changes(other, changes, message)
        git(other, "push", "--quiet", "--force", "origin", f"HEAD:refs/heads/{branch}")
        return git(other, "rev-parse", "HEAD").strip()

    def commit_changes(
        self, clone: Path, changes: Mapping[str, str | Link | None], message: str
    ) -> str:
        for rel, change in changes.items():
            path = clone / rel
            if path.is_symlink() or path.exists():
                path.unlink()
            if isinstance(change, Link):
                path.parent.mkdir(parents=True, exist_ok=True)
                path.symlink_to(change.target)
            elif change is not None:
                self.write(clone, rel, change)
        git(clone, "add", "--all")
        git(clone, "commit", "--quiet", "-m", message)
        return git(clone, "rev-parse", "HEAD").strip()

    def remote_file(self, ref: str, rel: str) -> str | None:
        proc = subprocess.run(
            ["git", "-C", str(self.remote), "show", f"{ref}:{rel}"],
            capture_output=True,
            text=True,
            check=False,
        )
        return proc.stdout if proc.returncode == 0 else None

    def remote_sha(self, ref: str) -> str | None:
        proc = subprocess.run(
            ["git", "-C", str(self.remote), "rev-parse", "--verify", "--quiet", ref],
            capture_output=True,
            text=True,
            check=False,
        )
        return proc.stdout.strip() or None

    def protect_main(self, refs: str = "refs/heads/main") -> None:
        """A pre-receive hook declining updates of `refs` (a shell pattern), as a ruleset does."""
        hook = self.remote / "hooks" / "pre-receive"
        hook.write_text(
            "#!/bin/sh\n"
            "while read old new ref; do\n"
            '  case "$ref" in ' + refs + ")\n"
            '    echo "error: GH006: Protected branch update failed for $ref." >&2\n'
            "    exit 1;;\n"
            "  esac\n"
            "done\n",
            encoding="utf-8",
        )
        hook.chmod(0o755)

    def unprotect_main(self) -> None:
        (self.remote / "hooks" / "pre-receive").unlink()


# ------------------------------------------------------------ smart HTTP


@dataclass
class GitHttp:
    """`git http-backend` behind Basic authentication, on 127.0.0.1."""

    url: str  # the server's base URL; repositories are at url/<name>
    token: str
    authorizations: list[str]  # the Authorization header of every request, in order
    header_counts: list[int]  # how many Authorization headers each request carried
    outage: list[int]  # set outage[0] = N: the next N pushes are answered 503
