"""`clarion watch --issue` keeps one GitHub issue current: opened when something is
found, updated when the findings change, closed when all is clear, reopened when
something new comes; the issue remembers the findings between scheduled runs,
whose checkouts start afresh. Against the GitHub API stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.github_api import DEFAULT_REPOSITORY, DEFAULT_TOKEN, GitHubAPI
from tests.github_issues import IssueRecord
from tests.watch.world import LAUNCH, WatchWorld


@pytest.fixture
def world(tmp_path: Path) -> Iterator[WatchWorld]:
    with WatchWorld(tmp_path) as world:
        world.publish({"2026/launch.md": LAUNCH})
        yield world


@pytest.fixture
def github() -> Iterator[GitHubAPI]:
    with GitHubAPI() as api:
        assert isinstance(api, GitHubAPI)
        yield api


def env(github: GitHubAPI) -> dict[str, str]:
    return {
        "GITHUB_API_URL": github.url,
        "GITHUB_REPOSITORY": DEFAULT_REPOSITORY,
        "GITHUB_TOKEN": DEFAULT_TOKEN,
        "GITHUB_SERVER_URL": "https://github.com",
    }


def fresh_checkout(world: WatchWorld) -> None:
    """The workflow commits nothing: each scheduled run starts without the state file."""
    (world.repo / "metrics" / "watch.json").unlink(missing_ok=True)


def the_issue(github: GitHubAPI) -> IssueRecord:
    assert len(github.written_issues) == 1, github.written_issues
    return next(iter(github.written_issues.values()))


def test_one_issue_is_opened_updated_and_closed_when_all_is_clear(
    world: WatchWorld, github: GitHubAPI
) -> None:
    bluesky = world.ids("2026/launch.md", "bluesky")
    x = world.ids("2026/launch.md", "x")

    # Nothing found: no issue.
    done = world.watch("--issue", env=env(github))
    assert done.returncode == 0, done.stderr
    assert github.written_issues == {}
    assert "no watch issue needed" in done.stderr

    # Found: one issue, labelled, listing the findings with links.
    world.bluesky.appview.label(bluesky[1], "spam")
    world.x.reading.withhold(x[0], ["DE"])
    done = world.watch("--issue", env=env(github))
    assert done.returncode == 1, done.stderr
    issue = the_issue(github)
    assert (issue.state, issue.labels, issue.user) == ("open", ["clarion-watch"], "clarion-test")
    assert issue.title == "Clarion watch: what the networks did to published posts"
    body = issue.body or ""
    assert body.startswith("<!-- clarion-watch -->\n")
    file_link = "(<https://github.com/octo-org/announcements/blob/HEAD/posts/2026/launch.md>)"
    assert (
        f"- **labelled** on Bluesky: [posts/2026/launch.md, part 2]{file_link} — "
        "labelled 'spam' by Bluesky's moderation service — [the post](<"
        f"{world.bluesky.url}/profile/clarion.test/post/{bluesky[1].rsplit('/', 1)[1]}>)"
    ) in body
    assert "- **withheld** on X: " in body
    assert f"opened the watch issue #{issue.number}" in done.stderr

    # The same findings on the next day, from a fresh checkout: nothing new, no edit
    # (the issue remembers them).
    fresh_checkout(world)
    done = world.watch("--issue", env=env(github))
    assert done.returncode == 0, done.stdout + done.stderr
    assert issue.edits == 0
    assert "is up to date" in done.stderr

    # Something new: the same issue is updated, the new finding marked.
    world.bluesky.appview.hide(bluesky[0])
    fresh_checkout(world)
    done = world.watch("--issue", env=env(github))
    assert done.returncode == 1
    assert the_issue(github) is issue
    assert issue.edits == 1
    body = issue.body or ""
    assert "- **hidden** on Bluesky: [posts/2026/launch.md, part 1]" in body
    assert body.count("(since 20") == 3

    # All clear: closed, its body saying so.
    world.bluesky.appview.show(bluesky[0])
    world.bluesky.appview.unlabel(bluesky[1], "spam")
    world.x.reading.release(x[0])
    fresh_checkout(world)
    done = world.watch("--issue", env=env(github))
    assert done.returncode == 0
    assert (issue.state, issue.state_reason) == ("closed", "completed")
    assert "All clear" in (issue.body or "")
    assert f"all clear: closed the watch issue #{issue.number}" in done.stderr

    # Found again: the one issue is reopened, never a second one.
    world.bluesky.appview.label(bluesky[2], "misleading")
    fresh_checkout(world)
    done = world.watch("--issue", env=env(github))
    assert done.returncode == 1
    assert the_issue(github) is issue
    assert issue.state == "open"
    assert "labelled 'misleading'" in (issue.body or "")


def test_a_closed_issue_stays_closed_until_something_new_is_found(
    world: WatchWorld, github: GitHubAPI
) -> None:
    bluesky = world.ids("2026/launch.md", "bluesky")
    world.bluesky.appview.label(bluesky[0], "spam")
    assert world.watch("--issue", env=env(github)).returncode == 1
    issue = the_issue(github)
    issue.state = "closed"  # a person acknowledged it

    fresh_checkout(world)
    assert world.watch("--issue", env=env(github)).returncode == 0
    assert issue.state == "closed"

    world.bluesky.appview.hide(bluesky[1])
    fresh_checkout(world)
    assert world.watch("--issue", env=env(github)).returncode == 1
    assert issue.state == "open"


def test_text_from_a_network_cannot_break_the_issue_or_its_memory(
    world: WatchWorld, github: GitHubAPI
) -> None:
    status = world.ids("2026/launch.md", "mastodon")[0]
    words = "--> <b>@everyone</b> [click](https://evil.example) `code` | ::error::x"
    world.mastodon.moderation.mark_sensitive(status, words)
    assert world.watch("--issue", env=env(github)).returncode == 1
    body = the_issue(github).body or ""
    shown, _, hidden = body.partition("<!-- clarion-watch-state\n")
    assert "<b>" not in body
    assert "@everyone" not in body  # no mention, shown or hidden
    assert "[click](https://evil.example)" not in shown
    assert body.count("-->") == 2  # the marker's and the state's own ends, no other
    assert hidden.endswith("\n-->\n")
    fresh_checkout(world)
    assert world.watch("--issue", env=env(github)).returncode == 0  # remembered: not new


def test_a_token_that_may_not_write_issues_is_a_configuration_error(
    world: WatchWorld, github: GitHubAPI
) -> None:
    world.bluesky.appview.label(world.ids("2026/launch.md", "bluesky")[0], "spam")
    done = world.watch("--issue", env={**env(github), "GITHUB_TOKEN": "ghs_wrong"})
    assert done.returncode == 2
    assert "GitHub refused GITHUB_TOKEN" in done.stderr
    assert "labelled" in done.stdout  # watched and reported all the same
    assert "Traceback" not in done.stderr

    done = world.watch("--issue", env={**env(github), "GITHUB_REPOSITORY": ""})
    assert done.returncode == 2
    assert "clarion watch --issue needs GITHUB_REPOSITORY" in done.stderr
