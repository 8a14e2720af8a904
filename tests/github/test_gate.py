"""The approval gate against the GitHub stand-in, with real git repositories: each
pull request below is real commits pushed to a bare "GitHub" remote, registered
in the stand-in by their SHAs; the publisher's checkout is a clone of main."""

from __future__ import annotations

import pytest

from clarion.approval import approval_gate
from clarion.errors import ConfigError
from clarion.sandbox.server import Fault
from clarion.settings import load_settings
from tests.github.gateworld import CODEOWNERS, PNG, POST, GateWorld, git, with_receipts


def test_approved_by_a_code_owner_goes(world: GateWorld) -> None:
    world.approved_post(1, "sprint.md", approver="bob")
    assert world.judge("sprint.md") == [None]


def test_owner_logins_are_case_insensitive(world: GateWorld) -> None:
    world.approved_post(1, "sprint.md", approver="BOB")
    assert world.judge("sprint.md") == [None]


def test_approved_by_someone_who_is_not_a_code_owner_is_held(world: GateWorld) -> None:
    world.approved_post(1, "sprint.md", approver="carol")
    world.api.add_team("octo-org", "comms", ["dave"])
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert "posts/sprint.md came through pull request #1, which no code owner approved" in reason
    assert "approved by @carol, not a code owner of posts/sprint.md" in reason
    assert "@bob @octo-org/comms, per .github/CODEOWNERS line 2" in reason
    assert "A code owner who did not write the change must approve #1" in reason


def test_no_review_at_all_is_held(world: GateWorld) -> None:
    pr = world.open_pr(1, "alice", {"posts/sprint.md": POST})
    world.merge(pr)
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert "which no code owner approved" in reason
    assert "no review approves it" in reason


def test_approval_then_changes_requested_by_the_same_owner_is_held(world: GateWorld) -> None:
    pr = world.open_pr(1, "alice", {"posts/sprint.md": POST})
    world.review(pr, "bob", "APPROVED")
    world.review(pr, "bob", "CHANGES_REQUESTED")
    world.merge(pr)
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert "the latest review of code owner @bob (requested changes) is not an approval" in reason


def test_a_dismissed_approval_does_not_count(world: GateWorld) -> None:
    pr = world.open_pr(1, "alice", {"posts/sprint.md": POST})
    world.review(pr, "bob", "DISMISSED")
    world.merge(pr)
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert "@bob (dismissed)" in reason


def test_a_comment_after_an_approval_keeps_it(world: GateWorld) -> None:
    pr = world.open_pr(1, "alice", {"posts/sprint.md": POST})
    world.review(pr, "bob", "APPROVED")
    world.review(pr, "bob", "COMMENTED")
    world.merge(pr)
    assert world.judge("sprint.md") == [None]


def test_an_approval_after_the_merge_counts(world: GateWorld) -> None:
    pr = world.open_pr(1, "alice", {"posts/sprint.md": POST})
    world.merge(pr)
    assert world.judge("sprint.md")[0] is not None
    world.review(pr, "bob")
    assert world.judge("sprint.md") == [None]


def test_only_the_authors_approval_is_held_even_when_the_author_is_an_owner(
    world: GateWorld,
) -> None:
    pr = world.open_pr(1, "bob", {"posts/sprint.md": POST})
    world.review(pr, "bob")
    world.review(pr, "carol")  # not an owner
    world.merge(pr)
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert "the owner approval by @bob does not count: they wrote the change" in reason


def test_a_team_owner_is_resolved(world: GateWorld) -> None:
    world.api.add_team("octo-org", "comms", ["dave", "erin"])
    world.approved_post(1, "sprint.md", approver="erin")
    assert world.judge("sprint.md") == [None]
    assert world.api.paths_requested("/orgs/") == ["GET /orgs/octo-org/teams/comms/members"]


@pytest.mark.parametrize(("access", "status"), [("forbidden", 403), ("not_found", 404)])
def test_a_team_the_token_cannot_read_counts_as_no_approval(
    world: GateWorld, access: str, status: int
) -> None:
    world.api.add_team("octo-org", "comms", ["erin"], access=access)
    world.approved_post(1, "sprint.md", approver="erin")
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert f"team @octo-org/comms (HTTP {status}) could not be read with this token" in reason
    assert "organization permission 'Members: read'" in reason
    assert "GitHub App token" in reason
    assert "approved by @erin, not a code owner" in reason


def test_a_direct_owner_still_passes_when_a_team_is_unreadable(world: GateWorld) -> None:
    world.api.add_team("octo-org", "comms", ["erin"], access="forbidden")
    world.approved_post(1, "a.md", approver="bob")
    assert world.judge("a.md") == [None]


def test_pushed_straight_to_main_is_held(world: GateWorld) -> None:
    sha = world.push_direct({"posts/sprint.md": POST})
    [reason] = world.judge("sprint.md")
    assert reason == (
        f"posts/sprint.md was pushed to main without a pull request (commit {sha[:7]}): "
        "open a pull request for it and have a code owner approve it"
    )


def test_an_edit_pushed_straight_to_main_after_an_approved_merge_is_held(
    world: GateWorld,
) -> None:
    world.approved_post(1, "sprint.md")
    world.push_direct({"posts/sprint.md": POST.replace("Monday", "Tuesday")})
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert "pushed to main without a pull request" in reason


def test_a_receipts_only_commit_after_the_approved_merge_is_not_a_change(
    world: GateWorld,
) -> None:
    world.approved_post(1, "sprint.md")
    world.push_direct(
        {"posts/sprint.md": with_receipts(POST)}, author="clarion[bot]", message="Record receipts"
    )
    assert world.judge("sprint.md") == [None]


def test_an_untracked_post_is_held(world: GateWorld) -> None:
    (world.work / "posts" / "local.md").write_text(POST, encoding="utf-8")
    [reason] = world.judge("local.md")
    assert reason is not None
    assert "posts/local.md is not committed to git" in reason


def test_an_uncommitted_edit_to_an_approved_post_is_held(world: GateWorld) -> None:
    world.approved_post(1, "sprint.md")
    world.sync()
    (world.work / "posts" / "sprint.md").write_text(POST.replace("Monday", "today"))
    gate = approval_gate(load_settings(world.work), world.env())
    reason = gate(world.post("sprint.md"))
    assert reason is not None
    assert "has changes that are not committed" in reason


def test_codeowners_is_read_from_the_base_of_the_pull_request(world: GateWorld) -> None:
    # Mallory's pull request makes her friend Carol an owner of posts/ and
    # adds a post that Carol approves: the base's CODEOWNERS says Bob.
    pr = world.open_pr(
        1,
        "mallory",
        {
            ".github/CODEOWNERS": CODEOWNERS + "/posts/ @carol @mallory\n",
            "posts/sprint.md": POST,
        },
    )
    world.review(pr, "carol")
    world.merge(pr)
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert "approved by @carol, not a code owner" in reason
    # Once merged, the new CODEOWNERS is the base of later pull requests.
    next_post = POST.replace("The winter sprint starts on Monday!", "Next: a release party.")
    world.approved_post(2, "next.md", next_post, author="alice", approver="carol")
    assert world.judge("next.md") == [None]


def test_the_last_matching_pattern_wins(world: GateWorld) -> None:
    pr = world.open_pr(
        1,
        "admin",
        {".github/CODEOWNERS": "* @bob\n/posts/ @carol\n/posts/legal/ @lawyer\n"},
    )
    world.review(pr, "bob")
    world.merge(pr)
    world.approved_post(2, "sprint.md", approver="bob")  # bob owns `*` only
    world.approved_post(3, "other.md", approver="carol")
    world.approved_post(4, "legal/terms.md", approver="carol")
    world.approved_post(5, "legal/notice.md", approver="lawyer")
    sprint, other, terms, notice = world.judge(
        "sprint.md", "other.md", "legal/terms.md", "legal/notice.md"
    )
    assert sprint is not None
    assert "@carol, per .github/CODEOWNERS line 2" in sprint
    assert other is None
    assert terms is not None
    assert "@lawyer, per .github/CODEOWNERS line 3" in terms
    assert notice is None


def test_a_path_left_without_owners_is_held(world: GateWorld) -> None:
    pr = world.open_pr(1, "admin", {".github/CODEOWNERS": "/posts/ @bob\n/posts/drafts/\n"})
    world.review(pr, "bob")
    world.merge(pr)
    world.approved_post(2, "drafts/idea.md", approver="bob")
    [reason] = world.judge("drafts/idea.md")
    assert reason is not None
    assert "names no code owner for posts/drafts/idea.md (line 2 leaves it without owners)" in (
        reason
    )


def test_no_codeowners_file_is_held(world: GateWorld) -> None:
    pr = world.open_pr(1, "admin", {".github/CODEOWNERS": None})
    world.review(pr, "bob")
    world.merge(pr)
    world.approved_post(2, "sprint.md")
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert "has no CODEOWNERS file (.github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS" in reason


def test_codeowners_locations_are_tried_in_order(world: GateWorld) -> None:
    pr = world.open_pr(
        1,
        "admin",
        {
            ".github/CODEOWNERS": None,
            "CODEOWNERS": "/posts/ @carol\n",
            "docs/CODEOWNERS": "/posts/ @bob\n",
        },
    )
    world.review(pr, "bob")
    world.merge(pr)
    world.approved_post(2, "sprint.md", approver="carol")
    world.approved_post(3, "other.md", approver="bob")
    assert world.judge("sprint.md", "other.md")[0] is None
    assert "per CODEOWNERS line 1" in (world.judge("other.md")[0] or "")


def test_owners_by_email_are_not_resolved(world: GateWorld) -> None:
    pr = world.open_pr(1, "admin", {".github/CODEOWNERS": "/posts/ comms@example.org\n"})
    world.review(pr, "bob")
    world.merge(pr)
    world.approved_post(2, "sprint.md", approver="bob")
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert "owners given by e-mail (comms@example.org) are not resolved" in reason


@pytest.mark.parametrize("strategy", ["merge", "squash", "rebase"])
def test_every_merge_strategy_is_followed(world: GateWorld, strategy: str) -> None:
    pr = world.open_pr(1, "alice", {"posts/sprint.md": POST})
    world.push_to_pr(pr, {"posts/other.md": POST})
    world.review(pr, "bob")
    world.merge(pr, strategy)
    assert world.judge("sprint.md", "other.md") == [None, None]


@pytest.mark.parametrize("strategy", ["merge", "squash"])
def test_an_approval_given_before_the_post_changed_does_not_cover_it(
    world: GateWorld, strategy: str
) -> None:
    pr = world.open_pr(1, "alice", {"posts/sprint.md": POST})
    world.review(pr, "bob")
    world.push_to_pr(pr, {"posts/sprint.md": POST.replace("Monday", "Saturday at 3 am")})
    world.merge(pr, strategy)
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert "was given on another version than the one that would be sent" in reason
    assert f"@bob ({pr.commits[0][:7]})" in reason
    world.review(pr, "bob")  # approved again, as merged
    assert world.judge("sprint.md") == [None]


def test_a_commit_github_does_not_have_is_held(world: GateWorld) -> None:
    world.approved_post(1, "sprint.md")
    world.sync()
    (world.work / "posts" / "local.md").write_text(POST.replace("Monday", "Friday"))
    git(world.work, "add", "posts/local.md")
    git(world.work, "commit", "-qm", "Only here")
    gate = approval_gate(load_settings(world.work), world.env())
    reason = gate(world.post("local.md"))
    assert reason is not None
    assert "which GitHub does not have: publish from a checkout of main as it is on GitHub" in (
        reason
    )


def test_an_approval_stays_good_when_later_commits_leave_the_post_alone(
    world: GateWorld,
) -> None:
    pr = world.open_pr(1, "alice", {"posts/sprint.md": POST})
    world.review(pr, "bob")
    world.push_to_pr(pr, {"posts/README.md": "# Posts, explained\n"})
    world.merge(pr, "squash")  # the reviewed commit is not in main's history
    assert world.judge("sprint.md") == [None]
    # The squash commit is not in the local history: the approved version was asked for.
    assert any("/contents/posts/sprint.md" in p for p in world.api.paths_requested())


def test_an_image_pushed_straight_to_main_holds_the_post(world: GateWorld) -> None:
    post = "---\nlang: en\nmedia:\n  - path: ../media/dot.png\n    alt: A dot\n---\nLook!\n"
    pr = world.open_pr(1, "alice", {"posts/2026/look.md": post, "posts/media/dot.png": PNG})
    world.review(pr, "bob")
    world.merge(pr)
    assert world.judge("2026/look.md") == [None]
    sha = world.push_direct({"posts/media/dot.png": PNG + b"\0"})
    [reason] = world.judge("2026/look.md")
    assert reason == (
        f"posts/2026/look.md (its image posts/media/dot.png) was pushed to main without a pull "
        f"request (commit {sha[:7]}): open a pull request for it and have a code owner approve it"
    )


def test_a_renamed_post_keeps_its_approval(world: GateWorld) -> None:
    pr = world.open_pr(1, "alice", {"posts/sprint.md": POST})
    world.review(pr, "bob")
    world.push_to_pr(pr, {"posts/README.md": "# Posts\n\nMore.\n"})
    world.merge(pr, "squash")
    text = (world.people / "posts" / "sprint.md").read_text()
    world.push_direct({"posts/sprint.md": None, "posts/2026-sprint.md": text}, message="Rename")
    assert world.judge("2026-sprint.md") == [None]


def test_an_exact_copy_of_an_approved_post_does_not_borrow_its_approval(
    world: GateWorld,
) -> None:
    world.approved_post(1, "sprint.md")
    sha = world.push_direct({"posts/again.md": POST})  # git log --follow sees a copy
    assert world.judge("sprint.md", "again.md") == [
        None,
        f"posts/again.md was pushed to main without a pull request (commit {sha[:7]}): "
        "open a pull request for it and have a code owner approve it",
    ]


def test_answers_are_shared_between_posts_of_one_run(world: GateWorld) -> None:
    world.api.add_team("octo-org", "comms", ["erin"])
    pr = world.open_pr(
        1, "alice", {f"posts/p{i}.md": POST.replace("Monday", str(i)) for i in range(6)}
    )
    world.review(pr, "erin")
    world.merge(pr)
    assert world.judge(*(f"p{i}.md" for i in range(6))) == [None] * 6
    asked = world.api.paths_requested()
    assert asked.count("GET /repos/octo-org/announcements") == 1
    assert len([p for p in asked if p.endswith("/pulls")]) == 1  # one commit added them all
    assert len([p for p in asked if p.endswith("/reviews")]) == 1
    assert len([p for p in asked if "CODEOWNERS" in p]) == 1
    assert len([p for p in asked if p.startswith("GET /orgs/")]) == 1


def test_many_reviews_are_read_across_pages(world: GateWorld) -> None:
    pr = world.open_pr(1, "alice", {"posts/sprint.md": POST})
    for i in range(130):
        world.review(pr, f"fan{i}", "COMMENTED")
    world.review(pr, "bob")
    world.merge(pr)
    assert world.judge("sprint.md") == [None]
    assert len([p for p in world.api.paths_requested() if p.endswith("/reviews")]) == 2


def test_an_api_that_does_not_answer_holds_every_post(world: GateWorld) -> None:
    world.approved_post(1, "a.md")
    world.approved_post(2, "b.md")
    url = world.api.url
    world.api.stop()
    reasons = world.judge("a.md", "b.md", GITHUB_API_URL=url)
    for name, reason in zip(("a", "b"), reasons, strict=True):
        assert reason is not None
        assert reason.startswith(f"posts/{name}.md: its approval could not be confirmed, because ")
        assert "GitHub's API could not be reached" in reason
        assert "the next run tries again" in reason


def test_server_errors_are_retried_then_hold(world: GateWorld) -> None:
    world.approved_post(1, "a.md")
    world.api.inject(Fault("status", method="GET", path_prefix="/repos/", status=502))
    assert world.judge("a.md") == [None]  # one failure, retried
    world.api.requests.clear()
    for _ in range(3):
        world.api.inject(Fault("status", method="GET", path_prefix="/repos/", status=502))
    [reason] = world.judge("a.md")
    assert reason is not None
    assert "GitHub's API kept answering with server errors" in reason
    assert len(world.api.requests) == 2  # settings: retries = 2 tries in all


def test_a_rate_limited_api_holds_with_the_reason(world: GateWorld) -> None:
    world.approved_post(1, "a.md")
    body = (
        b'{"message":"API rate limit exceeded for installation ID 1.",'
        b'"documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",'
        b'"status":"403"}'
    )
    reset = "9999999999"  # far away: longer than max_retry_wait, so no waiting
    world.api.inject(
        Fault(
            "status",
            status=403,
            body=body,
            headers={
                "Content-Type": "application/json",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset,
            },
        )
    )
    [reason] = world.judge("a.md")
    assert reason is not None
    assert "rate limit" in reason


def test_a_refused_token_is_a_configuration_error(world: GateWorld) -> None:
    world.approved_post(1, "a.md")
    world.sync()
    gate = approval_gate(load_settings(world.work), world.env(GITHUB_TOKEN="ghs_wrong"))
    with pytest.raises(ConfigError, match="GitHub refused GITHUB_TOKEN"):
        gate(world.post("a.md"))


def test_an_unknown_repository_is_a_configuration_error(world: GateWorld) -> None:
    world.approved_post(1, "a.md")
    world.sync()
    gate = approval_gate(load_settings(world.work), world.env(GITHUB_REPOSITORY="octo-org/nope"))
    with pytest.raises(ConfigError, match="404 for the repository octo-org/nope"):
        gate(world.post("a.md"))


def test_a_shallow_checkout_is_held_with_the_fix(world: GateWorld) -> None:
    world.approved_post(1, "a.md")
    world.sync()
    shallow = world.base / "shallow"
    git(world.base, "clone", "-q", "--depth", "1", f"file://{world.remote}", str(shallow))
    gate = approval_gate(load_settings(shallow), world.env())
    from clarion.post import read_post

    reason = gate(read_post(shallow / "posts" / "a.md", shallow))
    assert reason is not None
    assert "fetch-depth: 0" in reason


def test_without_github_variables_everything_is_held(world: GateWorld) -> None:
    world.approved_post(1, "a.md")
    world.sync()
    gate = approval_gate(load_settings(world.work), {})
    assert "GITHUB_REPOSITORY and GITHUB_TOKEN are not set" in (gate(world.post("a.md")) or "")


def test_a_malformed_api_url_is_a_configuration_error(world: GateWorld) -> None:
    with pytest.raises(ConfigError, match=r"GITHUB_API_URL='api\.github\.com' is not an http"):
        approval_gate(load_settings(world.work), world.env(GITHUB_API_URL="api.github.com"))
