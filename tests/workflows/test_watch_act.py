"""watch.yml, run for real by act: a post published to the network stand-ins is
labelled by Bluesky's moderation, and the workflow opens one issue on the
GitHub API stand-in; the label is removed, and the next day's run, from a fresh
checkout, closes it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from clarion.sandbox.networks import Sandbox
from tests.github_api import GitHubAPI
from tests.workflows.actkit import REPOSITORY, Act, Template, World, settings_toml
from tests.workflows.conftest import WORKFLOW_TOKEN

pytestmark = pytest.mark.slow

POST = """\
---
platforms: [bluesky, mastodon, x]
lang: en
---
The spring sprint starts on Monday! Join us https://example.org/sprint #Sprint
"""


def dispatch_event() -> dict[str, object]:
    repo = {"full_name": REPOSITORY, "name": REPOSITORY.split("/")[1], "default_branch": "main"}
    return {"ref": "refs/heads/main", "inputs": {}, "repository": repo}


def accounts(box: Sandbox) -> tuple[str, dict[str, str]]:
    bluesky, bluesky_env = box.bluesky.sandbox_settings()
    mastodon, mastodon_env = box.mastodon.sandbox_settings()
    x, x_env = box.x.sandbox_settings()
    tables = f"""\
[tool.clarion.accounts.bluesky]
handle = "{bluesky.handle}"
service = "{bluesky.service}"
appview = "{bluesky.appview}"

[tool.clarion.accounts.mastodon]
instance = "{mastodon.instance}"

[tool.clarion.accounts.x]
handle = "{x.handle}"
api = "{x.api}"
"""
    return tables, {**bluesky_env, **mastodon_env, **x_env}


def test_the_watch_workflow_keeps_one_issue_current(
    tmp_path: Path,
    template: Template,
    act: Act,
    sandbox: Sandbox,
    github_api: GitHubAPI,
) -> None:
    tables, secrets = accounts(sandbox)
    world = World(
        tmp_path / "world",
        template,
        settings_toml(require_approval=False, accounts=tables),
        {"posts/2026/sprint.md": POST},
    )
    main = world.clone("main")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLARION_", "GITHUB_"))}
    published = subprocess.run(
        [sys.executable, "-m", "clarion", "publish"],
        cwd=main,
        env={**env, **secrets},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert published.returncode == 0, published.stdout + published.stderr
    uri = sandbox.bluesky.posts()[0].uri
    sandbox.bluesky.appview.label(uri, "spam")

    def watch(run_id: int) -> tuple[bool, str, dict[str, str]]:
        result = act.run(
            main,
            "watch.yml",
            "workflow_dispatch",
            dispatch_event(),
            run_id=run_id,
            secrets={**secrets, "GITHUB_TOKEN": WORKFLOW_TOKEN},
            env={"GITHUB_API_URL": github_api.url},
        )
        return result.ok, result.output, result.outputs_set()

    ok, output, outputs = watch(601)
    assert not ok, output  # something new: the run says so by failing
    assert (outputs.get("findings"), outputs.get("new")) == ("1", "1"), output
    assert len(github_api.written_issues) == 1, output
    issue = next(iter(github_api.written_issues.values()))
    assert (issue.state, issue.labels, issue.user) == (
        "open",
        ["clarion-watch"],
        "github-actions[bot]",
    )
    assert "labelled 'spam' by Bluesky's moderation service" in (issue.body or "")
    assert "::warning file=posts/2026/sprint.md,title=clarion watch%3A labelled::" in output

    sandbox.bluesky.appview.unlabel(uri, "spam")
    ok, output, outputs = watch(602)
    assert ok, output
    assert (outputs.get("findings"), outputs.get("new")) == ("0", "0"), output
    assert (issue.state, issue.state_reason) == ("closed", "completed")
    assert len(github_api.written_issues) == 1
