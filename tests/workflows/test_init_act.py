"""A repository made by `clarion init`, not a copy of this one, run for real by
act: its workflows call Clarion's action by reference
(`clarion-social/clarion/action@<sha>`), which act takes from this checkout.

One story, as an organisation lives it: a contributor's pull request is
checked and its preview commented; a code owner approves it and it is merged;
the merge publishes it to the networks (their stand-ins) through the approval
gate and commits the receipts; and the archive site is built and "deployed"
with the post on it.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from clarion.adopt.settings_file import toml_value
from clarion.sandbox.networks import Sandbox
from tests.github_api import APP_LOGIN, GitHubAPI
from tests.workflows.actkit import (
    REPOSITORY,
    Act,
    Template,
    artifact,
    commit,
    git,
    pull_request_event,
    push_event,
    workflow_run_event,
    write,
)
from tests.workflows.conftest import WORKFLOW_TOKEN

pytestmark = pytest.mark.slow

# The commit of Clarion the workflows are pinned to: act is given this
# checkout's files for it.
CLARION_REF = "c1a71011" * 5
CLARION_ACTION = f"clarion-social/clarion@{CLARION_REF}"
APP_TOKEN = "ghs_app4242installationtoken"  # what the create-github-app-token stand-in makes

POST = """\
---
lang: en
---
Our spring sprint starts on Monday! Join us https://example.org/sprint #Sprint
"""


def with_accounts(settings: str, box: Sandbox) -> str:
    """clarion.toml as init wrote it, its account tables pointing at the stand-ins."""
    head = settings[: settings.index("[accounts.")]
    tables = []
    for name, stand_in in (("bluesky", box.bluesky), ("mastodon", box.mastodon), ("x", box.x)):
        account, _ = stand_in.sandbox_settings()
        fields = dataclasses.asdict(account)
        tables.append(
            f"[accounts.{name}]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in fields.items())
        )
    return head + "\n".join(tables)


def sandbox_secrets(box: Sandbox) -> dict[str, str]:
    secrets: dict[str, str] = {}
    for stand_in in (box.bluesky, box.mastodon, box.x):
        secrets.update(stand_in.sandbox_settings()[1])
    return secrets


def test_a_repository_made_by_clarion_init_checks_publishes_and_builds_its_site(
    tmp_path: Path,
    template: Template,
    act: Act,
    sandbox: Sandbox,
    github_api: GitHubAPI,
) -> None:
    clarion = {CLARION_ACTION: template.path}

    # An organisation adopts Clarion in a new repository.
    seed = tmp_path / "seed"
    seed.mkdir()
    git(seed, "init", "-q", "-b", "main")
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "clarion",
            "init",
            str(seed),
            "--networks",
            "bluesky,mastodon,x",
            "--owners",
            "@octo-org/communications",
            "--action-ref",
            CLARION_REF,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert not (seed / "pyproject.toml").exists()
    assert not (seed / "action").exists()
    toml = seed / "clarion.toml"
    toml.write_text(with_accounts(toml.read_text(), sandbox))
    # uv settings of the organisation's own, which Clarion's install must not
    # take: only a Python uv manages (none here, offline), a Python no lock allows.
    write(seed, "uv.toml", 'python-preference = "only-managed"\n')
    write(seed, ".python-version", "3.9\n")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    commit(seed, "Adopt Clarion")
    git(seed, "remote", "add", "origin", str(remote))
    git(seed, "push", "-q", "origin", "main")
    base = git(remote, "rev-parse", "main")

    # A contributor proposes a post.
    contributor = tmp_path / "contributor"
    git(tmp_path, "clone", "-q", str(remote), str(contributor))
    git(contributor, "checkout", "-q", "-b", "feature")
    write(contributor, "posts/2026/sprint.md", POST)
    head = commit(contributor, "Announce the spring sprint")
    git(contributor, "push", "-q", "origin", "feature")
    github_api.add_pull(7, head, base, merged=False, author="alice", head_ref="feature")

    checked = act.run(
        contributor,
        "check.yml",
        "pull_request",
        pull_request_event(7, head, base),
        run_id=101,
        local_repositories=clarion,
    )
    assert checked.ok, checked.output
    assert "clarion: 1 post(s) checked: 0 error(s)" in "\n".join(checked.printed())
    preview = (artifact(act, 101) / "preview.md").read_text()
    assert "Our spring sprint starts on Monday!" in preview

    default_branch = tmp_path / "default-branch"
    git(tmp_path, "clone", "-q", str(remote), str(default_branch))
    commented = act.run(
        default_branch,
        "preview-comment.yml",
        "workflow_run",
        workflow_run_event(101, head, "success"),
        run_id=201,
        secrets={"GITHUB_TOKEN": WORKFLOW_TOKEN},
        env={"GITHUB_API_URL": github_api.url},
        local_repositories=clarion,
    )
    assert commented.ok, commented.output
    [comment] = github_api.comments_on(7)
    assert comment.user == APP_LOGIN
    assert f"<!-- clarion-preview-head: {head} -->" in comment.body
    assert "Our spring sprint starts on Monday!" in comment.body

    # A code owner approves it, and it is merged.
    github_api.add_team("octo-org", "communications", ["erin"])
    github_api.add_review(7, "erin", "APPROVED")
    git(default_branch, "fetch", "-q", "origin", "feature")
    git(default_branch, "merge", "-q", "--no-ff", "-m", "Merge pull request #7", "origin/feature")
    merged = git(default_branch, "rev-parse", "HEAD")
    git(default_branch, "push", "-q", "origin", "main")
    pull = github_api.pulls[7]
    pull.merged, pull.state, pull.merge_commit_sha = True, "closed", merged
    pull.merged_at = "2026-12-01T12:00:00Z"
    github_api.git_dir = remote
    github_api.add_token(APP_TOKEN, None)  # the App's installation token

    # The merge publishes it, through the approval gate, with the App's token.
    publisher = tmp_path / "publisher"
    git(tmp_path, "clone", "-q", str(remote), str(publisher))
    published = act.run(
        publisher,
        "publish.yml",
        "push",
        push_event(base, merged),
        run_id=301,
        secrets={
            **sandbox_secrets(sandbox),
            "GITHUB_TOKEN": WORKFLOW_TOKEN,
            "CLARION_APP_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\ntest\n-----END PRIVATE KEY-----",
        },
        variables={"CLARION_APP_ID": "4242"},
        env={"GITHUB_API_URL": github_api.url},
        local_repositories=clarion,
    )
    assert published.ok, published.output
    # The post went out once on each network; the example, never.
    for stand_in in (sandbox.bluesky, sandbox.mastodon, sandbox.x):
        assert len(stand_in.received()) == 1, sandbox.describe()
    assert "Hello! From now on" not in sandbox.describe()
    log = git(remote, "log", "--format=%s", "main").splitlines()
    assert log[0] == "Record receipts for posts/2026/sprint.md [skip ci]"
    text = git(remote, "show", "main:posts/2026/sprint.md")
    posted = json.loads(published.outputs_set()["posted"])
    assert {item["network"] for item in posted} == {"bluesky", "mastodon", "x"}
    assert all(item["url"] in text for item in posted)
    assert json.loads(published.outputs_set()["held"]) == []

    # The publish run pushed receipts, so the site is built and deployed.
    site_checkout = tmp_path / "site"
    git(tmp_path, "clone", "-q", str(remote), str(site_checkout))
    after_publish = workflow_run_event(301, merged, "success")
    run = after_publish["workflow_run"]
    assert isinstance(run, dict)
    run.update(name="publish", event="push", head_branch="main")
    built = act.run(
        site_checkout,
        "pages.yml",
        "workflow_run",
        after_publish,
        run_id=401,
        local_repositories=clarion,
    )
    assert built.ok, built.output
    deployed = act.artifacts / "pages"
    index = (deployed / "index.html").read_text()
    assert "Our spring sprint starts on Monday!" in index
    assert "Hello! From now on" not in index  # the example has no receipt
    assert (deployed / "feed.atom").is_file()
    assert f"https://{REPOSITORY.split('/')[0]}.github.io/" in built.output
