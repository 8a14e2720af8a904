"""The GitHub stand-in answers as GitHub does, to PyGithub and to plain HTTP, in
process and as the standalone process that workflow tests start."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from github import Auth, Github
from github.GithubException import BadCredentialsException, GithubException

from tests.github_api import CONTENTS_LIMIT, DEFAULT_TOKEN, GitHubAPI, blob_sha

ROOT = Path(__file__).resolve().parents[2]
REPO = "octo-org/announcements"
SHA = "a" * 40
BASE = "b" * 40


@pytest.fixture
def api() -> Iterator[GitHubAPI]:
    with GitHubAPI(REPO) as api:
        assert isinstance(api, GitHubAPI)
        yield api


def client(api: GitHubAPI, token: str = DEFAULT_TOKEN, *, lazy: bool = False) -> Github:
    return github_client(api.url, token, per_page=2, lazy=lazy)


def github_client(url: str, token: str, *, per_page: int = 30, lazy: bool = False) -> Github:
    # No pauses between requests: PyGithub's default politeness is for the real GitHub.
    return Github(
        auth=Auth.Token(token),
        base_url=url,
        retry=None,
        per_page=per_page,
        lazy=lazy,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def get(api: GitHubAPI, path: str, token: str | None = DEFAULT_TOKEN) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{api.url}{path}", headers=headers, timeout=5)


def test_the_repository_and_its_default_branch(api: GitHubAPI) -> None:
    repo = client(api).get_repo(REPO)
    assert repo.default_branch == "main"
    assert repo.full_name == REPO
    assert repo.url == f"{api.url}/repos/{REPO}"


def test_errors_have_githubs_shape(api: GitHubAPI) -> None:
    unknown = get(api, "/repos/octo-org/other")
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "Not Found"
    assert unknown.json()["status"] == "404"
    assert unknown.json()["documentation_url"].startswith("https://docs.github.com/rest")
    bad = get(api, f"/repos/{REPO}", token="ghs_nope")
    assert bad.status_code == 401
    assert bad.json() == {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
        "status": "401",
    }
    missing = get(api, f"/repos/{REPO}", token=None)
    assert (missing.status_code, missing.json()["message"]) == (401, "Requires authentication")
    with pytest.raises(BadCredentialsException):
        _ = client(api, "ghs_nope").get_repo(REPO).default_branch


def test_pull_requests_of_a_commit_and_their_reviews(api: GitHubAPI) -> None:
    api.add_pull(7, SHA, BASE, merge_commit_sha="c" * 40, author="alice", commits=["d" * 40])
    api.add_pull(8, "e" * 40, BASE, merged=False, author="carol", commits=["d" * 40])
    api.add_review(7, "bob", "COMMENTED")
    api.add_review(7, "bob", "APPROVED")
    repo = client(api).get_repo(REPO)
    for sha in (SHA, "c" * 40):
        [pull] = list(repo.get_commit(sha).get_pulls())
        assert (pull.number, pull.user.login, pull.merged_at is not None) == (7, "alice", True)
        assert (pull.base.ref, pull.base.sha, pull.head.sha) == ("main", BASE, SHA)
    assert [p.number for p in repo.get_commit("d" * 40).get_pulls()] == [8, 7]
    lazy = client(api, lazy=True).get_repo(REPO)
    assert list(lazy.get_commit("f" * 40).get_pulls()) == []
    with pytest.raises(GithubException) as unknown:
        repo.get_commit("f" * 40)  # not lazy: asks for the commit itself
    assert unknown.value.status == 422
    full = repo.get_pull(7)
    assert full.merged is True
    assert full.merge_commit_sha == "c" * 40
    reviews = list(full.get_reviews())
    assert [(r.user.login, r.state, r.commit_id) for r in reviews] == [
        ("bob", "COMMENTED", SHA),
        ("bob", "APPROVED", SHA),
    ]
    assert reviews[0].submitted_at < reviews[1].submitted_at
    assert repo.get_pull(8).merged is False


def test_lists_are_paged_with_link_headers(api: GitHubAPI) -> None:
    api.add_pull(1, SHA, BASE)
    for i in range(5):
        api.add_review(1, f"user{i}", "COMMENTED")
    first = get(api, f"/repos/{REPO}/pulls/1/reviews?per_page=2")
    assert [r["user"]["login"] for r in first.json()] == ["user0", "user1"]
    host = api.url
    assert first.headers["Link"] == (
        f'<{host}/repos/{REPO}/pulls/1/reviews?per_page=2&page=2>; rel="next", '
        f'<{host}/repos/{REPO}/pulls/1/reviews?per_page=2&page=3>; rel="last"'
    )
    last = get(api, f"/repos/{REPO}/pulls/1/reviews?per_page=2&page=3")
    assert [r["user"]["login"] for r in last.json()] == ["user4"]
    assert 'rel="next"' not in last.headers["Link"]
    assert 'rel="first"' in last.headers["Link"]
    assert "Link" not in get(api, f"/repos/{REPO}/pulls/1/reviews").headers
    # PyGithub follows them (per_page=2 here).
    reviews = client(api).get_repo(REPO).get_pull(1).get_reviews()
    assert [r.user.login for r in reviews] == [f"user{i}" for i in range(5)]


def test_contents_at_a_ref_and_large_files(api: GitHubAPI) -> None:
    api.set_file(BASE, ".github/CODEOWNERS", "/posts/ @bob\n")
    big = b"x" * (CONTENTS_LIMIT + 1)
    api.set_file(BASE, "posts/media/big.png", big)
    repo = client(api).get_repo(REPO)
    found = repo.get_contents(".github/CODEOWNERS", ref=BASE)
    assert not isinstance(found, list)
    assert found.decoded_content == b"/posts/ @bob\n"
    assert found.sha == blob_sha(b"/posts/ @bob\n")
    with pytest.raises(GithubException) as missing:
        repo.get_contents("CODEOWNERS", ref=BASE)
    assert missing.value.status == 404
    large = get(api, f"/repos/{REPO}/contents/posts/media/big.png?ref={BASE}").json()
    assert (large["encoding"], large["content"], large["size"]) == ("none", "", len(big))
    assert base64.b64decode(repo.get_git_blob(large["sha"]).content) == big


def test_contents_come_from_a_real_repository(tmp_path: Path) -> None:
    git_dir = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(git_dir)], check=True)
    (git_dir / "CODEOWNERS").write_text("* @bob\n")
    subprocess.run(["git", "-C", str(git_dir), "add", "."], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(git_dir),
            "-c",
            "user.name=a",
            "-c",
            "user.email=a@b",
            "commit",
            "-qm",
            "x",
        ],
        check=True,
    )
    head = subprocess.run(
        ["git", "-C", str(git_dir), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    with GitHubAPI(REPO, git_dir=git_dir) as api:
        assert isinstance(api, GitHubAPI)
        found = client(api).get_repo(REPO).get_contents("CODEOWNERS", ref=head)
        assert not isinstance(found, list)
        assert found.decoded_content == b"* @bob\n"


def test_team_members_and_refusals(api: GitHubAPI) -> None:
    api.add_team("octo-org", "comms", ["bob", "erin", "dave"])
    api.add_team("octo-org", "secret", ["x"], access="forbidden")
    gh = client(api)
    members = gh.get_organization("octo-org").get_team_by_slug("comms").get_members()
    assert [m.login for m in members] == ["bob", "erin", "dave"]
    forbidden = get(api, "/orgs/octo-org/teams/secret/members")
    assert forbidden.status_code == 403
    assert forbidden.json()["message"] == "Resource not accessible by integration"
    assert get(api, "/orgs/octo-org/teams/none/members").status_code == 404


def test_the_authenticated_user(api: GitHubAPI) -> None:
    assert client(api).get_user().login == "clarion-test"
    api.add_token("ghs_app", None)
    refused = get(api, "/user", token="ghs_app")
    assert refused.status_code == 403


def test_issue_comments_create_list_and_update(api: GitHubAPI) -> None:
    api.add_pull(12, SHA, BASE, merged=False)
    issue = client(api).get_repo(REPO).get_issue(12)
    comment = issue.create_comment("<!-- clarion-preview -->\nfirst")
    assert comment.user.login == "clarion-test"
    comment.edit("<!-- clarion-preview -->\nsecond")
    assert [c.body for c in issue.get_comments()] == ["<!-- clarion-preview -->\nsecond"]
    assert [c.body for c in api.comments_on(12)] == ["<!-- clarion-preview -->\nsecond"]
    raw = requests.post(
        f"{api.url}/repos/{REPO}/issues/12/comments",
        headers={"Authorization": f"token {DEFAULT_TOKEN}"},
        json={"body": "plain"},
        timeout=5,
    )
    assert raw.status_code == 201
    assert raw.headers["Location"] == raw.json()["url"]
    nobody = requests.post(
        f"{api.url}/repos/{REPO}/issues/99/comments",
        headers={"Authorization": f"token {DEFAULT_TOKEN}"},
        json={"body": "x"},
        timeout=5,
    )
    assert nobody.status_code == 404
    empty = requests.post(
        f"{api.url}/repos/{REPO}/issues/12/comments",
        headers={"Authorization": f"token {DEFAULT_TOKEN}"},
        json={},
        timeout=5,
    )
    assert empty.status_code == 422


def test_the_state_round_trips(api: GitHubAPI) -> None:
    api.add_pull(3, SHA, BASE, author="alice", files=["posts/a.md"])
    api.add_review(3, "bob")
    api.set_file(BASE, "CODEOWNERS", "* @bob\n")
    api.add_team("octo-org", "comms", ["bob"], access="forbidden")
    api.add_issue(9)
    api.add_comment(9, "hello")
    state = api.state()
    again = GitHubAPI.from_state(json.loads(json.dumps(state))).state()
    assert again == state


def test_standalone_process_serves_the_state_and_writes_comments_back(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    ready = tmp_path / "ready"
    log = tmp_path / "stderr"
    state.write_text(
        json.dumps(
            {
                "repository": REPO,
                "tokens": {"ghs_workflow": None},
                "pulls": [
                    {
                        "number": 12,
                        "author": "alice",
                        "head_sha": SHA,
                        "base_sha": BASE,
                        "merged": False,
                        "reviews": [{"user": "bob", "state": "APPROVED"}],
                    }
                ],
                "files": [{"ref": BASE, "path": "CODEOWNERS", "content": "* @bob\n"}],
                "teams": [{"org": "octo-org", "slug": "comms", "members": ["bob"]}],
            }
        )
    )
    command = [sys.executable, "-m", "tests.github_api", "--port", "0"]
    command += ["--state", str(state), "--ready-file", str(ready)]
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=stderr
        )
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the stand-in never became ready"
            time.sleep(0.05)
        url = ready.read_text()
        assert url.startswith("http://127.0.0.1:")
        gh = github_client(url, "ghs_workflow")
        issue = gh.get_repo(REPO).get_issue(12)
        comment = issue.create_comment("preview v1")
        assert comment.user.login == "github-actions[bot]"
        comment.edit("preview v2")
        written = json.loads(state.read_text())
        assert [(c["issue"], c["body"]) for c in written["comments"]] == [(12, "preview v2")]
        served = requests.get(f"{url}/__state", timeout=5).json()
        assert served["comments"] == written["comments"]
        assert (
            "PATCH /repos/octo-org/announcements/issues/comments/" + str(comment.id)
            in (served["requests"])
        )
        assert served["pulls"][0]["reviews"][0]["state"] == "APPROVED"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    assert json.loads(state.read_text())["comments"][0]["body"] == "preview v2"
