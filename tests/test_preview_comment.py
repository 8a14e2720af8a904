"""The sticky preview comment: it names the commit it describes, and says it is
out of date when a later check of the pull request made no preview.

Golden cases in preview_comment/: each folder is what one run of
preview-comment.yml meets (case.json: the check run; artifact/: the files that
run uploaded, if any; existing.md: our comment as it is, if any) and what the
comment must say after it (expected.md; none: left as it is, or none made).
Adding a case is adding a folder. To (re)write expected.md after a deliberate
change, run with CLARION_UPDATE_GOLDEN=1 and review the diff.

Then `clarion preview-comment` itself, against the GitHub API stand-in.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from clarion.preview.comment import MAX_BODY, CheckRun, read_artifact, sticky_body
from clarion.sandbox.server import Request, Response
from tests.conftest import Run
from tests.github_api import APP_LOGIN, GitHubAPI

GOLDEN = Path(__file__).parent / "preview_comment"
CASES = sorted(p for p in GOLDEN.iterdir() if p.is_dir())

MARKER = "<!-- clarion-preview -->"
REPOSITORY = "octo-org/announcements"
TOKEN = "ghs_preview_comment_test_token"
OLD = "5d41402abc4b2a76b9719d911017c592ae1f2b3c"
NEW = "e4d909c290d0fb1ca068ffaddf22cbd077c1b7e2"
BASE = "b" * 40


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Path) -> None:
    facts = json.loads((case / "case.json").read_text(encoding="utf-8"))
    run = CheckRun(id=facts["run_id"], head_sha=facts["head_sha"], repository=facts["repository"])
    folder = case / "artifact"
    artifact = read_artifact(folder) if folder.is_dir() else None
    existing = case / "existing.md"
    body = sticky_body(
        run,
        facts["number"],
        artifact,
        existing.read_text(encoding="utf-8") if existing.is_file() else None,
    )
    expected = case / "expected.md"
    if os.environ.get("CLARION_UPDATE_GOLDEN"):
        if body is None:
            expected.unlink(missing_ok=True)
        else:
            expected.write_text(body, encoding="utf-8")
    if expected.is_file():
        assert body == expected.read_text(encoding="utf-8")
    else:
        assert body is None


def test_a_long_preview_is_cut_within_githubs_limit(tmp_path: Path) -> None:
    (tmp_path / "pr-number").write_text("7\n")
    (tmp_path / "posts-changed").write_text("900\n")
    (tmp_path / "preview.md").write_text(f"{MARKER}\n## Clarion preview\n\n" + "x" * 300_000)
    run = CheckRun(id=102, head_sha=NEW, repository=REPOSITORY)
    body = sticky_body(run, 7, read_artifact(tmp_path), None)
    assert body is not None
    assert MAX_BODY <= len(body) < 65_536
    assert f"[`{NEW[:7]}`]" in body.split("\n\n", 2)[1]
    assert body.endswith("\n\n*(The preview was cut here: it is too long.)*\n")


def test_the_artifact_is_read_as_data(tmp_path: Path) -> None:
    (tmp_path / "outside.md").write_text("secret")
    folder = tmp_path / "artifact"
    folder.mkdir()
    (folder / "preview.md").symlink_to(tmp_path / "outside.md")
    (folder / "pr-number").write_text("7\n")
    (folder / "posts-changed").write_text("1; rm -rf /\n")
    artifact = read_artifact(folder)
    assert artifact.preview is None  # a link is not followed
    assert artifact.number == "7"
    assert artifact.changed is None  # not a count: unknown


# ---------------------------------------------------------------- the command


class ForkAwareAPI(GitHubAPI):
    """The stand-in, also answering `GET /repos/{o}/{r}/pulls?head=OWNER:BRANCH`
    (open pull requests by head branch), the one way to find a fork's pull
    request from its head commit."""

    def _handle(self, request: Request) -> Response:
        if request.method == "GET" and request.path == f"/repos/{self.repository}/pulls":
            _, refusal = self._authenticate(request)
            if refusal is not None:
                return refusal
            head = request.query.get("head", [""])[0]
            found = [
                {
                    "number": pull.number,
                    "state": pull.state,
                    "head": {"sha": pull.head_sha, "ref": pull.head_ref},
                    "url": f"{self.url}/repos/{self.repository}/pulls/{pull.number}",
                }
                for pull in self.pulls.values()
                if pull.state == "open" and f"{pull.author}:{pull.head_ref}" == head
            ]
            return Response.json(found)
        return super()._handle(request)


@pytest.fixture
def api() -> Iterator[ForkAwareAPI]:
    server = ForkAwareAPI(REPOSITORY, token=TOKEN, login=None)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def run_comment(
    clarion: Run,
    api: GitHubAPI,
    tmp_path: Path,
    *,
    run_id: int,
    head: str,
    artifact: dict[str, str] | None,
    pulls: tuple[int, ...] = (),
    head_repository: str = REPOSITORY,
) -> tuple[int, str]:
    """`clarion preview-comment` as preview-comment.yml runs it: (exit status, output)."""
    event = tmp_path / f"event-{run_id}.json"
    event.write_text(
        json.dumps(
            {
                "action": "completed",
                "workflow_run": {
                    "id": run_id,
                    "event": "pull_request",
                    "conclusion": "failure",
                    "head_sha": head,
                    "head_branch": "feature",
                    "head_repository": {"full_name": head_repository},
                    "pull_requests": [
                        {"number": n, "head": {"sha": head, "ref": "feature"}} for n in pulls
                    ],
                },
            }
        )
    )
    args = ["preview-comment"]
    if artifact is not None:
        folder = tmp_path / f"artifact-{run_id}"
        folder.mkdir()
        for name, text in artifact.items():
            (folder / name).write_text(text, encoding="utf-8")
        args += ["--artifact", str(folder)]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_API_URL": api.url,
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_TOKEN": TOKEN,
    }
    proc = clarion(*args, cwd=tmp_path, env=env)
    return proc.returncode, proc.stdout + proc.stderr


def preview_of(text: str) -> str:
    return f"{MARKER}\n## Clarion preview\n\n✅ 1 post(s) ready.\n\n{text}\n"


def test_one_comment_names_each_head_and_goes_out_of_date(
    tmp_path: Path, clarion: Run, api: ForkAwareAPI
) -> None:
    pull = api.add_pull(7, OLD, BASE, merged=False, state="open")
    code, out = run_comment(
        clarion,
        api,
        tmp_path,
        run_id=101,
        head=OLD,
        artifact={"pr-number": "7\n", "posts-changed": "1\n", "preview.md": preview_of("Monday")},
    )
    assert code == 0, out
    [first] = api.comments_on(7)
    assert first.user == APP_LOGIN
    assert f"**Commit [`{OLD[:7]}`](https://github.com/{REPOSITORY}/pull/7/commits/{OLD})**" in (
        first.body
    )
    assert "Monday" in first.body

    # A push whose check fails before it uploads anything: the comment says so.
    pull.head_sha = NEW
    code, out = run_comment(clarion, api, tmp_path, run_id=102, head=NEW, artifact=None, pulls=(7,))
    assert code == 0, out
    [stale] = api.comments_on(7)
    assert stale.id == first.id
    assert stale.body.startswith(f"{MARKER}\n<!-- clarion-preview-head: {NEW} -->\n")
    assert f"⚠️ **Out of date.** This pull request's head is now [`{NEW[:7]}`]" in stale.body
    assert "Monday" not in stale.body

    # The same again (a re-run): nothing to change, nothing sent.
    before = len(api.paths_requested("/repos/octo-org/announcements/issues/comments/"))
    code, out = run_comment(clarion, api, tmp_path, run_id=103, head=NEW, artifact=None, pulls=(7,))
    assert code == 0, out
    assert len(api.paths_requested("/repos/octo-org/announcements/issues/comments/")) == before
    assert [c.body for c in api.comments_on(7)] == [stale.body]


def test_a_fork_pull_request_is_found_by_its_head_branch(
    tmp_path: Path, clarion: Run, api: ForkAwareAPI
) -> None:
    api.add_pull(9, NEW, BASE, merged=False, state="open", author="alice", head_ref="feature")
    api.add_pull(10, OLD, BASE, merged=False, state="open", author="alice", head_ref="other")
    for number in (9, 10):
        api.add_comment(number, preview_of("Monday").replace(MARKER, f"{MARKER}\n<!-- x -->"))
    # GitHub gives no pull request in a fork's workflow_run event.
    code, out = run_comment(
        clarion,
        api,
        tmp_path,
        run_id=104,
        head=NEW,
        artifact=None,
        head_repository="alice/announcements",
    )
    assert code == 0, out
    assert "GET /repos/octo-org/announcements/pulls" in api.paths_requested()
    [found] = api.comments_on(9)
    assert "⚠️ **Out of date.**" in found.body
    [other] = api.comments_on(10)
    assert "Monday" in other.body


def test_the_artifact_names_a_pull_request_only_at_the_checked_head(
    tmp_path: Path, clarion: Run, api: ForkAwareAPI
) -> None:
    api.add_pull(21, NEW, BASE, merged=False, state="open")
    api.add_pull(22, OLD, BASE, merged=False, state="open")
    api.add_comment(21, f"{MARKER}\nA comment by someone else", user="mallory")

    code, out = run_comment(
        clarion,
        api,
        tmp_path,
        run_id=141,
        head=NEW,
        artifact={"pr-number": "21\n::add-mask::x", "preview.md": "hello"},
    )
    assert code == 1
    assert "the artifact's pr-number is not a number" in out

    code, out = run_comment(
        clarion,
        api,
        tmp_path,
        run_id=142,
        head=NEW,
        artifact={"pr-number": "22", "preview.md": "hi"},
    )
    assert code == 0, out
    assert "Not commenting" in out
    assert api.comments_on(22) == []

    code, out = run_comment(
        clarion,
        api,
        tmp_path,
        run_id=143,
        head=NEW,
        artifact={"pr-number": "23", "preview.md": "hi"},
    )
    assert code == 0, out
    assert "Not commenting" in out

    code, out = run_comment(
        clarion,
        api,
        tmp_path,
        run_id=144,
        head=NEW,
        artifact={"pr-number": "21", "posts-changed": "1", "preview.md": "hello"},
    )
    assert code == 0, out
    theirs, ours = api.comments_on(21)
    assert theirs.body == f"{MARKER}\nA comment by someone else"
    assert ours.user == APP_LOGIN
    assert ours.body.endswith("\n\nhello\n")


def test_it_needs_the_workflow_run_event(tmp_path: Path, clarion: Run) -> None:
    proc = clarion(
        "preview-comment",
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "GITHUB_TOKEN": "t"},
    )
    assert proc.returncode == 2
    assert "GITHUB_EVENT_PATH" in proc.stderr
    assert "Traceback" not in proc.stderr
