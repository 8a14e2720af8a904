"""Git for publishing: commit receipts, push them, and never lose them.

The publisher writes receipts into post files; this module records them in
Git and brings them to the remote:

- `Repo.catch_up`, at the start of a run, fast-forwards the checkout to its
  upstream's tip: a run that waited its turn starts from its own event's
  commit, without the receipts the runs before it pushed;
- `Repo.commit` commits the files of one post as Clarion's bot author;
- `Repo.push` pushes to the branch's upstream, rebasing and retrying while the
  branch moves; a push the remote refuses (a protected branch) or a rebase that
  conflicts first saves the commits on the remote branch `clarion/receipts`;
- `Repo.adopt_receipts_branch`, at the start of a run, brings those saved
  commits into the working branch so their receipts are read and nothing is
  posted twice; after a successful push the remote `clarion/receipts` is
  deleted, since the default branch then holds everything it held.

Anyone who may push a branch may push `clarion/receipts`, and what is taken in
from it is pushed with the publish token. So it is taken in only when every
commit on it, and the tree the take-in leaves, change nothing but the
`published:` blocks of posts the branch already has (compared as parsed data,
with `clarion.post.content`), and drop no receipt; anything else is refused whole,
and the branch is left for a person.

The push token (`GITHUB_TOKEN`) reaches git only through the environment of
the git process, as the `http.<server>/.extraheader` that actions/checkout
would have written: never in `.git/config`, never on a command line, never in
a message.
"""

from __future__ import annotations

import base64
import os
import posixpath
import re
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clarion.errors import ConfigError, GitError, PushRefusedError
from clarion.git.run import Objects, git_env
from clarion.post.content import content_of, receipts_of

RECEIPTS_BRANCH = "clarion/receipts"
DEFAULT_AUTHOR = "clarion[bot] <clarion@users.noreply.github.com>"
DEFAULT_SERVER_URL = "https://github.com"
NETWORK_TIMEOUT = 300  # seconds for one fetch, push or ls-remote
REGULAR_FILE = "100644"
# What a run adds to a receipt after it was made (`clarion.post.receipts`).
RECEIPT_MARKS = frozenset({"retracted", "edited"})

# What git says when the remote wants (other) credentials.
_AUTH_FAILURE = (
    "Authentication failed",
    "could not read Username",
    "returned error: 401",
    "returned error: 403",
)

PROTECTED_BRANCH_HELP = (
    "The branch is protected: create a GitHub App with 'Contents: read and write' "
    "permission, install it on this repository, add it to the bypass list of the "
    "branch's ruleset, and give its token to the publish workflow as GITHUB_TOKEN "
    "(actions/create-github-app-token makes one from the App's id and private key); "
    "see README 'Set up your own repository'."
)

_AUTHOR = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<email>[^<>\s]+)>\s*$")
_PORCELAIN = re.compile(r"^(?P<flag>[ +\-*!=])\t(?P<ref>[^\t]*)\t(?P<rest>.*)$")
_REASON = re.compile(r"^(?P<summary>.*?)(?: \((?P<reason>.*)\))?$")
_URL_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Author:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


@dataclass(frozen=True)
class Upstream:
    """Where the working branch is pushed: `remote` and the branch name there."""

    remote: str
    branch: str

    @property
    def ref(self) -> str:
        return f"refs/heads/{self.branch}"

    @property
    def tracking_ref(self) -> str:
        return f"refs/remotes/{self.remote}/{self.branch}"


@dataclass(frozen=True)
class PushResult:
    remote: str
    branch: str
    head: str  # the commit the remote branch points at now
    pushed: int  # commits the push added to the remote branch (0: it was up to date)
    attempts: int  # pushes tried (1: no retry was needed)
    rebased: int  # times the local commits were rebased onto a branch that had moved
    receipts_branch_deleted: bool  # an adopted `clarion/receipts` was deleted remotely
    no_remote: bool = False  # the repository has no such remote: nothing was pushed

    def describe(self) -> str:
        if self.no_remote:
            return f"no remote {self.remote!r}: the receipts are committed here only"
        if self.pushed == 0:
            text = f"{self.remote}/{self.branch} is up to date"
        else:
            commits = "commit" if self.pushed == 1 else "commits"
            text = f"pushed {self.pushed} {commits} to {self.remote}/{self.branch}"
        if self.rebased:
            text += f" (rebased {self.rebased}x onto newer commits)"
        if self.receipts_branch_deleted:
            text += f"; deleted {RECEIPTS_BRANCH}, now merged"
        return text


@dataclass(frozen=True)
class CatchUp:
    """What `Repo.catch_up` did to the checked-out `branch`."""

    remote: str | None  # None: the repository has no remote to catch up with
    branch: str
    upstream: str  # "origin/main"
    moved: int  # commits the branch was fast-forwarded by

    def describe(self) -> str:
        if self.remote is None:
            return f"no remote for {self.branch}: publishing from this checkout as it is"
        if self.moved == 0:
            return f"{self.branch} is up to date with {self.upstream}"
        commits = "newer commit" if self.moved == 1 else "newer commits"
        return f"brought {self.branch} up to {self.upstream} ({self.moved} {commits})"


@dataclass(frozen=True)
class AdoptResult:
    found: bool  # the remote has a `clarion/receipts` branch
    sha: str | None  # its commit
    adopted: int  # commits it held that the working branch did not, now added to it


@dataclass(frozen=True)
class _RefStatus:
    """One line of `git push --porcelain`."""

    flag: str  # " " fast-forward, "+" forced, "-" deleted, "*" new, "=" up to date, "!" rejected
    summary: str  # "old..new", "[rejected]", "[remote rejected]", ...
    reason: str  # the text in parentheses, if any

    @property
    def ok(self) -> bool:
        return self.flag != "!"

    @property
    def moved(self) -> bool:
        """Rejected because the remote branch has commits we lack."""
        if self.summary == "[rejected]":
            return self.reason in ("fetch first", "non-fast-forward")
        # A concurrent update on the server side: as good as "moved".
        return self.summary == "[remote rejected]" and "lock" in self.reason


class _RebaseConflict(Exception):
    def __init__(self, files: Sequence[str]) -> None:
        super().__init__(", ".join(files))
        self.files = tuple(files)


class _NotReceipts(Exception):
    """`clarion/receipts` changes more than receipts; each problem names a path."""

    def __init__(self, problems: Sequence[str], commit: str | None = None) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)
        self.commit = commit  # the first commit that goes beyond; None: the result does

    def where(self) -> str:
        return f"commit {self.commit[:12]}" if self.commit else "taking it in"


# ---------------------------------------------------------------- helpers


def parse_author(text: str) -> Author:
    """`"Name <email>"` → Author; ConfigError if it is not of that shape."""
    match = _AUTHOR.match(text)
    if match is None or not match["name"]:
        raise ConfigError(f"[tool.clarion] git_author = {text!r} is not of the form 'Name <email>'")
    return Author(match["name"], match["email"])


def receipts_commit_message(path: str) -> str:
    """The message of the commit recording one post's receipts."""
    # [skip ci]: receipt commits must not start the workflows again.
    return f"Record receipts for {path} [skip ci]"


def repo_root(path: Path) -> Path:
    """The top folder of the git work tree holding `path`."""
    folder = path if path.is_dir() else path.parent
    proc = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        env=_base_env(os.environ),
        check=False,
    )
    if proc.returncode != 0:
        raise GitError(f"{path} is not inside a git repository: {proc.stderr.strip()}")
    return Path(proc.stdout.strip())


def _base_env(environ: Mapping[str, str]) -> dict[str, str]:
    return git_env(environ)


def _parse_porcelain(stdout: str) -> _RefStatus | None:
    for line in stdout.splitlines():
        match = _PORCELAIN.match(line)
        if match:
            rest = _REASON.match(match["rest"])
            if rest is not None:  # it matches any text
                return _RefStatus(match["flag"], rest["summary"], rest["reason"] or "")
    return None


def _remote_says(stderr: str) -> str:
    """The lines the remote printed (a hook's or GitHub's explanation)."""
    lines = [line.rstrip() for line in stderr.splitlines() if line.startswith("remote:")]
    return "\n".join(line for line in lines if line != "remote:")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


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


# ---------------------------------------------------------------- the repository


_TRANSIENT = (
    "could not resolve host",
    "connection timed out",
    "connection reset",
    "operation timed out",
    "failed to connect",
    "rpc failed",
    "early eof",
    "the remote end hung up unexpectedly",
    "the requested url returned error: 500",
    "the requested url returned error: 502",
    "the requested url returned error: 503",
    "the requested url returned error: 504",
)


def _transient(stderr: str) -> bool:
    """Whether a failed push looks like the network's fault, worth another try."""
    text = stderr.lower()
    return any(sign in text for sign in _TRANSIENT)


class Repo:
    """A git work tree that Clarion commits receipts in and pushes from.

    `attempts` bounds the pushes tried while the branch keeps moving. The second
    attempt follows at once; attempt n waits `backoff * (n - 2)` seconds first
    (with the defaults, 5 attempts and at most 6 s of waiting). `posts` is the
    posts folder: the only place `clarion/receipts` may change anything.
    """

    def __init__(
        self,
        root: Path,
        author: str = DEFAULT_AUTHOR,
        *,
        environ: Mapping[str, str] | None = None,
        attempts: int = 5,
        backoff: float = 1.0,
        posts: Path | str = "posts",
    ) -> None:
        self.root = root
        self.posts = posts
        self.author = parse_author(author)
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self._environ = dict(os.environ if environ is None else environ)
        self._token = self._environ.get("GITHUB_TOKEN") or ""
        # The `clarion/receipts` commit adopted in this run: the lease for
        # deleting or replacing it, so a newer one is never clobbered.
        self._adopted: str | None = None

    @classmethod
    def at(
        cls,
        path: Path,
        author: str = DEFAULT_AUTHOR,
        *,
        environ: Mapping[str, str] | None = None,
        posts: Path | str = "posts",
    ) -> Repo:
        """The repository holding `path` (any folder or file inside it)."""
        return cls(repo_root(path), author, environ=environ, posts=posts)

    # ------------------------------------------------------------ running git

    def _secrets(self) -> list[str]:
        if not self._token:
            return []
        return [self._token, self._basic_credentials()]

    def _basic_credentials(self) -> str:
        return base64.b64encode(f"x-access-token:{self._token}".encode()).decode("ascii")

    def redact(self, text: str) -> str:
        """`text` with the token, in any form git might show, and URL passwords masked."""
        for secret in self._secrets():
            text = text.replace(secret, "***")
        return _URL_USERINFO.sub("***@", text)

    def _env(self, *, network: bool = False, commit: bool = False) -> dict[str, str]:
        env = _base_env(self._environ)
        env.update(
            GIT_COMMITTER_NAME=self.author.name,
            GIT_COMMITTER_EMAIL=self.author.email,
        )
        if commit:
            env.update(GIT_AUTHOR_NAME=self.author.name, GIT_AUTHOR_EMAIL=self.author.email)
        if network and self._token:
            env.update(self._auth_config())
        return env

    def _auth_config(self) -> dict[str, str]:
        """Git config entries, given through the environment, that send the token."""
        server = (self._environ.get("GITHUB_SERVER_URL") or DEFAULT_SERVER_URL).rstrip("/")
        try:
            count = int(self._environ.get("GIT_CONFIG_COUNT") or 0)
        except ValueError:
            count = 0
        key = f"http.{server}/.extraheader"
        return {
            "GIT_CONFIG_COUNT": str(count + 2),
            # An empty value first clears any header inherited from .git/config
            # (a checkout left with persist-credentials: true), so exactly one
            # Authorization header is sent: ours.
            f"GIT_CONFIG_KEY_{count}": key,
            f"GIT_CONFIG_VALUE_{count}": "",
            f"GIT_CONFIG_KEY_{count + 1}": key,
            f"GIT_CONFIG_VALUE_{count + 1}": f"AUTHORIZATION: basic {self._basic_credentials()}",
        }

    def _run(
        self, *args: str, network: bool = False, commit: bool = False
    ) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                ["git", "-C", str(self.root), *args],
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                env=self._env(network=network, commit=commit),
                # A stalled connection must end the command, not the whole job.
                timeout=NETWORK_TIMEOUT if network else None,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise GitError(
                f"git {args[0]} got no answer from the remote within {NETWORK_TIMEOUT} s"
            ) from None

    def _git(self, *args: str, network: bool = False, commit: bool = False) -> str:
        proc = self._run(*args, network=network, commit=commit)
        if proc.returncode != 0:
            raise self._error(args, proc)
        return proc.stdout

    def _error(self, args: Sequence[str], proc: subprocess.CompletedProcess[str]) -> GitError:
        output = (proc.stderr.strip() or proc.stdout.strip()) or f"exit status {proc.returncode}"
        text = f"git {' '.join(args)} failed in {self.root}:\n{output}"
        if any(sign in output for sign in _AUTH_FAILURE):
            text += (
                "\nThe remote wants credentials: set GITHUB_TOKEN to a token that may push "
                "to this repository (contents: write)."
                if not self._token
                else "\nThe remote refused GITHUB_TOKEN: it is expired, or lacks contents: write."
            )
        return GitError(self.redact(text))

    # ------------------------------------------------------------ small queries

    def head_sha(self) -> str:
        return self._git("rev-parse", "--verify", "HEAD").strip()

    def is_clean(self, paths: Iterable[Path | str] = ()) -> bool:
        """No staged, unstaged or untracked change (under `paths`, if given)."""
        rel = [self._relative(p) for p in paths]
        return not self._git("status", "--porcelain", "--", *rel).strip()

    def file_at(self, rev: str, path: Path | str) -> str | None:
        """The text of `path` at commit `rev`; None if the file is not in it."""
        proc = self._run("cat-file", "blob", f"{rev}:{self._relative(path)}")
        if proc.returncode == 0:
            return proc.stdout
        self._commit_of(rev)  # a bad revision is an error, a missing file is not
        return None

    def _commit_of(self, rev: str) -> str:
        proc = self._run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        if proc.returncode != 0:
            raise GitError(f"{rev!r} is not a commit in {self.root}")
        return proc.stdout.strip()

    def _relative(self, path: Path | str) -> str:
        p = Path(path)
        if p.is_absolute():
            try:
                p = p.resolve().relative_to(self.root.resolve())
            except ValueError:
                raise GitError(f"{path} is outside the repository {self.root}") from None
        return p.as_posix()

    def _is_ancestor(self, ancestor: str, descendant: str) -> bool:
        proc = self._run("merge-base", "--is-ancestor", ancestor, descendant)
        if proc.returncode not in (0, 1):
            raise self._error(("merge-base", "--is-ancestor", ancestor, descendant), proc)
        return proc.returncode == 0

    def _count(self, revisions: str) -> int:
        return int(self._git("rev-list", "--count", revisions).strip())

    def current_branch(self) -> str:
        proc = self._run("symbolic-ref", "--quiet", "--short", "HEAD")
        if proc.returncode != 0:
            raise GitError(
                f"{self.root} is not on a branch (detached HEAD): check out the branch "
                "to publish from (actions/checkout does, for push and schedule events)"
            )
        return proc.stdout.strip()

    def upstream(self) -> Upstream:
        """The remote branch the current branch pushes to; `origin/<same name>` if unset."""
        branch = self.current_branch()
        remote = self._config(f"branch.{branch}.remote") or "origin"
        merge = self._config(f"branch.{branch}.merge") or f"refs/heads/{branch}"
        if remote == ".":
            raise GitError(f"branch {branch} tracks a local branch; it must track a remote one")
        return Upstream(remote, merge.removeprefix("refs/heads/"))

    def _config(self, key: str) -> str | None:
        proc = self._run("config", "--get", key)
        return proc.stdout.strip() if proc.returncode == 0 else None

    def _has_remote(self, remote: str) -> bool:
        return self._config(f"remote.{remote}.url") is not None

    # ------------------------------------------------------------ catching up

    def catch_up(self) -> CatchUp:
        """Fast-forward the current branch to its upstream's tip, fetched now.

        Call it at the start of a publish run, before reading posts: a run that
        waited for the one before it starts from its own event's commit, and
        would not see the receipts that run pushed. A repository without the
        remote is left as it is. Local commits the upstream lacks, while it has
        newer ones, are an error: publishing from there could post twice.
        """
        branch = self.current_branch()
        upstream = self.upstream()
        where = f"{upstream.remote}/{upstream.branch}"
        if not self._has_remote(upstream.remote):
            return CatchUp(None, branch, where, 0)
        fetch = ("fetch", "--quiet", "--no-tags", upstream.remote)
        proc = self._run(*fetch, f"+{upstream.ref}:{upstream.tracking_ref}", network=True)
        if proc.returncode != 0:
            if "couldn't find remote ref" in proc.stderr:
                return CatchUp(upstream.remote, branch, where, 0)  # not pushed there yet
            raise self._error((*fetch, upstream.ref), proc)
        tip = self._git("rev-parse", "--verify", upstream.tracking_ref).strip()
        head = self.head_sha()
        if self._is_ancestor(tip, head):
            return CatchUp(upstream.remote, branch, where, 0)
        if not self._is_ancestor(head, tip):
            mine, theirs = self._count(f"{tip}..{head}"), self._count(f"{head}..{tip}")
            raise GitError(
                f"{branch} cannot be fast-forwarded to {where}: it has "
                f"{_plural(mine, 'commit')} that {where} lacks, and {where} has "
                f"{_plural(theirs, 'newer commit')}. Publishing stops: posts read from this "
                f"checkout could lack receipts that are on {where}, and be posted twice. "
                f"Bring the local commits onto {where} (git pull --rebase {upstream.remote} "
                f"{upstream.branch}) or drop them, then run again."
            )
        proc = self._run("merge", "--ff-only", "--quiet", tip)
        if proc.returncode != 0:
            output = proc.stderr.strip() or proc.stdout.strip()
            raise GitError(
                self.redact(
                    f"{branch} could not be fast-forwarded to {where} in {self.root}:\n{output}\n"
                    "Commit, stash or remove those local changes, then run again."
                )
            )
        return CatchUp(upstream.remote, branch, where, self._count(f"{head}..{tip}"))

    # ------------------------------------------------------------ committing

    def commit(self, paths: Iterable[Path | str], message: str) -> str | None:
        """Commit exactly `paths` (other changes stay as they are); the new sha, or None.

        None means the files were unchanged, so there was nothing to commit.
        """
        rel = [self._relative(p) for p in paths]
        if not rel:
            return None
        self._git("add", "--", *rel)
        if self._run("diff", "--cached", "--quiet", "--", *rel).returncode == 0:
            return None
        # --no-verify: a local hook must not stop receipts from being recorded.
        # --only: anything else already staged stays out of this commit.
        self._git(
            "commit", "--no-verify", "--quiet", "-m", message, "--only", "--", *rel, commit=True
        )
        return self.head_sha()

    # ------------------------------------------------------------ the remote

    def _remote_sha(self, remote: str, branch: str) -> str | None:
        out = self._git("ls-remote", "--heads", remote, f"refs/heads/{branch}", network=True)
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            if ref == f"refs/heads/{branch}":
                return sha
        return None

    def _fetch(self, remote: str, branch: str) -> str:
        tracking = f"refs/remotes/{remote}/{branch}"
        self._git(
            "fetch",
            "--quiet",
            "--no-tags",
            remote,
            f"+refs/heads/{branch}:{tracking}",
            network=True,
        )
        return self._git("rev-parse", "--verify", tracking).strip()

    def _push(
        self, remote: str, refspec: str, *, lease: tuple[str, str] | None = None
    ) -> tuple[_RefStatus | None, subprocess.CompletedProcess[str]]:
        args = ["push", "--porcelain", "--no-verify"]
        if lease is not None:
            args.append(f"--force-with-lease={lease[0]}:{lease[1]}")
        proc = self._run(*args, remote, refspec, network=True)
        return _parse_porcelain(proc.stdout), proc

    def push(self) -> PushResult:
        """Push the current branch to its upstream, rebasing and retrying while it moves.

        Call it at the end of every run, failed ones included, and even with
        nothing new committed: it also lands what `adopt_receipts_branch` took in.

        Raises PushRefusedError when the remote refuses the branch (after saving
        the commits on `clarion/receipts`), GitError when a rebase conflicts or
        the branch keeps moving (after saving them likewise), and GitError for
        anything else (authentication, network), with the local commits kept.
        """
        upstream = self.upstream()
        if not self._has_remote(upstream.remote):
            return PushResult(
                remote=upstream.remote,
                branch=upstream.branch,
                head=self.head_sha(),
                pushed=0,
                attempts=0,
                rebased=0,
                receipts_branch_deleted=False,
                no_remote=True,
            )
        for attempt in range(1, self.attempts + 1):
            status, proc = self._push(upstream.remote, f"HEAD:{upstream.ref}")
            if status is None and _transient(proc.stderr) and attempt < self.attempts:
                # A network blip or a 5xx from the host: the commits are kept; try again.
                time.sleep(self.backoff * attempt)
                continue
            if status is None:
                raise self._error(("push", upstream.remote, f"HEAD:{upstream.ref}"), proc)
            if status.ok:
                return PushResult(
                    remote=upstream.remote,
                    branch=upstream.branch,
                    head=self.head_sha(),
                    pushed=self._pushed_count(status),
                    attempts=attempt,
                    rebased=attempt - 1,  # each retry follows one rebase
                    receipts_branch_deleted=self._delete_adopted_branch(upstream.remote),
                )
            if not status.moved:
                self._refused(upstream, status, proc)
            if attempt == self.attempts:
                break
            if attempt > 1:
                time.sleep(self.backoff * (attempt - 1))
            self._fetch(upstream.remote, upstream.branch)
            try:
                self._rebase(upstream.tracking_ref)
            except _RebaseConflict as conflict:
                saved, outcome = self._save_to_receipts_branch(upstream.remote)
                text = (
                    f"{upstream.remote}/{upstream.branch} has changed the same lines as the "
                    f"receipts commits ({', '.join(conflict.files)}), so they cannot be "
                    f"rebased onto it; the local commits are kept. {outcome}"
                )
                if saved:
                    text += (
                        f" Merge {RECEIPTS_BRANCH} into {upstream.branch} by hand, keeping "
                        "every receipt, then delete that branch."
                    )
                raise GitError(text) from None
        _, outcome = self._save_to_receipts_branch(upstream.remote)
        raise GitError(
            f"{upstream.remote}/{upstream.branch} kept moving: gave up after "
            f"{self.attempts} push attempts. {outcome}"
        )

    def _pushed_count(self, status: _RefStatus) -> int:
        if status.flag == "=":
            return 0
        if ".." in status.summary and status.flag != "-":
            old, _, new = status.summary.replace("...", "..").partition("..")
            return self._count(f"{old}..{new}")
        return self._count("HEAD")  # a new branch: all of it

    def _refused(
        self, upstream: Upstream, status: _RefStatus, proc: subprocess.CompletedProcess[str]
    ) -> None:
        where = f"{upstream.remote}/{upstream.branch}"
        said = _remote_says(proc.stderr)
        detail = f"{status.summary} ({status.reason})" if status.reason else status.summary
        text = f"The push to {where} was refused by the remote: {detail}."
        if said:
            text += f"\n{said}"
        if status.summary != "[remote rejected]":
            raise GitError(self.redact(f"{text}\n{proc.stderr.strip()}"))
        _, outcome = self._save_to_receipts_branch(upstream.remote)
        raise PushRefusedError(self.redact(f"{text}\n{PROTECTED_BRANCH_HELP}\n{outcome}"))

    # ------------------------------------------------------------ rebasing

    def _rebase(self, *args: str) -> None:
        """`git rebase args`; on a conflict, abort it (nothing is lost) and raise."""
        proc = self._run("rebase", "--no-verify", *args)
        if proc.returncode == 0:
            return
        if not self._rebase_in_progress():
            raise self._error(("rebase", *args), proc)
        files = self._git("diff", "--name-only", "--diff-filter=U").split()
        self._git("rebase", "--abort")
        raise _RebaseConflict(files or ["unknown files"])

    def _rebase_in_progress(self) -> bool:
        for name in ("rebase-merge", "rebase-apply"):
            git_path = self._git("rev-parse", "--git-path", name).strip()
            if (self.root / git_path).exists():
                return True
        return False

    # ------------------------------------------------------------ clarion/receipts

    def _posts_folder(self) -> str:
        folder = self._relative(self.posts)
        return "" if folder == "." else folder.rstrip("/")

    def _beyond_receipts(self, old: str, new: str) -> list[str]:
        """What going from commit `old` to commit `new` changes besides the
        `published:` blocks of existing posts, or removes of their receipts."""
        posts = self._posts_folder()
        fields = self._git("diff-tree", "-r", "-z", "--no-renames", old, new).split("\0")
        problems: list[str] = []
        with Objects(self.root) as objects:
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
                    problems.extend(
                        f"{shown}: {p}" for p in self._post_change(objects, old, new, path)
                    )
        return problems

    @staticmethod
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

    def _check_commits(self, head: str, sha: str) -> None:
        """Raise _NotReceipts at the first commit of `sha` that `head` lacks and that
        goes beyond receipts: main must not gain any commit that anyone wrote."""
        listing = self._git("rev-list", "--reverse", "--topo-order", "--parents", f"{head}..{sha}")
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
        head = self.head_sha()
        if self._is_ancestor(sha, head):
            return 0
        self._check_commits(head, sha)
        try:
            # Replays head..sha onto head, leaving a detached HEAD at the result.
            self._rebase("--onto", head, head, sha)
        except _RebaseConflict:
            self._git("switch", "--quiet", branch)  # the abort left us detached at sha
            raise
        new = self.head_sha()
        problems = self._beyond_receipts(head, new)
        if problems:  # the rebase merged the receipts into something else
            self._git("switch", "--quiet", branch)
            raise _NotReceipts(problems)
        self._git("update-ref", f"refs/heads/{branch}", new, head)
        self._git("switch", "--quiet", branch)
        return self._count(f"{head}..{new}")

    def adopt_receipts_branch(self) -> AdoptResult:
        """Bring the remote's `clarion/receipts` commits into the current branch.

        Call it at the start of a publish run, before reading posts: receipts
        saved there by an earlier run whose push was refused or conflicted are
        then read, so nothing is posted twice. The next successful `push` lands
        them on the upstream branch and deletes `clarion/receipts`.

        A branch that changes anything but the receipts of existing posts is
        refused whole: GitError, with the branch left as it is. So is one that
        conflicts. Either way the run must stop: receipts that went out may be
        on that branch, and only a person can tell them from the rest.
        """
        upstream = self.upstream()
        if not self._has_remote(upstream.remote):
            return AdoptResult(found=False, sha=None, adopted=0)
        if self._remote_sha(upstream.remote, RECEIPTS_BRANCH) is None:
            return AdoptResult(found=False, sha=None, adopted=0)
        sha = self._fetch(upstream.remote, RECEIPTS_BRANCH)
        where = f"{upstream.remote}/{RECEIPTS_BRANCH}"
        try:
            adopted = self._take_in(self.current_branch(), sha)
        except _RebaseConflict as conflict:
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
        self._adopted = sha
        return AdoptResult(found=True, sha=sha, adopted=adopted)

    def _save_to_receipts_branch(self, remote: str) -> tuple[bool, str]:
        """Push HEAD to `clarion/receipts`, keeping what it held; whether it worked, and a
        sentence saying so. A branch holding more than receipts is left as it is."""
        where = f"{remote}/{RECEIPTS_BRANCH}"
        try:
            current = self._remote_sha(remote, RECEIPTS_BRANCH)
            if current is not None and current != self._adopted:
                # Saved by a run whose receipts this one has not taken in: keep them.
                current = self._fetch(remote, RECEIPTS_BRANCH)
                self._take_in(self.current_branch(), current)
            status, proc = self._push(
                remote,
                f"HEAD:refs/heads/{RECEIPTS_BRANCH}",
                lease=(f"refs/heads/{RECEIPTS_BRANCH}", current or ""),
            )
        except _NotReceipts as refused:
            return False, self.redact(
                f"The receipts could NOT be saved to {where}: it holds more than receipts "
                f"({refused.where()}: {'; '.join(refused.problems[:5])}), so it is neither "
                "taken in nor "
                f"overwritten, and waits for a person. The receipts exist only in the local "
                f"commits up to {self.head_sha()}."
            )
        except (GitError, _RebaseConflict) as exc:
            return False, self.redact(
                f"The receipts could NOT be saved to {where} ({exc}); they exist only in "
                f"the local commits up to {self._run('rev-parse', 'HEAD').stdout.strip()}."
            )
        if status is None or not status.ok:
            detail = (
                proc.stderr.strip() if status is None else f"{status.summary} ({status.reason})"
            )
            return False, self.redact(
                f"The receipts could NOT be saved to {where} ({detail}); they exist only in "
                f"the local commits up to {self.head_sha()}."
            )
        self._adopted = self.head_sha()
        return True, (
            f"Nothing is lost: the receipts were pushed to {where} (commit {self._adopted[:12]}), "
            "and the next publish run takes them in before posting anything."
        )

    def _delete_adopted_branch(self, remote: str) -> bool:
        """Delete `clarion/receipts` after a push that landed what it held."""
        if self._adopted is None:
            return False
        status, _ = self._push(
            remote,
            f":refs/heads/{RECEIPTS_BRANCH}",
            lease=(f"refs/heads/{RECEIPTS_BRANCH}", self._adopted),
        )
        if status is None or not status.ok:
            return False  # left in place: the next run finds it already merged
        self._adopted = None
        return True
