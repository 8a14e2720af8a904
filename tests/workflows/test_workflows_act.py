"""The workflows, run for real by act on this machine: check.yml on pull
requests, preview-comment.yml after it, publish.yml on a merge.

Each test builds a small GitHub out of real parts: a bare remote, clones of it
for the pull request and the default branch, the GitHub API stand-in
(tests/github_api.py) and, for publishing, the network stand-ins (Sandbox).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clarion.sandbox.networks import Sandbox
from tests.github_api import APP_LOGIN, GitHubAPI
from tests.workflows.actkit import (
    OFFLINE_ACCOUNTS,
    REPOSITORY,
    Act,
    ActResult,
    Template,
    World,
    artifact,
    commit,
    git,
    git_server,
    pull_request_event,
    push_event,
    settings_toml,
    workflow_run_event,
    write,
)
from tests.workflows.conftest import WORKFLOW_TOKEN

pytestmark = pytest.mark.slow

MARKER = "<!-- clarion-preview -->"
APP_TOKEN = "ghs_app4242installationtoken"  # what the create-github-app-token stand-in makes

POST = """\
---
platforms: [bluesky, mastodon, x]
lang: en
---
The spring sprint starts on Monday! Join us https://example.org/sprint #Sprint
"""

POST_EDITED = """\
---
platforms: [bluesky, mastodon, x]
lang: en
---
The spring sprint starts on Tuesday, a day later! https://example.org/sprint #Sprint
"""

# Part 2 (line 9) is too long for X.
TOO_LONG = (
    "---\nlang: en\nplatforms: [x]\n---\nFirst part is fine.\n\n---\n\n" + "word " * 70 + "\n"
)

# Workflow commands in a post's text must stay text.
INJECTION = """\
---
platforms: [bluesky, mastodon, x]
lang: en
---
Release notes are out.
::add-mask::notes
::set-output name=a::b
::stop-commands::pause
##[add-mask]Release
"""


def offline_world(root: Path, template: Template) -> World:
    return World(root, template, settings_toml(require_approval=False, accounts=OFFLINE_ACCOUNTS))


def open_pull_request(world: World, post: str, text: str) -> tuple[Path, str, str]:
    """A contributor's clone on branch `feature` adding `post`: (clone, base, head)."""
    clone = world.clone("contributor")
    git(clone, "checkout", "-q", "-b", "feature")
    write(clone, post, text)
    return clone, world.remote_sha(), commit(clone, f"Add {post}")


def check(act: Act, clone: Path, number: int, base: str, head: str, run_id: int) -> ActResult:
    return act.run(
        clone, "check.yml", "pull_request", pull_request_event(number, head, base), run_id=run_id
    )


def comment(
    act: Act,
    api: GitHubAPI,
    default_branch: Path,
    run_id: int,
    head: str,
    check_run: int,
    pulls: tuple[int, ...] = (),
) -> ActResult:
    """preview-comment.yml after check run `check_run` on `head`, run (as on
    GitHub) in a checkout of the default branch, never the pull request's."""
    event = workflow_run_event(check_run, head, "success")
    # GitHub lists the pull requests of a branch of this repository (not a fork's).
    run = event["workflow_run"]
    assert isinstance(run, dict)
    run["pull_requests"] = [{"number": n, "head": {"sha": head, "ref": "feature"}} for n in pulls]
    return act.run(
        default_branch,
        "preview-comment.yml",
        "workflow_run",
        event,
        run_id=run_id,
        secrets={"GITHUB_TOKEN": WORKFLOW_TOKEN},
        env={"GITHUB_API_URL": api.url},
    )


def names_head(body: str, number: int, head: str) -> bool:
    """Whether a comment says it describes commit `head` of pull request `number`."""
    link = f"[`{head[:7]}`](https://github.com/{REPOSITORY}/pull/{number}/commits/{head})"
    return body.startswith(f"{MARKER}\n<!-- clarion-preview-head: {head} -->\n") and link in body


def test_a_valid_post_is_checked_previewed_and_commented_once(
    tmp_path: Path, template: Template, act: Act, github_api: GitHubAPI
) -> None:
    world = offline_world(tmp_path / "world", template)
    clone, base, head = open_pull_request(world, "posts/2026/sprint.md", POST)
    github_api.add_pull(7, head, base, merged=False)

    checked = check(act, clone, 7, base, head, run_id=101)
    assert checked.ok, checked.output
    assert not checked.lines("❗"), checked.output
    uploaded = artifact(act, 101)
    assert (uploaded / "pr-number").read_text().strip() == "7"
    assert (uploaded / "head-sha").read_text().strip() == head
    preview = (uploaded / "preview.md").read_text()
    assert preview.startswith(MARKER)
    assert "The spring sprint starts on Monday!" in preview

    default_branch = world.clone("default-branch")
    commented = comment(act, github_api, default_branch, 201, head, check_run=101)
    assert commented.ok, commented.output
    [first] = github_api.comments_on(7)
    assert first.user == APP_LOGIN
    assert names_head(first.body, 7, head)
    assert preview.split("## Clarion preview\n\n", 1)[1].rstrip("\n") in first.body

    # A second push: a new head, a second check, a second comment run.
    write(clone, "posts/2026/sprint.md", POST_EDITED)
    second_head = commit(clone, "Move the sprint to Tuesday")
    github_api.pulls[7].head_sha = second_head
    rechecked = check(act, clone, 7, base, second_head, run_id=102)
    assert rechecked.ok, rechecked.output
    recommented = comment(act, github_api, default_branch, 202, second_head, check_run=102)
    assert recommented.ok, recommented.output
    [edited] = github_api.comments_on(7)
    assert edited.id == first.id
    assert names_head(edited.body, 7, second_head)
    assert "starts on Tuesday, a day later!" in edited.body
    assert "starts on Monday" not in edited.body

    # A third push takes the post out again: its check makes no preview. (What
    # the comment says then, and that a late run of an older head changes
    # nothing, is preview-comment's own logic: tests/test_preview_comment.py.)
    git(clone, "rm", "-q", "posts/2026/sprint.md")
    third_head = commit(clone, "Not this sprint after all")
    emptied = check(act, clone, 7, base, third_head, run_id=104)
    assert emptied.ok, emptied.output
    assert (artifact(act, 104) / "posts-changed").read_text().strip() == "0"
    assert not (artifact(act, 104) / "preview.md").exists()
    assert [c for c in github_api.paths_requested() if c.startswith("POST")] == [
        "POST /repos/octo-org/announcements/issues/7/comments"
    ]


def test_an_invalid_post_fails_the_check_on_its_line_and_still_uploads_the_preview(
    tmp_path: Path, template: Template, act: Act
) -> None:
    world = offline_world(tmp_path / "world", template)
    clone, base, head = open_pull_request(world, "posts/2026/long.md", TOO_LONG)

    checked = check(act, clone, 8, base, head, run_id=111)

    assert not checked.ok
    [annotation] = checked.lines("::error file=")
    assert "::error file=posts/2026/long.md,line=9," in annotation
    assert "x-too-long" in annotation
    assert "🏁  Job failed" in checked.output
    uploaded = artifact(act, 111)
    assert (uploaded / "pr-number").read_text().strip() == "8"
    assert "349/280" in (uploaded / "preview.md").read_text()


def test_a_post_cannot_issue_workflow_commands(
    tmp_path: Path, template: Template, act: Act
) -> None:
    world = offline_world(tmp_path / "world", template)
    clone, base, head = open_pull_request(world, "posts/2026/notes.md", INJECTION)

    checked = check(act, clone, 9, base, head, run_id=121)

    assert checked.ok, checked.output
    printed = "\n".join(checked.printed())
    # The text is in the log, readable...
    assert "Release notes are out." in printed
    assert "add-mask" in printed
    # ...and act ran none of it: nothing masked, no output set, commands not stopped.
    assert "***" not in checked.output
    assert "a" not in checked.outputs_set()
    assert "::set-output:: a=b" not in checked.output
    assert "stop-commands" not in "".join(checked.lines("⚙"))
    # GitHub's runner also reads `##[command]` anywhere in a line (act only at
    # its start): the text printed must not hold one either.
    assert "##[add-mask]" not in printed
    assert "::add-mask::" not in printed


def test_a_merge_publishes_to_the_networks_and_pushes_the_receipts(
    tmp_path: Path, template: Template, act: Act, sandbox: Sandbox
) -> None:
    accounts, secrets = sandbox_accounts(sandbox)
    world = World(
        tmp_path / "world",
        template,
        settings_toml(require_approval=False, accounts=accounts),
        {"posts/2026/sprint.md": POST},
    )
    # GitHub over HTTP, accepting only the GitHub App's token (the stand-in
    # action makes it from the App id), so the push shows which token git sent.
    with git_server(world.root, APP_TOKEN) as server:
        main = world.root / "main"
        git(world.root, *server.clone_args(), "clone", "-q", f"{server.url}/remote.git", str(main))
        assert "extraheader" not in git(main, "config", "--list").lower()
        server.authorizations.clear()

        published = act.run(
            main,
            "publish.yml",
            "push",
            push_event("0" * 40, world.remote_sha()),
            run_id=301,
            secrets={
                **secrets,
                "GITHUB_TOKEN": WORKFLOW_TOKEN,
                "CLARION_APP_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\ntest\n-----END PRIVATE KEY-----",
            },
            variables={"CLARION_APP_ID": "4242"},
            env={"GITHUB_SERVER_URL": server.url},
        )

    assert published.ok, published.output
    assert [len(sandbox.bluesky.received()), len(sandbox.mastodon.received())] == [1, 1]
    assert len(sandbox.x.received()) == 1
    assert world.remote_log()[0] == "Record receipts for posts/2026/sprint.md [skip ci]"
    text = world.remote_file("posts/2026/sprint.md")
    assert "published:" in text
    posted = json.loads(published.outputs_set()["posted"])
    assert {item["network"] for item in posted} == {"bluesky", "mastodon", "x"}
    assert all(item["url"] in text for item in posted)
    # The App's token, and only it, went to git; the log never shows it.
    assert server.pushes >= 1
    assert set(server.authorizations) == {"basic " + server.expected().split(" ", 1)[1]}
    assert APP_TOKEN not in published.output
    assert "pushed 1 commit to origin/main" in "\n".join(published.printed())


def test_a_post_pushed_without_a_pull_request_is_held(
    tmp_path: Path, template: Template, act: Act, sandbox: Sandbox, github_api: GitHubAPI
) -> None:
    accounts, secrets = sandbox_accounts(sandbox)
    world = World(
        tmp_path / "world", template, settings_toml(require_approval=True, accounts=accounts)
    )
    main = world.clone("main")
    before = world.remote_sha()
    write(main, "posts/2026/sprint.md", POST)
    after = commit(main, "Straight to main")
    git(main, "push", "-q", "origin", "main")
    github_api.git_dir = world.remote

    held = act.run(
        main,
        "publish.yml",
        "push",
        push_event(before, after),
        run_id=401,
        secrets={**secrets, "GITHUB_TOKEN": WORKFLOW_TOKEN},
        env={"GITHUB_API_URL": github_api.url},
    )

    assert held.ok, held.output
    assert held.lines("held")
    assert [item["path"] for item in json.loads(held.outputs_set()["held"])] == [
        "posts/2026/sprint.md"
    ] * 3
    assert json.loads(held.outputs_set()["posted"]) == []
    assert not sandbox.bluesky.received()
    assert not sandbox.mastodon.received()
    assert not sandbox.x.received()
    assert world.remote_sha() == after


def sandbox_accounts(box: Sandbox) -> tuple[str, dict[str, str]]:
    """pyproject.toml's accounts pointing at the stand-ins, and their credentials."""
    bluesky, bluesky_env = box.bluesky.sandbox_settings()
    mastodon, mastodon_env = box.mastodon.sandbox_settings()
    x, x_env = box.x.sandbox_settings()
    accounts = f"""\
[tool.clarion.accounts.bluesky]
handle = "{bluesky.handle}"
service = "{bluesky.service}"

[tool.clarion.accounts.mastodon]
instance = "{mastodon.instance}"

[tool.clarion.accounts.x]
handle = "{x.handle}"
api = "{x.api}"
"""
    return accounts, {**bluesky_env, **mastodon_env, **x_env}


def test_a_tooling_change_checks_every_post_and_leaves_no_comment(
    tmp_path: Path, template: Template, act: Act, github_api: GitHubAPI
) -> None:
    # A post that is valid today, on the default branch.
    world = World(
        tmp_path / "world",
        template,
        settings_toml(require_approval=False, accounts=OFFLINE_ACCOUNTS),
        {"posts/2026/sprint.md": POST},
    )
    clone = world.clone("maintainer")
    git(clone, "checkout", "-q", "-b", "feature")
    base = world.remote_sha()
    # The pull request changes no post, only the rules: Mastodon's limit drops to 50.
    pyproject = clone / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'instance = "https://mastodon.example"\nmax_characters = 500',
            'instance = "https://mastodon.example"\nmax_characters = 50',
        ),
    )
    head = commit(clone, "Lower the Mastodon limit")
    github_api.add_pull(12, head, base, merged=False)

    checked = check(act, clone, 12, base, head, run_id=131)

    assert not checked.ok
    [annotation] = checked.lines("❗  ::error file=")
    assert "file=posts/2026/sprint.md,line=5," in annotation
    assert "mastodon-too-long" in annotation
    uploaded = artifact(act, 131)
    assert sorted(p.name for p in uploaded.iterdir()) == ["head-sha", "posts-changed", "pr-number"]
    assert (uploaded / "posts-changed").read_text().strip() == "0"

    commented = comment(act, github_api, world.clone("default-branch"), 231, head, check_run=131)
    assert commented.ok, commented.output
    assert "changes no post: no comment" in commented.output
    assert github_api.comments_on(12) == []


def test_the_preview_comment_reads_the_artifact_as_untrusted_data(
    tmp_path: Path, template: Template, act: Act, github_api: GitHubAPI
) -> None:
    world = offline_world(tmp_path / "world", template)
    workdir = world.clone("default-branch")
    head = "a" * 40
    github_api.add_pull(21, head, "b" * 40, merged=False)
    github_api.add_comment(21, f"{MARKER}\nA comment by someone else", user="mallory")

    def forged(run_id: int, number: str, preview: str | None) -> Path:
        folder = artifact(act, run_id)
        folder.mkdir(parents=True)
        (folder / "pr-number").write_text(number)
        (folder / "head-sha").write_text(head)
        if preview is not None:
            (folder / "preview.md").write_text(preview)
        return folder

    # Not a number: refused.
    forged(141, "21\n::add-mask::x", "hello")
    refused = comment(act, github_api, workdir, 241, head, check_run=141)
    assert not refused.ok
    assert "the artifact's pr-number is not a number" in refused.output

    # (Another pull request's number, whose head is not the commit checked, is
    # refused by the same command: tests/test_preview_comment.py.)

    # Too long, and without the marker: cut, marked, and a new comment of
    # our own (the look-alike by another user is left alone).
    forged(144, "21", "x" * 200_000)
    commented = comment(act, github_api, workdir, 244, head, check_run=144)
    assert commented.ok, commented.output
    theirs, ours = github_api.comments_on(21)
    assert theirs.body == f"{MARKER}\nA comment by someone else"
    assert ours.user == APP_LOGIN
    assert ours.body.startswith(MARKER + "\n")
    assert 64_000 <= len(ours.body) < 64_200  # within GitHub's 65,536
    assert ours.body.endswith("*(The preview was cut here: it is too long.)*\n")
    assert names_head(ours.body, 21, head)

    # A newer head whose check stopped before it uploaded anything: no
    # artifact, and the comment says it is out of date.
    newer = "d" * 40
    github_api.pulls[21].head_sha = newer
    missing = comment(act, github_api, workdir, 245, newer, check_run=145, pulls=(21,))
    assert missing.ok, missing.output
    theirs_after, stale = github_api.comments_on(21)
    assert theirs_after.body == theirs.body
    assert stale.id == ours.id
    assert names_head(stale.body, 21, newer)
    assert "made no preview" in stale.body
